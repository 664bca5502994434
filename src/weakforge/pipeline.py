"""The resumable batch run: stages in order, each writing into one run folder.

A stage is a function with declared inputs (artifacts of earlier stages, files the config
names) and outputs. Its outputs are written into a staging folder and moved into the run
folder only when the stage succeeds; the manifest records, per stage, a content hash of its
code version, config tables and inputs. A re-run skips a stage whose hash is unchanged and
whose outputs are intact; a run killed mid-stage leaves no partial output and redoes that
stage. ``force_from`` reruns a stage and every later one.

Some artifacts are not files of the run folder: the review queue lives in a database that
reviewers write to and a team may share. A stage declares those as :class:`Store` inputs
and outputs, so the skip logic sees them too (a deleted queue is refilled; new decisions
rerun the stage that reads them). Every run logs into ``weakforge.log`` in its folder,
with the traceback of any unexpected error.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from weakforge.atomic import atomic_file, foreign_entries
from weakforge.config import RunConfig
from weakforge.digests import digest_path
from weakforge.errors import StageError, WeakforgeError
from weakforge.layout import (
    LOCK,
    LOCK_HOLDER,
    LOG,
    MANIFEST,
    RESOLVED_CONFIG,
    SET_ASIDE,
    STAGING,
    stage_metrics,
)
from weakforge.report import Section

log = logging.getLogger(__name__)
# tracebacks of unexpected errors: to the run's log file only (the CLI shows them with -v)
trace_log = logging.getLogger("weakforge.traceback")
trace_log.propagate = False


@dataclass(frozen=True)
class Store:
    """An artifact outside the run folder's files (e.g. the review database).

    ``state`` returns a short summary of its content, ``""`` when it is absent: a stage
    that reads the store reruns when the state changes, and a stage that fills it reruns
    when the store no longer holds what the stage left there."""

    name: str
    state: Callable[[RunConfig, Path], str]


@dataclass
class StageContext:
    """What a running stage sees: the config, where to read inputs and write outputs."""

    config: RunConfig
    run_dir: Path
    staging: Path
    stage: Stage

    def input(self, name: str) -> Path:
        """Path of an artifact an earlier stage wrote."""
        return self.run_dir / name

    def output(self, name: str) -> Path:
        """Where this stage writes its output ``name`` (moved into place on success)."""
        if name not in self.stage.outputs:
            raise StageError(f"stage '{self.stage.name}' writes undeclared output '{name}'")
        path = self.staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        return path


@dataclass(frozen=True)
class Stage:
    """One step of a run.

    ``run`` writes every declared output through ``ctx.output`` and returns its metrics (a
    JSON-compatible dict, saved as the output ``stages/<name>.json``). ``config_keys`` are the
    config tables whose values enter the stage's hash; ``external`` lists files outside the
    run folder (a corpus, a rules folder) whose content does too. ``describe`` turns the
    metrics into the stage's section of the report. ``reads_newest`` lists the records files
    a stage can read, newest first: it reads the first one an earlier stage of the run
    writes among its ``outputs`` (``records_from``, an input from then on), so stages can be
    left out of a run. ``reads`` and
    ``fills`` are the stores (databases) it reads and writes; ``config_values`` picks single
    keys of other tables that enter its hash (e.g. the embedding model it shares).
    """

    name: str
    run: Callable[[StageContext], dict[str, Any]]
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()
    config_keys: tuple[str, ...] = ()
    external: Callable[[RunConfig], Sequence[Path]] = field(default=lambda config: ())
    describe: Callable[[dict[str, Any]], Section] | None = None
    reads_newest: tuple[str, ...] = ()
    records_from: str = ""
    reads: tuple[Store, ...] = ()
    fills: tuple[Store, ...] = ()
    config_values: Callable[[RunConfig], dict[str, Any]] | None = None
    version: str = "1"

    @property
    def metrics_name(self) -> str:
        return stage_metrics(self.name)


def external_digest(stage: Stage, path: Path) -> str:
    """The digest of a file the config names (a corpus, a rules file), or an error naming it:
    missing, not a regular file or folder (a named pipe would block the run for ever), or
    unreadable."""
    if not path.exists():
        raise WeakforgeError(
            f"stage '{stage.name}': {path} does not exist; check the path in the config"
        )
    if not (path.is_file() or path.is_dir()):
        raise WeakforgeError(
            f"stage '{stage.name}': {path} is not a regular file or folder (a pipe, socket or "
            "device); save the data to a file and name that"
        )
    try:
        return digest_path(path)
    except OSError as exc:  # no permission, a file that vanished while read, ...
        raise WeakforgeError(
            f"stage '{stage.name}': {exc.filename or path} cannot be read ({exc.strerror}); "
            "check its permissions"
        ) from None


def stage_key(stage: Stage, config: RunConfig, run_dir: Path) -> str:
    """The content hash that decides whether ``stage`` must run again."""
    parts: dict[str, Any] = {
        "stage": stage.name,
        "version": stage.version,
        "config": {key: config.to_dict()[key] for key in ("run", *stage.config_keys)},
        # which stages a run includes does not change what one stage computes
        "inputs": {},
        "external": {},
    }
    parts["config"]["run"].pop("stages")
    parts["stores"] = {store.name: store.state(config, run_dir) for store in stage.reads}
    if stage.config_values is not None:
        parts["config values"] = stage.config_values(config)
    for name in stage.inputs:
        path = run_dir / name
        if not path.exists():
            raise StageError(
                f"stage '{stage.name}' needs '{name}' in {run_dir}, which no "
                "earlier stage wrote; run the earlier stages first"
            )
        parts["inputs"][name] = digest_path(path)
    for path in stage.external(config):
        parts["external"][str(path)] = external_digest(stage, path)
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()


def well_formed(data: Any) -> dict[str, dict[str, Any]]:
    """A manifest's stage entries, or ValueError where its shape is not the one written."""
    stages = data.get("stages") if isinstance(data, dict) else None
    if not isinstance(stages, dict):
        raise ValueError("no stages table")
    for entry in stages.values():
        if not isinstance(entry, dict) or not isinstance(entry.get("outputs", {}), dict):
            raise ValueError("a stage entry of another shape")
        if not isinstance(entry.get("stores", {}), dict):
            raise ValueError("a stage entry of another shape")
    return stages


