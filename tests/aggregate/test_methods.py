import pytest

from weakforge.aggregate import aggregate
from weakforge.config import AggregateSection
from weakforge.errors import AggregationError
from weakforge.records import Example, Span

LABELS = ["HAM", "SPAM"]


def clf(i, votes, gold=None, split="train"):
    return Example(id=str(i), text=f"text {i}", votes=votes, gold=gold, split=split)


def test_majority_vote_ties_abstains_and_probabilities():
    examples = [
        clf(0, {"a": "SPAM", "b": "SPAM", "c": "HAM"}),
        clf(1, {"a": "SPAM", "b": "HAM"}),
        clf(2, {"a": None, "b": None}),
    ]
    examples += [clf(10 + i, {}, gold="HAM", split="dev") for i in range(3)]
    out = aggregate(
        examples,
        "classification",
        LABELS,
        options=AggregateSection(method="majority", weights_from_gold=False),
    )
    assert out[0].label == "SPAM" and out[0].probs["SPAM"] == pytest.approx(2 / 3, abs=1e-3)
    assert out[1].label == "HAM"  # tie: the dev prior favours HAM
    assert out[2].label == "HAM" and out[2].probs["HAM"] > 0.5  # no vote: the prior
    none = aggregate(
        examples,
        "classification",
        LABELS,
        options=AggregateSection(method="majority", abstain="none"),
    )
    assert none[2].label is None and none[2].probs == {}


def test_weighted_majority_lets_a_reliable_source_win_and_majority_counts_all_alike():
    """``majority`` is the plain vote whatever weights_from_gold says (issue 38: a one-source
    baseline under the dev-weighted vote lost every span to "no entity", unsaid)."""
    dev = [
        clf(f"d{i}", {"good": g, "bad": "SPAM" if g == "HAM" else "HAM"}, gold=g, split="dev")
        for i, g in enumerate(["HAM", "SPAM"] * 5)
    ]
    train = [clf(0, {"good": "SPAM", "bad": "HAM"})]  # a tie: the prior breaks it
    weighted = AggregateSection(method="weighted_majority")
    assert aggregate(train + dev, "classification", LABELS, options=weighted)[0].label == "SPAM"
    plain = aggregate(
        train + dev, "classification", LABELS, options=AggregateSection(method="majority")
    )
    assert plain[0].probs["SPAM"] == plain[0].probs["HAM"]  # counted alike


def test_naive_bayes_follows_the_votes_and_gold_overrides_train():
    examples = [clf(i, {"a": "SPAM", "b": "SPAM"}) for i in range(20)]
    examples += [clf(100 + i, {"a": "HAM", "c": "HAM"}) for i in range(20)]
    examples.append(clf(999, {"a": "SPAM"}, gold="HAM"))  # a reviewed training item
    examples.append(clf(998, {"a": "SPAM"}, gold="HAM", split="test"))
    out = {e.id: e for e in aggregate(examples, "classification", LABELS)}
    assert out["0"].label == "SPAM" and out["100"].label == "HAM"
    assert abs(sum(out["0"].probs.values()) - 1) < 1e-6
    assert out["999"].label == "HAM" and out["999"].probs == {"HAM": 1.0, "SPAM": 0.0}
    assert out["998"].label == "SPAM"  # test items are scored, never overridden


def ner(i, votes, text="Angela Merkel visited Paris today", meta=None):
    return Example(id=str(i), text=text, votes=votes, meta=meta or {})


def test_hmm_and_majority_on_spans():
    per, loc = Span(0, 13, "PER"), Span(22, 27, "LOC")
    examples = [ner(i, {"names": (per,), "places": (loc,), "spacy": (per, loc)}) for i in range(30)]
    for method in ("hmm", "majority"):
        out = aggregate(
            examples,
            "ner",
            ["PER", "LOC"],
            options=AggregateSection(method=method, doc_majority=False),
        )
        assert out[0].label == (per, loc)
        assert all(0.5 < s.prob <= 1.0 for s in out[0].label)


def test_label_groups_and_document_majority():
    text = "Acme said Acme grew"
    acme1, acme2 = Span(0, 4, "ENT"), Span(10, 14, "ENT")
    examples = [
        ner(i, {"caps": (acme1, acme2), "orgs": (Span(0, 4, "ORG"),)}, text=text) for i in range(20)
    ]
    out = aggregate(
        examples,
        "ner",
        ["ORG", "PER"],
        options=AggregateSection(
            method="hmm", label_groups={"ENT": ("ORG", "PER")}, doc_majority=True
        ),
    )
    assert out[0].label[0] == Span(0, 4, "ORG")
    assert Span(10, 14, "ORG") in out[0].label  # the same string, typed the same way


