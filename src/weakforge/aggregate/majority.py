"""Majority vote for classification (no fitting; the baseline every generative model must
beat): ``majority`` counts each source alike (or by the ``[aggregate] weights`` given),
``weighted_majority`` weighs each by its accuracy on dev gold. NER's token-level majority
vote is skweak's, in the adapter, under the same two names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from weakforge.aggregate.methods import register_method
from weakforge.aggregate.priors import class_prior, initial_weights, with_class_probs
from weakforge.config import AggregateSection
from weakforge.records import Example


@register_method("majority", "classification")
def majority_vote(
    examples: Sequence[Example], labels: Sequence[str], options: AggregateSection, seed: int
) -> list[Example]:
    """Each item's votes counted alike, dev gold aside (ties to the higher prior)."""
    return counted_votes(examples, labels, replace(options, weights_from_gold=False))


@register_method("weighted_majority", "classification")
def weighted_majority_vote(
    examples: Sequence[Example], labels: Sequence[str], options: AggregateSection, seed: int
) -> list[Example]:
    """Each vote weighed by its source's accuracy on dev gold (ties to the higher prior)."""
    return counted_votes(examples, labels, replace(options, weights_from_gold=True))


def counted_votes(
    examples: Sequence[Example], labels: Sequence[str], options: AggregateSection
) -> list[Example]:
    """The vote with the source weights ``options`` gives (configured, or from dev gold)."""
    weights = initial_weights(examples, "classification", options)
    prior = class_prior(examples, labels)
    return majority_classification(examples, labels, prior, options.abstain, weights)


def majority_classification(
    examples: Sequence[Example],
    labels: Sequence[str],
    prior: np.ndarray,
    abstain: str,
    weights: dict[str, float] | None = None,
) -> list[Example]:
    """Weighted vote counts; ties go to the class with the higher prior; all-abstain items
    get the prior (``abstain="prior"``) or no label."""
    index = {x: i for i, x in enumerate(labels)}
    out = []
    for example in examples:
        counts = np.zeros(len(labels))
        for source, vote in example.votes.items():
            if isinstance(vote, str) and vote in index:
                counts[index[vote]] += (weights or {}).get(source, 1.0)
        if counts.sum() == 0:
            probs = prior if abstain == "prior" else None
        else:
            smoothed = counts + 1e-3 * prior  # breaks ties by prior, keeps vote shares
            probs = smoothed / smoothed.sum()
        out.append(with_class_probs(example, labels, probs))
    return out
