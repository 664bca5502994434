import multiprocessing
import os
import signal

import pytest

from weakforge import stages
from weakforge.config import config_from_dict
from weakforge.digests import digest_path
from weakforge.errors import ConfigError
from weakforge.layout import LOG, MANIFEST

ROWS = "".join(
    f'{{"id": "r{i}", "text": "text number {i}", "label": "{"AB"[i % 2]}"}}\n' for i in range(50)
)


@pytest.fixture
def config(tmp_path):
    (tmp_path / "c.jsonl").write_text(ROWS)
    return config_from_dict(
        {
            "run": {"name": "t", "labels": ["A", "B"], "stages": ["ingest"]},
            "data": {"path": "c.jsonl", "train_gold": "use"},
        },
        base_dir=tmp_path,
    )


def artifacts(run_dir):
    return {
        str(p.relative_to(run_dir)): digest_path(p)
        for p in sorted(run_dir.rglob("*"))
        if p.is_file() and p.name not in (MANIFEST, LOG)  # both hold times
    }


def _die_while_saving_records(config, run_dir):
    from weakforge.stages import ingest

    def half_then_die(examples, path):
        path.write_bytes(b"PAR1 half a file")
        os.kill(os.getpid(), signal.SIGKILL)

    ingest.save_records = half_then_die
    stages.run(config, run_dir)


def test_killed_ingest_resumes_to_the_same_run_folder(config, tmp_path):
    run_dir = tmp_path / "run"
    child = multiprocessing.get_context("fork").Process(
        target=_die_while_saving_records, args=(config, run_dir)
    )
    child.start()
    child.join(60)
    assert child.exitcode == -signal.SIGKILL
    assert not (run_dir / "records.parquet").exists()
    resumed = stages.run(config, run_dir)
    assert resumed.ran == ["ingest", "report"]
    stages.run(config, tmp_path / "clean")
    assert artifacts(run_dir) == artifacts(tmp_path / "clean")
    assert stages.run(config, run_dir).skipped == ["ingest", "report"]


def test_report_and_metrics_are_written(config, tmp_path):
    result = stages.run(config, tmp_path / "run")
    assert result.metrics["ingest"]["n_examples"] == 50
    html = (tmp_path / "run" / "report.html").read_text()
    assert "data:image/png;base64," in html and "Corpus" in html
    assert (tmp_path / "run" / "metrics.json").exists()


def test_unknown_stage_is_a_clear_error_and_report_may_be_named(tmp_path):
    config = config_from_dict({"run": {"stages": ["ingest", "review"]}}, base_dir=tmp_path)
    with pytest.raises(ConfigError, match="unknown stage 'review'; available: .*'report'"):
        stages.select_stages(config)
    config = config_from_dict({"run": {"stages": ["ingest", "report"]}}, base_dir=tmp_path)
    assert [s.name for s in stages.select_stages(config)] == ["ingest", "report"]


def test_run_order_follows_what_each_stage_reads_not_the_order_listed():
    import random

    from weakforge.stages import AVAILABLE, resolve_records, run_order

    expected = [s.name for s in AVAILABLE]
    for seed in range(20):
        shuffled = list(AVAILABLE)
        random.Random(seed).shuffle(shuffled)
        assert [s.name for s in run_order(shuffled)] == expected
    without_audit = [s for s in AVAILABLE if s.name != "audit"][::-1]
    resolved = {s.name: s for s in resolve_records(run_order(without_audit))}
    assert resolved["augment"].records_from == "aggregated.parquet"  # the newest one written
    assert resolved["train"].records_from == "augmented.parquet"


def test_stages_that_read_each_other_in_a_circle_are_refused():
    from weakforge.errors import StageError
    from weakforge.pipeline import Stage
    from weakforge.stages import run_order

    first = Stage("first", run=lambda ctx: {}, inputs=("b",), outputs=("a",))
    second = Stage("second", run=lambda ctx: {}, inputs=("a",), outputs=("b",))
    with pytest.raises(StageError, match="in a circle"):
        run_order([first, second])
