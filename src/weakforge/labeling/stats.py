"""Labeling-function analysis: what each source covers, where it overlaps and conflicts
with the others, how often it agrees with the aggregated label, and (where gold or reviewed
labels exist, never the test split's) precision and recall, overall and per label.

Recall is over the labels a source emits: a rule that only votes LOC is judged on the LOC
entities (or LOC texts), not on every gold label.

A span's conflict is counted against spans of its own granularity only: a coarse source
(one voting a label of ``[aggregate] label_groups``, e.g. ENT for any entity) touches most
typed spans without disagreeing with them, so counting it made conflict equal overlap for
every rule."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from typing import Any

from weakforge.evaluation import prf
from weakforge.labels import given_label
from weakforge.records import Example, tuning_gold
from weakforge.tasks import task_kind


def lf_stats(
    examples: Sequence[Example], task: str, coarse_labels: Collection[str] = ()
) -> list[dict[str, Any]]:
    """One row per source, sorted by name; ``coarse_labels`` are the span labels that stand
    for a group of labels (the keys of ``[aggregate] label_groups``)."""
    sources = sorted({s for e in examples for s in e.votes})
    if task_kind(task).spans:
        return [span_source_stats(examples, s, frozenset(coarse_labels)) for s in sources]
    return [class_source_stats(examples, s) for s in sources]


def class_source_stats(examples: Sequence[Example], source: str) -> dict[str, Any]:
    voted = overlap = conflict = agreed = aggregated = 0
    for example in examples:
        vote = example.votes.get(source)
        if vote is None:
            continue
        voted += 1
        others = [v for s, v in example.votes.items() if s != source and v is not None]
        overlap += bool(others)
        conflict += any(v != vote for v in others)
        if example.label is not None:
            aggregated += 1
            agreed += vote == example.label
    n = len(examples) or 1
    row: dict[str, Any] = {
        "source": source,
        "votes": voted,
        "coverage": voted / n,
        "overlap": overlap / n,
        "conflict": conflict / n,
        "agreement": agreed / aggregated if aggregated else None,
    }
    gold = [e for e in tuning_gold(examples) if isinstance(e.gold, str)]
    emitted = sorted({v for e in examples for v in [e.votes.get(source)] if isinstance(v, str)})
    if gold and emitted:
        tp: Counter = Counter()
        n_pred: Counter = Counter()
        n_gold: Counter = Counter(e.gold for e in gold)
        for example in gold:
            vote = example.votes.get(source)
            if vote is not None:
                n_pred[vote] += 1
                tp[vote] += vote == example.gold
        row.update(scores(tp, n_pred, n_gold, emitted))
        row["gold_votes"] = sum(n_pred.values())
        row["accuracy"] = row["precision"]
    return row


def scores(tp: Counter, n_pred: Counter, n_gold: Counter, emitted: Sequence[str]) -> dict:
    """Precision and recall over the labels a source emits, and per label (precision is
    unknown, not zero, where the source made no vote on a gold item)."""
    total = prf(
        sum(tp[x] for x in emitted),
        sum(n_pred[x] for x in emitted),
        sum(n_gold[x] for x in emitted),
    )
    per_label = {}
    for x in emitted:
        found = prf(tp[x], n_pred[x], n_gold[x])
        per_label[x] = {**found, "precision": found["precision"] if n_pred[x] else None}
    return {
        "precision": total["precision"] if sum(n_pred[x] for x in emitted) else None,
        "recall": total["recall"],
        "per_label": per_label,
    }


def span_source_stats(
    examples: Sequence[Example], source: str, coarse: frozenset[str] = frozenset()
) -> dict[str, Any]:
    docs = spans = overlap = conflict = agreed = aggregated = 0
    for example in examples:
        vote = example.votes.get(source)
        if not vote:
            continue
        docs += 1
        if isinstance(example.label, tuple):
            aggregated += len(vote)
            agreed += len(set(vote) & set(example.label))
        others = [
            s
            for name, v in example.votes.items()
            if name != source
            for s in (v if isinstance(v, tuple) else ())
        ]
        for span in vote:
            spans += 1
            touching = [o for o in others if span.overlaps(o)]
            overlap += bool(touching)
            peers = [o for o in touching if (o.label in coarse) == (span.label in coarse)]
            conflict += any(o != span or o.label != span.label for o in peers)
    row: dict[str, Any] = {
        "source": source,
        "spans": spans,
        "coverage": docs / (len(examples) or 1),
        "overlap": overlap / (spans or 1),
        "conflict": conflict / (spans or 1),
        "agreement": agreed / aggregated if aggregated else None,
    }
    gold = tuning_gold(examples)
    if gold and source in {s for e in gold for s in e.votes}:
        emitted = sorted({s.label for e in examples for s in (e.votes.get(source) or ())})
        tp: Counter = Counter()
        n_pred: Counter = Counter()
        n_gold: Counter = Counter()
        for example in gold:
            gold_spans = set(example.gold) if isinstance(example.gold, tuple) else set()
            predicted = set(example.votes.get(source) or ())
            for span in predicted:
                n_pred[span.label] += 1
                tp[span.label] += span in gold_spans
            for span in gold_spans:
                n_gold[span.label] += 1
        row.update(scores(tp, n_pred, n_gold, emitted))
    return row


SCORES = ["coverage", "overlap", "conflict", "agreement", "precision", "recall"]
COLUMNS = {"classification": ["source", "votes", *SCORES], "ner": ["source", "spans", *SCORES]}


def cell(value: Any) -> Any:
    return round(value, 3) if isinstance(value, float) else "-" if value is None else value


def table_rows(
    rows: Sequence[dict[str, Any]], task: str, per_label: bool = False
) -> tuple[list[str], list[list[Any]]]:
    """Headers and cells for a terminal or report table ('-' where there is no gold, or no
    aggregate); ``per_label`` adds a row per label under each source with its scores."""
    headers = COLUMNS[task]
    cells = []
    for r in rows:
        cells.append([cell(r.get(h)) for h in headers])
        for label, found in (r.get("per_label") or {}).items() if per_label else ():
            sub = {"source": f"  {label}", **found}
            cells.append([cell(sub.get(h)) if h in sub else "" for h in headers])
    return headers, cells


def source_hits(
    examples: Sequence[Example], source: str, only_conflicts: bool = False
) -> list[dict[str, Any]]:
    """Texts a source voted on, with its vote, the aggregate and gold; ``only_conflicts``
    keeps those where the vote differs from gold (or, without gold, from the aggregate)."""
    hits = []
    for example in examples:
        vote = example.votes.get(source)
        if vote is None or vote == ():
            continue
        reference = given_label(example)
        if isinstance(vote, tuple) and isinstance(reference, tuple):
            disagrees = bool(set(vote) - set(reference))
        else:
            disagrees = reference is not None and vote != reference
        if only_conflicts and not disagrees:
            continue
        hits.append(
            {
                "id": example.id,
                "text": example.text,
                "vote": vote,
                "aggregate": example.label,
                "gold": example.gold,
                "disagrees": disagrees,
            }
        )
    return hits
