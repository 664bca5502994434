"""A prompted LLM as a labeling function, beside the rule builders::

    from weakforge import llm_labeler

    llm = llm_labeler(
        "llm_spam",
        labels={"SPAM": "spam", "HAM": "ham"},        # each label and the word the model says
        instruction="Is this YouTube comment spam (ads, self-promotion) or ham?",
        model="gemma-3-270m",                          # or a model folder, a .gguf file...
        # endpoint="https://api.openai.com/v1", model="gpt-4o-mini", api_key_env="OPENAI_API_KEY"
        examples_per_label=4,                          # few-shot, drawn from dev gold only
        margin=0.1,                                    # abstain when the lead is smaller
    )

Classification scores each label's word after the prompt and calibrates the scores on
content-free inputs; NER generates the JSON entity list the causal fine-tune also answers
with. The applier hands the source a whole shard of texts at once (:meth:`LLMSource.prepare`)
so the model runs batched, and every answer is cached by (model, prompt, text): a rerun,
``lf-show`` and the workbench ask the model nothing it has answered before.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from spacy.tokens import Doc

from weakforge.errors import WeakforgeError
from weakforge.instructions import answer_of, default_instruction, parse_answer
from weakforge.labeling.rules import LabelingFunction
from weakforge.llm.cache import AnswerCache, answer_key
from weakforge.llm.calibration import calibrated, votes
from weakforge.llm.endpoint import NO_SCORE, Endpoint
from weakforge.llm.prompt import CONTENT_FREE, Prompt, label_words_for
from weakforge.progress import progress_bar
from weakforge.records import Example, Label, Span, label_from_json, label_to_json

log = logging.getLogger(__name__)
POOL_PER_LABEL = 20  # dev gold examples per label handed to the sources to draw shots from


@dataclass
class LLMStats:
    """What a source cost: texts the model was asked about, texts answered from the cache,
    tokens the model ran (prompt and answer), and the few-shot examples' dev ids."""

    calls: int = 0
    cached: int = 0
    tokens: int = 0
    examples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "calls": self.calls,
            "cached": self.cached,
            "tokens": self.tokens,
            "examples": self.examples,
        }


