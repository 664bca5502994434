"""The label stage: discover the configured rules and apply them to the corpus.

Writes ``votes/part-NNNNN.parquet`` (one column per source), and keeps spaCy's parse of the
records in ``cache/docs/`` for the rule workbench. With no rules configured it
writes an empty votes folder: precomputed votes (e.g. WRENCH ``weak_labels``) already ride
in the records and reach the aggregate stage unchanged.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from weakforge.config import RunConfig
from weakforge.corpus.tabular import load_records
from weakforge.digests import digest_path
from weakforge.labeling.applier import RuleSpec, apply_rules
from weakforge.labeling.parsed import docs_folder, drop_other_parses
from weakforge.layout import RECORDS, VOTES, VOTES_MADE_FROM
from weakforge.pipeline import Stage, StageContext
from weakforge.report import Section, Table

log = logging.getLogger(__name__)


def rule_spec(config: RunConfig) -> RuleSpec:
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
    )


def label_inputs(config: RunConfig) -> list[Path]:
    """Rules files and the data they read: their contents decide whether to rerun."""
    return [config.resolve(p) for p in (*config.label.rules, *config.label.data_paths)]


def run_label(ctx: StageContext) -> dict[str, Any]:
    out = ctx.output(VOTES)
    out.mkdir(parents=True, exist_ok=True)
    (out / VOTES_MADE_FROM).write_text(digest_path(ctx.input(RECORDS)), encoding="utf-8")
    section = ctx.config.label
    if not section.rules:
        log.info("no [label] rules configured: using the votes the records carry")
        return {"sources": [], "n_docs": 0, "failures": {}}
    examples = load_records(ctx.input(RECORDS))
    spec = rule_spec(ctx.config)
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
