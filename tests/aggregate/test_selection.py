"""method = "auto": the label model is chosen on dev gold, and the choice is stated."""

from weakforge.aggregate.selection import MIN_DEV, aggregate_and_choose
from weakforge.config import AggregateSection
from weakforge.records import Example


def corpus(n_dev: int):
    """'good' is right on every dev item, two noisy sources outvote it: weighting by dev
    accuracy (weighted majority) must win over the plain majority vote."""
    examples = []
    for i in range(40 + n_dev):
        truth = "SPAM" if i % 2 else "HAM"
        wrong = "HAM" if truth == "SPAM" else "SPAM"
        votes = {"good": truth, "noisy1": wrong if i % 3 else truth, "noisy2": wrong}
        split, gold = ("dev", truth) if i >= 40 else ("train", None)
        examples.append(Example(id=str(i), text=f"t {i}", votes=votes, split=split, gold=gold))
    return examples


def test_auto_picks_the_best_method_on_dev_and_says_so():
    result, choice = aggregate_and_choose(
        corpus(MIN_DEV + 10), "classification", ["HAM", "SPAM"], options=AggregateSection()
    )
    assert set(choice.dev_scores) >= {  # and each without a broad source (all are here)
        "majority vote",
        "weighted majority vote",
        "naive_bayes",
        "best single source (good)",  # the baseline an aggregation must beat (issue 38)
    }
    assert choice.dev_scores["majority vote"] < choice.dev_scores[choice.method]
    assert "dev items" in choice.why
    assert result[1].label == "SPAM"  # the chosen model follows the reliable source


def test_auto_without_enough_dev_gold_takes_the_default_and_says_why():
    _, choice = aggregate_and_choose(
        corpus(3), "classification", ["HAM", "SPAM"], options=AggregateSection()
    )
    assert choice.method == "naive_bayes" and not choice.dev_scores
    assert "3 dev items" in choice.why


def test_a_configured_method_is_used_as_is():
    _, choice = aggregate_and_choose(
        corpus(MIN_DEV),
        "classification",
        ["HAM", "SPAM"],
        options=AggregateSection(method="majority"),
    )
    assert choice.method == "majority" and choice.why == "set in [aggregate] method"


def test_the_best_single_source_is_found_on_dev_for_spans_too():
    from weakforge.aggregate.selection import best_single_source
    from weakforge.records import Span

    anna = (Span(0, 4, "PER"),)
    examples = [
        Example(
            id=str(i),
            text="Anna sang",
            split="dev",
            gold=anna,
            votes={"names": anna, "noisy": (Span(5, 9, "PER"),), "quiet": None},
        )
        for i in range(5)
    ]
    assert best_single_source(examples, "ner", ["PER"]) == ("names", ["names", "noisy", "quiet"])
    assert best_single_source(examples[:0], "ner", ["PER"])[0] is None


def test_a_broad_source_that_lowers_dev_is_left_out_by_auto():
    """Issue 36: an LLM voting on every text outvoted the precise rules (WRENCH sms test F1
    88.6 -> 75.5); auto also tries each candidate without each broad source and keeps the
    source only where dev says it helps."""
    from weakforge.aggregate.selection import broad_sources

    examples = []
    for i in range(60):
        truth = "SPAM" if i % 2 else "HAM"
        wrong = "HAM" if truth == "SPAM" else "SPAM"
        uncovered = i % 15 == 0
        votes = {
            "rule": truth if i % 3 else None,  # precise
            "rule2": truth if i % 5 else None,
            # broad: agrees with the rules where they vote (so dev weighs it high) and is
            # wrong exactly where it alone decides
            "llm": wrong if uncovered else truth,
        }
        split, gold = ("dev", truth) if i >= 30 else ("train", None)
        examples.append(Example(id=str(i), text=f"t {i}", votes=votes, split=split, gold=gold))
    assert broad_sources(examples, ["llm", "rule", "rule2"]) == ["llm"]
    result, choice = aggregate_and_choose(
        examples, "classification", ["HAM", "SPAM"], options=AggregateSection()
    )
    assert choice.method.endswith(", without llm"), choice
    with_it = max(v for k, v in choice.dev_scores.items() if "without" not in k)
    assert choice.dev_scores[choice.method] > with_it
    assert "llm" not in result[0].votes  # the label model did not read it
