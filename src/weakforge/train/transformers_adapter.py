"""Fine-tuning a transformer on weak labels (the only module that imports transformers and
peft).

Sequence classification and token classification (BIO tags on the first word piece of each
word) share one recipe: every item carries a target *distribution* — one-hot for hard labels,
the label model's probabilities when ``soft_labels`` is on — and the loss is the
cross-entropy against it (optionally weighted by the label's confidence). LoRA adapters by
default (the classifier head trains fully), full fine-tuning as an option. CUDA with bf16,
TF32, fused AdamW and larger batches when a GPU is present; the CPU otherwise.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from weakforge.atomic import atomic_file
from weakforge.config import TrainSection
from weakforge.errors import WeakforgeError
from weakforge.labels import bio_tags, decode_tags, given_label
from weakforge.models import resolve_encoder
from weakforge.progress import progress_bar
from weakforge.records import Example, Label, Span, is_model_source
from weakforge.tokenize import example_bounds, token_spans
from weakforge.train.class_bias import (
    MIN_DEV_ITEMS,
    ClassBias,
    apply_class_bias,
    fit_class_bias,
    fit_type_bias,
)

log = logging.getLogger(__name__)
MODEL_INFO = "weakforge_model.json"


def device_settings(options: TrainSection) -> dict[str, Any]:
    """What the hardware allows: CUDA with bf16/TF32/fused AdamW and bigger batches, or CPU."""
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


# --- targets ---------------------------------------------------------------------------------


def class_target(example: Example, label: Label, labels: Sequence[str], soft: bool) -> np.ndarray:
    """A distribution over the classes: the label model's probabilities or one-hot."""
    target = np.zeros(len(labels), dtype=np.float32)
    if soft and example.gold is None and example.probs:
        for i, name in enumerate(labels):
            target[i] = example.probs.get(name, 0.0)
        if target.sum() > 0:
            return target / target.sum()
    target[labels.index(label)] = 1.0
    return target


def word_targets(
    words: Sequence[tuple[int, int]], spans: Sequence[Span], tags: Sequence[str], soft: bool
) -> np.ndarray:
    """Per word a distribution over BIO tags; a span with confidence p puts p on its tag
    and 1 - p on O (soft), or 1 on its tag (hard)."""
    index = {t: i for i, t in enumerate(tags)}
    target = np.zeros((len(words), len(tags)), dtype=np.float32)
    target[:, 0] = 1.0
    placed, _ = token_spans(words, spans)
    for first, last, span in placed:
        p = span.prob if soft else 1.0
        for w in range(first, last):
            target[w] = 0.0
            target[w, 0] = 1.0 - p
            target[w, index[f"{'B' if w == first else 'I'}-{span.label}"]] += p
    return target


def words_of(example: Example, label: Label) -> list[tuple[int, int]]:
    return example_bounds(example, label if isinstance(label, tuple) else ())


# --- encoding --------------------------------------------------------------------------------


class Encoded(torch.utils.data.Dataset):
    """Tokenized items with their target distributions and weights."""

    def __init__(self, rows: list[dict[str, Any]]):
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> dict[str, Any]:
        return self.rows[i]


def first_piece_index(
    offsets: Sequence[tuple[int, int]], words: Sequence[tuple[int, int]]
) -> list[int]:
    """For each word piece, the word it starts (or -1: special, continuation, truncated)."""
    word_at = {start: w for w, (start, _) in enumerate(words)}
    result, seen = [], set()
    for start, end in offsets:
        w = word_at.get(start, -1) if end > start else -1
        if w in seen:
            w = -1
        seen.add(w)
        result.append(w)
    return result


def encode(
    tokenizer,
    task: str,
    items: Sequence[tuple[Example, Label, float]],
    labels: Sequence[str],
    options: TrainSection,
    *,
    case: bool = False,
) -> Encoded:
    """Token ids, target distributions and weights per item (and, with ``case``, each
    piece's letter case in the token type slot)."""
    rows = []
    tags = bio_tags(labels)
    for example, label, weight in items:
        encoding = tokenizer(
            example.text,
            truncation=True,
            max_length=options.max_length,
            return_offsets_mapping=True,
        )
        row = {
            "input_ids": encoding["input_ids"],
            "attention_mask": encoding["attention_mask"],
            "sample_weight": weight,
        }
        if case:
            row["token_type_ids"] = case_ids(example.text, encoding["offset_mapping"])
        if task == "ner":
            words = words_of(example, label)
            targets = word_targets(
                words,
                label if isinstance(label, tuple) else (),
                tags,
                options.soft_labels and example.gold is None,
            )
            pieces = first_piece_index(encoding["offset_mapping"], words)
            soft = np.zeros((len(pieces), len(tags)), dtype=np.float32)
            for p, w in enumerate(pieces):
                if w >= 0:
                    soft[p] = targets[w]
            row["soft_labels"] = soft
        else:
            row["soft_labels"] = class_target(example, label, labels, options.soft_labels)
        rows.append(row)
    return Encoded(rows)


