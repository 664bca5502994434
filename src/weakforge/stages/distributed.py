"""Data-parallel training: the train command under ``torchrun`` or ``accelerate launch``.

    torchrun --nproc_per_node N -m weakforge.cli train CONFIG

Process 0 runs the run's earlier stages (as the plain command would; up-to-date ones are
skipped), then every process trains the same end model on its share of each batch (the
Trainer's DistributedDataParallel: NCCL on GPUs, gloo on CPUs), and process 0 alone saves,
evaluates and writes the stage's results. The other processes write nothing in the run.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from weakforge.config import RunConfig
from weakforge.corpus.tabular import load_records
from weakforge.train.distributed import join_process_group, rank


def run_train_distributed(config: RunConfig, run_dir: Path) -> dict[str, Any] | None:
    """The train stage across the launched processes; process 0 gets its metrics."""
    import torch.distributed as dist

    from weakforge import stages
    from weakforge.stages.train import fit

    join_process_group()  # the others wait while process 0 runs the earlier stages
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
        labels = config.labels_for(examples)
        with tempfile.TemporaryDirectory() as scratch:  # this process's copy, not kept
            fit(examples, labels, Path(scratch) / "model", config)
        metrics = None
    dist.barrier()
    dist.destroy_process_group()
    return metrics
