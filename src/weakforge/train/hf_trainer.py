"""The Hugging Face Trainer plumbing both end-model families share (the only place either
family's Trainer is configured): its arguments, callbacks (one rich progress bar, early
stopping on dev loss), LoRA's target modules, running it and what a run returns."""

from __future__ import annotations

import importlib.util
import json
import logging
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weakforge.atomic import atomic_file
from weakforge.config import TrainSection
from weakforge.errors import WeakforgeError
from weakforge.progress import progress_bar
from weakforge.train.class_bias import ClassBias

MODEL_INFO = "weakforge_model.json"
log = logging.getLogger(__name__)


def update_model_info(model_dir: Path, **entries: Any) -> None:
    """Set entries of a saved model's info file (an entry given as ``None`` is removed)."""
    path = Path(model_dir) / MODEL_INFO
    info = json.loads(path.read_text())
    for key, value in entries.items():
        info.pop(key, None)
        if value is not None:
            info[key] = value
    with atomic_file(path) as handle:
        handle.write(json.dumps(info, indent=2))


@dataclass
class TrainResult:
    history: list[dict[str, Any]]
    device: str
    seconds: float
    seconds_per_epoch: float
    train_items: int
    trainable_parameters: int
    total_parameters: int
    class_bias: ClassBias | None = None
    class_bias_skipped: str = ""
    """Why no offsets were fit although ``[train] class_bias`` asked for them."""
    case_features: bool = False
    """Whether the model read each piece's letter case (``[train] case_features``)."""
    learning_rate: float = 0.0
    epochs: float = 0.0
    """The learning rate and epochs trained with (the task's defaults where unset)."""


ENCODER_TARGETS = ("query", "value")  # the attention projections LoRA's paper adapts


def lora_targets(model, configured: Sequence[str], causal: bool = False) -> list[str] | str:
    """The modules that get LoRA adapters: the configured ones, else found per architecture:
    an encoder's query/value projections where it names them so, otherwise (and for a causal
    LM) every linear layer but the output head (peft's ``all-linear``)."""
    if configured:
        return list(configured)
    names = {name.rsplit(".", 1)[-1] for name, _ in model.named_modules()}
    if not causal and set(ENCODER_TARGETS) <= names:
        return list(ENCODER_TARGETS)
    return "all-linear"


def trainer_callbacks(options: TrainSection, *, has_dev: bool) -> list[Any]:
    """One rich progress bar, and early stopping on dev loss when there is dev gold."""
    from transformers import EarlyStoppingCallback

    return [
        step_progress(),
        *([EarlyStoppingCallback(options.patience), dev_score_log()] if has_dev else []),
    ]


def dev_score_log():
    """A Trainer callback that logs each epoch's dev scores (loss, and span F1 for a
    tagger) as they come, so a long run's log shows how it is going."""
    from transformers import TrainerCallback

    class DevScoreLog(TrainerCallback):
        def on_evaluate(self, args, state, control, metrics=None, **kwargs):
            shown = {
                k.removeprefix("eval_"): v
                for k, v in (metrics or {}).items()
                if k in ("eval_loss", "eval_span_f1", "eval_predicted_entities")
            }
            log.info(
                "epoch %.3g of %g on dev: %s",
                state.epoch or 0,
                args.num_train_epochs,
                ", ".join(f"{k} {v:.4g}" for k, v in shown.items()),
            )

    return DevScoreLog()


def run_trainer(
    trainer, save, out_dir: Path, device: str, train_items: int, options: TrainSection
) -> TrainResult:
    """Train, ``save(model)`` (the best epoch when there was dev gold), drop the
    checkpoints, and say what it took."""
    from transformers import PrinterCallback

    trainer.remove_callback(PrinterCallback)  # it prints every log dict to stdout
    started = time.perf_counter()
    trainer.train()
    seconds = time.perf_counter() - started
    epochs_run = max(1.0, trainer.state.epoch or 1.0)
    save(trainer.model)
    shutil.rmtree(out_dir / "checkpoints", ignore_errors=True)
    parameters = list(trainer.model.parameters())
    history = [
        {k: (round(v, 5) if isinstance(v, float) else v) for k, v in entry.items()}
        for entry in trainer.state.log_history
    ]
    return TrainResult(
        history,
        device,
        seconds,
        seconds / epochs_run,
        train_items,
        sum(p.numel() for p in parameters if p.requires_grad),
        sum(p.numel() for p in parameters),
        learning_rate=options.learning_rate or 0.0,
        epochs=options.epochs or 0.0,
    )


def training_arguments(
    out_dir: Path,
    options: TrainSection,
    hardware: dict[str, Any],
    *,
    has_dev: bool,
    seed: int,
    **extra,
):
    """The Trainer settings both end-model families share: epochs, the hardware's batch size
    and precision, one evaluation and checkpoint per epoch with the best kept (by dev loss)
    when there is dev gold, logs per epoch, no tqdm."""
    from transformers import TrainingArguments

    if options.tensorboard and importlib.util.find_spec("tensorboard") is None:
        raise WeakforgeError(
            "[train] tensorboard = true needs the tensorboard package: "
            "pip install tensorboard (logs go to TENSORBOARD_LOGGING_DIR)"
        )
    settings = {
        "output_dir": str(out_dir / "checkpoints"),
        "num_train_epochs": options.epochs,
        "max_steps": options.max_steps,
        "per_device_train_batch_size": hardware["batch_size"],
        "per_device_eval_batch_size": hardware["batch_size"],
        "learning_rate": options.learning_rate,
        "warmup_steps": options.warmup_ratio,
        "weight_decay": options.weight_decay,
        "eval_strategy": "epoch" if has_dev else "no",
        "save_strategy": "epoch" if has_dev else "no",
        "load_best_model_at_end": has_dev,
        "metric_for_best_model": "eval_loss",
        "greater_is_better": False,
        "save_total_limit": 2,
        "logging_strategy": "epoch",
        "seed": seed,
        "data_seed": seed,
        "bf16": hardware["bf16"],
        "tf32": hardware["tf32"] or None,
        "optim": hardware["optim"],
        "use_cpu": hardware["device"] == "cpu",
        "remove_unused_columns": False,
        "report_to": ["tensorboard"] if options.tensorboard else "none",
        "save_only_model": True,
        "disable_tqdm": True,  # one rich bar instead (StepProgress), silent off a terminal
    }
    return TrainingArguments(**{**settings, **extra})


def step_progress():
    """A Trainer callback that shows the steps as one rich progress bar (not tqdm's)."""
    from transformers import TrainerCallback

    class StepProgress(TrainerCallback):
        def on_train_begin(self, args, state, control, **kwargs):
            self.bar = progress_bar("fine-tuning", state.max_steps)
            self.advance = self.bar.__enter__()

        def on_step_end(self, args, state, control, **kwargs):
            self.advance(1)

        def on_train_end(self, args, state, control, **kwargs):
            self.bar.__exit__(None, None, None)

    return StepProgress()
