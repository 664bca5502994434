"""Reviewed decisions flowing back into the next run: the review database a run uses, each
item's latest effective decision, and what that decision does to the item (from the
actions table: its label becomes gold, or the item is dropped)."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from weakforge.config import RunConfig
from weakforge.errors import WeakforgeError
from weakforge.layout import REVIEW_QUEUE
from weakforge.records import Example, label_from_json
from weakforge.review.actions import ACTIONS
from weakforge.review.agreement import agreement
from weakforge.review.store import (
    Database,
    as_database,
    decisions,
    display_name,
    is_label_action,
    items,
    open_database,
    queue_exists,
    text_sha,
)

log = logging.getLogger(__name__)


def review_database(config: RunConfig, run_dir: Path) -> Database:
    """The review database: ``[audit] database`` (a SQLite path, relative to the config, or
    a server URL) if set, else review.sqlite in the run."""
    chosen = config.audit.database
    return as_database(chosen, Path(config.base_dir)) if chosen else run_dir / REVIEW_QUEUE


def review_agreement(target: Database) -> dict[str, Any]:
    """Reviewers' agreement on the double-annotated items (empty if no queue or none)."""
    if not queue_exists(target):
        return {}
    found = agreement(open_database(target))
    return {**asdict(found), "summary": found.summary()} if found.items else {}


def latest_decisions(target: Database, *columns: sa.Column) -> list[sa.Row]:
    """``item_id`` and ``columns`` of each item's latest effective label decision (none if
    there is no queue)."""
    if not queue_exists(target):
        return []
    later = decisions.alias("later")
    with open_database(target).connect() as connection:
        return connection.execute(
            sa.select(decisions.c.item_id, *columns).where(
                decisions.c.undone == 0,
                is_label_action(),
                ~sa.exists().where(
                    later.c.item_id == decisions.c.item_id,
                    later.c.seq > decisions.c.seq,
                    later.c.undone == 0,
                    is_label_action(later),
                ),
            )
        ).all()


def read_decisions(target: Database) -> tuple[dict[str, tuple[str, Any]], dict[str, str]]:
    """In one query, item id -> (action, label) of its latest effective decision, and item
    id -> the SHA-256 of the text that decision was made on (decisions from before weakforge
    kept it left out); both empty if there is no queue."""
    decided, texts = {}, {}
    for item, action, label, sha in latest_decisions(
        target, decisions.c.action, decisions.c.new_label, decisions.c.text_sha
    ):
        try:
            decided[item] = (action, json.loads(label) if label is not None else None)
        except json.JSONDecodeError:
            raise WeakforgeError(
                f"{display_name(target)}: the decision on item '{item}' holds a label that "
                f"is not JSON ({label!r}); record decisions through weakforge "
                "(the review page or weakforge.review.decide)"
            ) from None
        if sha is not None:
            texts[item] = sha
    return decided, texts


def effective_decisions(target: Database) -> dict[str, tuple[str, Any]]:
    """Item id -> (action, label) of its latest effective decision (empty if no queue)."""
    return read_decisions(target)[0]


def decided_texts(target: Database) -> dict[str, str]:
    """Item id -> the SHA-256 of the text its effective decision was made on."""
    return read_decisions(target)[1]


def decisions_fingerprint(config: RunConfig, run_dir: Path) -> str:
    """Changes exactly when the effective decisions change (not when the queue does)."""
    decided = effective_decisions(review_database(config, run_dir))
    return hashlib.sha256(json.dumps(sorted(decided.items()), default=str).encode()).hexdigest()


def apply_decisions(
    examples: Sequence[Example],
    decided: dict[str, tuple[str, Any]],
    texts: dict[str, str] | None = None,
) -> tuple[list[Example], dict[str, Any]]:
    """Reviewed labels become gold; items marked as duplicates are dropped. A decision made
    on a text that has changed since under the same id (``texts``: the text each was made
    on) is set aside: its spans or class would be applied to a text nobody reviewed; the
    counts name those items (``stale``)."""
    out, counts = [], {"gold": 0, "dropped": 0}
    stale: list[str] = []
    for example in examples:
        action, label = decided.get(example.id, (None, None))
        seen = (texts or {}).get(example.id)
        if action is not None and seen is not None and seen != text_sha(example.text):
            stale.append(example.id)
            out.append(example)
            continue
        effect = ACTIONS[action].effect if action in ACTIONS else "none"
        if effect == "drop":
            counts["dropped"] += 1
            continue
        if effect != "none" and label is not None:
            example = replace(
                example, gold=label_from_json(label), meta={**example.meta, "reviewed": action}
            )
            counts["gold"] += 1
        out.append(example)
    if stale:
        log.warning(
            "%d review decision(s) were made on a text that has changed since (same id, "
            "other text) and are set aside, not applied: %s; review those items again",
            len(stale),
            ", ".join(stale[:10]) + (" ..." if len(stale) > 10 else ""),
        )
        counts["stale"] = len(stale)
        counts["stale_items"] = stale[:20]
    return out, counts


def reviewed_examples(target: Database) -> list[Example]:
    """The reviewed set: each decided item with its reviewed label as gold (duplicates left
    out), ready for any corpus writer."""
    decided = effective_decisions(target)
    if not decided:
        return []
    with open_database(target).connect() as connection:
        rows = connection.execute(
            sa.select(items.c.id, items.c.text, items.c.split).order_by(items.c.id)
        ).all()
    return [
        Example(
            id=item,
            text=text,
            split=split,
            gold=label_from_json(decided[item][1]),
            meta={"reviewed": decided[item][0]},
        )
        for item, text, split in rows
        if item in decided and ACTIONS[decided[item][0]].effect != "drop"
    ]
