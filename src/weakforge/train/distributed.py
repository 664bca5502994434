"""Data-parallel training: the train command under ``torchrun`` or ``accelerate launch``.

    torchrun --nproc_per_node N -m weakforge.cli train CONFIG

Process 0 runs the run's earlier stages (as the plain command would; up-to-date ones are
skipped), then every process trains the same end model on its share of each batch (the
Trainer's DistributedDataParallel: NCCL on GPUs, gloo on CPUs), and process 0 alone saves,
evaluates and writes the stage's results. The other processes write nothing in the run.
"""

from __future__ import annotations

import logging
import os
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import torch

log = logging.getLogger(__name__)
STAGE_TIMEOUT = timedelta(hours=12)  # the default 30 minutes is shorter than many runs' stages


def world_size() -> int:
    """How many processes a launcher started (1 without one)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def rank() -> int:
    return int(os.environ.get("RANK", "0"))


def run_train_distributed(config, run_dir: Path) -> dict[str, Any] | None:
    """The train stage across the launched processes; process 0 gets its metrics."""
    import torch.distributed as dist

    from weakforge import stages
    from weakforge.corpus.tabular import load_records
    from weakforge.records import labels_used
    from weakforge.stages.train import fit

    if not dist.is_initialized():  # the others wait while process 0 runs the earlier stages
        dist.init_process_group(
            "nccl" if torch.cuda.is_available() else "gloo", timeout=STAGE_TIMEOUT
        )
    chosen = stages.select_stages(config, until="train")
    train_stage = next(s for s in chosen if s.name == "train")
    earlier = [s.name for s in chosen if s.name not in ("train", "report")]
    if rank() == 0 and earlier:
        stages.run(config, run_dir, until=earlier[-1])
    dist.barrier()  # the records the train stage reads exist from here on
    if rank() == 0:
        metrics = stages.run(config, run_dir, until="train", force_from="train").metrics["train"]
    else:
        examples = load_records(run_dir / train_stage.records_from)
        labels = list(config.run.labels) or labels_used(examples)
        with tempfile.TemporaryDirectory() as scratch:  # this process's copy, not kept
            fit(examples, labels, Path(scratch) / "model", config)
        metrics = None
    dist.barrier()
    dist.destroy_process_group()
    return metrics
