"""The ingest stage: read the configured corpus files into the run's record store.

Every later stage starts from ``records.parquet``. Bad records stop the run with an error
naming file and line, or (``on_error = "skip"``) go to ``rejects.jsonl`` and are counted.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from weakforge.config import RunConfig
from weakforge.corpus import Columns, ReadOptions, read_corpus, write_rejects
from weakforge.corpus.tabular import save_records
from weakforge.errors import ConfigError, CorpusError
from weakforge.layout import INGEST_PLOT, RECORDS, REJECTS
from weakforge.pipeline import Stage, StageContext
from weakforge.plots import grouped_bars
from weakforge.records import Example, label_counts_by_split, label_to_json
from weakforge.report import Image, Section, Table
from weakforge.tasks import task_kind
from weakforge.tokenize import example_bounds

log = logging.getLogger(__name__)


def corpus_files(config: RunConfig) -> list[tuple[Path, str | None, str | None]]:
    """The configured files, each with the split its records default to and its format
    (None: guessed from the file)."""
    data = config.data
    if not data.path:
        raise CorpusError(
            None,
            None,
            "[data] path is not set",
            "name the corpus file in the config's [data] table",
        )
    files = [
        (config.resolve(path), split, fmt or None)
        for path, split, fmt in (
            (data.path, None, data.format),
            (data.dev_path, "dev", data.dev_format),
            (data.test_path, "test", data.test_format),
        )
        if path
    ]
    return files


def read_configured_corpus(config: RunConfig) -> tuple[list[Example], list[CorpusError]]:
    """Read every configured file; ids must be unique across all of them."""
    data = config.data
    examples: list[Example] = []
    rejects: list[CorpusError] = []
    seen: dict[str, Path] = {}
    for path, split, fmt in corpus_files(config):
        options = ReadOptions(
            columns=Columns(data.text_field, data.id_field, data.label_field, data.split_field),
            task=config.run.task,
            labels=config.run.labels or None,
            split=split or data.split,
            split_map=data.split_map,
            scheme=data.scheme,
            on_error=data.on_error,
        )
        result = read_corpus(path, fmt, options)
        rejects += result.rejects
        for example in result.examples:
            if split and example.split != split:
                example = replace(example, split=split)
            if example.id in seen:
                error = CorpusError(
                    path,
                    f"record '{example.id}'",
                    f"duplicate id, already used in {seen[example.id]}",
                    "ids must be unique across [data] path, dev_path and test_path: give the "
                    "records distinct ids (or point [data] id_field at a field that holds "
                    "unique ones); records without ids are numbered '<file name>-<n>', so "
                    "files of one corpus need distinct names",
                )
                if data.on_error == "raise":
                    raise error
                rejects.append(error)
                continue
            seen[example.id] = path
            examples.append(example)
    return examples, rejects


def set_aside_train_gold(examples: list[Example], policy: str) -> tuple[list[Example], int]:
    """With ``[data] train_gold = "ignore"`` train records keep their gold label only in
    ``meta.train_gold``, so nothing downstream tunes on it or trains on it."""
    if policy == "use":
        return examples, 0
    out, moved = [], 0
    for example in examples:
        if example.split == "train" and example.gold is not None:
            meta = {**example.meta, "train_gold": label_to_json(example.gold)}
            example = replace(example, gold=None, meta=meta)
            moved += 1
        out.append(example)
    if moved:
        log.warning(
            "%d train records carry gold labels; they are set aside, not used ([data] "
            "train_gold = 'ignore'). Set train_gold = 'use' to let them tune the label "
            "model and override weak labels",
            moved,
        )
    return out, moved


def spans_inside_tokens(examples: list[Example]) -> tuple[int, str | None]:
    """How many gold spans start or end inside a token of their text ("U.S" of the token
    "U.S."), and the first record holding one. Such spans still work (tokens are split at
    span edges) but usually mean an annotation slip."""
    found, first = 0, None
    for example in examples:
        gold = example.gold if isinstance(example.gold, tuple) else ()
        if not gold:
            continue
        bounds = example_bounds(example)
        starts, ends = {a for a, _ in bounds}, {b for _, b in bounds}
        cutting = sum(s.start not in starts or s.end not in ends for s in gold)
        if cutting and first is None:
            first = example.id
        found += cutting
    return found, first


def held_out_by_position(
    examples: list[Example], dev_share: float, test_share: float
) -> list[Example]:
    """The train records of the main file cut by position: the last ``test_share`` of them
    become test, the ``dev_share`` before those dev (blocks, not a shuffle, so a document's
    sentences stay in one split)."""
    if not dev_share and not test_share:
        return examples
    if dev_share + test_share >= 1:
        raise ConfigError(
            f"[data] dev_share + test_share = {dev_share + test_share:g} leaves no train "
            "records; keep their sum under 1"
        )
    train = [i for i, e in enumerate(examples) if e.split == "train"]
    n_test, n_dev = round(len(train) * test_share), round(len(train) * dev_share)
    moved = {i: "test" for i in train[len(train) - n_test :]}
    moved.update({i: "dev" for i in train[len(train) - n_test - n_dev : len(train) - n_test]})
    log.info("[data] shares: %d train records to dev, %d to test (by position)", n_dev, n_test)
    return [replace(e, split=moved[i]) if i in moved else e for i, e in enumerate(examples)]


def run_ingest(ctx: StageContext) -> dict[str, Any]:
    examples, rejects = read_configured_corpus(ctx.config)
    data = ctx.config.data
    examples = held_out_by_position(examples, data.dev_share, data.test_share)
    examples, set_aside = set_aside_train_gold(examples, ctx.config.data.train_gold)
    if not examples:
        raise CorpusError(
            ctx.config.resolve(ctx.config.data.path),
            None,
            "no valid records",
            "check the file and the [data] field names",
        )
    save_records(examples, ctx.output(RECORDS))
    write_rejects(rejects, ctx.output(REJECTS))
    counts = label_counts_by_split(examples, "gold")
    splits = Counter(e.split for e in examples)
    gold = Counter(e.split for e in examples if e.gold is not None)
    labels = list(ctx.config.run.labels) or sorted({k for c in counts.values() for k in c})
    grouped_bars(
        counts,
        ctx.output(INGEST_PLOT),
        "gold labels per split",
        task_kind(ctx.config.run.task).counted,
    )
    if rejects:
        log.warning("%d bad records skipped; see %s", len(rejects), ctx.input(REJECTS))
    cutting, first_cutting = spans_inside_tokens(examples)
    if cutting:
        log.warning(
            "%d gold spans start or end inside a token (first in record '%s'); kept, with the "
            "token split at the span's edge. Check that the offsets cover whole words",
            cutting,
            first_cutting,
        )
    return {
        "gold_spans_inside_tokens": cutting,
        "first_record_with_one": first_cutting,
        "n_examples": len(examples),
        "splits": dict(sorted(splits.items())),
        "gold_labeled": dict(sorted(gold.items())),
        "label_counts": counts,
        "labels": labels,
        "n_rejects": len(rejects),
        "train_gold_set_aside": set_aside,
        "rejects": [str(e) for e in rejects[:20]],
    }


def describe_ingest(metrics: dict[str, Any]) -> Section:
    rows = [
        [split, n, metrics["gold_labeled"].get(split, 0)] for split, n in metrics["splits"].items()
    ]
    section = Section(
        "Corpus",
        [
            f"{metrics['n_examples']} records read; labels: {', '.join(metrics['labels'])}.",
            Table(["split", "records", "with gold label"], rows),
        ],
    )
    if metrics.get("gold_spans_inside_tokens"):
        section.blocks.append(
            f"{metrics['gold_spans_inside_tokens']} gold spans start or end inside a token "
            "(the first record holding one is in stages/ingest.json); they were kept, with "
            "the token split at the span's edge. Check that the offsets cover whole words."
        )
    if metrics.get("train_gold_set_aside"):
        section.blocks.append(
            f"{metrics['train_gold_set_aside']} train records came with gold labels; they were "
            "set aside and not used ([data] train_gold = 'ignore')."
        )
    counts = metrics["label_counts"]
    labels = sorted({k for c in counts.values() for k in c})
    if labels:
        section.blocks.append(
            Table(
                ["split", *labels], [[s, *(c.get(x, 0) for x in labels)] for s, c in counts.items()]
            )
        )
        section.blocks.append(Image(INGEST_PLOT, "gold labels per split"))
    if metrics["n_rejects"]:
        section.blocks.append(
            f"{metrics['n_rejects']} bad records were skipped (listed in {REJECTS}):"
        )
        section.blocks.append(Table(["rejected record"], [[r] for r in metrics["rejects"]]))
    return section


INGEST = Stage(
    name="ingest",
    run=run_ingest,
    outputs=(RECORDS, REJECTS, INGEST_PLOT),
    config_keys=("data",),
    external=lambda config: [path for path, _, _ in corpus_files(config)],
    describe=describe_ingest,
)
