"""Reviewing the queue: paged queries, facets, progress, decisions with an audit log, undo.

Every decision is a new row (reviewer, time, previous and new label); nothing is updated in
place except the ``undone`` mark, so the history of an item is always complete. A decision
is written under a lock (SQLite's write lock, or the item's row lock on PostgreSQL) after
checking that nobody decided the item since the reviewer loaded it, so two reviewers never
silently overwrite each other. The review page (``app/``) is a thin view over these
functions; they take an engine from :func:`weakforge.review.store.open_database`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from weakforge.corpus.validate import check_label
from weakforge.errors import ReviewConflict, WeakforgeError
from weakforge.records import label_from_json
from weakforge.review.actions import ACTIONS, UNDO, Action
from weakforge.review.store import (
    DIALECTS,
    claims,
    decisions,
    is_label_action,
    item_tags,
    items,
    now,
    queue_labels,
    refresh_decided,
    text_sha,
    writing,
)
from weakforge.tasks import task_kind

SORTS = {
    "priority": (items.c.priority.desc(), items.c.id),
    "score": (items.c.score.desc(), items.c.id),
    "id": (items.c.id,),
}
ITEM_COLUMNS = (
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
    "probs",
)
JSON_COLUMNS = ("weak_label", "suggested_label", "issues", "scores", "votes", "probs")


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
    not_claimed_by_others: str = ""  # a reviewer: hide items someone else holds a claim on
    reviewer: str = ""  # whose "unreviewed": a double item stays so until they decided it
    extra: dict[str, Any] = field(default_factory=dict)


def _tagged(kind: str, values: Sequence[str]) -> sa.ColumnElement[bool]:
    return items.c.id.in_(
        sa.select(item_tags.c.item_id).where(
            item_tags.c.kind == kind, item_tags.c.value.in_(values)
        )
    )


def deciders(item_id: sa.ColumnElement[str]) -> sa.Select:
    """Who made an effective label decision on the item."""
    return sa.select(decisions.c.reviewer).where(
        decisions.c.item_id == item_id, decisions.c.undone == 0, is_label_action()
    )


def awaiting_second_opinion(reviewer: str) -> sa.ColumnElement[bool]:
    """A double-annotated item one other reviewer decided and this one has not: it waits
    for this reviewer, who is shown it blind (without the other's decision)."""
    count = (
        sa.select(sa.func.count(sa.distinct(decisions.c.reviewer)))
        .where(decisions.c.item_id == items.c.id, decisions.c.undone == 0, is_label_action())
        .scalar_subquery()
    )
    return sa.and_(
        items.c.double == 1,
        count < 2,
        sa.literal(reviewer).not_in(deciders(items.c.id)),
    )


def blind_items(engine: Engine, item_ids: Sequence[str], reviewer: str) -> set[str]:
    """Of these items, the ones whose decisions ``reviewer`` must not see yet."""
    if not item_ids or not reviewer:
        return set()
    with engine.connect() as connection:
        return set(
            connection.scalars(
                sa.select(items.c.id).where(
                    items.c.id.in_(item_ids),
                    items.c.decided_seq.is_not(None),
                    awaiting_second_opinion(reviewer),
                )
            )
        )


def in_view() -> sa.ColumnElement[bool]:
    """The items the page shows: those the last audit flagged, and every item a reviewer
    decided, so a rerun that no longer flags a reviewed item keeps it reviewable."""
    return sa.or_(items.c.active == 1, items.c.decided_seq.is_not(None))


def where_clause(filt: QueueFilter) -> sa.ColumnElement[bool]:
    clauses = [in_view()]
    for kind in filt.issue_types:  # every chosen issue type
        clauses.append(_tagged("issue", [kind]))
    if filt.labels:  # any chosen label
        clauses.append(_tagged("label", filt.labels))
    if filt.sources:  # any chosen source voted
        clauses.append(_tagged("source", filt.sources))
    if filt.splits:
        clauses.append(items.c.split.in_(filt.splits))
    if filt.min_priority is not None:
        clauses.append(items.c.priority >= filt.min_priority)
    if filt.max_priority is not None:
        clauses.append(items.c.priority <= filt.max_priority)
    if filt.status == "reviewed":
        clauses.append(items.c.decided_seq.is_not(None))
    elif filt.status == "unreviewed":
        waiting = items.c.decided_seq.is_(None)
        if filt.reviewer:
            waiting = sa.or_(waiting, awaiting_second_opinion(filt.reviewer))
        clauses.append(waiting)
    if filt.search:  # case-insensitive, % and _ taken literally
        clauses.append(items.c.text.icontains(filt.search, autoescape=True))
    if filt.not_claimed_by_others:
        clauses.append(
            items.c.id.not_in(
                sa.select(claims.c.item_id).where(
                    claims.c.reviewer != filt.not_claimed_by_others, claims.c.expires_at > now()
                )
            )
        )
    return sa.and_(*clauses)


CLAIM_MINUTES = 15


def claim(engine: Engine, item_id: str, reviewer: str, minutes: int = CLAIM_MINUTES) -> str | None:
    """Hold an item for this reviewer for ``minutes`` (renewed on each call). Returns None,
    or the other reviewer whose unexpired claim holds it. One statement claims the item
    (an insert, or a take-over of this reviewer's own or an expired claim), so two
    reviewers claiming the same free item at once never both get it, and never an error."""
    with writing(engine) as connection:
        return take_claim(connection, item_id, reviewer, claim_expiry(minutes))


def claim_expiry(minutes: int) -> str:
    return (datetime.now(timezone.utc) + timedelta(minutes=minutes)).isoformat(timespec="seconds")


def take_claim(connection: Connection, item_id: str, reviewer: str, until: str) -> str | None:
    """Claim in one upsert; the holder when another reviewer's live claim kept it."""
    insert = DIALECTS[connection.dialect.name].insert(claims)
    upsert = insert.values(item_id=item_id, reviewer=reviewer, expires_at=until)
    upsert = upsert.on_conflict_do_update(
        index_elements=[claims.c.item_id],
        set_={"reviewer": upsert.excluded.reviewer, "expires_at": upsert.excluded.expires_at},
        where=sa.or_(claims.c.reviewer == reviewer, claims.c.expires_at <= now()),
    )
    if connection.execute(upsert.returning(claims.c.item_id)).first() is not None:
        return None
    return connection.scalar(sa.select(claims.c.reviewer).where(claims.c.item_id == item_id))


def claim_next(
    engine: Engine,
    reviewer: str,
    filt: QueueFilter = QueueFilter(status="unreviewed"),
    sort: str = "priority",
    *,
    count: int = 1,
    skip: Sequence[str] = (),
    minutes: int = CLAIM_MINUTES,
) -> list[str]:
    """Choose and claim this reviewer's next ``count`` items in one transaction: the first
    by ``sort`` that ``filt`` shows, that nobody else holds, not in ``skip``. On PostgreSQL
    the rows are taken ``FOR UPDATE SKIP LOCKED``, so a colleague choosing at the same
    moment gets the items after these; on SQLite the transaction holds the write lock."""
    if sort not in SORTS:
        raise WeakforgeError(f"unknown sort '{sort}'; choose from {list(SORTS)}")
    mine = replace(filt, not_claimed_by_others=reviewer, reviewer=reviewer)
    where = where_clause(mine)
    if skip:
        where = sa.and_(where, items.c.id.not_in(list(skip)))
    until = claim_expiry(minutes)
    with writing(engine) as connection:
        chosen = sa.select(items.c.id).where(where).order_by(*SORTS[sort]).limit(count)
        if connection.dialect.name == "postgresql":
            chosen = chosen.with_for_update(skip_locked=True, of=items)
        ids = list(connection.scalars(chosen))
        return [i for i in ids if take_claim(connection, i, reviewer, until) is None]


def item_by_id(engine: Engine, item_id: str) -> dict[str, Any] | None:
    """One queue item (as :func:`query` returns them), whatever the filter; None if absent."""
    found = items_by_ids(engine, [item_id])
    return found[0] if found else None


def items_by_ids(engine: Engine, item_ids: Sequence[str]) -> list[dict[str, Any]]:
    """Queue items by id in one query, in the order given (absent ones left out)."""
    if not item_ids:
        return []
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(*[items.c[name] for name in ITEM_COLUMNS]).where(
                items.c.id.in_(list(item_ids))
            )
        ).all()
    by_id = {row.id: decoded(row) for row in rows}
    return [by_id[i] for i in item_ids if i in by_id]


