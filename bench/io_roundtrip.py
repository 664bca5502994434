"""Round trip of real corpora through weakforge's readers and writers.

CoNLL-2003 dev (IOB1, 4 columns) and WRENCH youtube/sms/trec are read, written back in their
own format (and CoNLL dev also through JSONL, Parquet and spaCy DocBin), read again, and
compared: tokens, character offsets, labels, POS/chunk columns, document breaks, votes.

    python bench/io_roundtrip.py
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from benchlib import markdown_table, record, shared

from weakforge.corpus import WriteOptions, read_corpus, write_corpus


def same_records(a, b) -> bool:
    """Equal in everything but the id, which CoNLL derives from the file name."""
    return len(a) == len(b) and all(replace(x, id="") == replace(y, id="") for x, y in zip(a, b))


def conll_rows(tmp: Path) -> tuple[list[list[object]], bool]:
    source = shared("conll2003", "eng.testa")
    examples = read_corpus(source, "conll").examples
    rows, exact = [], True
    for fmt, name in (
        ("conll", "dev.conll"),
        ("jsonl", "dev.jsonl"),
        ("parquet", "dev.parquet"),
        ("spacy", "dev.spacy"),
    ):
        t0 = time.perf_counter()
        write_corpus(examples, tmp / name, fmt, WriteOptions(scheme="iob1"))
        back = read_corpus(tmp / name, fmt).examples
        ok = same_records(examples, back)
        tokens = sum(len(e.text.split(" ")) for e in back)
        spans = sum(len(e.gold) for e in back)
        extra = ""
        if fmt == "conll":
            original = source.read_text(encoding="utf-8")
            written = (tmp / name).read_text(encoding="utf-8")
            extra = (
                "byte-identical"
                if written == original
                else "identical but for trailing blank lines"
                if written.rstrip("\n") == original.rstrip("\n")
                else "bytes differ"
            )
        exact = exact and ok
        rows.append(
            [
                f"CoNLL-2003 dev -> {fmt}",
                len(back),
                tokens,
                spans,
                ok,
                round(time.perf_counter() - t0, 3),
                extra,
            ]
        )
    return rows, exact


def wrench_rows(tmp: Path) -> tuple[list[list[object]], bool]:
    rows, exact = [], True
    for name in ("youtube", "sms", "trec"):
        folder = shared("wrench", name)
        t0 = time.perf_counter()
        examples = read_corpus(folder).examples
        labels = tuple(json.loads((folder / "label.json").read_text()).values())
        write_corpus(examples, tmp / name, "wrench", WriteOptions(labels=labels))
        back = read_corpus(tmp / name).examples
        files_equal = all(
            json.loads((folder / f).read_text()) == json.loads((tmp / name / f).read_text())
            for f in ("train.json", "valid.json", "test.json", "label.json")
        )
        ok = back == examples and files_equal
        exact = exact and ok
        votes = sum(v is not None for e in back for v in e.votes.values())
        rows.append(
            [
                f"WRENCH {name}",
                len(back),
                len(back[0].votes),
                votes,
                ok,
                round(time.perf_counter() - t0, 3),
                "JSON equal to the original" if files_equal else "JSON differs",
            ]
        )
    return rows, exact


def main() -> None:
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        conll, conll_exact = conll_rows(Path(tmp))
        wrench, wrench_exact = wrench_rows(Path(tmp))
    seconds = round(time.perf_counter() - started, 3)
    table = (
        markdown_table(
            ["corpus -> format", "records", "tokens", "entities", "exact", "seconds", "note"], conll
        )
        + "\n\n"
        + markdown_table(
            ["corpus", "records", "sources", "non-abstain votes", "exact", "seconds", "note"],
            wrench,
        )
        + f"\n\nTotal: {seconds} s."
    )
    record(
        "io_roundtrip",
        {"conll_dev_exact": conll_exact, "wrench_exact": wrench_exact, "seconds": seconds},
        table,
        ["../shared/data/conll2003/eng.testa", "../shared/data/wrench/{youtube,sms,trec}"],
    )


if __name__ == "__main__":
    main()
