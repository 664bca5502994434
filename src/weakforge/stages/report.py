"""The report stage that closes every run: ``metrics.json`` for machines, and the human
report (HTML and/or Markdown) from every stage's metrics and ``describe``."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from weakforge.atomic import atomic_file
from weakforge.layout import METRICS, REPORTS
from weakforge.pipeline import Stage, StageContext
from weakforge.report import Section, render_html, render_markdown

REPORT = "report"  # the stage's name


def report_stage(stages: Sequence[Stage], formats: Sequence[str]) -> Stage:
    """The last stage: ``metrics.json`` plus the human report from every stage's metrics."""
    outputs = (METRICS, *(REPORTS[ext] for ext in formats))

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
        renderers = {
            "md": lambda: render_markdown(title, sections),
            "html": lambda: render_html(title, sections, ctx.run_dir),
        }
        for ext in formats:
            with atomic_file(ctx.output(REPORTS[ext])) as handle:
                handle.write(renderers[ext]())
        return {"sections": [s.title for s in sections]}

    return Stage(
        name=REPORT,
        run=run_report,
        outputs=outputs,
        config_keys=("report",),
        inputs=tuple(
            x for s in stages for x in (s.metrics_name, *s.outputs) if x.endswith((".json", ".png"))
        ),
    )
