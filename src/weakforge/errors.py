"""Every error class weakforge raises on purpose, in one place.

Each message says what went wrong, where (file, line, rule, record, stage) and what to do,
and lists the valid names when a name was wrong. Only these print as one line in the CLI;
anything else is a bug whose traceback is kept (``-v``, and the run's ``weakforge.log``).
"""

from __future__ import annotations

from pathlib import Path


class WeakforgeError(Exception):
    """Base class: every error weakforge raises on purpose is one of these.

    The CLI prints these without a traceback, so the message must stand on its own.
    """


class ConfigError(WeakforgeError):
    """A run config that cannot be used as written."""


class CorpusError(WeakforgeError):
    """A record of an input corpus that cannot be read or is invalid.

    ``where`` names the line (``line 12``) or record (``record 'doc-7'``); ``fix`` says what
    the user should change.
    """

    def __init__(self, path: str | Path | None, where: str | None, problem: str, fix: str):
        self.path = str(path) if path is not None else None
        self.where = where
        self.problem = problem
        self.fix = fix
        super().__init__(self._format())

    def _format(self) -> str:
        place = ", ".join(p for p in (self.path, self.where) if p)
        prefix = f"{place}: " if place else ""
        return f"{prefix}{self.problem}. Fix: {self.fix}"


class StageError(WeakforgeError):
    """A pipeline stage failed; names the stage and wraps the cause."""


class RuleError(WeakforgeError):
    """A labeling function that cannot be used as written (names the rule and its file)."""


class RuleOutputError(ValueError):
    """A rule returned something that is not a valid vote (the applier adds where)."""


class AggregationError(WeakforgeError):
    """Votes could not be aggregated; the message says what to change."""


class ReviewConflict(WeakforgeError):
    """Someone else decided the item after this reviewer loaded it."""


class RuleTimeout(Exception):
    """A rule ran past ``[label] rule_timeout`` on one document (raised inside the rule by
    the timer, caught by the applier, reported as the rule's error on that document)."""
