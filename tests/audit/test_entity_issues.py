"""NER label issues judged per entity: the audit's production path (ner_label_issues)."""

import numpy as np
import pytest

from weakforge.audit.entity_issues import judge_entities, ner_label_issues
from weakforge.audit.label_issues import describe_span_issue
from weakforge.learners.probe import cross_val_token_probs
from weakforge.records import Span


def probe_issues(vectors, words, given, labels, *, folds, budget=0):
    """The audit's ``vectors`` label model: the word-vector probe, then entity judging."""
    probs = cross_val_token_probs(vectors, words, given, labels, folds=folds)
    return ner_label_issues(probs, words, given, labels, budget=budget)


def ner_corpus(wrong_every=20, n=60):
    """ "Paris was sunny": the first word looks like a location; every ``wrong_every``-th
    sentence marks "was" instead."""
    rng = np.random.default_rng(1)
    words = [[(0, 5), (6, 9), (10, 16)]] * n
    vectors, given = [], []
    for i in range(n):
        v = rng.normal(scale=0.1, size=(3, 8))
        v[0, 0] += 3.0
        vectors.append(v)
        given.append((Span(0, 5, "LOC"),) if i % wrong_every else (Span(6, 9, "LOC"),))
    return vectors, words, given


def test_ner_issues_name_the_span_its_type_and_the_suggestion():
    vectors, words, given = ner_corpus()
    issues = probe_issues(vectors, words, given, ["LOC"], folds=3)
    wrong = [i for i in range(60) if i % 20 == 0]
    assert all(issues.is_issue[i] for i in wrong)
    assert issues.is_issue.sum() == len(wrong) and issues.estimated_wrong >= len(wrong)
    assert issues.quality[wrong].max() < np.delete(issues.quality, wrong).min()
    assert len(set(np.round(issues.quality[wrong], 6))) > 1 or len(wrong) == 1  # no ties
    assert issues.suggested[0] == (Span(0, 5, "LOC"),)
    found = {(x.start, x.end, x.given, x.suggested) for x in issues.span_issues[0]}
    assert (6, 9, "LOC", None) in found  # "was" is not an entity
    assert (0, 5, None, "LOC") in found  # "Paris" is a missing entity
    assert all(0 < x.score <= 1 for x in issues.span_issues[0])


def test_the_budget_caps_the_flagged_sentences_worst_first():
    vectors, words, given = ner_corpus(wrong_every=10)
    full = probe_issues(vectors, words, given, ["LOC"], folds=3)
    capped = probe_issues(vectors, words, given, ["LOC"], folds=3, budget=2)
    assert full.is_issue.sum() == 6 and capped.is_issue.sum() == 2
    worst = sorted(np.nonzero(full.is_issue)[0], key=lambda i: full.quality[i])[:2]
    assert set(np.nonzero(capped.is_issue)[0]) == set(worst)


def test_a_mention_its_document_labels_otherwise_ranks_first_and_is_flagged():
    """Thirty two-word sentences "England won" in ten documents of three; the model is
    fairly sure of every given label, a little less of sentence 5's. Sentence 4 calls
    England LOC where its document's two other sentences say ORG: without documents the
    model's doubt about sentence 5 ranks first; with them the conflict does, flagged and
    named."""
    from weakforge.audit.document_mentions import document_mentions
    from weakforge.records import Example

    labels = ["ORG", "LOC"]
    words = [[(0, 7), (8, 11)]] * 30
    examples, given, probs = [], [], []
    for i in range(30):
        kind = "LOC" if i == 4 else "ORG"
        given.append((Span(0, 7, kind),))
        examples.append(Example(str(i), "England won", gold=given[-1], meta={"doc": str(i // 3)}))
        england = np.full(5, 0.02)
        england[1 if kind == "ORG" else 3] = 0.6 if i == 5 else 0.92
        won = np.array([0.96, 0.01, 0.01, 0.01, 0.01])
        probs.append(np.vstack([england / england.sum(), won]))
    alone = judge_entities(probs, words, given, labels)
    assert np.argsort(alone.quality)[0] == 5 and not alone.is_issue[4]
    mentions = document_mentions(examples, given, labels)
    found = judge_entities(probs, words, given, labels, mentions)
    assert np.argsort(found.quality)[0] == 4 and found.is_issue[4]
    assert found.document_conflicts == 1
    (issue,) = found.span_issues[4]
    assert (issue.given, issue.suggested, issue.elsewhere) == ("LOC", "ORG", (("ORG", 2),))
    # sentence 3's other mentions are one ORG, one LOC: half as sure, far above sentence 4
    assert found.quality[3] == pytest.approx(alone.quality[3] / 2, rel=1e-3)
    assert found.quality[4] < 1e-3 * alone.quality[4]
    assert describe_span_issue("England won", issue) == (
        "'England' LOC -> ORG (elsewhere in the document: ORG x2)"
    )


def test_the_queue_keeps_the_entities_the_model_is_surest_are_wrong():
    """A hundred "Paris won", Paris given LOC in the first fifty and ORG in the rest; the
    model agrees (0.9) except on sentences 0-9, given LOC, which it calls ORG, giving LOC
    0.0005 in 0-4 and 0.02 in 5-9. cleanlab finds and counts all ten; under
    ``flag_below`` 0.001 only 0-4 are queued, while 5-9 keep their span issues and rank
    right after them. A cut given per sentence applies to its own sentence only."""

    labels = ["ORG", "LOC"]
    words = [[(0, 5), (6, 9)]] * 100
    given, probs = [], []
    won = np.array([0.96, 0.01, 0.01, 0.01, 0.01])
    for i in range(100):
        given.append((Span(0, 5, "LOC" if i < 50 else "ORG"),))
        if i < 10:
            loc = 0.0005 if i < 5 else 0.02
            paris = [0.02, 0.98 - loc, 0.0, loc, 0.0]
        else:
            paris = [0.05, 0.05, 0.0, 0.9, 0.0] if i < 50 else [0.05, 0.9, 0.0, 0.05, 0.0]
        probs.append(np.vstack([paris, won]))
    everything = judge_entities(probs, words, given, labels)
    surest = judge_entities(probs, words, given, labels, flag_below=0.001)
    assert list(np.nonzero(everything.is_issue)[0]) == list(range(10))
    assert list(np.nonzero(surest.is_issue)[0]) == list(range(5))
    assert surest.estimated_wrong == everything.estimated_wrong == 10
    assert set(np.argsort(surest.quality)[:10]) == set(range(10))
    assert surest.quality[:5].max() < surest.quality[5:10].min()
    (issue,) = surest.span_issues[7]
    assert (issue.given, issue.suggested) == ("LOC", "ORG")
    per_sentence = judge_entities(probs, words, given, labels, flag_below=[0.001] * 7 + [1.0] * 93)
    assert list(np.nonzero(per_sentence.is_issue)[0]) == [0, 1, 2, 3, 4, 7, 8, 9]
