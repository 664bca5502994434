"""The linear probe: out-of-sample class probabilities from a logistic regression per fold
on fixed features (sentence embeddings, word vectors)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression

from weakforge.labels import bio_tags, spans_to_tags
from weakforge.learners.folds import assign_folds, fold_splits
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
    sentence of each token) no group is split across folds; otherwise folds keep the class
    shares where they can."""
    probs = np.zeros((len(y), n_classes), dtype=np.float64)
    stratify = y if groups is None else None
    fold_of = assign_folds(len(y), folds, seed, groups=groups, classes=stratify)
    for train, held_out in fold_splits(fold_of):
        classes = np.unique(y[train])
        if len(classes) == 1:
            probs[np.ix_(held_out, classes)] = 1.0
            continue
        model = LogisticRegression(max_iter=500, C=1.0)
        model.fit(features[train], y[train])
        probs[np.ix_(held_out, model.classes_)] = model.predict_proba(features[held_out])
    return probs


def cross_val_token_probs(
    word_vectors: Sequence[np.ndarray],
    words: Sequence[Sequence[tuple[int, int]]],
    given: Sequence[Sequence[Span]],
    labels: Sequence[str],
    *,
    folds: int = 5,
    seed: int = 0,
) -> list[np.ndarray | None]:
    """Per sentence, its words' out-of-sample BIO tag probabilities (:func:`bio_tags`
    columns) from a logistic regression on the word vectors, folds by sentence; ``None`` for
    a sentence without words."""
    tags = bio_tags(labels)
    y_per_sentence = [spans_to_tags(g, w, tags) for g, w in zip(given, words)]
    keep = [i for i, w in enumerate(words) if len(w)]
    features = np.vstack([word_vectors[i] for i in keep])
    y = np.concatenate([y_per_sentence[i] for i in keep])
    groups = np.concatenate([np.full(len(words[i]), i) for i in keep])
    probs = cross_val_probs(features, y, len(tags), folds=folds, seed=seed, groups=groups)
    per_sentence: list[np.ndarray | None] = [None] * len(words)
    position = 0
    for i in keep:
        per_sentence[i] = probs[position : position + len(words[i])]
        position += len(words[i])
    return per_sentence