class Manifest:
    """``manifest.json``: per finished stage its key, output digests and timing."""

    def __init__(self, run_dir: Path):
        self.path = run_dir / MANIFEST
        self.entries: dict[str, dict[str, Any]] = {}
        self.forgotten: set[str] = set()  # outputs of stages forgotten for a rerun
        if self.path.exists():
            try:
                self.entries = well_formed(json.loads(self.path.read_text(encoding="utf-8")))
            except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
                log.warning("%s is unreadable; every stage will run again", self.path)

    def is_current(self, stage: Stage, key: str, config: RunConfig, run_dir: Path) -> bool:
        entry = self.entries.get(stage.name)
        if not entry or entry.get("key") != key:
            return False
        for name, digest in entry.get("outputs", {}).items():
            path = run_dir / name
            if not path.exists() or digest_path(path) != digest:
                log.info("stage %s: output %s changed or is missing", stage.name, name)
                return False
        for store in stage.fills:
            state = store.state(config, run_dir)
            if not state or state != entry.get("stores", {}).get(store.name):
                log.info("stage %s: the %s is missing or was refilled", stage.name, store.name)
                return False
        return True

    def record(
        self, stage: Stage, key: str, config: RunConfig, run_dir: Path, seconds: float
    ) -> None:
        self.entries[stage.name] = {
            "key": key,
            "outputs": {
                name: digest_path(run_dir / name) for name in (*stage.outputs, stage.metrics_name)
            },
            "stores": {store.name: store.state(config, run_dir) for store in stage.fills},
            "seconds": round(seconds, 3),
        }
        self.save()

    def forget(self, name: str) -> None:
        entry = self.entries.pop(name, None)
        if entry is not None:
            self.forgotten.update(entry.get("outputs", {}))
            self.save()

    def written(self) -> set[str]:
        """Every output a stage of this run folder wrote (now or before it was forgotten
        for a rerun): the only paths a run may replace."""
        return self.forgotten | {n for e in self.entries.values() for n in e.get("outputs", {})}

    def save(self) -> None:
        with atomic_file(self.path) as handle:
            json.dump({"stages": self.entries}, handle, indent=2, sort_keys=True)


