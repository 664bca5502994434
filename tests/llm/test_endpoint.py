"""The OpenAI-compatible backend against a real server on loopback: `transformers serve`
(shipped with transformers) serving a tiny model taught to answer "spam" to anything. The
API key comes from the environment and is never logged or cached; a server that does not
answer is named after the retries."""

import json
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
import torch

from weakforge.errors import WeakforgeError
from weakforge.labeling.llm import llm_labeler
from weakforge.llm.endpoint import NO_SCORE, Endpoint, scores_from_answer
from weakforge.models import default_encoder_path
from weakforge.testing import free_port, scratch_causal_model

CHAT = (
    "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}"
    "{% if add_generation_prompt %}assistant:{% endif %}"
)
SECRET = "sk-test-0123456789-never-logged"


def spam_sayer(folder: Path) -> Path:
    """A tiny causal LM taught (60 steps) to answer "spam" after any chat prompt."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    scratch_causal_model(folder, str(default_encoder_path()))
    tokenizer = AutoTokenizer.from_pretrained(folder)
    tokenizer.chat_template = CHAT
    model = AutoModelForCausalLM.from_pretrained(folder)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    texts = ["free money", "nice song", "", "N/A", "check my channel", "hello there"]
    torch.manual_seed(0)
    for step in range(60):
        text = texts[step % len(texts)]
        prompt = tokenizer.apply_chat_template(
            [{"role": "user", "content": text}], tokenize=False, add_generation_prompt=True
        )
        prompt_ids = tokenizer(prompt, add_special_tokens=False).input_ids
        answer_ids = tokenizer(" spam", add_special_tokens=False).input_ids + [
            tokenizer.sep_token_id
        ]
        ids = torch.tensor([prompt_ids + answer_ids])
        labels = torch.tensor([[-100] * len(prompt_ids) + answer_ids])
        loss = model(input_ids=ids, labels=labels).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    config = json.loads((folder / "tokenizer_config.json").read_text())
    config["model_input_names"] = ["input_ids", "attention_mask"]  # no token_type_ids
    (folder / "tokenizer_config.json").write_text(json.dumps(config))
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    cli = shutil.which("transformers", path=str(Path(sys.executable).parent))
    pytest.importorskip("fastapi")
    if cli is None:
        pytest.skip("the transformers CLI is not installed")
    folder = spam_sayer(tmp_path_factory.mktemp("spam-sayer"))
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "serve.log"
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    with log.open("w") as out:
        process = subprocess.Popen(
            [cli, "serve", str(folder), "--host", "127.0.0.1", "--port", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )
    try:
        deadline = time.time() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.time() > deadline or process.poll() is not None:
                raise RuntimeError(f"transformers serve did not start: {log.read_text()[-2000:]}")
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/v1", str(folder)
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_votes_come_from_the_server_and_a_rerun_from_the_cache(
    server, tmp_path, monkeypatch, caplog
):
    base_url, model = server
    monkeypatch.setenv("WEAKFORGE_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("WEAKFORGE_TEST_KEY", SECRET)
    caplog.set_level(logging.DEBUG)
    texts = ["win a free phone", "lovely tune", "subscribe to me"]

    def source():
        rule = llm_labeler(
            "llm",
            {"SPAM": "spam", "HAM": "ham"},
            model=model,
            endpoint=base_url,
            api_key_env="WEAKFORGE_TEST_KEY",
            examples_per_label=0,
        )
        return rule.source

    first = source()
    first.prepare(texts)
    assert [first.answers[t] for t in texts] == ["SPAM", "SPAM", "SPAM"]
    # three texts and the three content-free inputs calibration divides by
    assert first.stats.calls == 6 and first.stats.tokens > 0
    again = source()  # a rerun: a new process would build it anew
    again.prepare(texts)
    assert again.stats.calls == 0 and again.stats.cached == 6
    assert [again.answers[t] for t in texts] == ["SPAM", "SPAM", "SPAM"]
    assert SECRET not in caplog.text
    for file in (tmp_path / "cache").rglob("*"):
        if file.is_file():
            assert SECRET.encode() not in file.read_bytes()


def test_a_server_that_does_not_answer_is_named_and_a_missing_key_too(monkeypatch):
    monkeypatch.delenv("WEAKFORGE_NO_SUCH_KEY", raising=False)
    with pytest.raises(WeakforgeError, match="WEAKFORGE_NO_SUCH_KEY is not set"):
        Endpoint("http://127.0.0.1:9/v1", "m", api_key_env="WEAKFORGE_NO_SUCH_KEY")
    closed = Endpoint(f"http://127.0.0.1:{free_port()}/v1", "m", retries=1, timeout=2)
    with pytest.raises(WeakforgeError, match=r"127\.0\.0\.1.*chat/completions failed"):
        closed.chat([{"role": "user", "content": "hi"}])


def test_log_probabilities_score_each_label_word_where_the_server_returns_them():
    answer = {
        "choices": [
            {
                "message": {"content": "spam"},
                "logprobs": {
                    "content": [
                        {
                            "token": "sp",
                            "top_logprobs": [
                                {"token": "sp", "logprob": -0.2},
                                {"token": " ham", "logprob": -1.9},
                                {"token": "S", "logprob": -3.0},
                            ],
                        }
                    ]
                },
            }
        ]
    }
    assert scores_from_answer(answer, ["spam", "ham"]) == [-0.2, -1.9]
    assert scores_from_answer(answer, ["spam", "other"]) == [-0.2, NO_SCORE]
    plain = {"choices": [{"message": {"content": "Ham."}}]}
    assert scores_from_answer(plain, ["spam", "ham"]) == [NO_SCORE, 0.0]
