"""Out-only formats: Label Studio tasks, Hugging Face datasets folder, chat JSONL."""

import json

import pytest

from weakforge.corpus import WriteOptions, write_corpus


def test_labelstudio_predictions_and_annotations(tmp_path, ner_examples, clf_examples):
    path = tmp_path / "tasks.json"
    weak = [
        ner_examples[0].__class__(
            **{**ner_examples[0].__dict__, "label": ner_examples[0].votes["caps"]}
        )
    ]
    write_corpus(weak, path, "labelstudio", WriteOptions(task="ner", labels=("PER", "ORG")))
    task = json.loads(path.read_text())[0]
    assert task["data"]["text"] == weak[0].text
    result = task["predictions"][0]["result"][0]
    assert result["type"] == "labels" and result["value"]["labels"] == ["PER"]
    assert result["value"]["text"] == "Angela Merkel"
    assert len(task["annotations"][0]["result"]) == 3
    assert '<Label value="PER"/>' in path.with_suffix(".label_config.xml").read_text()
    write_corpus(clf_examples, path, "labelstudio")
    tasks = json.loads(path.read_text())
    assert tasks[0]["predictions"][0]["result"][0]["value"] == {"choices": ["SPAM"]}
    assert tasks[0]["predictions"][0]["score"] == 0.9


def test_hf_datasets_folder(tmp_path, ner_examples, clf_examples):
    import datasets

    write_corpus(clf_examples, tmp_path / "clf", "hf", WriteOptions(labels=("HAM", "SPAM")))
    loaded = datasets.load_from_disk(str(tmp_path / "clf"))
    assert set(loaded) == {"train", "dev", "test"}
    assert loaded["train"][0]["label"] == 1 and loaded["test"][0]["label"] == 0
    write_corpus(
        ner_examples,
        tmp_path / "ner",
        "hf",
        WriteOptions(task="ner", labels=("PER", "ORG", "LOC", "MISC")),
    )
    ner = datasets.load_from_disk(str(tmp_path / "ner"))
    row = ner["train"][0]
    names = ner["train"].features["ner_tags"].feature.names
    tags = [names[t] for t in row["ner_tags"]]
    assert row["tokens"][:2] == ["Angela", "Merkel"] and tags[:3] == ["B-PER", "I-PER", "O"]
    assert row["spans"][0] == {"start": 0, "end": 13, "label": "PER"}


def test_an_hf_dataset_never_replaces_a_folder_of_the_users_own(tmp_path, clf_examples):
    """`convert in.jsonl mydatasets --to hf` used to delete mydatasets/other_project/: a
    non-empty folder that is not an earlier dataset is refused and left as it was; an
    earlier dataset folder is replaced."""
    from weakforge.errors import CorpusError

    mine = tmp_path / "mydatasets"
    (mine / "other_project").mkdir(parents=True)
    (mine / "other_project" / "notes.txt").write_text("keep me")
    options = WriteOptions(labels=("HAM", "SPAM"))
    with pytest.raises(CorpusError, match="not a Hugging Face dataset folder.*other_project"):
        write_corpus(clf_examples, mine, "hf", options)
    assert (mine / "other_project" / "notes.txt").read_text() == "keep me"
    write_corpus(clf_examples, tmp_path / "ds", "hf", options)
    write_corpus(clf_examples[:2], tmp_path / "ds", "hf", options)  # an earlier output
    assert (tmp_path / "ds" / "dataset_dict.json").exists()


def test_chat_jsonl(tmp_path, ner_examples, clf_examples):
    path = tmp_path / "chat.jsonl"
    write_corpus(ner_examples, path, "chat", WriteOptions(task="ner"))
    lines = [json.loads(x) for x in path.read_text().splitlines()]
    assert len(lines) == 3
    roles = [m["role"] for m in lines[0]["messages"]]
    assert roles == ["system", "user", "assistant"]
    answer = json.loads(lines[0]["messages"][2]["content"])
    assert answer[0] == {"text": "Angela Merkel", "type": "PER"}
    assert lines[2]["messages"][2]["content"] == "[]"
    write_corpus(clf_examples, path, "chat")
    answers = [json.loads(x)["messages"][2]["content"] for x in path.read_text().splitlines()]
    assert answers == ["SPAM", "HAM", "HAM"]


def test_chat_check_names_each_line_a_service_would_reject(tmp_path):
    from typer.testing import CliRunner

    from weakforge.cli import app
    from weakforge.corpus.chat import check_chat

    good = {
        "messages": [
            {"role": "system", "content": "Classify."},
            {"role": "user", "content": "free money"},
            {"role": "assistant", "content": "SPAM"},
        ]
    }
    lines = [json.dumps(good)] * 10 + [
        "{not json",
        json.dumps({"messages": [{"role": "user", "content": "hi"}]}),
        json.dumps({"messages": [{"role": "robot", "content": "x"}]}),
        json.dumps({"messages": [{"role": "user", "content": " "}, good["messages"][2]]}),
        json.dumps({"messages": [{"role": "user", "content": "x" * 400}, good["messages"][2]]}),
    ]
    path = tmp_path / "chat.jsonl"
    path.write_text("\n".join(lines) + "\n")
    check = check_chat(path, max_tokens=50)
    reasons = dict(check.rejected)
    assert check.examples == 15 and sorted(reasons) == [11, 12, 13, 14, 15]
    assert "not JSON" in reasons[11] and "no assistant" in reasons[12]
    assert "robot" in reasons[13] and "empty" in reasons[14] and "over the 50" in reasons[15]
    assert check.tokens == [check.tokens[0]] * 10 and check.total_tokens == 10 * check.tokens[0]
    result = CliRunner().invoke(app, ["check-chat", str(path), "--max-tokens", "50"])
    assert result.exit_code == 1 and "line 13: role 'robot'" in result.output
    path.write_text("\n".join(lines[:10]) + "\n")
    assert CliRunner().invoke(app, ["check-chat", str(path)]).exit_code == 0
