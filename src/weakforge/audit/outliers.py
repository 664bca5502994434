"""Check: outliers, the least typical items by cleanlab's kNN outlier score."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from weakforge.audit.checks import AuditData, CheckResult, IssueType, register
from weakforge.audit.cleanlab_adapter import outlier_scores
from weakforge.report import Block


@register
class Outliers:
    """The ``[audit] outlier_fraction`` of items with the lowest outlier score (distance to
    their nearest neighbours in embedding space); per item the score (``outlier_score``)."""

    name: ClassVar[str] = "outliers"
    issue_types: ClassVar[tuple[IssueType, ...]] = (
        IssueType(
            "outlier", "unlike the rest of the corpus (off-topic, garbled, another language)"
        ),
    )

    def run(self, data: AuditData) -> CheckResult:
        n = len(data.examples)
        result = CheckResult.empty(n)
        fraction = data.options.outlier_fraction
        scores = (
            outlier_scores(data.embeddings, data.neighbours.graph())
            if n > data.options.knn + 1
            else np.ones(n)
        )
        cutoff = np.quantile(scores, fraction) if n else 0
        for i, score in enumerate(scores):
            if score <= cutoff and fraction > 0:
                result.flag(i, "outlier", 1 - float(score), f"outlier (cleanlab score {score:.3f})")
        result.columns["outlier_score"] = [float(s) for s in scores]
        result.summary = {"outlier_cutoff": round(float(cutoff), 4)}
        return result

    def describe(self, summary: dict[str, Any]) -> list[Block]:
        return []
