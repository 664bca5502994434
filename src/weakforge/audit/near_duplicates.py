"""Check: exact and near duplicates (MinHash, embedding paraphrases), and duplicate sets
whose labels disagree."""

from __future__ import annotations

from typing import Any, ClassVar

from weakforge.audit.checks import AuditData, CheckResult, IssueType, register
from weakforge.report import Block


@register
class Duplicates:
    """Members of every duplicate set (see :mod:`weakforge.audit.duplicates`), named with
    the set's other members; per item the number of its set (``duplicate_set``)."""

    name: ClassVar[str] = "duplicates"
    issue_types: ClassVar[tuple[IssueType, ...]] = (
        IssueType("exact_duplicate", "the same text (after normalising) appears again"),
        IssueType("near_duplicate", "a near copy or paraphrase of another item"),
        IssueType("duplicate_conflict", "duplicates carry different labels", severity=1.0),
    )

    def run(self, data: AuditData) -> CheckResult:
        examples = data.examples
        result = CheckResult.empty(len(examples))
        has_twin = {i for group in data.exact_sets for i in group}
        number: list[int | None] = [None] * len(examples)
        sets = data.duplicate_sets
        for set_number, duplicate in enumerate(sets):
            for i in duplicate.members:
                number[i] = set_number
                others = [examples[j].id for j in duplicate.members if j != i][:3]
                kind = "exact_duplicate" if i in has_twin else "near_duplicate"
                result.flag(i, kind, 1.0, f"{' + '.join(duplicate.kinds)} duplicate of {others}")
                if duplicate.conflicting:
                    result.flag(i, "duplicate_conflict", 1.0, "duplicates carry different labels")
        result.columns["duplicate_set"] = number
        result.summary = {
            "duplicate_sets": len(sets),
            "conflicting_sets": sum(s.conflicting for s in sets),
        }
        return result

    def describe(self, summary: dict[str, Any]) -> list[Block]:
        return [
            f"{summary['duplicate_sets']} duplicate sets, {summary['conflicting_sets']} with "
            "conflicting labels."
        ]
