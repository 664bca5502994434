import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from weakforge.corpus import Columns, ReadOptions, WriteOptions, read_corpus, write_corpus
from weakforge.corpus.tabular import load_records, save_records
from weakforge.records import Span


def test_jsonl_round_trip_keeps_whole_records(tmp_path, ner_examples, clf_examples):
    for examples in (ner_examples, clf_examples):
        path = tmp_path / "c.jsonl"
        write_corpus(examples, path)
        assert read_corpus(path).examples == examples


def test_jsonl_with_mapped_fields_keeps_other_fields_as_meta(tmp_path):
    path = tmp_path / "in.jsonl"
    rows = [
        {"uid": 7, "body": "Paris is nice", "ents": [[0, 5, "LOC"]], "author": "x"},
        {"uid": 8, "body": "No entity", "ents": []},
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n")
    options = ReadOptions(columns=Columns(text="body", id="uid", label="ents"), task="ner")
    examples = read_corpus(path, options=options).examples
    assert [e.id for e in examples] == ["7", "8"]
    assert examples[0].gold == (Span(0, 5, "LOC"),) and examples[1].gold == ()
    assert examples[0].meta == {"author": "x"}


def test_csv_round_trip_classification_and_ner(tmp_path, ner_examples, clf_examples):
    for examples in (clf_examples, ner_examples):
        path = tmp_path / "c.csv"
        write_corpus(examples, path)
        back = read_corpus(path).examples
        assert [(e.id, e.text, e.split) for e in back] == [
            (e.id, e.text, e.split) for e in examples
        ]
        assert [e.gold for e in back] == [
            e.gold if e.gold is not None else e.label for e in examples
        ]


def test_parquet_round_trip_native_and_mapped(tmp_path, ner_examples):
    path = tmp_path / "c.parquet"
    write_corpus(ner_examples, path)
    assert read_corpus(path).examples == ner_examples
    mapped = tmp_path / "m.parquet"
    pq.write_table(pa.table({"content": ["a text", "another"], "y": ["A", "B"]}), mapped)
    back = read_corpus(mapped, options=ReadOptions(columns=Columns(text="content", label="y")))
    assert [(e.id, e.gold) for e in back.examples] == [("m.parquet-1", "A"), ("m.parquet-2", "B")]


def test_record_store_round_trip(tmp_path, clf_examples):
    save_records(clf_examples, tmp_path / "r.parquet")
    assert load_records(tmp_path / "r.parquet") == clf_examples


def test_csv_writer_uses_requested_label(tmp_path, clf_examples):
    path = tmp_path / "c.csv"
    write_corpus(clf_examples, path, options=WriteOptions(which="gold"))
    assert [e.gold for e in read_corpus(path).examples] == ["SPAM", "HAM", None]


def test_a_stray_quote_that_swallows_rows_is_named_where_it_opened(tmp_path):
    from weakforge.errors import CorpusError

    rows = ["id,text,label,split", 'x1,"oops,HAM,train']
    rows += [f"r{i},row {i},HAM,train" for i in range(3)]
    rows += ['x2,bye",HAM,train', "r9,after,SPAM,train"]
    path = tmp_path / "c.csv"
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(CorpusError, match="line 2: a quote opened on line 2 closes only on line 6"):
        read_corpus(path, "csv")
    result = read_corpus(path, "csv", ReadOptions(on_error="skip"))
    assert [e.id for e in result.examples] == ["r9"] and len(result.rejects) == 1
    assert "swallowing 3 lines" in str(result.rejects[0])
    multi = tmp_path / "m.csv"
    multi.write_text('id,text\na,"first line\nsecond line"\n')  # a real multi-line text
    assert read_corpus(multi, "csv").examples[0].text == "first line\nsecond line"


def test_a_text_that_is_not_a_string_says_so(tmp_path):
    from weakforge.errors import CorpusError

    path = tmp_path / "c.jsonl"
    path.write_text('{"id": "a", "text": 7}\n')
    with pytest.raises(CorpusError, match="line 1: the text field 'text' holds int '7'"):
        read_corpus(path, "jsonl")


def test_only_strings_and_whole_numbers_are_ids(tmp_path):
    """Issue 37, case 11: Parquet float ids became "1.0", a NaN id the text "nan", objects,
    lists and true their Python reprs."""
    from weakforge.errors import CorpusError

    table = pa.table({"id": [1.0, 2.0, 3.0], "text": ["a", "b", "c"]})
    pq.write_table(table, tmp_path / "floats.parquet")
    assert [e.id for e in read_corpus(tmp_path / "floats.parquet").examples] == ["1", "2", "3"]
    for bad in ('{"k": 1}', "[1]", "true", "NaN", "1.5"):
        path = tmp_path / "bad.jsonl"
        path.write_text(f'{{"id": {bad}, "text": "x"}}\n')
        with pytest.raises(CorpusError, match="line 1: the id field 'id' holds"):
            read_corpus(path, "jsonl")
    (tmp_path / "ok.jsonl").write_text('{"id": 7, "text": "x"}\n{"id": "a-1", "text": "y"}\n')
    assert [e.id for e in read_corpus(tmp_path / "ok.jsonl").examples] == ["7", "a-1"]


def test_a_csv_cut_off_inside_a_quote_is_an_error_not_a_short_text(tmp_path):
    """Issue 37, case 6: the last record kept its text cut short."""
    from weakforge.errors import CorpusError

    path = tmp_path / "cut.csv"
    path.write_text('id,text\na,"first"\nb,"second text that goes on and')
    with pytest.raises(CorpusError, match="line 3: the file ends inside a quoted cell"):
        read_corpus(path, "csv")


def test_utf16_and_a_file_cut_inside_a_character_are_named_for_what_they_are(tmp_path):
    """Issue 37, cases 36 and 37: UTF-16 read as "malformed JSON ... column 2"; a UTF-8 file
    cut mid-character was offered `iconv -f latin1`."""
    from weakforge.errors import CorpusError

    utf16 = tmp_path / "u16.jsonl"
    utf16.write_bytes('{"id": "a", "text": "hi"}\n'.encode("utf-16-le"))
    with pytest.raises(CorpusError, match="looks like UTF-16.*iconv -f utf-16"):
        read_corpus(utf16, "jsonl")
    cut = tmp_path / "cut.jsonl"
    cut.write_bytes('{"id": "a", "text": "café"}\n{"id": "b", "text": "caf'.encode() + b"\xc3")
    with pytest.raises(CorpusError, match="line 2: the file ends in the middle of a UTF-8"):
        read_corpus(cut, "jsonl")
    csv_cut = tmp_path / "cut.csv"
    csv_cut.write_bytes("id,text\na,café\n".encode() + b"b,caf\xc3")
    with pytest.raises(CorpusError, match="middle of a UTF-8 character"):
        read_corpus(csv_cut, "csv")


def test_a_header_that_names_a_column_twice_is_refused(tmp_path):
    """Issue 37, case 13: `id,text,text` silently read the second text column."""
    from weakforge.errors import CorpusError

    path = tmp_path / "twice.csv"
    path.write_text("id,text,text\na,first,second\n")
    with pytest.raises(CorpusError, match=r"line 1: the header names a column twice: \['text'\]"):
        read_corpus(path, "csv")