def pad_column(batch: list[dict[str, Any]], key: str, length: int, fill: int) -> torch.Tensor:
    """One per-piece column of the batch (ids, mask, case ids), right-padded to ``length``."""
    column = torch.full((len(batch), length), fill, dtype=torch.long)
    for i, r in enumerate(batch):
        column[i, : len(r[key])] = torch.tensor(r[key])
    return column


def collate(batch: list[dict[str, Any]], pad_id: int) -> dict[str, torch.Tensor]:
    length = max(len(r["input_ids"]) for r in batch)
    first = batch[0]["soft_labels"]
    if first.ndim == 2:
        soft = torch.zeros((len(batch), length, first.shape[1]))
        for i, r in enumerate(batch):
            soft[i, : len(r["soft_labels"])] = torch.from_numpy(r["soft_labels"])
    else:
        soft = torch.from_numpy(np.stack([r["soft_labels"] for r in batch]))
    padded = {
        "input_ids": pad_column(batch, "input_ids", length, pad_id),
        "attention_mask": pad_column(batch, "attention_mask", length, 0),
        "soft_labels": soft,
        "sample_weight": torch.tensor([r["sample_weight"] for r in batch], dtype=torch.float32),
    }
    if "token_type_ids" in batch[0]:  # case ids ([train] case_features)
        padded["token_type_ids"] = pad_column(batch, "token_type_ids", length, 0)
    return padded


def soft_cross_entropy(
    logits: torch.Tensor, soft: torch.Tensor, weights: torch.Tensor
) -> torch.Tensor:
    """Cross-entropy against target distributions; positions whose target is all zero (pads,
    continuation pieces) do not count."""
    log_probs = torch.log_softmax(logits.float(), dim=-1)
    per_position = -(soft * log_probs).sum(-1)
    counted = (soft.sum(-1) > 0).float()
    if per_position.ndim == 2:  # tokens: weight each position by its item's weight
        counted = counted * weights[:, None]
    else:
        counted = counted * weights
    return (per_position * counted).sum() / counted.sum().clamp(min=1e-6)


# --- letter case -----------------------------------------------------------------------------

CASE_SHAPES = ("none", "lower", "title", "upper", "mixed")
"""A word piece's letter case, as the id it gets in the token type slot."""


def case_shape(piece: str) -> int:
    """The index in :data:`CASE_SHAPES` of a piece of the original text: "none" when it
    has no cased letter, "title" for one capital then lower case (or a lone capital)."""
    cased = [c for c in piece if c.lower() != c.upper()]
    if not cased:
        return 0
    if all(c.islower() for c in cased):
        return 1
    if cased[0].isupper() and all(c.islower() for c in cased[1:]):
        return 2
    return 3 if all(c.isupper() for c in cased) else 4


def case_ids(text: str, offsets: Sequence[Sequence[int]]) -> list[int]:
    """Each piece's letter case, read from the original text at its character offsets
    (special and padding pieces, which cover no character, are "none")."""
    return [case_shape(text[start:end]) if end > start else 0 for start, end in offsets]


TOKEN_TYPE_SLOT = "token_type_embeddings"  # BERT-like encoders' module name; the case rows


def token_type_embeddings(model) -> tuple[str, torch.nn.Embedding] | None:
    """The model's token type embedding (BERT-like encoders have one), with its path."""
    for name, module in model.named_modules():
        if name.rsplit(".", 1)[-1] == TOKEN_TYPE_SLOT:
            if isinstance(module, torch.nn.Embedding):
                return name, module
    return None


def is_uncased(tokenizer) -> bool:
    """Whether the tokenizer lowercases (then the model never sees a word's case)."""
    return tokenizer("Paris London")["input_ids"] == tokenizer("paris london")["input_ids"]


