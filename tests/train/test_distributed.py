"""The train command under torchrun: two CPU processes train one model over gloo."""

import json
import os
import subprocess
import sys

from weakforge.testing import free_port


def test_two_processes_train_one_causal_model_over_gloo(tmp_path, tiny_causal_dir, keyword_corpus):
    keyword_corpus(
        16,
        [
            {"id": "d1", "text": "check out my channel free 1", "split": "dev", "label": "SPAM"},
            {"id": "d2", "text": "great song love it 2", "split": "dev", "label": "HAM"},
        ],
        cycle=3,
    )
    (tmp_path / "run.toml").write_text(
        f"""
[run]
name = "ddp"
labels = ["HAM", "SPAM"]
stages = ["ingest", "label", "aggregate", "train"]
[data]
path = "c.jsonl"
[label]
rules = ["rules.py"]
[aggregate]
method = "majority"
[train]
family = "causal"
base_model = "{tiny_causal_dir}"
lora = false
epochs = 2
batch_size = 4
max_length = 160
"""
    )
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--nproc_per_node",
            "2",
            "--master_port",
            str(free_port()),
            "-m",
            "weakforge.cli",
            "train",
            str(tmp_path / "run.toml"),
            "--out",
            str(tmp_path / "run"),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    metrics = json.loads((tmp_path / "run" / "stages" / "train.json").read_text())
    assert metrics["processes"] == 2 and metrics["device"] == "cpu"
    # each process takes half of every batch: 2 epochs of 32 items in batches of 4 per
    # process are 8 optimiser steps (16 in one process)
    assert metrics["epochs"][-1]["epoch"] == 2.0 and metrics["steps"] == 8
    assert (tmp_path / "run" / "model" / "weakforge_model.json").exists()
    assert "trained on 32 items" in done.stdout + done.stderr
