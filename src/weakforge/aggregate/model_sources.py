"""Model sources: cross-fitted self-training rounds (``[aggregate] rounds``).

After a round of aggregation, a fast model learns the weak labels of the train items that
some source voted on, and votes on every item as one more source (``model_r1``, ...); the
label model then weighs it like any other source. Items no rule covered get a vote too,
which is how a corpus whose rules are silent on most texts stops leaving them to the class
prior. The model's vote on a training item comes from a fold that did not see that item
(cross-fitting), so a source never just echoes the label it was taught.

Classification: logistic regression on the run's cached sentence embeddings. NER model
sources are not built yet (an explicit ``rounds`` on an NER task is an error that says so).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold

from weakforge.errors import AggregationError
from weakforge.records import Example

log = logging.getLogger(__name__)
DEFAULT_ROUNDS = {"classification": 2, "ner": 0}  # chosen on the WRENCH benchmarks


def source_name(round_number: int) -> str:
    return f"model_r{round_number}"


def rounds_for(task: str, rounds: int | None) -> int:
    """The rounds to run: the task's default for ``None``; an error where none exist."""
    if rounds is None:
        return DEFAULT_ROUNDS[task]
    if rounds > 0 and task == "ner":
        raise AggregationError(
            f"[aggregate] rounds = {rounds}: model sources are built for classification only "
            "so far; leave rounds unset (or 0) for an NER task"
        )
    return max(rounds, 0)


def is_teachable(example: Example) -> bool:
    """A train item whose weak label some source voted for (not the prior alone)."""
    voted = any(v is not None for v in example.votes.values())
    return example.split == "train" and example.label is not None and voted


def model_votes(
    examples: Sequence[Example],
    labels: Sequence[str],
    features: np.ndarray,
    *,
    folds: int = 5,
    seed: int = 0,
) -> list[str | None]:
    """One vote per item from logistic regression on ``features``, fitted on the
    teachable items' weak labels, out of fold for those items."""
    index = {x: k for k, x in enumerate(labels)}
    taught = [i for i, e in enumerate(examples) if is_teachable(e) and e.label in index]
    y = np.array([index[examples[i].label] for i in taught])
    if len(taught) < 2 * folds or len(set(y.tolist())) < 2:
        log.warning("too few weakly labeled train items (%d) for a model source", len(taught))
        return [None] * len(examples)
    probs = np.zeros((len(examples), len(labels)))
    splitter = KFold(folds, shuffle=True, random_state=seed)
    for fit, held_out in splitter.split(taught):
        fitted, predicted = [taught[j] for j in fit], [taught[j] for j in held_out]
        if len(set(y[fit].tolist())) < 2:
            continue
        model = LogisticRegression(max_iter=1000).fit(features[fitted], y[fit])
        probs[np.ix_(predicted, model.classes_)] = model.predict_proba(features[predicted])
    rest = sorted(set(range(len(examples))) - set(taught))
    if rest:
        model = LogisticRegression(max_iter=1000).fit(features[taught], y)
        probs[np.ix_(rest, model.classes_)] = model.predict_proba(features[rest])
    return [labels[int(p.argmax())] if p.any() else None for p in probs]


def with_model_rounds(
    aggregate_once: Callable[[Sequence[Example]], list[Example]],
    examples: Sequence[Example],
    labels: Sequence[str],
    features: np.ndarray,
    rounds: int,
    seed: int = 0,
) -> list[Example]:
    """Aggregate, then ``rounds`` times add a model source taught by the last aggregate and
    aggregate again. The result's votes include the model sources."""
    voted = list(examples)
    result = aggregate_once(voted)
    for number in range(1, rounds + 1):
        votes = model_votes(result, labels, features, seed=seed + number)
        name = source_name(number)
        voted = [replace(e, votes={**e.votes, name: v}) for e, v in zip(voted, votes)]
        result = aggregate_once(voted)
        log.info("model source %s: %d votes", name, sum(v is not None for v in votes))
    return result
