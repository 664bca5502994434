"""Any OpenAI-compatible server as the labeler's model (OpenAI, vLLM, llama.cpp's server,
Ollama, ``transformers serve``...): chat completions at ``{base_url}/chat/completions``.

Classification asks for one short answer at temperature 0 with the top log-probabilities of
its first token; where the server returns them, each label word gets the log-probability of
the best-scoring token that begins it (so calibration works as it does locally); where it
does not, the answer's text picks one label (or none: an abstention). The API key is read
from an environment variable and sent only in the request header; it is never logged."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Mapping, Sequence
from typing import Any

import httpx
import numpy as np

from weakforge.errors import WeakforgeError

log = logging.getLogger(__name__)
NO_SCORE = -1e4  # a label word the server gave no log-probability for
RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}


class Endpoint:
    """A chat-completions client with timeouts and retries; ``tokens`` counts what the
    server reports using."""

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key_env: str = "",
        timeout: float = 60.0,
        retries: int = 3,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.identity = f"{base_url.rstrip('/')}|{model}"
        headers = {"content-type": "application/json"}
        if api_key_env:
            key = os.environ.get(api_key_env)
            if not key:
                raise WeakforgeError(
                    f"the LLM endpoint's API key variable {api_key_env} is not set; export it "
                    "(the key is read from the environment only, never from a file)"
                )
            headers["authorization"] = f"Bearer {key}"
        self.client = httpx.Client(headers=headers, timeout=timeout)
        self.retries = retries
        self.tokens = 0

    def chat(self, messages: Sequence[Mapping[str, str]], **options: Any) -> dict[str, Any]:
        """One completion (the response's JSON), retried with back-off on a timeout, a lost
        connection or a busy server; an error naming the server and the status otherwise."""
        body = {"model": self.model, "messages": list(messages), "temperature": 0, **options}
        for attempt in range(self.retries + 1):
            try:
                response = self.client.post(self.url, json=body)
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
            else:
                if response.status_code == 200:
                    answer = response.json()
                    self.tokens += int((answer.get("usage") or {}).get("total_tokens") or 0)
                    return answer
                problem = f"HTTP {response.status_code}: {response.text[:200]}"
                if response.status_code not in RETRY_STATUS:
                    break
            if attempt < self.retries:
                time.sleep(min(2**attempt, 30))
        raise WeakforgeError(
            f"the LLM endpoint {self.url} failed ({problem}); check base_url, the model name "
            "and the server's log"
        )

    def label_scores(
        self, messages_per_text: Sequence[Sequence[Mapping[str, str]]], words: Sequence[str]
    ) -> np.ndarray:
        """Log-scores (texts x words): from the first answer token's top log-probabilities
        where the server gives them, else 0 for the label the answer names, NO_SCORE for the
        others (every label NO_SCORE when it names none)."""
        rows = []
        for messages in messages_per_text:
            answer = self.chat(messages, max_tokens=8, logprobs=True, top_logprobs=20)
            rows.append(scores_from_answer(answer, words))
        return np.array(rows, dtype=np.float64).reshape(len(rows), len(words))

    def answers(self, messages_per_text: Sequence[Sequence[Mapping[str, str]]]) -> list[str]:
        """Generated answers (NER's JSON), one request per text."""
        return [message_text(self.chat(messages, max_tokens=512)) for messages in messages_per_text]


def message_text(answer: Mapping[str, Any]) -> str:
    choices = answer.get("choices") or [{}]
    return str((choices[0].get("message") or {}).get("content") or "").strip()


def scores_from_answer(answer: Mapping[str, Any], words: Sequence[str]) -> list[float]:
    choice = (answer.get("choices") or [{}])[0]
    content = ((choice.get("logprobs") or {}).get("content")) or []
    wanted = [w.strip().casefold() for w in words]
    if content and content[0].get("top_logprobs"):
        best = [NO_SCORE] * len(words)
        for option in content[0]["top_logprobs"]:
            piece = str(option.get("token", "")).strip().casefold()
            if not piece:
                continue
            for k, word in enumerate(wanted):
                if word.startswith(piece) and option.get("logprob", NO_SCORE) > best[k]:
                    best[k] = float(option["logprob"])
        return best
    said = message_text(answer).casefold()
    named = [k for k, w in enumerate(wanted) if said.startswith(w) or said == w]
    return [0.0 if named and k == named[0] else NO_SCORE for k in range(len(words))]
