"""Every kind of bad input gets an error naming the file, the line or record, and the fix."""

import json

import pytest

from weakforge.corpus import ReadOptions, read_corpus, write_rejects
from weakforge.errors import CorpusError

NER = ReadOptions(task="ner", labels=("PER", "ORG", "LOC", "MISC"))


def write_lines(path, lines):
    path.write_bytes(b"\n".join(x if isinstance(x, bytes) else x.encode() for x in lines))
    return path


def error_of(path, options=NER, fmt=None) -> str:
    with pytest.raises(CorpusError) as info:
        read_corpus(path, fmt, options)
    return str(info.value)


def test_malformed_json_line(tmp_path):
    path = write_lines(tmp_path / "c.jsonl", ['{"text": "ok", "label": []}', '{"text": "bro'])
    message = error_of(path)
    assert str(path) in message and "line 2" in message and "malformed JSON" in message
    assert "Fix:" in message


def test_non_utf8_bytes(tmp_path):
    path = write_lines(tmp_path / "c.jsonl", ['{"text": "ok"}', b'{"text": "caf\xe9"}'])
    message = error_of(path, ReadOptions())
    assert "line 2" in message and "non-UTF-8 byte 0xe9" in message and "iconv" in message


def test_non_utf8_in_csv_names_the_line_and_skip_mode_skips_only_that_row(tmp_path):
    path = write_lines(tmp_path / "c.csv", ["text,label", "fine,A", b"caf\xe9,B", "also,B"])
    message = error_of(path, ReadOptions())
    assert "line 3" in message and "0xe9" in message
    corpus = read_corpus(path, "csv", ReadOptions(on_error="skip"))
    assert [e.text for e in corpus.examples] == ["fine", "also"]
    assert len(corpus.rejects) == 1 and "line 3" in str(corpus.rejects[0])


def test_empty_text(tmp_path):
    path = write_lines(tmp_path / "c.jsonl", ['{"id": "a", "text": "   ", "label": []}'])
    message = error_of(path)
    assert "line 1" in message and "record 'a' has an empty text" in message


def test_span_out_of_range(tmp_path):
    row = {"id": "a", "text": "Paris", "label": [[0, 9, "LOC"]]}
    message = error_of(write_lines(tmp_path / "c.jsonl", [json.dumps(row)]))
    assert "out of range for a text of 5 characters" in message and "record 'a'" in message


def test_span_misaligned(tmp_path):
    row = {"id": "a", "text": "In Paris today", "label": [[4, 8, "LOC"]]}
    message = error_of(write_lines(tmp_path / "c.jsonl", [json.dumps(row)]))
    assert "misaligned" in message and "'aris'" in message and "character" in message
    row = {"id": "b", "text": "In Paris today", "label": [[2, 8, "LOC"]]}
    assert "white space" in error_of(write_lines(tmp_path / "d.jsonl", [json.dumps(row)]))


def test_unknown_label_lists_valid_ones(tmp_path):
    row = {"id": "a", "text": "In Paris today", "label": [[3, 8, "CITY"]]}
    message = error_of(write_lines(tmp_path / "c.jsonl", [json.dumps(row)]))
    assert "unknown label 'CITY'" in message and "['LOC', 'MISC', 'ORG', 'PER']" in message
    path = write_lines(tmp_path / "c.csv", ["text,label", "hello,SPAMM"])
    message = error_of(path, ReadOptions(task="classification", labels=("HAM", "SPAM")))
    assert "line 2" in message and "unknown label 'SPAMM'" in message


def test_duplicate_id(tmp_path):
    rows = [json.dumps({"id": "a", "text": t}) for t in ("one", "two")]
    message = error_of(write_lines(tmp_path / "c.jsonl", rows), ReadOptions())
    assert "duplicate id 'a'" in message and "line 2" in message and "line 1" in message


def test_bad_conll_tag_and_columns(tmp_path):
    path = write_lines(tmp_path / "c.conll", ["EU B-ORG", "rejects X-MISC", ""])
    message = error_of(path, fmt="conll")
    assert "line 2" in message and "bad tag 'X-MISC'" in message
    path = write_lines(tmp_path / "d.conll", ["EU NNP B-ORG", "rejects O", ""])
    assert "line 2" in error_of(path, fmt="conll")


def test_skip_mode_collects_rejects_and_keeps_the_rest(tmp_path):
    lines = [
        '{"id": "a", "text": "Paris", "label": [[0, 5, "LOC"]]}',
        '{"id": "b", "text": ""}',
        "not json",
        b'{"id": "c", "text": "\xff"}',
        '{"id": "a", "text": "dup"}',
        '{"id": "d", "text": "Rome", "label": [[0, 4, "LOC"]]}',
    ]
    path = write_lines(tmp_path / "c.jsonl", lines)
    result = read_corpus(path, options=ReadOptions(task="ner", on_error="skip"))
    assert [e.id for e in result.examples] == ["a", "d"]
    assert [r.where for r in result.rejects] == ["line 2", "line 3", "line 4", "line 5"]
    write_rejects(result.rejects, tmp_path / "rejects.jsonl")
    rows = [json.loads(x) for x in (tmp_path / "rejects.jsonl").read_text().splitlines()]
    assert len(rows) == 4 and all(r["path"] == str(path) and r["fix"] for r in rows)


def test_missing_file_and_unknown_format(tmp_path):
    assert "no such file" in error_of(tmp_path / "nope.jsonl")
    (tmp_path / "data.xyz").write_text("x")
    assert "cannot tell the format" in error_of(tmp_path / "data.xyz")


def test_oversized_and_broken_texts_name_their_record_and_skip(tmp_path):
    import json

    from weakforge.corpus import ReadOptions, read_corpus

    rows = [
        {"id": "big", "text": "word " * 250_001},
        {"id": "half", "text": "bad \ud800 pair"},
        {"id": "ok", "text": "fine"},
    ]
    path = tmp_path / "c.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = read_corpus(path, "jsonl", ReadOptions(on_error="skip"))
    assert [e.id for e in result.examples] == ["ok"]
    problems = [str(r) for r in result.rejects]
    assert "record 'big' has 1,250,005 characters" in problems[0]
    assert "lone surrogate" in problems[1]
    long_csv = tmp_path / "long.csv"
    long_csv.write_text("text\n" + "x" * 200_000 + "\n")
    assert len(read_corpus(long_csv, "csv").examples[0].text) == 200_000
