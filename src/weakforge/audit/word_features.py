"""Cased surface features per word (capitals, digits, punctuation, its neighbours'), added to
the uncased encoder's word vectors: "Nick Price ( Zimbabwe ) 68 68 70" is a scorecard line
to anyone who sees the capitals and figures, and the default encoder lowercases its input."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def shape(word: str) -> list[float]:
    letters = [c for c in word if c.isalpha()]
    return [
        float(word[:1].isupper()),
        float(len(letters) > 1 and all(c.isupper() for c in letters)),
        float(bool(letters) and all(c.islower() for c in letters)),
        float(any(c.isdigit() for c in word)),
        float(word.isdigit()),
        float(not any(c.isalnum() for c in word)),
        float("." in word and len(word) <= 3),
        min(len(word), 12) / 12,
    ]


WIDTH = 3 * len(shape("x")) + 1


def word_features(text: str, words: Sequence[tuple[int, int]]) -> np.ndarray:
    """Per word: its shape, the previous and next words' shapes, and whether it starts the
    sentence (``WIDTH`` columns)."""
    shapes = [shape(text[a:b]) for a, b in words]
    blank = [0.0] * len(shape("x"))
    rows = [
        shapes[w]
        + (shapes[w - 1] if w > 0 else blank)
        + (shapes[w + 1] if w + 1 < len(shapes) else blank)
        + [float(w == 0)]
        for w in range(len(shapes))
    ]
    return np.array(rows, dtype=np.float32).reshape(len(shapes), WIDTH)
