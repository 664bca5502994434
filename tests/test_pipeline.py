import json
import multiprocessing
import os
import signal

import pytest

from weakforge.config import config_from_dict
from weakforge.digests import digest_path
from weakforge.errors import StageError
from weakforge.layout import LOG, MANIFEST
from weakforge.pipeline import Stage, Store, run_stages


def make_stages(calls):
    def first(ctx):
        calls.append("first")
        text = ctx.config.resolve(ctx.config.data.path).read_text()
        ctx.output("a.txt").write_text(text.upper() + ctx.config.data.text_field)
        return {"chars": len(text)}

    def second(ctx):
        calls.append("second")
        ctx.output("b/b.txt").write_text(ctx.input("a.txt").read_text()[::-1])
        return {}

    return [
        Stage(
            "first",
            first,
            outputs=("a.txt",),
            config_keys=("data",),
            external=lambda c: [c.resolve(c.data.path)],
        ),
        Stage("second", second, inputs=("a.txt",), outputs=("b/b.txt",)),
    ]


@pytest.fixture
def setup(tmp_path):
    (tmp_path / "in.txt").write_text("hello")
    config = config_from_dict({"data": {"path": "in.txt"}}, base_dir=tmp_path)
    return config, tmp_path / "run"


def test_second_run_skips_every_stage(setup):
    config, run_dir = setup
    calls = []
    first = run_stages(make_stages(calls), config, run_dir)
    assert first.ran == ["first", "second"] and first.metrics["first"] == {"chars": 5}
    second = run_stages(make_stages(calls), config, run_dir)
    assert second.ran == [] and second.skipped == ["first", "second"]
    assert calls == ["first", "second"]
    assert (run_dir / "b/b.txt").read_text() == "txetOLLEH"
    assert json.loads((run_dir / "config.resolved.json").read_text())["data"]["path"] == "in.txt"


def test_changed_input_config_or_output_reruns(setup, tmp_path):
    config, run_dir = setup
    calls = []
    run_stages(make_stages(calls), config, run_dir)
    (tmp_path / "in.txt").write_text("bye")
    assert run_stages(make_stages(calls), config, run_dir).ran == ["first", "second"]
    changed = config_from_dict({"data": {"path": "in.txt", "text_field": "x"}}, base_dir=tmp_path)
    assert run_stages(make_stages(calls), changed, run_dir).ran == ["first", "second"]
    (run_dir / "b/b.txt").write_text("tampered")
    assert run_stages(make_stages(calls), changed, run_dir).ran == ["second"]


def test_force_from_reruns_that_stage_and_later(setup):
    config, run_dir = setup
    calls = []
    run_stages(make_stages(calls), config, run_dir)
    assert run_stages(make_stages(calls), config, run_dir, force_from="second").ran == ["second"]
    with pytest.raises(Exception, match="no such stage"):
        run_stages(make_stages(calls), config, run_dir, force_from="third")


def test_failing_stage_leaves_no_output_and_names_the_stage(setup):
    config, run_dir = setup

    def broken(ctx):
        ctx.output("a.txt").write_text("half")
        raise ValueError("disk on fire")

    with pytest.raises(StageError, match="stage 'first' failed: ValueError: disk on fire") as info:
        run_stages([Stage("first", broken, outputs=("a.txt",))], config, run_dir)
    assert not (run_dir / "a.txt").exists()
    assert str(run_dir / LOG) in str(info.value) and isinstance(info.value.__cause__, ValueError)
    log = (run_dir / LOG).read_text()
    assert "Traceback" in log and 'raise ValueError("disk on fire")' in log
    manifest = run_dir / MANIFEST
    assert not manifest.exists() or "first" not in json.loads(manifest.read_text())["stages"]


def test_undeclared_output_is_an_error(setup):
    config, run_dir = setup
    stage = Stage("s", lambda ctx: ctx.output("other.txt") and {}, outputs=("x.txt",))
    with pytest.raises(StageError, match="undeclared output 'other.txt'"):
        run_stages([stage], config, run_dir)


def _killed_midway(config, run_dir):
    """Child process: start the second stage, write half its output, then die by SIGKILL."""

    def dying(ctx):
        ctx.output("b/b.txt").write_text("partial")
        os.kill(os.getpid(), signal.SIGKILL)

    stages = make_stages([])
    stages[1] = Stage("second", dying, inputs=("a.txt",), outputs=("b/b.txt",))
    run_stages(stages, config, run_dir)