def decoded(row: sa.Row) -> dict[str, Any]:
    item = dict(row._mapping)
    for key in JSON_COLUMNS:
        item[key] = json.loads(item[key]) if item[key] is not None else None
    return item


def query(
    engine: Engine,
    filt: QueueFilter = QueueFilter(),
    sort: str = "priority",
    page: int = 0,
    page_size: int = 50,
) -> tuple[list[dict[str, Any]], int]:
    """One page of queue items (with their current decision) and the total matching."""
    if sort not in SORTS:
        raise WeakforgeError(f"unknown sort '{sort}'; choose from {list(SORTS)}")
    where = where_clause(filt)
    columns = [items.c[name] for name in ITEM_COLUMNS]
    with engine.connect() as connection:
        total = connection.scalar(sa.select(sa.func.count()).select_from(items).where(where))
        rows = connection.execute(
            sa.select(*columns)
            .where(where)
            .order_by(*SORTS[sort])
            .limit(page_size)
            .offset(page * page_size)
        ).all()
    found = [decoded(row) for row in rows]
    return found, int(total or 0)


def allowed_labels(engine: Engine) -> list[str]:
    """The labels a reviewer may give, as the audit that filled the queue named them (empty
    when it named none)."""
    with engine.connect() as connection:
        return queue_labels(connection)


