from dataclasses import replace

from weakforge.audit.document_mentions import NOT_AN_ENTITY, document_mentions
from weakforge.records import Example, Span

LABELS = ["PER", "ORG", "LOC"]


def sentence(i: int, text: str, doc: str | None, *spans: tuple[str, str]) -> Example:
    """An example whose spans are given by the first occurrence of each (words, type)."""
    found = tuple(Span(text.index(w), text.index(w) + len(w), t) for w, t in spans)
    return Example(str(i), text, gold=found, meta={} if doc is None else {"doc": doc})


def evidence_of(examples):
    return document_mentions(examples, [e.gold for e in examples], LABELS)


def test_a_mention_carries_the_labels_of_its_documents_other_mentions():
    examples = [
        sentence(0, "England beat Australia", "d1", ("England", "ORG"), ("Australia", "ORG")),
        sentence(1, "England won by five wickets", "d1", ("England", "ORG")),
        sentence(2, "England 's captain was out", "d1", ("England", "LOC")),
        sentence(3, "Rain in England", "d2", ("England", "LOC")),  # another document
    ]
    found = evidence_of(examples)
    odd = found[2][(0, 7)]
    assert odd.given == LABELS.index("LOC") + 1
    assert odd.others.tolist() == [0, 0, 2, 0]  # the two other mentions say ORG
    assert odd.counted([None, *LABELS]) == (("ORG", 2),)
    assert found[0][(0, 7)].others.tolist() == [0, 0, 1, 1]  # one ORG, one LOC besides it
    assert (13, 22) not in found[0]  # "Australia" is labelled one way only
    assert found[3] == {}  # document d2 agrees with itself


def test_an_unmarked_mention_of_a_marked_name_is_evidence_both_ways():
    examples = [
        sentence(0, "Ford Motor sold cars", "d", ("Ford Motor", "ORG")),
        sentence(1, "Ford Motor said on Monday", "d"),  # left unmarked
        sentence(2, "Ford Motor shares rose", "d", ("Ford Motor", "ORG")),
    ]
    found = evidence_of(examples)
    assert found[1][(0, 10)].given == NOT_AN_ENTITY
    assert found[1][(0, 10)].others.tolist() == [0, 0, 2, 0]
    assert found[0][(0, 10)].others.tolist() == [1, 0, 1, 0]


def test_a_name_inside_another_entity_is_no_mention_and_words_must_be_whole():
    examples = [
        sentence(0, "Paris is big", "d", ("Paris", "LOC")),
        sentence(1, "Paris Saint-Germain won", "d", ("Paris Saint-Germain", "ORG")),
        sentence(2, "Parisian cafes", "d"),  # "Paris" only as part of a longer word
    ]
    assert evidence_of(examples) == [{}, {}, {}]


def test_without_documents_there_is_no_evidence():
    examples = [
        sentence(0, "England beat Australia", None, ("England", "ORG")),
        sentence(1, "England 's captain", None, ("England", "LOC")),
    ]
    assert evidence_of(examples) == [{}, {}]


def test_documents_are_consecutive_runs_of_the_key_and_overlong_ones_are_skipped(
    monkeypatch, caplog
):
    import weakforge.audit.document_mentions as module

    first = sentence(0, "England won", "a", ("England", "ORG"))
    odd = sentence(1, "England lost", "a", ("England", "LOC"))
    elsewhere = sentence(2, "England drew", "b", ("England", "LOC"))
    again = sentence(3, "England won", "a", ("England", "ORG"))  # "a" again, not adjacent
    assert [sorted(m) for m in evidence_of([first, odd, elsewhere, again])] == [
        [(0, 7)],
        [(0, 7)],
        [],
        [],
    ]
    custom = [replace(e, meta={"story": e.meta["doc"]}) for e in (first, odd)]
    assert document_mentions(custom, [e.gold for e in custom], LABELS, "story")[1]
    monkeypatch.setattr(module, "LARGEST_DOCUMENT", 2)
    assert evidence_of([first, odd, again]) == [{}, {}, {}]
    assert "too long for one story" in caplog.text and "record '0'" in caplog.text
