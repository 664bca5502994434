"""The review budget: at most so many items queued as label issues, the worst first, so
that a queue stays a size people can work through (the rest keep their scores)."""

from __future__ import annotations

import numpy as np


def worst_first(is_issue: np.ndarray, quality: np.ndarray, budget: int) -> np.ndarray:
    """``is_issue`` with at most ``budget`` (> 0; 0 = no cap) items left flagged: those of
    the lowest label quality."""
    if budget <= 0 or is_issue.sum() <= budget:
        return is_issue
    worst = sorted(np.nonzero(is_issue)[0], key=lambda i: quality[i])[:budget]
    kept = np.zeros_like(is_issue)
    kept[worst] = True
    return kept
