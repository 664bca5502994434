"""Contract: every format that can be both read and written round-trips text, gold labels
and splits; a new format in READERS and WRITERS is checked here without a new test."""

import pytest

from weakforge.corpus import READERS, WRITERS, ReadOptions, WriteOptions, read_corpus, write_corpus
from weakforge.records import Example, Span

# what a format cannot carry, by design (anything else must round-trip)
CANNOT = {
    ("conll", "classification"): "CoNLL columns hold token tags only",
    ("wrench", "ner"): "WRENCH span files are read-only here",
}
NO_SPLIT = {"conll"}  # one file, one split: the split comes from the config
CORPORA = {
    "ner": (
        ("PER", "ORG", "LOC"),
        [
            Example(
                id="n1",
                text="Angela Merkel met Apple Inc. executives in Berlin .",
                gold=(Span(0, 13, "PER"), Span(18, 28, "ORG"), Span(43, 49, "LOC")),
            ),
            Example(id="n2", text="Nothing to see here .", gold=(), split="dev"),
        ],
    ),
    "classification": (
        ("HAM", "SPAM"),
        [
            Example(id="c1", text="click to win free money", gold="SPAM"),
            Example(id="c2", text='a "quoted", comma, song', gold="HAM", split="test"),
        ],
    ),
}
PAIRS = [
    (fmt, task)
    for fmt in sorted(set(READERS) & set(WRITERS))
    for task in CORPORA
    if (fmt, task) not in CANNOT
]


@pytest.mark.parametrize(("fmt", "task"), PAIRS)
def test_written_corpus_reads_back_the_same(fmt, task, tmp_path):
    labels, examples = CORPORA[task]
    path = tmp_path / ("corpus" if fmt == "wrench" else f"corpus.{fmt}")
    write_corpus(examples, path, fmt, WriteOptions(task=task, labels=labels))
    back = read_corpus(path, fmt, ReadOptions(task=task, labels=labels)).examples
    assert [e.text for e in back] == [e.text for e in examples]
    assert [e.gold for e in back] == [e.gold for e in examples]
    if fmt not in NO_SPLIT:
        assert [e.split for e in back] == [e.split for e in examples]


def test_every_format_pair_is_covered_or_excused():
    both = set(READERS) & set(WRITERS)
    assert {f for f, _ in PAIRS} == both  # no format is excused for every task
    assert {f for f, _ in CANNOT} <= both
