"""Choosing the aggregation method on dev gold (``[aggregate] method = "auto"``).

Which label model wins depends on the corpus: on some WRENCH sets a dev-weighted majority
vote beats skweak's generative models by points. With enough dev gold, ``auto`` runs the
candidates (majority vote, weighted majority vote, and the task's skweak model), each with 0
up to ``rounds`` model-source rounds, scores each on the dev gold (span F1 for NER,
macro-F1 for classification) and keeps the best, saying so in the report; a round that
does not raise a method's dev score is not kept, and its later rounds are not run (on
WRENCH semeval, where sentence embeddings cannot see the task, rounds lowered test
accuracy by 4 points and the dev gold said so). The best single source is a candidate too,
and so is every candidate without each broad source (one voting on nearly every text, such
as an LLM): a broad source is used only where the dev gold says it helps. Without dev
gold it takes the task's skweak model, and says that too.

The dev gold also sets the weighted candidates' source weights, so their dev scores are
optimistic; a held-out test split is the fair judge of the choice.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from weakforge.aggregate.methods import MAX_SKWEAK_LABELS, run_method
from weakforge.aggregate.model_sources import (
    RoundsOutcome,
    rounds_for,
    rounds_kept_on_dev,
)
from weakforge.config import AggregateSection
from weakforge.errors import AggregationError
from weakforge.evaluation import dev_score
from weakforge.records import Example
from weakforge.tasks import task_kind

log = logging.getLogger(__name__)
MIN_DEV = 20  # dev items with gold below which a score says too little to choose by


@dataclass(frozen=True)
class Choice:
    """The method used, why, and every candidate's dev score (empty when none ran)."""

    method: str
    why: str
    dev_scores: dict[str, float] = field(default_factory=dict)
    rounds: int = 0  # model-source rounds run


def candidates(
    task: str, options: AggregateSection, single: str | None = None, sources: Sequence[str] = ()
) -> dict[str, AggregateSection]:
    """What ``auto`` tries, by name; with ``single``, that source alone too (the others
    weighted 0), the baseline every aggregation must beat on dev to be worth it."""
    default = task_kind(task).default_method
    tried = {
        "majority vote": replace(options, method="majority"),
        "weighted majority vote": replace(options, method="weighted_majority"),
        default: replace(options, method=default),
    }
    if single is not None:
        alone = {name: 1.0 if name == single else 0.0 for name in sources}
        tried[f"best single source ({single})"] = replace(
            options, method="majority", weights_from_gold=False, weights=alone
        )
    return tried


SINGLE_SOURCE_MARGIN = 0.01  # dev score a lone source must gain over the aggregations
BROAD_COVERAGE = 0.9  # a source voting on this share of the texts or more is "broad"


def broad_sources(examples: Sequence[Example], sources: Sequence[str]) -> list[str]:
    """Sources that vote on nearly every text (an LLM, a pretrained model): they can
    outvote precise rules everywhere, so ``auto`` also tries the label model without each
    of them and keeps it only where the dev gold says it helps."""
    if len(sources) < 2 or not examples:
        return []
    covered = {name: 0 for name in sources}
    for example in examples:
        for name, vote in example.votes.items():
            if vote not in (None, ()):
                covered[name] += 1
    return [name for name in sources if covered[name] >= BROAD_COVERAGE * len(examples)]


def without_source(examples: Sequence[Example], name: str) -> list[Example]:
    return [replace(e, votes={k: v for k, v in e.votes.items() if k != name}) for e in examples]


def best_single_source(
    examples: Sequence[Example], task: str, labels: Sequence[str]
) -> tuple[str | None, list[str]]:
    """The source whose own votes score best on the dev gold (its abstentions count as no
    label), and every source's name; None where there are fewer than two sources."""
    sources = sorted({name for e in examples for name in e.votes})
    dev = [e for e in examples if e.split == "dev" and e.gold is not None]
    if len(sources) < 2 or not dev:
        return None, sources
    empty = () if task_kind(task).spans else None

    def alone(name: str) -> float:
        voted = [replace(e, label=e.votes.get(name) or empty) for e in dev]
        return dev_score(voted, task, labels)

    return max(sources, key=alone), sources


