import pytest

from weakforge.corpus import guess_format, write_corpus
from weakforge.errors import CorpusError


def test_unknown_suffix_is_read_by_content(tmp_path, clf_examples):
    cases = {
        "a.data": '{"text": "hi"}\n{"text": "there"}\n',
        "b.data": "-DOCSTART- -X- O O\n\nEU NNP I-ORG\nrejects VBZ O\n",
        "c.data": "text,label\nhello,HAM\nwin now,SPAM\n",
    }
    for name, content in cases.items():
        (tmp_path / name).write_text(content)
    assert [guess_format(tmp_path / n) for n in cases] == ["jsonl", "conll", "csv"]
    write_corpus(clf_examples, tmp_path / "d.parquet")
    (tmp_path / "d.parquet").rename(tmp_path / "d.data")
    assert guess_format(tmp_path / "d.data") == "parquet"


def test_unreadable_content_says_which_key_to_set(tmp_path):
    (tmp_path / "notes.data").write_text("just some prose\nwith no structure\nat all\n")
    with pytest.raises(CorpusError, match="dev_format"):
        guess_format(tmp_path / "notes.data")


def test_a_path_the_file_system_refuses_is_a_clear_error(tmp_path):
    from weakforge.config import load_config
    from weakforge.corpus import read_corpus
    from weakforge.errors import ConfigError

    (tmp_path / "corpus.jsonl").mkdir()  # a folder where a file belongs
    with pytest.raises(CorpusError, match="corpus.jsonl: cannot open the file"):
        read_corpus(tmp_path / "corpus.jsonl", "jsonl")
    from weakforge.corpus import readable

    def refused():  # what a reader meets on a file this user may not read
        raise PermissionError(13, "Permission denied")
        yield

    with pytest.raises(CorpusError, match="x.parquet: cannot be read \\(Permission denied\\)"):
        list(readable(refused(), tmp_path / "x.parquet"))
    (tmp_path / "run.toml").mkdir()
    with pytest.raises(ConfigError, match="run.toml: cannot be read"):
        load_config(tmp_path / "run.toml")


def test_plain_text_and_json_arrays_are_not_guessed_as_conll_or_csv(tmp_path):
    """Issue 37, case 38: a plain .txt was read as CoNLL ("bad tag '.'"); a Label Studio
    JSON export was sniffed as CSV."""
    import pytest

    from weakforge.corpus import guess_format
    from weakforge.errors import CorpusError

    plain = tmp_path / "notes.txt"
    plain.write_text("This is a sentence .\nAnd another one here .\nA third .\n")
    with pytest.raises(CorpusError, match="not CoNLL 'token TAG' lines"):
        guess_format(plain)
    conll = tmp_path / "tagged.txt"
    conll.write_text("Paris B-LOC\nis O\nnice O\n\n")
    assert guess_format(conll) == "conll"
    export = tmp_path / "tasks"
    export.write_text('[{"id": 1, "data": {"text": "hi, there"}, "annotations": []}]\n')
    with pytest.raises(CorpusError, match="one JSON array.*Label Studio"):
        guess_format(export)
