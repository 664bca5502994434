"""Shared fixtures: small inline corpora (no test depends on ../shared data)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest

from weakforge.records import Example, Span

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
    BertTokenizerFast(vocab_file=str(folder / "vocab.txt"), do_lower_case=True).save_pretrained(
        folder
    )
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


def postgres_bin() -> Path | None:
    """The folder holding PostgreSQL's initdb / pg_ctl (Debian keeps them off PATH)."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return versions[-1].parent if versions else None


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL server on a free loopback port (trust auth, data in a temp
    folder), stopped after the session. Skipped where PostgreSQL is not installed, except
    under CI, which installs it (`make test`) and so must run these tests."""
    binaries = postgres_bin()
    if binaries is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed; `make test` installs it (apt postgresql)")
        pytest.skip("PostgreSQL is not installed (Debian: apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="weakforge-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root: use the postgres account
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data = folder / "data"
    subprocess.run(
        [*as_user, str(binaries / "initdb"), "-D", str(data), "-U", "weakforge", "-A", "trust"],
        check=True,
        capture_output=True,
    )
    options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
    pg_ctl = [*as_user, str(binaries / "pg_ctl"), "-D", str(data)]
    subprocess.run(
        [*pg_ctl, "-o", options, "-l", str(folder / "server.log"), "-w", "start"],
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql://weakforge@127.0.0.1:{port}"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)

        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty database on the test server, as a URL."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect(f"{postgres_server}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return f"{postgres_server}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def review_db(request, tmp_path):
    """A review database location on each supported backend: a SQLite file, or a URL on
    the test PostgreSQL server."""
    if request.param == "sqlite":
        return tmp_path / "review.sqlite"
    return request.getfixturevalue("postgres_url")