def aggregate_and_choose(
    examples: Sequence[Example],
    task: str,
    labels: Sequence[str],
    *,
    options: AggregateSection = AggregateSection(),
    seed: int = 0,
    features: np.ndarray | None = None,
    cache: Path | None = None,
) -> tuple[list[Example], Choice]:
    """Aggregated examples and the method that made them (chosen on dev for ``auto``), with
    the model-source rounds of :mod:`weakforge.aggregate.model_sources`. Classification's
    model source reads ``features`` (the texts' sentence embeddings): a caller without them
    gets plain aggregation, or an error where it asked for rounds. ``cache`` is a folder for
    the model sources' votes."""
    rounds = rounds_for(task, options.rounds)
    if task_kind(task).model_source_reads_embeddings and features is None:
        if options.rounds:
            raise AggregationError(
                f"[aggregate] rounds = {rounds} needs the texts' sentence embeddings (features=)"
            )
        rounds = 0  # the library API without embeddings gets plain aggregation

    def run_on_dev(
        chosen: AggregateSection, voted: Sequence[Example], scored: bool = True
    ) -> RoundsOutcome:
        """``chosen`` with its model-source rounds; ``scored``: each round's aggregate is
        scored on dev and a round that does not raise the score is not kept."""
        once = lambda votes: run_method(votes, task, labels, chosen, seed)  # noqa: E731
        return rounds_kept_on_dev(
            once,
            voted,
            task,
            labels,
            rounds,
            score=(lambda result: dev_score(result, task, labels)) if scored else None,
            features=features,
            seed=seed,
            cache=cache,
            span_model=options.span_model,
        )

    def run(chosen: AggregateSection) -> list[Example]:
        """``chosen`` with every model-source round (no dev choice)."""
        return run_on_dev(chosen, examples, scored=False).result

    if options.method != "auto":
        return run(options), Choice(options.method, "set in [aggregate] method", rounds=rounds)
    if len(labels) > MAX_SKWEAK_LABELS:  # skweak would take hours: auto is majority vote
        log.warning(
            "%d labels: auto uses the weighted majority vote (skweak's label models take "
            "hours above %d labels)",
            len(labels),
            MAX_SKWEAK_LABELS,
        )
        why = f"auto: {len(labels)} labels, over skweak's {MAX_SKWEAK_LABELS}"
        weighted = replace(options, method="weighted_majority")
        return run(weighted), Choice("weighted_majority", why, rounds=rounds)
    dev = sum(e.split == "dev" and e.gold is not None for e in examples)
    if dev < MIN_DEV:
        method = task_kind(task).default_method
        why = f"auto: {dev} dev items with gold (under {MIN_DEV}), so the {task} default"
        return run(replace(options, method=method)), Choice(method, why, rounds=rounds)
    best: tuple[float, str, int, list[Example]] | None = None
    scores: dict[str, float] = {}
    single, sources = best_single_source(examples, task, labels)
    tried_candidates = candidates(task, options, single, sources)
    source_sets = [("", "", list(examples))] + [
        (f", without {broad}", broad, without_source(examples, broad))
        for broad in broad_sources(examples, sources)
    ]
    for left_out, broad, voted in source_sets:
        for name, candidate in tried_candidates.items():
            if broad and name.startswith("best single source"):
                continue  # the same source alone either way
            if broad:  # a configured weight of the source left out goes with it
                kept = {k: v for k, v in candidate.weights.items() if k != broad}
                candidate = replace(candidate, weights=kept)
            outcome = run_on_dev(candidate, voted)
            for number, value in enumerate(outcome.dev_scores):
                ran = f", {number} round{'' if number == 1 else 's'}" if rounds else ""
                scores[f"{name}{ran}{left_out}"] = round(value, 4)
            value = round(outcome.dev_scores[outcome.kept], 4)
            # a single source replaces the aggregation only when clearly better on dev
            needed = SINGLE_SOURCE_MARGIN if name.startswith("best single source") else 0.0
            if best is None or value > best[0] + needed:
                best = (value, name + left_out, outcome.kept, outcome.result)
    assert best is not None
    log.info(
        "aggregation chosen on %d dev items: %s with %d model-source rounds (%s)",
        dev,
        best[1],
        best[2],
        scores,
    )
    tried = f" and 0 to {rounds} model-source rounds" if rounds else ""
    methods = len(tried_candidates)
    why = f"auto: best of {methods} methods{tried} on {dev} dev items with gold"
    return best[3], Choice(best[1], why, scores, best[2])


def aggregate(
    examples: Sequence[Example],
    task: str,
    labels: Sequence[str],
    *,
    options: AggregateSection = AggregateSection(),
    seed: int = 0,
) -> list[Example]:
    """New examples with ``label`` (and ``probs``) set from the votes; training items with a
    gold label keep the gold label as their label. ``options`` is the ``[aggregate]`` table
    (``method = "auto"`` is chosen on dev gold, see :func:`aggregate_and_choose`);
    ``seed`` fixes the fitting sample."""
    return aggregate_and_choose(examples, task, labels, options=options, seed=seed)[0]
