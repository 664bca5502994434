import json

from typer.testing import CliRunner

from weakforge.cli import app
from weakforge.config import config_from_dict
from weakforge.stages import run


def keyword_run_config(folder, **train):
    """Ingest, the two keyword rules, majority vote and the train stage with ``train``."""
    return config_from_dict(
        {
            "run": {"labels": ["HAM", "SPAM"], "stages": ["ingest", "label", "aggregate", "train"]},
            "data": {"path": "c.jsonl"},
            "label": {"rules": ["rules.py"]},
            "aggregate": {"method": "majority"},
            "train": train,
        },
        base_dir=folder,
    )


def test_train_stage_without_audit_and_predict_to_label_studio(
    tmp_path, tiny_model_dir, keyword_corpus
):
    keyword_corpus(
        20,
        [
            {"id": "t1", "text": "check out my channel free 99", "split": "test", "label": "SPAM"},
            {"id": "t2", "text": "great song love it 99", "split": "test", "label": "HAM"},
        ],
    )
    config = keyword_run_config(
        tmp_path,
        base_model=tiny_model_dir,
        lora=False,
        epochs=12,
        learning_rate=5e-3,
        batch_size=8,
        patience=50,
    )
    result = run(config, tmp_path / "run")
    metrics = result.metrics["train"]
    assert metrics["train_items"] == 40 and metrics["device"] == "cpu"
    assert set(metrics["scores"]) == {"test"}  # no dev gold: no early stopping, all epochs
    assert metrics["scores"]["test"]["label_model"]["accuracy"] == 1.0
    assert metrics["scores"]["test"]["end_model"]["accuracy"] == 1.0
    card = (tmp_path / "run" / "model" / "README.md").read_text()
    assert "weakforge model" in card and "label model" in card
    # the tokenizer is uncased, but classification reads case only when asked ("on")
    assert not metrics["case_features"] and "letter case fed in" not in card
    report = (tmp_path / "run" / "report.md").read_text()
    assert "## End model" in report and "end model beats teacher" in report
    (tmp_path / "new.jsonl").write_text(
        '{"text": "check out my channel free 7"}\n{"text": "great song love it 7"}\n'
    )
    out = tmp_path / "pre.json"
    cli = CliRunner().invoke(
        app,
        [
            "predict",
            str(tmp_path / "run" / "model"),
            str(tmp_path / "new.jsonl"),
            "--out",
            str(out),
            "--to",
            "labelstudio",
        ],
    )
    assert cli.exit_code == 0, cli.output
    tasks = json.loads(out.read_text())
    assert [t["predictions"][0]["result"][0]["value"]["choices"] for t in tasks] == [
        ["SPAM"],
        ["HAM"],
    ]


def test_a_causal_end_model_trains_reports_and_predicts_from_one_config(
    tmp_path, tiny_causal_dir, keyword_corpus
):
    keyword_corpus(
        16,
        [
            {"id": "t1", "text": "check out my channel free 1", "split": "test", "label": "SPAM"},
            {"id": "t2", "text": "great song love it 2", "split": "test", "label": "HAM"},
        ],
        cycle=3,
    )
    config = keyword_run_config(
        tmp_path,
        family="causal",
        base_model=tiny_causal_dir,
        lora=False,
        epochs=40,
        learning_rate=1e-2,
        batch_size=8,
        max_length=160,
    )
    result = run(config, tmp_path / "run")
    metrics = result.metrics["train"]
    assert metrics["family"] == "causal" and metrics["train_items"] == 32
    assert metrics["processes"] == 1 and metrics["steps"] == 40 * 32 // 8  # all in one process
    assert metrics["scores"]["test"]["end_model"]["accuracy"] == 1.0
    assert metrics["unreadable_answers"]["count"] == 0  # labels are scored, never unreadable
    card = (tmp_path / "run" / "model" / "README.md").read_text()
    assert "family: causal" in card
    (tmp_path / "new.jsonl").write_text('{"text": "check out my channel free 2"}\n')
    out = tmp_path / "pred.jsonl"
    cli = CliRunner().invoke(
        app,
        [
            "predict",
            str(tmp_path / "run" / "model"),
            str(tmp_path / "new.jsonl"),
            "--out",
            str(out),
        ],
    )
    assert cli.exit_code == 0, cli.output
    assert json.loads(out.read_text().splitlines()[0])["label"] == "SPAM"


