import pytest

from weakforge.aggregate import aggregate
from weakforge.aggregate.acronyms import abbreviates
from weakforge.config import AggregateSection
from weakforge.records import Example, Span
from weakforge.tokenize import blank_pipeline

nlp = blank_pipeline()


@pytest.mark.parametrize(
    "acronym, name, expected",
    [
        ("CNB", "Central Narcotics Bureau", True),
        ("RDR", "Rally for the Return of Refugees and Democracy in Rwanda", True),
        ("SLORC", "State Law and Order Restoration Council", True),
        ("USA", "Michael Johnson", False),  # a country code after a runner
        ("ONDH", "Human Rights National Observatory", False),  # letters out of order
        ("NATO", "Nato", False),  # one word defines nothing
    ],
)
def test_an_acronym_follows_the_names_initials(acronym, name, expected):
    doc = nlp(name)
    assert abbreviates(acronym, doc[:]) is expected


def test_a_defined_acronym_gets_the_names_type_across_the_document():
    """'CNB' is defined after a name the rule typed ORG, so both of its mentions get ORG,
    though no rule voted on either; a name typed PER defines no acronym."""
    first = "The Central Narcotics Bureau ( CNB ) said on Friday ."
    later = "CNB officers arrested him ."
    bureau = Span(4, 28, "ORG")

    def corpus(label):
        votes = {"orgs": (Span(bureau.start, bureau.end, label),)}
        return [
            Example("a", first, votes=votes, meta={"doc": 1}),
            Example("b", later, votes={"orgs": ()}, meta={"doc": 1}),
        ]

    def found(out):
        return [[(e.text[s.start : s.end], s.label) for s in e.label] for e in out]

    for acronyms in (False, True):
        options = AggregateSection(
            method="majority", doc_majority=False, doc_history=(), doc_acronyms=acronyms
        )
        out = found(aggregate(corpus("ORG"), "ner", ["PER", "ORG"], options=options))
        assert out == (
            [[("Central Narcotics Bureau", "ORG"), ("CNB", "ORG")], [("CNB", "ORG")]]
            if acronyms
            else [[("Central Narcotics Bureau", "ORG")], []]
        )
    person = found(aggregate(corpus("PER"), "ner", ["PER", "ORG"], options=options))
    assert person == [[("Central Narcotics Bureau", "PER")], []]
