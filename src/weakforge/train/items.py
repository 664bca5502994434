"""What a trainer learns from: texts with their targets and weights, never records.

The train stage decides which records train and with which label
(:mod:`weakforge.stages.training_set`); the audit's fold models and the aggregate's span
model build their items directly. Both families' trainers take a :class:`TrainingSet`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from weakforge.errors import WeakforgeError
from weakforge.records import Label

ORIGINS = ("gold", "weak", "augmented")
"""Where an item's label came from: a person (or a gold corpus), the label model, or an
augmented copy of a weakly or gold-labeled item."""


@dataclass(frozen=True)
class TrainItem:
    """One text and its target: a class name, or spans (character offsets) on ``words``.

    ``probs`` (classification) is a soft target, the label model's class probabilities;
    empty means one-hot on ``label``. ``soft_spans`` (NER) puts each span's confidence on
    its tags and the rest on "O", instead of 1. ``weight`` scales the item's loss."""

    text: str
    label: Label
    weight: float = 1.0
    probs: Mapping[str, float] = field(default_factory=dict)
    soft_spans: bool = False
    words: tuple[tuple[int, int], ...] = ()
    origin: str = "weak"


@dataclass(frozen=True)
class TrainingSet:
    """The items to learn (``train``) and the gold items that pick the best epoch, stop
    early and fit the class offsets (``dev``; may be empty)."""

    train: list[TrainItem]
    dev: list[TrainItem] = field(default_factory=list)

    def required(self) -> TrainingSet:
        """This set, or an error saying why there is nothing to train on."""
        if not self.train:
            raise WeakforgeError(
                "no training items: the train split has no weak or gold labels "
                "(run the aggregate stage, or lower [train] min_confidence)"
            )
        return self
