"""The NER model source: spaCy's NER taught the weak spans, voting out of fold."""

from dataclasses import replace

from spacy.lang.en import English

from weakforge.aggregate import span_model
from weakforge.records import Example, Span


def test_weak_spans_become_entities_on_the_records_own_tokens():
    nlp = English()
    example = Example(
        id="a",
        text="Dr.  Anna Berg met ACME Corp.",
        label=(Span(5, 14, "PER"), Span(10, 14, "LOC"), Span(19, 28, "ORG")),
    )
    doc = span_model.labeled_doc(nlp, example)
    assert doc.text == example.text  # double space kept, so offsets are the record's
    # the overlapping LOC span is dropped, the others stay where they were
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == [
        (5, 14, "PER"),
        (19, 28, "ORG"),
    ]
    assert span_model.unlabeled_doc(nlp, example).text == example.text


def test_span_model_votes_are_out_of_fold(monkeypatch, names_corpus):
    """Each taught record is voted on by a model that was not taught it."""
    from weakforge.aggregate import span_model

    shown_to: dict[int, set[str]] = {}
    real_train = span_model.train_ner

    def spying_train(examples, labels, *, epochs, seed):
        shown_to[len(shown_to)] = {e.id for e in examples}
        return real_train(examples, labels, epochs=1, seed=seed)

    monkeypatch.setattr(span_model, "train_ner", spying_train)
    voted_by: dict[str, int] = {}
    real_predict = span_model.predict_spans

    def spying_predict(nlp, examples):
        for e in examples:
            voted_by[e.id] = len(shown_to) - 1
        return real_predict(nlp, examples)

    monkeypatch.setattr(span_model, "predict_spans", spying_predict)
    examples = [replace(e, label=e.votes["names"]) for e in names_corpus]
    taught = list(range(len(examples) - 1))
    votes = span_model.span_model_votes(examples, ["PER"], taught, folds=3)
    assert all(v is not None for v in votes) and len(shown_to) == 3
    assert all(e.id not in shown_to[voted_by[e.id]] for e in examples)


def test_the_encoder_span_model_votes_out_of_fold(monkeypatch, names_corpus, tiny_model_dir):
    from weakforge.aggregate.encoder_span_model import encoder_span_votes
    from weakforge.train import encoder

    taught_by_fold: list[set[str]] = []
    real_train = encoder.train

    def spying_train(training, task, labels, out, *, options, seed):
        taught_by_fold.append({item.text for item in training.train})
        assert options.epochs == 1.0 and options.base_model == tiny_model_dir
        return real_train(training, task, labels, out, options=options, seed=seed)

    monkeypatch.setattr(encoder, "train", spying_train)
    voted_by: dict[str, int] = {}
    real_predict = encoder.predict

    def spying_predict(model, examples):
        voted_by.update({e.id: len(taught_by_fold) - 1 for e in examples})
        return real_predict(model, examples)

    monkeypatch.setattr(encoder, "predict", spying_predict)
    examples = [
        replace(e, label=e.votes["names"], text=f"{e.text} ({e.id})") for e in names_corpus
    ]  # texts made unique, so the spy can tell the records apart
    taught = list(range(len(examples) - 1))
    votes = encoder_span_votes(examples, ["PER"], taught, base_model=tiny_model_dir, folds=2)
    assert len(taught_by_fold) == 2 and all(isinstance(v, tuple) for v in votes)
    assert all(e.text not in taught_by_fold[voted_by[e.id]] for e in examples)
    assert "new" in voted_by  # the record no fold was taught gets a vote too
