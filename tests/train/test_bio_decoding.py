import itertools

import numpy as np
import pytest

from weakforge.labels import bio_tags
from weakforge.train import bio_decoding
from weakforge.train.bio_decoding import TagLattice, transition_scores

NAMES = bio_tags(["ORG", "LOC"])  # O, B-ORG, I-ORG, B-LOC, I-LOC


def best_tags(word_log_probs: np.ndarray, names: list[str]) -> list[str]:
    """One sentence's best valid tag names."""
    return [names[i] for i in TagLattice([word_log_probs], names).best_paths()[0]]


def valid(path: list[str]) -> bool:
    previous = "O"
    for tag in path:
        if tag.startswith("I-") and previous[2:] != tag[2:]:
            return False
        previous = tag
    return True


def brute_force(log_probs: np.ndarray) -> list[str]:
    """The best valid sequence by trying every one."""
    candidates = (
        path
        for path in itertools.product(range(len(NAMES)), repeat=len(log_probs))
        if valid([NAMES[i] for i in path])
    )
    best = max(candidates, key=lambda path: sum(log_probs[t, i] for t, i in enumerate(path)))
    return [NAMES[i] for i in best]


def test_a_name_split_by_argmax_is_read_as_one_entity():
    # "Minnesota Twins": alone, Minnesota looks like a place, but Twins continues an ORG
    probs = np.array(
        [[0.05, 0.40, 0.0, 0.55, 0.0], [0.02, 0.03, 0.90, 0.0, 0.05]],
    )
    argmax = [NAMES[i] for i in probs.argmax(axis=1)]
    assert argmax == ["B-LOC", "I-ORG"]
    assert best_tags(np.log(probs + 1e-12), NAMES) == ["B-ORG", "I-ORG"]


def test_a_sentence_never_opens_with_an_inside_tag():
    probs = np.array([[0.1, 0.2, 0.7, 0.0, 0.0]])
    assert best_tags(np.log(probs + 1e-12), NAMES) == ["B-ORG"]


@pytest.mark.parametrize("block_cells", [2_000_000, 7])  # one block; blocks of 1-2 rows
def test_batched_paths_are_the_best_valid_ones_for_every_length(block_cells, monkeypatch):
    monkeypatch.setattr(bio_decoding, "BLOCK_CELLS", block_cells)
    rng = np.random.default_rng(0)
    sentences = [np.log(rng.dirichlet(np.ones(5) * 0.3, size=n)) for n in (3, 0, 5, 1, 4, 5, 2)]
    paths = TagLattice(sentences, NAMES).best_paths()
    assert [len(p) for p in paths] == [3, 0, 5, 1, 4, 5, 2]
    for log_probs, path in zip(sentences, paths):
        assert [NAMES[i] for i in path] == (brute_force(log_probs) if len(log_probs) else [])


def test_a_shift_moves_the_decision_like_added_scores():
    rng = np.random.default_rng(1)
    sentences = [np.log(rng.dirichlet(np.ones(5), size=n)) for n in (4, 2, 6)]
    shift = np.array([0.0, 1.5, 1.5, -2.0, -2.0])
    shifted = TagLattice(sentences, NAMES).best_paths(shift)
    assert [list(p) for p in shifted] == [
        list(TagLattice([s + shift], NAMES).best_paths()[0]) for s in sentences
    ]


def test_only_continuations_of_the_same_type_may_precede_an_inside_tag():
    opening, following = transition_scores(NAMES)
    allowed = {(NAMES[i], NAMES[j]) for i, j in zip(*np.nonzero(following == 0))}
    assert ("B-ORG", "I-ORG") in allowed and ("I-ORG", "I-ORG") in allowed
    assert ("O", "I-ORG") not in allowed and ("B-LOC", "I-ORG") not in allowed
    assert [NAMES[i] for i in np.nonzero(opening == 0)[0]] == ["O", "B-ORG", "B-LOC"]
