"""Reviewing the queue: paged queries, decisions with an audit log, undo, and the decisions
that flow back into the next run.

Every decision is a new row (reviewer, time, previous and new label); nothing is updated in
place except the ``undone`` mark, so the history of an item is always complete. Writes take
SQLite's write lock (``BEGIN IMMEDIATE``) and check that the item has not been decided by
someone else since the reviewer loaded it, so two reviewers never silently overwrite each
other. The review page (``app/``) is a thin view over these functions.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from weakforge.config import RunConfig
from weakforge.errors import WeakforgeError
from weakforge.records import Example, label_from_json
from weakforge.review_queue import connect, now

QUEUE = "review.sqlite"
LABEL_ACTIONS = ("accept_weak", "accept_suggestion", "relabel", "duplicate")
IS_LABEL_ACTION = f"action IN ({', '.join(repr(a) for a in LABEL_ACTIONS)})"  # in SQL
ACTIONS = (*LABEL_ACTIONS, "skip", "note")
SORTS = {"priority": "priority DESC, id", "score": "score DESC, id", "id": "id"}


class ReviewConflict(WeakforgeError):
    """Someone else decided the item after this reviewer loaded it."""


def review_database(config: RunConfig, run_dir: Path) -> Path:
    """The review database: ``[audit] database`` if set, else review.sqlite in the run."""
    return config.resolve(config.audit.database) if config.audit.database else run_dir / QUEUE


@dataclass(frozen=True)
class QueueFilter:
    """What to show: any of these narrows the queue (empty = no restriction)."""

    issue_types: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    splits: tuple[str, ...] = ()
    min_priority: float | None = None
    max_priority: float | None = None
    status: str = "all"  # all, reviewed, unreviewed
    search: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


DECIDED = f"""(SELECT seq FROM decisions d
              WHERE d.item_id = items.id AND d.undone = 0 AND d.{IS_LABEL_ACTION}
              ORDER BY seq DESC LIMIT 1)"""


def where_clause(filt: QueueFilter) -> tuple[str, list[Any]]:
    clauses, args = ["items.active = 1"], []
    for kind in filt.issue_types:
        clauses.append("EXISTS (SELECT 1 FROM json_each(items.issues) WHERE value = ?)")
        args.append(kind)
    if filt.labels:
        parts = []
        for label in filt.labels:
            parts.append("(items.weak_label = ? OR items.weak_label LIKE ?)")
            args += [json.dumps(label), f'%"{label}"%']
        clauses.append("(" + " OR ".join(parts) + ")")
    if filt.sources:
        clauses.append(
            "("
            + " OR ".join("json_extract(items.votes, ?) IS NOT NULL" for _ in filt.sources)
            + ")"
        )
        args += [f'$."{s}"' for s in filt.sources]
    if filt.splits:
        clauses.append(f"items.split IN ({', '.join('?' for _ in filt.splits)})")
        args += list(filt.splits)
    if filt.min_priority is not None:
        clauses.append("items.priority >= ?")
        args.append(filt.min_priority)
    if filt.max_priority is not None:
        clauses.append("items.priority <= ?")
        args.append(filt.max_priority)
    if filt.status in ("reviewed", "unreviewed"):
        clauses.append(f"{'' if filt.status == 'reviewed' else 'NOT '}EXISTS {DECIDED}")
    if filt.search:
        clauses.append("items.text LIKE ? ESCAPE '\\'")
        escaped = filt.search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        args.append(f"%{escaped}%")
    return " AND ".join(clauses), args


def query(
    connection: sqlite3.Connection,
    filt: QueueFilter = QueueFilter(),
    sort: str = "priority",
    page: int = 0,
    page_size: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    """One page of queue items (with their current decision) and the total matching."""
    if sort not in SORTS:
        raise WeakforgeError(f"unknown sort '{sort}'; choose from {list(SORTS)}")
    where, args = where_clause(filt)
    total = connection.execute(f"SELECT count(*) FROM items WHERE {where}", args).fetchone()[0]
    rows = connection.execute(
        f"""SELECT id, text, split, task, weak_label, suggested_label, issues, scores, votes,
                   why, duplicate_set, priority,
                   (SELECT max(value) FROM json_each(items.scores)) AS score,
                   {DECIDED}
                   AS decided_seq
            FROM items WHERE {where} ORDER BY {SORTS[sort]} LIMIT ? OFFSET ?""",
        [*args, page_size, page * page_size],
    ).fetchall()
    names = [
        "id",
        "text",
        "split",
        "task",
        "weak_label",
        "suggested_label",
        "issues",
        "scores",
        "votes",
        "why",
        "duplicate_set",
        "priority",
        "score",
        "decided_seq",
    ]
    items = []
    for row in rows:
        item = dict(zip(names, row))
        for key in ("weak_label", "suggested_label", "issues", "scores", "votes"):
            item[key] = json.loads(item[key]) if item[key] is not None else None
        items.append(item)
    return items, total


def progress(connection: sqlite3.Connection) -> tuple[int, int]:
    """(reviewed, total) over active items."""
    total = connection.execute("SELECT count(*) FROM items WHERE active = 1").fetchone()[0]
    done = connection.execute(
        f"SELECT count(*) FROM items WHERE active = 1 AND EXISTS {DECIDED}"
    ).fetchone()[0]
    return done, total


def current(connection: sqlite3.Connection, item_id: str) -> tuple[int | None, Any]:
    """The item's latest effective decision: (seq, label), or (None, weak label)."""
    row = connection.execute(
        f"""SELECT seq, action, new_label FROM decisions WHERE item_id = ? AND undone = 0
           AND {IS_LABEL_ACTION} ORDER BY seq DESC LIMIT 1""",
        (item_id,),
    ).fetchone()
    if row is not None:
        return row[0], json.loads(row[2]) if row[2] is not None else None
    weak = connection.execute("SELECT weak_label FROM items WHERE id = ?", (item_id,)).fetchone()
    if weak is None:
        raise WeakforgeError(f"no item '{item_id}' in the review queue")
    return None, json.loads(weak[0]) if weak[0] is not None else None


