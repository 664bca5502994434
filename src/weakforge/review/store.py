"""The review queue's database: flagged items and reviewers' decisions.

A run keeps its queue in ``review.sqlite`` (SQLite in WAL mode) by default; a team that
shares one queue names a PostgreSQL server by URL (``[audit] database =
"postgresql://reviewer@host/weakforge"``). Both go through SQLAlchemy Core with the same
tables and portable queries: no JSON functions in SQL (what filters need is kept in
``item_tags``), writes under a lock (SQLite's ``BEGIN IMMEDIATE``, PostgreSQL's row locks).

The audit writes ``items`` (upserted by id: a re-run refreshes scores and priorities and
retires items no longer flagged, but never deletes a row); reviewers' decisions live in
their own append-only ``decisions`` table, which the audit never touches.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from weakforge.errors import WeakforgeError
from weakforge.review.actions import LABEL_ACTIONS

Database = Path | str  # a SQLite file, or a database URL
DIALECTS = {"sqlite": sqlite, "postgresql": postgresql}

metadata = sa.MetaData()
items = sa.Table(
    "items",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("split", sa.Text, nullable=False),
    sa.Column("task", sa.Text, nullable=False),
    sa.Column("weak_label", sa.Text),  # JSON text, as are the next four
    sa.Column("suggested_label", sa.Text),
    sa.Column("issues", sa.Text, nullable=False),
    sa.Column("scores", sa.Text, nullable=False),
    sa.Column("votes", sa.Text, nullable=False),
    sa.Column("why", sa.Text, nullable=False),
    sa.Column("duplicate_set", sa.Integer),
    sa.Column("priority", sa.Float, nullable=False),
    sa.Column("active", sa.Integer, nullable=False, server_default="1"),
    sa.Column("updated_at", sa.Text, nullable=False),
    sa.Column("score", sa.Float),  # the largest issue score, for sorting
    # the seq of the item's latest effective label decision (NULL: not reviewed), kept in
    # step with ``decisions`` by every write, in the same transaction
    sa.Column("decided_seq", sa.Integer),
    sa.Column("probs", sa.Text),  # JSON: the label model's class probabilities ({} for gold)
    # 1: two reviewers label this item independently (``[audit] double_annotate``)
    sa.Column("double", sa.Integer),
    sa.Index("items_priority", "active", sa.desc("priority")),
)
# the page's default view (unreviewed, by priority) and its progress counts
items_review_index = sa.Index("items_review", items.c.active, items.c.decided_seq, items.c.priority)
# what the queue filters on, one row per (item, kind, value): kind is "issue" (an issue
# type), "label" (the weak label, or a span label for NER) or "source" (a source that voted)
item_tags = sa.Table(
    "item_tags",
    metadata,
    sa.Column("item_id", sa.Text, primary_key=True),
    sa.Column("kind", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, primary_key=True),
    sa.Index("item_tags_value", "kind", "value", "item_id"),
)
decisions = sa.Table(
    "decisions",
    metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("item_id", sa.Text, nullable=False),
    sa.Column("reviewer", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("previous_label", sa.Text),
    sa.Column("new_label", sa.Text),
    sa.Column("note", sa.Text),
    sa.Column("created_at", sa.Text, nullable=False),
    sa.Column("undone", sa.Integer, nullable=False, server_default="0"),
    sa.Column("text_sha", sa.Text),  # the item's text as the reviewer saw it (SHA-256)
    sa.Index("decisions_item", "item_id", "seq"),
    sqlite_autoincrement=True,  # a sequence number is never reused
)
# who is working on which item: a claim expires, so a reviewer who walks away frees it;
# each reviewer's next item is one nobody else holds
claims = sa.Table(
    "claims",
    metadata,
    sa.Column("item_id", sa.Text, primary_key=True),
    sa.Column("reviewer", sa.Text, nullable=False),
    sa.Column("expires_at", sa.Text, nullable=False),
)
# facts about the queue as a whole; "filled": a fresh token each time an audit fills it, so
# the pipeline can tell the queue it left there from one refilled (or lost) since
queue_meta = sa.Table(
    "queue_meta",
    metadata,
    sa.Column("key", sa.Text, primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
FILLED = "filled"
LABELS = "labels"  # queue_meta key: the run's labels, the only ones a reviewer may give


def database_url(target: Database) -> URL:
    """The SQLAlchemy URL of a SQLite file or a database URL (PostgreSQL through psycopg)."""
    if isinstance(target, Path) or "://" not in str(target):
        return URL.create("sqlite", database=str(Path(target).resolve()))
    try:
        url = make_url(str(target))
    except sa.exc.ArgumentError as exc:
        raise WeakforgeError(f"review database URL '{target}' is not a valid URL: {exc}") from None
    if url.get_backend_name() not in DIALECTS:
        raise WeakforgeError(
            f"review database '{url.render_as_string(hide_password=True)}': "
            f"{url.get_backend_name()} is not supported; use a SQLite file path or a "
            "postgresql://user@host/dbname URL"
        )
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    return url


def as_database(text: str, base_dir: Path | None = None) -> Database:
    """A database as configured: a URL as is, a file path resolved against ``base_dir``."""
    if "://" in text:
        return text
    path = Path(text).expanduser()
    return path if path.is_absolute() or base_dir is None else Path(base_dir) / path


def display_name(target: Database) -> str:
    """The database as reports and messages show it (a file path, or a URL without its
    password)."""
    url = database_url(target)
    return url.database if url.get_backend_name() == "sqlite" else url.render_as_string(True)


@lru_cache(maxsize=32)
def _sqlite_engine(path: str) -> Engine:
    # a fresh connection per use (NullPool): a run folder deleted and made anew behind a
    # long-running page must never leave it writing into the old, unlinked file
    engine = sa.create_engine(
        URL.create("sqlite", database=path), poolclass=NullPool, connect_args={"timeout": 30}
    )

    @sa.event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA busy_timeout=30000")

    @sa.event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        locking = connection.get_execution_options().get("write_lock")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if locking else "BEGIN")

    return engine


@lru_cache(maxsize=8)
def _server_engine(url_text: str) -> Engine:
    # one connection pool per server URL and process (the review page reruns often)
    return sa.create_engine(url_text, pool_pre_ping=True)


@contextmanager
def _opening(target: Database) -> Iterator[URL]:
    """The target's URL; a missing driver or a database that can't be reached becomes an
    error that names the database and what to check."""
    try:
        yield database_url(target)
    except ModuleNotFoundError as exc:
        raise WeakforgeError(
            f"review database {display_name(target)} needs the PostgreSQL driver "
            f"({exc.name} is missing): pip install 'weakforge[postgres]'"
        ) from None
    except sa.exc.OperationalError as exc:
        reason = str(exc.orig).strip()
        if any(sign in reason.lower() for sign in ("disk i/o", "disk is full", "no space")):
            raise WeakforgeError(  # the path is right: the disk under it is not
                f"the review database {display_name(target)} cannot be written ({reason}): "
                "its disk is full or failing; free space there and try again"
            ) from None
        raise WeakforgeError(
            f"cannot open the review database {display_name(target)}: "
            f"{reason}; check [audit] database in the run's config "
            "(a SQLite file path, or a postgresql:// URL of a server you can reach)"
        ) from None
    except sa.exc.DatabaseError as exc:  # a file overwritten or cut short: not a database
        raise WeakforgeError(
            f"the review database {display_name(target)} is damaged ({str(exc.orig).strip()}); "
            "restore it from a copy, or move it away and rerun the audit to start a new "
            "queue (the decisions in it cannot be read)"
        ) from None


def _engine(url: URL) -> Engine:
    if url.get_backend_name() == "sqlite":
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        return _sqlite_engine(url.database)
    return _server_engine(url.render_as_string(hide_password=False))


def open_database(target: Database) -> Engine:
    """An engine on the review database, with its tables created (or brought up to date)."""
    with _opening(target) as url:
        engine = _engine(url)
        _prepare(engine)
        return engine


def _prepare(engine: Engine) -> None:
    """Create or upgrade the tables; checked by reading first, so opening a queue that is
    up to date never waits for a writer (an audit filling the queue, say)."""
    with engine.connect() as connection:
        if _schema_current(connection):
            return
    # not through writing(): open_database words a failure here itself
    with engine.execution_options(write_lock=True).begin() as connection:
        metadata.create_all(connection)
        _upgrade(connection)


def _schema_current(connection: Connection) -> bool:
    inspector = sa.inspect(connection)
    if not all(inspector.has_table(name) for name in metadata.tables):
        return False
    if not set(ADDED_DECISION_COLUMNS) <= {c["name"] for c in inspector.get_columns("decisions")}:
        return False
    return set(ADDED_COLUMNS) <= {c["name"] for c in inspector.get_columns("items")}


def queue_exists(target: Database) -> bool:
    """Whether an audit has written a queue there (without creating anything)."""
    with _opening(target) as url:
        if url.get_backend_name() == "sqlite":
            return Path(url.database).exists()
        return sa.inspect(_engine(url)).has_table("items")


@contextmanager
def writing(engine: Engine) -> Iterator[Connection]:
    """A transaction that takes the write lock first (SQLite: BEGIN IMMEDIATE; on a server
    the statements inside lock the rows they change or select FOR UPDATE)."""
    try:
        with engine.execution_options(write_lock=True).begin() as connection:
            yield connection
    except sa.exc.OperationalError as exc:  # the transaction was rolled back whole
        raise WeakforgeError(
            f"review database {engine.url.render_as_string(hide_password=True)}: "
            f"{str(exc.orig).strip()}; nothing was saved, try again"
        ) from None


def is_label_action(table: sa.Table = decisions) -> sa.ColumnElement[bool]:
    return table.c.action.in_(LABEL_ACTIONS)


def latest_decision(item_id: sa.ColumnElement[str]) -> sa.ScalarSelect[int]:
    """The seq of the item's latest effective label decision (NULL if none)."""
    return (
        sa.select(sa.func.max(decisions.c.seq))
        .where(decisions.c.item_id == item_id, decisions.c.undone == 0, is_label_action())
        .scalar_subquery()
    )


