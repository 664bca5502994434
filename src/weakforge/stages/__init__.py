"""The stages of a run, in run order (each a thin function with declared inputs and
outputs, in its own module here), and the report stage that closes every run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from weakforge.config import RunConfig
from weakforge.errors import ConfigError
from weakforge.pipeline import LATEST_RECORDS, RunResult, Stage, run_stages
from weakforge.stages.aggregate import AGGREGATE
from weakforge.stages.audit import AUDIT
from weakforge.stages.augment import AUGMENT
from weakforge.stages.ingest import INGEST
from weakforge.stages.label import LABEL
from weakforge.stages.report import REPORT, report_stage
from weakforge.stages.train import TRAIN

AVAILABLE: tuple[Stage, ...] = (INGEST, LABEL, AGGREGATE, AUDIT, AUGMENT, TRAIN)


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
    """The configured stages (all available ones by default; with ``until``, those up to
    that one), plus the report stage, which closes every run, a one-stage command's too
    (naming it in ``[run] stages`` is allowed and changes nothing)."""
    names = [s.name for s in AVAILABLE]
    wanted = list(config.run.stages) or names
    for name in wanted:
        if name not in (*names, REPORT):
            raise ConfigError(
                f"[run] stages: unknown stage '{name}'; available: {[*names, REPORT]}"
            )
    chosen = resolve_records([s for s in AVAILABLE if s.name in wanted])
    if until is not None:
        names = [s.name for s in chosen]
        if until not in names:
            raise ConfigError(f"stage '{until}' is not part of this run; [run] stages: {names}")
        chosen = chosen[: names.index(until) + 1]  # the report then covers these stages
    return [*chosen, report_stage(chosen, config.report.formats)]


def run(
    config: RunConfig, run_dir: Path, force_from: str | None = None, until: str | None = None
) -> RunResult:
    """Run the configured stages into ``run_dir`` (see :func:`run_stages`)."""
    return run_stages(select_stages(config, until), config, run_dir, force_from)
