"""One rule tried on a parsed corpus: its statistics next to the other sources, and its hits
sorted into buckets a rule author acts on (modelled on Snorkel's ``LFAnalysis`` and
``get_label_buckets``, with skweak's span views):

- ``all``: every text the rule voted on;
- ``errors``: votes that disagree with gold (dev, reviewed; never test): a wrong type, a
  wrong boundary, or not an entity at all;
- ``misses``: gold labels of the kinds the rule emits that it did not find.

The same trial renders in a terminal (rich) and in Jupyter (``_repr_html_``); corpus text is
always shown as text, never as markup.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from rich.console import Console, Group
from rich.table import Table as RichTable
from rich.text import Text

from weakforge.labeling.stats import class_source_stats, span_source_stats, table_rows
from weakforge.records import Example, Label, Span, tuning_gold
from weakforge.tasks import task_kind

Bucket = Literal["all", "errors", "misses"]
BUCKETS: tuple[str, ...] = ("all", "errors", "misses")
# what a marked piece of text is, and how it is shown in a terminal and in HTML
VERDICTS = {
    "correct": ("bold green", "#d4f7d4"),
    "unchecked": ("bold cyan", "#e2ecfd"),  # no gold on this text
    "wrong type": ("bold red", "#fdd4d4"),
    "wrong boundary": ("bold magenta", "#f7d4f7"),
    "not an entity": ("bold red", "#fdd4d4"),
    "wrong label": ("bold red", "#fdd4d4"),
    "missed": ("yellow underline", "#fdf6c4"),
}


@dataclass(frozen=True)
class Mark:
    """A piece of a hit: a span (or, for classification, the whole text) and its verdict."""

    start: int
    end: int
    label: str
    verdict: str
    gold: str = ""  # the gold label where it differs


@dataclass(frozen=True)
class Hit:
    """One text in a bucket: its marks (votes and misses)."""

    id: str
    split: str
    text: str
    marks: tuple[Mark, ...]

    def is_error(self) -> bool:
        return any(m.verdict not in ("correct", "unchecked", "missed") for m in self.marks)

    def is_miss(self) -> bool:
        return any(m.verdict == "missed" for m in self.marks)


def span_marks(
    text: str, vote: Sequence[Span], gold: tuple[Span, ...] | None, emitted: set[str]
) -> list:
    if gold is None:
        return [Mark(s.start, s.end, s.label, "unchecked") for s in vote]
    marks = []
    for span in vote:
        same_place = [g for g in gold if (g.start, g.end) == (span.start, span.end)]
        overlapping = [g for g in gold if g.overlaps(span)]
        if span in gold:
            marks.append(Mark(span.start, span.end, span.label, "correct"))
        elif same_place:
            marks.append(Mark(span.start, span.end, span.label, "wrong type", same_place[0].label))
        elif overlapping:
            near = overlapping[0]
            where = f"{near.label} {text[near.start : near.end]!r}"
            marks.append(Mark(span.start, span.end, span.label, "wrong boundary", where))
        else:
            marks.append(Mark(span.start, span.end, span.label, "not an entity"))
    voted = set(vote)
    for span in gold:
        if span.label in emitted and span not in voted:
            marks.append(Mark(span.start, span.end, span.label, "missed"))
    return sorted(marks, key=lambda m: (m.start, m.end))


def class_marks(text: str, vote: str | None, gold: str | None, emitted: set[str]) -> list:
    if vote is None:
        return [Mark(0, len(text), gold, "missed")] if gold in emitted else []
    if gold is None:
        return [Mark(0, len(text), vote, "unchecked")]
    verdict = "correct" if vote == gold else "wrong label"
    return [Mark(0, len(text), vote, verdict, "" if vote == gold else gold)]


@dataclass
class RuleTrial:
    """A rule's votes on every text of the workbench's corpus, and what they mean."""

    name: str
    task: str
    examples: list[Example]  # the corpus with this rule's votes under ``name``
    seconds: float = 0.0  # applying the rule
    stats: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.stats:
            scorer = span_source_stats if task_kind(self.task).spans else class_source_stats
            self.stats = scorer(self.examples, self.name)

    @property
    def emitted(self) -> set[str]:
        votes = (e.votes.get(self.name) for e in self.examples)
        if task_kind(self.task).spans:
            return {s.label for v in votes for s in v or ()}
        return {v for v in votes if isinstance(v, str)}

    def hits(self, bucket: Bucket = "all", n: int | None = 20) -> list[Hit]:
        """Up to ``n`` texts of a bucket, in corpus order."""
        if bucket not in BUCKETS:
            raise ValueError(f"unknown bucket {bucket!r}; choose from {list(BUCKETS)}")
        checked = {e.id for e in tuning_gold(self.examples)}
        emitted = self.emitted
        found: list[Hit] = []
        for example in self.examples:
            vote: Label = example.votes.get(self.name)
            gold = example.gold if example.id in checked else None
            if task_kind(self.task).spans:
                gold_spans = gold if isinstance(gold, tuple) else None
                marks = span_marks(example.text, vote or (), gold_spans, emitted)
            else:
                marks = class_marks(example.text, vote, gold, emitted)
            hit = Hit(example.id, example.split, example.text, tuple(marks))
            keep = {
                "all": bool(vote),
                "errors": hit.is_error(),
                "misses": hit.is_miss(),
            }[bucket]
            if keep:
                found.append(hit)
                if n is not None and len(found) >= n:
                    break
        return found

    def table(self) -> RichTable:
        headers, rows = table_rows([self.stats], self.task, per_label=True)
        table = RichTable(title=f"rule '{self.name}' ({self.seconds:.2f} s)")
        for header in headers:
            table.add_column(header, overflow="fold", no_wrap=header == "source")
        for row in rows:
            table.add_row(*(str(c) for c in row))
        return table

    def show(self, console: Console, bucket: Bucket = "all", n: int = 20) -> None:
        """The statistics table and up to ``n`` hits of a bucket, in the terminal."""
        console.print(self.table())
        hits = self.hits(bucket, n)
        console.print(Text(f"{bucket}: {len(hits)} shown (at most {n})", style="bold"))
        coloured = console.is_terminal and console.color_system is not None
        for hit in hits:
            body = rich_text(hit) if coloured else Text(plain_text(hit))
            console.print(Group(Text(f"{hit.id} ({hit.split})", style="dim"), body))
        if not coloured:  # piped or logged: the verdicts are words, the spans bracketed
            console.print(
                "legend: [words]/LABEL verdict (gold ...); verdicts: " + ", ".join(VERDICTS)
            )
            return
        legend = Text("legend: ")
        for verdict, (style, _) in VERDICTS.items():
            legend.append(f"{verdict}  ", style=style)
        console.print(legend)

    def _repr_html_(self) -> str:
        headers, rows = table_rows([self.stats], self.task, per_label=True)
        head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>"
            for row in rows
        )
        hits = "".join(
            f"<p><small>{html.escape(h.id)} ({html.escape(h.split)})</small><br>{html_text(h)}</p>"
            for h in self.hits("all", 20)
        )
        return (
            f"<b>rule {html.escape(self.name)}</b> ({self.seconds:.2f} s)"
            f"<table><tr>{head}</tr>{body}</table>{hits}"
        )


def mark_suffix(mark: Mark) -> str:
    return f"/{mark.label}" + (f" (gold {mark.gold})" if mark.gold else "")


def shown_marks(hit: Hit) -> list[Mark]:
    """The marks to draw: every vote, and the misses that no vote overlaps (a miss under a
    wrong-boundary vote is named by that vote's gold note)."""
    votes = [m for m in hit.marks if m.verdict != "missed"]
    misses = [
        m
        for m in hit.marks
        if m.verdict == "missed" and not any(v.start < m.end and m.start < v.end for v in votes)
    ]
    return sorted(votes + misses, key=lambda m: (m.start, m.end))


def rich_text(hit: Hit) -> Text:
    """The text with each mark styled and labeled; the text is never read as markup."""
    out, position = Text(), 0
    for mark in shown_marks(hit):
        if mark.start < position:  # overlapping votes cannot both be drawn inline
            continue
        out.append(hit.text[position : mark.start])
        style = VERDICTS[mark.verdict][0]
        out.append(hit.text[mark.start : mark.end], style=style)
        out.append(mark_suffix(mark), style=f"dim {style}")
        position = mark.end
    out.append(hit.text[position:])
    return out


def plain_text(hit: Hit) -> str:
    """The text with each mark bracketed, labelled and judged in words (for a pipe or a
    log, where colours are lost): ``[Ford Motor Co]/LOC wrong label (gold ORG)``."""
    out, position = [], 0
    for mark in shown_marks(hit):
        if mark.start < position:
            continue
        out.append(hit.text[position : mark.start])
        gold = f" (gold {mark.gold})" if mark.gold else ""
        out.append(f"[{hit.text[mark.start : mark.end]}]/{mark.label} {mark.verdict}{gold}")
        position = mark.end
    out.append(hit.text[position:])
    return "".join(out)


def html_text(hit: Hit) -> str:
    """The text as escaped HTML with each mark in a coloured ``<mark>``."""
    out, position = [], 0
    for mark in shown_marks(hit):
        if mark.start < position:
            continue
        out.append(html.escape(hit.text[position : mark.start]))
        colour = VERDICTS[mark.verdict][1]
        out.append(
            f'<mark style="background:{colour}" title="{html.escape(mark.verdict)}">'
            f"{html.escape(hit.text[mark.start : mark.end])}"
            f"<sub>{html.escape(mark_suffix(mark))}</sub></mark>"
        )
        position = mark.end
    out.append(html.escape(hit.text[position:]))
    return "".join(out)
