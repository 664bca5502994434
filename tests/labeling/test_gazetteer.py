import gzip
import json

import pytest

from weakforge import gazetteer
from weakforge.errors import WeakforgeError
from weakforge.labeling.gazetteer import read_entries
from weakforge.tokenize import blank_pipeline

nlp = blank_pipeline()


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WEAKFORGE_CACHE", str(tmp_path / "cache"))


def found(rule, text):
    return [(text[s.start : s.end], s.label) for s in rule.vote(nlp(text))]


def test_every_list_format_loads(tmp_path):
    (tmp_path / "a.txt").write_text("Acme Corp\n\nGlobex\n")
    (tmp_path / "b.tsv").write_text("Paris\tLOC\nAcme\tORG\n")
    (tmp_path / "c.csv").write_text("Rome,LOC\n")
    (tmp_path / "d.json").write_text(json.dumps({"PER": ["Ada Lovelace"]}))
    (tmp_path / "e.json").write_text(json.dumps(["Oslo"]))
    (tmp_path / "f.txt.gz").write_bytes(gzip.compress(b"Lima\n"))
    assert read_entries(tmp_path / "a.txt", "ORG") == {"ORG": ["Acme Corp", "Globex"]}
    assert read_entries(tmp_path / "b.tsv") == {"LOC": ["Paris"], "ORG": ["Acme"]}
    assert read_entries(tmp_path / "c.csv") == {"LOC": ["Rome"]}
    assert read_entries(tmp_path / "d.json", label_map={"PER": "PERSON"}) == {
        "PERSON": ["Ada Lovelace"]
    }
    assert read_entries(tmp_path / "e.json", "LOC") == {"LOC": ["Oslo"]}
    assert read_entries(tmp_path / "f.txt.gz", "LOC") == {"LOC": ["Lima"]}
    with pytest.raises(WeakforgeError, match="has no labels; pass label="):
        read_entries(tmp_path / "a.txt")


def test_longest_match_wins_and_multi_token_entries(tmp_path):
    rule = gazetteer("places", {"LOC": ["New York", "New York City", "York"]})
    assert found(rule, "I love New York City and York") == [
        ("New York City", "LOC"),
        ("York", "LOC"),
    ]


def test_case_sensitivity(tmp_path):
    strict = gazetteer("orgs", {"ORG": ["Apple"]})
    loose = gazetteer("orgs_uncased", {"ORG": ["Apple"]}, case_sensitive=False)
    assert found(strict, "an apple and Apple") == [("Apple", "ORG")]
    assert found(loose, "an apple and Apple") == [("apple", "ORG"), ("Apple", "ORG")]


def test_words_in_capitals_match_their_title_case_entry():
    rule = gazetteer("places", {"LOC": ["London", "New York"], "ORG": ["IBM"]})
    assert found(rule, "LONDON 1996-08-30 NEW YORK AT IBM") == [
        ("LONDON", "LOC"),
        ("NEW YORK", "LOC"),
        ("IBM", "ORG"),
    ]
    assert found(rule, "LONDONER and london") == []


def test_list_file_beside_the_rules_file_and_cache(tmp_path):
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "orgs.txt").write_text("Acme Holdings Inc.\n")
    rule = gazetteer("orgs", tmp_path / "lists" / "orgs.txt", label="ORG")
    assert found(rule, "Acme Holdings Inc. grew") == [("Acme Holdings Inc.", "ORG")]
    assert len(list((tmp_path / "cache" / "gazetteers").glob("*.npz"))) == 1
    again = gazetteer("orgs", tmp_path / "lists" / "orgs.txt", label="ORG")
    assert found(again, "Acme Holdings Inc. grew") == [("Acme Holdings Inc.", "ORG")]


def test_missing_list_names_the_rules_file():
    with pytest.raises(WeakforgeError, match="test_gazetteer.py: gazetteer list nope.txt"):
        gazetteer("x", "nope.txt", label="LOC")


def test_common_word_entries_can_be_dropped(tmp_path):
    from weakforge.tokenize import blank_pipeline

    companies = {"ORG": ["World", "Open", "Pirelli", "Air France", "Reuters"]}
    plain = gazetteer("plain", companies)
    filtered = gazetteer("filtered", companies, common_words=4.5)
    doc = blank_pipeline()("World leaders watched Pirelli and Air France at the Open")
    found = lambda rule: [doc.text[s.start : s.end] for s in rule.vote(doc)]  # noqa: E731
    assert found(plain) == ["World", "Pirelli", "Air France", "Open"]
    # every word of "Air France" is common too: the filter's known cost
    assert found(filtered) == ["Pirelli"]


def test_malformed_lists_are_clear_errors(tmp_path):
    import pytest

    from weakforge.errors import WeakforgeError

    (tmp_path / "letters.json").write_text('{"ORG": "Acme"}')
    with pytest.raises(WeakforgeError, match=r"letters.json: label 'ORG' holds str 'Acme'"):
        gazetteer("letters", tmp_path / "letters.json")
    (tmp_path / "numbers.json").write_text("[1, 2, null]")
    with pytest.raises(WeakforgeError, match="numbers.json: the list holds 3 entries that are not"):
        gazetteer("numbers", tmp_path / "numbers.json", label="ORG")
    with pytest.raises(WeakforgeError, match="gazetteer 'inline': label 'ORG' holds str"):
        gazetteer("inline", {"ORG": "Acme"})


def test_the_list_cache_holds_no_pickle_and_survives_corruption(tmp_path, monkeypatch):
    import numpy as np

    monkeypatch.setenv("WEAKFORGE_CACHE", str(tmp_path / "cache"))
    (tmp_path / "orgs.txt").write_text("Acme Corp\nGlobex\n")
    first = gazetteer("orgs", tmp_path / "orgs.txt", label="ORG")
    (cached,) = (tmp_path / "cache" / "gazetteers").glob("*")
    assert cached.suffix == ".npz"
    np.load(cached, allow_pickle=False)["tokens"]  # plain arrays only
    cached.write_bytes(b"\x80\x04 not an archive")  # a corrupt (or crafted) cache file
    again = gazetteer("orgs", tmp_path / "orgs.txt", label="ORG")
    from weakforge.tokenize import blank_pipeline

    doc = blank_pipeline()("Globex hired Acme Corp staff")
    assert first.vote(doc) == again.vote(doc) and len(again.vote(doc)) == 2
