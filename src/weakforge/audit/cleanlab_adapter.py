"""cleanlab's calls, and only those (the only module that imports cleanlab): label issues
and quality of classes, of entity-level items, and outlier scores.

Every function returns results; none stores anything. cleanlab judges labels by
out-of-sample predicted probabilities, which the callers bring (the linear probe in
:mod:`weakforge.learners.probe`, fold models, the NER entity judging in
:mod:`weakforge.audit.entity_issues`), class columns in the explicit order of the labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ClassIssues:
    """Per item: flagged?, label quality (low = likely wrong), suggested class index, and the
    classifier's margin between its two best classes (low = uncertain)."""

    is_issue: np.ndarray
    quality: np.ndarray
    suggested: np.ndarray
    margin: np.ndarray


def margins(probs: np.ndarray) -> np.ndarray:
    top = np.sort(probs, axis=1)
    return top[:, -1] - (top[:, -2] if probs.shape[1] > 1 else 0.0)


def classification_label_issues(y: np.ndarray, pred_probs: np.ndarray) -> ClassIssues:
    """cleanlab's ``find_label_issues`` and label quality scores for given labels ``y``."""
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    is_issue = find_label_issues(labels=y, pred_probs=pred_probs)
    quality = get_label_quality_scores(labels=y, pred_probs=pred_probs)
    return ClassIssues(is_issue, quality, pred_probs.argmax(axis=1), margins(pred_probs))


def weak_label_issues(y: np.ndarray, pred_probs: np.ndarray, teacher: np.ndarray) -> ClassIssues:
    """Label issues of weak labels ``y``, judged by two opinions: the out-of-sample
    classifier's ``pred_probs`` and the label model's own ``teacher`` probabilities (a thin
    or tied vote, or no vote at all, is a weak label's most telling sign). Items are ranked
    by cleanlab's label quality under the mean of both; the queue holds as many as cleanlab
    estimates are wrong (from the classifier alone: the label model always agrees with its
    own label), the lowest quality first."""
    from cleanlab.count import num_label_issues
    from cleanlab.rank import get_label_quality_scores

    ensemble = (pred_probs + teacher) / 2
    quality = get_label_quality_scores(labels=y, pred_probs=ensemble)
    wrong = num_label_issues(labels=y, pred_probs=pred_probs)
    is_issue = np.zeros(len(y), dtype=bool)
    is_issue[np.argsort(quality, kind="stable")[:wrong]] = True
    return ClassIssues(is_issue, quality, pred_probs.argmax(axis=1), margins(pred_probs))


def entity_label_issues(y: np.ndarray, pred_probs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """cleanlab's label quality of each entity-level item, and whether confident learning
    finds its label wrong (nothing is found where every item has the same class)."""
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    quality = get_label_quality_scores(y, pred_probs)
    found = (
        find_label_issues(y, pred_probs) if len(np.unique(y)) > 1 else np.zeros(len(y), dtype=bool)
    )
    return quality, found


def outlier_scores(features: np.ndarray, knn_graph) -> np.ndarray:
    """cleanlab's outlier scores (low = atypical) from a prebuilt kNN graph of the features
    (building the graph with faiss keeps this linear; cleanlab's own kNN is quadratic)."""
    from cleanlab import Datalab

    lab = Datalab(data={"index": list(range(len(features)))}, verbosity=0)
    lab.find_issues(knn_graph=knn_graph, issue_types={"outlier": {}})
    return lab.get_issues("outlier")["outlier_score"].to_numpy()
