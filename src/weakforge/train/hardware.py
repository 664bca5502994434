"""What the hardware allows the trainers: CUDA with bf16, TF32, fused AdamW and larger
batches when a GPU is present; the CPU otherwise."""

from __future__ import annotations

from typing import Any

import torch

from weakforge.config import TrainSection


def device_settings(options: TrainSection) -> dict[str, Any]:
    """The device, batch size, precision, optimizer and data-loader workers to train with."""
    if torch.cuda.is_available():
        return {
            "device": "cuda",
            "batch_size": options.gpu_batch_size,
            "bf16": torch.cuda.is_bf16_supported(),
            "tf32": True,
            "optim": "adamw_torch_fused",
            "workers": 2,
        }
    return {
        "device": "cpu",
        "batch_size": options.batch_size,
        "bf16": False,
        "tf32": False,
        "optim": "adamw_torch",
        "workers": 0,
    }
