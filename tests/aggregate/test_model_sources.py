"""Model-source rounds: a model taught by the weak labels votes on what no rule covered."""

import numpy as np
import pytest

from weakforge.aggregate.model_sources import class_model_votes
from weakforge.aggregate.selection import aggregate_and_choose
from weakforge.config import AggregateSection
from weakforge.errors import AggregationError
from weakforge.records import Example, Span


def corpus():
    """SPAM texts sit near +x, HAM texts near -x in feature space; the keyword rule covers
    every labeled text but 'quiet', a SPAM-like text no rule voted on."""
    rng = np.random.default_rng(0)
    examples, features = [], []
    for i in range(40):
        spam = i % 2 == 0
        examples.append(Example(id=f"t{i}", text=f"t{i}", votes={"kw": "SPAM" if spam else "HAM"}))
        features.append([3.0 if spam else -3.0, *rng.normal(size=3)])
    examples.append(Example(id="quiet", text="quiet", votes={"kw": None}))
    features.append([3.0, *rng.normal(size=3)])
    # the prior leans HAM, so without a model source the uncovered item would be HAM
    examples += [Example(id=f"h{i}", text=f"h{i}", votes={"kw": "HAM"}) for i in range(10)]
    features += [[-3.0, *rng.normal(size=3)] for _ in range(10)]
    return examples, np.array(features)


def test_a_model_source_labels_an_item_no_rule_covered():
    examples, features = corpus()
    options = AggregateSection(method="majority", weights_from_gold=False)
    plain, _ = aggregate_and_choose(
        examples,
        "classification",
        ["HAM", "SPAM"],
        options=AggregateSection(method="majority", weights_from_gold=False, rounds=0),
        features=features,
    )
    assert plain[40].label == "HAM"  # the class prior
    rounds, choice = aggregate_and_choose(
        examples, "classification", ["HAM", "SPAM"], options=options, features=features
    )
    assert choice.rounds == 2 and rounds[40].label == "SPAM"
    assert rounds[40].votes["model_r1"] == "SPAM" and "model_r2" in rounds[40].votes


def test_model_votes_are_out_of_fold_for_the_items_they_learned_from():
    examples, features = corpus()
    labeled = [e.__class__(**{**e.__dict__, "label": e.votes["kw"]}) for e in examples]
    features = features.copy()
    features[0] = [-3.0, 0, 0, 0]  # a SPAM-labeled item that looks like HAM
    votes = class_model_votes(labeled, ["HAM", "SPAM"], features, folds=5, seed=0)
    assert votes[0] == "HAM"  # not the label it was taught: its fold never saw it


def test_a_rare_class_is_not_outvoted_by_the_common_ones_share():
    """Rules found 12 SPAM among 212 texts. A text that sits nearer the SPAM texts than the
    HAM ones gets a SPAM vote, though an unweighted fit would call it HAM (p = 0.70)."""
    rng = np.random.default_rng(0)
    examples, features = [], []
    for i, (label, centre) in enumerate([("HAM", -1.0)] * 200 + [("SPAM", 1.5)] * 12):
        examples.append(Example(id=f"t{i}", text="", label=label, votes={"kw": label}))
        features.append([rng.normal(centre, 1), *rng.normal(size=2)])
    examples.append(Example(id="quiet", text="", split="test", votes={"kw": None}))
    features.append([1.0, 0.0, 0.0])
    votes = class_model_votes(examples, ["HAM", "SPAM"], np.array(features), seed=0)
    assert votes[-1] == "SPAM"


def test_rounds_without_embeddings_are_refused_for_classification():
    with pytest.raises(AggregationError, match="sentence embeddings"):
        aggregate_and_choose(
            corpus()[0], "classification", ["HAM", "SPAM"], options=AggregateSection(rounds=1)
        )


