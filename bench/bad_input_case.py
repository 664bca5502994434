"""What one bad-input case is, and the builders of the corpus and rule cases that the sweep
(bench/bad_inputs.py) and issue 37's rows (bench/bad_input_faults.py) share."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Case:
    name: str
    area: str
    build: Callable[[Path], dict]  # writes files into the folder, returns the config table
    expect: str  # "error", "skip" or "ok"
    names: str = ""  # what a clear error must mention
    until: str = "ingest"
    act: Callable[[Path, dict], object] | None = None  # instead of `weakforge run`
    check: Callable[[Path], tuple[str, str] | None] | None = None  # (verdict, why) if wrong
    forbid: str = ""  # a wrong fix the error must not offer
    limit_s: int = 120  # a run still going after this is a hang


def jsonl(rows: list) -> str:
    return "".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows)


GOOD = [{"id": "g1", "text": "good text", "label": "HAM"}]


def corpus_case(
    name,
    content,
    expect,
    names,
    fmt="jsonl",
    suffix="jsonl",
    task="classification",
    labels=("HAM", "SPAM"),
    on_error="raise",
    extra=None,
):
    def build(folder: Path) -> dict:
        path = folder / f"data.{suffix}"
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        data = {"path": path.name, "format": fmt, "on_error": on_error, **(extra or {})}
        return {"run": {"task": task, "labels": list(labels)}, "data": data}

    return Case(name, f"corpus/{fmt}", build, expect, names)


RULE_HEADER = "import sys, time\nfrom weakforge import doc_rule, span_rule, gazetteer\n\n"


def rule_case(
    name, body, names, expect="error", task="classification", extra_files=None, label_options=None
):
    def build(folder: Path) -> dict:
        (folder / "data.jsonl").write_text(jsonl([{"id": "d1", "text": "Anna met Bob"}]))
        (folder / "rules.py").write_text(RULE_HEADER + body)
        for file, content in (extra_files or {}).items():
            (folder / file).write_text(content)
        labels = ["PER"] if task == "ner" else ["HAM", "SPAM"]
        return {
            "run": {"task": task, "labels": labels},
            "data": {"path": "data.jsonl"},
            "label": {"rules": ["rules.py"], **(label_options or {})},
            "aggregate": {"method": "majority", "rounds": 0},
        }

    return Case(name, "rules", build, expect, names, until="aggregate")
