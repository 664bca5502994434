"""Errors that tell the user what went wrong, where, and what to do about it."""

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
