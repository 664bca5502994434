"""What gold labels (dev and reviewed; never test) tell the label models before they
fit: the class prior and each source's initial weight from its accuracy on gold."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from weakforge.config import AggregateSection
from weakforge.errors import AggregationError
from weakforge.records import Example, tuning_gold
from weakforge.tasks import task_kind


def sources_of(examples: Sequence[Example]) -> list[str]:
    return sorted({s for e in examples for s in e.votes})


def class_prior(examples: Sequence[Example], labels: Sequence[str]) -> np.ndarray:
    """Class balance from gold labels where there are some, else from the votes (add-one)."""
    counts = Counter(e.gold for e in tuning_gold(examples) if isinstance(e.gold, str))
    if sum(counts.values()) < len(labels):
        counts = Counter(v for e in examples for v in e.votes.values() if isinstance(v, str))
    prior = np.array([counts.get(x, 0) + 1.0 for x in labels])
    return prior / prior.sum()


def source_accuracy(examples: Sequence[Example]) -> dict[str, tuple[float, int]]:
    """Per source: (accuracy, n) on items that have a gold class and a vote."""
    hits: Counter = Counter()
    seen: Counter = Counter()
    for example in tuning_gold(examples):
        for source, vote in example.votes.items():
            if vote is not None:
                seen[source] += 1
                hits[source] += vote == example.gold
    return {s: ((hits[s] + 1) / (seen[s] + 2), seen[s]) for s in seen}


def gold_weights(
    examples: Sequence[Example], sources: Sequence[str], min_votes: int = 5
) -> dict[str, float]:
    """Initial source weights from accuracy on gold: 1 for a typical source, near 0 for one
    no better than chance, up to 2 for a very reliable one."""
    accuracy = source_accuracy(examples)
    weights = {}
    for source in sources:
        acc, n = accuracy.get(source, (None, 0))
        if acc is not None and n >= min_votes:
            weights[source] = float(np.clip(2 * (acc - 0.5) / 0.4, 0.05, 2.0))
    return weights


def span_gold_weights(
    examples: Sequence[Example],
    sources: Sequence[str],
    min_spans: int = 5,
    label_groups: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, float]:
    """Initial weights from each source's span precision on gold items. A span of a group
    label ("ENT" for any of PER/ORG/LOC/MISC) is right when a gold span of one of the
    group's labels has its boundaries."""
    groups = {name: set(members) for name, members in (label_groups or {}).items()}
    hits: Counter = Counter()
    seen: Counter = Counter()
    for example in tuning_gold(examples):
        gold = set(example.gold) if isinstance(example.gold, tuple) else set()
        bounds = {(g.start, g.end, g.label) for g in gold}
        for source, vote in example.votes.items():
            for span in vote if isinstance(vote, tuple) else ():
                seen[source] += 1
                if span.label in groups:
                    hits[source] += any(
                        (span.start, span.end, member) in bounds for member in groups[span.label]
                    )
                else:
                    hits[source] += span in gold
    weights = {}
    for source in sources:
        if seen[source] >= min_spans:
            precision = (hits[source] + 1) / (seen[source] + 2)
            weights[source] = float(np.clip(precision / 0.7, 0.05, 2.0))
    return weights


def initial_weights(
    examples: Sequence[Example], task: str, options: AggregateSection
) -> dict[str, float]:
    """Configured weights, overridden by gold-based ones (``weights_from_gold``). A
    configured weight naming no source is an error (a typo would be ignored)."""
    sources = sources_of(examples)
    stray = sorted(set(options.weights) - set(sources))
    if stray:
        raise AggregationError(
            f"[aggregate] weights names {stray}, which no source is called; sources: "
            f"{sorted(sources)}"
        )
    if not options.weights_from_gold:
        return dict(options.weights)
    found = (
        span_gold_weights(examples, sources, label_groups=options.label_groups)
        if task_kind(task).spans
        else gold_weights(examples, sources)
    )
    return {**options.weights, **found}


def with_class_probs(example: Example, labels: Sequence[str], probs: np.ndarray | None) -> Example:
    if probs is None:
        return replace(example, label=None, probs={})
    return replace(
        example,
        label=labels[int(np.argmax(probs))],
        probs={x: round(float(p), 6) for x, p in zip(labels, probs)},
    )
