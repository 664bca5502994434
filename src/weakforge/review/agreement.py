"""Agreement between reviewers on double-annotated items: how often two reviewers' label
decisions on the same item agree (a class, or the same set of spans), overall and per
pair, as the sidebar and the report show it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from weakforge.review.store import decisions, is_label_action, items
from weakforge.tasks import task_kind


@dataclass(frozen=True)
class Agreement:
    """How two reviewers agree on the double-annotated items both decided: Cohen's kappa
    (classes; a drop counts as one more class) or span F1 (NER: exact span and type)."""

    items: int = 0
    agreed: int = 0
    kappa: float | None = None
    span_f1: float | None = None
    disagreements: tuple[str, ...] = ()

    def summary(self) -> str:
        if not self.items:
            return "no double-annotated item has two decisions yet"
        score = (
            f"Cohen's kappa {self.kappa:.3f}"
            if self.kappa is not None
            else f"span F1 {self.span_f1:.3f}"
            if self.span_f1 is not None
            else "kappa undefined (one class only)"
        )
        return f"{score}; the same decision on {self.agreed} of {self.items} double-annotated items"


def span_set(label: Any) -> set[tuple[int, int, str]]:
    return {(int(x[0]), int(x[1]), str(x[2])) for x in label or []}


def same_decision(task: str, first: str | None, second: str | None) -> bool:
    """Two stored decisions (JSON) mean the same label (spans compared as sets)."""
    a, b = json.loads(first or "null"), json.loads(second or "null")
    if task_kind(task).spans and a is not None and b is not None:
        return span_set(a) == span_set(b)
    return a == b


def agreement(engine: Engine) -> Agreement:
    """Agreement between the first two reviewers of each double-annotated item (each one's
    latest effective decision)."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(items.c.id, items.c.task, decisions.c.reviewer, decisions.c.new_label)
            .select_from(items.join(decisions, decisions.c.item_id == items.c.id))
            .where(items.c.double == 1, decisions.c.undone == 0, is_label_action())
            .order_by(decisions.c.seq)
        ).all()
    by_item: dict[str, dict[str, Any]] = {}
    tasks: dict[str, str] = {}
    for item_id, task, reviewer, new_label in rows:
        tasks[item_id] = task
        by_item.setdefault(item_id, {})[reviewer] = new_label  # a later one replaces
    pairs = [(i, list(d.values())[:2]) for i, d in by_item.items() if len(d) >= 2]
    if not pairs:
        return Agreement()
    disagreements = tuple(i for i, (a, b) in pairs if not same_decision(tasks[i], a, b))
    agreed = len(pairs) - len(disagreements)
    if any(task_kind(tasks[i]).spans for i, _ in pairs):
        common = given = 0
        for _, (a, b) in pairs:
            first, second = span_set(json.loads(a or "null")), span_set(json.loads(b or "null"))
            common += len(first & second)
            given += len(first) + len(second)
        f1 = 2 * common / given if given else 1.0
        return Agreement(len(pairs), agreed, span_f1=round(f1, 4), disagreements=disagreements)
    from sklearn.metrics import cohen_kappa_score

    first = [a or "null" for _, (a, _b) in pairs]
    second = [b or "null" for _, (_a, b) in pairs]
    kappa = None
    if len(set(first) | set(second)) > 1:
        kappa = round(float(cohen_kappa_score(first, second)), 4)
    return Agreement(len(pairs), agreed, kappa=kappa, disagreements=disagreements)
