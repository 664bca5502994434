"""Per-class offsets on an end model's log-probabilities, fit on dev gold.

A model taught weak labels inherits their balance: rules that fire on one class more than
another (keyword LFs for spam, say) leave the end model too shy of the classes they cover
least, and a tagger taught soft spans may call too many or too few words entities. A vector
of offsets added to the log-probabilities, chosen by coordinate ascent to maximise the dev
split's score (classes: macro-F1; NER: span F1, one offset per entity type shared by its
``B-`` and ``I-`` tags), moves the decision back towards the real balance. It is fit on dev
gold only, so the dev score after it is optimistic; test is the honest one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from weakforge.labels import decode_tags
from weakforge.records import Label
from weakforge.train.bio_decoding import TagLattice

GRID = np.linspace(-3.0, 3.0, 61)
"""The offsets tried for each class (log-probability units)."""
SWEEPS = 3
"""Passes over the classes; each pass moves one class's offset at a time."""
MIN_DEV_ITEMS = 30
"""Fewer dev items (sentences, for NER) than this fit no offsets: they would follow noise."""


@dataclass(frozen=True)
class ClassBias:
    """The offsets per output name (class, or BIO tag), what they maximise, and its dev
    value without and with them."""

    offsets: dict[str, float]
    metric: str
    dev_before: float
    dev_after: float
    dev_items: int
    cross_fit_gain: float | None = None
    """Where the offsets were cross-checked: what offsets fit on one half of dev gained on
    the other half (mean of both ways)."""


def ascend(score: Callable[[np.ndarray], float], k: int) -> np.ndarray:
    """Coordinate ascent over ``k`` offsets on :data:`GRID`; ties go to the smaller offset,
    so a class the data says nothing about keeps 0."""
    offsets = np.zeros(k)
    for _ in range(SWEEPS):
        for c in range(k):
            tried = np.repeat(offsets[None, :], len(GRID), axis=0)
            tried[:, c] = GRID
            values = [(score(row), -abs(row[c])) for row in tried]
            offsets[c] = GRID[max(range(len(GRID)), key=values.__getitem__)]
    return offsets


def log_of(probs: np.ndarray) -> np.ndarray:
    return np.log(np.clip(probs, 1e-12, None))


def macro_f1(predicted: np.ndarray, gold: np.ndarray, n_classes: int) -> float:
    """The unweighted mean of the classes' F1 (a class absent from both counts as 0)."""
    scores = []
    for c in range(n_classes):
        hits = np.sum((predicted == c) & (gold == c))
        guessed, actual = np.sum(predicted == c), np.sum(gold == c)
        scores.append(2 * hits / (guessed + actual) if guessed + actual else 0.0)
    return float(np.mean(scores))


def fit_class_bias(probs: np.ndarray, gold: Sequence[int], names: Sequence[str]) -> ClassBias:
    """Offsets that maximise macro-F1 of ``argmax(log probs + offsets)`` on these rows."""
    log_probs, truth, k = log_of(probs), np.asarray(gold), len(names)

    def score(candidate: np.ndarray) -> float:
        return macro_f1((log_probs + candidate).argmax(axis=1), truth, k)

    offsets = ascend(score, k)
    return ClassBias(
        {n: round(float(o), 3) for n, o in zip(names, offsets)},
        "macro-F1",
        round(score(np.zeros(k)), 4),
        round(score(offsets), 4),
        len(truth),
    )


def type_f1_scorer(
    word_probs: Sequence[np.ndarray],
    words: Sequence[Sequence[tuple[int, int]]],
    gold: Sequence[Label],
    names: Sequence[str],
) -> tuple[list[str], np.ndarray, Callable[[np.ndarray], float]]:
    """The entity types, the tag-to-type matrix, and the exact span F1 over these sentences
    with one offset per type added to its ``B-`` and ``I-`` tags (``O`` keeps 0)."""
    types = sorted({name.partition("-")[2] for name in names if name != "O"})
    columns = np.array([[name.partition("-")[2] == t for t in types] for name in names])
    lattice = TagLattice([log_of(p) for p in word_probs], names)
    truth = {(i, s.start, s.end, s.label) for i, spans in enumerate(gold) for s in spans or ()}

    def score(candidate: np.ndarray) -> float:
        found = set()
        for i, (path, bounds) in enumerate(zip(lattice.best_paths(columns @ candidate), words)):
            for a, b, kind in decode_tags([names[t] for t in path]):
                found.add((i, bounds[a][0], bounds[b - 1][1], kind))
        hits = len(found & truth)
        return 2 * hits / (len(found) + len(truth)) if found or truth else 1.0

    return types, columns, score


def fit_type_bias(
    word_probs: Sequence[np.ndarray],
    words: Sequence[Sequence[tuple[int, int]]],
    gold: Sequence[Label],
    names: Sequence[str],
) -> ClassBias:
    """NER: one offset per entity type (its ``B-`` and ``I-`` tags; ``O`` keeps 0) that
    maximises exact span F1 over these sentences."""
    types, columns, score = type_f1_scorer(word_probs, words, gold, names)
    offsets = ascend(score, len(types))
    per_name = columns @ offsets
    return ClassBias(
        {n: round(float(o), 3) for n, o in zip(names, per_name)},
        "span F1",
        round(score(np.zeros(len(types))), 4),
        round(score(offsets), 4),
        len(gold),
    )


def cross_fit_type_gain(
    word_probs: Sequence[np.ndarray],
    words: Sequence[Sequence[tuple[int, int]]],
    gold: Sequence[Label],
    names: Sequence[str],
) -> float:
    """What the type offsets gain on sentences they were not fit on: fit on dev's first
    half (documents stay together, dev being in file order), scored on the second, and
    back; the mean span F1 gain (negative: they follow noise and cost F1)."""
    half = len(gold) // 2
    gains = []
    for fit, held in ((slice(0, half), slice(half, None)), (slice(half, None), slice(0, half))):
        types, _, fit_score = type_f1_scorer(word_probs[fit], words[fit], gold[fit], names)
        offsets = ascend(fit_score, len(types))  # one per type, in the same type order
        _, _, score = type_f1_scorer(word_probs[held], words[held], gold[held], names)
        gains.append(score(offsets) - score(np.zeros(len(types))))
    return round(float(np.mean(gains)), 4)


def apply_class_bias(probs: np.ndarray, offsets: Sequence[float]) -> np.ndarray:
    """Probabilities with the offsets added in log space (rows renormalised)."""
    shifted = log_of(probs) + np.asarray(offsets, dtype=float)
    shifted -= shifted.max(axis=-1, keepdims=True)
    weights = np.exp(shifted)
    return weights / weights.sum(axis=-1, keepdims=True)
