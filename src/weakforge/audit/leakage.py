"""Check: train/dev/test leakage, i.e. duplicate sets that span several splits."""

from __future__ import annotations

from typing import Any, ClassVar

from weakforge.audit.checks import AuditData, CheckResult, IssueType, register
from weakforge.report import Block


@register
class Leakage:
    """Every member of a duplicate set whose items sit in more than one split: a test
    score on such items measures memory, not generalisation."""

    name: ClassVar[str] = "leakage"
    issue_types: ClassVar[tuple[IssueType, ...]] = (
        IssueType("leakage", "a duplicate of an item in another split", severity=1.0),
    )

    def run(self, data: AuditData) -> CheckResult:
        result = CheckResult.empty(len(data.examples))
        leaking = [s for s in data.duplicate_sets if s.leaks]
        for duplicate in leaking:
            for i in duplicate.members:
                result.flag(
                    i, "leakage", 1.0, f"duplicate set spans splits {list(duplicate.splits)}"
                )
        result.summary = {"leaking_sets": len(leaking)}
        return result

    def describe(self, summary: dict[str, Any]) -> list[Block]:
        return [f"{summary['leaking_sets']} duplicate sets cross splits (leakage)."]