def decide(
    connection: sqlite3.Connection,
    item_id: str,
    reviewer: str,
    action: str,
    new_label: Any = None,
    note: str = "",
    expected_seq: int | None = -1,
) -> int:
    """Record a decision; returns its sequence number. ``expected_seq`` is the decision the
    reviewer saw (None: none yet); -1 skips the check. A mismatch raises ReviewConflict."""
    if action not in ACTIONS:
        raise WeakforgeError(f"unknown action '{action}'; choose from {list(ACTIONS)}")
    if not reviewer.strip():
        raise WeakforgeError("a decision needs a reviewer name")
    connection.execute("BEGIN IMMEDIATE")
    try:
        seq, previous = current(connection, item_id)
        if expected_seq != -1 and seq != expected_seq:
            who = (
                connection.execute(
                    "SELECT reviewer, created_at FROM decisions WHERE seq = ?", (seq,)
                ).fetchone()
                if seq
                else ("someone", "")
            )
            raise ReviewConflict(
                f"item '{item_id}' was decided by {who[0]} at {who[1]} "
                "after you opened it; reload it to see their decision"
            )
        if action == "accept_weak":
            new_label = connection.execute(
                "SELECT weak_label FROM items WHERE id = ?", (item_id,)
            ).fetchone()[0]
            new_label = json.loads(new_label) if new_label is not None else None
        elif action == "accept_suggestion":
            suggested = connection.execute(
                "SELECT suggested_label FROM items WHERE id = ?", (item_id,)
            ).fetchone()[0]
            new_label = json.loads(suggested) if suggested is not None else None
        elif action in ("duplicate", "skip", "note"):
            new_label = None
        elif new_label is None:
            raise WeakforgeError("relabel needs the new label")
        cursor = connection.execute(
            """INSERT INTO decisions (item_id, reviewer, action, previous_label, new_label,
                   note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)""",
            (
                item_id,
                reviewer,
                action,
                json.dumps(previous),
                None if new_label is None else json.dumps(new_label),
                note,
                now(),
            ),
        )
        connection.execute("COMMIT")
        return int(cursor.lastrowid)
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def undo(connection: sqlite3.Connection, reviewer: str) -> int | None:
    """Undo this reviewer's last decision (marked undone, and logged); its seq or None."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        row = connection.execute(
            """SELECT seq, item_id FROM decisions WHERE reviewer = ? AND undone = 0
               AND action != 'undo' ORDER BY seq DESC LIMIT 1""",
            (reviewer,),
        ).fetchone()
        if row is None:
            connection.execute("COMMIT")
            return None
        connection.execute("UPDATE decisions SET undone = 1 WHERE seq = ?", (row[0],))
        connection.execute(
            """INSERT INTO decisions (item_id, reviewer, action, note, created_at, undone)
               VALUES (?, ?, 'undo', ?, ?, 1)""",
            (row[1], reviewer, f"undid #{row[0]}", now()),
        )
        connection.execute("COMMIT")
        return int(row[0])
    except BaseException:
        connection.execute("ROLLBACK")
        raise


def history(connection: sqlite3.Connection, item_id: str) -> list[dict[str, Any]]:
    rows = connection.execute(
        """SELECT seq, reviewer, action, previous_label, new_label, note, created_at, undone
           FROM decisions WHERE item_id = ? ORDER BY seq""",
        (item_id,),
    ).fetchall()
    names = [
        "seq",
        "reviewer",
        "action",
        "previous_label",
        "new_label",
        "note",
        "created_at",
        "undone",
    ]
    return [dict(zip(names, r)) for r in rows]


def effective_decisions(path: Path) -> dict[str, tuple[str, Any]]:
    """Item id -> (action, label) of its latest effective decision (empty if no database)."""
    if not path.exists():
        return {}
    connection = connect(path)
    try:
        rows = connection.execute(
            f"""SELECT item_id, action, new_label FROM decisions d WHERE undone = 0
               AND {IS_LABEL_ACTION} AND seq =
               (SELECT max(seq) FROM decisions e WHERE e.item_id = d.item_id AND e.undone = 0
                AND e.{IS_LABEL_ACTION})"""
        ).fetchall()
    finally:
        connection.close()
    decisions = {}
    for item, action, label in rows:
        try:
            decisions[item] = (action, json.loads(label) if label is not None else None)
        except json.JSONDecodeError:
            raise WeakforgeError(
                f"{path}: the decision on item '{item}' holds a label that is "
                f"not JSON ({label!r}); record decisions through weakforge "
                "(the review page or weakforge.review.decide)"
            ) from None
    return decisions


def decisions_fingerprint(config: RunConfig, run_dir: Path) -> str:
    """Changes exactly when the effective decisions change (not when the queue does)."""
    decisions = effective_decisions(review_database(config, run_dir))
    return hashlib.sha256(json.dumps(sorted(decisions.items()), default=str).encode()).hexdigest()


def apply_decisions(
    examples: Sequence[Example], decisions: dict[str, tuple[str, Any]]
) -> tuple[list[Example], dict[str, int]]:
    """Reviewed labels become gold; items marked as duplicates are dropped."""
    out, counts = [], {"gold": 0, "dropped": 0}
    for example in examples:
        action, label = decisions.get(example.id, (None, None))
        if action == "duplicate":
            counts["dropped"] += 1
            continue
        if action in LABEL_ACTIONS and label is not None:  # duplicates returned above
            example = replace(
                example, gold=label_from_json(label), meta={**example.meta, "reviewed": action}
            )
            counts["gold"] += 1
        out.append(example)
    return out, counts


def reviewed_examples(path: Path) -> list[Example]:
    """The reviewed set: each decided item with its reviewed label as gold (duplicates left
    out), ready for any corpus writer."""
    decisions = effective_decisions(path)
    connection = connect(path)
    try:
        rows = connection.execute("SELECT id, text, split FROM items").fetchall()
    finally:
        connection.close()
    return [
        Example(
            id=item,
            text=text,
            split=split,
            gold=label_from_json(decisions[item][1]),
            meta={"reviewed": decisions[item][0]},
        )
        for item, text, split in rows
        if item in decisions and decisions[item][0] != "duplicate"
    ]
