import json
import sqlite3

from weakforge.config import config_from_dict
from weakforge.corpus.tabular import load_records
from weakforge.review.service import decide
from weakforge.review.store import open_database
from weakforge.stages import run

RULES = """
from weakforge import keyword_rule
free = keyword_rule("free", ["free", "win", "click"], "SPAM")
song = keyword_rule("song", ["song", "love"], "HAM")
"""


def corpus(tmp_path):
    rows = []
    for i in range(40):
        rows.append({"id": f"s{i}", "text": f"click to win free money number {i}"})
        rows.append({"id": f"h{i}", "text": f"i love this song {i} times"})
    rows.append({"id": "dup", "text": "click to win free money number 3"})
    rows.append(
        {"id": "dev1", "text": "i love this song 3 times", "split": "test", "label": "SPAM"}
    )  # wrong gold, and leaks a training text
    (tmp_path / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "rules.py").write_text(RULES)


def audit_config(tmp_path, model_dir):
    return config_from_dict(
        {
            "run": {"labels": ["HAM", "SPAM"], "stages": ["ingest", "label", "aggregate", "audit"]},
            "data": {"path": "c.jsonl"},
            "label": {"rules": ["rules.py"]},
            "aggregate": {"method": "majority"},
            "audit": {"model": model_dir, "folds": 3},
        },
        base_dir=tmp_path,
    )


def test_audit_flags_queues_and_keeps_decisions(tmp_path, tiny_model_dir):
    corpus(tmp_path)
    config = audit_config(tmp_path, tiny_model_dir)
    result = run(config, tmp_path / "run")
    metrics = result.metrics["audit"]
    assert metrics["issue_counts"]["exact_duplicate"] >= 2
    assert metrics["issue_counts"]["leakage"] >= 2 and metrics["leaking_sets"] >= 1
    assert metrics["conflicting_sets"] >= 1
    records = {r.id: r for r in load_records(tmp_path / "run" / "audited.parquet")}
    assert "leakage" in records["dev1"].flags and records["dup"].flags["exact_duplicate"] == 1.0
    assert records["dev1"].meta["audit"]["why"]
    db = tmp_path / "run" / "review.sqlite"
    queued = dict(sqlite3.connect(db).execute("SELECT id, priority FROM items").fetchall())
    assert "dev1" in queued and "dup" in queued
    decide(open_database(db), "dev1", "bo", "relabel", new_label="HAM")
    run(config, tmp_path / "run", force_from="audit")
    assert sqlite3.connect(db).execute("SELECT count(*) FROM decisions").fetchone()[0] == 1
    report = (tmp_path / "run" / "report.md").read_text()
    assert "## Audit" in report and "leakage" in report
    assert (tmp_path / "run" / "cache" / "embeddings").is_dir()


def test_a_deleted_review_queue_is_refilled_on_the_next_run(tmp_path, tiny_model_dir):
    corpus(tmp_path)
    config = audit_config(tmp_path, tiny_model_dir)
    run(config, tmp_path / "run")
    for leftover in (tmp_path / "run").glob("review.sqlite*"):
        leftover.unlink()
    again = run(config, tmp_path / "run")
    assert again.ran[0] == "audit" and "aggregate" in again.skipped
    db = tmp_path / "run" / "review.sqlite"
    assert sqlite3.connect(db).execute("SELECT count(*) FROM items").fetchone()[0] > 0
    assert run(config, tmp_path / "run").ran == []


def test_a_gold_labeled_corpus_is_audited_without_rules(tmp_path, tiny_model_dir):
    rows = [
        {"id": f"s{i}", "text": f"click to win free money {i}", "label": "SPAM"} for i in range(30)
    ]
    rows += [{"id": f"h{i}", "text": f"i love this song {i}", "label": "HAM"} for i in range(30)]
    rows[0]["label"] = "HAM"  # a human mistake
    (tmp_path / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    config = config_from_dict(
        {
            "run": {"labels": ["HAM", "SPAM"], "stages": ["ingest", "audit"]},
            "data": {"path": "c.jsonl"},
            "audit": {"model": tiny_model_dir, "folds": 3, "checks": ["label_issues"]},
        },
        base_dir=tmp_path,
    )
    metrics = run(config, tmp_path / "run").metrics["audit"]
    assert metrics["audited_labels"] == "human (gold only)"
    records = {r.id: r for r in load_records(tmp_path / "run" / "audited.parquet")}
    assert records["s1"].gold == "SPAM"  # train gold is what gets audited
    assert "label_issue" in records["s0"].flags
    assert metrics["flagged"] < 10


def test_an_unlabeled_corpus_without_rules_is_a_clear_error(tmp_path, tiny_model_dir):
    import pytest

    from weakforge.errors import ConfigError

    (tmp_path / "c.jsonl").write_text('{"id": "a", "text": "hello"}\n' * 1)
    config = config_from_dict(
        {
            "run": {"labels": ["HAM", "SPAM"], "stages": ["ingest", "audit"]},
            "data": {"path": "c.jsonl"},
            "audit": {"model": tiny_model_dir},
        },
        base_dir=tmp_path,
    )
    with pytest.raises(ConfigError, match="nothing to audit"):
        run(config, tmp_path / "run")


def test_a_gold_ner_corpus_with_documents_flags_a_name_its_story_labels_otherwise(
    tmp_path, tiny_model_dir
):
    """CoNLL documents where "England" is an ORG in every sentence but one: that sentence
    is flagged, named as a document conflict, and counted in the audit's metrics."""
    lines = []
    for doc in range(6):
        lines += ["-DOCSTART- -X- -X- O", ""]
        for k, verb in enumerate(["won", "lost", "drew", "batted"]):
            kind = "LOC" if (doc, k) == (2, 1) else "ORG"
            lines += [f"England NNP B-NP B-{kind}", f"{verb} VBD B-VP O", ". . O O", ""]
    (tmp_path / "c.conll").write_text("\n".join(lines))
    config = config_from_dict(
        {
            "run": {"labels": ["ORG", "LOC"], "stages": ["ingest", "audit"], "task": "ner"},
            "data": {"path": "c.conll"},
            "audit": {
                "model": tiny_model_dir,
                "folds": 3,
                "checks": ["label_issues"],
                "label_model": "vectors+case",
            },
        },
        base_dir=tmp_path,
    )
    metrics = run(config, tmp_path / "run").metrics["audit"]
    assert metrics["document_conflicts"] == 1
    records = load_records(tmp_path / "run" / "audited.parquet")
    odd = [r for r in records if r.gold[0].label == "LOC"]
    assert len(odd) == 1 and "label_issue" in odd[0].flags
    assert (
        "'England' LOC -> ORG (elsewhere in the document: ORG x3)" in odd[0].meta["audit"]["why"][0]
    )
    worst = min(records, key=lambda r: r.meta["audit"]["quality"])
    assert worst.id == odd[0].id
