"""The processes a launcher (``torchrun``, ``accelerate launch``) started: how many, which
one this is, and the process group they train in (NCCL on GPUs, gloo on CPUs). The train
stage's distributed entry point is :mod:`weakforge.stages.distributed`."""

from __future__ import annotations

import logging
import os
from datetime import timedelta

import torch

log = logging.getLogger(__name__)
STAGE_TIMEOUT = timedelta(hours=12)  # the default 30 minutes is shorter than many runs' stages


def world_size() -> int:
    """How many processes a launcher started (1 without one)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def join_process_group() -> None:
    """Join the launched processes' group (once; NCCL on GPUs, gloo on CPUs)."""
    import torch.distributed as dist

    if not dist.is_initialized():
        dist.init_process_group(
            "nccl" if torch.cuda.is_available() else "gloo", timeout=STAGE_TIMEOUT
        )