class LLMSource:
    """The state behind an LLM labeling function: its prompt, its model (loaded on first
    use, so discovering the rules costs nothing), its answers to the texts prepared."""

    def __init__(
        self,
        name: str,
        spans: bool,
        labels: Mapping[str, str],
        instruction: str,
        *,
        model: str,
        endpoint: str,
        api_key_env: str,
        examples_per_label: int,
        margin: float,
        calibrate: bool,
        batch_size: int,
        timeout: float,
        retries: int,
    ) -> None:
        self.name, self.spans = name, spans
        self.words = dict(labels)
        self.instruction = instruction or default_instruction(
            "ner" if spans else "classification", list(self.words.values())
        )
        self.model_name, self.endpoint = model, endpoint
        self.api_key_env, self.timeout, self.retries = api_key_env, timeout, retries
        self.examples_per_label, self.margin = examples_per_label, margin
        self.calibrate, self.batch_size = calibrate, batch_size
        self.prompt = Prompt(self.instruction, self.words)
        self.answers: dict[str, Label] = {}
        self.stats = LLMStats()
        self._backend: Any = None
        self._cache: AnswerCache | None = None
        self._content_free: np.ndarray | None = None

    # --- few-shot examples ---------------------------------------------------------------

    def use_examples(self, pool: Sequence[tuple[str, str, str]]) -> None:
        """Take up to ``examples_per_label`` shots per label from ``pool`` (id, text, JSON
        gold label) of dev records, in the pool's order; the prompt changes with them."""
        shots, taken, ids = [], {label: 0 for label in self.words}, []
        for record_id, text, gold in pool:
            label = label_from_json(json.loads(gold))
            kinds = {s.label for s in label} if isinstance(label, tuple) else {label}
            if not kinds or not kinds <= set(self.words):
                continue
            if any(taken[k] >= self.examples_per_label for k in kinds):
                continue
            for k in kinds:
                taken[k] += 1
            ids.append(record_id)
            shots.append((text, self.answer_text(text, label)))
        self.prompt = Prompt(self.instruction, self.words, tuple(shots))
        self.stats.examples = ids
        self.answers.clear()
        self._content_free = None

    def answer_text(self, text: str, label: Label) -> str:
        if isinstance(label, str):
            return self.words[label]
        renamed = tuple(Span(s.start, s.end, self.words[s.label]) for s in label or ())
        return answer_of(text, renamed)

    # --- the model -----------------------------------------------------------------------

    @property
    def backend(self) -> Any:
        if self._backend is None:
            if self.endpoint:
                self._backend = Endpoint(
                    self.endpoint,
                    self.model_name,
                    api_key_env=self.api_key_env,
                    timeout=self.timeout,
                    retries=self.retries,
                )
            else:
                from weakforge.llm.local import LocalLM

                self._backend = LocalLM(self.model_name, batch_size=self.batch_size)
        return self._backend

    @property
    def cache(self) -> AnswerCache:
        if self._cache is None:
            self._cache = AnswerCache()
        return self._cache

    def raw_answers(self, texts: Sequence[str]) -> list[Any]:
        """Per text: label scores (classification) or the answer text (NER), from the cache
        or from the model (batched; what the model answers is cached at once)."""
        prompt = self.prompt.fingerprint() + ("|ner" if self.spans else "|class")  # once
        keys = [answer_key(self.backend.identity, prompt, t) for t in texts]
        found = self.cache.get_many(keys)
        missing = [i for i, k in enumerate(keys) if k not in found]
        self.stats.cached += len(texts) - len(missing)
        before = self.backend.tokens
        step = max(1, self.batch_size) * 4
        with progress_bar(f"LLM source {self.name}", len(missing)) as advance:
            for at in range(0, len(missing), step):
                chunk = missing[at : at + step]
                answers = self.ask([texts[i] for i in chunk])
                self.cache.put_many((keys[i], a) for i, a in zip(chunk, answers))
                found.update((keys[i], a) for i, a in zip(chunk, answers))
                advance(len(chunk))
        self.stats.calls += len(missing)
        self.stats.tokens += self.backend.tokens - before
        return [found[k] for k in keys]

    def ask(self, texts: Sequence[str]) -> list[Any]:
        words = list(self.words.values())
        if self.endpoint:
            messages = [self.prompt.messages(t) for t in texts]
            if self.spans:
                return self.backend.answers(messages)
            return self.backend.label_scores(messages, words).tolist()
        if self.spans:
            prefix = self.prompt.prefix()
            return self.backend.generate([prefix + Prompt.item(t) for t in texts])
        items = [Prompt.item(t) for t in texts]
        return self.backend.label_scores(self.prompt.prefix(), items, words).tolist()

    # --- votes ---------------------------------------------------------------------------

    def prepare(self, texts: Sequence[str]) -> None:
        """Answer every text not answered yet, in batches (the applier calls this per
        shard before asking for votes one document at a time)."""
        todo = list(dict.fromkeys(t for t in texts if t not in self.answers))
        if not todo:
            return
        raw = self.raw_answers(todo)
        if self.spans:
            for text, answer in zip(todo, raw):
                self.answers[text] = self.spans_of(text, str(answer))
            return
        self.answers.update(zip(todo, self.class_votes(raw, self.calibrate)))

    def class_votes(self, raw: Sequence[Any], calibrate: bool) -> list[str | None]:
        """Votes from raw label scores: calibrated (or not), abstaining below the margin
        and where the model named no label."""
        labels = list(self.words)
        scores = np.array(raw, dtype=np.float64).reshape(len(raw), len(labels))
        probs = calibrated(scores, self.content_free() if calibrate else None)
        chosen = votes(probs, labels, self.margin)
        answered = scores.max(axis=1) > NO_SCORE / 2  # the model named no label: abstain
        return [label if ok else None for label, ok in zip(chosen, answered)]

    def content_free(self) -> np.ndarray | None:
        """The label scores of content-free inputs (cached like any text); None where the
        model named no label for them (then nothing is divided out)."""
        if self._content_free is None:
            scores = np.array(self.raw_answers(list(CONTENT_FREE)), dtype=np.float64)
            self._content_free = scores[scores.max(axis=1) > NO_SCORE / 2]
        return self._content_free if len(self._content_free) else None

    def spans_of(self, text: str, answer: str) -> tuple[Span, ...]:
        """The entities of a generated JSON answer, back under their labels; an answer that
        does not parse is an abstention (counted in the log at debug level)."""
        by_word = {w: label for label, w in self.words.items()}
        parsed = parse_answer(Example(id="", text=text), answer, "ner", list(by_word))
        if parsed.label is None:
            log.debug("LLM source %s: unreadable answer (%s)", self.name, parsed.problem)
            return ()
        return tuple(Span(s.start, s.end, by_word[s.label]) for s in parsed.label)

    def vote(self, doc: Doc) -> Any:
        if doc.text not in self.answers:
            self.prepare([doc.text])
        answer = self.answers[doc.text]
        if not self.spans:
            return answer
        found = []
        for span in answer or ():
            chosen = doc.char_span(span.start, span.end, span.label, alignment_mode="expand")
            if chosen is not None:
                found.append(chosen)
        return found


