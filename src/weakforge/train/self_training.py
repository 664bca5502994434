"""Self-training of the end model (``[train] self_training``): the trained model relabels
the weakly labeled training items with its own predictions, and a fresh model trains on
them, once per round.

Why it helps: an end model generalises past its teacher's systematic slips (on WRENCH test
it beats the label model by 4 to 6 points), so its reading of the training items is, on
the whole, the better label. Gold and reviewed labels are never replaced, items left out of
training stay left out, and each round starts from the base model, so a round cannot
compound one model's overfitting of its own outputs. It does not always help (on WRENCH
trec one round cost points), so where there is dev gold each round is checked on it: a round
whose model scores lower there (span F1, or macro-F1) than the one before is undone.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from weakforge.config import TrainSection
from weakforge.records import Example, Label
from weakforge.train.families import load_end_model, predict_with
from weakforge.train.hf_trainer import TrainResult
from weakforge.train.search import model_dev_score

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
    examples: Sequence[Example], left_out: Collection[str], predict: Callable
) -> Relabeled:
    """Replace the weak label (and its probabilities) of every train item without gold that
    would be trained on (not ``left_out``, nor a copy of one) by ``predict``'s answer; an
    item it cannot answer for keeps its label."""
    chosen = [
        i
        for i, e in enumerate(examples)
        if e.split == "train" and e.gold is None and (e.origin or e.id) not in left_out
    ]
    answers: list[tuple[Label, dict[str, float]]] = predict([examples[i] for i in chosen])
    relabeled, changed = list(examples), 0
    for i, (label, probs) in zip(chosen, answers):
        if label is None:
            continue
        changed += not same_label(label, examples[i].label)
        relabeled[i] = replace(examples[i], label=label, probs=dict(probs))
    return Relabeled(relabeled, changed)


@dataclass
class SelfTraining:
    """What :func:`self_train` did: the kept model's result (its seconds are every round's),
    the weak labels each round changed, the dev score after each round (round 0 first; none
    without dev gold) and how many rounds were kept."""

    result: TrainResult
    changed: list[int]
    dev_scores: list[float]
    kept: int


def self_train(
    train_once: Callable[[list[Example]], TrainResult],
    examples: Sequence[Example],
    task: str,
    labels: Sequence[str],
    out_dir: Path,
    options: TrainSection,
    left_out: Collection[str] = (),
) -> SelfTraining:
    """Train with ``train_once`` (which saves into ``out_dir``), then up to ``options.
    self_training`` times relabel with the saved model and train afresh. With dev gold, a
    round whose model scores lower on it than the model before is undone (that model is put
    back in ``out_dir``) and the rounds stop there; without dev gold every round is kept.
    Items ``left_out`` of training (ids) keep their labels."""
    current = list(examples)
    result = train_once(current)
    seconds, changes, kept = result.seconds, [], 0
    checked = options.self_training > 0 and any(
        e.split == "dev" and e.gold is not None for e in examples
    )
    if options.self_training and not checked:
        log.warning("self-training: no dev gold, so no round can be checked; every round is kept")
    scores = [model_dev_score(out_dir, examples, task, labels)] if checked else []
    previous = out_dir.parent / f".self-training-{out_dir.name}"
    for round_number in range(1, options.self_training + 1):
        model = load_end_model(out_dir)
        relabeled = relabel_with(current, left_out, partial(predict_with, model))
        changes.append(relabeled.changed)
        log.info(
            "self-training round %d: the end model changed %d weak labels; training again",
            round_number,
            relabeled.changed,
        )
        shutil.rmtree(previous, ignore_errors=True)
        out_dir.rename(previous)
        candidate = train_once(relabeled.examples)
        seconds += candidate.seconds
        if checked:
            scores.append(model_dev_score(out_dir, examples, task, labels))
            if scores[-1] < scores[-2]:
                log.warning(
                    "self-training round %d lowered the dev score (%.4f -> %.4f): undone, "
                    "the model of round %d is kept",
                    round_number,
                    scores[-2],
                    scores[-1],
                    kept,
                )
                shutil.rmtree(out_dir)
                previous.rename(out_dir)
                break
        shutil.rmtree(previous)
        current, result, kept = relabeled.examples, candidate, round_number
    result.seconds = seconds
    return SelfTraining(result, changes, [round(s, 4) for s in scores], kept)
