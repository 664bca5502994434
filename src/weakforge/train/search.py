"""Hyperparameter search on dev gold (``[train] search``): a small grid, one model per point.

Each combination of the listed values (learning rate, epochs, LoRA rank, ...) fine-tunes the
end model of the configured family and is scored on the dev gold (span F1 for NER,
macro-F1 otherwise); the best one is kept as the run's model and every trial is reported.
A grid keeps it predictable on a CPU: the number of trainings is the product of the list
lengths, which the log says before it starts.
"""

from __future__ import annotations

import itertools
import logging
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from weakforge.config import TrainSection
from weakforge.errors import ConfigError
from weakforge.evaluation import dev_score
from weakforge.records import Example
from weakforge.train.families import FAMILIES, load_end_model, predict_with
from weakforge.train.hf_trainer import TrainResult
from weakforge.train.items import TrainingSet

log = logging.getLogger(__name__)
SEARCHABLE = {
    "learning_rate": float,
    "epochs": float,
    "lora_r": int,
    "lora_alpha": int,
    "lora_dropout": float,
    "batch_size": int,
    "weight_decay": float,
}


def grid(search: Mapping[str, Sequence[float]]) -> list[dict[str, Any]]:
    """Every combination of the listed values, as settings for :class:`TrainSection`."""
    unknown = sorted(set(search) - set(SEARCHABLE))
    if unknown:
        raise ConfigError(
            f"[train] search: {unknown} cannot be searched; choose among {sorted(SEARCHABLE)}"
        )
    names = sorted(search)
    values = [[SEARCHABLE[n](v) for v in search[n]] for n in names]
    return [dict(zip(names, point)) for point in itertools.product(*values)]


def model_dev_score(
    model_dir: Path, examples: Sequence[Example], task: str, labels: Sequence[str]
) -> float:
    """The saved model's :func:`weakforge.evaluation.dev_score` on the dev gold."""
    dev = [e for e in examples if e.split == "dev" and e.gold is not None]
    predicted = predict_with(load_end_model(model_dir), dev)
    return dev_score(
        [replace(e, label=label) for e, (label, _) in zip(dev, predicted)], task, labels
    )


@dataclass
class Trial:
    settings: dict[str, Any]
    dev_score: float
    seconds: float


def search_and_train(
    training: TrainingSet,
    examples: Sequence[Example],
    task: str,
    labels: Sequence[str],
    out_dir: Path,
    *,
    options: TrainSection,
    seed: int = 0,
) -> tuple[TrainResult, list[Trial]]:
    """Train one model per grid point on ``training``, keep the best on the dev gold of
    ``examples`` in ``out_dir``."""
    if not any(e.split == "dev" and e.gold is not None for e in examples):
        raise ConfigError(
            "[train] search scores each setting on dev gold, and this run has none; "
            "give some records split = 'dev' with labels, or remove [train] search"
        )
    points = grid(options.search)
    log.info("hyperparameter search: %d settings on dev gold", len(points))
    family = FAMILIES[options.family]
    trials: list[Trial] = []
    best: tuple[float, TrainResult, Path] | None = None
    for number, settings in enumerate(points):
        folder = out_dir.parent / f".search-{out_dir.name}-{number}"
        shutil.rmtree(folder, ignore_errors=True)
        chosen = replace(options, **settings)
        result = family.train(training, task, labels, folder, options=chosen, seed=seed)
        score = model_dev_score(folder, examples, task, labels)
        trials.append(Trial(settings, round(score, 4), round(result.seconds, 1)))
        log.info("search %d/%d %s: dev %.4f", number + 1, len(points), settings, score)
        if best is None or score > best[0]:
            if best is not None:
                shutil.rmtree(best[2], ignore_errors=True)
            best = (score, result, folder)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    assert best is not None
    shutil.rmtree(out_dir, ignore_errors=True)
    best[2].rename(out_dir)
    return best[1], trials
