"""The label model's errors on dev gold: a confusion table, and per kind of error the
sources that voted for what the label model said (for a miss: the sources that voted a
span over the missed entity, outvoted). Dev only, never test: this is for fixing rules.

Span errors, per gold entity and per predicted span: ``correct`` (same words, same type),
``wrong type`` (same words), ``boundary`` (overlapping, other words), ``missed`` (no
predicted span touches it) and ``spurious`` (a predicted span touching no gold entity).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any

from weakforge.records import Example, Span
from weakforge.tasks import task_kind

MISSED, BOUNDARY, SPURIOUS, NO_LABEL = "missed", "boundary", "spurious", "no label"
TOP_SOURCES = 5


@dataclass
class ErrorAnalysis:
    split: str
    items: int
    confusion: dict[str, dict[str, int]]
    """Gold label -> what the label model said -> count (``missed``/``boundary`` columns and
    a ``spurious`` row for spans; ``no label`` for a text it left unlabeled)."""
    buckets: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Each kind of error: its count and the sources behind it, most first."""


def _voters(example: Example, wanted) -> list[str]:
    """The sources with a span in this example that ``wanted(span)`` accepts."""
    return sorted(
        source
        for source, vote in example.votes.items()
        if isinstance(vote, tuple) and any(wanted(s) for s in vote)
    )


def backing(said: Span, coarse: Collection[str], typed_only: bool = False):
    """Whether a source's span voted for ``said``: the same words with its type (or, unless
    ``typed_only``, with a coarse label such as ENT)."""

    def backs(span: Span) -> bool:
        same_type = span.label == said.label or (not typed_only and span.label in coarse)
        return (span.start, span.end) == (said.start, said.end) and same_type

    return backs


def span_errors(
    examples: Sequence[Example], labels: Sequence[str], coarse: Collection[str] = ()
) -> tuple[dict[str, dict[str, int]], dict[str, Counter], Counter]:
    confusion = {g: Counter() for g in [*labels, SPURIOUS]}
    sources: dict[str, Counter] = defaultdict(Counter)
    counts: Counter = Counter()

    def count(bucket: str, voted: list[str], none: str) -> None:
        counts[bucket] += 1
        sources[bucket].update(voted or [none])

    for example in examples:
        gold = tuple(example.gold or ())
        said = example.label if isinstance(example.label, tuple) else ()
        for g in gold:
            same = [p for p in said if (p.start, p.end) == (g.start, g.end)]
            near = [p for p in said if g.overlaps(p)]
            row = confusion.setdefault(g.label, Counter())
            if same and same[0].label == g.label:
                row[g.label] += 1
            elif same:  # the type is wrong: the sources of that type are to blame
                row[same[0].label] += 1
                voted = _voters(example, backing(same[0], coarse, typed_only=True))
                count(f"wrong type: {g.label} said {same[0].label}", voted, "(no source)")
            elif near:
                row[BOUNDARY] += 1
                voted = sorted({s for p in near for s in _voters(example, backing(p, coarse))})
                count(BOUNDARY, voted, "(no source)")
            else:  # outvoted (or unseen): the sources with a span over the entity
                row[MISSED] += 1
                voted = _voters(example, lambda s, g=g: s.overlaps(g))
                count(f"{MISSED} {g.label}", voted, "(no source voted here)")
        for p in said:
            if not any(p.overlaps(g) for g in gold):
                confusion[SPURIOUS][p.label] += 1
                count(f"{SPURIOUS} {p.label}", _voters(example, backing(p, coarse)), "(none)")
    return {g: dict(c) for g, c in confusion.items() if c}, sources, counts


def class_errors(
    examples: Sequence[Example], labels: Sequence[str]
) -> tuple[dict[str, dict[str, int]], dict[str, Counter], Counter]:
    confusion = {g: Counter() for g in labels}
    sources: dict[str, Counter] = defaultdict(Counter)
    counts: Counter = Counter()
    for example in examples:
        said = example.label if isinstance(example.label, str) else NO_LABEL
        confusion.setdefault(example.gold, Counter())[said] += 1
        if said == example.gold:
            continue
        bucket = f"{example.gold} said {said}"
        counts[bucket] += 1
        voted = [s for s, v in example.votes.items() if v is not None and v == said]
        sources[bucket].update(voted or ["(no source voted for it)"])
    return {g: dict(c) for g, c in confusion.items() if c}, sources, counts


def error_analysis(
    examples: Sequence[Example],
    task: str,
    labels: Sequence[str],
    coarse: Collection[str] = (),
    split: str = "dev",
) -> ErrorAnalysis | None:
    """The label model's errors on ``split``'s gold items (None when it has none)."""
    scored = [e for e in examples if e.split == split and e.gold is not None]
    if not scored:
        return None
    if task_kind(task).spans:
        confusion, sources, counts = span_errors(scored, labels, coarse)
    else:
        confusion, sources, counts = class_errors(scored, labels)
    buckets = {
        bucket: {"count": count, "sources": dict(sources[bucket].most_common(TOP_SOURCES))}
        for bucket, count in counts.most_common()
    }
    return ErrorAnalysis(split, len(scored), confusion, buckets)


def confusion_rows(confusion: dict[str, dict[str, int]]) -> tuple[list[str], list[list[Any]]]:
    """Headers and rows of the confusion table (gold down, what was said across)."""
    columns: list[str] = []
    for said in confusion.values():
        columns += [c for c in said if c not in columns]
    ordered = [c for c in columns if c not in (BOUNDARY, MISSED, NO_LABEL)]
    ordered += [c for c in (BOUNDARY, MISSED, NO_LABEL) if c in columns]
    rows = [[gold, *(said.get(c, 0) for c in ordered)] for gold, said in confusion.items()]
    return ["gold \\ label model", *ordered], rows


def bucket_rows(buckets: dict[str, dict[str, Any]]) -> tuple[list[str], list[list[Any]]]:
    rows = [
        [bucket, found["count"], ", ".join(f"{s} {n}" for s, n in found["sources"].items())]
        for bucket, found in buckets.items()
    ]
    return ["error", "count", "sources that voted for it (for a miss: outvoted ones)"], rows
