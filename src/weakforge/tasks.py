"""The task kinds, one object each: what its labels are, how it is scored, and the defaults
that differ between span labeling and text classification. Code asks the task's object
(:func:`task_kind`) instead of comparing the task's name; adding a kind is one entry in
:data:`TASKS` (and the stage code for its labels). The measurements behind each default are
in ``bench/RESULTS.md``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from weakforge.errors import ConfigError


@dataclass(frozen=True)
class TaskKind:
    """One task kind and its defaults."""

    name: str
    spans: bool
    """Labels are spans with character offsets (else one class name per text)."""
    headline: str
    """The key of the score a report leads with: span ``f1`` or ``accuracy``."""
    dev_metric: str
    """The score a choice on dev gold compares: span ``f1`` or ``macro_f1``."""
    counted: str
    """What a labeled item counts in reports: entities or texts."""
    rule_kind: str
    """The kind of labeling function that votes: ``span`` or ``doc`` rules."""
    default_method: str
    """The aggregation method ``[aggregate] method = "auto"`` falls back to."""
    default_rounds: int
    """Model-source rounds when ``[aggregate] rounds`` is unset (WRENCH, CoNLL benches)."""
    model_source_reads_embeddings: bool
    """Whether the model source learns from the texts' sentence embeddings."""
    case_features: bool
    """Whether ``[train] case_features = "auto"`` turns them on for an uncased encoder."""
    case_learning_rate_share: float
    """The share of the learning rate the case embedding rows learn at."""
    auto_class_bias: Literal["fit", "cross_checked"]
    """What ``[train] class_bias = "auto"`` does: ``fit`` offsets on dev gold, or fit them
    only where offsets fit on one half of dev gain on the other half (``cross_checked``:
    NER's type offsets gained +1.3, +1.0 and -1.1 span F1 in three CoNLL runs)."""
    drops_uncovered: bool
    """Whether ``[train] uncovered = "drop"`` applies (in NER an empty vote means "no
    entity", so every item is covered)."""
    learning_rate: float
    """``[train] learning_rate`` when unset."""
    epochs: float
    """``[train] epochs`` when unset, on a corpus large enough for :attr:`min_steps`."""
    min_steps: int
    """With ``[train] epochs`` unset, a small corpus trains more epochs, enough for this
    many optimiser steps (at most :attr:`max_epochs`)."""
    max_epochs: float
    augment_copies: int
    """``[augment] copies`` when unset (0: augmentation is opt-in)."""


TASKS: dict[str, TaskKind] = {
    "classification": TaskKind(
        name="classification",
        spans=False,
        headline="accuracy",
        dev_metric="macro_f1",
        counted="texts",
        rule_kind="doc",
        default_method="naive_bayes",
        default_rounds=2,
        model_source_reads_embeddings=True,
        case_features=False,
        case_learning_rate_share=0.1,
        auto_class_bias="fit",
        drops_uncovered=True,
        learning_rate=5e-4,
        epochs=3.0,
        min_steps=0,
        max_epochs=3.0,
        augment_copies=1,
    ),
    "ner": TaskKind(
        name="ner",
        spans=True,
        headline="f1",
        dev_metric="f1",
        counted="entities",
        rule_kind="span",
        default_method="hmm",
        default_rounds=0,
        model_source_reads_embeddings=False,
        case_features=True,
        case_learning_rate_share=1.0,
        auto_class_bias="cross_checked",
        drops_uncovered=False,
        learning_rate=2e-3,
        epochs=3.0,
        min_steps=600,
        max_epochs=10.0,
        augment_copies=0,
    ),
}
"""Every task kind by its ``[run] task`` name."""


def task_kind(name: str) -> TaskKind:
    """The task kind called ``name``, or an error listing the kinds."""
    found = TASKS.get(name)
    if found is None:
        raise ConfigError(f"[run] task = {name!r}: choose one of {list(TASKS)}")
    return found
