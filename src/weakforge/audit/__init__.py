"""The audit: checks registered in :data:`weakforge.audit.checks.CHECKS` (label issues,
duplicates, leakage, outliers, imbalance, source disagreement), the cleanlab adapter, and
the embeddings and neighbours they share.

Importing this package imports every module in it, so a check is registered by the module
that defines it: adding a check is adding one file here.
"""

import importlib
import pkgutil

from weakforge.audit.checks import CHECKS, ISSUE_TYPES, AuditData, CheckResult, run_checks

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["CHECKS", "ISSUE_TYPES", "AuditData", "CheckResult", "run_checks"]
