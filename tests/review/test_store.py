import sqlite3

import pytest
import sqlalchemy as sa

from weakforge.errors import WeakforgeError
from weakforge.review.feedback import effective_decisions
from weakforge.review.service import QueueFilter, query
from weakforge.review.store import (
    QueueItem,
    database_url,
    decisions,
    display_name,
    items,
    open_database,
    top_items,
    update_queue,
    writing,
)


def item(i, priority, issues=("label_issue",)):
    return QueueItem(
        id=f"x{i}",
        text=f"text {i}",
        split="train",
        task="classification",
        weak_label="HAM",
        suggested_label="SPAM",
        issues=issues,
        scores={k: 0.5 for k in issues},
        votes={"LF000": "HAM"},
        why="because",
        duplicate_set=None,
        priority=priority,
    )


def test_rerun_updates_queue_and_never_loses_decisions(review_db):
    assert update_queue(review_db, [item(1, 0.9), item(2, 0.5)]) == {
        "new": 2,
        "updated": 0,
        "retired": 0,
    }
    engine = open_database(review_db)
    with writing(engine) as connection:
        connection.execute(
            decisions.insert().values(
                item_id="x2", reviewer="ana", action="relabel", new_label="SPAM", created_at="now"
            )
        )
    counts = update_queue(review_db, [item(1, 0.2), item(3, 0.7)])
    assert counts == {"new": 1, "updated": 1, "retired": 1}
    assert [t["id"] for t in top_items(review_db)] == ["x3", "x1"]
    with engine.connect() as connection:
        assert connection.execute(sa.select(decisions.c.item_id, decisions.c.new_label)).all() == [
            ("x2", "SPAM")
        ]
        active = dict(connection.execute(sa.select(items.c.id, items.c.active)).all())
    assert active == {"x1": 1, "x2": 0, "x3": 1}


def test_sqlite_queue_is_in_wal_mode(tmp_path):
    update_queue(tmp_path / "q.sqlite", [item(1, 0.5)])
    assert sqlite3.connect(tmp_path / "q.sqlite").execute("PRAGMA journal_mode").fetchone() == (
        "wal",
    )


OLD_SCHEMA = """
CREATE TABLE items (id TEXT PRIMARY KEY, text TEXT NOT NULL, split TEXT NOT NULL,
    task TEXT NOT NULL, weak_label TEXT, suggested_label TEXT, issues TEXT NOT NULL,
    scores TEXT NOT NULL, votes TEXT NOT NULL, why TEXT NOT NULL, duplicate_set INTEGER,
    priority REAL NOT NULL, active INTEGER NOT NULL DEFAULT 1, updated_at TEXT NOT NULL);
CREATE TABLE decisions (seq INTEGER PRIMARY KEY AUTOINCREMENT, item_id TEXT NOT NULL,
    reviewer TEXT NOT NULL, action TEXT NOT NULL, previous_label TEXT, new_label TEXT,
    note TEXT, created_at TEXT NOT NULL, undone INTEGER NOT NULL DEFAULT 0);
INSERT INTO items VALUES ('a', 'first', 'train', 'ner', '[[0, 5, "LOC"]]', '[]',
    '["label_issue"]', '{"label_issue": 0.7}', '{"gaz": [[0, 5, "LOC"]], "caps": []}',
    '', NULL, 0.9, 1, 'then');
INSERT INTO decisions (item_id, reviewer, action, new_label, created_at)
    VALUES ('a', 'ana', 'relabel', '[[0, 5, "ORG"]]', 'then');
"""


def test_a_queue_from_an_older_version_is_upgraded_in_place(tmp_path):
    path = tmp_path / "old.sqlite"
    sqlite3.connect(path).executescript(OLD_SCHEMA)
    engine = open_database(path)
    assert query(engine, QueueFilter(labels=("LOC",)))[1] == 1
    assert query(engine, QueueFilter(sources=("gaz",)))[1] == 1
    assert query(engine, QueueFilter(sources=("caps",)))[1] == 0
    assert query(engine, QueueFilter(status="reviewed"))[0][0]["decided_seq"] == 1
    assert query(engine, QueueFilter(issue_types=("label_issue",)), sort="score")[0][0][
        "score"
    ] == pytest.approx(0.7)
    assert effective_decisions(path) == {"a": ("relabel", [[0, 5, "ORG"]])}


def test_database_locations_and_their_errors(tmp_path):
    assert database_url(tmp_path / "q.sqlite").get_backend_name() == "sqlite"
    assert database_url("postgresql://ana@db/wf").drivername == "postgresql+psycopg"
    assert display_name("postgresql://ana:secret@db/wf") == "postgresql+psycopg://ana:***@db/wf"
    with pytest.raises(WeakforgeError, match="mysql is not supported"):
        database_url("mysql://ana@db/wf")
    with pytest.raises(WeakforgeError, match=r"cannot open the review database .*127\.0\.0\.1"):
        open_database("postgresql://ana@127.0.0.1:1/wf?connect_timeout=2")
    (tmp_path / "a_folder.sqlite").mkdir()
    with pytest.raises(WeakforgeError, match=r"cannot open the review database .*a_folder"):
        open_database(tmp_path / "a_folder.sqlite")


def test_a_lost_server_saves_nothing_and_says_so(postgres_server, postgres_url):
    import psycopg

    from weakforge.review.service import decide

    update_queue(postgres_url, [item(1, 0.9)])
    engine = open_database(postgres_url)
    decide(engine, "x1", "ana", "relabel", "SPAM")
    name = postgres_url.rsplit("/", 1)[1]
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as connection:
        connection.execute(f"DROP DATABASE {name} WITH (FORCE)")
    with pytest.raises(WeakforgeError, match="nothing was saved, try again"):
        decide(engine, "x1", "bo", "relabel", "HAM")
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    assert effective_decisions(postgres_url) == {}  # a new, empty database


def test_a_damaged_review_database_is_named_with_what_to_do(tmp_path):
    """Issue 37, case 22: an overwritten or truncated review.sqlite gave SQLAlchemy's
    DatabaseError without naming the file."""
    from weakforge.errors import WeakforgeError

    path = tmp_path / "review.sqlite"
    path.write_bytes(b"this is not a database, just some bytes" * 200)
    with pytest.raises(WeakforgeError, match="review.sqlite is damaged.*restore it"):
        open_database(path)


def test_a_full_disk_under_the_review_database_is_not_called_a_bad_path(tmp_path, monkeypatch):
    """Issue 37, case 30: "disk I/O error; check [audit] database" sent users to the config."""
    import sqlite3

    import sqlalchemy as sa

    from weakforge.errors import WeakforgeError
    from weakforge.review import store

    def full(engine):
        raise sa.exc.OperationalError("INSERT", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(store, "_prepare", full)
    with pytest.raises(WeakforgeError, match="cannot be written \\(disk I/O error\\).*free space"):
        open_database(tmp_path / "review.sqlite")
