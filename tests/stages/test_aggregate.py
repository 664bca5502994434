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
            "aggregate": {"method": "naive_bayes"},
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
