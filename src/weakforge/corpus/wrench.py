"""WRENCH benchmark folders: ``train.json``/``valid.json``/``test.json`` + ``label.json``.

Each entry's ``weak_labels`` become the votes of precomputed sources named with fixed width
(``LF000``, ``LF001``, ...: skweak treats names that prefix each other as correlated), so the
aggregators run on the benchmark's own label matrices.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path

from weakforge.atomic import atomic_file
from weakforge.corpus.options import ReadOptions, WriteOptions
from weakforge.corpus.textfile import read_utf8
from weakforge.errors import CorpusError
from weakforge.records import Example

SPLIT_FILES = {"train": "train.json", "dev": "valid.json", "test": "test.json"}
ABSTAIN = -1


def source_names(n_sources: int) -> list[str]:
    width = max(3, len(str(n_sources - 1)))
    return [f"LF{i:0{width}d}" for i in range(n_sources)]


def load_label_map(folder: Path) -> dict[int, str]:
    path = folder / "label.json"
    if not path.exists():
        raise CorpusError(
            path,
            None,
            "label.json is missing",
            'add label.json mapping class index to name, e.g. {"0": "HAM"}',
        )
    try:
        raw = json.loads(read_utf8(path))
        names = {int(k): str(v) for k, v in raw.items()}
    except (json.JSONDecodeError, ValueError, AttributeError) as exc:
        raise CorpusError(
            path,
            None,
            f"label.json is not an index -> name object ({exc})",
            'write it as {"0": "NAME0", "1": "NAME1", ...}',
        ) from None
    shared = sorted({n for n in names.values() if list(names.values()).count(n) > 1})
    if shared:
        indices = {n: sorted(i for i, m in names.items() if m == n) for n in shared}
        raise CorpusError(
            path,
            None,
            f"label.json gives one name to several classes {indices}, which would merge them",
            "give each class index its own name",
        )
    return names


def read_wrench(path: Path, options: ReadOptions) -> Iterator[tuple[str, Example | CorpusError]]:
    """Read a WRENCH folder (all splits present) or one split file beside its label.json."""
    folder = path if path.is_dir() else path.parent
    names = load_label_map(folder)
    if path.is_dir():
        files = [
            (split, folder / name)
            for split, name in SPLIT_FILES.items()
            if (folder / name).exists()
        ]
        if not files:
            raise CorpusError(
                path,
                None,
                "no train.json, valid.json or test.json here",
                "point [data] path at a WRENCH dataset folder",
            )
    else:
        split = {v: k for k, v in SPLIT_FILES.items()}.get(path.name, options.split)
        files = [(split, path)]
    for split, file in files:
        yield from read_split(file, split, names)


def read_split(
    file: Path, split: str, names: dict[int, str]
) -> Iterator[tuple[str, Example | CorpusError]]:
    try:
        entries = json.loads(read_utf8(file))
    except json.JSONDecodeError as exc:
        raise CorpusError(
            file,
            f"line {exc.lineno}",
            f"malformed JSON ({exc.msg})",
            "repair the file or fetch it again",
        ) from None
    if not isinstance(entries, dict):
        raise CorpusError(
            file,
            None,
            "expected an object of id -> entry",
            "use WRENCH's format {id: {label, weak_labels, data}}",
        )
    sources: list[str] | None = None
    for key, entry in entries.items():
        where = f"{file.name} record '{key}'"
        try:
            text = entry["data"]["text"]
            weak = entry["weak_labels"]
            gold_index = entry.get("label", ABSTAIN)
        except (KeyError, TypeError) as exc:
            yield (
                where,
                CorpusError(
                    file,
                    where,
                    f"missing field {exc}",
                    "give each entry label, weak_labels and data.text",
                ),
            )
            continue
        kinds = (
            (isinstance(text, str), "data.text must be a string"),
            (isinstance(weak, list), "weak_labels must be a list of class indices"),
            (
                all(isinstance(v, int) and not isinstance(v, bool) for v in weak or ()),
                "every weak label must be an integer class index (-1 = abstain)",
            ),
            (
                isinstance(gold_index, int) and not isinstance(gold_index, bool),
                "label must be an integer class index",
            ),
        )
        wrong = [problem for ok, problem in kinds if not ok]
        if wrong:
            yield (
                where,
                CorpusError(file, where, wrong[0], "fix the entry's field types (WRENCH format)"),
            )
            continue
        if sources is None:
            sources = source_names(len(weak))
        if len(weak) != len(sources):
            yield (
                where,
                CorpusError(
                    file,
                    where,
                    f"{len(weak)} weak labels where earlier entries have {len(sources)}",
                    "give every entry one vote per source",
                ),
            )
            continue
        unknown = {v for v in [gold_index, *weak] if v != ABSTAIN and v not in names}
        if unknown:
            yield (
                where,
                CorpusError(
                    file,
                    where,
                    f"unknown class index {sorted(unknown)}",
                    f"use indices of label.json {sorted(names)} or -1 to abstain",
                ),
            )
            continue
        data = {k: v for k, v in entry["data"].items() if k != "text"}
        meta = {"wrench_id": key, **({"wrench_data": data} if data else {})}
        yield (
            where,
            Example(
                id=f"{SPLIT_FILES[split].removesuffix('.json')}-{key}",
                text=text,
                gold=None if gold_index == ABSTAIN else names[gold_index],
                split=split,
                votes={s: (None if v == ABSTAIN else names[v]) for s, v in zip(sources, weak)},
                meta=meta,
            ),
        )


def write_wrench(examples: Sequence[Example], path: Path, options: WriteOptions) -> None:
    """Write a WRENCH folder; class order from ``options.labels`` or sorted label names."""
    labels = list(
        options.labels
        or sorted(
            {lab for e in examples for lab in (e.gold, *e.votes.values()) if isinstance(lab, str)}
        )
    )
    index = {name: i for i, name in enumerate(labels)}
    path.mkdir(parents=True, exist_ok=True)
    with atomic_file(path / "label.json") as handle:
        json.dump({str(i): name for i, name in enumerate(labels)}, handle)
    for split, name in SPLIT_FILES.items():
        chosen = [e for e in examples if e.split == split]
        if not chosen:
            continue
        with atomic_file(path / name) as handle:
            handle.write("{\n")
            for n, example in enumerate(chosen):
                entry = wrench_entry(example, index, path / name)
                key = example.meta.get("wrench_id", str(n))
                comma = "," if n < len(chosen) - 1 else ""
                handle.write(f"\t{json.dumps(key)}: {json.dumps(entry)}{comma}\n")
            handle.write("}\n")


def wrench_entry(example: Example, index: dict[str, int], file: Path) -> dict:
    def code(label: object) -> int:
        if label is None:
            return ABSTAIN
        if not isinstance(label, str) or label not in index:
            raise CorpusError(
                file,
                f"record '{example.id}'",
                f"label {label!r} is not one of the classes {list(index)}",
                "WRENCH holds classification labels; pass the task's labels",
            )
        return index[label]

    data = {"text": example.text, **example.meta.get("wrench_data", {})}
    return {
        "label": code(example.gold),
        "weak_labels": [code(example.votes[s]) for s in sorted(example.votes)],
        "data": data,
    }
