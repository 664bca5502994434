"""weakforge: weak supervision and data quality for NLP.

The names users write rules with are importable from here::

    from weakforge import doc_rule, span_rule, gazetteer, keyword_rule

They load on first use (PEP 562), so ``import weakforge.records`` and ``weakforge --help``
stay light: spaCy and torch load only when a rule API or a stage needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

RULE_API: dict[str, str] = {
    "LabelingFunction": "weakforge.labeling.rules",
    "doc_rule": "weakforge.labeling.rules",
    "span_rule": "weakforge.labeling.rules",
    "unless": "weakforge.labeling.rules",
    "gazetteer": "weakforge.labeling.gazetteer",
    "keyword_rule": "weakforge.labeling.builders",
    "regex_rule": "weakforge.labeling.builders",
    "regex_span_rule": "weakforge.labeling.builders",
    "pattern_rule": "weakforge.labeling.builders",
    "name_before_rule": "weakforge.labeling.builders",
    "name_after_rule": "weakforge.labeling.builders",
    "llm_labeler": "weakforge.labeling.llm",
}
"""Each public name -> the module that defines it."""

__all__ = [
    "LabelingFunction",
    "doc_rule",
    "span_rule",
    "unless",
    "gazetteer",
    "keyword_rule",
    "regex_rule",
    "regex_span_rule",
    "pattern_rule",
    "name_before_rule",
    "name_after_rule",
    "llm_labeler",
]

if TYPE_CHECKING:  # what type checkers and IDEs see
    from weakforge.labeling.builders import (
        keyword_rule,
        name_after_rule,
        name_before_rule,
        pattern_rule,
        regex_rule,
        regex_span_rule,
    )
    from weakforge.labeling.gazetteer import gazetteer
    from weakforge.labeling.llm import llm_labeler
    from weakforge.labeling.rules import LabelingFunction, doc_rule, span_rule, unless


def __getattr__(name: str) -> Any:
    if name not in RULE_API:
        raise AttributeError(f"module 'weakforge' has no attribute {name!r}")
    value = getattr(importlib.import_module(RULE_API[name]), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *RULE_API])
