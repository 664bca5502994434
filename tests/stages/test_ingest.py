import json

import pytest

from weakforge.config import config_from_dict
from weakforge.corpus.tabular import load_records
from weakforge.errors import CorpusError
from weakforge.stages import run


def write_jsonl(path, rows):
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def config_for(tmp_path, **data):
    return config_from_dict(
        {
            "run": {"task": "classification", "labels": ["HAM", "SPAM"], "stages": ["ingest"]},
            "data": data,
        },
        base_dir=tmp_path,
    )


def test_train_dev_test_files_get_their_splits(tmp_path):
    write_jsonl(
        tmp_path / "train.jsonl", [{"id": "t1", "text": "win cash"}, {"id": "t2", "text": "hello"}]
    )
    write_jsonl(tmp_path / "dev.jsonl", [{"id": "d1", "text": "nice", "label": "HAM"}])
    write_jsonl(tmp_path / "test.jsonl", [{"id": "x1", "text": "buy", "label": "SPAM"}])
    config = config_for(tmp_path, path="train.jsonl", dev_path="dev.jsonl", test_path="test.jsonl")
    result = run(config, tmp_path / "run", until="ingest")
    records = load_records(tmp_path / "run" / "records.parquet")
    assert [(r.id, r.split) for r in records] == [
        ("t1", "train"),
        ("t2", "train"),
        ("d1", "dev"),
        ("x1", "test"),
    ]
    metrics = result.metrics["ingest"]
    assert metrics["splits"] == {"dev": 1, "test": 1, "train": 2}
    assert metrics["label_counts"]["dev"] == {"HAM": 1}


def test_duplicate_ids_across_files(tmp_path):
    write_jsonl(tmp_path / "a.jsonl", [{"id": "same", "text": "one"}])
    write_jsonl(tmp_path / "b.jsonl", [{"id": "same", "text": "two"}])
    with pytest.raises(CorpusError, match="record 'same'.*duplicate id"):
        run(
            config_for(tmp_path, path="a.jsonl", dev_path="b.jsonl"), tmp_path / "r", until="ingest"
        )


def test_skip_mode_writes_rejects_and_counts_them(tmp_path):
    write_jsonl(
        tmp_path / "a.jsonl",
        [{"id": "1", "text": "ok", "label": "HAM"}, {"id": "2", "text": "bad", "label": "EGGS"}],
    )
    result = run(config_for(tmp_path, path="a.jsonl", on_error="skip"), tmp_path / "r")
    assert result.metrics["ingest"]["n_rejects"] == 1
    reject = json.loads((tmp_path / "r" / "rejects.jsonl").read_text())
    assert reject["where"] == "line 2" and "EGGS" in reject["problem"]
    assert "1 bad records were skipped" in (tmp_path / "r" / "report.md").read_text()


CONLL_TRAIN = "-DOCSTART- O\n\nAnna B-PER\nsang O\n\n"
CONLL_DEV = "-DOCSTART- O\n\nParis B-LOC\nwaits O\n\n"


def test_conll_files_of_one_corpus_load_together_each_with_its_format(tmp_path):
    """eng.train / eng.testa share the stem 'eng': ids carry the whole file name; a JSONL
    train file and a CoNLL dev file each get their own reader, and a file whose suffix says
    nothing is read by its content."""
    (tmp_path / "eng.train").write_text(CONLL_TRAIN)
    (tmp_path / "eng.testa").write_text(CONLL_DEV)
    config = config_from_dict(
        {
            "run": {"task": "ner", "labels": ["PER", "LOC"], "stages": ["ingest"]},
            "data": {"path": "eng.train", "dev_path": "eng.testa", "train_gold": "use"},
        },
        base_dir=tmp_path,
    )
    run(config, tmp_path / "run")
    ids = [r.id for r in load_records(tmp_path / "run" / "records.parquet")]
    assert ids == ["eng.train-1", "eng.testa-1"]
    write_jsonl(tmp_path / "train.jsonl", [{"id": "t1", "text": "Anna sang"}])
    (tmp_path / "dev.annotated").write_text(CONLL_DEV)
    config = config_from_dict(
        {
            "run": {"task": "ner", "labels": ["PER", "LOC"], "stages": ["ingest"]},
            "data": {"path": "train.jsonl", "format": "jsonl", "dev_path": "dev.annotated"},
        },
        base_dir=tmp_path,
    )
    run(config, tmp_path / "run2")
    records = load_records(tmp_path / "run2" / "records.parquet")
    assert [(r.id, r.split) for r in records] == [("t1", "train"), ("dev.annotated-1", "dev")]
    assert records[1].gold[0].label == "LOC"


