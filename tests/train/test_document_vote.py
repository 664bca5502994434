import json

from weakforge.records import Example, Span
from weakforge.train.document_vote import (
    DOCUMENT_KEY,
    grouping_key,
    remember_document_key,
    vote_in_documents,
)
from weakforge.train.hf_trainer import MODEL_INFO


def record(i: int, text: str, doc: str | None) -> Example:
    return Example(f"r{i}", text, meta={} if doc is None else {"doc": doc})


def span(text: str, name: str, label: str, prob: float = 0.9) -> Span:
    start = text.index(name)
    return Span(start, start + len(name), label, prob)


def test_a_name_takes_the_type_its_document_gives_it_most():
    texts = ["Texas beat Ohio .", "Texas lost .", "Texas won in Austin .", "Texas 75 58"]
    examples = [record(i, t, "d1" if i < 3 else "d2") for i, t in enumerate(texts)]
    predicted = [
        (span(texts[0], "Texas", "ORG"), span(texts[0], "Ohio", "ORG")),
        (span(texts[1], "Texas", "ORG"),),
        (span(texts[2], "Texas", "LOC"), span(texts[2], "Austin", "LOC")),
        (span(texts[3], "Texas", "LOC"),),  # another document: its own vote
    ]
    voted = vote_in_documents(examples, predicted, "doc")
    assert [[s.label for s in spans] for spans in voted] == [
        ["ORG", "ORG"],
        ["ORG"],
        ["ORG", "LOC"],
        ["LOC"],
    ]
    assert [(s.start, s.end, s.prob) for s in voted[2]] == [
        (s.start, s.end, s.prob) for s in predicted[2]
    ]


def test_confidence_weighs_the_vote_and_a_tie_keeps_each_span_its_own_type():
    texts = ["Jordan said .", "Jordan won .", "Jordan wept ."]
    examples = [record(i, t, "d") for i, t in enumerate(texts)]
    weighed = vote_in_documents(
        examples,
        [
            (span(texts[0], "Jordan", "LOC", 0.95),),
            (span(texts[1], "Jordan", "PER", 0.4),),
            (span(texts[2], "Jordan", "PER", 0.4),),
        ],
        "doc",
    )
    assert [spans[0].label for spans in weighed] == ["LOC"] * 3
    tied = vote_in_documents(
        examples[:2],
        [(span(texts[0], "Jordan", "LOC", 0.5),), (span(texts[1], "Jordan", "PER", 0.5),)],
        "doc",
    )
    assert [spans[0].label for spans in tied] == ["LOC", "PER"]


def test_records_without_the_key_stand_alone():
    texts = ["Texas won .", "Texas lost ."]
    examples = [record(0, texts[0], None), record(1, texts[1], None)]
    predicted = [(span(texts[0], "Texas", "ORG"),), (span(texts[1], "Texas", "LOC"),)]
    assert vote_in_documents(examples, predicted, "doc") == predicted
    assert grouping_key(examples, "doc") is None
    assert grouping_key([record(0, "a", "d"), record(1, "b", "d")], "doc") == "doc"
    assert grouping_key([record(0, "a", "d"), record(1, "b", "e")], "doc") is None


def test_the_key_is_stored_in_and_removed_from_the_model_info(tmp_path):
    (tmp_path / MODEL_INFO).write_text(json.dumps({"task": "ner"}))
    remember_document_key(tmp_path, "doc")
    assert json.loads((tmp_path / MODEL_INFO).read_text()) == {"task": "ner", DOCUMENT_KEY: "doc"}
    remember_document_key(tmp_path, None)
    assert json.loads((tmp_path / MODEL_INFO).read_text()) == {"task": "ner"}
