"""A Hugging Face ``datasets`` folder (out only), one split per corpus split.

Classification: ``id``, ``text``, ``label`` (a ``ClassLabel``; -1 where unlabeled).
NER: ``id``, ``text``, ``tokens``, ``ner_tags`` (BIO ``ClassLabel``s) and the exact
character ``spans``, so both token-level trainers and span-aware code can use it.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from weakforge.atomic import atomic_dir, foreign_entries
from weakforge.corpus.options import WriteOptions
from weakforge.corpus.tabular import chosen_label
from weakforge.errors import CorpusError
from weakforge.labels import bio_tags, encode_tags
from weakforge.records import Example, labels_in
from weakforge.tokenize import example_bounds, token_spans

HF_MARKERS = ("dataset_dict.json", "dataset_info.json", "state.json")
"""Files ``save_to_disk`` writes at a dataset folder's top: what an earlier output shows."""


def refuse_foreign_folder(path: Path) -> None:
    """The folder is replaced whole, so it must be new, empty, or an earlier Hugging Face
    dataset: anything else is the user's and is refused, never deleted."""
    if not path.exists():
        return
    if not path.is_dir():
        raise CorpusError(path, None, "exists and is not a folder", "name a new folder")
    entries = foreign_entries(path, HF_MARKERS)
    if entries:
        shown = ", ".join(entries[:5])
        raise CorpusError(
            path,
            None,
            f"is not empty and is not a Hugging Face dataset folder (it holds {shown})",
            "writing replaces the folder whole: name a new or empty folder",
        )


def write_hf_datasets(examples: Sequence[Example], path: Path, options: WriteOptions) -> None:
    import datasets

    chosen = [chosen_label(e, options.which) for e in examples]
    ner = options.task == "ner" or (
        options.task is None and any(isinstance(c, tuple) for c in chosen)
    )
    classes = list(options.labels or sorted(set().union(*(labels_in(c) for c in chosen))))
    by_split: dict[str, dict[str, list]] = {}
    for example, label in zip(examples, chosen):
        columns = by_split.setdefault(example.split, {})
        columns.setdefault("id", []).append(example.id)
        columns.setdefault("text", []).append(example.text)
        if ner:
            spans = label if isinstance(label, tuple) else ()
            bounds = example_bounds(example, spans)
            placed, _ = token_spans(bounds, spans)  # the cuts put every span on token edges
            tags = encode_tags(len(bounds), [(a, b, s.label) for a, b, s in placed], "bio")
            columns.setdefault("tokens", []).append([example.text[a:b] for a, b in bounds])
            columns.setdefault("ner_tags", []).append(tags)
            columns.setdefault("spans", []).append(
                [{"start": s.start, "end": s.end, "label": s.label} for s in spans]
            )
        else:
            columns.setdefault("label", []).append(label if isinstance(label, str) else None)
    if ner:
        tag_names = bio_tags(classes)
        features = datasets.Features(
            {
                "id": datasets.Value("string"),
                "text": datasets.Value("string"),
                "tokens": datasets.Sequence(datasets.Value("string")),
                "ner_tags": datasets.Sequence(datasets.ClassLabel(names=tag_names)),
                "spans": [
                    {
                        "start": datasets.Value("int64"),
                        "end": datasets.Value("int64"),
                        "label": datasets.Value("string"),
                    }
                ],
            }
        )
    else:
        features = datasets.Features(
            {
                "id": datasets.Value("string"),
                "text": datasets.Value("string"),
                "label": datasets.ClassLabel(names=classes),
            }
        )
        for columns in by_split.values():
            columns["label"] = [-1 if x is None else classes.index(x) for x in columns["label"]]
    dataset = datasets.DatasetDict(
        {
            split: datasets.Dataset.from_dict(columns, features=features)
            for split, columns in by_split.items()
        }
    )
    refuse_foreign_folder(path)
    with atomic_dir(path) as tmp:
        dataset.save_to_disk(str(tmp))
