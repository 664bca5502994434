import json

from weakforge.corpus import read_corpus, write_corpus
from weakforge.corpus.wrench import source_names


def make_wrench(folder):
    folder.mkdir()
    (folder / "label.json").write_text(json.dumps({"0": "HAM", "1": "SPAM"}))
    train = {
        "0": {"label": 1, "weak_labels": [1, -1, 0], "data": {"text": "buy now\ufeff"}},
        "5": {"label": 0, "weak_labels": [-1, -1, -1], "data": {"text": "nice song"}},
    }
    test = {"9": {"label": 0, "weak_labels": [0, 0, -1], "data": {"text": "lovely", "extra": 3}}}
    (folder / "train.json").write_text(json.dumps(train))
    (folder / "test.json").write_text(json.dumps(test))
    return train, test


def test_weak_labels_become_fixed_width_sources(tmp_path):
    make_wrench(tmp_path / "yt")
    examples = read_corpus(tmp_path / "yt").examples
    first = examples[0]
    assert first.id == "train-0" and first.split == "train" and first.gold == "SPAM"
    assert first.votes == {"LF000": "SPAM", "LF001": None, "LF002": "HAM"}
    assert examples[-1].split == "test" and examples[-1].meta["wrench_data"] == {"extra": 3}
    assert source_names(120)[:2] == ["LF000", "LF001"]


def test_wrench_round_trip_is_exact(tmp_path):
    train, test = make_wrench(tmp_path / "yt")
    examples = read_corpus(tmp_path / "yt").examples
    write_corpus(
        examples,
        tmp_path / "out",
        "wrench",
    )
    assert json.loads((tmp_path / "out" / "train.json").read_text()) == train
    assert json.loads((tmp_path / "out" / "test.json").read_text()) == test
    assert read_corpus(tmp_path / "out").examples == examples


def test_fields_of_the_wrong_type_name_the_record_and_skip(tmp_path):
    import json

    from weakforge.corpus import ReadOptions, read_corpus

    folder = tmp_path / "w"
    folder.mkdir()
    (folder / "label.json").write_text(json.dumps({"0": "HAM", "1": "SPAM"}))
    train = {
        "0": {"label": 0, "weak_labels": [0, -1], "data": {"text": "fine"}},
        "1": {"label": 0, "weak_labels": "01", "data": {"text": "votes as a string"}},
        "2": {"label": "1", "weak_labels": [1, 1], "data": {"text": "label as a string"}},
        "3": {"label": 1, "weak_labels": [1, None], "data": {"text": "a null vote"}},
        "4": {"label": 1, "weak_labels": [1, 1], "data": {"text": 42}},
    }
    (folder / "train.json").write_text(json.dumps(train))
    result = read_corpus(folder, "wrench", ReadOptions(on_error="skip"))
    assert [e.text for e in result.examples] == ["fine"]
    messages = [str(r) for r in result.rejects]
    assert "train.json record '1'" in messages[0] and "weak_labels must be a list" in messages[0]
    assert "label must be an integer" in messages[1]
    assert "every weak label must be an integer" in messages[2]
    assert "data.text must be a string" in messages[3]


def test_a_label_map_that_gives_two_classes_one_name_is_refused(tmp_path):
    """Issue 37, case 13: two indices with one name merged the classes."""
    import json

    import pytest

    from weakforge.corpus import read_corpus
    from weakforge.errors import CorpusError

    folder = tmp_path / "wr"
    folder.mkdir()
    (folder / "label.json").write_text(json.dumps({"0": "HAM", "1": "SPAM", "2": "HAM"}))
    (folder / "train.json").write_text(json.dumps({"0": {"label": 0, "weak_labels": [0]}}))
    with pytest.raises(CorpusError, match=r"one name to several classes \{'HAM': \[0, 2\]\}"):
        read_corpus(folder, "wrench")
