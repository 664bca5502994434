"""Model sources: cross-fitted self-training rounds (``[aggregate] rounds``).

After a round of aggregation, a fast model learns the weak labels of the train items that
some source voted on, and votes on every item as one more source (``model_r1``, ...); the
label model then weighs it like any other source. Items no rule covered get a vote too,
which is how a corpus whose rules are silent on most texts stops leaving them to the class
prior. The model's vote on a training item comes from a fold that did not see that item
(cross-fitting), so a source never just echoes the label it was taught.

``MODEL_SOURCES`` maps a task kind to its model: for classification logistic regression on
the run's cached sentence embeddings; for NER spaCy's own NER trained on the weak spans
(``[aggregate] span_model``: a pretrained encoder fine-tuned as a token classifier,
:mod:`weakforge.aggregate.encoder_span_model`, or spaCy's NER from scratch,
:mod:`weakforge.aggregate.span_model`). Votes are cached per content hash (the texts, the
labels taught, the settings), so a re-run with the same teacher skips the training.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from weakforge.aggregate.encoder_span_model import encoder_span_votes
from weakforge.aggregate.span_model import span_model_votes
from weakforge.atomic import atomic_file
from weakforge.errors import AggregationError
from weakforge.learners.folds import assign_folds, fold_splits
from weakforge.records import (
    Example,
    Label,
    label_from_json,
    label_to_json,
    source_name,
)
from weakforge.tasks import task_kind

log = logging.getLogger(__name__)
CACHE_VERSION = 3  # bump when a model source changes what it votes (3: balanced classes)
# (examples, labels, sentence embeddings, seed, [aggregate] span_model) -> one vote per example
ModelSource = Callable[
    [Sequence[Example], Sequence[str], "np.ndarray | None", int, str], list[Label]
]


def rounds_for(task: str, rounds: int | None) -> int:
    """The rounds to run: the task's default for ``None``."""
    return task_kind(task).default_rounds if rounds is None else max(rounds, 0)


def is_teachable(example: Example) -> bool:
    """A train item whose weak label some source voted for (not the prior alone)."""
    voted = any(v is not None and v != () for v in example.votes.values())
    return example.split == "train" and example.label is not None and voted


def source_classifier() -> LogisticRegression:
    """The classification model source's learner (see :func:`class_model_votes`)."""
    return LogisticRegression(max_iter=1000, class_weight="balanced")


def class_model_votes(
    examples: Sequence[Example],
    labels: Sequence[str],
    features: np.ndarray,
    *,
    folds: int = 5,
    seed: int = 0,
) -> list[str | None]:
    """One vote per item from logistic regression on ``features``, fitted on the
    teachable items' weak labels, out of fold for those items.

    Classes are weighed inversely to their share of the taught labels: rules tend to be
    precise but to miss much of a rare class, and a regularised fit on what they left leans
    to the common one, so an unweighted model would outvote the rules that found a rare-class
    item. On WRENCH (bench/aggregate_wrench.py), label model after 2 rounds, test: sms spam F1
    0.804 -> 0.886, trec accuracy 0.708 -> 0.788, youtube 0.920 -> 0.924."""
    index = {x: k for k, x in enumerate(labels)}
    taught = [i for i, e in enumerate(examples) if is_teachable(e) and e.label in index]
    y = np.array([index[examples[i].label] for i in taught])
    if len(taught) < 2 * folds or len(set(y.tolist())) < 2:
        log.warning("too few weakly labeled train items (%d) for a model source", len(taught))
        return [None] * len(examples)
    probs = np.zeros((len(examples), len(labels)))
    for fit, held_out in fold_splits(assign_folds(len(taught), folds, seed)):
        fitted, predicted = [taught[j] for j in fit], [taught[j] for j in held_out]
        if len(set(y[fit].tolist())) < 2:
            continue
        model = source_classifier().fit(features[fitted], y[fit])
        probs[np.ix_(predicted, model.classes_)] = model.predict_proba(features[predicted])
    rest = sorted(set(range(len(examples))) - set(taught))
    if rest:
        model = source_classifier().fit(features[taught], y)
        probs[np.ix_(rest, model.classes_)] = model.predict_proba(features[rest])
    return [labels[int(p.argmax())] if p.any() else None for p in probs]


def span_votes(
    examples: Sequence[Example],
    labels: Sequence[str],
    features: np.ndarray | None,
    seed: int,
    span_model: str = "encoder",
) -> list[Label]:
    """The NER model source (``[aggregate] span_model``) taught the weak spans of the train
    records (a record with no span teaches where names are not, so every one counts)."""
    taught = [i for i, e in enumerate(examples) if e.split == "train" and e.label is not None]
    if len(taught) < 10 or not any(examples[i].label for i in taught):
        log.warning(
            "too few weakly labeled train records (%d) for a span model source", len(taught)
        )
        return [None] * len(examples)
    kind, folder = parse_span_model(span_model)
    return SPAN_MODELS[kind].votes(examples, labels, taught, folder, seed)


@dataclass(frozen=True)
class SpanModel:
    """One ``[aggregate] span_model`` kind: its cross-fitted votes, and whether a model
    folder may follow its name (``encoder:FOLDER``)."""

    votes: Callable[[Sequence[Example], Sequence[str], Sequence[int], str, int], list[Label]]
    takes_folder: bool