CASE_FEATURES_BY_DEFAULT = {"ner": True, "classification": False}
"""Per task, whether ``case_features = "auto"`` turns them on for an uncased encoder. On
WRENCH test (mean of three seeds, python bench/train_wrench.py --seeds 0 1 2), once the
model sources weighed classes, classification's mean over the three datasets was higher
without them (91.12 -> 91.62: youtube 96.13 -> 96.27, sms spam F1 94.43 -> 94.33, trec
82.80 -> 84.27). NER gains (CoNLL dev span F1 0.769 -> 0.785)."""


def uses_case_features(tokenizer, model, task: str, options: TrainSection) -> bool:
    """``[train] case_features`` resolved for this task, tokenizer and model (see its
    docstring)."""
    if options.case_features == "off":
        return False
    slot = token_type_embeddings(model)
    if options.case_features == "on":
        if slot is None:
            raise WeakforgeError(
                f'[train] case_features = "on" needs a model with token type embeddings '
                f"(BERT-like); {options.base_model or 'this model'} has none: set it to "
                '"auto" or "off"'
            )
        return True
    wanted = CASE_FEATURES_BY_DEFAULT[task] and slot is not None and is_uncased(tokenizer)
    if wanted:
        log.info(
            "the tokenizer is uncased: each word piece's letter case goes in as a learned "
            'embedding ([train] case_features = "off" turns this off)'
        )
    return wanted


def add_case_embeddings(model) -> None:
    """Widen the token type embedding to one row per case shape, each starting as the
    model's own first token type (so training starts from the unchanged model)."""
    name, old = token_type_embeddings(model)
    new = torch.nn.Embedding(len(CASE_SHAPES), old.embedding_dim)
    with torch.no_grad():
        new.weight[:] = old.weight[0]
    parent, _, attribute = name.rpartition(".")
    setattr(model.get_submodule(parent), attribute, new)
    model.config.type_vocab_size = len(CASE_SHAPES)


CASE_LEARNING_RATE_SHARE = {"classification": 0.1, "ner": 1.0}
"""Per task, the share of the learning rate the case embedding rows learn at. In
classification, at the full rate (1e-3, where LoRA's small matrices train well) they moved
the input of every layer at once: on WRENCH trec one training seed in three collapsed to a
single class (test accuracy 27.6); at a tenth the same seed gave 80.2 (73.6 without case
features). NER, where every word's own tag trains its row, keeps the full rate its CoNLL
numbers were measured with."""


def slow_case_rows(optimizer: torch.optim.Optimizer, model, share: float) -> None:
    """Move the trainable case embedding rows into a parameter group of their own, at
    ``share`` of their group's rate (once: the new group is marked)."""
    rows = {
        id(p)
        for name, p in model.named_parameters()
        if p.requires_grad and TOKEN_TYPE_SLOT in name.split(".")
    }
    for group in list(optimizer.param_groups):
        slow = [p for p in group["params"] if id(p) in rows]
        if group.get("case_rows") or not slow:
            continue
        group["params"] = [p for p in group["params"] if id(p) not in rows]
        settings = {k: v for k, v in group.items() if k != "params"}
        optimizer.add_param_group(
            {
                **settings,
                "params": slow,
                "lr": group["lr"] * share,
                "case_rows": True,
            }
        )


# --- model -----------------------------------------------------------------------------------

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


def build_model(task: str, labels: Sequence[str], options: TrainSection):
    """The tokenizer, the model (LoRA-wrapped unless ``lora`` is off), its output names
    (classes or BIO tags) and whether it takes case features."""
    from transformers import (
        AutoModelForSequenceClassification,
        AutoModelForTokenClassification,
        AutoTokenizer,
    )

    base = resolve_encoder(options.base_model)
    names = bio_tags(labels) if task == "ner" else list(labels)
    auto = AutoModelForTokenClassification if task == "ner" else AutoModelForSequenceClassification
    try:
        tokenizer = AutoTokenizer.from_pretrained(base)
        model = auto.from_pretrained(
            base,
            num_labels=len(names),
            id2label=dict(enumerate(names)),
            label2id={n: i for i, n in enumerate(names)},
        )
    except OSError as exc:
        raise WeakforgeError(
            f"cannot load base model {options.base_model or base!r}: {exc}. "
            "Offline, name a local model folder in [train] base_model"
        ) from None
    case = uses_case_features(tokenizer, model, task, options)
    if case:
        add_case_embeddings(model)
    if options.lora:
        from peft import LoraConfig, TaskType, get_peft_model

        config = LoraConfig(
            task_type=TaskType.TOKEN_CLS if task == "ner" else TaskType.SEQ_CLS,
            r=options.lora_r,
            lora_alpha=options.lora_alpha,
            lora_dropout=options.lora_dropout,
            target_modules=lora_targets(model, options.target_modules),
            modules_to_save=["classifier", *([TOKEN_TYPE_SLOT] if case else [])],
        )
        model = get_peft_model(model, config)
    return tokenizer, model, names, case


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


