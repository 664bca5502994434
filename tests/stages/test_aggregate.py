import json

from weakforge.config import config_from_dict
from weakforge.corpus.tabular import load_records
from weakforge.stages import run


def write_wrench(folder):
    folder.mkdir()
    (folder / "label.json").write_text(json.dumps({"0": "HAM", "1": "SPAM"}))
    train = {
        str(i): {
            "label": i % 2,
            "weak_labels": [i % 2, -1 if i % 3 else i % 2],
            "data": {"text": f"text {i}"},
        }
        for i in range(30)
    }
    valid = {
        str(i): {"label": i % 2, "weak_labels": [i % 2, -1], "data": {"text": f"v {i}"}}
        for i in range(10)
    }
    (folder / "train.json").write_text(json.dumps(train))
    (folder / "valid.json").write_text(json.dumps(valid))


def test_precomputed_votes_aggregate_and_report(tmp_path):
    write_wrench(tmp_path / "wr")
    config = config_from_dict(
        {
            "run": {"labels": ["HAM", "SPAM"]},
            "data": {"path": "wr", "format": "wrench"},
            "aggregate": {"method": "naive_bayes", "rounds": 0},
        },
        base_dir=tmp_path,
    )
    result = run(config, tmp_path / "run")
    metrics = result.metrics["aggregate"]
    assert metrics["n_sources"] == 2 and metrics["label_model"]["dev"]["accuracy"] == 1.0
    records = load_records(tmp_path / "run" / "aggregated.parquet")
    assert {r.label for r in records} == {"HAM", "SPAM"}
    report = (tmp_path / "run" / "report.md").read_text()
    assert "## Weak labels" in report and "| LF000 |" in report


RULES = """
from weakforge import span_rule

@span_rule(label="ENT")
def capitals(doc):
    return [(t.i, t.i + 1) for t in doc if t.is_title]
"""


def test_removing_label_groups_revalidates_the_cached_votes(tmp_path):
    import pytest

    from weakforge.errors import AggregationError

    (tmp_path / "c.jsonl").write_text('{"id": "a", "text": "Anna met Bob in Rome"}\n')
    (tmp_path / "rules.py").write_text(RULES)
    raw = {
        "run": {
            "task": "ner",
            "labels": ["PER", "LOC"],
            "stages": ["ingest", "label", "aggregate"],
        },
        "data": {"path": "c.jsonl"},
        "label": {"rules": ["rules.py"]},
        "aggregate": {"method": "majority", "label_groups": {"ENT": ["PER", "LOC"]}},
    }
    first = run(config_from_dict(raw, base_dir=tmp_path), tmp_path / "run")
    assert first.metrics["aggregate"]["document_sources"] == [
        "document majority",
        "document history (PER)",
    ]  # defaults that change NER results are named in the report
    assert "Document-level sources" in (tmp_path / "run" / "report.md").read_text()
    raw["aggregate"] = {"method": "majority"}
    with pytest.raises(AggregationError, match="votes \\['ENT'\\] on record 'a'"):
        run(config_from_dict(raw, base_dir=tmp_path), tmp_path / "run")


def test_a_rule_voting_an_undeclared_label_is_named_in_both_tasks(tmp_path):
    import pytest

    from weakforge.errors import AggregationError

    (tmp_path / "c.jsonl").write_text('{"id": "a", "text": "Anna met Bob"}\n')
    (tmp_path / "rules.py").write_text(
        "from weakforge import doc_rule, span_rule\n\n"
        "@doc_rule\ndef eggs(doc):\n    return 'EGGS'\n\n"
        "@span_rule\ndef people(doc):\n    return [(0, 1, 'PERSON')]\n"
    )
    for task, labels, message in (
        ("classification", ["HAM", "SPAM"], r"source 'eggs' votes \['EGGS'\].*\['HAM', 'SPAM'\]"),
        ("ner", ["PER"], r"source 'people' votes \['PERSON'\].*\['PER'\]"),
    ):
        raw = {
            "run": {"task": task, "labels": labels, "stages": ["ingest", "label", "aggregate"]},
            "data": {"path": "c.jsonl"},
            "label": {"rules": ["rules.py"]},
            "aggregate": {"method": "majority", "rounds": 0},
        }
        with pytest.raises(AggregationError, match=message):
            run(config_from_dict(raw, base_dir=tmp_path), tmp_path / task)


