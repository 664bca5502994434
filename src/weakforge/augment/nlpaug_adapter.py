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

import numpy as np

from weakforge.errors import WeakforgeError
from weakforge.labels import given_label
from weakforge.models import DEFAULT_SPACY_MODEL
from weakforge.records import Example, Span

WORD_AUGMENTERS = ("synonym", "swap", "delete")
CHAR_AUGMENTERS = ("keyboard", "ocr")
ALL_AUGMENTERS = (*WORD_AUGMENTERS, *CHAR_AUGMENTERS, "mention")


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


@lru_cache(maxsize=16)
def make_augmenter(name: str, p: float):
    """An nlpaug augmenter by name; ``p`` is the share of words (or characters) changed."""
    import nlpaug.augmenter.char as nac
    import nlpaug.augmenter.word as naw

    if name == "synonym":
        from weakforge.augment.wordnet_data import ensure_wordnet

        ensure_wordnet()
        augmenter = naw.SynonymAug(aug_src="wordnet", aug_p=p)
        augmenter.model.pos_tag = spacy_pos_tag
        return augmenter
    if name in ("swap", "delete"):
        return naw.RandomWordAug(action=name, aug_p=p)
    if name == "keyboard":
        return nac.KeyboardAug(aug_word_p=p, aug_char_max=2)
    if name == "ocr":
        return nac.OcrAug(aug_word_p=p, aug_char_max=2)
    raise WeakforgeError(f"unknown augmenter '{name}'; choose from {list(ALL_AUGMENTERS)}")


def augment_text(text: str, name: str, p: float, seed: int) -> str:
    """One nlpaug pass over a text, seeded; surrounding white space is kept."""
    core = text.strip()
    if not core or (name in WORD_AUGMENTERS and len(core.split()) < 2):
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
            if name != "mention":
                piece = augment_text(piece, name, p, seed + index)
                if piece and piece[0].isalnum() and out and out[-1][-1:].isalnum():
                    piece = " " + piece  # an edit must not glue a word to an entity
        else:
            choices = [m for m in mentions.get(span.label, ()) if m != piece]
            if name == "mention" and choices:
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
    unknown = [a for a in augmenters if a not in ALL_AUGMENTERS]
    if unknown:
        raise WeakforgeError(
            f"[augment] augmenters: unknown {unknown}; choose from {list(ALL_AUGMENTERS)}"
        )
    usable = [a for a in augmenters if task == "ner" or a != "mention"]
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
                if task == "ner":
                    text, spans = augment_spans(text, spans, name, p, step_seed, mentions or {})
                else:
                    text = augment_text(text, name, p, step_seed)
            new_label = spans if task == "ner" else label
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
