"""Shared fixtures: small inline corpora (no test depends on ../shared data)."""

from __future__ import annotations

import os

import pytest

from weakforge.records import Example, Span

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture
def ner_examples() -> list[Example]:
    text1 = "Angela Merkel met Apple Inc. executives in Berlin on Monday."
    text2 = "The Bundesliga season starts in August , said Hans Meyer ."
    return [
        Example(
            id="n1",
            text=text1,
            split="train",
            gold=(Span(0, 13, "PER"), Span(18, 28, "ORG"), Span(43, 49, "LOC")),
            votes={"caps": (Span(0, 13, "PER"),), "gaz": None},
            meta={"source": "inline"},
        ),
        Example(id="n2", text=text2, split="dev", gold=(Span(4, 14, "MISC"), Span(46, 56, "PER"))),
        Example(id="n3", text="Nothing to see here.", split="test", gold=()),
    ]


@pytest.fixture
def clf_examples() -> list[Example]:
    return [
        Example(
            id="c1",
            text="Check out my channel for free gifts!!!",
            gold="SPAM",
            votes={"LF000": "SPAM", "LF001": None},
            label="SPAM",
            probs={"HAM": 0.1, "SPAM": 0.9},
        ),
        Example(id="c2", text="This song reminds me of summer 2012", gold="HAM", split="dev"),
        Example(
            id="c3",
            text='Text with "quotes", commas, and\na newline',
            split="test",
            label="HAM",
            probs={"HAM": 0.7, "SPAM": 0.3},
        ),
    ]