def test_with_dev_gold_the_report_gives_the_class_offsets_fit_there(
    tmp_path, tiny_model_dir, keyword_corpus
):
    keyword_corpus(
        10,
        [
            {"id": f"d{i}{label}", "text": text, "split": "dev", "label": label}
            for i in range(15)
            for text, label in (
                (f"check out my channel free 9{i}", "SPAM"),
                (f"great song love it 9{i}", "HAM"),
            )
        ],
    )
    config = keyword_run_config(
        tmp_path, base_model=tiny_model_dir, lora=False, epochs=2, batch_size=8
    )
    metrics = run(config, tmp_path / "run").metrics["train"]
    bias = metrics["class_bias"]
    assert set(bias["offsets"]) == {"HAM", "SPAM"} and bias["dev_items"] == 30
    saved = json.loads((tmp_path / "run" / "model" / "weakforge_model.json").read_text())
    assert saved["class_bias"] == bias["offsets"]
    report = (tmp_path / "run" / "report.md").read_text()
    assert "Offsets fit on 30 dev items" in report and "dev macro-F1" in report
    plain = keyword_run_config(
        tmp_path, base_model=tiny_model_dir, lora=False, epochs=2, class_bias="none"
    )
    assert run(plain, tmp_path / "plain").metrics["train"]["class_bias"] is None


def test_self_training_rounds_are_counted_in_the_metrics_and_the_report(
    tmp_path, tiny_model_dir, keyword_corpus
):
    keyword_corpus(
        10, [{"id": "t1", "text": "great song love it 5", "split": "test", "label": "HAM"}]
    )
    config = keyword_run_config(
        tmp_path, base_model=tiny_model_dir, lora=False, epochs=2, batch_size=8, self_training=1
    )
    metrics = run(config, tmp_path / "run").metrics["train"]
    rounds = metrics["self_training"]
    assert len(rounds["changed"]) == 1 and rounds["kept"] == 1 and rounds["dev_scores"] == []
    assert metrics["train_items"] == 20
    report = (tmp_path / "run" / "report.md").read_text()
    assert "Self-training ([train] self_training)" in report
    assert f"changing {rounds['changed'][0]} weak labels in 1 round(s); with no dev gold" in report


def scores_of(end_f1, end_found, teacher_f1, teacher_found):
    return {
        "dev": {
            "end_model": {"f1": end_f1, "predicted": end_found},
            "label_model": {"f1": teacher_f1, "predicted": teacher_found},
        }
    }


def test_a_tagger_far_below_its_teacher_is_called_out_with_what_to_try():
    from weakforge.stages.train import teacher_warning
    from weakforge.train.hf_trainer import TrainResult

    options = TrainResult([], "cpu", 1.0, 1.0, 10, 1, 1, learning_rate=5e-4, epochs=2)
    collapsed = teacher_warning(scores_of(0.05, 40, 0.61, 900), "ner", options)
    assert "finds 40 entities in dev where its label model finds 900" in collapsed
    assert "0.050 f1 on dev gold against its label model's 0.610" in collapsed
    assert "epochs, now 2" in collapsed and "learning_rate (now 0.0005)" in collapsed
    assert teacher_warning(scores_of(0.60, 850, 0.61, 900), "ner", options) == ""
    assert teacher_warning({"test": {}}, "ner", options) == ""  # no dev gold: nothing to say
    below = {"dev": {"end_model": {"accuracy": 0.7}, "label_model": {"accuracy": 0.9}}}
    assert "0.700 accuracy" in teacher_warning(below, "classification", options)


def test_the_report_says_why_cross_checked_offsets_were_kept():
    from weakforge.stages.train import class_bias_note

    bias = {
        "offsets": {"O": 0.0, "B-PER": 0.3},
        "metric": "span F1",
        "dev_before": 0.7,
        "dev_after": 0.72,
        "dev_items": 40,
        "cross_fit_gain": 0.0123,
    }
    assert "gained +0.0123 on the other half" in class_bias_note(bias)
    assert "other half" not in class_bias_note({**bias, "cross_fit_gain": None})


def test_a_tagger_trained_on_documents_votes_within_them_from_then_on(
    tmp_path, tiny_model_dir, capitals_rule
):
    rows = [
        {"id": f"t{i}", "text": "Anna met Bob in Rome", "doc": f"d{i // 3}"} for i in range(6)
    ] + [{"id": "x", "text": "Anna met Bob", "split": "test", "label": [[0, 4, "PER"]]}]
    (tmp_path / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    raw = {
        "run": {
            "task": "ner",
            "labels": ["PER"],
            "stages": ["ingest", "label", "aggregate", "train"],
        },
        "data": {"path": "c.jsonl"},
        "label": {"rules": ["rules.py"]},
        "aggregate": {"method": "majority"},
        "train": {"base_model": tiny_model_dir, "epochs": 1, "batch_size": 4},
    }
    result = run(config_from_dict(raw, base_dir=tmp_path), tmp_path / "run")
    assert result.metrics["train"]["document_vote_key"] == "doc"
    info = json.loads((tmp_path / "run" / "model" / "weakforge_model.json").read_text())
    assert info["document_key"] == "doc"
    assert (
        "one type per name per document" in (tmp_path / "run" / "model" / "README.md").read_text()
    )
    raw["train"]["document_vote"] = False
    off = run(config_from_dict(raw, base_dir=tmp_path), tmp_path / "off")
    assert off.metrics["train"]["document_vote_key"] is None
    info = json.loads((tmp_path / "off" / "model" / "weakforge_model.json").read_text())
    assert "document_key" not in info