def is_covered(example: Example) -> bool:
    """Whether a rule voted on the item, or a person labeled it (an item that carries no
    rule votes at all got its weak label elsewhere, and counts as covered). A model
    source's vote does not count: it votes on every item, from the rules' own labels."""
    votes = [v for name, v in example.votes.items() if not is_model_source(name)]
    return example.gold is not None or not votes or any(v is not None for v in votes)


def left_out_uncovered(examples: Sequence[Example], task: str, options: TrainSection) -> set[str]:
    """Ids of the train items no rule voted on, left out under ``uncovered = "drop"``
    (classification only: in NER an empty vote means "no entity")."""
    if options.uncovered != "drop" or task == "ner":
        return set()
    return {e.id for e in examples if e.split == "train" and not e.origin and not is_covered(e)}


def training_items(
    examples: Sequence[Example], task: str, options: TrainSection
) -> list[tuple[Example, Label, float]]:
    """Train-split items with a label (gold overrides weak), filtered by confidence. With
    ``uncovered = "drop"`` (classification) an item no rule voted on, whose weak label is
    only the class prior or a model source's guess, is left out, and so are its augmented
    copies (WRENCH's protocol)."""
    uncovered = left_out_uncovered(examples, task, options)
    items = []
    for example in examples:
        label = given_label(example)
        if example.split != "train" or label is None:
            continue
        if (example.origin or example.id) in uncovered:
            continue
        confidence = 1.0
        if example.gold is None:
            if isinstance(label, str) and example.probs:
                confidence = max(example.probs.values())
            elif isinstance(label, tuple) and label:
                confidence = min(s.prob for s in label)
        if confidence < options.min_confidence:
            continue
        items.append((example, label, confidence if options.confidence_weighting else 1.0))
    if uncovered:
        log.info("%d train items no rule voted on are left out of training", len(uncovered))
    return items


def train(
    examples: Sequence[Example],
    task: str,
    labels: Sequence[str],
    out_dir: Path,
    *,
    options: TrainSection,
    seed: int = 0,
) -> TrainResult:
    """Fine-tune, keep the best epoch on dev (when dev gold exists), save everything the
    model needs into ``out_dir``."""
    from transformers import Trainer, set_seed

    set_seed(seed)
    items = required_training_items(examples, task, options)
    dev = [(e, e.gold, 1.0) for e in examples if e.split == "dev" and e.gold is not None]
    tokenizer, model, names, case = build_model(task, labels, options)
    hardware = device_settings(options)
    train_set = encode(tokenizer, task, items, labels, options, case=case)
    dev_set = (
        encode(
            tokenizer,
            task,
            dev,
            labels,
            TrainSection(**{**asdict(options), "soft_labels": False}),
            case=case,
        )
        if dev
        else None
    )

    class SoftTrainer(Trainer):
        def create_optimizer(self, model=None):
            optimizer = super().create_optimizer(model)
            if case and CASE_LEARNING_RATE_SHARE[task] != 1.0:
                slow_case_rows(optimizer, self.model, CASE_LEARNING_RATE_SHARE[task])
            return optimizer

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            soft = inputs.pop("soft_labels")
            weights = inputs.pop("sample_weight")
            outputs = model(**inputs)
            loss = soft_cross_entropy(outputs.logits, soft, weights)
            return (loss, outputs) if return_outputs else loss

    args = training_arguments(
        out_dir,
        options,
        hardware,
        has_dev=bool(dev_set),
        seed=seed,
        per_device_eval_batch_size=hardware["batch_size"] * 2,
        dataloader_num_workers=hardware["workers"],
        label_names=["soft_labels"],
    )
    trainer = SoftTrainer(
        model=model,
        args=args,
        train_dataset=train_set,
        eval_dataset=dev_set,
        data_collator=lambda batch: collate(batch, tokenizer.pad_token_id or 0),
        callbacks=trainer_callbacks(options, has_dev=bool(dev_set)),
    )
    save = lambda trained: save_model(  # noqa: E731
        trained, tokenizer, task, labels, names, out_dir, options, case=case
    )
    result = run_trainer(trainer, save, out_dir, hardware["device"], len(items))
    result.case_features = case
    wanted = options.class_bias == "dev" or (options.class_bias == "auto" and task != "ner")
    if dev and wanted and len(dev) < MIN_DEV_ITEMS:
        result.class_bias_skipped = (
            f"only {len(dev)} dev items have gold; [train] class_bias fits offsets from "
            f"{MIN_DEV_ITEMS} on, so the model predicts by its plain argmax"
        )
        log.warning(result.class_bias_skipped)
    elif dev and wanted:
        model = trainer.model.eval()
        loaded = LoadedModel(
            task, list(labels), names, tokenizer, model, options.max_length, case_features=case
        )
        result.class_bias = fit_dev_class_bias(loaded, [e for e, _, _ in dev], out_dir)
    return result


