"""Dev span F1 while an encoder tagger trains: the score each epoch is kept (and training
stopped) by, instead of dev loss. On small weak-labeled corpora the two part ways: the loss
keeps falling while the tagger predicts ever fewer entities, so the best-loss epoch can be
one that finds almost none."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from weakforge.labels import decode_tags
from weakforge.train.bio_decoding import TagLattice

METRIC = "span_f1"


def word_rows(soft: np.ndarray) -> np.ndarray:
    """The pieces that start a word: their target is a distribution (pads, continuation
    pieces and the Trainer's -100 padding are not)."""
    return (soft >= 0).all(-1) & np.isclose(soft.sum(-1), 1.0, atol=1e-3)


def span_f1_metric(tags: Sequence[str]):
    """A ``compute_metrics`` for the Trainer: exact-match entity F1 of the tags predicted on
    each word's first piece (decoded as the model predicts: the best valid BIO sequence)
    against dev gold's."""

    def compute(prediction) -> dict[str, float]:
        words = [word_rows(soft) for soft in prediction.label_ids]
        wanted = [
            set(decode_tags([tags[i] for i in soft[rows].argmax(-1)]))
            for soft, rows in zip(prediction.label_ids, words)
        ]
        # raw logits decode as their log-softmax would: a word's normaliser adds the same
        # amount to every path through it
        logits = [logits[rows] for logits, rows in zip(prediction.predictions, words)]
        found = [
            set(decode_tags([tags[i] for i in path]))
            for path in TagLattice(logits, tags).best_paths()
        ]
        hits = sum(len(w & f) for w, f in zip(wanted, found))
        predicted, gold = sum(map(len, found)), sum(map(len, wanted))
        precision = hits / predicted if predicted else 0.0
        recall = hits / gold if gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
        return {METRIC: round(f1, 4), "predicted_entities": predicted, "gold_entities": gold}

    return compute
