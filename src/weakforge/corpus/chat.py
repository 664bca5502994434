"""Chat JSONL (out only): ``{"messages": [system, user, assistant]}`` per labeled example,
for fine-tuning an LLM on the (weak or reviewed) labels. Unlabeled examples are left out."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

from weakforge.atomic import atomic_file
from weakforge.corpus.options import WriteOptions
from weakforge.corpus.tabular import chosen_label
from weakforge.records import Example, Label, labels_in

log = logging.getLogger(__name__)


def default_instruction(task: str, labels: Sequence[str]) -> str:
    if task == "ner":
        return (
            "Extract the named entities of types " + ", ".join(labels) + " from the text. "
            'Answer with a JSON list of {"text": ..., "label": ...} objects in order of '
            "appearance, or [] if there are none."
        )
    return "Classify the text as one of: " + ", ".join(labels) + ". Answer with the label only."


def assistant_answer(example: Example, label: Label) -> str:
    if isinstance(label, str):
        return label
    return json.dumps(
        [{"text": example.text[s.start : s.end], "label": s.label} for s in label or ()],
        ensure_ascii=False,
    )


def write_chat(examples: Sequence[Example], path: Path, options: WriteOptions) -> None:
    chosen = [(e, chosen_label(e, options.which)) for e in examples]
    task = options.task or (
        "ner" if any(isinstance(lab, tuple) for _, lab in chosen) else "classification"
    )
    labels = options.labels or sorted(set().union(*(labels_in(lab) for _, lab in chosen)))
    instruction = options.instruction or default_instruction(task, labels)
    written = 0
    with atomic_file(path) as handle:
        for example, label in chosen:
            if label is None:
                continue
            messages = [
                {"role": "system", "content": instruction},
                {"role": "user", "content": example.text},
                {"role": "assistant", "content": assistant_answer(example, label)},
            ]
            handle.write(json.dumps({"messages": messages}, ensure_ascii=False) + "\n")
            written += 1
    if written < len(chosen):
        log.info("chat export: left out %d unlabeled examples", len(chosen) - written)
