"""Items as tensors: target distributions and the soft cross-entropy."""

import pytest
import torch

from weakforge.labels import bio_tags
from weakforge.records import Span
from weakforge.train.encoding import class_target, soft_cross_entropy, word_targets
from weakforge.train.items import TrainItem


def test_soft_cross_entropy_masks_and_weights():
    logits = torch.tensor([[2.0, 0.0], [0.0, 2.0]])
    soft = torch.tensor([[1.0, 0.0], [0.5, 0.5]])
    full = soft_cross_entropy(logits, soft, torch.ones(2))
    only_first = soft_cross_entropy(logits, soft, torch.tensor([1.0, 0.0]))
    assert only_first < full
    tokens = torch.zeros((1, 3, 2))
    tokens[0, 0] = torch.tensor([1.0, 0.0])  # positions 1-2: padding, all-zero targets
    assert soft_cross_entropy(torch.randn(1, 3, 2), tokens, torch.ones(1)) > 0


def test_word_targets_soft_and_hard():
    words = [(0, 6), (7, 13), (14, 17)]
    spans = (Span(0, 13, "PER", 0.8),)
    soft = word_targets(words, spans, bio_tags(["PER"]), soft=True)
    assert soft[0].tolist() == pytest.approx([0.2, 0.8, 0.0])
    assert soft[1].tolist() == pytest.approx([0.2, 0.0, 0.8])
    assert soft[2].tolist() == [1.0, 0.0, 0.0]
    hard = word_targets(words, spans, bio_tags(["PER"]), soft=False)
    assert hard[0].tolist() == [0.0, 1.0, 0.0]


def test_class_targets_are_the_soft_probabilities_or_one_hot():
    soft = TrainItem("x", "SPAM", probs={"SPAM": 0.6, "HAM": 0.2})
    assert class_target(soft, ["HAM", "SPAM"]).tolist() == pytest.approx([0.25, 0.75])
    assert class_target(TrainItem("x", "HAM"), ["HAM", "SPAM"]).tolist() == [1.0, 0.0]
