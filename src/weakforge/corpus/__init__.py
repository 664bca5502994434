"""Corpus I/O: read any supported format into :class:`~weakforge.records.Example` records and
write them to any supported format.

``read_corpus`` validates every record (text, labels, spans, unique ids); with
``on_error="skip"`` bad records are collected as rejects instead of stopping the read.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from weakforge.atomic import atomic_file
from weakforge.corpus.chat import write_chat
from weakforge.corpus.conll import read_conll, write_conll
from weakforge.corpus.docbin import read_docbin, write_docbin
from weakforge.corpus.hf_datasets import write_hf_datasets
from weakforge.corpus.labelstudio import write_labelstudio
from weakforge.corpus.options import Columns, ReadOptions, WriteOptions
from weakforge.corpus.tabular import (
    read_csv,
    read_jsonl,
    read_parquet,
    write_csv,
    write_jsonl,
    write_parquet,
)
from weakforge.corpus.validate import check_example
from weakforge.corpus.wrench import read_wrench, write_wrench
from weakforge.errors import CorpusError
from weakforge.records import SPLITS, Example

__all__ = [
    "Columns",
    "ReadOptions",
    "WriteOptions",
    "ReadResult",
    "read_corpus",
    "write_corpus",
    "write_rejects",
    "guess_format",
    "READERS",
    "WRITERS",
]

log = logging.getLogger(__name__)

Reader = Callable[[Path, ReadOptions], Iterator["tuple[str, Example | CorpusError]"]]
Writer = Callable[[Sequence[Example], Path, WriteOptions], None]

READERS: dict[str, Reader] = {
    "jsonl": read_jsonl,
    "csv": read_csv,
    "parquet": read_parquet,
    "conll": read_conll,
    "wrench": read_wrench,
    "spacy": read_docbin,
}
WRITERS: dict[str, Writer] = {
    "jsonl": write_jsonl,
    "csv": write_csv,
    "parquet": write_parquet,
    "conll": write_conll,
    "wrench": write_wrench,
    "spacy": write_docbin,
    "labelstudio": write_labelstudio,
    "hf": write_hf_datasets,
    "chat": write_chat,
}
SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".parquet": "parquet",
    ".conll": "conll",
    ".iob": "conll",
    ".bio": "conll",
    ".txt": "conll",
    ".spacy": "spacy",
    ".testa": "conll",
    ".testb": "conll",
    ".train": "conll",
}


def guess_format(path: Path) -> str:
    """The format a path's name or layout implies, else what its first lines look like;
    an error says how to name it."""
    if path.is_dir() or path.name == "label.json":
        if (path / "label.json").exists() or path.name == "label.json":
            return "wrench"
    if path.suffix.lower() == ".txt" and path.is_file():  # CoNLL often, plain text too
        if sniff_format(path) != "conll":
            raise CorpusError(
                path,
                None,
                "a .txt file whose lines are not CoNLL 'token TAG' lines (plain text?)",
                'give one record per line as JSONL ({"text": ...}) or a CSV with a text '
                'column, or set [data] format = "conll" if it is CoNLL',
            )
        return "conll"
    if path.suffix.lower() in SUFFIXES:
        return SUFFIXES[path.suffix.lower()]
    sniffed = sniff_format(path) if path.is_file() else None
    if sniffed is not None:
        log.info("%s: read as %s (told by its content)", path, sniffed)
        return sniffed
    raise CorpusError(
        path,
        None,
        "cannot tell the format from the file name or its first lines",
        f"set the file's format in [data] (format, dev_format or test_format) to one of "
        f"{sorted(READERS)}",
    )


CONLL_LINE = re.compile(r"^\S+(\s+\S+)*\s+(O|[BIES]-\S+)$")


def sniff_format(path: Path) -> str | None:
    """jsonl, parquet, conll or csv from a file's first bytes, or None when unsure."""
    with path.open("rb") as handle:
        head = handle.read(8192)
    if head.startswith(b"PAR1"):
        return "parquet"
    if head.startswith(b"\x00\x00") or b"\x00" in head[:64]:
        return None
    text = head.decode("utf-8", errors="replace").removeprefix("\ufeff")
    if text.lstrip().startswith("["):  # one JSON array, e.g. a Label Studio export
        raise CorpusError(
            path,
            None,
            "one JSON array (such as a Label Studio export), not a corpus format weakforge reads",
            'write one record per line as JSONL ({"id", "text", "label"})',
        )
    lines = [line.strip() for line in text.splitlines()[:50] if line.strip()]
    lines = lines[:-1] if len(lines) > 1 else lines  # the last may be cut mid-line
    if not lines:
        return None
    if all(line.startswith("{") for line in lines):
        return "jsonl"
    if all(line.startswith("-DOCSTART-") or CONLL_LINE.match(line) for line in lines):
        return "conll"
    if "," in lines[0] and len({line.count(",") for line in lines[:5]}) == 1:
        return "csv"
    return None


