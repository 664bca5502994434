"""Labels as every stage reads them, stated once: the label an item is judged or trained by
(gold, else weak) and BIO tags for token-level models and CoNLL files."""

from __future__ import annotations

import bisect
from collections.abc import Sequence

import numpy as np

from weakforge.records import Example, Label, Span


def given_label(example: Example) -> Label:
    """The label that counts for an item: its gold (human or reviewed) label where it has
    one, else its weak (aggregated) label."""
    return example.gold if example.gold is not None else example.label


def bio_tags(labels: Sequence[str]) -> list[str]:
    """The BIO tag names of ``labels``: O, then B- and I- of each label (index order that
    the audit and the end models share)."""
    return ["O"] + [f"{p}-{x}" for x in labels for p in ("B", "I")]


def spans_to_tags(
    spans: Sequence[Span], words: Sequence[tuple[int, int]], tags: Sequence[str]
) -> np.ndarray:
    """Tag index per word for the given spans (BIO): the words wholly inside a span, found
    by bisection (words are in text order), so a 90,000-word document with thousands of
    spans takes milliseconds, not the minutes a scan of every word per span took."""
    index = {t: i for i, t in enumerate(tags)}
    out = np.zeros(len(words), dtype=np.int64)
    starts = [a for a, _ in words]
    if any(later < earlier for earlier, later in zip(starts, starts[1:])):
        raise ValueError("spans_to_tags needs the words in text order")
    for span in spans:
        w, n = bisect.bisect_left(starts, span.start), 0
        while w < len(words) and words[w][1] <= span.end:
            out[w] = index.get(f"{'B' if n == 0 else 'I'}-{span.label}", 0)
            w, n = w + 1, n + 1
    return out


def decode_tags(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """Token spans ``(first, last_exclusive, type)`` from IOB1 or BIO tags.

    One decoder serves both schemes (as conlleval does): ``B-`` always opens an entity,
    ``I-`` opens one unless it continues an entity of the same type.
    """
    spans: list[tuple[int, int, str]] = []
    current: list = []  # [first, type]
    for i, tag in enumerate(tags):
        prefix, _, kind = tag.partition("-")
        if tag == "O" or not kind:
            if current:
                spans.append((current[0], i, current[1]))
                current = []
            continue
        if prefix == "B" or not current or current[1] != kind:
            if current:
                spans.append((current[0], i, current[1]))
            current = [i, kind]
    if current:
        spans.append((current[0], len(tags), current[1]))
    return spans


def encode_tags(n_tokens: int, spans: Sequence[tuple[int, int, str]], scheme: str) -> list[str]:
    """Tags for token spans in ``iob1`` (B- only between touching same-type entities) or
    ``bio``."""
    tags = ["O"] * n_tokens
    previous_end, previous_kind = -1, None
    for first, last, kind in sorted(spans):
        touching = first == previous_end and kind == previous_kind
        begin = "B" if scheme == "bio" or touching else "I"
        tags[first] = f"{begin}-{kind}"
        for i in range(first + 1, last):
            tags[i] = f"I-{kind}"
        previous_end, previous_kind = last, kind
    return tags


def tags_to_spans(tags: Sequence[str], words: Sequence[tuple[int, int]]) -> tuple[Span, ...]:
    """Character spans of the entities in per-word ``tags`` (words as ``(start, end)``)."""
    return tuple(Span(words[a][0], words[b - 1][1], kind) for a, b, kind in decode_tags(tags))
