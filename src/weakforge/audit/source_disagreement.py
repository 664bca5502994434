"""Check: the labeling sources that disagree most with the aggregated labels (a
corpus-level finding that points rule authors at the rules to look at first)."""

from __future__ import annotations

from collections import Counter
from typing import Any, ClassVar

from weakforge.audit.checks import AuditData, CheckResult, IssueType, register
from weakforge.report import Block, Table

SHOWN = 10


@register
class SourceDisagreement:
    """Per source: how often its votes differ from the aggregated label (worst first)."""

    name: ClassVar[str] = "source_disagreement"
    issue_types: ClassVar[tuple[IssueType, ...]] = ()

    def run(self, data: AuditData) -> CheckResult:
        votes: Counter = Counter()
        differ: Counter = Counter()
        for example in data.examples:
            if example.label is None:
                continue
            agreed = set(example.label) if isinstance(example.label, tuple) else None
            for source, vote in example.votes.items():
                if vote is None or vote == ():
                    continue
                if isinstance(vote, tuple):
                    for span in vote:
                        votes[source] += 1
                        differ[source] += span not in agreed
                else:
                    votes[source] += 1
                    differ[source] += vote != example.label
        rows = [
            {"source": s, "votes": votes[s], "disagreement": round(differ[s] / votes[s], 3)}
            for s in votes
        ]
        result = CheckResult.empty(len(data.examples))
        result.summary = {
            "source_disagreement": sorted(rows, key=lambda r: -r["disagreement"])[:SHOWN]
        }
        return result

    def describe(self, summary: dict[str, Any]) -> list[Block]:
        return [
            "Sources that disagree most with the aggregated labels:",
            Table(
                ["source", "votes", "disagreement"],
                [
                    [r["source"], r["votes"], r["disagreement"]]
                    for r in summary["source_disagreement"]
                ],
            ),
        ]
