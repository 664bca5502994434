"""The review queue: flagged items in a SQLite database (WAL mode) in the run folder.

The audit writes ``items`` (upserted by id: a re-run refreshes scores and priorities and
retires items no longer flagged, but never deletes a row); reviewers' decisions live in
their own append-only ``decisions`` table, which the audit never touches.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY,
    text TEXT NOT NULL,
    split TEXT NOT NULL,
    task TEXT NOT NULL,
    weak_label TEXT,
    suggested_label TEXT,
    issues TEXT NOT NULL,
    scores TEXT NOT NULL,
    votes TEXT NOT NULL,
    why TEXT NOT NULL,
    duplicate_set INTEGER,
    priority REAL NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS items_priority ON items(active, priority DESC);
CREATE TABLE IF NOT EXISTS decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    item_id TEXT NOT NULL,
    reviewer TEXT NOT NULL,
    action TEXT NOT NULL,
    previous_label TEXT,
    new_label TEXT,
    note TEXT,
    created_at TEXT NOT NULL,
    undone INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS decisions_item ON decisions(item_id, seq);
"""


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) a review database in WAL mode with a busy timeout, so two
    reviewers and the audit can share it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(path, timeout=30, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA busy_timeout=30000")
    connection.executescript(SCHEMA)
    return connection


@dataclass(frozen=True)
class QueueItem:
    """One flagged item as the audit hands it to the queue."""

    id: str
    text: str
    split: str
    task: str
    weak_label: Any
    suggested_label: Any
    issues: Sequence[str]
    scores: dict[str, float]
    votes: dict[str, Any]
    why: str
    duplicate_set: int | None
    priority: float


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def update_queue(path: Path, items: Iterable[QueueItem]) -> dict[str, int]:
    """Upsert flagged items; items flagged before but not now become inactive (kept, with
    their decisions). Returns counts of new, updated and retired items."""
    connection = connect(path)
    stamp = now()
    counts = {"new": 0, "updated": 0, "retired": 0}
    try:
        connection.execute("BEGIN IMMEDIATE")
        existing = {row[0] for row in connection.execute("SELECT id FROM items")}
        seen = set()
        for item in items:
            seen.add(item.id)
            counts["updated" if item.id in existing else "new"] += 1
            connection.execute(
                """INSERT INTO items (id, text, split, task, weak_label, suggested_label, issues,
                       scores, votes, why, duplicate_set, priority, active, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
                   ON CONFLICT(id) DO UPDATE SET text=excluded.text, split=excluded.split,
                       task=excluded.task, weak_label=excluded.weak_label,
                       suggested_label=excluded.suggested_label, issues=excluded.issues,
                       scores=excluded.scores, votes=excluded.votes, why=excluded.why,
                       duplicate_set=excluded.duplicate_set, priority=excluded.priority,
                       active=1, updated_at=excluded.updated_at""",
                (
                    item.id,
                    item.text,
                    item.split,
                    item.task,
                    json.dumps(item.weak_label),
                    json.dumps(item.suggested_label),
                    json.dumps(list(item.issues)),
                    json.dumps(item.scores),
                    json.dumps(item.votes),
                    item.why,
                    item.duplicate_set,
                    item.priority,
                    stamp,
                ),
            )
        retired = existing - seen
        counts["retired"] = len(retired)
        connection.executemany(
            "UPDATE items SET active=0, updated_at=? WHERE id=?", [(stamp, i) for i in retired]
        )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    finally:
        connection.close()
    return counts


def top_items(path: Path, limit: int = 10) -> list[dict[str, Any]]:
    """The highest-priority active items (what a reviewer sees first)."""
    connection = connect(path)
    try:
        rows = connection.execute(
            "SELECT id, text, issues, priority, why FROM items WHERE active=1 "
            "ORDER BY priority DESC, id LIMIT ?",
            (limit,),
        ).fetchall()
    finally:
        connection.close()
    return [
        {"id": r[0], "text": r[1], "issues": json.loads(r[2]), "priority": r[3], "why": r[4]}
        for r in rows
    ]
