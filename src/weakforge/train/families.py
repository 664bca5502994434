"""End-model families by name (``[train] family``): how each trains, loads and predicts.

``encoder``: a classifier head on an encoder (:mod:`weakforge.train.encoder`);
``causal``: a decoder fine-tuned on instruction data (:mod:`weakforge.train.causal_adapter`).
A saved model folder names its family, so ``weakforge predict`` serves both.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weakforge.errors import WeakforgeError
from weakforge.records import Example, Label
from weakforge.train import causal_adapter, encoder
from weakforge.train.hf_trainer import MODEL_INFO, TrainResult


@dataclass(frozen=True)
class Family:
    """How a family trains (on a :class:`~weakforge.train.items.TrainingSet`), loads a saved
    model and predicts with it."""

    train: Callable[..., TrainResult]
    load: Callable[[Path, dict[str, Any]], Any]
    predict: Callable[[Any, Sequence[Example]], list[tuple[Label, dict[str, float]]]]


FAMILIES: dict[str, Family] = {
    "encoder": Family(
        encoder.train,
        lambda folder, _info: encoder.load_model(folder),
        encoder.predict,
    ),
    "causal": Family(
        causal_adapter.train_causal, causal_adapter.load_causal, causal_adapter.predict_causal
    ),
}


def model_info(model_dir: Path) -> dict[str, Any]:
    path = Path(model_dir) / MODEL_INFO
    if not path.exists():
        raise WeakforgeError(
            f"{model_dir} is not a weakforge model folder (no {MODEL_INFO}); point at RUN_DIR/model"
        )
    return json.loads(path.read_text())


def load_end_model(model_dir: Path) -> Any:
    """A saved end model of either family, ready for :func:`predict_with`."""
    info = model_info(model_dir)
    return FAMILIES[info.get("family", "encoder")].load(Path(model_dir), info)


def predict_with(loaded: Any, examples: Sequence[Example]) -> list[tuple[Label, dict[str, float]]]:
    family = "causal" if isinstance(loaded, causal_adapter.LoadedCausal) else "encoder"
    return FAMILIES[family].predict(loaded, examples)
