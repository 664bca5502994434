"""The audit: checks registered in :data:`weakforge.audit.checks.CHECKS` (label issues,
duplicates, leakage, outliers, imbalance, source disagreement), the cleanlab adapter, and
the embeddings and neighbours they share. Importing this package registers every check."""

from weakforge.audit import (  # noqa: F401  (each module registers its check)
    imbalance,
    label_issues,
    leakage,
    near_duplicates,
    outliers,
    source_disagreement,
)
from weakforge.audit.checks import CHECKS, ISSUE_TYPES, AuditData, run_checks

__all__ = ["CHECKS", "ISSUE_TYPES", "AuditData", "run_checks"]
