import numpy as np

from weakforge.llm.calibration import calibrated, label_probabilities, votes


def test_contextual_calibration_divides_out_the_content_free_preference():
    """A model that says "spam" to everything (even to "N/A") is corrected: what counts is
    how much more it says spam for this text than for no text at all."""
    scores = np.log(np.array([[0.9, 0.1], [0.6, 0.4]]))  # SPAM, HAM
    content_free = np.log(np.array([[0.8, 0.2], [0.7, 0.3]]))  # prior: 0.75 / 0.25
    raw = label_probabilities(scores)
    fixed = calibrated(scores, content_free)
    assert votes(raw, ["SPAM", "HAM"], 0.0) == ["SPAM", "SPAM"]
    assert votes(fixed, ["SPAM", "HAM"], 0.0) == ["SPAM", "HAM"]  # 0.6/0.75 < 0.4/0.25
    assert np.allclose(fixed.sum(axis=1), 1.0)
    assert np.allclose(calibrated(scores, None), raw)


def test_a_lead_below_the_margin_abstains_and_no_answer_abstains():
    probs = np.array([[0.55, 0.45], [0.9, 0.1], [np.nan, np.nan]])
    assert votes(probs, ["A", "B"], 0.2) == [None, "A", None]
    assert votes(probs, ["A", "B"], 0.0) == ["A", "A", None]