def fit_dev_class_bias(loaded: LoadedModel, dev: Sequence[Example], out_dir: Path) -> ClassBias:
    """Fit the offsets on dev gold (:mod:`weakforge.train.class_bias`: per class, or per
    entity type) and store them with the model, which applies them whenever it predicts.
    (Dev gold names only known classes: the trainer's dev loss has encoded it already.)"""
    if loaded.task == "ner":
        probs = word_probabilities(loaded, dev)
        words = [example_bounds(e) for e in dev]
        bias = fit_type_bias(probs, words, [e.gold for e in dev], loaded.names)
    else:
        probs = np.stack([p for _, p, _ in model_outputs(loaded, dev)])
        gold = [loaded.names.index(e.gold) for e in dev]
        bias = fit_class_bias(probs, gold, loaded.names)
    info_path = out_dir / MODEL_INFO
    info = json.loads(info_path.read_text())
    info["class_bias"] = bias.offsets
    with atomic_file(info_path) as handle:
        handle.write(json.dumps(info, indent=2))
    return bias


def required_training_items(
    examples: Sequence[Example], task: str, options: TrainSection
) -> list[tuple[Example, Label, float]]:
    """:func:`training_items`, or an error that says why there are none."""
    items = training_items(examples, task, options)
    if not items:
        raise WeakforgeError(
            "no training items: the train split has no weak or gold labels "
            "(run the aggregate stage, or lower [train] min_confidence)"
        )
    return items


def trainer_callbacks(options: TrainSection, *, has_dev: bool) -> list[Any]:
    """One rich progress bar, and early stopping on dev loss when there is dev gold."""
    from transformers import EarlyStoppingCallback

    return [step_progress(), *([EarlyStoppingCallback(options.patience)] if has_dev else [])]


def run_trainer(trainer, save, out_dir: Path, device: str, train_items: int) -> TrainResult:
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


def save_model(
    model,
    tokenizer,
    task: str,
    labels: Sequence[str],
    names: Sequence[str],
    out_dir: Path,
    options: TrainSection,
    *,
    case: bool = False,
) -> None:
    """The adapter (or full weights) as safetensors, the tokenizer, the label map, and
    optionally LoRA merged into full weights under ``merged/``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    if options.lora and options.merge:
        merged = model.merge_and_unload()
        merged.save_pretrained(out_dir / "merged", safe_serialization=True)
        tokenizer.save_pretrained(out_dir / "merged")
    info = {
        "task": task,
        "labels": list(labels),
        "names": list(names),
        "lora": options.lora,
        "base_model": options.base_model or "default",
        "max_length": options.max_length,
        "case_features": case,
    }
    (out_dir / MODEL_INFO).write_text(json.dumps(info, indent=2))


# --- prediction ------------------------------------------------------------------------------


@dataclass
class LoadedModel:
    task: str
    labels: list[str]
    names: list[str]
    tokenizer: Any
    model: Any
    max_length: int
    class_bias: dict[str, float] | None = None
    """Offsets added to the log-probabilities per class or BIO tag (fit on dev gold)."""
    case_features: bool = False
    """Whether the model reads each piece's letter case in its token type slot."""


