"""Config values that name a registry entry, checked against the registries when a run
loads its config: the base layer (:mod:`weakforge.config`) checks types and ranges only, so
it never imports the stage packages that fill the registries."""

from __future__ import annotations

from collections.abc import Iterable

from weakforge.aggregate import METHODS
from weakforge.aggregate.model_sources import parse_span_model
from weakforge.audit import CHECKS, ISSUE_TYPES
from weakforge.audit.label_issues import CLASS_MODELS, LABEL_MODELS
from weakforge.augment.nlpaug_adapter import AUGMENTERS
from weakforge.config import RunConfig
from weakforge.errors import ConfigError, WeakforgeError
from weakforge.train.families import FAMILIES


def named_values(config: RunConfig) -> Iterable[tuple[str, list[str], list[str]]]:
    """(where, the names the config gives, the names allowed) for each registry-named key."""
    yield "[aggregate] method", [config.aggregate.method], ["auto", *METHODS]
    yield "[audit] checks", list(config.audit.checks), list(CHECKS)
    yield "[audit] label_model", [config.audit.label_model], list(LABEL_MODELS)
    yield "[audit] class_model", [config.audit.class_model], ["auto", *CLASS_MODELS]
    yield "[augment] skip_flags", list(config.augment.skip_flags), list(ISSUE_TYPES)
    yield "[augment] augmenters", list(config.augment.augmenters), list(AUGMENTERS)
    yield "[train] family", [config.train.family], list(FAMILIES)


def check_registered_names(config: RunConfig, source: str = "config") -> None:
    """Refuse a config value that names no registry entry, listing the valid names."""
    for where, names, allowed in named_values(config):
        for name in names:
            if name not in allowed:
                raise ConfigError(f"{source} {where}: unknown '{name}'; choose from {allowed}")
    try:  # "kind:FOLDER": its parser knows the kinds and which take a folder
        parse_span_model(config.aggregate.span_model)
    except WeakforgeError as exc:
        raise ConfigError(f"{source} {exc}") from None
