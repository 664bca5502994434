"""Helpers for testing and benchmarking weakforge against real services.

:func:`throwaway_postgres` starts a private PostgreSQL server (Debian's ``postgresql``
package) for the review database's server mode: trust auth on a free loopback port, data
in a temporary folder, removed on exit.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from weakforge.records import Example


def postgres_binaries() -> Path | None:
    """The folder holding PostgreSQL's initdb / pg_ctl (Debian keeps them off PATH)."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return versions[-1].parent if versions else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def throwaway_postgres(binaries: Path) -> Iterator[str]:
    """Run a fresh server; yields its URL without a database name (``.../NAME`` to use
    one, see :func:`create_database`)."""
    folder = Path(tempfile.mkdtemp(prefix="weakforge-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root: use the postgres account
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = folder / "data"
    pg_ctl = [*as_user, str(binaries / "pg_ctl"), "-D", str(data)]
    try:
        subprocess.run(
            [*as_user, str(binaries / "initdb"), "-D", str(data), "-U", "weakforge", "-A", "trust"],
            check=True,
            capture_output=True,
        )
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
        subprocess.run(
            [*pg_ctl, "-o", options, "-l", str(folder / "server.log"), "-w", "start"],
            check=True,
            capture_output=True,
        )
        yield f"postgresql://weakforge@127.0.0.1:{port}"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def create_database(server: str) -> str:
    """A new, empty database on ``server``; its URL."""
    import psycopg

    name = "wf_" + uuid.uuid4().hex[:12]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


@contextmanager
def review_page_server(folder: Path, seconds: float = 90) -> Iterator[int]:
    """The review page served for a run folder on a free loopback port (yielded once it
    answers); the server stops when the block ends, whatever happened in it."""
    import time
    import urllib.request

    from weakforge.review.pages.server import server_command

    port = free_port()
    server = subprocess.Popen(
        server_command(folder, "127.0.0.1", port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + seconds
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/_stcore/health", timeout=2
                ) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.time() > deadline:
                    raise TimeoutError(f"the page did not answer in {seconds} s") from None
                time.sleep(0.3)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)


def scratch_causal_model(
    folder: Path,
    tokenizer_source: str,
    *,
    hidden: int = 32,
    layers: int = 2,
    heads: int = 2,
    seed: int = 0,
) -> Path:
    """A randomly initialised Llama-style causal LM saved in ``folder`` with the tokenizer
    of ``tokenizer_source`` (a local folder): a base model built from a config, no download.
    Tests use a tiny one; ``bench/train_causal.py`` a few-million-parameter one."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(tokenizer_source)
    if tokenizer.eos_token is None:  # a BERT-style tokenizer: its [SEP] ends an answer
        tokenizer.eos_token = tokenizer.sep_token
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=hidden * 2,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        num_key_value_heads=heads,
        max_position_embeddings=512,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.convert_tokens_to_ids(tokenizer.eos_token),
        tie_word_embeddings=True,
    )
    LlamaForCausalLM(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return Path(folder)


def spam_ham(n: int = 20) -> list[Example]:
    """``n`` spam-like and ``n`` ham-like weakly labeled train texts, numbered, with the
    label model's probabilities (spam 0.8, ham 0.9): a corpus a tiny model learns."""
    spam = [
        Example(
            id=f"s{i}",
            text=f"check out my channel free {i}",
            label="SPAM",
            probs={"HAM": 0.2, "SPAM": 0.8},
        )
        for i in range(n)
    ]
    ham = [
        Example(
            id=f"h{i}", text=f"great song love it {i}", label="HAM", probs={"HAM": 0.9, "SPAM": 0.1}
        )
        for i in range(n)
    ]
    return spam + ham


def tiny_gguf(path: Path, *, hidden: int = 16, layers: int = 2, seed: int = 0) -> Path:
    """A tiny random Llama written as GGUF by the ``gguf`` package (a byte-level
    SentencePiece vocabulary of 267 tokens), for tests of GGUF loading without the 253 MB
    model."""
    import gguf
    import numpy as np

    rng = np.random.default_rng(seed)
    words = ["▁spam", "▁ham", "▁the", "▁a", "▁text", "▁answer", ":", "▁"]
    tokens = ["<unk>", "<s>", "</s>", *(f"<0x{i:02X}>" for i in range(256)), *words]
    kinds = [gguf.TokenType.UNKNOWN, gguf.TokenType.CONTROL, gguf.TokenType.CONTROL]
    kinds += [gguf.TokenType.BYTE] * 256 + [gguf.TokenType.NORMAL] * len(words)
    writer = gguf.GGUFWriter(str(path), "llama")
    writer.add_context_length(128)
    writer.add_embedding_length(hidden)
    writer.add_block_count(layers)
    writer.add_feed_forward_length(hidden * 2)
    writer.add_head_count(2)
    writer.add_head_count_kv(2)
    writer.add_rope_dimension_count(hidden // 2)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_rope_freq_base(10000.0)
    writer.add_vocab_size(len(tokens))
    writer.add_tokenizer_model("llama")
    writer.add_token_list(tokens)
    writer.add_token_scores([0.0] * len(tokens))
    writer.add_token_types(kinds)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_unk_token_id(0)

    def weights(*shape: int):
        return rng.normal(0, 0.02, shape).astype(np.float32)

    writer.add_tensor("token_embd.weight", weights(len(tokens), hidden))
    for block in range(layers):
        writer.add_tensor(f"blk.{block}.attn_norm.weight", np.ones(hidden, np.float32))
        for name in ("attn_q", "attn_k", "attn_v", "attn_output"):
            writer.add_tensor(f"blk.{block}.{name}.weight", weights(hidden, hidden))
        writer.add_tensor(f"blk.{block}.ffn_norm.weight", np.ones(hidden, np.float32))
        writer.add_tensor(f"blk.{block}.ffn_gate.weight", weights(hidden * 2, hidden))
        writer.add_tensor(f"blk.{block}.ffn_up.weight", weights(hidden * 2, hidden))
        writer.add_tensor(f"blk.{block}.ffn_down.weight", weights(hidden, hidden * 2))
    writer.add_tensor("output_norm.weight", np.ones(hidden, np.float32))
    writer.add_tensor("output.weight", weights(len(tokens), hidden))
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    return path
