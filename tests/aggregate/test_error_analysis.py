"""The label model's errors on dev gold, and the sources behind each kind."""

from weakforge.aggregate.error_analysis import (
    bucket_rows,
    confusion_rows,
    error_analysis,
)
from weakforge.records import Example, Span

LABELS = ["PER", "ORG", "LOC"]


def test_span_errors_are_bucketed_with_the_sources_that_voted_for_them():
    text = "Ann Lee of Acme met Bob in Paris and Rome"
    ann, acme, bob, paris, rome = (0, 7), (11, 15), (20, 23), (27, 32), (37, 41)
    example = Example(
        id="d1",
        text=text,
        split="dev",
        gold=(
            Span(*ann, "PER"),
            Span(*acme, "ORG"),
            Span(*bob, "PER"),
            Span(*paris, "LOC"),
        ),
        label=(
            Span(*ann, "PER"),  # right
            Span(*acme, "LOC"),  # wrong type
            Span(20, 26, "PER"),  # "Bob in": boundary
            Span(*rome, "LOC"),  # spurious; Paris missed
        ),
        votes={
            "names": (Span(*ann, "PER"), Span(20, 26, "PER")),
            "places": (Span(*acme, "LOC"), Span(*rome, "LOC")),
            "caps": (Span(*acme, "ENT"), Span(*rome, "ENT"), Span(*paris, "ENT")),
            "orgs": (Span(*acme, "ORG"),),
        },
    )
    test_item = Example(id="t", text="Zed", split="test", gold=(Span(0, 3, "PER"),), label=())
    found = error_analysis([example, test_item], "ner", LABELS, coarse={"ENT"})
    assert found.items == 1  # dev only: test gold never tunes
    assert found.confusion["PER"] == {"PER": 1, "boundary": 1}
    assert found.confusion["ORG"] == {"LOC": 1} and found.confusion["LOC"] == {"missed": 1}
    assert found.confusion["spurious"] == {"LOC": 1}
    buckets = found.buckets
    assert buckets["wrong type: ORG said LOC"] == {"count": 1, "sources": {"places": 1}}
    assert buckets["boundary"]["sources"] == {"names": 1}
    assert buckets["missed LOC"]["sources"] == {"caps": 1}  # outvoted
    assert buckets["spurious LOC"]["sources"] == {"caps": 1, "places": 1}
    headers, rows = confusion_rows(found.confusion)
    assert headers[-2:] == ["boundary", "missed"] and rows[0][0] == "PER"
    assert bucket_rows(buckets)[1][0][:2] in (["wrong type: ORG said LOC", 1], ["boundary", 1])


def test_class_errors_name_the_sources_behind_each_confusion_and_gaps():
    examples = [
        Example(id="1", text="a", split="dev", gold="HAM", label="SPAM", votes={"kw": "SPAM"}),
        Example(id="2", text="b", split="dev", gold="HAM", label="HAM", votes={"kw": "HAM"}),
        Example(id="3", text="c", split="dev", gold="SPAM", label=None, votes={"kw": None}),
    ]
    found = error_analysis(examples, "classification", ["HAM", "SPAM"])
    assert found.confusion == {"HAM": {"SPAM": 1, "HAM": 1}, "SPAM": {"no label": 1}}
    assert found.buckets["HAM said SPAM"]["sources"] == {"kw": 1}
    assert found.buckets["SPAM said no label"]["sources"] == {"(no source voted for it)": 1}
    assert error_analysis([examples[0].__class__(id="x", text="x")], "ner", LABELS) is None
