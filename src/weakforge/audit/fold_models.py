"""Out-of-sample probabilities from a model fine-tuned per fold (NER token classifier or
text classifier): the train stage's trainer (transformers + peft) on K-1 folds of the labels
under audit, predicting the held-out fold. Stronger than a linear probe on frozen vectors
and slower (a fine-tune per fold); on a GPU the trainer picks CUDA, bf16 and larger batches
itself. The folds' training items are built here from the labels under audit."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from weakforge.config import TrainSection
from weakforge.learners.folds import assign_folds
from weakforge.records import Example, Label
from weakforge.tokenize import example_bounds
from weakforge.train.items import TrainingSet, TrainItem

log = logging.getLogger(__name__)


def fold_models(
    examples: Sequence[Example],
    given: Sequence[Label],
    task: str,
    labels: Sequence[str],
    *,
    folds: int,
    seed: int,
    options: TrainSection,
) -> Iterator[tuple[list[int], Any]]:
    """Per fold: the indexes of the examples held out, and the model fine-tuned on the
    other folds' ``given`` labels (loaded; its files are gone after the next step)."""
    from weakforge.train.encoder import load_model, train

    items = [
        TrainItem(
            e.text,
            given[i],
            words=tuple(example_bounds(e, given[i] if isinstance(given[i], tuple) else ())),
            origin="gold",
        )
        for i, e in enumerate(examples)
    ]
    fold_of = assign_folds(len(examples), folds, seed)
    for fold in range(folds):
        seen = [
            item for i, item in enumerate(items) if fold_of[i] != fold and item.label is not None
        ]
        held = [i for i in range(len(examples)) if fold_of[i] == fold]
        log.info("fold %d/%d: fine-tuning on %d items", fold + 1, folds, len(seen))
        with tempfile.TemporaryDirectory() as tmp:
            train(TrainingSet(seen), task, labels, Path(tmp) / "model", options=options, seed=seed)
            yield held, load_model(Path(tmp) / "model")


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
    from weakforge.train.encoder import word_probabilities

    out: list[np.ndarray] = [np.zeros((0, 0))] * len(examples)
    spans = [g or () for g in given]
    for held, loaded in fold_models(
        examples, spans, "ner", labels, folds=folds, seed=seed, options=options
    ):
        for i, probs in zip(held, word_probabilities(loaded, [examples[i] for i in held])):
            out[i] = probs
    return out


def fold_class_probs(
    examples: Sequence[Example],
    given: Sequence[str],
    labels: Sequence[str],
    *,
    folds: int,
    seed: int,
    options: TrainSection,
) -> np.ndarray:
    """Per example (rows) the class probabilities (columns in ``labels`` order) from the
    text classifier fine-tuned on the other folds' labels."""
    from weakforge.train.encoder import predict

    out = np.zeros((len(examples), len(labels)))
    for held, loaded in fold_models(
        examples, given, "classification", labels, folds=folds, seed=seed, options=options
    ):
        for i, (_, probs) in zip(held, predict(loaded, [examples[i] for i in held])):
            out[i] = [probs.get(label, 0.0) for label in labels]
    return out