def test_sentences_of_one_document_are_split_back():
    first = Example(
        id="s1", text="Paris is big", meta={"doc": 0}, votes={"g": (Span(0, 5, "LOC"),)}
    )
    second = Example(
        id="s2", text="I like Paris", meta={"doc": 0}, votes={"g": (Span(7, 12, "LOC"),)}
    )
    out = aggregate(
        [first, second] * 1, "ner", ["LOC"], options=AggregateSection(method="majority")
    )
    assert out[0].label == (Span(0, 5, "LOC"),) and out[1].label == (Span(7, 12, "LOC"),)


def test_bad_method_and_empty_votes_are_explained():
    with pytest.raises(AggregationError, match="does not fit a ner task"):
        aggregate([ner(0, {})], "ner", ["PER"], options=AggregateSection(method="naive_bayes"))
    with pytest.raises(AggregationError, match="no item has any vote"):
        aggregate([clf(0, {})], "classification", LABELS)


def test_tokens_only_a_coarse_source_covers_do_not_stop_the_hmm():
    """Documents where the ENT source is the only one with spans used to stop skweak's HMM
    ('No valid state found'); such tokens are now left untyped, the rest aggregated."""
    text = "Acme met Bob in Rome"
    acme, bob, rome = Span(0, 4, "ENT"), Span(9, 12, "ENT"), Span(16, 20, "ENT")
    examples = [
        ner(
            i,
            {
                "caps": (acme, bob, rome),
                "orgs": (Span(0, 4, "ORG"),) if i % 2 else (),
                "places": (Span(16, 20, "LOC"),) if i % 3 == 0 else (),
            },
            text=text,
        )
        for i in range(20)
    ]
    options = AggregateSection(method="hmm", label_groups={"ENT": ("PER", "ORG", "LOC")})
    out = aggregate(examples, "ner", ["PER", "ORG", "LOC"], options=options)
    assert out[1].label == (Span(0, 4, "ORG"),)  # Bob (ENT only) left out, not crashed on
    assert out[2].label == ()  # only ENT voted in this sentence


def test_a_coarse_label_without_its_group_is_an_error_not_dropped():
    examples = [ner(i, {"caps": (Span(0, 13, "ENT"),)}) for i in range(3)]
    with pytest.raises(AggregationError, match="source 'caps' votes \\['ENT'\\].*label_groups"):
        aggregate(examples, "ner", ["PER"], options=AggregateSection(method="hmm"))


def test_document_history_labels_later_partial_mentions():
    """'Lison' after 'Pierre Lison' in the same document gets a PER vote from the document
    history source, though no rule saw it there (weighed with the other votes)."""
    full, surname = Span(0, 12, "PER"), Span(13, 18, "PER")
    first = "Pierre Lison arrived today"
    later = "He said that Lison was happy"
    examples = []
    for d in range(20):
        seen = (surname,) if d < 14 else ()
        examples.append(
            ner(f"{d}a", {"names": (full,), "ner": (full,)}, text=first, meta={"doc": d})
        )
        examples.append(ner(f"{d}b", {"names": (), "ner": seen}, text=later, meta={"doc": d}))
    for history in ((), ("PER", "ORG")):
        options = AggregateSection(method="majority", doc_majority=False, doc_history=history)
        out = aggregate(examples, "ner", ["PER", "ORG"], options=options)
        found = [(later[s.start : s.end], s.label) for s in out[-1].label]
        assert found == ([("Lison", "PER")] if history else [])


def test_thousands_of_labels_are_refused_for_skweak_with_the_way_out():
    """Issue 37, case 14: 10,000 labels made no progress in 5 minutes (quadratic)."""
    import pytest

    from weakforge.aggregate import aggregate
    from weakforge.config import AggregateSection
    from weakforge.errors import AggregationError
    from weakforge.records import Example

    labels = [f"L{i}" for i in range(1001)]
    examples = [Example(id="a", text="x", votes={"kw": "L0"})]
    with pytest.raises(AggregationError, match='1001 labels.*method = "majority"'):
        aggregate(
            examples, "classification", labels, options=AggregateSection(method="naive_bayes")
        )


def test_auto_takes_the_majority_vote_when_skweak_would_take_hours():
    from weakforge.aggregate.selection import aggregate_and_choose
    from weakforge.config import AggregateSection
    from weakforge.records import Example

    labels = [f"L{i}" for i in range(1001)]
    examples = [Example(id=f"a{i}", text="x", votes={"kw": "L0"}) for i in range(3)]
    result, choice = aggregate_and_choose(
        examples, "classification", labels, options=AggregateSection(rounds=0)
    )
    assert choice.method == "weighted_majority" and result[0].label == "L0"
