"""The label stage: discover the configured rules and apply them to the corpus.

Writes ``votes/part-NNNNN.parquet`` (one column per source), and keeps spaCy's parse of the
records in ``cache/docs/`` for the rule workbench. With no rules configured it
writes an empty votes folder: precomputed votes (e.g. WRENCH ``weak_labels``) already ride
in the records and reach the aggregate stage unchanged.
"""

from __future__ import annotations

import ast
import importlib.util
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from weakforge.config import RunConfig
from weakforge.corpus.tabular import load_records
from weakforge.digests import digest_path
from weakforge.labeling.applier import RuleSpec, apply_rules
from weakforge.labeling.llm import few_shot_pool
from weakforge.labeling.parsed import docs_folder, drop_other_parses
from weakforge.layout import RECORDS, VOTES, VOTES_MADE_FROM
from weakforge.pipeline import Stage, StageContext
from weakforge.records import Example
from weakforge.report import Section, Table

log = logging.getLogger(__name__)


def rule_spec(config: RunConfig, examples: Sequence[Example] = ()) -> RuleSpec:
    """What the workers need to load the rules; ``examples`` (the records) give LLM sources
    their pool of few-shot examples (dev gold only)."""
    section = config.label
    # coarse labels of label groups (e.g. ENT) are valid votes too
    labels = (*config.run.labels, *config.aggregate.label_groups) if config.run.labels else ()
    return RuleSpec(
        tuple(str(config.resolve(p)) for p in section.rules),
        config.run.task,
        labels,
        section.include,
        section.exclude,
        section.rule_timeout,
        few_shot_pool(examples),
    )


def label_inputs(config: RunConfig) -> list[Path]:
    """Rules files, the local modules they import, and the data they read: their contents
    decide whether to rerun (editing a helper module the rules import reruns the stage)."""
    rules = [config.resolve(p) for p in config.label.rules]
    helpers = sorted({m for path in rules for m in local_imports(path)} - set(rules))
    if helpers:
        log.info("the label stage's hash also covers %s", ", ".join(map(str, helpers)))
    return [*rules, *helpers, *(config.resolve(p) for p in config.label.data_paths)]


def local_imports(path: Path) -> list[Path]:
    """The modules a rules file (or the files of a rules folder) imports that are the
    user's own: found where Python would import them from, outside the installed
    packages and the standard library (weakforge itself included)."""
    files = sorted(path.rglob("*.py")) if path.is_dir() else [path] if path.is_file() else []
    installed = {Path(p).resolve() for p in (sys.prefix, sys.base_prefix)}
    found: list[Path] = []
    for file in files:
        try:
            tree = ast.parse(file.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError, OSError):
            continue  # the rules' import reports it, naming the line
        for name in imported_names(tree):
            try:
                spec = importlib.util.find_spec(name)
            except (ImportError, ValueError):
                continue
            origin = Path(spec.origin).resolve() if spec and spec.origin else None
            if origin is None or not origin.is_file() or name.startswith("weakforge"):
                continue
            if any(root in origin.parents for root in installed):
                continue
            found.append(origin.parent if origin.name == "__init__.py" else origin)
    return found


def imported_names(tree: ast.AST) -> list[str]:
    """Top-level module names of a file's ``import`` and ``from ... import`` statements."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [alias.name.split(".")[0] for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module.split(".")[0])
    return names


def run_label(ctx: StageContext) -> dict[str, Any]:
    out = ctx.output(VOTES)
    out.mkdir(parents=True, exist_ok=True)
    (out / VOTES_MADE_FROM).write_text(digest_path(ctx.input(RECORDS)), encoding="utf-8")
    section = ctx.config.label
    if not section.rules:
        log.info("no [label] rules configured: using the votes the records carry")
        return {"sources": [], "n_docs": 0, "failures": {}}
    examples = load_records(ctx.input(RECORDS))
    spec = rule_spec(ctx.config, examples)
    docs_dir = None
    if section.keep_parse:  # the workbench's parse cache, keyed by records and pipeline
        docs_dir = docs_folder(ctx.run_dir, digest_path(ctx.input(RECORDS)), spec.load().model)
        drop_other_parses(docs_dir)
    report = apply_rules(
        spec,
        examples,
        out,
        docs_dir=docs_dir,
        engine=section.engine,
        workers=section.workers,
        shard_size=section.shard_size,
        fault_tolerant=section.fault_tolerant,
        dask_address=section.dask_address,
    )
    return {
        "sources": report.sources,
        "n_docs": report.n_docs,
        "failures": report.failures,
        "first_failure": report.first_failure,
        **({"llm": report.llm} if report.llm else {}),
    }


def describe_label(metrics: dict[str, Any]) -> Section:
    if not metrics["sources"]:
        return Section("Labeling functions", ["No rules configured; precomputed votes used."])
    section = Section(
        "Labeling functions",
        [
            f"{len(metrics['sources'])} sources applied to {metrics['n_docs']} texts: "
            f"{', '.join(metrics['sources'])}."
        ],
    )
    if metrics["failures"]:
        section.blocks.append("Rule failures (fault-tolerant mode; failed calls abstained):")
        section.blocks.append(
            Table(
                ["rule", "failures", "first failure"],
                [
                    [name, n, metrics["first_failure"].get(name, "")]
                    for name, n in sorted(metrics["failures"].items())
                ],
            )
        )
    if metrics.get("llm"):
        section.blocks.append(
            "LLM sources (few-shot examples from dev gold only; model calls 0 on a rerun "
            "means every answer came from the cache):"
        )
        section.blocks.append(
            Table(
                ["source", "model calls", "from cache", "tokens", "few-shot examples (dev ids)"],
                [
                    [name, c["calls"], c["cached"], c["tokens"], ", ".join(c["examples"]) or "-"]
                    for name, c in sorted(metrics["llm"].items())
                ],
            )
        )
    return section


LABEL = Stage(
    name="label",
    run=run_label,
    inputs=(RECORDS,),
    outputs=(VOTES,),
    config_keys=("label",),
    external=label_inputs,
    describe=describe_label,
)
