"""Causal models by name: a .gguf file (here a tiny one written by the gguf package) is
dequantized once into a safetensors folder in the cache, keyed by its sha256; a torn folder
is built again; a folder or a hub name passes through."""

from pathlib import Path

import pytest
import torch

from weakforge.errors import WeakforgeError
from weakforge.models import CAUSAL_DONE, resolve_causal
from weakforge.testing import tiny_gguf

pytest.importorskip("gguf")


def test_a_gguf_is_dequantized_once_into_a_cached_folder(tmp_path, monkeypatch):
    from transformers import AutoModelForCausalLM

    monkeypatch.setenv("WEAKFORGE_CACHE", str(tmp_path / "cache"))
    gguf = tiny_gguf(tmp_path / "tiny.gguf")
    folder = resolve_causal(str(gguf))
    assert (tmp_path / "cache" / "causal") in Path(folder).parents
    assert (Path(folder) / "model.safetensors").is_file()
    stamp = (Path(folder) / CAUSAL_DONE).stat().st_mtime_ns
    assert resolve_causal(str(gguf)) == folder  # from the cache: not built again
    assert (Path(folder) / CAUSAL_DONE).stat().st_mtime_ns == stamp
    saved = AutoModelForCausalLM.from_pretrained(folder)
    direct = AutoModelForCausalLM.from_pretrained(tmp_path, gguf_file="tiny.gguf")
    for name, tensor in direct.state_dict().items():
        assert torch.equal(saved.state_dict()[name], tensor), name


def test_a_torn_cache_is_built_again_and_bad_names_are_named(tmp_path, monkeypatch):

    monkeypatch.setenv("WEAKFORGE_CACHE", str(tmp_path / "cache"))
    gguf = tiny_gguf(tmp_path / "tiny.gguf")
    folder = Path(resolve_causal(str(gguf)))
    (folder / CAUSAL_DONE).unlink()  # as a crash mid-write would leave it
    (folder / "model.safetensors").write_bytes(b"torn")
    assert Path(resolve_causal(str(gguf))) == folder
    assert (folder / CAUSAL_DONE).is_file() and (folder / "model.safetensors").stat().st_size > 4
    assert resolve_causal("some/local-folder") == "some/local-folder"
    with pytest.raises(WeakforgeError, match="not found"):
        resolve_causal(str(tmp_path / "missing.gguf"))
