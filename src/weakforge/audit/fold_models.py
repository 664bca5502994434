"""Out-of-sample NER probabilities from a token classifier fine-tuned per fold: the train
stage's trainer (transformers + peft) on K-1 folds of the labels under audit, predicting the
held-out fold. Stronger than a linear probe on frozen vectors and slower (a fine-tune per
fold); on a GPU the trainer picks CUDA, bf16 and larger batches itself."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from weakforge.config import TrainSection
from weakforge.records import Example, Label

log = logging.getLogger(__name__)


def assign_folds(count: int, folds: int, seed: int) -> np.ndarray:
    """Each item's fold, 0..folds-1, in a seeded random order of near-equal parts."""
    order = np.random.default_rng(seed).permutation(count)
    fold_of = np.empty(count, dtype=int)
    fold_of[order] = np.arange(count) % folds
    return fold_of


def fold_token_probs(
    examples: Sequence[Example],
    given: Sequence[Label],
    labels: Sequence[str],
    *,
    folds: int,
    seed: int,
    options: TrainSection,
) -> list[np.ndarray]:
    """Per example, its words' BIO tag probabilities from the model that did not see it."""
    from weakforge.train.transformers_adapter import load_model, train, word_probabilities

    fold_of = assign_folds(len(examples), folds, seed)
    out: list[np.ndarray] = [np.zeros((0, 0))] * len(examples)
    for fold in range(folds):
        seen = [
            replace(e, split="train", gold=given[i] or (), label=None, votes={}, probs={})
            for i, e in enumerate(examples)
            if fold_of[i] != fold
        ]
        held = [i for i in range(len(examples)) if fold_of[i] == fold]
        log.info("fold %d/%d: fine-tuning on %d items", fold + 1, folds, len(seen))
        with tempfile.TemporaryDirectory() as tmp:
            train(seen, "ner", labels, Path(tmp) / "model", options=options, seed=seed)
            loaded = load_model(Path(tmp) / "model")
            for i, probs in zip(held, word_probabilities(loaded, [examples[i] for i in held])):
                out[i] = probs
    return out