def test_train_gold_is_set_aside_unless_asked_for(tmp_path):
    write_jsonl(
        tmp_path / "c.jsonl",
        [
            {"id": "t1", "text": "win cash", "label": "SPAM"},
            {"id": "d1", "text": "nice", "label": "HAM", "split": "dev"},
        ],
    )
    result = run(config_for(tmp_path, path="c.jsonl"), tmp_path / "run")
    records = {r.id: r for r in load_records(tmp_path / "run" / "records.parquet")}
    assert records["t1"].gold is None and records["t1"].meta["train_gold"] == "SPAM"
    assert records["d1"].gold == "HAM"  # dev gold is what tunes the label model
    assert result.metrics["ingest"]["train_gold_set_aside"] == 1
    run(config_for(tmp_path, path="c.jsonl", train_gold="use"), tmp_path / "used")
    used = {r.id: r for r in load_records(tmp_path / "used" / "records.parquet")}
    assert used["t1"].gold == "SPAM"


def test_split_names_are_mapped_or_refused(tmp_path):
    write_jsonl(
        tmp_path / "c.jsonl",
        [
            {"id": "a", "text": "win cash", "split": "train"},
            {"id": "b", "text": "nice", "label": "HAM", "split": "valid"},
        ],
    )
    run(config_for(tmp_path, path="c.jsonl"), tmp_path / "run")
    records = {r.id: r.split for r in load_records(tmp_path / "run" / "records.parquet")}
    assert records == {"a": "train", "b": "dev"}  # valid -> dev by default
    write_jsonl(tmp_path / "d.jsonl", [{"id": "c", "text": "hm", "split": 7}])
    with pytest.raises(CorpusError, match="names the split '7'.*split_map"):
        run(config_for(tmp_path, path="d.jsonl"), tmp_path / "run2")
    config = config_for(tmp_path, path="d.jsonl", split_map={"7": "test"})
    run(config, tmp_path / "run3")
    assert load_records(tmp_path / "run3" / "records.parquet")[0].split == "test"


def test_gold_spans_inside_a_token_are_counted_and_named(tmp_path):
    rows = [
        {"id": "a", "text": "The U.S. said no", "label": [[4, 7, "LOC"]], "split": "dev"},
        {"id": "b", "text": "Paris said yes", "label": [[0, 5, "LOC"]], "split": "dev"},
    ]
    write_jsonl(tmp_path / "c.jsonl", rows)
    config = config_from_dict(
        {
            "run": {"task": "ner", "labels": ["LOC"], "stages": ["ingest"]},
            "data": {"path": "c.jsonl"},
        },
        base_dir=tmp_path,
    )
    metrics = run(config, tmp_path / "run").metrics["ingest"]
    assert metrics["gold_spans_inside_tokens"] == 1 and metrics["first_record_with_one"] == "a"
    assert "inside a token" in (tmp_path / "run" / "report.md").read_text()


def test_one_labeled_file_is_cut_into_dev_and_test_by_position():
    """Issue 38: a user's single CoNLL/JSONL file gets dev and test blocks from its end."""
    from weakforge.errors import ConfigError
    from weakforge.records import Example
    from weakforge.stages.ingest import held_out_by_position

    examples = [Example(id=str(i), text="t", split="train", gold="A") for i in range(10)]
    examples.append(Example(id="d", text="t", split="dev", gold="A"))  # from dev_path: kept
    cut = held_out_by_position(examples, 0.2, 0.1)
    assert [e.split for e in cut] == ["train"] * 7 + ["dev", "dev", "test", "dev"]
    assert held_out_by_position(examples, 0.0, 0.0) == examples
    with pytest.raises(ConfigError, match="leaves no train"):
        held_out_by_position(examples, 0.5, 0.5)
