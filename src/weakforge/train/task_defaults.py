"""The training settings a config leaves unset, filled in per task and corpus size: the
learning rate, and the epochs (a small NER corpus trains more of them, enough optimiser
steps for a tagger to learn; :class:`weakforge.tasks.TaskKind` holds the numbers). The log
says what was chosen."""

from __future__ import annotations

import logging
import math
from dataclasses import replace

from weakforge.config import TrainSection
from weakforge.tasks import task_kind

log = logging.getLogger(__name__)


def default_epochs(task: str, train_items: int, batch_size: int) -> float:
    """The task's epochs, raised on a small corpus to reach its minimum of optimiser steps."""
    kind = task_kind(task)
    steps_per_epoch = max(1, math.ceil(train_items / batch_size))
    needed = math.ceil(kind.min_steps / steps_per_epoch)
    return float(min(kind.max_epochs, max(kind.epochs, needed)))


def with_task_defaults(
    options: TrainSection, task: str, train_items: int, batch_size: int
) -> TrainSection:
    """``options`` with the learning rate and epochs it leaves unset filled in."""
    if options.learning_rate is not None and options.epochs is not None:
        return options
    filled = replace(
        options,
        learning_rate=options.learning_rate or task_kind(task).learning_rate,
        epochs=options.epochs or default_epochs(task, train_items, batch_size),
    )
    log.info(
        "training at learning rate %g for %g epochs (%s default for %d training items; "
        "[train] learning_rate and epochs set them)",
        filled.learning_rate,
        filled.epochs,
        task,
        train_items,
    )
    return filled
