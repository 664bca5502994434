import numpy as np

from weakforge.audit.word_features import WIDTH, word_features


def test_capitals_figures_and_neighbours_are_visible():
    text = "Nick Price ( Zimbabwe ) 68"
    words = [(0, 4), (5, 10), (11, 12), (13, 21), (22, 23), (24, 26)]
    features = word_features(text, words)
    assert features.shape == (6, WIDTH)
    first_upper, all_caps, lower, has_digit, is_number, punct = range(6)
    assert features[0, first_upper] == 1 and features[0, -1] == 1  # starts the sentence
    assert features[5, is_number] == 1 and features[5, first_upper] == 0
    assert features[2, punct] == 1
    assert np.array_equal(features[1, 8:16], features[0, :8])  # previous word's shape
    assert word_features("", []).shape == (0, WIDTH)
