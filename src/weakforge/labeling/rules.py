"""The authoring API for labeling functions: ``@span_rule`` and ``@doc_rule``.

A labeling function reads a spaCy ``Doc`` (parsed once per corpus) and votes:

- a **span rule** yields spaCy ``Span`` s, ``(start, end)`` or ``(start, end, label)`` token
  offsets; its votes become character-offset :class:`~weakforge.records.Span` s;
- a **doc rule** returns a class name, or ``None`` to abstain.

Both decorators work with or without arguments; the rule's name defaults to the function's.
Rules are found by scanning a folder for :class:`LabelingFunction` objects (see
:mod:`weakforge.labeling.discovery`): there is no global registry.
"""

from __future__ import annotations

import inspect
import numbers
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from weakforge.errors import RuleOutputError
from weakforge.records import Label, Span

RuleKind = Literal["span", "doc"]


def whole_number(value: Any) -> int | None:
    """A token offset as an int: ints, numpy integers and integral floats (2.0) are
    accepted; anything else (2.5, "2", True) is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return int(value)
    return None


@dataclass(frozen=True, eq=False)
class LabelingFunction:
    """A named voter. ``labels`` are the labels it may emit (empty: any task label);
    ``file`` is where it was defined, for error messages; ``model`` names the spaCy
    pipeline whose annotations (e.g. ``doc.ents``) the rule reads, if any; ``source`` is
    set for sources that answer in batches (an LLM)."""

    name: str
    kind: RuleKind
    func: Callable[[Doc], Any] = field(repr=False)
    labels: tuple[str, ...] = ()
    file: str = ""
    model: str | None = None
    source: Any = field(default=None, repr=False)
    """What votes on many texts at once (an LLM: :class:`weakforge.labeling.llm.LLMSource`):
    the applier calls its ``prepare(texts)`` per shard and ``use_examples(pool)`` once."""

    def vote(self, doc: Doc) -> Label:
        """Run the rule on ``doc`` and normalise its output to a label (or ``None``)."""
        output = self.func(doc)
        if self.kind == "doc":
            if output is not None and not isinstance(output, str):
                raise RuleOutputError(
                    f"returned {output!r}; a doc rule returns a label string or None to abstain"
                )
            self._check_label(output)
            return output
        return self.spans_from(doc, output)

    def spans_from(self, doc: Doc, output: Iterable[Any] | None) -> tuple[Span, ...]:
        if output is None:
            return ()
        found: list[tuple[int, int, str]] = []
        default = self.labels[0] if len(self.labels) == 1 else None
        most = max(1000, len(doc) * (len(doc) + 1) // 2)  # every distinct span of the doc
        for count, item in enumerate(output, start=1):
            if count > most:
                raise RuleOutputError(
                    f"yielded more than {most} spans for a document of {len(doc)} tokens "
                    "(an endless generator?); yield each span once"
                )
            if isinstance(item, SpacySpan):
                if item.doc is not doc:
                    raise RuleOutputError(
                        f"yielded the span {item.text!r} of another Doc (such as one made by "
                        "as_doc() or a new nlp() call): its token offsets would mark other "
                        "words; yield spans of the document the rule was given, doc[start:end]"
                    )
                label = item.label_ or default
                start, end = item.start, item.end
            elif isinstance(item, tuple) and len(item) in (2, 3):
                start, end = whole_number(item[0]), whole_number(item[1])
                label = item[2] if len(item) == 3 else default
            else:
                raise RuleOutputError(
                    f"yielded {item!r}; yield spaCy Spans or (start, end[, label]) token offsets"
                )
            if not label:
                raise RuleOutputError(
                    f"yielded {item!r} without a label; give the rule "
                    "label=... or yield labeled spans"
                )
            if start is None or end is None:
                kinds = f"{type(item[0]).__name__}, {type(item[1]).__name__}"
                raise RuleOutputError(
                    f"yielded token offsets {item[:2]!r} ({kinds}); offsets are whole numbers"
                )
            if not 0 <= start < end <= len(doc):
                raise RuleOutputError(
                    f"yielded token offsets ({start}, {end}) outside the "
                    f"document's {len(doc)} tokens"
                )
            self._check_label(label)
            found.append((start, end, label))
        return tuple(
            Span(doc[start].idx, doc[end - 1].idx + len(doc[end - 1]), label)
            for start, end, label in longest_first(found)
        )

    def _check_label(self, label: str | None) -> None:
        if label is not None and self.labels and label not in self.labels:
            raise RuleOutputError(
                f"emitted label {label!r}, which it does not declare ({list(self.labels)})"
            )


def longest_first(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """One rule votes once per token: keep the longest of overlapping token spans (ties to
    the earlier one, as ``spacy.util.filter_spans``), in text order."""
    if len(spans) < 2:
        return spans
    taken: set[int] = set()
    kept = []
    for start, end, label in sorted(spans, key=lambda s: (s[0] - s[1], s[0])):
        if not taken.intersection(range(start, end)):
            kept.append((start, end, label))
            taken.update(range(start, end))
    return sorted(kept)


def _make(
    kind: RuleKind,
    func: Callable | None,
    name: str | None,
    label: str | None,
    labels: Iterable[str] | None,
) -> Any:
    declared = tuple(labels or ()) + ((label,) if label else ())

    def wrap(f: Callable) -> LabelingFunction:
        return LabelingFunction(
            name or f.__name__, kind, f, declared, inspect.getsourcefile(f) or ""
        )

    return wrap(func) if func is not None else wrap


def span_rule(
    func: Callable | None = None,
    *,
    label: str | None = None,
    labels: Iterable[str] | None = None,
    name: str | None = None,
) -> Any:
    """Decorate a generator of spans as a span (NER) labeling function.

    ``label`` is given to spans that carry none; ``labels`` declares several labels the rule
    may emit (``label=`` and ``labels=`` may be combined)."""
    return _make("span", func, name, label, labels)


def unless(rule: LabelingFunction, *vetoes: LabelingFunction) -> LabelingFunction:
    """``rule`` keeping quiet where any of ``vetoes`` votes: each of its spans that shares a
    character with a veto's span is dropped. Same name, so it takes the place of ``rule``:
    ``cities = unless(cities, sports_teams)`` keeps a place list off the names that a
    sports rule reads as teams ("Leeds 2 Chelsea 1"). Span rules only."""
    for lf in (rule, *vetoes):
        if lf.kind != "span":
            raise TypeError(f"unless() takes span rules; '{lf.name}' is a {lf.kind} rule")
    models = {lf.model for lf in (rule, *vetoes) if lf.model}
    if len(models) > 1:
        raise TypeError(f"unless(): the rules read different spaCy pipelines {sorted(models)}")

    def quiet_where_vetoed(doc: Doc) -> list[SpacySpan]:
        vetoed = [s for veto in vetoes for s in veto.vote(doc)]
        return [
            doc.char_span(s.start, s.end, label=s.label)
            for s in rule.vote(doc)
            if not any(v.start < s.end and s.start < v.end for v in vetoed)
        ]

    return LabelingFunction(
        rule.name,
        "span",
        quiet_where_vetoed,
        rule.labels,
        rule.file,
        models.pop() if models else None,
    )


def doc_rule(
    func: Callable | None = None, *, labels: Iterable[str] | None = None, name: str | None = None
) -> Any:
    """Decorate a function returning a class name (or ``None``) as a document labeling
    function; ``labels`` optionally declares which classes it may return."""
    return _make("doc", func, name, None, labels)