def queue_task(engine: Engine) -> str:
    """The task kind of the queue's items ("" for an empty queue)."""
    with engine.connect() as connection:
        return connection.scalar(sa.select(items.c.task).limit(1)) or ""


def facet_values(engine: Engine, kind: str) -> list[str]:
    """The values to offer in a filter: ``issue``, ``label``, ``source`` or ``split``."""
    with engine.connect() as connection:
        if kind == "split":
            column, chosen = items.c.split, sa.true()
        else:
            column, chosen = item_tags.c.value, item_tags.c.kind == kind
        return list(connection.scalars(sa.select(column).where(chosen).distinct().order_by(column)))


def duplicate_set(engine: Engine, set_id: int, but: str) -> list[dict[str, str]]:
    """The other items of a duplicate set."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(items.c.id, items.c.text)
            .where(items.c.duplicate_set == set_id, items.c.id != but)
            .order_by(items.c.id)
        ).all()
    return [{"id": r[0], "text": r[1]} for r in rows]


def progress(engine: Engine) -> tuple[int, int]:
    """(reviewed, total) over the items in view (:func:`in_view`)."""
    active = in_view()
    with engine.connect() as connection:
        total = connection.scalar(sa.select(sa.func.count()).select_from(items).where(active))
        done = connection.scalar(
            sa.select(sa.func.count())
            .select_from(items)
            .where(active, items.c.decided_seq.is_not(None))
        )
    return int(done or 0), int(total or 0)


def progress_by_reviewer(engine: Engine) -> dict[str, int]:
    """Items whose current decision each reviewer made (items in view)."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(decisions.c.reviewer, sa.func.count())
            .select_from(items.join(decisions, decisions.c.seq == items.c.decided_seq))
            .where(in_view())
            .group_by(decisions.c.reviewer)
            .order_by(sa.func.count().desc(), decisions.c.reviewer)
        ).all()
    return {reviewer: int(count) for reviewer, count in rows}


def current(connection: Connection, item_id: str) -> tuple[int | None, Any]:
    """The item's latest effective decision: (seq, label), or (None, weak label); holds the
    item's row lock until the transaction ends (PostgreSQL; SQLite's write lock is global)."""
    found = connection.execute(
        sa.select(items.c.weak_label, items.c.decided_seq)
        .where(items.c.id == item_id)
        .with_for_update()
    ).first()
    if found is None:
        raise WeakforgeError(f"no item '{item_id}' in the review queue")
    weak, seq = found
    if seq is not None:
        label = connection.scalar(sa.select(decisions.c.new_label).where(decisions.c.seq == seq))
        return seq, json.loads(label) if label is not None else None
    return None, json.loads(weak) if weak is not None else None


