import sqlite3

from weakforge.review_queue import QueueItem, connect, top_items, update_queue


def item(i, priority, issues=("label_issue",)):
    return QueueItem(
        f"x{i}",
        f"text {i}",
        "train",
        "classification",
        "HAM",
        "SPAM",
        issues,
        {k: 0.5 for k in issues},
        {"LF000": "HAM"},
        "because",
        None,
        priority,
    )


def test_rerun_updates_queue_and_never_loses_decisions(tmp_path):
    db = tmp_path / "review.sqlite"
    assert update_queue(db, [item(1, 0.9), item(2, 0.5)]) == {"new": 2, "updated": 0, "retired": 0}
    connection = connect(db)
    connection.execute(
        "INSERT INTO decisions (item_id, reviewer, action, new_label, created_at)"
        " VALUES ('x2', 'ana', 'relabel', 'SPAM', 'now')"
    )
    connection.close()
    assert update_queue(db, [item(1, 0.2), item(3, 0.7)]) == {"new": 1, "updated": 1, "retired": 1}
    assert [t["id"] for t in top_items(db)] == ["x3", "x1"]
    rows = sqlite3.connect(db).execute("SELECT item_id, new_label FROM decisions").fetchall()
    assert rows == [("x2", "SPAM")]
    active = dict(sqlite3.connect(db).execute("SELECT id, active FROM items").fetchall())
    assert active == {"x1": 1, "x2": 0, "x3": 1}
    assert sqlite3.connect(db).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
