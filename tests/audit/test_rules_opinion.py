import numpy as np

from weakforge.audit.document_mentions import document_mentions
from weakforge.audit.rules_opinion import settled_by_rules, with_rules_opinion
from weakforge.records import Example, Span

TEXT = "Leeds 2 Chelsea 1"
WORDS = [(0, 5), (6, 7), (8, 15), (16, 17)]
LABELS = ["ORG", "LOC"]  # tag columns: O, B-ORG, I-ORG, B-LOC, I-LOC


def model_probs():
    """A model taught the labels' habit: Leeds a place, Chelsea a club."""
    return np.array(
        [
            [0.05, 0.05, 0.0, 0.9, 0.0],
            [0.98, 0.01, 0.0, 0.01, 0.0],
            [0.05, 0.9, 0.0, 0.05, 0.0],
            [0.98, 0.01, 0.0, 0.01, 0.0],
        ]
    )


def test_the_rules_type_weighs_in_where_a_given_and_an_aggregated_entity_meet():
    given = (Span(0, 5, "LOC"), Span(8, 15, "ORG"))
    rules = (Span(0, 5, "ORG"), Span(6, 7, "ORG"), Span(8, 15, "ORG"))  # "2": a rule's slip
    (mixed,), retyped = with_rules_opinion([model_probs()], [WORDS], [given], [rules], LABELS, 0.75)
    assert retyped == 1
    assert mixed[0].argmax() == 1 and np.isclose(mixed[0, 3], 0.25 * 0.9)  # Leeds: B-ORG
    assert np.allclose(mixed[1], model_probs()[1])  # no given entity there: the model alone
    assert mixed[2].argmax() == 1 and np.allclose(mixed[:, :].sum(axis=1), 1)


def test_records_without_a_human_label_or_a_weight_keep_the_models_probabilities():
    given = (Span(0, 5, "LOC"),)
    rules = (Span(0, 5, "ORG"),)
    for aggregated, weight in (([None], 0.75), ([rules], 0.0)):
        (kept,), retyped = with_rules_opinion(
            [model_probs()], [WORDS], [given], aggregated, LABELS, weight
        )
        assert retyped == 0 and np.array_equal(kept, model_probs())


def test_the_rules_settle_the_document_conflicts_they_back():
    """ "England" is ORG in three sentences of a story and LOC in the fourth; the rules call
    the fourth LOC too (settled), are silent on the third, and call the first LOC
    (no backing: the evidence stays)."""
    text = "England won ."
    given = [(Span(0, 7, "ORG"),)] * 3 + [(Span(0, 7, "LOC"),)]
    story = [Example(id=f"s{i}", text=text, gold=g, meta={"doc": "d"}) for i, g in enumerate(given)]
    mentions = document_mentions(story, given, LABELS)
    assert mentions[3][(0, 7)].conflicts and not mentions[0][(0, 7)].conflicts
    rules = [(Span(0, 7, "LOC"),), given[1], None, (Span(0, 7, "LOC"),)]
    kept, settled = settled_by_rules(mentions, rules, LABELS)
    assert settled == 1
    assert kept[3] == {} and kept[1] == {}  # backed: the conflict, and an agreeing mention
    assert kept[0] == mentions[0] and kept[2] == mentions[2]  # rules against, rules silent
