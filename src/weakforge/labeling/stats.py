"""Labeling-function analysis: what each source covers, where it overlaps and conflicts
with the others, and (where gold or reviewed labels exist, never the test split's) how
often it is right. For spans, precision and recall per label as well."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from weakforge.evaluation import prf
from weakforge.labels import given_label
from weakforge.records import Example, Span, tuning_gold


def lf_stats(examples: Sequence[Example], task: str) -> list[dict[str, Any]]:
    """One row per source, sorted by name."""
    sources = sorted({s for e in examples for s in e.votes})
    if task == "ner":
        return [span_source_stats(examples, s) for s in sources]
    return [class_source_stats(examples, s) for s in sources]


def class_source_stats(examples: Sequence[Example], source: str) -> dict[str, Any]:
    voted = overlap = conflict = 0
    for example in examples:
        vote = example.votes.get(source)
        if vote is None:
            continue
        voted += 1
        others = [v for s, v in example.votes.items() if s != source and v is not None]
        overlap += bool(others)
        conflict += any(v != vote for v in others)
    n = len(examples) or 1
    row: dict[str, Any] = {
        "source": source,
        "votes": voted,
        "coverage": voted / n,
        "overlap": overlap / n,
        "conflict": conflict / n,
    }
    gold = [e for e in tuning_gold(examples) if e.votes.get(source) is not None]
    if gold:
        row["gold_votes"] = len(gold)
        row["accuracy"] = sum(e.votes[source] == e.gold for e in gold) / len(gold)
    return row


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def span_source_stats(examples: Sequence[Example], source: str) -> dict[str, Any]:
    docs = spans = overlap = conflict = 0
    for example in examples:
        vote = example.votes.get(source)
        if not vote:
            continue
        docs += 1
        others = [
            s
            for name, v in example.votes.items()
            if name != source
            for s in (v if isinstance(v, tuple) else ())
        ]
        for span in vote:
            spans += 1
            touching = [o for o in others if _overlaps(span, o)]
            overlap += bool(touching)
            conflict += any(o != span or o.label != span.label for o in touching)
    row: dict[str, Any] = {
        "source": source,
        "spans": spans,
        "coverage": docs / (len(examples) or 1),
        "overlap": overlap / (spans or 1),
        "conflict": conflict / (spans or 1),
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
        scored = prf(
            sum(tp[x] for x in emitted),
            sum(n_pred[x] for x in emitted),
            sum(n_gold[x] for x in emitted),
        )
        row.update(
            {
                # no vote on a gold item: precision unknown, not zero
                "precision": scored["precision"] if sum(n_pred.values()) else None,
                "recall": scored["recall"],
                "per_label": {x: prf(tp[x], n_pred[x], n_gold[x]) for x in emitted},
            }
        )
    return row


COLUMNS = {
    "classification": ["source", "votes", "coverage", "overlap", "conflict", "accuracy"],
    "ner": ["source", "spans", "coverage", "overlap", "conflict", "precision", "recall"],
}


def table_rows(rows: Sequence[dict[str, Any]], task: str) -> tuple[list[str], list[list[Any]]]:
    """Headers and cells for a terminal or report table ('-' where there is no gold)."""
    headers = COLUMNS[task]
    cells = [
        [
            round(r[h], 3) if isinstance(r.get(h), float) else "-" if r.get(h) is None else r[h]
            for h in headers
        ]
        for r in rows
    ]
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
