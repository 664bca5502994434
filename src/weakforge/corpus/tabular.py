"""JSONL, CSV and Parquet: one record per line/row, fields mapped by :class:`Columns`.

Files written by weakforge itself carry the full record (votes, aggregated label, flags...)
and are read back exactly; other files need only a text field, and may name id, label and
split fields. Fields that are not mapped are kept in ``meta``.
"""

from __future__ import annotations

import csv
import json
import math
import numbers
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from weakforge.atomic import atomic_file, atomic_path
from weakforge.corpus.options import ReadOptions, WriteOptions, numbered_id
from weakforge.corpus.textfile import (
    BAD_BYTES_FIX,
    bad_byte,
    iter_lines,
    read_with_bad_bytes,
)
from weakforge.errors import CorpusError
from weakforge.labels import given_label
from weakforge.records import Example, example_from_dict, label_from_json, label_to_json

NATIVE_KEYS = ("id", "text", "gold", "split", "votes", "label", "probs", "flags", "origin", "meta")
JSON_COLUMNS = ("gold", "votes", "label", "probs", "flags", "meta")


def chosen_label(example: Example, which: str) -> Any:
    """The label a one-label format writes (see :class:`WriteOptions`)."""
    if which == "gold":
        return example.gold
    if which == "label":
        return example.label
    return given_label(example)


def example_from_row(
    row: Mapping[str, Any], options: ReadOptions, path: Path, where: str, fallback_id: str
) -> Example | CorpusError:
    """Map one input row onto an :class:`Example` (a weakforge row is read whole)."""
    cols = options.columns
    if all(key in row for key in NATIVE_KEYS):
        try:
            return example_from_dict(row)
        except (ValueError, TypeError, KeyError) as exc:
            return CorpusError(
                path,
                where,
                f"invalid weakforge record: {exc}",
                "fix the field named, or re-export the file with weakforge",
            )
    text = row.get(cols.text)
    if cols.text in row and text is not None and not isinstance(text, str):
        return CorpusError(
            path,
            where,
            f"the text field {cols.text!r} holds {type(text).__name__} {str(text)[:40]!r}, "
            "not a string",
            "give every record its text as a string (quote it in JSON)",
        )
    if not isinstance(text, str):
        found = sorted(row)
        return CorpusError(
            path,
            where,
            f"no text field {cols.text!r} (fields found: {found})",
            "set [data] text_field in the config to the field that holds the text",
        )
    if any("\udc80" <= ch <= "\udcff" for ch in text):
        return CorpusError(path, where, "the text holds non-UTF-8 bytes", BAD_BYTES_FIX)
    if any("\ud800" <= ch <= "\udfff" for ch in text):  # e.g. a lone "\ud800" escape in JSON
        return CorpusError(
            path,
            where,
            "the text holds a lone surrogate (half of a UTF-16 pair, not a character)",
            "fix the text's escapes, or drop the record",
        )
    raw_id = row.get(cols.id)
    example_id = record_id(raw_id, fallback_id)
    if example_id is None:
        return CorpusError(
            path,
            where,
            f"the id field {cols.id!r} holds {type(raw_id).__name__} {str(raw_id)[:40]!r}: an "
            "id is a string or a whole number",
            "give every record a string or integer id (or none: one is made from the line)",
        )
    raw_label = row.get(cols.label)
    try:
        gold = parse_label_cell(raw_label)
    except ValueError as exc:
        return CorpusError(
            path,
            where,
            f"record '{example_id}': bad label: {exc}",
            "give a class name, or spans as [[start, end, label], ...]",
        )
    split = row.get(cols.split) or options.split
    mapped = {cols.text, cols.id, cols.label, cols.split}
    meta = {k: v for k, v in row.items() if k not in mapped and v is not None}
    return Example(id=example_id, text=text, gold=gold, split=str(split), meta=meta)


