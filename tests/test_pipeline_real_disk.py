"""Issue 37, cases 19 and 20 on real file systems (the unit tests in test_pipeline.py
simulate them): a run on a tmpfs that fills up (40 KB left) stops with a one-line error and,
given room, resumes to the same outputs as a run that never failed; a run folder remounted
read-only is a one-line error even when every stage is up to date. Needs mount rights
(root in a container that allows it); skipped elsewhere."""

import json
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path

import pytest

from weakforge import stages
from weakforge.config import config_from_dict
from weakforge.digests import digest_path
from weakforge.errors import WeakforgeError


@contextmanager
def tmpfs(path: Path, size: str):
    path.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], capture_output=True)


def project(folder: Path):
    rows = [
        {"id": f"r{i}", "text": f"{'free money now' if i % 2 else 'nice song'} number {i} " * 3}
        for i in range(300)
    ]
    (folder / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (folder / "rules.py").write_text(
        "from weakforge import keyword_rule\n"
        "money = keyword_rule('money', ['money'], 'SPAM')\n"
        "song = keyword_rule('song', ['song'], 'HAM')\n"
    )
    return config_from_dict(
        {
            "run": {"labels": ["HAM", "SPAM"]},
            "data": {"path": "data.jsonl"},
            "label": {"rules": ["rules.py"], "keep_parse": False},
            "aggregate": {"method": "majority", "rounds": 0},
        },
        base_dir=folder,
    )


def outputs(run_dir: Path) -> dict[str, str]:
    return {
        name: digest_path(run_dir / name)
        for name in ("records.parquet", "votes", "aggregated.parquet")
    }


def test_a_full_disk_stops_in_one_line_and_the_resume_matches_a_clean_run(tmp_path):
    config = project(tmp_path)
    clean = tmp_path / "clean"
    stages.run(config, clean, until="aggregate")
    with tmpfs(tmp_path / "small", "2m") as disk:
        run_dir = disk / "run"
        stages.run(config, run_dir, until="ingest")  # the first stage fits
        filler = disk / "filler"
        free = shutil.disk_usage(disk).free
        filler.write_bytes(b"\0" * max(0, free - 40_000))  # 40 KB left, as in the report
        with pytest.raises(WeakforgeError) as failed:
            stages.run(config, run_dir, until="aggregate")
        message = str(failed.value)
        assert "No space left" in message and "\n" not in message.strip()
        filler.unlink()
        again = stages.run(config, run_dir, until="aggregate")
        assert "ingest" in again.skipped
        assert outputs(run_dir) == outputs(clean)


def test_a_read_only_run_folder_is_one_line_even_when_up_to_date(tmp_path):
    config = project(tmp_path)
    with tmpfs(tmp_path / "disk", "8m") as disk:
        run_dir = disk / "run"
        stages.run(config, run_dir, until="aggregate")
        remount = subprocess.run(
            ["mount", "-o", "remount,ro", str(disk)], capture_output=True, text=True
        )
        if remount.returncode != 0:
            pytest.skip(f"cannot remount read-only: {remount.stderr.strip()}")
        with pytest.raises(WeakforgeError) as failed:
            stages.run(config, run_dir, until="aggregate")
        message = str(failed.value)
        assert "Read-only" in message and str(run_dir) in message
        assert "\n" not in message.strip()
