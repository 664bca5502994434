"""Cross-fitting folds: which items each fold's model is taught and which it predicts, so a
model's opinion of an item always comes from a model that did not see it. The one place
folds are assigned, for the audit's out-of-sample models and the aggregate's model sources.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.model_selection import StratifiedKFold


def assign_folds(
    count: int,
    folds: int,
    seed: int,
    *,
    groups: Sequence | np.ndarray | None = None,
    classes: np.ndarray | None = None,
) -> np.ndarray:
    """Each item's fold, 0..folds-1, seeded. With ``groups`` (e.g. each token's sentence) a
    group never straddles two folds; with ``classes`` each fold keeps the class shares
    where every class has ``folds`` items or more; otherwise shuffled near-equal parts."""
    if groups is not None:
        groups = np.asarray(groups)
        order = np.random.default_rng(seed).permutation(np.unique(groups))
        of_group = {g: i % folds for i, g in enumerate(order.tolist())}
        return np.array([of_group[g] for g in groups.tolist()], dtype=int)
    if classes is not None and np.unique(classes, return_counts=True)[1].min() >= folds:
        fold_of = np.empty(count, dtype=int)
        splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
        for fold, (_, held_out) in enumerate(splitter.split(np.zeros(count), classes)):
            fold_of[held_out] = fold
        return fold_of
    order = np.random.default_rng(seed).permutation(count)
    fold_of = np.empty(count, dtype=int)
    fold_of[order] = np.arange(count) % folds
    return fold_of


def fold_splits(fold_of: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per fold: (the positions taught, the positions held out)."""
    return [
        (np.nonzero(fold_of != fold)[0], np.nonzero(fold_of == fold)[0])
        for fold in range(int(fold_of.max()) + 1 if len(fold_of) else 0)
    ]


@dataclass(frozen=True)
class Fold:
    """One fold of cross-fitting: the records its model is taught, the ones it votes on."""

    shown: list[int]
    voting: list[int]


def cross_fit_folds(count: int, taught: Sequence[int], folds: int, seed: int) -> list[Fold]:
    """``folds`` folds over the ``taught`` record indices (of ``count``): each fold's model
    votes on the taught records it was not shown and on a share of the untaught ones."""
    taught_set = set(taught)
    rest = [i for i in range(count) if i not in taught_set]
    return [
        Fold([taught[j] for j in shown], [taught[j] for j in held_out] + rest[number::folds])
        for number, (shown, held_out) in enumerate(
            fold_splits(assign_folds(len(taught), folds, seed))
        )
    ]