def record_id(raw: Any, fallback: str) -> str | None:
    """A record's id as text: a string, or a whole number (a Parquet or pandas float such
    as 1.0 is the integer it holds); none given -> ``fallback``. Anything else (NaN, a
    fraction, a bool, an object, a list) is no id: None."""
    if raw is None or raw == "":
        return fallback
    if isinstance(raw, bool):
        return None
    if isinstance(raw, str):
        return raw
    if isinstance(raw, numbers.Integral):
        return str(int(raw))
    if isinstance(raw, numbers.Real) and math.isfinite(raw) and float(raw).is_integer():
        return str(int(raw))
    return None


def parse_label_cell(value: Any) -> Any:
    """A label from a cell: a class name, a span list, or a span list as JSON text."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value != value:  # NaN from pandas-written files
        return None
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise ValueError(f"label looks like a span list but is not JSON ({exc.msg})") from None
    if isinstance(value, (int, float, bool)):
        return str(value)
    if not isinstance(value, (str, list)):
        value = list(value)  # numpy arrays from Parquet list columns
    return label_from_json(value)


# --- JSONL -------------------------------------------------------------------------------


def read_jsonl(path: Path, options: ReadOptions) -> Iterator[tuple[str, Example | CorpusError]]:
    for number, line in iter_lines(path):
        where = f"line {number}"
        if isinstance(line, CorpusError):
            yield where, line
            continue
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            yield (
                where,
                CorpusError(
                    path,
                    where,
                    f"malformed JSON ({exc.msg} at column {exc.colno})",
                    "make each line one complete JSON object",
                ),
            )
            continue
        if not isinstance(row, dict):
            yield (
                where,
                CorpusError(
                    path,
                    where,
                    f"expected a JSON object, got {type(row).__name__}",
                    'write one object per line, e.g. {"text": "..."}',
                ),
            )
            continue
        yield where, example_from_row(row, options, path, where, numbered_id(path, number))


def write_jsonl(examples: Sequence[Example], path: Path, options: WriteOptions) -> None:
    """Full weakforge records, one JSON object a line."""
    with atomic_file(path) as handle:
        for example in examples:
            handle.write(json.dumps(example.to_dict(), ensure_ascii=False) + "\n")


# --- CSV ---------------------------------------------------------------------------------


def read_csv(path: Path, options: ReadOptions) -> Iterator[tuple[str, Example | CorpusError]]:
    import io

    text = read_with_bad_bytes(path)  # a bad byte rejects its row, not the file
    csv.field_size_limit(max(csv.field_size_limit(), len(text)))  # long texts are texts too
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    if reader.fieldnames is not None and any(bad_byte(f) is not None for f in reader.fieldnames):
        raise CorpusError(path, "line 1", "non-UTF-8 byte in the header", BAD_BYTES_FIX)
    if reader.fieldnames is None:
        raise CorpusError(
            path,
            "line 1",
            "the file has no header row",
            "add a header naming the columns (at least the text column)",
        )
    repeated = sorted({f for f in reader.fieldnames if reader.fieldnames.count(f) > 1})
    if repeated:
        raise CorpusError(
            path,
            "line 1",
            f"the header names a column twice: {repeated} (only the last would be read)",
            "give every column its own name",
        )
    if options.columns.text not in reader.fieldnames:
        raise CorpusError(
            path,
            "line 1",
            f"no text column {options.columns.text!r} (columns: {reader.fieldnames})",
            "set [data] text_field in the config to the column holding the text",
        )
    line = 1
    for index, row in enumerate(csv_rows(reader, path), start=1):
        where = f"line {line + 1}"
        first, line = line + 1, reader.line_num
        swallowed = swallowed_rows(row, len(reader.fieldnames)) if line > first else 0
        if swallowed:
            yield (
                where,
                CorpusError(
                    path,
                    where,
                    f"a quote opened on line {first} closes only on line {line}, swallowing "
                    f"{swallowed} lines that read as rows of their own",
                    'close the quote, or double a quote inside a quoted cell ("")',
                ),
            )
            continue
        byte = next(
            (b for v in row.values() if isinstance(v, str) and (b := bad_byte(v)) is not None),
            None,
        )
        if byte is not None:
            yield where, CorpusError(path, where, f"non-UTF-8 byte 0x{byte:02x}", BAD_BYTES_FIX)
            continue
        if None in row:
            yield (
                where,
                CorpusError(
                    path,
                    where,
                    "the row has more cells than the header",
                    "quote cells that contain commas",
                ),
            )
            continue
        yield where, example_from_row(row, options, path, where, numbered_id(path, index))


def csv_rows(reader: csv.DictReader, path: Path) -> Iterator[dict[str, Any]]:
    """The reader's rows; a quoting error (a file cut off inside a quoted cell, a stray
    character after a closing quote) is an error naming the line the row began on, never a
    record with its text cut short."""
    ended = 1  # the line the last complete row ended on (the header's at first)
    try:
        for row in reader:
            yield row
            ended = reader.line_num
    except csv.Error as exc:
        problem = (
            "the file ends inside a quoted cell (cut off, or a quote never closed)"
            if "end of data" in str(exc)
            else f"the row is not valid CSV ({exc})"
        )
        raise CorpusError(
            path,
            f"line {ended + 1}",
            problem,
            'close the quote, or double a quote inside a quoted cell ("")',
        ) from None


def swallowed_rows(row: Mapping[str, Any], columns: int) -> int:
    """How many lines inside the row's multi-line cells parse as complete rows themselves:
    the sign of a stray quote that ran on over the records after it."""
    found = 0
    for value in row.values():
        if isinstance(value, str) and "\n" in value:
            for inner in value.split("\n")[1:]:
                cells = next(csv.reader([inner]), [])
                found += len(cells) == columns and all(c.strip() for c in cells[:1])
    return found


def write_csv(examples: Sequence[Example], path: Path, options: WriteOptions) -> None:
    """Columns id, text, label, split (spans as JSON text)."""
    cols = options.columns
    with atomic_file(path, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([cols.id, cols.text, cols.label, cols.split])
        for example in examples:
            label = chosen_label(example, options.which)
            cell = (
                ""
                if label is None
                else (
                    label
                    if isinstance(label, str)
                    else json.dumps(label_to_json(label), ensure_ascii=False)
                )
            )
            writer.writerow([example.id, example.text, cell, example.split])


# --- Parquet -----------------------------------------------------------------------------


def read_parquet(path: Path, options: ReadOptions) -> Iterator[tuple[str, Example | CorpusError]]:
    try:
        parquet = pq.ParquetFile(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise CorpusError(
            path,
            None,
            f"not a readable Parquet file ({exc})",
            "check the file and the [data] format in the config",
        ) from None
    names = parquet.schema_arrow.names
    native = all(key in names for key in NATIVE_KEYS)
    index = 0
    for batch in parquet.iter_batches(batch_size=10_000):
        for row in batch.to_pylist():
            index += 1
            if native:
                row = {
                    k: (json.loads(row[k]) if k in JSON_COLUMNS and row[k] is not None else row[k])
                    for k in row
                }
            where = f"row {index}"
            yield where, example_from_row(row, options, path, where, numbered_id(path, index))


def records_table(examples: Sequence[Example]) -> pa.Table:
    """The run folder's columnar form of records: nested fields as JSON text columns."""
    dicts = [example.to_dict() for example in examples]
    columns: dict[str, list[Any]] = {key: [] for key in NATIVE_KEYS}
    for row in dicts:
        for key in NATIVE_KEYS:
            value = row[key]
            columns[key].append(
                json.dumps(value, ensure_ascii=False) if key in JSON_COLUMNS else value
            )
    schema = pa.schema([(k, pa.string()) for k in NATIVE_KEYS])
    return pa.table(columns, schema=schema)


def write_parquet(examples: Sequence[Example], path: Path, options: WriteOptions) -> None:
    with atomic_path(path) as tmp:
        pq.write_table(records_table(examples), tmp, compression="zstd")


def save_records(examples: Sequence[Example], path: Path) -> None:
    """Store records in a run folder (Parquet, atomically)."""
    write_parquet(examples, path, WriteOptions())


def load_records(path: Path) -> list[Example]:
    """Load records a stage stored with :func:`save_records`."""
    records = []
    for _where, item in read_parquet(path, ReadOptions()):
        if isinstance(item, CorpusError):
            raise item
        records.append(item)
    return records