def refresh_decided(connection: Connection, item_id: str | None = None) -> None:
    """Recompute ``items.decided_seq`` from the decisions (one item, or all)."""
    update = items.update().values(decided_seq=latest_decision(items.c.id))
    connection.execute(update if item_id is None else update.where(items.c.id == item_id))


ADDED_COLUMNS = {  # since v1
    "score": "FLOAT",
    "decided_seq": "INTEGER",
    "probs": "TEXT",
    "double": "INTEGER",
}


ADDED_DECISION_COLUMNS = {"text_sha": "TEXT"}  # since v2; NULL for older decisions


def text_sha(text: str) -> str:
    """What binds a decision to the text it was made on."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _upgrade(connection: Connection) -> None:
    """Bring a queue written by an older weakforge up to date (columns added since, filled
    where the stored data allows; ``item_tags`` filled), so filters see every item;
    decisions are never touched (a decision from before ``text_sha`` keeps it empty)."""
    known = {c["name"] for c in sa.inspect(connection).get_columns("decisions")}
    for name, kind in ADDED_DECISION_COLUMNS.items():
        if name not in known:
            connection.exec_driver_sql(f"ALTER TABLE decisions ADD COLUMN {name} {kind}")
    columns = {c["name"] for c in sa.inspect(connection).get_columns("items")}
    missing = [name for name in ADDED_COLUMNS if name not in columns]
    for name in missing:
        connection.exec_driver_sql(f"ALTER TABLE items ADD COLUMN {name} {ADDED_COLUMNS[name]}")
    if "decided_seq" in missing:
        refresh_decided(connection)
        items_review_index.create(connection, checkfirst=True)
    if "score" not in missing:
        return
    rows = connection.execute(
        sa.select(items.c.id, items.c.weak_label, items.c.issues, items.c.scores, items.c.votes)
    ).all()
    for item_id, weak, issues, scores, votes in rows:
        scores = json.loads(scores)
        connection.execute(
            items.update().where(items.c.id == item_id).values(score=max_score(scores))
        )
        tags = tag_rows(item_id, json.loads(weak), json.loads(issues), json.loads(votes))
        if tags:
            connection.execute(item_tags.insert(), tags)


def max_score(scores: dict[str, float]) -> float | None:
    return max(scores.values()) if scores else None


def tag_rows(
    item_id: str, weak_label: Any, issues: Sequence[str], votes: dict[str, Any]
) -> list[dict[str, str]]:
    """The rows the queue filters on: issue types, labels (the class, or each span's
    label), sources that voted."""
    labels = (
        {span[2] for span in weak_label} if isinstance(weak_label, list) else {weak_label} - {None}
    )
    values = (
        {("issue", kind) for kind in issues}
        | {("label", str(label)) for label in labels}
        | {("source", s) for s, vote in votes.items() if vote not in (None, [])}
    )
    return [{"item_id": item_id, "kind": k, "value": v} for k, v in sorted(values)]


@dataclass(frozen=True, kw_only=True)
class QueueItem:
    """One flagged item as the audit hands it to the queue (fields by name only: thirteen
    positional fields are too easy to swap)."""

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
    probs: dict[str, float] = field(default_factory=dict)  # the label model's, per class

    def tags(self) -> list[dict[str, str]]:
        return tag_rows(self.id, self.weak_label, self.issues, self.votes)

    def row(self, stamp: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "split": self.split,
            "task": self.task,
            "weak_label": json.dumps(self.weak_label),
            "suggested_label": json.dumps(self.suggested_label),
            "issues": json.dumps(list(self.issues)),
            "scores": json.dumps(self.scores),
            "votes": json.dumps(self.votes),
            "why": self.why,
            "duplicate_set": self.duplicate_set,
            "priority": self.priority,
            "active": 1,
            "updated_at": stamp,
            "score": max_score(self.scores),
            "probs": json.dumps(self.probs),
        }


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def is_double(item_id: str, share: float) -> bool:
    """Whether an item is in the double-annotated ``share`` of the queue: a stable choice by
    the hash of its id, so a refilled queue keeps the same items double."""
    digest = int(hashlib.sha256(item_id.encode("utf-8")).hexdigest()[:8], 16)
    return digest / 0x1_0000_0000 < share


def update_queue(
    target: Database,
    queue: Iterable[QueueItem],
    batch: int = 5000,
    labels: Sequence[str] | None = None,
    double_share: float = 0.0,
) -> dict[str, int]:
    """Upsert flagged items; items flagged before but not now become inactive (kept, with
    their decisions). ``labels``: the run's labels, the only ones a reviewer may give;
    ``double_share``: the share of items two reviewers label independently. Returns counts
    of new, updated and retired items."""
    engine = open_database(target)
    stamp = now()
    counts = {"new": 0, "updated": 0, "retired": 0}
    insert = DIALECTS[engine.dialect.name].insert(items)
    upsert = insert.on_conflict_do_update(
        index_elements=[items.c.id],
        set_={
            c.name: insert.excluded[c.name]
            for c in items.columns
            if c.name not in ("id", "decided_seq")  # the audit never touches review state
        },
    )
    with writing(engine) as connection:
        existing = set(connection.scalars(sa.select(items.c.id)))
        connection.execute(item_tags.delete())  # refilled below for the items flagged now
        seen: set[str] = set()
        for chunk in _chunks(queue, batch):
            for item in chunk:
                counts["updated" if item.id in existing else "new"] += 1
                seen.add(item.id)
            rows = [
                {**item.row(stamp), "double": int(is_double(item.id, double_share))}
                for item in chunk
            ]
            connection.execute(upsert, rows)
            tags = [tag for item in chunk for tag in item.tags()]
            if tags:
                connection.execute(item_tags.insert(), tags)
        connection.execute(queue_meta.delete().where(queue_meta.c.key == FILLED))
        connection.execute(queue_meta.insert().values(key=FILLED, value=uuid.uuid4().hex))
        if labels:
            connection.execute(queue_meta.delete().where(queue_meta.c.key == LABELS))
            connection.execute(
                queue_meta.insert().values(key=LABELS, value=json.dumps(list(labels)))
            )
        retired = sorted(existing - seen)
        counts["retired"] = len(retired)
        if retired:
            connection.execute(
                items.update()
                .where(items.c.id == sa.bindparam("item_id"))
                .values(active=0, updated_at=stamp),
                [{"item_id": i} for i in retired],
            )
    with engine.begin() as connection:  # fresh statistics, or the planners guess badly
        connection.exec_driver_sql(  # (PostgreSQL: seconds per page at 100k items)
            "ANALYZE items, item_tags, decisions"
            if engine.dialect.name == "postgresql"
            else "ANALYZE"
        )
    return counts


def queue_labels(connection: sa.Connection) -> list[str]:
    """The labels a reviewer may give (empty when the audit that filled the queue named
    none)."""
    value = connection.scalar(sa.select(queue_meta.c.value).where(queue_meta.c.key == LABELS))
    return json.loads(value) if value else []


def filled_token(target: Database) -> str:
    """The token of the audit that last filled the queue ("" when there is no queue)."""
    if not queue_exists(target):
        return ""
    with open_database(target).connect() as connection:
        value = connection.scalar(sa.select(queue_meta.c.value).where(queue_meta.c.key == FILLED))
    return value or ""


def _chunks(queue: Iterable[QueueItem], size: int) -> Iterator[list[QueueItem]]:
    iterator = iter(queue)
    while chunk := list(islice(iterator, size)):
        yield chunk


def top_items(target: Database, limit: int = 10) -> list[dict[str, Any]]:
    """The highest-priority active items (what a reviewer sees first)."""
    engine = open_database(target)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(items.c.id, items.c.text, items.c.issues, items.c.priority, items.c.why)
            .where(items.c.active == 1)
            .order_by(items.c.priority.desc(), items.c.id)
            .limit(limit)
        ).all()
    return [
        {"id": r[0], "text": r[1], "issues": json.loads(r[2]), "priority": r[3], "why": r[4]}
        for r in rows
    ]
