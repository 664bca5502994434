"""The hardware settings: CUDA, bf16 and larger batches when a GPU is present."""

import torch

from weakforge.config import TrainSection
from weakforge.train.hardware import device_settings


def test_device_settings_pick_cuda_bf16_and_bigger_batches(monkeypatch):
    assert device_settings(TrainSection())["device"] == "cpu"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda: True)
    gpu = device_settings(TrainSection(batch_size=16, gpu_batch_size=64))
    assert gpu == {
        "device": "cuda",
        "batch_size": 64,
        "bf16": True,
        "tf32": True,
        "optim": "adamw_torch_fused",
        "workers": 2,
    }
