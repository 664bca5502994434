import numpy as np

from weakforge.audit.duplicates import (
    embedding_duplicate_sets,
    exact_duplicate_sets,
    merge_sets,
    minhash_duplicate_sets,
    normalise,
)
from weakforge.learners.neighbours import nearest_neighbours


def test_exact_duplicates_ignore_case_spacing_and_invisible_characters():
    texts = ["Great  song!", "great song!\ufeff", "Other", "GREAT SONG!"]
    assert normalise(texts[1]) == "great song!"
    assert exact_duplicate_sets(texts) == [[0, 1, 3]]


def test_minhash_finds_near_copies_only():
    texts = [
        "check out my channel for free gift cards today",
        "check out my channel for free gift cards today!!",
        "a completely different comment about the song",
    ]
    assert minhash_duplicate_sets(texts, threshold=0.7) == [[0, 1]]


def test_embedding_neighbours_and_merged_sets_with_conflicts_and_leakage():
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(50, 16)).astype(np.float32)
    vectors[7] = vectors[3] + 1e-3
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    neighbours = nearest_neighbours(vectors, k=3)
    assert neighbours.indices[3, 0] == 7 and neighbours.similarities[3, 0] > 0.99
    sets = embedding_duplicate_sets(neighbours, threshold=0.99)
    assert sets == [[3, 7]]
    labels = ["A"] * 50
    labels[7] = "B"
    splits = ["train"] * 50
    splits[7] = "test"
    merged = merge_sets({"paraphrase": sets, "exact": [[10, 11]]}, labels, splits)
    assert [(m.members, m.conflicting, m.leaks) for m in merged] == [
        ((3, 7), True, True),
        ((10, 11), False, False),
    ]
    assert neighbours.graph().shape == (50, 50)
