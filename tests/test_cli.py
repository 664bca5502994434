import json

from typer.testing import CliRunner

from weakforge.cli import app

runner = CliRunner()


def test_run_twice_then_from(tmp_path):
    (tmp_path / "c.jsonl").write_text('{"text": "hello", "label": "A"}\n')
    (tmp_path / "run.toml").write_text(
        '[run]\nname = "x"\nstages = ["ingest"]\n[data]\npath = "c.jsonl"\n'
    )
    out = tmp_path / "out"
    args = ["run", str(tmp_path / "run.toml"), "--out", str(out)]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "ran: ingest, report" in first.output and "report.html" in first.output
    assert "up to date: ingest, report" in runner.invoke(app, args).output
    assert "ran: report" in runner.invoke(app, [*args, "--from", "report"]).output


def test_errors_are_short_and_exit_2(tmp_path):
    (tmp_path / "run.toml").write_text('[data]\npath = "missing.jsonl"\nfoo = 1\n')
    result = runner.invoke(app, ["run", str(tmp_path / "run.toml")])
    assert result.exit_code == 2
    assert "unknown key(s) ['foo']" in result.output and "Traceback" not in result.output


def test_unexpected_errors_keep_their_traceback_with_verbose(tmp_path, monkeypatch):
    from weakforge.stages import ingest

    def bug(examples, path):
        return {}["missing key"]

    monkeypatch.setattr(ingest, "save_records", bug)
    (tmp_path / "c.jsonl").write_text('{"text": "hello"}\n')
    (tmp_path / "run.toml").write_text('[run]\nstages = ["ingest"]\n[data]\npath = "c.jsonl"\n')
    args = ["run", str(tmp_path / "run.toml"), "--out", str(tmp_path / "out")]
    quiet = runner.invoke(app, args)
    assert quiet.exit_code == 2 and "Traceback" not in quiet.output
    assert "KeyError" in quiet.output and "weakforge.log" in quiet.output
    assert 'return {}["missing key"]' in (tmp_path / "out" / "weakforge.log").read_text()
    loud = runner.invoke(app, [*args, "-v"])
    assert loud.exit_code == 2 and "Traceback" in loud.output and "missing key" in loud.output


def test_config_reference_lists_every_key():
    result = runner.invoke(app, ["config", "--reference"])
    assert result.exit_code == 0
    assert (
        "| `near_duplicate_threshold` | `0.95` |" in result.output
        and "### [train]" in result.output
    )


def test_convert_skips_bad_records_into_a_rejects_file(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "Rome", "label": [[0, 4, "LOC"]]}\n{"text": ""}\n')
    target = tmp_path / "out.conll"
    result = runner.invoke(app, ["convert", str(source), str(target), "--skip-bad"])
    assert result.exit_code == 0, result.output
    assert target.read_text() == "Rome B-LOC\n\n"
    rejects = tmp_path / "out.conll.rejects.jsonl"
    assert "empty text" in json.loads(rejects.read_text())["problem"]
    assert "skipped 1 bad records" in result.output


def test_help_for_every_command():
    for command in ("run", "ingest", "convert"):
        assert runner.invoke(app, [command, "--help"]).exit_code == 0


def test_review_opens_a_run_or_a_teams_database(tmp_path, monkeypatch):

    import weakforge.cli
    from weakforge.review.pages.queue import DATABASE_VARIABLE
    from weakforge.review.store import QueueItem, update_queue

    started = []
    monkeypatch.setattr(weakforge.cli, "serve", lambda cmd, env: started.append((cmd, env)) or 0)
    result = runner.invoke(app, ["review", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and "has no review queue" in " ".join(result.output.split())
    shared = tmp_path / "team.sqlite"
    result = runner.invoke(app, ["review", str(tmp_path / "mine"), "--database", str(shared)])
    assert result.exit_code == 2 and "holds no review queue yet" in " ".join(result.output.split())
    update_queue(
        shared,
        [
            QueueItem(
                id="a",
                text="t",
                split="train",
                task="classification",
                weak_label="A",
                suggested_label="B",
                issues=["x"],
                scores={},
                votes={},
                why="",
                duplicate_set=None,
                priority=0.5,
            )
        ],
    )
    result = runner.invoke(app, ["review", str(tmp_path / "mine"), "--database", str(shared)])
    assert result.exit_code == 0, result.output
    command, env = started[-1]
    assert command[-1] == str(tmp_path / "mine") and "127.0.0.1" in command
    assert env[DATABASE_VARIABLE] == str(shared)
    assert "--server.enableXsrfProtection" in command


def test_the_page_server_stops_with_the_review_command(tmp_path):
    """SIGTERM to `weakforge review` (a terminal closing, a service manager) stops the
    Streamlit server too: nothing is left holding the port."""
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    script = (
        "import sys, time\n"
        "from weakforge.cli import serve\n"
        "sys.exit(serve([sys.executable, '-c', 'import time; time.sleep(300)'], None))\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", script])

    def children_of(pid: int) -> list[int]:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
        return found

    deadline = time.time() + 30
    while not (children := children_of(parent.pid)) and time.time() < deadline:
        time.sleep(0.2)
    assert len(children) == 1
    parent.send_signal(signal.SIGTERM)
    parent.wait(timeout=30)
    time.sleep(0.5)
    assert (
        not Path(f"/proc/{children[0]}").exists()
        or "Z" in Path(f"/proc/{children[0]}/stat").read_text().rsplit(")", 1)[1].split()[:1]
    )


def test_a_one_stage_command_refreshes_the_report(tmp_path):
    (tmp_path / "c.jsonl").write_text('{"text": "hello", "label": "A", "split": "dev"}\n')
    (tmp_path / "run.toml").write_text('[run]\nname = "x"\n[data]\npath = "c.jsonl"\n')
    out = tmp_path / "out"
    result = runner.invoke(app, ["ingest", str(tmp_path / "run.toml"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "## Corpus" in (out / "report.md").read_text()
