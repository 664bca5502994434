"""The stages a run can include, in run order, and the report stage that closes every run.

Stages delivered later (label, aggregate, audit, review, augment, train) register here; a
run executes the ones that exist.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from weakforge.atomic import atomic_file
from weakforge.config import RunConfig
from weakforge.errors import ConfigError
from weakforge.pipeline import LATEST_RECORDS, RunResult, Stage, StageContext, run_stages
from weakforge.report import Section, render_html, render_markdown
from weakforge.stages.aggregate import AGGREGATE
from weakforge.stages.audit import AUDIT
from weakforge.stages.augment import AUGMENT
from weakforge.stages.ingest import INGEST
from weakforge.stages.label import LABEL
from weakforge.stages.train import TRAIN

AVAILABLE: tuple[Stage, ...] = (INGEST, LABEL, AGGREGATE, AUDIT, AUGMENT, TRAIN)
PLANNED = ("review",)
METRICS = "metrics.json"


def report_stage(stages: Sequence[Stage], formats: Sequence[str]) -> Stage:
    """The last stage: ``metrics.json`` plus the human report from every stage's metrics."""
    outputs = (METRICS, *(f"report.{ext}" for ext in formats))

    def run_report(ctx: StageContext) -> dict[str, Any]:
        metrics = {
            s.name: json.loads(ctx.input(s.metrics_name).read_text(encoding="utf-8"))
            for s in stages
        }
        with atomic_file(ctx.output(METRICS)) as handle:
            json.dump(
                {"run": ctx.config.run.name, "task": ctx.config.run.task, "stages": metrics},
                handle,
                indent=2,
                sort_keys=True,
            )
        sections = [s.describe(metrics[s.name]) for s in stages if s.describe]
        sections.append(
            Section(
                "Run",
                [
                    f"Stages run: {', '.join(s.name for s in stages)}.",
                    f"Configuration: {ctx.config.run.task} task, labels "
                    f"{', '.join(ctx.config.run.labels) or '(from data)'}"
                    f", seed {ctx.config.run.seed}.",
                ],
            )
        )
        title = f"weakforge report: {ctx.config.run.name}"
        if "md" in formats:
            with atomic_file(ctx.output("report.md")) as handle:
                handle.write(render_markdown(title, sections))
        if "html" in formats:
            with atomic_file(ctx.output("report.html")) as handle:
                handle.write(render_html(title, sections, ctx.run_dir))
        return {"sections": [s.title for s in sections]}

    return Stage(
        name="report",
        run=run_report,
        outputs=outputs,
        config_keys=("report",),
        inputs=tuple(
            x for s in stages for x in (s.metrics_name, *s.outputs) if x.endswith((".json", ".png"))
        ),
    )


def resolve_records(chosen: Sequence[Stage]) -> list[Stage]:
    """Point each ``LATEST_RECORDS`` input at the newest records file written before it."""
    resolved, latest = [], None
    for stage in chosen:
        if LATEST_RECORDS in stage.inputs:
            if latest is None:
                raise ConfigError(
                    f"stage '{stage.name}' needs records from an earlier stage; "
                    "include 'ingest' in [run] stages"
                )
            inputs = tuple(latest if x == LATEST_RECORDS else x for x in stage.inputs)
            stage = replace(stage, inputs=inputs, records_from=latest)
        resolved.append(stage)
        latest = stage.records_out or latest
    return resolved


def select_stages(config: RunConfig, until: str | None = None) -> list[Stage]:
    """The configured stages (all available ones by default), plus the report stage."""
    by_name = {s.name: s for s in AVAILABLE}
    wanted = list(config.run.stages) or [s.name for s in AVAILABLE]
    for name in wanted:
        if name not in by_name:
            later = " (not available in this version yet)" if name in PLANNED else ""
            raise ConfigError(
                f"[run] stages: unknown stage '{name}'{later}; available: "
                f"{[s.name for s in AVAILABLE]}"
            )
    chosen = resolve_records([s for s in AVAILABLE if s.name in wanted])
    if until is not None:
        names = [s.name for s in chosen]
        if until not in names:
            raise ConfigError(f"stage '{until}' is not part of this run; [run] stages: {names}")
        return chosen[: names.index(until) + 1]
    return [*chosen, report_stage(chosen, config.report.formats)]


def run(
    config: RunConfig, run_dir: Path, force_from: str | None = None, until: str | None = None
) -> RunResult:
    """Run the configured stages into ``run_dir`` (see :func:`run_stages`)."""
    return run_stages(select_stages(config, until), config, run_dir, force_from)
