"""The stages of a run (each a thin function with declared inputs and outputs, in its own
module here), ordered by what they read and write, and the report stage that closes every
run."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from weakforge.config import RunConfig
from weakforge.errors import ConfigError, StageError
from weakforge.pipeline import RunResult, Stage, run_stages
from weakforge.stages.aggregate import AGGREGATE
from weakforge.stages.audit import AUDIT
from weakforge.stages.augment import AUGMENT
from weakforge.stages.ingest import INGEST
from weakforge.stages.label import LABEL
from weakforge.stages.registered_names import check_registered_names
from weakforge.stages.report import REPORT, report_stage
from weakforge.stages.train import TRAIN

AVAILABLE: tuple[Stage, ...] = (INGEST, LABEL, AGGREGATE, AUDIT, AUGMENT, TRAIN)
"""Every stage; the order they run in is derived from their inputs and outputs."""


def run_order(chosen: Sequence[Stage]) -> list[Stage]:
    """The stages sorted so each runs after every chosen stage that writes what it reads
    (an input, or a records file it may read); ties keep the order given."""
    writers = {out: s.name for s in chosen for out in s.outputs}
    needs = {
        s.name: {writers[x] for x in (*s.inputs, *s.reads_newest) if x in writers} - {s.name}
        for s in chosen
    }
    ordered: list[Stage] = []
    remaining = list(chosen)
    while remaining:
        done = {s.name for s in ordered}
        ready = next((s for s in remaining if needs[s.name] <= done), None)
        if ready is None:
            names = [s.name for s in remaining]
            raise StageError(f"stages {names} read each other's outputs in a circle")
        ordered.append(ready)
        remaining.remove(ready)
    return ordered


def resolve_records(ordered: Sequence[Stage]) -> list[Stage]:
    """Point each stage that reads records at the newest of ``reads_newest`` that a stage
    before it writes."""
    resolved, written = [], set()
    for stage in ordered:
        if stage.reads_newest:
            found = next((x for x in stage.reads_newest if x in written), None)
            if found is None:
                raise ConfigError(
                    f"stage '{stage.name}' needs records from an earlier stage; "
                    "include 'ingest' in [run] stages"
                )
            stage = replace(stage, inputs=(*stage.inputs, found), records_from=found)
        resolved.append(stage)
        written.update(stage.outputs)
    return resolved


def select_stages(config: RunConfig, until: str | None = None) -> list[Stage]:
    """The configured stages (all available ones by default; with ``until``, those up to
    that one) in run order, plus the report stage, which closes every run, a one-stage
    command's too (naming it in ``[run] stages`` is allowed and changes nothing). The
    config's registry names are checked first."""
    check_registered_names(config)
    names = [s.name for s in AVAILABLE]
    wanted = list(config.run.stages) or names
    for name in wanted:
        if name not in (*names, REPORT):
            raise ConfigError(
                f"[run] stages: unknown stage '{name}'; available: {[*names, REPORT]}"
            )
    chosen = resolve_records(run_order([s for s in AVAILABLE if s.name in wanted]))
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
