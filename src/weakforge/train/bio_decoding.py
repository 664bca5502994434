"""Tag sequences a tagger's word probabilities read as: the most probable sequence that is
valid BIO (Viterbi), not each word's own most probable tag.

Why: a token classifier scores each word alone, so its per-word argmax often breaks a name
in two ("Minnesota" B-LOC, "Twins" I-ORG reads as two entities, both wrong) or starts one
with I-. Forbidding the transitions BIO cannot hold (``I-X`` after anything but ``B-X`` or
``I-X``, and at a sentence's start) and taking the best whole sequence settles the type of
every word of a name together: on CoNLL testa, reading the same saved 1,000- and
3,000-sentence end models this way raised their span F1 from 0.748 to 0.770 and from 0.788
to 0.817 (bench/RESULTS.md, small_ner).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

FORBIDDEN = -1e9
"""The log score of a transition BIO cannot hold (finite, so sums stay well defined)."""


def transition_scores(names: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Log scores (0 or :data:`FORBIDDEN`) of each tag opening a sentence, and of each
    tag (row) followed by each tag (column)."""
    kinds = [name.partition("-") for name in names]
    opening = np.array([FORBIDDEN if prefix == "I" else 0.0 for prefix, _, _ in kinds])
    following = np.zeros((len(names), len(names)))
    for j, (prefix, _, kind) in enumerate(kinds):
        if prefix != "I":
            continue
        for i, (before, _, before_kind) in enumerate(kinds):
            if before not in ("B", "I") or before_kind != kind:
                following[i, j] = FORBIDDEN
    return opening, following


BLOCK_CELLS = 2_000_000
"""Most (sentence, word) cells padded together: sentences sorted by length go into blocks
of at most this many, so one very long record pads only its own block (about 70 MB of
scores for 9 tags), not every sentence to its length."""


class TagLattice:
    """Sentences' word tag log probabilities, padded once (longest first, in blocks of at
    most :data:`BLOCK_CELLS` cells) so that the best valid paths of all of them come out of
    a few batched Viterbi passes, as often as a caller shifts the tags' scores (the class
    offsets' search decodes hundreds of times)."""

    def __init__(self, log_probs: Sequence[np.ndarray], names: Sequence[str]):
        self.names = list(names)
        lengths = np.array([len(p) for p in log_probs], dtype=np.int64)
        order = np.argsort(-lengths, kind="stable")
        self.blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []  # rows, lengths, scores
        at = 0
        while at < len(order):
            width = max(int(lengths[order[at]]), 1)
            rows = order[at : at + max(1, BLOCK_CELLS // width)]
            scores = np.zeros((len(rows), width, len(names)), dtype=np.float32)
            for row, i in enumerate(rows):
                scores[row, : lengths[i]] = log_probs[i]
            self.blocks.append((rows, lengths[rows], scores))
            at += len(rows)
        opening, following = transition_scores(names)
        self.opening, self.following = opening.astype(np.float32), following.astype(np.float32)

    def best_paths(self, shift: np.ndarray | None = None) -> list[np.ndarray]:
        """Per sentence (in the order given) its best valid tag indices; ``shift`` (one
        number per tag) is added to every word's scores first."""
        paths: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * sum(
            len(rows) for rows, _, _ in self.blocks
        )
        for rows, lengths, scores in self.blocks:
            emissions = scores if shift is None else scores + shift
            for i, path in zip(rows, self.viterbi(emissions, lengths)):
                paths[i] = path
        return paths

    def viterbi(self, emissions: np.ndarray, lengths: np.ndarray) -> list[np.ndarray]:
        """The best valid paths of padded sentences sorted longest first."""
        n, width, _ = emissions.shape
        best = emissions[:, 0] + self.opening
        back = np.zeros(emissions.shape, dtype=np.int16)
        for t in range(1, width):
            live = int(np.searchsorted(-lengths, -t, side="left"))  # lengths > t
            step = best[:live, :, None] + self.following
            came_from = step.argmax(axis=1)
            back[:live, t] = came_from
            best[:live] = (
                np.take_along_axis(step, came_from[:, None], 1)[:, 0] + emissions[:live, t]
            )
        paths = np.zeros((n, width), dtype=np.int64)
        state = best.argmax(axis=1)
        for t in range(width - 1, -1, -1):
            live = int(np.searchsorted(-lengths, -t, side="left"))
            paths[:live, t] = state[:live]
            if t:
                state[:live] = back[np.arange(live), t, state[:live]]
        return [paths[row, : lengths[row]] for row in range(n)]
