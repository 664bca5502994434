"""The ``encoder`` NER model source: a pretrained encoder fine-tuned as a token classifier on
the weak spans, one model per fold (the train stage's recipe, one epoch, hard labels).

A pretrained encoder knows words no rule or list names, so its errors differ from the
rules' more than a model learned from scratch does: on CoNLL dev it adds two points of F1
to the label model where spaCy's from-scratch NER adds none (bench/RESULTS.md).
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Sequence
from pathlib import Path

from weakforge.config import TrainSection
from weakforge.learners.folds import cross_fit_folds
from weakforge.records import Example, Span
from weakforge.tokenize import example_bounds
from weakforge.train.items import TrainingSet, TrainItem

log = logging.getLogger(__name__)


def encoder_span_votes(
    examples: Sequence[Example],
    labels: Sequence[str],
    taught: Sequence[int],
    *,
    base_model: str = "",
    folds: int = 3,
    seed: int = 0,
) -> list[tuple[Span, ...] | None]:
    """One span vote per record: out of fold for the ``taught`` records (indices); the
    other records are shared out among the fold models."""
    from weakforge.train.encoder import load_model, predict, train

    options = TrainSection(  # the settings its measurements (bench/RESULTS.md) were made with
        base_model=base_model, epochs=1.0, learning_rate=5e-4, soft_labels=False
    )
    votes: list[tuple[Span, ...] | None] = [None] * len(examples)
    for number, fold in enumerate(cross_fit_folds(len(examples), taught, folds, seed)):
        shown = TrainingSet([taught_item(examples[i]) for i in fold.shown])
        with tempfile.TemporaryDirectory() as folder:
            train(shown, "ner", labels, Path(folder), options=options, seed=seed + number)
            model = load_model(Path(folder))
            voting = [examples[i] for i in fold.voting]
            for i, (spans, _) in zip(fold.voting, predict(model, voting)):
                votes[i] = tuple(spans or ())
        log.info(
            "encoder span model fold %d of %d: taught %d records",
            number + 1,
            folds,
            len(shown.train),
        )
    return votes


def taught_item(example: Example) -> TrainItem:
    """A record's weak spans (or its gold) as a hard-labeled training item."""
    label = example.gold if example.gold is not None else example.label
    spans = label if isinstance(label, tuple) else ()
    return TrainItem(example.text, spans, words=tuple(example_bounds(example, spans)))