@dataclass
class ReadResult:
    """What a read gave: the valid examples, and the rejected records (skip mode only)."""

    examples: list[Example]
    rejects: list[CorpusError] = field(default_factory=list)


def read_corpus(
    path: str | Path, fmt: str | None = None, options: ReadOptions = ReadOptions()
) -> ReadResult:
    """Read and validate a corpus; raises the first :class:`CorpusError` unless skipping."""
    path = Path(path)
    if not path.exists():
        raise CorpusError(
            path,
            None,
            "no such file or folder",
            "check the path (relative paths start at the config's folder)",
        )
    fmt = fmt or guess_format(path)
    if fmt not in READERS:
        raise CorpusError(
            path, None, f"cannot read format {fmt!r}", f"use one of {sorted(READERS)}"
        )
    examples: list[Example] = []
    rejects: list[CorpusError] = []
    seen: dict[str, str] = {}

    def reject(error: CorpusError) -> None:
        if options.on_error == "raise":
            raise error
        rejects.append(error)

    for where, item in readable(READERS[fmt](path, options), path):
        if isinstance(item, CorpusError):
            reject(item)
            continue
        item = replace(item, split=options.split_map.get(item.split, item.split))
        problem = check_example(item, path, where, options.task, options.labels)
        if problem is None and item.split not in SPLITS:
            problem = CorpusError(
                path,
                where,
                f"record '{item.id}' names the split {item.split!r}",
                f"use one of {list(SPLITS)}, or map it in [data] split_map "
                f'(e.g. split_map = {{ {item.split!r} = "dev" }})',
            )
        if problem is None and item.id in seen:
            problem = CorpusError(
                path,
                where,
                f"duplicate id '{item.id}' (first at {seen[item.id]})",
                "give every record a unique id",
            )
        if problem is not None:
            reject(problem)
            continue
        seen[item.id] = where
        examples.append(item)
    if rejects:
        log.warning("%s: skipped %d bad records", path, len(rejects))
    return ReadResult(examples, rejects)


def readable(
    items: Iterator[tuple[str, Example | CorpusError]], path: Path
) -> Iterator[tuple[str, Example | CorpusError]]:
    """A reader's items; the file system refusing the file (no permission, a folder where
    a file belongs) becomes an error naming it, not a traceback."""
    try:
        yield from items
    except OSError as exc:
        raise CorpusError(
            path,
            None,
            f"cannot be read ({exc.strerror or exc})",
            "check the path and that this user may read it",
        ) from None


def write_corpus(
    examples: Sequence[Example],
    path: str | Path,
    fmt: str | None = None,
    options: WriteOptions = WriteOptions(),
) -> None:
    """Write examples in ``fmt`` (guessed from the suffix when not given)."""
    path = Path(path)
    fmt = fmt or guess_format(path)
    if fmt not in WRITERS:
        raise CorpusError(
            path, None, f"cannot write format {fmt!r}", f"use one of {sorted(WRITERS)}"
        )
    WRITERS[fmt](examples, path, options)


def write_rejects(rejects: Sequence[CorpusError], path: str | Path) -> None:
    """One JSON object a rejected record: file, line/record, problem, fix."""
    with atomic_file(path) as handle:
        for error in rejects:
            handle.write(
                json.dumps(
                    {
                        "path": error.path,
                        "where": error.where,
                        "problem": error.problem,
                        "fix": error.fix,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