def test_run_killed_mid_stage_resumes_to_identical_artifacts(setup, tmp_path):
    config, run_dir = setup
    child = multiprocessing.get_context("fork").Process(
        target=_killed_midway, args=(config, run_dir)
    )
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    assert not (run_dir / "b/b.txt").exists()
    calls = []
    resumed = run_stages(make_stages(calls), config, run_dir)
    assert resumed.skipped == ["first"] and resumed.ran == ["second"]
    clean_dir = tmp_path / "clean"
    run_stages(make_stages([]), config, clean_dir)
    for name in ("a.txt", "b/b.txt", "stages/first.json", "stages/second.json"):
        assert digest_path(run_dir / name) == digest_path(clean_dir / name)


def test_stores_rerun_the_stage_that_fills_or_reads_them(setup):
    """A database a stage fills (lost or refilled elsewhere) or reads (changed) is seen by
    the skip logic like a file."""
    config, run_dir = setup
    state = {"queue": "", "decisions": "none"}
    queue = Store("queue", lambda c, r: state["queue"])
    decisions = Store("decisions", lambda c, r: state["decisions"])
    calls = []

    def fill(ctx):
        calls.append("fill")
        state["queue"] = f"token-{len(calls)}"
        return {}

    def read(ctx):
        calls.append("read")
        return {}

    stages = [Stage("fill", fill, fills=(queue,)), Stage("read", read, reads=(decisions,))]
    run_stages(stages, config, run_dir)
    assert run_stages(stages, config, run_dir).skipped == ["fill", "read"]
    state["queue"] = ""  # the queue was deleted
    assert run_stages(stages, config, run_dir).ran == ["fill"]
    state["queue"] = "someone else's audit"
    assert run_stages(stages, config, run_dir).ran == ["fill"]
    state["decisions"] = "a reviewer decided"
    assert run_stages(stages, config, run_dir).ran == ["read"]


def _slow_run(config, run_dir, started):
    import time as clock

    def slow(ctx):
        started.set()
        clock.sleep(3)
        ctx.output("a.txt").write_text("slow")
        return {}

    run_stages([Stage("first", slow, outputs=("a.txt",))], config, run_dir)


def test_a_second_run_on_the_same_folder_stops_and_names_the_first(setup):
    from weakforge.errors import WeakforgeError

    config, run_dir = setup
    context = multiprocessing.get_context("fork")
    started = context.Event()
    first = context.Process(target=_slow_run, args=(config, run_dir, started))
    first.start()
    try:
        assert started.wait(30)
        with pytest.raises(
            WeakforgeError, match=rf"in use by another weakforge run \(pid {first.pid}"
        ):
            run_stages(make_stages([]), config, run_dir)
    finally:
        first.join(30)
    assert first.exitcode == 0 and (run_dir / "a.txt").read_text() == "slow"
    assert run_stages(make_stages([]), config, run_dir).ran == ["first", "second"]


def test_a_folder_of_the_users_own_is_refused_and_nothing_in_it_changes(setup, tmp_path):
    """`weakforge run CONFIG --out .` in a folder with the user's own votes/ used to delete
    votes/annotator_A.csv: a non-empty folder that is not a run folder is refused."""
    from weakforge.errors import WeakforgeError

    config, _ = setup
    mine = tmp_path / "mine"
    (mine / "b").mkdir(parents=True)
    (mine / "b" / "annotator_A.csv").write_text("id,label\n1,SPAM\n")
    before = {p: p.read_bytes() for p in mine.rglob("*") if p.is_file()}
    with pytest.raises(WeakforgeError, match="not a weakforge run folder.*--out"):
        run_stages(make_stages([]), config, mine)
    assert {p: p.read_bytes() for p in mine.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in mine.iterdir()) == ["b"]
    run_stages(make_stages([]), config, tmp_path / "empty")  # new and empty folders are fine


