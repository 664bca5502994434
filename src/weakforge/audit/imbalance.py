"""Check: class imbalance of the labels under audit (a corpus-level finding)."""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

from weakforge.audit.checks import AuditData, CheckResult, IssueType, register
from weakforge.report import Block


@register
class Imbalance:
    """Counts per class (per entity type for NER) of the labels under audit; imbalanced
    when the largest is more than ``[audit] imbalance_ratio`` times the smallest."""

    name: ClassVar[str] = "imbalance"
    issue_types: ClassVar[tuple[IssueType, ...]] = ()

    def run(self, data: AuditData) -> CheckResult:
        counts = Counter(
            x
            for label in data.given
            for x in ([label] if isinstance(label, str) else [s.label for s in label or ()])
        )
        ratio = (max(counts.values()) / max(min(counts.values()), 1)) if counts else 1.0
        result = CheckResult.empty(len(data.examples))
        result.summary = {
            "class_counts": dict(sorted(counts.items())),
            "imbalance_ratio": round(ratio, 2),
            "imbalanced": ratio > data.options.imbalance_ratio,
        }
        return result

    def describe(self, summary: dict[str, Any]) -> list[Block]:
        state = ", imbalanced" if summary["imbalanced"] else ""
        return [
            f"Class balance {summary['class_counts']} (ratio {summary['imbalance_ratio']}{state})."
        ]
