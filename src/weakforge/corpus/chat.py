"""Chat JSONL (out only): ``{"messages": [system, user, assistant]}`` per labeled example,
for fine-tuning an LLM on the (weak or reviewed) labels. Unlabeled examples are left out.
The turns come from :mod:`weakforge.train.instructions`, the builder the causal fine-tune
uses, so the export is what ``[train] family = "causal"`` trains on."""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from pathlib import Path

from weakforge.atomic import atomic_file
from weakforge.corpus.options import WriteOptions
from weakforge.corpus.tabular import chosen_label
from weakforge.records import Example, labels_in
from weakforge.train.instructions import chat_messages, default_instruction

log = logging.getLogger(__name__)


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
            messages = chat_messages(example, label, instruction)
            handle.write(json.dumps({"messages": messages}, ensure_ascii=False) + "\n")
            written += 1
    if written < len(chosen):
        log.info("chat export: left out %d unlabeled examples", len(chosen) - written)
