"""The rule workbench: parse once, try rules in seconds, see hits, errors and misses."""

import json

import pytest
from rich.console import Console

from weakforge import span_rule
from weakforge.config import load_config
from weakforge.errors import RuleError, WeakforgeError
from weakforge.labeling.workbench import Workbench
from weakforge.stages import run

RULES = """
from weakforge import gazetteer, span_rule

cities = gazetteer("cities", "cities.txt", label="LOC")


@span_rule(label="PER")
def doctor(doc):
    for tok in doc[:-1]:
        if tok.text == "Dr.":
            yield tok.i + 1, tok.i + 2
"""


def project(tmp_path):
    rows = [
        {"id": "t1", "text": "Dr. Smith flew to Paris ."},
        {"id": "t2", "text": "Dr. Who <b>met</b> Anna in Berlin ."},
        {
            "id": "d1",
            "text": "Dr. Jones left Paris .",
            "split": "dev",
            "label": [[4, 9, "PER"], [15, 20, "LOC"]],
        },
        {
            "id": "d2",
            "text": "Dr. Lee saw Rome .",
            "split": "dev",
            "label": [[0, 7, "PER"], [12, 16, "ORG"]],
        },
        {
            "id": "d3",
            "text": "Anna visited Berlin .",
            "split": "dev",
            "label": [[0, 4, "PER"], [13, 19, "LOC"]],
        },
    ]
    (tmp_path / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "cities.txt").write_text("Paris\nBerlin\nRome\n")
    (tmp_path / "rules.py").write_text(RULES)
    (tmp_path / "run.toml").write_text(
        '[run]\nname = "wb"\ntask = "ner"\nlabels = ["PER", "LOC", "ORG"]\n'
        '[data]\npath = "c.jsonl"\n[label]\nrules = ["rules.py"]\n'
        'data_paths = ["cities.txt"]\n[aggregate]\nmethod = "majority"\n'
    )


def ingested(tmp_path):
    """The project's corpus ingested into ``run`` (what ``lf-show`` does on a config)."""
    run(load_config(tmp_path / "run.toml"), tmp_path / "run", until="ingest")


def test_a_config_whose_corpus_is_not_ingested_is_refused_with_the_command(tmp_path):
    project(tmp_path)
    with pytest.raises(WeakforgeError, match="weakforge ingest"):
        Workbench.open(tmp_path / "run.toml", tmp_path / "run")


def test_a_rule_is_scored_and_its_buckets_sorted(tmp_path):
    project(tmp_path)
    ingested(tmp_path)
    bench = Workbench.open(tmp_path / "run.toml", tmp_path / "run")
    trial = bench.trial("cities")
    assert bench.parse_seconds > 0  # no label stage yet: parsed here, once
    assert trial.stats["per_label"]["LOC"] == {"precision": 0.6667, "recall": 1.0, "f1": 0.8}
    errors = trial.hits("errors")
    assert [h.id for h in errors] == ["d2"]
    assert [(m.label, m.verdict, m.gold) for m in errors[0].marks if m.verdict != "correct"] == [
        ("LOC", "wrong type", "ORG")
    ]
    assert trial.hits("misses") == []  # both LOC entities of the dev gold were found
    doctor = bench.trial("doctor")
    boundary = [
        m for h in doctor.hits("errors") for m in h.marks if m.verdict not in ("correct", "missed")
    ]
    assert [(m.verdict, m.gold) for m in boundary] == [("wrong boundary", "PER 'Dr. Lee'")]
    assert [h.id for h in doctor.hits("misses")] == ["d2", "d3"]


def test_an_edited_rule_is_tried_as_it_is_now_and_docs_come_from_the_stage_cache(tmp_path):
    project(tmp_path)
    run(load_config(tmp_path / "run.toml"), tmp_path / "run")
    bench = Workbench.open(tmp_path / "run")
    assert bench.trial("doctor").stats["spans"] == 4 and bench.parse_seconds == 0
    assert bench.trial("doctor").stats["agreement"] is not None  # the run's aggregate is there
    (tmp_path / "rules.py").write_text(RULES.replace('tok.text == "Dr."', 'tok.text == "Nobody"'))
    assert bench.trial("doctor").stats["spans"] == 0
    assert bench.parse_seconds == 0  # the edit did not cost a parse


def test_an_inline_rule_renders_hostile_text_as_text(tmp_path):
    project(tmp_path)
    ingested(tmp_path)
    bench = Workbench.open(tmp_path / "run.toml", tmp_path / "run")

    @span_rule(label="PER")
    def capital_after_dr(doc):
        return [(t.i + 1, t.i + 2) for t in doc[:-1] if t.text == "Dr."]

    trial = bench.trial(capital_after_dr)
    page = trial._repr_html_()
    assert "&lt;b&gt;met&lt;/b&gt;" in page and "<b>met</b>" not in page
    console = Console(record=True, width=120)
    trial.show(console, "all", 5)
    shown = console.export_text()
    assert "[Who]/PER unchecked" in shown and "<b>met</b>" in shown  # text, not markup
    with pytest.raises(RuleError, match="no rule named 'nope'.*doctor"):
        bench.trial("nope")


def test_lf_show_on_the_command_line(tmp_path):
    from typer.testing import CliRunner

    from weakforge.cli import app

    project(tmp_path)
    result = CliRunner().invoke(
        app,
        ["lf-show", str(tmp_path / "run.toml"), "cities", "--errors", "--out", str(tmp_path / "r")],
    )
    assert result.exit_code == 0, result.output
    assert "wrong type" in result.output and "d2 (dev)" in result.output
    assert "]/LOC wrong type (gold " in result.output  # piped: the verdict in words
    whole = CliRunner().invoke(app, ["lf-show", str(tmp_path / "r"), str(tmp_path / "rules.py")])
    assert "rule 'cities'" in whole.output and "rule 'doctor'" in whole.output