SPAN_MODELS: dict[str, SpanModel] = {
    "encoder": SpanModel(
        lambda examples, labels, taught, folder, seed: encoder_span_votes(
            examples, labels, taught, base_model=folder, seed=seed
        ),
        takes_folder=True,
    ),
    "spacy": SpanModel(
        lambda examples, labels, taught, _folder, seed: span_model_votes(
            examples, labels, taught, seed=seed
        ),
        takes_folder=False,
    ),
}
"""The NER model sources by ``[aggregate] span_model`` kind; adding one is one entry."""


def parse_span_model(value: str) -> tuple[str, str]:
    """``"encoder:FOLDER"`` -> ``("encoder", "FOLDER")``, refusing an unknown kind (listing
    the valid ones) or a folder given to a kind that takes none."""
    kind, _, folder = value.partition(":")
    if kind not in SPAN_MODELS or (folder and not SPAN_MODELS[kind].takes_folder):
        choices = [f"{k}:FOLDER" if m.takes_folder else k for k, m in SPAN_MODELS.items()]
        raise AggregationError(
            f"[aggregate] span_model = {value!r}; choose from {list(SPAN_MODELS)} "
            f"(with a folder: {[c for c in choices if ':' in c]})"
        )
    return kind, folder


MODEL_SOURCES: dict[str, ModelSource] = {
    "classification": lambda examples, labels, features, seed, _: class_model_votes(
        examples, labels, features, seed=seed
    ),
    "ner": span_votes,
}


def content_key(
    task: str, examples: Sequence[Example], labels: Sequence[str], seed: int, model: str
) -> str:
    """What a model source's votes depend on: the texts, splits, taught labels and settings."""
    settings = [CACHE_VERSION, task, list(labels), seed, model if task_kind(task).spans else ""]
    digest = hashlib.sha256(json.dumps(settings).encode())
    for e in examples:
        taught = label_to_json(e.label) if e.split == "train" else None
        digest.update(json.dumps([e.id, e.text, e.split, taught]).encode())
    return digest.hexdigest()[:32]


def cached_model_votes(
    task: str,
    examples: Sequence[Example],
    labels: Sequence[str],
    features: np.ndarray | None,
    seed: int,
    cache: Path | None,
    span_model: str = "encoder",
) -> list[Label]:
    """The task's model-source votes, read from ``cache`` when the same teacher ran before."""
    key = content_key(task, examples, labels, seed, span_model)
    path = cache / f"{key}.json" if cache else None
    if path is not None and path.exists():
        cached = read_cached_votes(path, len(examples))
        if cached is not None:
            log.info("model source votes from the cache (%s)", path.name)
            return cached
    votes = MODEL_SOURCES[task](examples, labels, features, seed, span_model)
    if path is not None:
        with atomic_file(path) as handle:
            json.dump([label_to_json(v) for v in votes], handle)
    return votes


def read_cached_votes(path: Path, count: int) -> list[Label] | None:
    """A cache entry's votes, or None (it is then rebuilt) unless it is a list of exactly
    ``count`` readable votes: a short, torn or foreign entry must never cost records."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(raw, list) or len(raw) != count:
            raise ValueError(f"{len(raw) if isinstance(raw, list) else 'no'} votes for {count}")
        return [label_from_json(v) for v in raw]
    except (OSError, ValueError, TypeError, KeyError) as exc:  # JSONDecodeError is a ValueError
        log.warning("model-source cache %s is unusable (%s): computing the votes again", path, exc)
        return None


def as_sources(name: str, vote: Label, task: str, labels: Sequence[str]) -> dict[str, Label]:
    """A model's vote as sources: one for a class; for NER one per entity type
    (``model_r1_PER``, ...), so the label model can trust the model on the types it tags
    well and less on the others (its weights from gold are per source)."""
    if not task_kind(task).spans:
        return {name: vote}
    return {
        f"{name}_{label}": None if vote is None else tuple(s for s in vote if s.label == label)
        for label in labels
    }


@dataclass(frozen=True)
class RoundsOutcome:
    """The aggregate kept, how many model-source rounds made it, and the dev score after
    each round tried (index 0: no round; empty without a scorer)."""

    result: list[Example]
    kept: int
    dev_scores: list[float]


def rounds_kept_on_dev(
    aggregate_once: Callable[[Sequence[Example]], list[Example]],
    examples: Sequence[Example],
    task: str,
    labels: Sequence[str],
    rounds: int,
    *,
    score: Callable[[list[Example]], float] | None = None,
    features: np.ndarray | None = None,
    seed: int = 0,
    cache: Path | None = None,
    span_model: str = "encoder",
) -> RoundsOutcome:
    """Up to ``rounds`` model-source rounds; with ``score`` (the dev score of an aggregate),
    each round's aggregate is scored and the rounds stop at the first that does not raise
    it: the aggregate kept is the best-scoring one (a round that lowers the dev score is
    never kept). Without ``score`` every round is kept. The result's votes include the
    model sources of the rounds run."""
    voted = list(examples)
    result = aggregate_once(voted)
    scores = [score(result)] if score else []
    kept, best = 0, result
    for number in range(1, rounds + 1):
        votes = cached_model_votes(task, result, labels, features, seed + number, cache, span_model)
        name = source_name(number)
        voted = [
            replace(e, votes={**e.votes, **as_sources(name, v, task, labels)})
            for e, v in zip(voted, votes)
        ]
        result = aggregate_once(voted)
        log.info("model source %s: %d votes", name, sum(v is not None for v in votes))
        if score is None:
            kept, best = number, result
            continue
        scores.append(score(result))
        if scores[-1] <= max(scores[:-1]):
            log.info("model source round %d did not raise the dev score: stopped", number)
            break
        kept, best = number, result
    return RoundsOutcome(best, kept, scores)
