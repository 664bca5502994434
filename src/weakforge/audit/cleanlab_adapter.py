"""Finding likely label errors and outliers with cleanlab (the only module that imports it).

Every function returns results; none stores anything. cleanlab needs out-of-sample
predicted probabilities: here they come from K-fold cross-validation of a logistic regression
on sentence embeddings (classification) or on contextual word vectors (NER, per token, folds
by sentence), with class columns in the explicit order of ``labels``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold

from weakforge.labels import bio_tags, spans_to_tags, tags_to_spans
from weakforge.records import Span


def cross_val_probs(
    features: np.ndarray,
    y: np.ndarray,
    n_classes: int,
    *,
    folds: int = 5,
    seed: int = 0,
    groups: np.ndarray | None = None,
) -> np.ndarray:
    """Out-of-sample class probabilities, columns 0..n_classes-1. With ``groups`` (e.g. the
    sentence of each token) no group is split across folds."""
    probs = np.zeros((len(y), n_classes), dtype=np.float64)
    if groups is not None:
        unique = np.unique(groups)
        order = np.random.default_rng(seed).permutation(unique)
        fold_of = {g: i % folds for i, g in enumerate(order)}
        assignment = np.array([fold_of[g] for g in groups])
        splits = [
            (np.nonzero(assignment != f)[0], np.nonzero(assignment == f)[0]) for f in range(folds)
        ]
    else:
        counts = np.bincount(y, minlength=n_classes)
        stratify = counts[counts > 0].min() >= folds
        splitter = (
            StratifiedKFold(folds, shuffle=True, random_state=seed)
            if stratify
            else KFold(folds, shuffle=True, random_state=seed)
        )
        splits = list(splitter.split(features, y))
    for train, held_out in splits:
        classes = np.unique(y[train])
        if len(classes) == 1:
            probs[np.ix_(held_out, classes)] = 1.0
            continue
        model = LogisticRegression(max_iter=500, C=1.0)
        model.fit(features[train], y[train])
        probs[np.ix_(held_out, model.classes_)] = model.predict_proba(features[held_out])
    return probs


@dataclass(frozen=True)
class LabelIssues:
    """Per item: flagged?, label quality (low = likely wrong), suggested class index, and the
    classifier's margin between its two best classes (low = uncertain)."""

    is_issue: np.ndarray
    quality: np.ndarray
    suggested: np.ndarray
    margin: np.ndarray


def margins(probs: np.ndarray) -> np.ndarray:
    top = np.sort(probs, axis=1)
    return top[:, -1] - (top[:, -2] if probs.shape[1] > 1 else 0.0)


def classification_label_issues(y: np.ndarray, pred_probs: np.ndarray) -> LabelIssues:
    """cleanlab's ``find_label_issues`` and label quality scores for given labels ``y``."""
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    is_issue = find_label_issues(labels=y, pred_probs=pred_probs)
    quality = get_label_quality_scores(labels=y, pred_probs=pred_probs)
    return LabelIssues(is_issue, quality, pred_probs.argmax(axis=1), margins(pred_probs))


@dataclass(frozen=True)
class SentenceIssues:
    """NER issues: per sentence, flagged?, quality, the flagged words and the model's spans."""

    is_issue: np.ndarray
    quality: np.ndarray
    flagged_words: list[list[int]]
    suggested: list[tuple[Span, ...]]
    uncertainty: np.ndarray


def ner_label_issues(
    word_vectors: Sequence[np.ndarray],
    words: Sequence[Sequence[tuple[int, int]]],
    given: Sequence[Sequence[Span]],
    labels: Sequence[str],
    *,
    folds: int = 5,
    seed: int = 0,
) -> SentenceIssues:
    """Token-level out-of-sample probabilities aligned to the given BIO labels, then
    cleanlab's token-classification issues and sentence scores."""
    from cleanlab.token_classification.filter import find_label_issues
    from cleanlab.token_classification.rank import get_label_quality_scores

    tags = bio_tags(labels)
    y_per_sentence = [spans_to_tags(g, w, tags) for g, w in zip(given, words)]
    keep = [i for i, w in enumerate(words) if len(w)]
    features = np.vstack([word_vectors[i] for i in keep])
    y = np.concatenate([y_per_sentence[i] for i in keep])
    groups = np.concatenate([np.full(len(words[i]), i) for i in keep])
    probs = cross_val_probs(features, y, len(tags), folds=folds, seed=seed, groups=groups)
    probs = np.clip(probs, 1e-6, None)
    probs /= probs.sum(axis=1, keepdims=True)
    per_sentence, start = [], 0
    for i in keep:
        per_sentence.append(probs[start : start + len(words[i])])
        start += len(words[i])
    labels_kept = [y_per_sentence[i] for i in keep]
    flagged = find_label_issues(labels_kept, per_sentence)
    scores, _ = get_label_quality_scores(labels_kept, per_sentence)
    n = len(words)
    is_issue = np.zeros(n, dtype=bool)
    quality = np.ones(n)
    uncertainty = np.zeros(n)
    flagged_words: list[list[int]] = [[] for _ in range(n)]
    suggested: list[tuple[Span, ...]] = [() for _ in range(n)]
    for position, i in enumerate(keep):
        quality[i] = scores[position]
        uncertainty[i] = float(1 - margins(per_sentence[position]).min())
        predicted = [tags[t] for t in per_sentence[position].argmax(axis=1)]
        suggested[i] = tags_to_spans(predicted, words[i])
    for position, word in flagged:
        i = keep[position]
        is_issue[i] = True
        flagged_words[i].append(int(word))
    return SentenceIssues(is_issue, quality, flagged_words, suggested, uncertainty)


def outlier_scores(features: np.ndarray, knn_graph) -> np.ndarray:
    """cleanlab's outlier scores (low = atypical) from a prebuilt kNN graph of the features
    (building the graph with faiss keeps this linear; cleanlab's own kNN is quadratic)."""
    from cleanlab import Datalab

    lab = Datalab(data={"index": list(range(len(features)))}, verbosity=0)
    lab.find_issues(knn_graph=knn_graph, issue_types={"outlier": {}})
    return lab.get_issues("outlier")["outlier_score"].to_numpy()
