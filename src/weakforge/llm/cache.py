"""The LLM vote cache: each answer stored under the hash of (model, prompt, text), in one
SQLite file in the weakforge cache, so a rerun, ``lf-show`` and the workbench ask the model
only about texts it has not seen. Raw label scores are stored (not votes), so changing the
margin or the calibration costs no model call."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from weakforge.models import cache_dir


def default_path() -> Path:
    return cache_dir() / "llm" / "answers.sqlite"


def answer_key(model: str, prompt: str, text: str) -> str:
    return hashlib.sha256(json.dumps([model, prompt, text]).encode()).hexdigest()


class AnswerCache:
    """get_many / put_many of JSON answers by key; safe across processes (WAL, retries on a
    busy file), one transaction per batch."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, value TEXT)")

    def connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=60)

    def get_many(self, keys: Sequence[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        with self.connect() as db:
            for start in range(0, len(keys), 500):
                part = list(keys[start : start + 500])
                marks = ",".join("?" * len(part))
                rows = db.execute(f"SELECT key, value FROM answers WHERE key IN ({marks})", part)
                for key, value in rows:
                    try:
                        found[key] = json.loads(value)
                    except json.JSONDecodeError:  # a damaged row: asked again, then replaced
                        continue
        return found

    def put_many(self, items: Iterable[tuple[str, Any]]) -> None:
        rows = [(key, json.dumps(value)) for key, value in items]
        if rows:
            with self.connect() as db:
                db.executemany("INSERT OR REPLACE INTO answers VALUES (?, ?)", rows)
