"""Options shared by corpus readers and writers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from weakforge.records import SPLIT_SYNONYMS


def numbered_id(path: Path, number: int) -> str:
    """The id of a record that names none: its file's whole name (``eng.testa-12``, not
    the stem ``eng``, which files of one corpus share) and its number in the file."""
    return f"{path.name}-{number}"


@dataclass(frozen=True)
class Columns:
    """Which field or column of an input holds what (JSONL, CSV, Parquet)."""

    text: str = "text"
    id: str = "id"
    label: str = "label"
    split: str = "split"


@dataclass(frozen=True)
class ReadOptions:
    """How to read a corpus.

    ``task`` and ``labels`` enable label checks; ``split`` is given to records that do not
    name one; ``split_map`` renames the splits records name (``valid`` -> ``dev``); any other
    split than train, dev or test is an error; ``scheme`` is the CoNLL tag scheme (``auto``
    tells IOB1 from BIO by the tags); ``on_error="skip"`` collects bad records as rejects
    instead of stopping.
    """

    columns: Columns = Columns()
    task: str | None = None
    labels: tuple[str, ...] | None = None
    split: str = "train"
    split_map: Mapping[str, str] = field(default_factory=lambda: dict(SPLIT_SYNONYMS))
    scheme: Literal["auto", "iob1", "bio"] = "auto"
    on_error: Literal["raise", "skip"] = "raise"


@dataclass(frozen=True)
class WriteOptions:
    """How to write a corpus.

    ``which`` picks the label written where a format holds one label: ``best`` is the gold
    label where there is one, else the aggregated label. ``labels`` fixes the class order for
    formats that store class indices (WRENCH, Hugging Face).
    """

    columns: Columns = Columns()
    task: str | None = None
    labels: tuple[str, ...] | None = None
    which: Literal["best", "gold", "label"] = "best"
    scheme: Literal["iob1", "bio"] = "bio"
    instruction: str | None = None
