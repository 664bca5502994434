"""Label Studio task JSON (out only): weak labels as ``predictions`` a team imports as
pre-labels, gold labels as ``annotations``, plus the matching labeling config XML."""

from __future__ import annotations

import html
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from weakforge.atomic import atomic_file
from weakforge.corpus.options import WriteOptions
from weakforge.corpus.tabular import chosen_label
from weakforge.records import Example, Label, labels_in

FROM_NAME = "label"
TO_NAME = "text"


def ls_results(example: Example, label: Label) -> list[dict[str, Any]]:
    """Label Studio ``result`` items for one label (spans -> ``labels``, class -> ``choices``)."""
    if label is None:
        return []
    if isinstance(label, str):
        return [
            {
                "from_name": FROM_NAME,
                "to_name": TO_NAME,
                "type": "choices",
                "value": {"choices": [label]},
            }
        ]
    return [
        {
            "id": f"{example.id}-{k}",
            "from_name": FROM_NAME,
            "to_name": TO_NAME,
            "type": "labels",
            "score": span.prob,
            "value": {
                "start": span.start,
                "end": span.end,
                "text": example.text[span.start : span.end],
                "labels": [span.label],
            },
        }
        for k, span in enumerate(label)
    ]


def ls_task(example: Example, options: WriteOptions, model_version: str) -> dict[str, Any]:
    task: dict[str, Any] = {
        "data": {"text": example.text, "id": example.id, "split": example.split}
    }
    label = chosen_label(example, "label" if options.which == "best" else options.which)
    if label is None and options.which == "best":
        label = example.gold
    if label is not None:
        score = (
            max(example.probs.values())
            if isinstance(label, str) and example.probs
            else (min((s.prob for s in label), default=1.0) if isinstance(label, tuple) else 1.0)
        )
        task["predictions"] = [
            {"model_version": model_version, "score": score, "result": ls_results(example, label)}
        ]
    if example.gold is not None and options.which != "gold":
        task["annotations"] = [{"result": ls_results(example, example.gold)}]
    return task


def label_config(task: str | None, labels: Sequence[str]) -> str:
    """The labeling interface XML matching the tasks' ``from_name``/``to_name``."""
    items = "".join(
        f'<Label value="{html.escape(x)}"/>'
        if task == "ner"
        else f'<Choice value="{html.escape(x)}"/>'
        for x in labels
    )
    tag = ("Labels", "") if task == "ner" else ("Choices", ' choice="single"')
    return (
        f'<View>\n  <Text name="{TO_NAME}" value="$text"/>\n'
        f'  <{tag[0]} name="{FROM_NAME}" toName="{TO_NAME}"{tag[1]}>{items}</{tag[0]}>\n'
        f"</View>\n"
    )


def write_labelstudio(examples: Sequence[Example], path: Path, options: WriteOptions) -> None:
    tasks = [ls_task(e, options, "weakforge") for e in examples]
    with atomic_file(path) as handle:
        json.dump(tasks, handle, ensure_ascii=False, indent=1)
    task_kind = options.task or (
        "ner" if any(isinstance(e.gold or e.label, tuple) for e in examples) else "classification"
    )
    labels = options.labels or sorted(
        {lab for e in examples for lab in labels_in(e.gold) | labels_in(e.label)}
    )
    with atomic_file(path.with_suffix(".label_config.xml")) as handle:
        handle.write(label_config(task_kind, labels))