def test_a_span_model_source_finds_a_name_no_rule_covered(tmp_path, names_corpus):
    examples = names_corpus
    options = AggregateSection(
        method="majority", weights_from_gold=False, rounds=1, span_model="spacy"
    )
    plain, _ = aggregate_and_choose(
        examples, "ner", ["PER", "LOC"], options=AggregateSection(method="majority", rounds=0)
    )
    assert plain[-1].label == ()
    cache = tmp_path / "model_sources"
    result, choice = aggregate_and_choose(
        examples, "ner", ["PER", "LOC"], options=options, cache=cache
    )
    assert choice.rounds == 1
    assert result[-1].votes["model_r1_PER"] == (Span(0, 7, "PER"),)
    assert result[-1].votes["model_r1_LOC"] == ()  # one source per type, weighed apart
    assert [(s.start, s.end, s.label) for s in result[-1].label] == [(0, 7, "PER")]
    assert len(list(cache.iterdir())) == 1  # a re-run with the same teacher reads it
    again, _ = aggregate_and_choose(examples, "ner", ["PER", "LOC"], options=options, cache=cache)
    assert again[-1].label == result[-1].label


def test_an_unknown_span_model_is_refused(names_corpus):
    options = AggregateSection(method="majority", rounds=1, span_model="crf")
    with pytest.raises(AggregationError, match="span_model = 'crf'"):
        aggregate_and_choose(names_corpus, "ner", ["PER"], options=options)


@pytest.mark.parametrize("entry", ['["SPAM"]', "[1, 2", '{"votes": []}'])
def test_a_short_torn_or_foreign_cache_entry_is_rebuilt_not_trusted(tmp_path, entry):
    """Issue 37, case 5: a cache entry of valid JSON but too short dropped records."""
    from weakforge.aggregate.model_sources import cached_model_votes, content_key

    examples, features = corpus()
    labels = ["HAM", "SPAM"]
    fresh = cached_model_votes("classification", examples, labels, features, 0, tmp_path)
    key = content_key("classification", examples, labels, 0, "encoder")
    (tmp_path / f"{key}.json").write_text(entry)
    again = cached_model_votes("classification", examples, labels, features, 0, tmp_path)
    assert again == fresh and len(again) == len(examples)


def test_a_round_that_does_not_raise_the_dev_score_is_not_kept():
    """Issue 38: auto chooses the rounds on dev; a round that lowers (or does not raise)
    the dev score is undone and the rounds stop there."""
    from weakforge.aggregate.methods import run_method
    from weakforge.aggregate.model_sources import rounds_kept_on_dev

    examples, features = corpus()
    options = AggregateSection(method="majority", weights_from_gold=False)

    def once(voted):
        return run_method(voted, "classification", ["HAM", "SPAM"], options, 0)

    for scripted, kept, tried in (([0.6, 0.7, 0.65], 1, 3), ([0.6, 0.6], 0, 2)):
        given = iter(scripted)
        outcome = rounds_kept_on_dev(
            once,
            examples,
            "classification",
            ["HAM", "SPAM"],
            2,
            score=lambda result, given=given: next(given),
            features=features,
        )
        assert outcome.kept == kept and outcome.dev_scores == scripted[:tried]
        voted = outcome.result[40].votes
        assert ("model_r1" in voted) == (kept >= 1) and "model_r2" not in voted


def test_auto_reports_every_method_and_round_it_tried():
    examples, features = corpus()
    examples = [
        Example(
            id=f"d{i}",
            text=f"d{i}",
            split="dev",
            gold="SPAM" if i % 2 else "HAM",
            votes={"kw": "SPAM" if i % 2 else "HAM"},
        )
        for i in range(30)
    ] + examples
    features = np.vstack(
        [np.array([[3.0 if i % 2 else -3.0, 0, 0, 0] for i in range(30)]), features]
    )
    _, choice = aggregate_and_choose(
        examples, "classification", ["HAM", "SPAM"], options=AggregateSection(), features=features
    )
    assert "weighted majority vote, 0 rounds" in choice.dev_scores
    assert any(key.endswith("1 round") for key in choice.dev_scores)
    best = max(choice.dev_scores.values())
    assert (
        choice.dev_scores[
            f"{choice.method}, {choice.rounds} round" + ("" if choice.rounds == 1 else "s")
        ]
        == best
    )
