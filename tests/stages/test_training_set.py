"""The train stage's policy: which records train, with which label, weight and target."""

import pytest

from weakforge.config import TrainSection
from weakforge.records import Example, Span
from weakforge.stages.training_set import training_items, training_set
from weakforge.testing import spam_ham


def test_training_items_gold_overrides_and_confidence_filter():
    items = spam_ham(2) + [
        Example(id="r", text="x", label="SPAM", gold="HAM"),
        Example(id="d", text="y", gold="HAM", split="dev"),
        Example(id="u", text="z"),
    ]
    chosen = training_items(items, "classification", TrainSection(min_confidence=0.85))
    texts = {e.text: e.id for e in items}
    assert [(texts[x.text], x.label) for x in chosen] == [
        ("h0", "HAM"),
        ("h1", "HAM"),
        ("r", "HAM"),
    ]


def test_items_no_source_voted_on_are_left_out_of_training_with_their_copies():
    examples = [
        Example(id="v", text="voted", votes={"kw": "SPAM"}, label="SPAM", probs={"SPAM": 0.9}),
        Example(id="u", text="prior only", votes={"kw": None}, label="HAM", probs={"HAM": 0.6}),
        Example(id="u~aug0", text="prior copy", label="HAM", origin="u"),
        Example(id="g", text="reviewed", votes={"kw": None}, gold="HAM", label="HAM"),
    ]
    kept = [x.text for x in training_items(examples, "classification", TrainSection())]
    assert kept == ["voted", "reviewed"]
    every = training_items(examples, "classification", TrainSection(uncovered="prior"))
    assert [x.text for x in every] == ["voted", "prior only", "prior copy", "reviewed"]


def test_a_model_sources_vote_does_not_make_an_item_covered():
    """Model sources vote on every item (from the rules' own labels): coverage is the
    rules' (WRENCH's protocol), so an item only the model voted on is left out."""
    examples = [
        Example(id="r", text="a rule", votes={"kw": "SPAM", "model_r1": "SPAM"}, label="SPAM"),
        Example(id="m", text="model only", votes={"kw": None, "model_r2": "SPAM"}, label="SPAM"),
    ]
    kept = [x.text for x in training_items(examples, "classification", TrainSection())]
    assert kept == ["a rule"]


def test_weak_labels_train_soft_and_gold_hard_with_words_on_the_span_edges():
    weak = Example(id="w", text="Anna left", label=(Span(0, 4, "PER", 0.7),))
    gold = Example(id="g", text="Bob stayed", gold=(Span(0, 3, "PER"),), split="dev")
    cls = Example(id="c", text="buy now", label="SPAM", probs={"SPAM": 0.8, "HAM": 0.2})
    ner = training_set([weak, gold], "ner", TrainSection())
    (item,) = ner.train
    assert item.soft_spans and item.words == ((0, 4), (5, 9)) and item.origin == "weak"
    (dev,) = ner.dev
    assert not dev.soft_spans and dev.label == (Span(0, 3, "PER"),) and dev.origin == "gold"
    (soft,) = training_set([cls], "classification", TrainSection()).train
    assert soft.probs == {"SPAM": 0.8, "HAM": 0.2}
    (hard,) = training_set([cls], "classification", TrainSection(soft_labels=False)).train
    assert hard.probs == {} and hard.weight == 1.0
    (weighted,) = training_items([cls], "classification", TrainSection(confidence_weighting=True))
    assert weighted.weight == pytest.approx(0.8)
