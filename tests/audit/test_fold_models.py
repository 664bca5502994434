import numpy as np

from weakforge.audit import AuditData
from weakforge.audit.fold_models import fold_class_probs, fold_token_probs
from weakforge.audit.label_issues import LabelIssues, class_model_name
from weakforge.config import AuditSection, TrainSection
from weakforge.labels import bio_tags
from weakforge.records import Example, Span


def ner_corpus(n=24):
    """ "paris ..." with paris a LOC; every 8th sentence marks "met" instead (wrong)."""
    examples = []
    for i in range(n):
        text = "paris officials met angela merkel on monday"
        gold = (Span(0, 5, "LOC"),) if i % 8 else (Span(15, 18, "LOC"),)
        examples.append(Example(id=f"s{i}", text=text, gold=gold, split="train"))
    return examples


def test_each_item_is_predicted_by_a_model_that_never_saw_it(tiny_model_dir):
    examples = ner_corpus()
    options = TrainSection(base_model=tiny_model_dir, epochs=1, batch_size=8, patience=99)
    probs = fold_token_probs(
        examples, [e.gold for e in examples], ["LOC"], folds=3, seed=0, options=options
    )
    assert len(probs) == len(examples)
    assert all(p.shape == (7, len(bio_tags(["LOC"]))) for p in probs)  # 7 words, O B I
    assert all(np.allclose(p.sum(axis=1), 1, atol=1e-4) for p in probs)


def test_the_finetuned_label_model_option_runs_the_span_audit(tiny_model_dir):
    examples = ner_corpus()
    options = AuditSection(
        model=tiny_model_dir, label_model="finetuned+vectors+case", folds=3, fold_epochs=1
    )
    data = AuditData(examples, ["LOC"], "ner", options, None, None)
    result = LabelIssues().run(data)
    assert len(result.columns["span_issues"]) == len(examples)
    assert all(0 <= q <= 1 for q in result.columns["quality"])
    assert "estimated_wrong_entities" in result.summary


def spam_corpus(n=24):
    """Spam about prizes, ham about songs; every 6th label is flipped (wrong)."""
    examples = []
    for i in range(n):
        spam = i % 2 == 0
        text = f"win a free prize number {i} now" if spam else f"lovely song number {i} here"
        label = ("SPAM" if spam else "HAM") if i % 6 else ("HAM" if spam else "SPAM")
        examples.append(Example(id=f"c{i}", text=text, gold=label, split="train"))
    return examples


def test_each_text_is_classified_by_a_model_that_never_saw_it(tiny_model_dir, monkeypatch):
    from weakforge.train import encoder

    examples, taught = spam_corpus(), []
    real_train = encoder.train

    def spy(training, *args, **kwargs):
        taught.append({item.text for item in training.train})
        return real_train(training, *args, **kwargs)

    monkeypatch.setattr(encoder, "train", spy)
    options = TrainSection(base_model=tiny_model_dir, epochs=1, batch_size=8, patience=99)
    probs = fold_class_probs(
        examples, [e.gold for e in examples], ["HAM", "SPAM"], folds=3, seed=0, options=options
    )
    assert probs.shape == (len(examples), 2) and np.allclose(probs.sum(axis=1), 1, atol=1e-4)
    assert len(taught) == 3
    # every text was left out of exactly one fold's training: the one that predicted it
    assert all(sum(e.text not in seen for seen in taught) == 1 for e in examples)


def test_the_finetuned_class_model_runs_the_label_check(tiny_model_dir, monkeypatch):
    examples = spam_corpus()
    options = AuditSection(model=tiny_model_dir, class_model="finetuned", folds=3)
    data = AuditData(examples, ["HAM", "SPAM"], "classification", options, None, None)
    result = LabelIssues().run(data)
    assert result.summary["class_model"] == "finetuned"
    assert "fine-tuned per fold" in LabelIssues().describe(result.summary)[0]
    assert all(0 <= q <= 1 for q in result.columns["quality"])
    # "auto": the probe on a CPU, fine-tuned folds where CUDA is present
    import torch

    assert class_model_name(AuditSection()) == "probe" or torch.cuda.is_available()
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert class_model_name(AuditSection()) == "finetuned"
    assert class_model_name(AuditSection(class_model="probe")) == "probe"
