"""Duplicate sets: exact (normalised text), near copies (MinHash LSH on character
shingles, via datasketch), and paraphrases (embedding neighbours above a cosine threshold);
then the sets whose labels conflict, and those that leak across train/dev/test."""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from weakforge.learners.neighbours import Neighbours

INVISIBLE = re.compile(r"[\u200b-\u200f\u2060\ufeff]")


def normalise(text: str) -> str:
    """Case, Unicode form, invisible characters and spacing do not make a text new."""
    text = INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).casefold()
    return " ".join(text.split())


class UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)

    def groups(self) -> list[list[int]]:
        found: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.parent)):
            found[self.find(i)].append(i)
        return sorted((g for g in found.values() if len(g) > 1), key=lambda g: g[0])


def exact_duplicate_sets(texts: Sequence[str]) -> list[list[int]]:
    """Sets of items whose normalised texts are identical."""
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, text in enumerate(texts):
        by_key[normalise(text)].append(i)
    return sorted((g for g in by_key.values() if len(g) > 1), key=lambda g: g[0])


def shingles(text: str, size: int = 5) -> set[bytes]:
    text = normalise(text)
    if len(text) <= size:
        return {text.encode()}
    return {text[i : i + size].encode() for i in range(len(text) - size + 1)}


def minhash_duplicate_sets(
    texts: Sequence[str], threshold: float = 0.8, num_perm: int = 128, seed: int = 1
) -> list[list[int]]:
    """Sets of surface near-copies: estimated Jaccard similarity of 5-character shingles at
    least ``threshold`` (MinHash LSH; linear in the corpus, no pairwise matrix)."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    signatures = []
    for i, text in enumerate(texts):
        signature = MinHash(num_perm=num_perm, seed=seed)
        signature.update_batch(list(shingles(text)))
        lsh.insert(str(i), signature)
        signatures.append(signature)
    union = UnionFind(len(texts))
    for i, signature in enumerate(signatures):
        for other in lsh.query(signature):
            j = int(other)
            if j != i and signature.jaccard(signatures[j]) >= threshold:
                union.union(i, j)
    return union.groups()


def embedding_duplicate_sets(neighbours: Neighbours, threshold: float = 0.95) -> list[list[int]]:
    """Sets linked by a neighbour with cosine similarity at least ``threshold``."""
    union = UnionFind(len(neighbours.indices))
    rows, cols = np.nonzero(neighbours.similarities >= threshold)
    for i, slot in zip(rows, cols):
        j = neighbours.indices[i, slot]
        if j >= 0:
            union.union(int(i), int(j))
    return union.groups()


@dataclass(frozen=True)
class DuplicateSet:
    """One set of duplicates: its members, how they were found, whether their labels
    conflict and whether it spans several splits (leakage)."""

    members: tuple[int, ...]
    kinds: tuple[str, ...]
    conflicting: bool
    splits: tuple[str, ...]

    @property
    def leaks(self) -> bool:
        return len(self.splits) > 1


def merge_sets(
    found: dict[str, list[list[int]]], labels: Sequence[object], splits: Sequence[str]
) -> list[DuplicateSet]:
    """Merge the sets of every kind into connected sets, keeping the kinds that linked them."""
    union = UnionFind(len(labels))
    for groups in found.values():
        for group in groups:
            for other in group[1:]:
                union.union(group[0], other)
    kinds_of: dict[int, set[str]] = defaultdict(set)
    for kind, groups in found.items():
        for group in groups:
            kinds_of[union.find(group[0])].add(kind)
    result = []
    for group in union.groups():
        group_labels = {repr(labels[i]) for i in group if labels[i] is not None}
        result.append(
            DuplicateSet(
                tuple(group),
                tuple(sorted(kinds_of[union.find(group[0])])),
                len(group_labels) > 1,
                tuple(sorted({splits[i] for i in group})),
            )
        )
    return result