@dataclass
class RunResult:
    """What a run did: stages run and skipped, and each stage's metrics."""

    run_dir: Path
    ran: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    metrics: dict[str, dict[str, Any]] = field(default_factory=dict)


def run_stages(
    stages: Sequence[Stage], config: RunConfig, run_dir: Path, force_from: str | None = None
) -> RunResult:
    """Run ``stages`` in order into ``run_dir``, skipping the ones that are up to date."""
    names = [s.name for s in stages]
    if force_from is not None and force_from not in names:
        raise WeakforgeError(f"--from {force_from}: no such stage in this run; stages: {names}")
    refuse_foreign_folder(run_dir)
    try:
        return run_in(stages, config, run_dir, force_from)
    except OSError as exc:  # the pipeline's own writes: a full disk, a read-only folder
        raise WeakforgeError(
            f"cannot write in the run folder {run_dir} ({exc.strerror or exc}); free space "
            "(or write access) there and run again: finished stages are kept"
        ) from None


def run_in(
    stages: Sequence[Stage], config: RunConfig, run_dir: Path, force_from: str | None
) -> RunResult:
    """:func:`run_stages` once the folder is known to be a run folder."""
    run_dir.mkdir(parents=True, exist_ok=True)
    with run_lock(run_dir), run_log(run_dir / LOG):
        with atomic_file(run_dir / RESOLVED_CONFIG) as handle:
            json.dump({**config.to_dict(), "base_dir": config.base_dir}, handle, indent=2)
        manifest = Manifest(run_dir)
        result = RunResult(run_dir)
        forcing = False
        for stage in stages:
            forcing = forcing or stage.name == force_from
            key = stage_key(stage, config, run_dir)
            if not forcing and manifest.is_current(stage, key, config, run_dir):
                log.info("stage %-9s up to date, skipped", stage.name)
                result.skipped.append(stage.name)
            else:
                run_one(stage, config, run_dir, key, manifest)
                result.ran.append(stage.name)
            metrics_path = run_dir / stage.metrics_name
            result.metrics[stage.name] = json.loads(metrics_path.read_text(encoding="utf-8"))
    return result


RUN_FOLDER_MARKS = (MANIFEST, RESOLVED_CONFIG, LOCK)
"""Files only a weakforge run leaves in its folder: what tells a run folder from the user's."""


def refuse_foreign_folder(run_dir: Path) -> None:
    """A run replaces what it writes in its folder (``votes/``, ``model/``, ...), so the
    folder must be new, empty, or an earlier run's: a folder of the user's own is refused,
    never written into."""
    if not run_dir.exists():
        return
    if not run_dir.is_dir():
        raise WeakforgeError(f"--out {run_dir} is a file; name a folder for the run")
    entries = foreign_entries(run_dir, RUN_FOLDER_MARKS)
    if entries:
        shown = ", ".join(entries[:5])
        raise WeakforgeError(
            f"{run_dir} holds files ({shown}) and is not a weakforge run folder (no "
            f"{MANIFEST}); a run replaces what it writes there, so give it a new or empty "
            "folder with --out"
        )


def set_aside(target: Path, run_dir: Path) -> Path:
    """Move a file or folder no stage of this run wrote out of the way (never delete it):
    into ``.set-aside/`` of the run folder, under a name with the time."""
    aside = run_dir / SET_ASIDE / f"{target.name}.{time.strftime('%Y%m%d-%H%M%S')}"
    aside.parent.mkdir(parents=True, exist_ok=True)
    os.replace(target, aside)
    log.warning(
        "%s was not written by this run (the manifest does not list it): moved to %s",
        target,
        aside,
    )
    return aside


