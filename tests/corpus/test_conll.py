from weakforge.corpus import ReadOptions, WriteOptions, read_corpus, write_corpus
from weakforge.corpus.conll import decode_tags, encode_tags
from weakforge.records import Span

IOB1 = """-DOCSTART- -X- O O

EU NNP I-NP I-ORG
rejects VBZ I-VP O
German JJ I-NP I-MISC
call NN I-NP O
. . O O

Peter NNP I-NP I-PER
Blackburn NNP I-NP I-PER
Paul NNP I-NP B-PER
Smith NNP I-NP I-PER

-DOCSTART- -X- O O

BRUSSELS NNP I-NP I-LOC
1996-08-22 CD I-NP O

"""


def test_decode_iob1_and_bio_agree():
    iob1 = ["I-PER", "I-PER", "B-PER", "O", "I-LOC"]
    bio = ["B-PER", "I-PER", "B-PER", "O", "B-LOC"]
    expected = [(0, 2, "PER"), (2, 3, "PER"), (4, 5, "LOC")]
    assert decode_tags(iob1) == expected == decode_tags(bio)
    assert encode_tags(5, expected, "iob1") == iob1
    assert encode_tags(5, expected, "bio") == bio


def test_iob1_four_columns_round_trip_byte_exact(tmp_path):
    source = tmp_path / "eng.testa"
    source.write_text(IOB1)
    examples = read_corpus(source, "conll").examples
    assert [e.text for e in examples] == [
        "EU rejects German call .",
        "Peter Blackburn Paul Smith",
        "BRUSSELS 1996-08-22",
    ]
    first = examples[0]
    assert [first.text[s.start : s.end] for s in first.gold] == ["EU", "German"]
    assert [s.label for s in examples[1].gold] == ["PER", "PER"]
    assert examples[0].meta["doc"] == examples[1].meta["doc"] != examples[2].meta["doc"]
    assert [e.id for e in examples] == ["eng.testa-1", "eng.testa-2", "eng.testa-3"]
    out = tmp_path / "out.conll"
    write_corpus(examples, out, "conll", WriteOptions(scheme="iob1"))
    assert out.read_text() == IOB1
    assert [e.gold for e in read_corpus(out, "conll").examples] == [e.gold for e in examples]


def test_bio_two_columns(tmp_path):
    path = tmp_path / "x.bio"
    path.write_text("New B-LOC\nYork I-LOC\nis O\nbig O\n\nAcme B-ORG\nCorp I-ORG\n")
    examples = read_corpus(path).examples
    assert examples[0].gold == (Span(0, 8, "LOC"),)
    assert examples[1].gold == (Span(0, 9, "ORG"),)
    out = tmp_path / "y.bio"
    write_corpus(examples, out, "conll", WriteOptions(scheme="bio"))
    assert out.read_text() == path.read_text() + "\n"


def test_free_text_is_tokenized_and_spans_stay_on_token_edges(tmp_path, ner_examples):
    out = tmp_path / "free.conll"
    write_corpus(ner_examples, out, "conll")
    back = read_corpus(out, "conll", ReadOptions()).examples
    for original, copy in zip(ner_examples, back):
        assert [original.text[s.start : s.end] for s in original.gold] == [
            copy.text[s.start : s.end] for s in copy.gold
        ]
        assert [s.label for s in original.gold] == [s.label for s in copy.gold]
    assert back[0].text.split(" ")[-3:] == ["on", "Monday", "."]  # spaCy split off the period


def test_sentences_without_docstart_are_documents_of_their_own(tmp_path):
    """A sentence-level file (no -DOCSTART-) must not become one huge document: the
    document-level aggregation would then mix every sentence of the corpus."""
    source = tmp_path / "tweets.conll"
    source.write_text("Anna B-PER\nsang O\n\nin O\nParis B-LOC\n\n")
    examples = read_corpus(source, "conll").examples
    assert len(examples) == 2 and all("doc" not in e.meta for e in examples)
    from weakforge.aggregate.documents import group_documents

    assert [len(g) for g in group_documents(examples, "doc")] == [1, 1]


def test_scheme_bio_is_checked_and_auto_reads_both(tmp_path):
    import pytest

    from weakforge.errors import CorpusError

    source = tmp_path / "iob1.conll"
    source.write_text("EU I-ORG\nrejects O\nGerman I-MISC\n\n")
    assert len(read_corpus(source, "conll").examples[0].gold) == 2  # auto: IOB1 is fine
    with pytest.raises(CorpusError, match="line 1: tag 'I-ORG' follows 'O'; in BIO"):
        read_corpus(source, "conll", ReadOptions(scheme="bio"))
    good = tmp_path / "bio.conll"
    good.write_text("New B-LOC\nYork I-LOC\n\n")
    assert read_corpus(good, "conll", ReadOptions(scheme="bio")).examples[0].gold[0].end == 8


def test_errors_do_not_echo_the_file_s_lines(tmp_path):
    import pytest

    from weakforge.errors import CorpusError

    secret = tmp_path / "notes.conll"
    secret.write_text("root:supersecretpassword\n")
    with pytest.raises(
        CorpusError, match="line 1: expected 'token ... tag' columns, got 1"
    ) as info:
        read_corpus(secret, "conll")
    assert "supersecret" not in str(info.value)


def test_a_no_break_space_stays_inside_its_token(tmp_path):
    """Issue 37, case 7: "10\u00a0000" lost its second half (str.split splits on NBSP)."""
    from weakforge.corpus import read_corpus

    path = tmp_path / "nbsp.conll"
    path.write_text("Paid B-MISC\n10\u00a0000 O\neuros O\n\n", encoding="utf-8")
    (example,) = read_corpus(path, "conll").examples
    assert example.text == "Paid 10\u00a0000 euros"