def load_model(model_dir: Path) -> LoadedModel:
    """A model saved by :func:`train` (adapter on its base model, or full weights)."""
    from transformers import (
        AutoModelForSequenceClassification,
        AutoModelForTokenClassification,
        AutoTokenizer,
    )

    info_path = model_dir / MODEL_INFO
    if not info_path.exists():
        raise WeakforgeError(
            f"{model_dir} is not a weakforge model folder (no {MODEL_INFO}); point at RUN_DIR/model"
        )
    info = json.loads(info_path.read_text())
    task, names = info["task"], info["names"]
    auto = AutoModelForTokenClassification if task == "ner" else AutoModelForSequenceClassification
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    if info["lora"]:
        from peft import PeftModel

        base = resolve_encoder("" if info["base_model"] == "default" else info["base_model"])
        model = auto.from_pretrained(
            base,
            num_labels=len(names),
            id2label=dict(enumerate(names)),
            label2id={n: i for i, n in enumerate(names)},
        )
        if info.get("case_features"):
            add_case_embeddings(model)  # the trained rows come with the adapter
        model = PeftModel.from_pretrained(model, model_dir)
    else:
        model = auto.from_pretrained(model_dir)
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model.to(device).eval()
    return LoadedModel(
        task,
        info["labels"],
        names,
        tokenizer,
        model,
        info["max_length"],
        info.get("class_bias"),
        info.get("case_features", False),
    )


def per_word(
    piece_probs: np.ndarray,
    offsets: Sequence[Sequence[int]],
    words: Sequence[tuple[int, int]],
    n_tags: int,
) -> np.ndarray:
    """Each word's tag probabilities: its first piece's (words past the model's length are
    "O" with certainty)."""
    pieces = first_piece_index([tuple(o) for o in offsets], words)
    word_probs = np.zeros((len(words), n_tags))
    word_probs[:, 0] = 1.0
    for p, w in enumerate(pieces):
        if w >= 0:
            word_probs[w] = piece_probs[p]
    return word_probs


@torch.no_grad()
def model_outputs(
    loaded: LoadedModel, examples: Sequence[Example], batch_size: int = 32
) -> Iterator[tuple[Example, np.ndarray, list[list[int]]]]:
    """Per example, in batches: the model's probabilities (per class, or per piece and tag)
    and the pieces' character offsets."""
    device = next(loaded.model.parameters()).device
    for start in range(0, len(examples), batch_size):
        chunk = examples[start : start + batch_size]
        encoding = loaded.tokenizer(
            [e.text for e in chunk],
            truncation=True,
            padding=True,
            max_length=loaded.max_length,
            return_offsets_mapping=True,
            return_tensors="pt",
        )
        offsets = encoding.pop("offset_mapping").tolist()
        if loaded.case_features:
            encoding["token_type_ids"] = torch.tensor(
                [case_ids(e.text, o) for e, o in zip(chunk, offsets)]
            )
        logits = loaded.model(**{k: v.to(device) for k, v in encoding.items()}).logits
        probs = torch.softmax(logits.float(), dim=-1).cpu().numpy()
        if loaded.class_bias:
            probs = apply_class_bias(probs, [loaded.class_bias[n] for n in loaded.names])
        for row, example in enumerate(chunk):
            yield example, probs[row], offsets[row]


def word_probabilities(
    loaded: LoadedModel, examples: Sequence[Example], batch_size: int = 32
) -> list[np.ndarray]:
    """NER: per example, its words' tag probabilities (columns in ``loaded.names`` order,
    the BIO tags of :func:`weakforge.labels.bio_tags`)."""
    return [
        per_word(probs, offsets, example_bounds(example), len(loaded.names))
        for example, probs, offsets in model_outputs(loaded, examples, batch_size)
    ]


def predict(
    loaded: LoadedModel, examples: Sequence[Example], batch_size: int = 32
) -> list[tuple[Label, dict[str, float]]]:
    """Per example: the predicted label (class, or spans with confidences) and, for
    classification, the class probabilities."""
    results: list[tuple[Label, dict[str, float]]] = []
    for example, probs, offsets in model_outputs(loaded, examples, batch_size):
        if loaded.task != "ner":
            results.append(
                (
                    loaded.names[int(probs.argmax())],
                    {n: round(float(x), 6) for n, x in zip(loaded.names, probs)},
                )
            )
            continue
        words = example_bounds(example)
        word_probs = per_word(probs, offsets, words, len(loaded.names))
        tags = [loaded.names[int(i)] for i in word_probs.argmax(axis=1)]
        spans = tuple(
            Span(
                words[a][0],
                words[b - 1][1],
                kind,
                round(float(np.mean([word_probs[w].max() for w in range(a, b)])), 6),
            )
            for a, b, kind in decode_tags(tags)
        )
        results.append((spans, {}))
    return results
