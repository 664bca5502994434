"""Contract: every registered aggregation method, for every task it serves, turns the same
small corpus into valid probabilistic labels."""

import math

import pytest

from weakforge.aggregate import METHODS, aggregate
from weakforge.config import AggregateSection
from weakforge.records import Example, Span

CLASSES = ["HAM", "SPAM"]
TYPES = ["PER", "LOC"]


def classification_corpus():
    out = []
    for i in range(30):
        spam = i % 2 == 0
        votes = {"kw": "SPAM" if spam else "HAM", "url": "SPAM" if spam and i % 3 else None}
        votes["noisy"] = "HAM" if i % 5 == 0 else None
        out.append(Example(id=f"c{i}", text=f"text {i}", votes=votes))
    out.append(Example(id="none", text="no votes at all", votes={"kw": None}))
    return out


def ner_corpus():
    out = []
    for i in range(20):
        text = f"Anna Berg went to Paris on day {i} ."
        votes = {
            "names": (Span(0, 9, "PER"),),
            "places": (Span(18, 23, "LOC"),) if i % 2 else (),
            "caps": (Span(0, 4, "PER"), Span(18, 23, "PER")) if i % 3 == 0 else (),
        }
        out.append(Example(id=f"n{i}", text=text, votes=votes, meta={"doc": i // 5}))
    return out


CASES = [(name, task) for name, tasks in sorted(METHODS.items()) for task in sorted(tasks)]


@pytest.mark.parametrize(("method", "task"), CASES)
def test_method_returns_valid_probabilistic_labels(method, task):
    examples = ner_corpus() if task == "ner" else classification_corpus()
    labels = TYPES if task == "ner" else CLASSES
    result = aggregate(examples, task, labels, options=AggregateSection(method=method), seed=1)
    assert [e.id for e in result] == [e.id for e in examples]
    for before, after in zip(examples, result):
        assert after.text == before.text and after.votes == before.votes
        if task == "classification":
            assert after.label in labels
            assert set(after.probs) == set(labels)
            assert math.isclose(sum(after.probs.values()), 1.0, abs_tol=1e-4)
            assert after.probs[after.label] == max(after.probs.values())
        else:
            assert isinstance(after.label, tuple)
            for span in after.label:
                assert span.label in labels and 0 <= span.start < span.end <= len(after.text)
                assert 0.0 <= span.prob <= 1.0
    if task == "ner":  # the two agreeing sources must carry the day
        assert Span(0, 9, "PER") in result[1].label


def test_every_task_has_a_default_method():
    from weakforge.tasks import TASKS

    for name, kind in TASKS.items():
        assert name in METHODS[kind.default_method]
