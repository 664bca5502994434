"""Contract: every registered audit check returns findings of the declared shape: one entry
per item, only its declared issue types, scores in [0, 1], a reason for every flag, and a
JSON-ready summary that its ``describe`` turns into report blocks."""

import json

import numpy as np
import pytest

from weakforge.audit import CHECKS, ISSUE_TYPES, AuditData
from weakforge.config import AuditSection
from weakforge.learners.neighbours import nearest_neighbours
from weakforge.records import Example, Span


def classification_data():
    rng = np.random.default_rng(0)
    examples = []
    for i in range(40):
        label = "SPAM" if i % 2 else "HAM"
        examples.append(
            Example(
                id=f"c{i}",
                text=f"text number {i}",
                split="test" if i == 7 else "train",
                label=label,
                probs={label: 0.55, "HAM" if label == "SPAM" else "SPAM": 0.45},
                votes={"kw": label, "other": "SPAM"},
            )
        )
    examples.append(Example(id="copy", text="text number 7", label="SPAM", votes={}))
    vectors = rng.normal(size=(len(examples), 8)).astype(np.float32)
    vectors[:, 0] += [3.0 if e.label == "SPAM" else -3.0 for e in examples]
    vectors[-1] = vectors[7]
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return examples, vectors


def ner_data():
    examples = [
        Example(
            id=f"n{i}",
            text="angela merkel met officials in berlin",
            label=(Span(0, 13, "PER"), Span(31, 37, "LOC" if i % 4 else "PER")),
            votes={"names": (Span(0, 13, "PER"),)},
        )
        for i in range(12)
    ]
    vectors = np.random.default_rng(1).normal(size=(len(examples), 8)).astype(np.float32)
    return examples, vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


@pytest.mark.parametrize("task", ["classification", "ner"])
@pytest.mark.parametrize("name", sorted(CHECKS))
def test_check_returns_findings_of_the_declared_shape(name, task, tiny_model_dir):
    examples, vectors = classification_data() if task == "classification" else ner_data()
    labels = ["HAM", "SPAM"] if task == "classification" else ["PER", "LOC"]
    options = AuditSection(model=tiny_model_dir, folds=2, knn=3, outlier_fraction=0.1)
    data = AuditData(
        examples, labels, task, options, vectors, nearest_neighbours(vectors, 3), seed=0
    )
    check = CHECKS[name]
    result = check.run(data)
    n = len(examples)
    declared = {t.name for t in check.issue_types}
    assert len(result.flags) == n and len(result.why) == n
    for flags, why in zip(result.flags, result.why):
        assert set(flags) <= declared
        assert all(0.0 <= score <= 1.0 for score in flags.values())
        assert bool(flags) == bool(why)
    assert all(len(values) == n for values in result.columns.values())
    json.dumps(result.summary)
    blocks = check.describe(result.summary)
    assert isinstance(blocks, list)


def test_checks_find_what_they_are_named_for(tiny_model_dir):
    examples, vectors = classification_data()
    options = AuditSection(model=tiny_model_dir, folds=2, knn=3)
    data = AuditData(
        examples,
        ["HAM", "SPAM"],
        "classification",
        options,
        vectors,
        nearest_neighbours(vectors, 3),
    )
    duplicates = CHECKS["duplicates"].run(data)
    assert "exact_duplicate" in duplicates.flags[-1] and "exact_duplicate" in duplicates.flags[7]
    assert "leakage" in CHECKS["leakage"].run(data).flags[-1]  # test item 7 has a train copy
    assert CHECKS["imbalance"].run(data).summary["class_counts"] == {"HAM": 20, "SPAM": 21}
    worst = CHECKS["source_disagreement"].run(data).summary["source_disagreement"][0]
    assert worst["source"] == "other"


def test_summaries_do_not_collide_and_issue_types_are_unique():
    seen: dict[str, str] = {}
    for name, check in CHECKS.items():
        for issue in check.issue_types:
            assert ISSUE_TYPES[issue.name] is issue
            assert issue.name not in seen, f"{issue.name} declared by {seen[issue.name]} too"
            seen[issue.name] = name
            assert 0.0 <= issue.severity <= 1.0 and issue.description
