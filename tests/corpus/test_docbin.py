from spacy.tokens import Doc, DocBin

from weakforge.corpus import read_corpus, write_corpus
from weakforge.records import Example, Span
from weakforge.tokenize import blank_pipeline


def test_docbin_round_trip_ner_and_classification(tmp_path, ner_examples, clf_examples):
    for examples in (ner_examples, clf_examples):
        path = tmp_path / "c.spacy"
        write_corpus(examples, path)
        assert read_corpus(path).examples == examples


def test_docbin_ents_are_set_even_when_spans_split_a_spacy_token(tmp_path):
    example = Example(id="x", text="Visit Acme-Berlin  today", gold=(Span(11, 17, "LOC"),))
    path = tmp_path / "c.spacy"
    write_corpus([example], path)
    doc = next(DocBin().from_disk(path).get_docs(blank_pipeline().vocab))
    assert doc.text == example.text
    assert [(e.start_char, e.end_char, e.label_) for e in doc.ents] == [(11, 17, "LOC")]


def test_foreign_docbin_is_read_from_ents_and_cats(tmp_path):
    nlp = blank_pipeline()
    doc = nlp("Rome is old")
    doc.ents = [doc.char_span(0, 4, label="LOC")]
    other = Doc(nlp.vocab, words=["so", "good"])
    other.cats = {"POS": 1.0, "NEG": 0.0}
    DocBin(docs=[doc, other]).to_disk(tmp_path / "f.spacy")
    examples = read_corpus(tmp_path / "f.spacy").examples
    assert examples[0].gold == (Span(0, 4, "LOC"),) and examples[1].gold == "POS"


def test_two_classes_at_the_top_score_are_an_error_not_a_dict_order_pick(tmp_path):
    """Issue 37, case 12: a doc with SPAM and HAM both 1.0 became gold SPAM by dict order."""
    import pytest

    from weakforge.errors import CorpusError

    nlp = blank_pipeline()
    doc = Doc(nlp.vocab, words=["win", "now"])
    doc.cats = {"SPAM": 1.0, "HAM": 1.0}
    DocBin(docs=[doc]).to_disk(tmp_path / "multi.spacy")
    with pytest.raises(CorpusError, match=r"doc 1: its classes \['HAM', 'SPAM'\] all score 1.0"):
        read_corpus(tmp_path / "multi.spacy")
