from weakforge.labeling.stats import lf_stats, table_rows
from weakforge.records import Example, Span


def test_classification_stats_ignore_test_gold():
    examples = [
        Example(id="1", text="a", votes={"x": "SPAM", "y": "HAM"}, gold="SPAM", split="dev"),
        Example(id="2", text="b", votes={"x": "SPAM", "y": None}),
        Example(id="3", text="c", votes={"x": None, "y": "HAM"}, gold="SPAM", split="test"),
    ]
    rows = {r["source"]: r for r in lf_stats(examples, "classification")}
    assert rows["x"]["coverage"] == 2 / 3 and rows["x"]["conflict"] == 1 / 3
    assert rows["x"]["accuracy"] == 1.0 and rows["y"]["accuracy"] == 0.0
    assert rows["y"]["gold_votes"] == 1  # the test item does not count
    headers, cells = table_rows(list(rows.values()), "classification")
    assert headers[0] == "source" and cells[0][0] == "x"


def test_span_stats_per_label():
    gold = (Span(0, 5, "LOC"), Span(10, 13, "PER"))
    examples = [
        Example(
            id="1",
            text="Paris and Bob",
            gold=gold,
            split="dev",
            votes={"g": (Span(0, 5, "LOC"), Span(10, 13, "LOC")), "p": (Span(10, 13, "PER"),)},
        )
    ]
    rows = {r["source"]: r for r in lf_stats(examples, "ner")}
    assert rows["g"]["precision"] == 0.5 and rows["g"]["per_label"]["LOC"]["recall"] == 1.0
    assert rows["p"]["precision"] == 1.0 and rows["g"]["conflict"] == 0.5


def test_recall_per_label_and_agreement_with_the_aggregate():
    examples = [
        Example(id="1", text="a", votes={"x": "SPAM"}, gold="SPAM", split="dev", label="SPAM"),
        Example(id="2", text="b", votes={"x": None}, gold="SPAM", split="dev", label="HAM"),
        Example(id="3", text="c", votes={"x": "SPAM"}, gold="HAM", split="dev", label="HAM"),
    ]
    row = lf_stats(examples, "classification")[0]
    assert row["precision"] == 0.5 and row["recall"] == 0.5  # one of the two SPAM texts
    assert row["per_label"]["SPAM"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert row["agreement"] == 0.5
    headers, cells = table_rows([row], "classification", per_label=True)
    assert "recall" in headers and [c[0] for c in cells] == ["x", "  SPAM"]
    spans = [
        Example(
            id="1",
            text="Paris",
            votes={"g": (Span(0, 5, "LOC"),)},
            label=(Span(0, 5, "LOC", 0.9),),
        )
    ]
    assert lf_stats(spans, "ner")[0]["agreement"] == 1.0


def test_a_coarse_source_touching_a_typed_span_is_overlap_not_conflict():
    """ENT (any entity) over a PER span agrees with it; only a source of the same
    granularity with other boundaries or another type conflicts."""
    examples = [
        Example(
            id="1",
            text="Bob Smith met Ann",
            votes={
                "person": (Span(0, 9, "PER"),),
                "names": (Span(0, 9, "ENT"), Span(14, 17, "ENT")),
                "first_word": (Span(0, 3, "PER"),),
                "any_caps": (Span(0, 3, "ENT"),),
            },
        )
    ]
    rows = {r["source"]: r for r in lf_stats(examples, "ner", coarse_labels={"ENT"})}
    assert rows["person"]["overlap"] == 1.0 and rows["person"]["conflict"] == 1.0  # first_word
    assert rows["names"]["overlap"] == 0.5 and rows["names"]["conflict"] == 0.5  # any_caps
    without = {r["source"]: r for r in lf_stats(examples, "ner")}
    assert without["names"]["conflict"] == 0.5
    only_typed = [dict(e.votes) for e in examples][0]
    only_typed.pop("first_word")
    alone = lf_stats([Example(id="2", text=examples[0].text, votes=only_typed)], "ner", {"ENT"})
    assert {r["source"]: r["conflict"] for r in alone}["person"] == 0.0
    blind = lf_stats([Example(id="2", text=examples[0].text, votes=only_typed)], "ner")
    assert {r["source"]: r["conflict"] for r in blind}["person"] == 1.0  # without the groups
