"""Per-class offsets on an end model's log-probabilities, fit on dev gold.

A model taught weak labels inherits their class balance: rules that fire on one class more
than another (keyword LFs for spam, say) leave the end model too shy of the classes they
cover least. A vector of offsets added to the log-probabilities, chosen by coordinate ascent
to maximise the dev split's macro-F1, moves the decision back towards the real balance.
It is fit on dev gold only, so the dev score after it is optimistic; test is the honest one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

GRID = np.linspace(-3.0, 3.0, 61)
"""The offsets tried for each class (log-probability units)."""
SWEEPS = 3
"""Passes over the classes; each pass moves one class's offset at a time."""


@dataclass(frozen=True)
class ClassBias:
    """The offsets per class name, and the dev macro-F1 without and with them."""

    offsets: dict[str, float]
    dev_before: float
    dev_after: float
    dev_items: int


def macro_f1(predicted: np.ndarray, gold: np.ndarray, n_classes: int) -> float:
    """The unweighted mean of the classes' F1 (a class absent from both counts as 0)."""
    scores = []
    for c in range(n_classes):
        hits = np.sum((predicted == c) & (gold == c))
        guessed, actual = np.sum(predicted == c), np.sum(gold == c)
        scores.append(2 * hits / (guessed + actual) if guessed + actual else 0.0)
    return float(np.mean(scores))


def fit_class_bias(probs: np.ndarray, gold: Sequence[int], names: Sequence[str]) -> ClassBias:
    """Offsets that maximise macro-F1 of ``argmax(log probs + offsets)`` on these rows; ties
    go to the smaller offset, so a class the data says nothing about keeps 0."""
    log_probs = np.log(np.clip(probs, 1e-12, None))
    truth = np.asarray(gold)
    k = len(names)
    offsets = np.zeros(k)

    def score(candidate: np.ndarray) -> float:
        return macro_f1((log_probs + candidate).argmax(axis=1), truth, k)

    before = score(offsets)
    for _ in range(SWEEPS):
        for c in range(k):
            tried = np.repeat(offsets[None, :], len(GRID), axis=0)
            tried[:, c] = GRID
            values = [(score(row), -abs(row[c])) for row in tried]
            offsets[c] = GRID[max(range(len(GRID)), key=values.__getitem__)]
    return ClassBias(
        {n: round(float(o), 3) for n, o in zip(names, offsets)},
        round(before, 4),
        round(score(offsets), 4),
        len(truth),
    )


def apply_class_bias(probs: np.ndarray, offsets: Sequence[float]) -> np.ndarray:
    """Probabilities with the offsets added in log space (rows renormalised)."""
    shifted = np.log(np.clip(probs, 1e-12, None)) + np.asarray(offsets, dtype=float)
    shifted -= shifted.max(axis=-1, keepdims=True)
    weights = np.exp(shifted)
    return weights / weights.sum(axis=-1, keepdims=True)
