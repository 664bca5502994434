"""From the scores an LLM gives each label's word to a vote: contextual calibration (divide
out the preference the model shows on a content-free input, Zhao et al. 2021, "Calibrate
Before Use") and abstention when the winner's lead is below a margin."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def label_probabilities(scores: np.ndarray) -> np.ndarray:
    """Log-scores (texts x labels) -> probabilities over the labels only."""
    shifted = scores - scores.max(axis=-1, keepdims=True)
    weights = np.exp(shifted)
    return weights / weights.sum(axis=-1, keepdims=True)


def calibrated(scores: np.ndarray, content_free: np.ndarray | None) -> np.ndarray:
    """Probabilities over the labels after dividing by the content-free ones (the mean of
    several content-free inputs' probabilities); uncalibrated where none are given."""
    probs = label_probabilities(scores)
    if content_free is None:
        return probs
    prior = label_probabilities(content_free).mean(axis=0)
    adjusted = probs / np.maximum(prior, 1e-12)
    return adjusted / adjusted.sum(axis=-1, keepdims=True)


def votes(probs: np.ndarray, labels: Sequence[str], margin: float) -> list[str | None]:
    """The top label of each row, or ``None`` (abstain) where it leads the runner-up by less
    than ``margin`` (a row of -inf scores, no answer at all, abstains too)."""
    out: list[str | None] = []
    for row in probs:
        if not np.all(np.isfinite(row)):
            out.append(None)
            continue
        order = np.argsort(row)[::-1]
        lead = row[order[0]] - (row[order[1]] if len(row) > 1 else 0.0)
        out.append(labels[order[0]] if lead >= margin else None)
    return out