def decide(
    engine: Engine,
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
    spec = ACTIONS[action]
    if not reviewer.strip():
        raise WeakforgeError("a decision needs a reviewer name")
    with writing(engine) as connection:
        seq, previous = current(connection, item_id)
        if expected_seq != -1 and seq != expected_seq:
            who, when = (
                connection.execute(
                    sa.select(decisions.c.reviewer, decisions.c.created_at).where(
                        decisions.c.seq == seq
                    )
                ).first()
                if seq
                else ("someone", "earlier")
            )
            by = "you" if who == reviewer else who
            raise ReviewConflict(
                f"not saved: item '{item_id}' was decided by {by} at {when} after this page "
                "showed it; the page now shows the latest state"
            )
        if spec.effect == "given":
            check_given_label(connection, item_id, new_label)
        new_label = decided_label(connection, item_id, spec, new_label)
        result = connection.execute(
            decisions.insert().values(
                item_id=item_id,
                reviewer=reviewer,
                action=action,
                previous_label=json.dumps(previous),
                new_label=None if new_label is None else json.dumps(new_label),
                note=note,
                created_at=now(),
                undone=0,
                text_sha=text_sha(
                    connection.scalar(sa.select(items.c.text).where(items.c.id == item_id))
                ),
            )
        )
        seq = int(result.inserted_primary_key[0])
        connection.execute(claims.delete().where(claims.c.item_id == item_id))
        if spec.decides:
            connection.execute(items.update().where(items.c.id == item_id).values(decided_seq=seq))
        return seq


def check_given_label(connection: Connection, item_id: str, label: Any) -> None:
    """A label a reviewer typed or drew must be one the run knows, with valid spans: the
    database refuses what the page would (a typo would otherwise become a new class)."""
    text, task = connection.execute(
        sa.select(items.c.text, items.c.task).where(items.c.id == item_id)
    ).one()
    if label is None or label == "" or label == []:
        if task_kind(task).spans and label == []:
            return  # "no entities" is a valid NER answer
        raise WeakforgeError(f"item '{item_id}': the new label is empty")
    if task_kind(task).spans and isinstance(label, list):
        for row, span in enumerate(label, 1):
            if not (isinstance(span, list | tuple) and len(span) >= 3 and span[2]):
                raise WeakforgeError(
                    f"item '{item_id}': span row {row} has no label; pick its type or delete it"
                )
    problem = check_label(text, label_from_json(label), task, queue_labels(connection) or None)
    if problem:
        raise WeakforgeError(f"item '{item_id}': {problem[0]}; {problem[1]}")


STORED_LABEL = {"weak": items.c.weak_label, "suggestion": items.c.suggested_label}


def decided_label(connection: Connection, item_id: str, spec: Action, given: Any) -> Any:
    """The label a decision records, by the action's effect: a label the queue stores, the
    one the reviewer gave, or none."""
    if spec.effect in STORED_LABEL:
        stored = connection.scalar(
            sa.select(STORED_LABEL[spec.effect]).where(items.c.id == item_id)
        )
        return json.loads(stored) if stored is not None else None
    if spec.effect == "given":
        if given is None:
            raise WeakforgeError(f"{spec.name} needs the new label")
        return given
    return None


def undo(engine: Engine, reviewer: str) -> int | None:
    """Undo this reviewer's last decision (marked undone, and logged); its seq or None
    (:func:`decision_item` names the item it was on)."""
    with writing(engine) as connection:
        row = connection.execute(
            sa.select(decisions.c.seq, decisions.c.item_id)
            .where(
                decisions.c.reviewer == reviewer,
                decisions.c.undone == 0,
                decisions.c.action != UNDO,
            )
            .order_by(decisions.c.seq.desc())
            .limit(1)
            .with_for_update()
        ).first()
        if row is None:
            return None
        connection.execute(decisions.update().where(decisions.c.seq == row[0]).values(undone=1))
        connection.execute(
            decisions.insert().values(
                item_id=row[1],
                reviewer=reviewer,
                action=UNDO,
                note=f"undid #{row[0]}",
                created_at=now(),
                undone=1,
            )
        )
        refresh_decided(connection, row[1])
        return int(row[0])


def history(engine: Engine, item_id: str) -> list[dict[str, Any]]:
    names = (
        "seq",
        "reviewer",
        "action",
        "previous_label",
        "new_label",
        "note",
        "created_at",
        "undone",
    )
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(*(decisions.c[n] for n in names))
            .where(decisions.c.item_id == item_id)
            .order_by(decisions.c.seq)
        ).all()
    return [dict(row._mapping) for row in rows]


def decision_item(engine: Engine, seq: int) -> str | None:
    """The item a decision was on."""
    with engine.connect() as connection:
        return connection.scalar(sa.select(decisions.c.item_id).where(decisions.c.seq == seq))


def decided_labels(engine: Engine, seqs: Sequence[int | None]) -> dict[int, Any]:
    """The label each of these decisions recorded (for the queue table's decision column)."""
    wanted = [s for s in seqs if s is not None]
    if not wanted:
        return {}
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(decisions.c.seq, decisions.c.new_label).where(decisions.c.seq.in_(wanted))
        ).all()
    return {seq: json.loads(label) if label is not None else None for seq, label in rows}
