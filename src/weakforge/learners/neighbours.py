"""Nearest neighbours of L2-normalised embeddings (the only module that imports faiss).

Exact inner-product search up to ``exact_limit`` items, HNSW above it; queries run in chunks,
so no n x n matrix is ever built. The result feeds near-duplicate search and cleanlab's
outlier detection as a sparse kNN graph."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse import csr_matrix


@dataclass(frozen=True)
class Neighbours:
    """Row i: the k nearest other items and their cosine similarities (best first)."""

    indices: np.ndarray  # (n, k) int64, -1 where fewer than k exist
    similarities: np.ndarray  # (n, k) float32

    def graph(self) -> csr_matrix:
        """Cosine-distance kNN graph in the layout cleanlab's Datalab takes as ``knn_graph``."""
        n, k = self.indices.shape
        valid = self.indices >= 0
        rows = np.repeat(np.arange(n), k)[valid.ravel()]
        cols = self.indices[valid]
        dist = np.clip(1.0 - self.similarities[valid], 0.0, 2.0)
        return csr_matrix((dist, (rows, cols)), shape=(n, n))


def nearest_neighbours(
    embeddings: np.ndarray, k: int = 10, exact_limit: int = 50_000, chunk: int = 8192
) -> Neighbours:
    """The ``k`` nearest neighbours of every row (itself excluded)."""
    import faiss

    data = np.ascontiguousarray(embeddings, dtype=np.float32)
    n, dim = data.shape
    k = max(1, min(k, n - 1)) if n > 1 else 1
    if n <= exact_limit:
        index = faiss.IndexFlatIP(dim)
    else:
        index = faiss.IndexHNSWFlat(dim, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
        index.hnsw.efSearch = 64
    index.add(data)
    indices = np.full((n, k), -1, dtype=np.int64)
    sims = np.zeros((n, k), dtype=np.float32)
    for start in range(0, n, chunk):
        part_sims, part_idx = index.search(data[start : start + chunk], k + 1)
        for row in range(part_idx.shape[0]):
            keep = part_idx[row] != start + row
            found_idx = part_idx[row][keep][:k]
            found_sim = part_sims[row][keep][:k]
            indices[start + row, : len(found_idx)] = found_idx
            sims[start + row, : len(found_sim)] = found_sim
    return Neighbours(indices, sims)