@contextmanager
def run_lock(run_dir: Path) -> Iterator[None]:
    """One run at a time per run folder: two runs would mix their artifacts and leave a
    manifest that vouches for the wrong ones. A second run stops at once, naming the first."""
    from filelock import FileLock, Timeout

    holder = run_dir / LOCK_HOLDER
    lock = FileLock(str(run_dir / LOCK), timeout=0)
    try:
        lock.acquire()
    except Timeout:  # (a TimeoutError, so an OSError: caught first)
        who = holder.read_text(encoding="utf-8").strip() if holder.exists() else "another process"
        raise WeakforgeError(
            f"{run_dir} is in use by another weakforge run ({who}); wait for it to finish, "
            "or give this run another folder (--out)"
        ) from None
    except OSError as exc:  # a read-only folder or disk (EROFS, EACCES), a full disk
        raise WeakforgeError(
            f"cannot write in the run folder {run_dir} ({exc.strerror or exc}); give the run "
            "a folder you can write in (--out), or free space on its disk"
        ) from None
    try:
        holder.write_text(
            f"pid {os.getpid()}, since {time.strftime('%Y-%m-%d %H:%M:%S')}", encoding="utf-8"
        )
        yield
    finally:
        holder.unlink(missing_ok=True)
        lock.release()


@contextmanager
def run_log(path: Path) -> Iterator[None]:
    """weakforge's log records (DEBUG and up, tracebacks included) appended to ``path``."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("weakforge")
    previous = logger.level
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)  # the file keeps progress even when the terminal doesn't
    logger.addHandler(handler)
    trace_log.addHandler(handler)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        trace_log.removeHandler(handler)
        logger.setLevel(previous)
        handler.close()


def run_one(stage: Stage, config: RunConfig, run_dir: Path, key: str, manifest: Manifest) -> None:
    """Run one stage into a fresh staging folder, then move its outputs into place."""
    log.info("stage %-9s running", stage.name)
    manifest.forget(stage.name)
    staging = run_dir / STAGING / stage.name
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    context = StageContext(config, run_dir, staging, stage)
    started = time.perf_counter()
    try:
        metrics = stage.run(context)
    except WeakforgeError:
        raise
    except Exception as exc:  # a bug (ours or a rule's): keep the traceback for the log
        trace_log.error("stage %s failed with an unexpected error", stage.name, exc_info=True)
        raise StageError(
            f"stage '{stage.name}' failed: {type(exc).__name__}: {exc} (unexpected; the "
            f"traceback is in {run_dir / LOG}, or rerun with -v to see it here)"
        ) from exc
    try:
        with atomic_file(staging / stage.metrics_name) as handle:
            json.dump(metrics, handle, indent=2, sort_keys=True, default=str)
    except OSError as exc:  # a full disk (ENOSPC), a folder made read-only mid-run
        raise StageError(
            f"stage '{stage.name}' finished but its results cannot be written in {run_dir} "
            f"({exc.strerror or exc}); free space (or write access) there and run again: "
            "the stages before it are kept"
        ) from None
    missing = [name for name in stage.outputs if not (staging / name).exists()]
    if missing:
        raise StageError(f"stage '{stage.name}' did not write {missing}")
    ours = manifest.written()
    for name in (*stage.outputs, stage.metrics_name):
        target = run_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.exists() and name not in ours:  # not this run's: set aside, never lost
            set_aside(target, run_dir)
        elif target.is_dir():
            shutil.rmtree(target)
        os.replace(staging / name, target)
    shutil.rmtree(staging, ignore_errors=True)
    seconds = time.perf_counter() - started
    manifest.record(stage, key, config, run_dir, seconds)
    log.info("stage %-9s done in %.1fs", stage.name, seconds)
