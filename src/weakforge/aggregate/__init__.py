"""Aggregation: votes -> probabilistic labels. ``METHODS`` (name -> task kind -> function)
is filled by the modules that define the methods; importing this package registers them."""

from weakforge.aggregate import majority, skweak_adapter  # noqa: F401  (they register)
from weakforge.aggregate.methods import DEFAULTS, METHODS, aggregate, resolve_method

__all__ = ["DEFAULTS", "METHODS", "aggregate", "resolve_method"]