def llm_labeler(
    name: str,
    labels: Sequence[str] | Mapping[str, str],
    instruction: str = "",
    *,
    task: str = "classification",
    model: str = "gemma-3-270m",
    endpoint: str = "",
    api_key_env: str = "",
    examples_per_label: int = 4,
    margin: float = 0.0,
    calibrate: bool = True,
    batch_size: int = 0,
    timeout: float = 60.0,
    retries: int = 3,
) -> LabelingFunction:
    """A labeling function that asks an LLM. ``labels``: the labels it may vote, as a list
    or as ``{label: word the model answers with}``; ``model``: a local causal model (a
    folder, a ``.gguf`` file, ``"gemma-3-270m"``), or with ``endpoint`` the model name on an
    OpenAI-compatible server (``api_key_env``: the environment variable holding the key);
    ``examples_per_label``: few-shot examples drawn from the dev split's gold (never test; 0
    for none); ``margin``: abstain when the calibrated top label leads by less;
    ``task="ner"`` for entity spans."""
    if task not in ("classification", "ner"):
        raise WeakforgeError(f"llm_labeler task={task!r}: use 'classification' or 'ner'")
    words = label_words_for(labels)
    if not words:
        raise WeakforgeError(f"llm_labeler {name!r} needs labels")
    if not 0 <= margin < 1:
        raise WeakforgeError(f"llm_labeler {name!r}: margin={margin} must be in [0, 1)")
    spans = task == "ner"
    source = LLMSource(
        name,
        spans,
        words,
        instruction,
        model=model,
        endpoint=endpoint,
        api_key_env=api_key_env,
        examples_per_label=examples_per_label,
        margin=margin,
        calibrate=calibrate,
        batch_size=batch_size,
        timeout=timeout,
        retries=retries,
    )
    return LabelingFunction(
        name,
        "span" if spans else "doc",
        source.vote,
        tuple(words),
        inspect.stack()[1].filename,
        source=source,
    )


def few_shot_pool(examples: Sequence[Example]) -> tuple[tuple[str, str, str], ...]:
    """What LLM sources draw their few-shot examples from: dev records with gold (never
    train or test), up to POOL_PER_LABEL per label, in an order fixed by a hash of the id
    (not the file's order, which often groups a class)."""
    dev = [e for e in examples if e.split == "dev" and e.gold is not None]
    dev.sort(key=lambda e: hashlib.sha256(e.id.encode()).hexdigest())
    pool, per_label = [], {}
    for example in dev:
        gold = example.gold
        kinds = {s.label for s in gold} if isinstance(gold, tuple) else {gold}
        if kinds and all(per_label.get(k, 0) >= POOL_PER_LABEL for k in kinds):
            continue
        for k in kinds:
            per_label[k] = per_label.get(k, 0) + 1
        pool.append((example.id, example.text, json.dumps(label_to_json(gold))))
    return tuple(pool)
