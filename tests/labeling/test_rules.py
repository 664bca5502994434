import pytest
from spacy.tokens import Span as SpacySpan

from weakforge import doc_rule, gazetteer, span_rule, unless
from weakforge.errors import RuleOutputError
from weakforge.labeling.rules import LabelingFunction
from weakforge.records import Span
from weakforge.tokenize import blank_pipeline

nlp = blank_pipeline()


def test_decorators_with_and_without_arguments():
    @doc_rule
    def plain(doc):
        return "SPAM" if "free" in doc.text else None

    @doc_rule(name="renamed", labels=["HAM"])
    def other(doc):
        return "HAM"

    assert isinstance(plain, LabelingFunction) and plain.name == "plain"
    assert plain.kind == "doc" and plain.file.endswith("test_rules.py")
    assert plain.vote(nlp("free stuff")) == "SPAM" and plain.vote(nlp("hi")) is None
    assert other.name == "renamed" and other.vote(nlp("x")) == "HAM"


def test_span_rule_accepts_spans_and_token_offsets_and_several_labels():
    @span_rule(labels=["PER", "LOC"])
    def mixed(doc):
        yield SpacySpan(doc, 0, 2, label="PER")
        yield 4, 5, "LOC"

    @span_rule(label="ORG")
    def offsets(doc):
        yield (2, 3)

    doc = nlp("Angela Merkel in Berlin Paris")
    assert mixed.vote(doc) == (Span(0, 13, "PER"), Span(24, 29, "LOC"))
    assert offsets.vote(doc) == (Span(14, 16, "ORG"),)


def test_overlapping_spans_keep_the_longest():
    @span_rule(label="LOC")
    def nested(doc):
        yield 0, 1
        yield 0, 2
        yield 1, 3

    assert nested.vote(nlp("New York City hall")) == (Span(0, 8, "LOC"),)


def test_unless_keeps_a_rule_quiet_where_a_veto_votes():
    places = gazetteer("places", {"LOC": ["Leeds", "Chelsea", "Paris"]})

    @span_rule(label="ORG")
    def scores(doc):
        """A name before a number: a team."""
        for token in doc[:-1]:
            if token.is_title and doc[token.i + 1].like_num:
                yield token.i, token.i + 1

    quiet = unless(places, scores)
    doc = nlp("Leeds 2 Chelsea 1 in Paris")
    assert places.vote(doc) == (Span(0, 5, "LOC"), Span(8, 15, "LOC"), Span(21, 26, "LOC"))
    assert quiet.vote(doc) == (Span(21, 26, "LOC"),)
    assert (quiet.name, quiet.labels) == ("places", ("LOC",))

    @span_rule(label="ORG")
    def longer(doc):  # a veto span that only overlaps the rule's span silences it too
        yield 0, 2

    assert unless(places, longer).vote(doc) == (Span(8, 15, "LOC"), Span(21, 26, "LOC"))
    with pytest.raises(TypeError, match="span rules"):
        unless(places, doc_rule(lambda doc: None))


@pytest.mark.parametrize(
    "output, message",
    [
        ([(0, 9)], "outside the document"),
        (["Berlin"], "yield spaCy Spans or"),
        ([(0, 1, "CITY")], "does not declare"),
        ([(0.5, 1)], r"\(0\.5, 1\) \(float, int\); offsets are whole numbers"),
        ([("0", 1)], "offsets are whole numbers"),
    ],
)
def test_bad_span_output_is_explained(output, message):
    @span_rule(label="LOC")
    def bad(doc):
        yield from output

    with pytest.raises(RuleOutputError, match=message):
        bad.vote(nlp("in Berlin"))


def test_doc_rule_must_return_a_label_or_none():
    @doc_rule
    def numeric(doc):
        return 1

    with pytest.raises(RuleOutputError, match="returns a label string or None"):
        numeric.vote(nlp("x"))


def test_span_without_label_is_an_error():
    @span_rule
    def unlabeled(doc):
        yield 0, 1

    with pytest.raises(RuleOutputError, match="without a label"):
        unlabeled.vote(nlp("Berlin"))


def test_integral_offsets_of_any_number_type_are_taken():
    """Issue 37, case 32: (0.0, 1.0) and numpy integers were refused as out of range."""
    import numpy as np

    @span_rule(label="LOC")
    def numbers(doc):
        yield 1.0, 2.0
        yield np.int64(0), np.int64(1)

    assert numbers.vote(nlp("in Berlin")) == (Span(0, 2, "LOC"), Span(3, 9, "LOC"))


def test_a_span_of_another_doc_is_refused_by_name():
    """Issue 37, case 8: doc[1:].as_doc() spans voted on the wrong tokens."""

    @span_rule(label="PER")
    def elsewhere(doc):
        other = doc[1:].as_doc()
        yield other[1:2]

    with pytest.raises(RuleOutputError, match="another Doc.*doc\\[start:end\\]"):
        elsewhere.vote(nlp("Mr Smith left"))


def test_an_endless_span_generator_is_stopped_and_named():
    """Issue 37, case 29: with rule_timeout = 0 it ran out of memory after 75 s."""
    import itertools

    @span_rule(label="LOC")
    def endless(doc):
        yield from itertools.repeat((0, 1))

    with pytest.raises(RuleOutputError, match="more than 1000 spans.*endless generator"):
        endless.vote(nlp("in Berlin"))
