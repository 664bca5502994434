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
