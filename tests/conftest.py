"""Shared fixtures: small inline corpora (no test depends on ../shared data)."""

from __future__ import annotations

import json
import os

import pytest

from weakforge.records import Example, Span
from weakforge.testing import create_database, postgres_binaries, throwaway_postgres

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture
def ner_examples() -> list[Example]:
    text1 = "Angela Merkel met Apple Inc. executives in Berlin on Monday."
    text2 = "The Bundesliga season starts in August , said Hans Meyer ."
    return [
        Example(
            id="n1",
            text=text1,
            split="train",
            gold=(Span(0, 13, "PER"), Span(18, 28, "ORG"), Span(43, 49, "LOC")),
            votes={"caps": (Span(0, 13, "PER"),), "gaz": None},
            meta={"source": "inline"},
        ),
        Example(id="n2", text=text2, split="dev", gold=(Span(4, 14, "MISC"), Span(46, 56, "PER"))),
        Example(id="n3", text="Nothing to see here.", split="test", gold=()),
    ]


@pytest.fixture
def clf_examples() -> list[Example]:
    return [
        Example(
            id="c1",
            text="Check out my channel for free gifts!!!",
            gold="SPAM",
            votes={"LF000": "SPAM", "LF001": None},
            label="SPAM",
            probs={"HAM": 0.1, "SPAM": 0.9},
        ),
        Example(id="c2", text="This song reminds me of summer 2012", gold="HAM", split="dev"),
        Example(
            id="c3",
            text='Text with "quotes", commas, and\na newline',
            split="test",
            label="HAM",
            probs={"HAM": 0.7, "SPAM": 0.3},
        ),
    ]


WORDS = (
    "the a and of to in is it this that song video love great check out my channel free "
    "win money click subscribe http www com paris berlin london angela merkel met "
    "officials from apple in on monday said hello world good bad text number"
).split()


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory):
    """A 2-layer random BERT with a small WordPiece vocabulary: a stand-in for MiniLM that
    loads in milliseconds (as a sentence-transformer, with mean pooling)."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-bert")
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    vocab = [
        "[PAD]",
        "[UNK]",
        "[CLS]",
        "[SEP]",
        "[MASK]",
        *".,!?'\"-:;/()$@#",
        *WORDS,
        *letters,
        *(f"##{c}" for c in letters),
    ]
    (folder / "vocab.txt").write_text("\n".join(dict.fromkeys(vocab)) + "\n")
    BertTokenizerFast(vocab=str(folder / "vocab.txt"), do_lower_case=True).save_pretrained(folder)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(dict.fromkeys(vocab)),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(folder)
    return str(folder)


KEYWORD_RULES = """
from weakforge import keyword_rule
free = keyword_rule("free", ["free", "channel"], "SPAM")
song = keyword_rule("song", ["song", "love"], "HAM")
"""


@pytest.fixture
def keyword_corpus(tmp_path):
    """Writes ``c.jsonl`` (``count`` SPAM-like and ``count`` HAM-like texts, numbered ``i``
    or ``i % cycle``, then the labeled rows ``gold``) and ``rules.py`` (two keyword rules)
    into ``tmp_path``."""

    def write(count: int, gold: list[dict], cycle: int | None = None) -> None:
        number = (lambda i: i % cycle) if cycle else (lambda i: i)
        rows = [
            {"id": f"s{i}", "text": f"check out my channel free {number(i)}"} for i in range(count)
        ]
        rows += [{"id": f"h{i}", "text": f"great song love it {number(i)}"} for i in range(count)]
        rows += gold
        (tmp_path / "c.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
        (tmp_path / "rules.py").write_text(KEYWORD_RULES)

    return write


@pytest.fixture(scope="session")
def tiny_causal_dir(tiny_model_dir, tmp_path_factory):
    """A 2-layer random Llama-style causal LM on the tiny WordPiece vocabulary."""
    from weakforge.testing import scratch_causal_model

    return str(scratch_causal_model(tmp_path_factory.mktemp("tiny-llama"), tiny_model_dir))


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server for the session. Skipped where PostgreSQL is not
    installed, except under CI, which installs it (`make test`) and so must run these tests."""
    binaries = postgres_binaries()
    if binaries is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; `make test` installs it (apt postgresql)")
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    with throwaway_postgres(binaries) as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty database on the test server, as a URL."""
    return create_database(postgres_server)


@pytest.fixture(params=["sqlite", "postgresql"])
def review_db(request, tmp_path):
    """A review database location on each supported backend: a SQLite file, or a URL on
    the test PostgreSQL server."""
    if request.param == "sqlite":
        return tmp_path / "review.sqlite"
    return request.getfixturevalue("postgres_url")
