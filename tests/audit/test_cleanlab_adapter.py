import numpy as np

from weakforge.audit.cleanlab_adapter import (
    classification_label_issues,
    cross_val_probs,
    ner_label_issues,
    outlier_scores,
)
from weakforge.audit.neighbours import nearest_neighbours
from weakforge.records import Span


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


def test_ner_issues_point_at_the_wrong_tokens():
    rng = np.random.default_rng(1)
    words = [[(0, 5), (6, 9), (10, 16)]] * 60  # "Paris was sunny"
    vectors = []
    given = []
    for i in range(60):
        v = rng.normal(scale=0.1, size=(3, 8))
        v[0, 0] += 3.0  # the first word looks like a location
        vectors.append(v)
        given.append((Span(0, 5, "LOC"),) if i % 20 else (Span(6, 9, "LOC"),))
    issues = ner_label_issues(vectors, words, given, ["LOC"], folds=3)
    wrong = [i for i in range(60) if i % 20 == 0]
    assert all(issues.is_issue[i] for i in wrong)
    assert issues.quality[wrong].mean() < np.delete(issues.quality, wrong).mean()
    assert issues.suggested[0] == (Span(0, 5, "LOC"),)
    assert 0 in issues.flagged_words[0] or 1 in issues.flagged_words[0]


def test_outlier_scores_single_out_the_far_point():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(100, 8)).astype(np.float32)
    x[:, 0] += 5
    x[42] = -x[42]
    x /= np.linalg.norm(x, axis=1, keepdims=True)
    scores = outlier_scores(x, nearest_neighbours(x, k=5).graph())
    assert int(np.argmin(scores)) == 42
