"""Label-preserving augmentation with nlpaug (the only module that imports it).

Augmenters: ``synonym`` (WordNet, offline, POS tags from spaCy instead of NLTK's tagger),
``swap`` and ``delete`` (random word edits), ``keyboard`` and ``ocr`` (character noise), and
for NER ``mention`` (an entity replaced by another entry of the same type). A policy, as in
Snorkel, makes ``copies`` copies per item, each by ``sequence`` augmenters drawn at random.

NER is span-safe: text is cut into entity and non-entity segments; edits touch non-entity
segments only (each augmented on its own, so nothing moves across an entity), entities are
kept or swapped whole, and every span is recomputed from the segment lengths.
nlpaug's contextual (BERT) augmenter is not offered: it fails on transformers 5.x.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np

from weakforge.errors import WeakforgeError
from weakforge.labels import given_label
from weakforge.models import DEFAULT_SPACY_MODEL
from weakforge.records import Example, Span
from weakforge.tasks import task_kind


@dataclass(frozen=True)
class Augmenter:
    """One registered augmenter: what it edits, and how to build its nlpaug object."""

    name: str
    unit: str  # "word" (needs two words or more), "char", or "entity" (NER only)
    build: Callable[[float], Any] | None  # changing share p -> nlpaug augmenter; None: entity

    @property
    def ner_only(self) -> bool:
        return self.unit == "entity"


AUGMENTERS: dict[str, Augmenter] = {}
"""Every augmenter by its ``[augment] augmenters`` name; adding one is one decorated builder."""


def augmenter(name: str, unit: str) -> Callable[[Callable[[float], Any]], Callable[[float], Any]]:
    """Register an nlpaug augmenter builder under ``name`` (``unit``: "word" or "char")."""

    def register(build: Callable[[float], Any]) -> Callable[[float], Any]:
        AUGMENTERS[name] = Augmenter(name, unit, build)
        return build

    return register


@lru_cache(maxsize=1)
def spacy_tagger():
    import spacy

    return spacy.load(DEFAULT_SPACY_MODEL, exclude=["parser", "ner", "lemmatizer"])


def spacy_pos_tag(tokens: Sequence[str]) -> list[tuple[str, str]]:
    """Penn Treebank tags from spaCy for nlpaug's WordNet lookups (NLTK's tagger would need
    a download)."""
    from spacy.tokens import Doc

    tagger = spacy_tagger()
    doc = tagger(Doc(tagger.vocab, words=[t for t in tokens if t] or ["."]))
    return [(t.text, t.tag_) for t in doc]


@augmenter("synonym", "word")
def synonym_augmenter(p: float) -> Any:
    """WordNet synonyms (offline), POS tags from spaCy."""
    import nlpaug.augmenter.word as naw

    from weakforge.augment.wordnet_data import ensure_wordnet

    ensure_wordnet()
    built = naw.SynonymAug(aug_src="wordnet", aug_p=p)
    built.model.pos_tag = spacy_pos_tag
    return built


@augmenter("swap", "word")
def swap_augmenter(p: float) -> Any:
    import nlpaug.augmenter.word as naw

    return naw.RandomWordAug(action="swap", aug_p=p)


@augmenter("delete", "word")
def delete_augmenter(p: float) -> Any:
    import nlpaug.augmenter.word as naw

    return naw.RandomWordAug(action="delete", aug_p=p)


@augmenter("keyboard", "char")
def keyboard_augmenter(p: float) -> Any:
    import nlpaug.augmenter.char as nac

    return nac.KeyboardAug(aug_word_p=p, aug_char_max=2)


@augmenter("ocr", "char")
def ocr_augmenter(p: float) -> Any:
    import nlpaug.augmenter.char as nac

    return nac.OcrAug(aug_word_p=p, aug_char_max=2)


AUGMENTERS["mention"] = Augmenter("mention", "entity", None)  # an entity -> another of its type


@lru_cache(maxsize=16)
def make_augmenter(name: str, p: float) -> Any:
    """An nlpaug augmenter by name; ``p`` is the share of words (or characters) changed."""
    found = AUGMENTERS.get(name)
    if found is None or found.build is None:
        usable = [a for a, entry in AUGMENTERS.items() if entry.build is not None]
        raise WeakforgeError(f"unknown text augmenter '{name}'; choose from {usable}")
    return found.build(p)


def augment_text(text: str, name: str, p: float, seed: int) -> str:
    """One nlpaug pass over a text, seeded; surrounding white space is kept."""
    core = text.strip()
    if not core or (AUGMENTERS[name].unit == "word" and len(core.split()) < 2):
        return text
    random.seed(seed)
    np.random.seed(seed % (2**32))
    result = make_augmenter(name, p).augment(core)
    new = result[0] if isinstance(result, list) else result
    start = len(text) - len(text.lstrip())
    return text[:start] + (new or core) + text[start + len(core) :]


def segments(text: str, spans: Sequence[Span]) -> list[tuple[str, Span | None]]:
    """The text as alternating non-entity and entity pieces."""
    pieces, position = [], 0
    for span in sorted(spans):
        pieces.append((text[position : span.start], None))
        pieces.append((text[span.start : span.end], span))
        position = span.end
    pieces.append((text[position:], None))
    return [p for p in pieces if p[0] or p[1] is not None]


def augment_spans(
    text: str,
    spans: Sequence[Span],
    name: str,
    p: float,
    seed: int,
    mentions: Mapping[str, Sequence[str]],
) -> tuple[str, tuple[Span, ...]]:
    """Augment outside entities (or swap entities), returning the new text and its spans."""
    rng = random.Random(seed)
    out, new_spans, position = [], [], 0
    for index, (piece, span) in enumerate(segments(text, spans)):
        if span is None:
            if not AUGMENTERS[name].ner_only:
                piece = augment_text(piece, name, p, seed + index)
                if piece and piece[0].isalnum() and out and out[-1][-1:].isalnum():
                    piece = " " + piece  # an edit must not glue a word to an entity
        else:
            choices = [m for m in mentions.get(span.label, ()) if m != piece]
            if AUGMENTERS[name].ner_only and choices:
                piece = rng.choice(choices)
            new_spans.append(Span(position, position + len(piece), span.label, span.prob))
        out.append(piece)
        position += len(piece)
    return "".join(out), tuple(new_spans)


@dataclass(frozen=True)
class Copy:
    example: Example
    augmenters: tuple[str, ...]


def augment_examples(
    examples: Sequence[Example],
    task: str,
    *,
    augmenters: Sequence[str],
    copies: int,
    sequence: int,
    p: float,
    seed: int,
    mentions: Mapping[str, Sequence[str]] | None = None,
    eligible: Callable[[Example], bool] = lambda e: True,
) -> list[Copy]:
    """Copies of eligible train-split items (never dev/test), each by ``sequence`` random
    augmenters; every copy records its ``origin`` and augmenters in ``meta``."""
    unknown = [a for a in augmenters if a not in AUGMENTERS]
    if unknown:
        raise WeakforgeError(
            f"[augment] augmenters: unknown {unknown}; choose from {list(AUGMENTERS)}"
        )
    usable = [a for a in augmenters if task_kind(task).spans or not AUGMENTERS[a].ner_only]
    rng = random.Random(seed)
    result = []
    for example in examples:
        label = given_label(example)
        if example.split != "train" or label is None or example.origin or not eligible(example):
            continue
        for n in range(copies):
            chain = tuple(rng.choice(usable) for _ in range(sequence))
            text, spans = example.text, label if isinstance(label, tuple) else ()
            for step, name in enumerate(chain):
                step_seed = rng.randrange(2**31) + step
                if task_kind(task).spans:
                    text, spans = augment_spans(text, spans, name, p, step_seed, mentions or {})
                else:
                    text = augment_text(text, name, p, step_seed)
            new_label = spans if task_kind(task).spans else label
            copy = replace(
                example,
                id=f"{example.id}~aug{n}",
                text=text,
                origin=example.id,
                flags={},
                gold=new_label if example.gold is not None else None,
                label=new_label,
                votes={},
                meta={**example.meta, "augmenters": list(chain)},
            )
            result.append(Copy(copy, chain))
    return result
