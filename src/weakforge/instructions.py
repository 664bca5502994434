"""Instruction data for a causal LM, built from a run's labels, and the parser of its answers.

One builder serves the chat JSONL export and the causal fine-tune, so what a user exports is
what weakforge trains on: a system instruction naming the task and label set, the text as
the user turn, the label as the assistant turn (a class name; for NER a JSON list of
``{"text", "type"}`` objects in order of appearance). :func:`parse_answer` reads a model's
answer back into a label, recovering span offsets by matching the entity text in the input,
and says what was wrong with an answer it cannot read instead of raising.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from weakforge.records import Example, Label, Span
from weakforge.tasks import task_kind


def default_instruction(task: str, labels: Sequence[str]) -> str:
    if task_kind(task).spans:
        return (
            "Extract the named entities of types " + ", ".join(labels) + " from the text. "
            'Answer with a JSON list of {"text": ..., "type": ...} objects in order of '
            "appearance, or [] if there are none."
        )
    return "Classify the text as one of: " + ", ".join(labels) + ". Answer with the label only."


def answer_of(text: str, label: Label) -> str:
    """The assistant turn for ``label`` on ``text``: the class name, or the entities as
    JSON."""
    if isinstance(label, str):
        return label
    return json.dumps(
        [{"text": text[s.start : s.end], "type": s.label} for s in label or ()],
        ensure_ascii=False,
    )


def chat_messages(text: str, label: Label, instruction: str) -> list[dict[str, str]]:
    """System, user and (with a label) assistant turns for one text."""
    messages = [
        {"role": "system", "content": instruction},
        {"role": "user", "content": text},
    ]
    if label is not None:
        messages.append({"role": "assistant", "content": answer_of(text, label)})
    return messages


@dataclass(frozen=True)
class ParsedAnswer:
    """A model's answer read back: the label (``None`` when unreadable), what was wrong, and
    how many entity texts occur more than once in the input (placed at the next one)."""

    label: Label
    problem: str | None = None
    ambiguous: int = 0


def parse_answer(example: Example, answer: str, task: str, labels: Sequence[str]) -> ParsedAnswer:
    """A class name (case and surrounding white space ignored) or a JSON entity list."""
    if not task_kind(task).spans:
        by_key = {x.casefold(): x for x in labels}
        found = by_key.get(answer.strip().casefold())
        return ParsedAnswer(found, None if found else f"not one of the labels: {answer[:80]!r}")
    try:
        entities = json.loads(answer.strip())
    except json.JSONDecodeError:
        return ParsedAnswer(None, f"not JSON: {answer[:80]!r}")
    if not isinstance(entities, list):
        return ParsedAnswer(None, "not a JSON list")
    spans, cursor, ambiguous = [], 0, 0
    for entity in entities:
        if not isinstance(entity, dict) or not isinstance(entity.get("text"), str):
            return ParsedAnswer(None, f"an entity is not a {{'text', 'type'}} object: {entity!r}")
        text, kind = entity["text"], entity.get("type")
        if kind not in labels:
            return ParsedAnswer(None, f"entity type {kind!r} is not one of the labels")
        start = example.text.find(text, cursor) if text else -1
        if start < 0:
            start = example.text.find(text) if text else -1
        if start < 0:
            return ParsedAnswer(None, f"entity text {text[:40]!r} is not in the input")
        ambiguous += example.text.count(text) > 1
        spans.append(Span(start, start + len(text), kind))
        cursor = start + len(text)
    return ParsedAnswer(tuple(sorted(set(spans))), None, ambiguous)