def test_a_path_in_the_way_that_no_stage_wrote_is_set_aside_never_deleted(setup):
    config, run_dir = setup
    run_stages(make_stages([]), config, run_dir)
    (run_dir / "b" / "notes.txt").write_text("mine")  # beside an output: untouched
    manifest = json.loads((run_dir / MANIFEST).read_text())
    del manifest["stages"]["second"]  # as if the run was killed before recording it
    (run_dir / MANIFEST).write_text(json.dumps(manifest))
    (run_dir / "b" / "b.txt").write_text("the user's own")
    run_stages(make_stages([]), config, run_dir)
    kept = {p.name.split(".")[0]: p for p in (run_dir / ".set-aside").iterdir()}
    assert sorted(kept) == ["b", "second"]  # the unrecorded output and its metrics
    assert kept["b"].read_text() == "the user's own"
    assert (run_dir / "b" / "notes.txt").read_text() == "mine"
    assert (run_dir / "b" / "b.txt").read_text() == "txetOLLEH"


def test_an_out_that_names_a_file_is_refused(setup, tmp_path):
    """Issue 37, case 27."""
    from weakforge.errors import WeakforgeError

    config, _ = setup
    (tmp_path / "a_file").write_text("mine")
    with pytest.raises(WeakforgeError, match="is a file; name a folder"):
        run_stages(make_stages([]), config, tmp_path / "a_file")
    assert (tmp_path / "a_file").read_text() == "mine"


def test_a_pipe_or_an_unreadable_corpus_is_refused_by_name(setup, tmp_path, monkeypatch):
    """Issue 37, cases 15 and 18: a named pipe blocked the run for ever while hashing; an
    unreadable file gave a traceback."""
    from weakforge.errors import WeakforgeError

    config, run_dir = setup
    pipe = tmp_path / "pipe.txt"
    os.mkfifo(pipe)
    piped = config_from_dict({"data": {"path": "pipe.txt"}}, base_dir=tmp_path)
    with pytest.raises(WeakforgeError, match="pipe.txt is not a regular file"):
        run_stages(make_stages([]), piped, run_dir)
    from weakforge import pipeline

    def denied(path):
        raise PermissionError(13, "Permission denied", str(path))

    locked = tmp_path / "locked.txt"
    locked.write_text("x")  # as root every file is readable: the refusal is simulated
    closed = config_from_dict({"data": {"path": "locked.txt"}}, base_dir=tmp_path)
    monkeypatch.setattr(pipeline, "digest_path", denied)
    with pytest.raises(WeakforgeError, match="locked.txt cannot be read \\(Permission denied"):
        run_stages(make_stages([]), closed, run_dir)


@pytest.mark.parametrize(
    "content", ["[]", '{"stages": []}', '{"stages": {"first": {"key": 1, "outputs": null}}}']
)
def test_a_manifest_of_another_shape_means_every_stage_runs_again(setup, content):
    """Issue 37, case 21: valid JSON of the wrong shape gave a traceback."""
    config, run_dir = setup
    run_stages(make_stages([]), config, run_dir)
    (run_dir / MANIFEST).write_text(content)
    again = run_stages(make_stages([]), config, run_dir)
    assert again.ran == ["first", "second"]


def test_a_folder_that_cannot_be_written_and_a_full_disk_are_one_line_errors(setup, monkeypatch):
    """Issue 37, cases 19 and 20: EROFS on the lock file and ENOSPC on the metrics write
    were tracebacks; the stages before keep their results."""
    import errno

    import filelock

    from weakforge.errors import WeakforgeError

    config, run_dir = setup
    run_stages(make_stages([]), config, run_dir)

    def read_only(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    with monkeypatch.context() as patch:
        patch.setattr(filelock.FileLock, "acquire", read_only)
        with pytest.raises(WeakforgeError, match="cannot write in the run folder.*Read-only"):
            run_stages(make_stages([]), config, run_dir)
    from weakforge import pipeline

    real_atomic_file = pipeline.atomic_file

    def full(path, *args, **kwargs):
        if str(path).endswith("second.json"):  # the disk fills up at the metrics write
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_atomic_file(path, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(pipeline, "atomic_file", full)
        with pytest.raises(StageError, match="cannot be written.*No space left"):
            run_stages(make_stages([]), config, run_dir, force_from="second")
    again = run_stages(make_stages([]), config, run_dir)
    assert again.skipped == ["first"] and again.ran == ["second"]
