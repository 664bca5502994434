from weakforge.aggregate.priors import span_gold_weights
from weakforge.records import Example, Span


def dev(i, gold, votes, split="dev"):
    return Example(id=str(i), text="Ada met Bob in Paris", gold=gold, votes=votes, split=split)


def test_span_weights_score_group_labels_by_boundaries_and_ignore_test_gold():
    gold = (Span(0, 3, "PER"), Span(15, 20, "LOC"))
    examples = [
        dev(
            i,
            gold,
            {
                "names": (Span(0, 3, "ENT"), Span(15, 20, "ENT")),  # right boundaries
                "wrong_type": (Span(0, 3, "LOC"),) * 1,
                "coarse_miss": (Span(4, 7, "ENT"),),
            },
        )
        for i in range(10)
    ]
    weights = span_gold_weights(
        examples, ["names", "wrong_type", "coarse_miss"], label_groups={"ENT": ("PER", "LOC")}
    )
    assert weights["names"] > 1.2
    assert weights["wrong_type"] < 0.2 and weights["coarse_miss"] < 0.2
    # without the group an ENT span never equals a typed gold span
    assert span_gold_weights(examples, ["names"])["names"] < 0.2
    # test gold never tunes a weight
    assert (
        span_gold_weights([dev(i, gold, examples[0].votes, "test") for i in range(10)], ["names"])
        == {}
    )


def test_a_configured_weight_that_names_no_source_is_an_error():
    """Issue 37, case 13: `[aggregate] weights` naming no source was ignored."""
    import pytest

    from weakforge.aggregate.priors import initial_weights
    from weakforge.config import AggregateSection
    from weakforge.errors import AggregationError
    from weakforge.records import Example

    examples = [Example(id="a", text="x", votes={"kw": "SPAM"})]
    options = AggregateSection(weights={"kw_typo": 2.0}, weights_from_gold=False)
    with pytest.raises(AggregationError, match=r"names \['kw_typo'\].*sources: \['kw'\]"):
        initial_weights(examples, "classification", options)