def test_votes_made_from_other_records_are_refused(tmp_path):
    """Issue 37, case 4: after the corpus changed, a run without the label stage used to
    merge the folder's old votes by id (new records got none)."""
    import pytest

    from weakforge.errors import StageError

    (tmp_path / "c.jsonl").write_text(
        "".join(json.dumps({"id": f"t{i}", "text": f"buy now {i}"}) + "\n" for i in range(12))
    )
    (tmp_path / "rules.py").write_text(
        "from weakforge import keyword_rule\nbuy = keyword_rule('buy', ['buy'], 'SPAM')\n"
    )
    raw = {
        "run": {"labels": ["HAM", "SPAM"], "stages": ["ingest", "label", "aggregate"]},
        "data": {"path": "c.jsonl"},
        "label": {"rules": ["rules.py"]},
        "aggregate": {"method": "majority", "rounds": 0},
    }
    run(config_from_dict(raw, base_dir=tmp_path), tmp_path / "run")
    (tmp_path / "c.jsonl").write_text(
        "".join(json.dumps({"id": f"n{i}", "text": f"hello {i}"}) + "\n" for i in range(12))
    )
    stale = {**raw, "run": {**raw["run"], "stages": ["ingest", "aggregate"]}}
    with pytest.raises(StageError, match="other records.*'label'"):
        run(config_from_dict(stale, base_dir=tmp_path), tmp_path / "run")
    run(config_from_dict(raw, base_dir=tmp_path), tmp_path / "run")  # with label: fine


def test_a_label_model_that_keeps_no_span_says_so_loudly():
    """Issue 38: a one-source baseline scored F1 0.000 with no warning."""
    from weakforge.records import Example, Span
    from weakforge.stages.aggregate import no_spans_warning

    voted = [Example(id="a", text="Anna sang", votes={"names": (Span(0, 4, "PER"),)})]
    empty = [Example(id="a", text="Anna sang", label=())]
    kept = [Example(id="a", text="Anna sang", label=(Span(0, 4, "PER"),))]
    assert "kept no entity although the sources voted 1 spans" in no_spans_warning(voted, empty)
    assert no_spans_warning(voted, kept) == ""
    assert no_spans_warning([Example(id="a", text="x", votes={"names": ()})], empty) == ""


def test_the_label_models_dev_errors_are_in_the_report_and_the_errors_command(
    tmp_path, capitals_rule
):
    from typer.testing import CliRunner

    from weakforge.cli import app

    rows = [
        {"id": "t", "text": "Anna met Bob in Rome"},
        {"id": "d", "text": "Anna met Bob", "split": "dev", "label": [[0, 4, "PER"]]},
        {"id": "x", "text": "Rome", "split": "test", "label": [[0, 4, "LOC"]]},
    ]
    (tmp_path / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    raw = {
        "run": {
            "task": "ner",
            "labels": ["PER", "LOC"],
            "stages": ["ingest", "label", "aggregate"],
        },
        "data": {"path": "c.jsonl"},
        "label": {"rules": ["rules.py"]},
        "aggregate": {"method": "majority"},
    }
    result = run(config_from_dict(raw, base_dir=tmp_path), tmp_path / "run")
    errors = result.metrics["aggregate"]["errors"]
    assert errors["split"] == "dev" and errors["items"] == 1
    assert errors["buckets"]["spurious PER"] == {"count": 1, "sources": {"capitals": 1}}
    report = (tmp_path / "run" / "report.md").read_text()
    assert "The label model's errors on dev gold" in report and "spurious PER" in report
    printed = CliRunner().invoke(app, ["errors", str(tmp_path / "run")])
    assert printed.exit_code == 0 and "spurious PER" in printed.output
    assert "capitals 1" in printed.output
    refused = CliRunner().invoke(app, ["errors", str(tmp_path / "run"), "--split", "test"])
    assert refused.exit_code != 0 and "fix rules on dev gold" in refused.output
