"""Self-training of the end model (``[train] self_training``): the trained model relabels
the weakly labeled training items with its own predictions, and a fresh model trains on
them, once per round.

Why it helps: an end model generalises past its teacher's systematic slips (on WRENCH test
it beats the label model by 4 to 6 points), so its reading of the training items is, on
the whole, the better label. Gold and reviewed labels are never replaced, items left out of
training stay left out, and each round starts from the base model, so a round cannot
compound one model's overfitting of its own outputs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from weakforge.config import TrainSection
from weakforge.records import Example, Label
from weakforge.train.families import load_end_model, predict_with
from weakforge.train.transformers_adapter import TrainResult, left_out_uncovered

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Relabeled:
    """The training set with the model's labels, and how many weak labels changed."""

    examples: list[Example]
    changed: int


def same_label(a: Label, b: Label) -> bool:
    """Whether two labels agree: the class, or the set of spans (offsets and types; a
    span's confidence takes no part in its equality)."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return set(a) == set(b)
    return a == b


def relabel_with(
    examples: Sequence[Example], task: str, options: TrainSection, predict: Callable
) -> Relabeled:
    """Replace the weak label (and its probabilities) of every train item without gold that
    would be trained on by ``predict``'s answer; an item it cannot answer for keeps its
    label."""
    uncovered = left_out_uncovered(examples, task, options)
    chosen = [
        i
        for i, e in enumerate(examples)
        if e.split == "train" and e.gold is None and (e.origin or e.id) not in uncovered
    ]
    answers: list[tuple[Label, dict[str, float]]] = predict([examples[i] for i in chosen])
    relabeled, changed = list(examples), 0
    for i, (label, probs) in zip(chosen, answers):
        if label is None:
            continue
        changed += not same_label(label, examples[i].label)
        relabeled[i] = replace(examples[i], label=label, probs=dict(probs))
    return Relabeled(relabeled, changed)


def self_train(
    train_once: Callable[[list[Example]], TrainResult],
    examples: Sequence[Example],
    task: str,
    out_dir: Path,
    options: TrainSection,
) -> tuple[TrainResult, list[int]]:
    """Train with ``train_once`` (which saves into ``out_dir``), then ``options.
    self_training`` times relabel with the saved model and train afresh. Returns the last
    round's result (its seconds are every round's) and the labels changed per round."""
    current = list(examples)
    result = train_once(current)
    seconds, changes = result.seconds, []
    for round_number in range(1, options.self_training + 1):
        model = load_end_model(out_dir)
        relabeled = relabel_with(current, task, options, partial(predict_with, model))
        current = relabeled.examples
        changes.append(relabeled.changed)
        log.info(
            "self-training round %d: the end model changed %d weak labels; training again",
            round_number,
            relabeled.changed,
        )
        result = train_once(current)
        seconds += result.seconds
    result.seconds = seconds
    return result, changes
