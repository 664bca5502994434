"""The train stage's policy: which records train, with which label and weight, and which
gold records are dev. Gold overrides weak; low-confidence weak labels can be left out or
down-weighted; under ``uncovered = "drop"`` (classification) an item no rule voted on is
left out with its augmented copies (WRENCH's protocol). The trainers only see the
:class:`~weakforge.train.items.TrainingSet` this builds."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from weakforge.config import TrainSection
from weakforge.labels import given_label
from weakforge.records import Example, Label, is_model_source
from weakforge.tasks import task_kind
from weakforge.tokenize import example_bounds
from weakforge.train.items import TrainingSet, TrainItem

log = logging.getLogger(__name__)


def is_covered(example: Example) -> bool:
    """Whether a rule voted on the item, or a person labeled it (an item that carries no
    rule votes at all got its weak label elsewhere, and counts as covered). A model
    source's vote does not count: it votes on every item, from the rules' own labels."""
    votes = [v for name, v in example.votes.items() if not is_model_source(name)]
    return example.gold is not None or not votes or any(v is not None for v in votes)


def left_out_uncovered(examples: Sequence[Example], task: str, options: TrainSection) -> set[str]:
    """Ids of the train items no rule voted on, left out under ``uncovered = "drop"``
    (classification only: in NER an empty vote means "no entity")."""
    if options.uncovered != "drop" or not task_kind(task).drops_uncovered:
        return set()
    return {e.id for e in examples if e.split == "train" and not e.origin and not is_covered(e)}


def origin_of(example: Example) -> str:
    """Where the label came from: gold (a person or a gold corpus), weak or augmented."""
    if example.origin:
        return "augmented"
    return "gold" if example.gold is not None else "weak"


def item_of(example: Example, label: Label, weight: float, soft: bool) -> TrainItem:
    """A record as a training item: ``soft`` keeps the label model's probabilities (or the
    spans' confidences) as the target where the label is weak."""
    soft = soft and example.gold is None
    spans = label if isinstance(label, tuple) else ()
    return TrainItem(
        example.text,
        label,
        weight,
        probs=dict(example.probs) if soft and isinstance(label, str) else {},
        soft_spans=soft,
        words=tuple(example_bounds(example, spans)),
        origin=origin_of(example),
    )


def training_items(
    examples: Sequence[Example], task: str, options: TrainSection
) -> list[TrainItem]:
    """Train-split items with a label (gold overrides weak), filtered by confidence, each
    weighted by its confidence under ``confidence_weighting``."""
    uncovered = left_out_uncovered(examples, task, options)
    items = []
    for example in examples:
        label = given_label(example)
        if example.split != "train" or label is None:
            continue
        if (example.origin or example.id) in uncovered:
            continue
        confidence = 1.0
        if example.gold is None:
            if isinstance(label, str) and example.probs:
                confidence = max(example.probs.values())
            elif isinstance(label, tuple) and label:
                confidence = min(s.prob for s in label)
        if confidence < options.min_confidence:
            continue
        weight = confidence if options.confidence_weighting else 1.0
        items.append(item_of(example, label, weight, options.soft_labels))
    if uncovered:
        log.info("%d train items no rule voted on are left out of training", len(uncovered))
    return items


def dev_items(examples: Sequence[Example]) -> list[TrainItem]:
    """The dev records with gold, as hard-labeled items."""
    return [
        item_of(e, e.gold, 1.0, soft=False)
        for e in examples
        if e.split == "dev" and e.gold is not None
    ]


def training_set(examples: Sequence[Example], task: str, options: TrainSection) -> TrainingSet:
    """What the end model trains on (``train``) and is checked against (``dev``)."""
    return TrainingSet(training_items(examples, task, options), dev_items(examples))
