"""weakforge: weak supervision and data quality for NLP.

The names users write rules with are importable from here::

    from weakforge import doc_rule, span_rule, gazetteer, keyword_rule
"""

from weakforge.labeling.builders import (
    keyword_rule,
    name_after_rule,
    name_before_rule,
    pattern_rule,
    regex_rule,
    regex_span_rule,
)
from weakforge.labeling.gazetteer import gazetteer
from weakforge.labeling.rules import LabelingFunction, doc_rule, span_rule, unless

__version__ = "0.1.0"
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
]
