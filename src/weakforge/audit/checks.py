"""The audit's contract: checks, the issue types they may flag, and how flags rank items.

A check (modelled on cleanlab's issue managers) is an object with a ``name``, the
``issue_types`` it may flag, ``run(data) -> CheckResult`` and ``describe(summary)`` for its
part of the report. It registers itself in ``CHECKS`` with :func:`register`, in the module
that defines it, so adding a check is one new module (imported in ``weakforge.audit``): the
config (``[audit] checks``), the priority, the report and the review page's issue filter all
read the registry.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar, Protocol

import numpy as np

from weakforge.audit.duplicates import (
    DuplicateSet,
    embedding_duplicate_sets,
    exact_duplicate_sets,
    merge_sets,
    minhash_duplicate_sets,
)
from weakforge.config import AuditSection
from weakforge.labels import given_label
from weakforge.learners.neighbours import Neighbours
from weakforge.records import Example, Label
from weakforge.report import Block


@dataclass(frozen=True)
class IssueType:
    """A flag a check may put on an item. ``severity`` (0-1) weighs it in the review
    priority; a ``label_kind`` flag is weighed by how unlikely the item's label is instead
    (its label quality), since that is what a reviewer fixes."""

    name: str
    description: str
    severity: float = 0.5
    label_kind: bool = False


@dataclass
class AuditData:
    """What every check sees: the items, their labels and shared, lazily built features."""

    examples: list[Example]
    labels: list[str]
    task: str
    options: AuditSection
    embeddings: np.ndarray
    neighbours: Neighbours
    seed: int = 0
    cache_dir: Path | None = None
    document_key: str = "doc"
    """The record metadata key whose consecutive equal values form one document."""

    @cached_property
    def given(self) -> list[Label]:
        """The label under audit per item: gold where present, else the weak label."""
        return [given_label(e) for e in self.examples]

    @cached_property
    def exact_sets(self) -> list[list[int]]:
        return exact_duplicate_sets([e.text for e in self.examples])

    @cached_property
    def duplicate_sets(self) -> list[DuplicateSet]:
        """Exact, MinHash and embedding duplicates merged into sets (shared by the
        duplicate and leakage checks)."""
        texts = [e.text for e in self.examples]
        return merge_sets(
            {
                "exact": self.exact_sets,
                "near (MinHash)": minhash_duplicate_sets(texts, self.options.minhash_threshold),
                "paraphrase (embedding)": embedding_duplicate_sets(
                    self.neighbours, self.options.near_duplicate_threshold
                ),
            },
            self.given,
            [e.split for e in self.examples],
        )


@dataclass
class CheckResult:
    """A check's findings, indexed like the items: ``flags`` (issue type -> score in 0-1),
    ``why`` (sentences a reviewer reads), ``columns`` (other per-item values, e.g. the
    suggested label), and ``summary``: JSON-ready facts about the whole corpus that become
    the audit's metrics (keys unique across checks)."""

    flags: list[dict[str, float]]
    why: list[list[str]]
    columns: dict[str, list[Any]] = field(default_factory=dict)
    summary: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def empty(cls, n: int) -> CheckResult:
        return cls([{} for _ in range(n)], [[] for _ in range(n)])

    def flag(self, i: int, issue: str, score: float, why: str) -> None:
        self.flags[i][issue] = round(float(score), 4)
        self.why[i].append(why)


class Check(Protocol):
    name: ClassVar[str]
    issue_types: ClassVar[tuple[IssueType, ...]]

    def run(self, data: AuditData) -> CheckResult: ...

    def describe(self, summary: dict[str, Any]) -> list[Block]: ...


CHECKS: dict[str, Check] = {}
ISSUE_TYPES: dict[str, IssueType] = {}


def register(check: type) -> type:
    """Class decorator: add a check (one instance) and its issue types to the registries."""
    instance = check()
    CHECKS[instance.name] = instance
    for issue in instance.issue_types:
        ISSUE_TYPES[issue.name] = issue
    return check


def chosen_checks(names: Sequence[str]) -> list[Check]:
    """The configured checks in registry order (all when ``names`` is empty)."""
    return [c for name, c in CHECKS.items() if not names or name in names]


def priority(flags: dict[str, float], quality: float, uncertainty: float) -> float:
    """Label-issue severity first, then uncertainty (margin sampling), then other issues,
    each issue weighed by its declared severity."""
    label_kind = any(ISSUE_TYPES[k].label_kind for k in flags)
    severity = 1 - quality if label_kind else 0.0
    other = max(
        (ISSUE_TYPES[k].severity for k in flags if not ISSUE_TYPES[k].label_kind), default=0.0
    )
    return round(0.6 * severity + 0.25 * uncertainty + 0.15 * other, 5)


@dataclass
class Findings:
    """Every chosen check's results merged per item, plus their summaries."""

    flags: list[dict[str, float]]
    why: list[list[str]]
    columns: dict[str, list[Any]]
    summary: dict[str, Any]

    def column(self, name: str, default: Any) -> list[Any]:
        return self.columns.get(name) or [default] * len(self.flags)

    def priorities(self) -> list[float]:
        quality = self.column("quality", 1.0)
        uncertainty = self.column("uncertainty", 0.0)
        return [priority(f, q, u) for f, q, u in zip(self.flags, quality, uncertainty)]


def run_checks(data: AuditData, checks: Sequence[Check]) -> Findings:
    """Run ``checks`` in order and merge their results."""
    n = len(data.examples)
    merged = Findings([{} for _ in range(n)], [[] for _ in range(n)], {}, {})
    for check in checks:
        result = check.run(data)
        for i in range(n):
            merged.flags[i].update(result.flags[i])
            merged.why[i].extend(result.why[i])
        merged.columns.update(result.columns)
        merged.summary.update(result.summary)
    return merged
