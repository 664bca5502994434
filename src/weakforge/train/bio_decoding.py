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


class TagLattice:
    """Sentences' word tag log probabilities, padded once (longest first) so that the
    best valid paths of all of them come out of one batched Viterbi pass, as often as a
    caller shifts the tags' scores (the class offsets' search decodes hundreds of times)."""

    def __init__(self, log_probs: Sequence[np.ndarray], names: Sequence[str]):
        self.names = list(names)
        self.lengths = np.array([len(p) for p in log_probs], dtype=np.int64)
        self.order = np.argsort(-self.lengths, kind="stable")
        width = int(self.lengths.max()) if len(log_probs) else 0
        self.scores = np.zeros((len(log_probs), width, len(names)), dtype=np.float32)
        for row, i in enumerate(self.order):
            self.scores[row, : self.lengths[i]] = log_probs[i]
        opening, following = transition_scores(names)
        self.opening, self.following = opening.astype(np.float32), following.astype(np.float32)

    def best_paths(self, shift: np.ndarray | None = None) -> list[np.ndarray]:
        """Per sentence (in the order given) its best valid tag indices; ``shift`` (one
        number per tag) is added to every word's scores first."""
        emissions = self.scores if shift is None else self.scores + shift
        sorted_lengths = self.lengths[self.order]
        n, width, _ = emissions.shape
        if width == 0:
            return [np.zeros(0, dtype=np.int64) for _ in range(n)]
        best = emissions[:, 0] + self.opening
        back = np.zeros(emissions.shape, dtype=np.int16)
        for t in range(1, width):
            live = int(np.searchsorted(-sorted_lengths, -t, side="left"))  # lengths > t
            step = best[:live, :, None] + self.following
            came_from = step.argmax(axis=1)
            back[:live, t] = came_from
            best[:live] = (
                np.take_along_axis(step, came_from[:, None], 1)[:, 0] + emissions[:live, t]
            )
        paths = np.zeros((n, width), dtype=np.int64)
        state = best.argmax(axis=1)
        for t in range(width - 1, -1, -1):
            live = int(np.searchsorted(-sorted_lengths, -t, side="left"))
            paths[:live, t] = state[:live]
            if t:
                state[:live] = back[np.arange(live), t, state[:live]]
        unsorted: list[np.ndarray] = [np.zeros(0, dtype=np.int64)] * n
        for row, i in enumerate(self.order):
            unsorted[i] = paths[row, : self.lengths[i]]
        return unsorted


def best_tags(word_log_probs: np.ndarray, names: Sequence[str]) -> list[str]:
    """One sentence's best valid BIO tag names."""
    return [names[i] for i in TagLattice([word_log_probs], names).best_paths()[0]]
