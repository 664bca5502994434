"""Checks every record must pass before it enters a run.

Each check returns a :class:`CorpusError` naming the record and the fix, or ``None``.
"""

from __future__ import annotations

from collections.abc import Collection
from pathlib import Path

from weakforge.errors import CorpusError
from weakforge.records import Example, Label, Span

MAX_TEXT = 1_000_000  # spaCy's own limit; a longer record is a document to split


def check_example(
    example: Example,
    path: str | Path | None,
    where: str,
    task: str | None = None,
    labels: Collection[str] | None = None,
) -> CorpusError | None:
    """Validate text, label kind, known label names and span offsets of one example."""
    if not example.text or not example.text.strip():
        return CorpusError(
            path,
            where,
            f"record '{example.id}' has an empty text",
            "give every record a non-empty text, or drop the record",
        )
    if len(example.text) > MAX_TEXT:
        return CorpusError(
            path,
            where,
            f"record '{example.id}' has {len(example.text):,} characters, over the "
            f"{MAX_TEXT:,} a text may have",
            "split it into records (paragraphs or sentences), or skip it with on_error = 'skip'",
        )
    for name, label in (("gold label", example.gold), ("label", example.label)):
        problem = check_label(example.text, label, task, labels)
        if problem:
            return CorpusError(
                path, where, f"record '{example.id}' {name}: {problem[0]}", problem[1]
            )
    for source, vote in example.votes.items():
        problem = check_label(example.text, vote, task, None)
        if problem:
            return CorpusError(
                path, where, f"record '{example.id}' vote of '{source}': {problem[0]}", problem[1]
            )
    return None


def check_label(
    text: str, label: Label, task: str | None, labels: Collection[str] | None
) -> tuple[str, str] | None:
    """Return ``(problem, fix)`` for an invalid label, else ``None``."""
    if label is None:
        return None
    if isinstance(label, str):
        if task == "ner":
            return (
                f"class label {label!r} in a span-labeling (ner) task",
                "give NER labels as a list of [start, end, label] spans",
            )
        if labels and label not in labels:
            return (
                f"unknown label {label!r}",
                f"use one of {sorted(labels)} or add {label!r} to the config's labels",
            )
        return None
    if task == "classification":
        return (
            "spans in a classification task",
            "give a classification label as a single class name",
        )
    previous: Span | None = None
    for span in label:
        problem = check_span(text, span, labels)
        if problem:
            return problem
        if previous is not None and span.start < previous.end:
            return (
                f"spans {previous.to_json()} and {span.to_json()} overlap",
                "keep one of the overlapping spans (NER labels are flat)",
            )
        previous = span
    return None


def check_span(text: str, span: Span, labels: Collection[str] | None) -> tuple[str, str] | None:
    """Offsets in range, non-empty, no surrounding white space, not cutting through a word."""
    desc = f"span {span.to_json()}"
    if not (0 <= span.start < span.end <= len(text)):
        return (
            f"{desc} is out of range for a text of {len(text)} characters",
            "use character offsets with 0 <= start < end <= len(text)",
        )
    covered = text[span.start : span.end]
    if covered != covered.strip():
        return (
            f"{desc} ({covered!r}) starts or ends with white space",
            "trim the span to the entity's first and last character",
        )
    cuts_left = span.start > 0 and text[span.start - 1].isalnum() and text[span.start].isalnum()
    cuts_right = span.end < len(text) and text[span.end - 1].isalnum() and text[span.end].isalnum()
    if cuts_left or cuts_right:
        return (
            f"{desc} ({covered!r}) is misaligned: it cuts through a word",
            "check the offsets are character (not byte or token) offsets into the text",
        )
    if labels and span.label not in labels:
        return (
            f"{desc} has unknown label {span.label!r}",
            f"use one of {sorted(labels)} or add {span.label!r} to the config's labels",
        )
    return None
