"""The one fold assignment: seeded, groups kept whole, class shares kept, and cross-fitting
never lets a model vote on an item it was taught."""

import numpy as np

from weakforge.learners.folds import assign_folds, cross_fit_folds, fold_splits


def test_folds_are_seeded_near_equal_and_cover_every_item():
    fold_of = assign_folds(103, 5, seed=3)
    assert (fold_of == assign_folds(103, 5, seed=3)).all()
    assert not (fold_of == assign_folds(103, 5, seed=4)).all()
    assert sorted(np.bincount(fold_of).tolist()) == [20, 20, 21, 21, 21]
    for taught, held in fold_splits(fold_of):
        assert not set(taught) & set(held) and len(taught) + len(held) == 103


def test_a_group_never_straddles_two_folds():
    groups = np.repeat(np.arange(30), 4)  # 30 sentences of 4 tokens
    fold_of = assign_folds(len(groups), 5, seed=0, groups=groups)
    for sentence in range(30):
        assert len(set(fold_of[groups == sentence])) == 1


def test_class_shares_are_kept_where_every_class_fills_the_folds():
    classes = np.array([0] * 90 + [1] * 10)
    fold_of = assign_folds(100, 5, seed=0, classes=classes)
    assert all(np.sum(classes[fold_of == f]) == 2 for f in range(5))
    rare = np.array([0] * 97 + [1] * 3)  # too few to spread: plain folds, no error
    assert len(set(assign_folds(100, 5, seed=0, classes=rare).tolist())) == 5


def test_cross_fitting_votes_on_every_item_from_a_fold_that_was_not_taught_it():
    taught = [1, 4, 5, 8, 9, 11, 12, 15, 17, 20, 22, 23]
    folds = cross_fit_folds(30, taught, 3, seed=7)
    voted = [i for fold in folds for i in fold.voting]
    assert sorted(voted) == list(range(30))  # each record once
    for fold in folds:
        assert not set(fold.shown) & set(fold.voting) and set(fold.shown) <= set(taught)
