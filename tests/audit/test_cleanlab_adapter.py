import numpy as np

from weakforge.audit.cleanlab_adapter import (
    classification_label_issues,
    outlier_scores,
    weak_label_issues,
)
from weakforge.learners.neighbours import nearest_neighbours
from weakforge.learners.probe import cross_val_probs


def test_flipped_labels_are_found_with_out_of_sample_probabilities():
    rng = np.random.default_rng(0)
    y_true = rng.integers(0, 2, 300)
    features = rng.normal(size=(300, 5)) + y_true[:, None] * 3.0
    y = y_true.copy()
    flipped = rng.choice(300, 15, replace=False)
    y[flipped] = 1 - y[flipped]
    probs = cross_val_probs(features, y, 2, folds=5)
    assert probs.shape == (300, 2) and np.allclose(probs.sum(axis=1), 1)
    issues = classification_label_issues(y, probs)
    found = set(np.nonzero(issues.is_issue)[0])
    assert len(found & set(flipped)) >= 13 and len(found - set(flipped)) <= 5
    assert set(issues.suggested[flipped]) == set(y_true[flipped])
    assert issues.quality[flipped].mean() < issues.quality.mean()


def test_weak_labels_are_ranked_by_the_classifier_and_the_label_model_together():
    """Items 0 and 1: the classifier is sure both labels are wrong, item 0 a little surer,
    but every source voted for item 0's label and item 1's vote was a tie. The tie ranks
    first; the queue is as long as cleanlab's estimate from the classifier."""
    from cleanlab.count import num_label_issues

    y = np.array([0, 0] + [0, 1] * 49)
    probs = np.where(np.eye(2)[y] == 1, 0.95, 0.05)
    probs[0], probs[1] = [0.02, 0.98], [0.03, 0.97]
    teacher = np.eye(2)[y] * 0.9 + 0.05
    teacher[0], teacher[1] = [1.0, 0.0], [0.5, 0.5]
    issues = weak_label_issues(y, probs, teacher)
    assert list(np.argsort(issues.quality)[:2]) == [1, 0]
    assert issues.is_issue.sum() == num_label_issues(labels=y, pred_probs=probs) == 2
    assert issues.is_issue[:2].all()
    assert list(np.argsort(classification_label_issues(y, probs).quality)[:2]) == [0, 1]


def test_outlier_scores_single_out_the_far_point():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(100, 8)).astype(np.float32)
    x[:, 0] += 5
    x[42] = -x[42]
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    scores = outlier_scores(x, nearest_neighbours(x, k=5).graph())
    assert int(np.argmin(scores)) == 42
