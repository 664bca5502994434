"""Aggregation: votes -> probabilistic labels. ``METHODS`` (name -> task kind -> function)
is filled by the modules that define the methods; importing this package imports every
module in it, so adding a method is adding one decorated function in one file here."""

import importlib
import pkgutil

from weakforge.aggregate.methods import METHODS, resolve_method
from weakforge.aggregate.selection import aggregate

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = ["METHODS", "aggregate", "resolve_method"]
