"""A static sentence embedding distilled locally from the sentence encoder with model2vec
(the only module that imports it): every vocabulary piece is embedded once by the
transformer, then a text's vector is a weighted mean of its pieces' vectors, about a hundred
times faster on a CPU. Chosen with ``[audit] model = "static"`` for very large corpora;
distilled once per base model into the user cache (WEAKFORGE_CACHE), which needs no
download."""

from __future__ import annotations

import hashlib
import logging
import shutil
from functools import lru_cache
from pathlib import Path

import numpy as np

from weakforge.models import cache_dir, resolve_encoder

log = logging.getLogger(__name__)
DIMENSIONS = 256  # PCA dimensions of the distilled vectors (model2vec's default)


def static_model_folder(base: str) -> Path:
    resolved = resolve_encoder(base)
    digest = hashlib.sha256(f"{resolved}|{DIMENSIONS}".encode()).hexdigest()[:16]
    return cache_dir() / "static" / digest


@lru_cache(maxsize=2)
def load_static(base: str = ""):
    """The distilled model of ``base`` (the default encoder when empty), distilled on first
    use (about two minutes on two cores) and saved atomically."""
    from model2vec import StaticModel

    folder = static_model_folder(base)
    if (folder / "model.safetensors").exists():
        return StaticModel.from_pretrained(str(folder))
    from model2vec.distill import distill

    log.warning(
        "distilling a static embedding from %s (once; cached in %s)", base or "MiniLM", folder
    )
    model = distill(model_name=resolve_encoder(base), pca_dims=DIMENSIONS, device="cpu")
    partial = folder.with_name(folder.name + ".partial")
    shutil.rmtree(partial, ignore_errors=True)
    model.save_pretrained(str(partial))
    shutil.rmtree(folder, ignore_errors=True)
    partial.rename(folder)
    return model


def static_embed(texts: list[str], base: str = "") -> np.ndarray:
    """L2-normalised static embeddings, one row per text."""
    vectors = load_static(base).encode(texts, show_progress_bar=False).astype(np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)
