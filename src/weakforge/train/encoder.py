"""The encoder family: fine-tuning a transformer encoder on weak labels (transformers +
peft), saving, loading and predicting.

Sequence classification and token classification (BIO tags on the first word piece of each
word) share one recipe: every item carries a target *distribution* — one-hot for hard labels,
the label model's probabilities when ``soft_labels`` is on — and the loss is the
cross-entropy against it (optionally weighted by the label's confidence). LoRA adapters by
default (the classifier head trains fully), full fine-tuning as an option. CUDA with bf16,
TF32, fused AdamW and larger batches when a GPU is present; the CPU otherwise
(:mod:`weakforge.train.hardware`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from weakforge.config import TrainSection
from weakforge.errors import WeakforgeError
from weakforge.labels import bio_tags, decode_tags
from weakforge.models import resolve_encoder
from weakforge.records import Example, Label, Span
from weakforge.tasks import task_kind
from weakforge.tokenize import example_bounds
from weakforge.train.bio_decoding import TagLattice
from weakforge.train.case_features import (
    TOKEN_TYPE_SLOT,
    add_case_embeddings,
    case_ids,
    slow_case_rows,
    uses_case_features,
)
from weakforge.train.class_bias import (
    MIN_DEV_ITEMS,
    ClassBias,
    apply_class_bias,
    cross_fit_type_gain,
    fit_class_bias,
    fit_type_bias,
    log_of,
)
from weakforge.train.dev_span_f1 import METRIC, span_f1_metric
from weakforge.train.document_vote import DOCUMENT_KEY, vote_in_documents
from weakforge.train.encoding import collate, encode, first_piece_index, soft_cross_entropy
from weakforge.train.hardware import device_settings
from weakforge.train.hf_trainer import (
    MODEL_INFO,
    TrainResult,
    lora_targets,
    run_trainer,
    trainer_callbacks,
    training_arguments,
    update_model_info,
)
from weakforge.train.items import TrainingSet, TrainItem
from weakforge.train.task_defaults import with_task_defaults

log = logging.getLogger(__name__)


def build_model(task: str, labels: Sequence[str], options: TrainSection):
    """The tokenizer, the model (LoRA-wrapped unless ``lora`` is off), its output names
    (classes or BIO tags) and whether it takes case features."""
    from transformers import (
        AutoModelForSequenceClassification,
        AutoModelForTokenClassification,
        AutoTokenizer,
    )

    base = resolve_encoder(options.base_model)
    names = bio_tags(labels) if task_kind(task).spans else list(labels)
    auto = (
        AutoModelForTokenClassification
        if task_kind(task).spans
        else AutoModelForSequenceClassification
    )
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
            task_type=TaskType.TOKEN_CLS if task_kind(task).spans else TaskType.SEQ_CLS,
            r=options.lora_r,
            lora_alpha=options.lora_alpha,
            lora_dropout=options.lora_dropout,
            target_modules=lora_targets(model, options.target_modules),
            modules_to_save=["classifier", *([TOKEN_TYPE_SLOT] if case else [])],
        )
        model = get_peft_model(model, config)
    return tokenizer, model, names, case


def train(
    training: TrainingSet,
    task: str,
    labels: Sequence[str],
    out_dir: Path,
    *,
    options: TrainSection,
    seed: int = 0,
) -> TrainResult:
    """Fine-tune on ``training.train``, keep the best epoch on ``training.dev`` (when there
    is dev gold), save everything the model needs into ``out_dir``."""
    from transformers import Trainer, set_seed

    set_seed(seed)
    items, dev = training.required().train, training.dev
    tokenizer, model, names, case = build_model(task, labels, options)
    hardware = device_settings(options)
    options = with_task_defaults(options, task, len(items), hardware["batch_size"])
    train_set = encode(tokenizer, task, items, labels, options, case=case)
    dev_set = encode(tokenizer, task, dev, labels, options, case=case) if dev else None

    class SoftTrainer(Trainer):
        def create_optimizer(self, model=None):
            optimizer = super().create_optimizer(model)
            share = task_kind(task).case_learning_rate_share
            if case and share != 1.0:
                slow_case_rows(optimizer, self.model, share)
            return optimizer

        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            soft = inputs.pop("soft_labels")
            weights = inputs.pop("sample_weight")
            outputs = model(**inputs)
            loss = soft_cross_entropy(outputs.logits, soft, weights)
            return (loss, outputs) if return_outputs else loss

    tagger = task_kind(task).spans and dev_set is not None
    by_span_f1 = {"metric_for_best_model": METRIC, "greater_is_better": True} if tagger else {}
    args = training_arguments(
        out_dir,
        options,
        hardware,
        has_dev=bool(dev_set),
        seed=seed,
        per_device_eval_batch_size=hardware["batch_size"] * 2,
        dataloader_num_workers=hardware["workers"],
        label_names=["soft_labels"],
        **by_span_f1,
    )
    trainer = SoftTrainer(
        model=model,
        args=args,
        train_dataset=train_set,
        eval_dataset=dev_set,
        compute_metrics=span_f1_metric(names) if tagger else None,
        data_collator=lambda batch: collate(batch, tokenizer.pad_token_id or 0),
        callbacks=trainer_callbacks(options, has_dev=bool(dev_set)),
    )
    save = lambda trained: save_model(  # noqa: E731
        trained, tokenizer, task, labels, names, out_dir, options, case=case
    )
    result = run_trainer(trainer, save, out_dir, hardware["device"], len(items), options)
    result.case_features = case
    auto = options.class_bias == "auto"
    if dev and options.class_bias != "none" and len(dev) < MIN_DEV_ITEMS:
        result.class_bias_skipped = (
            f"only {len(dev)} dev items have gold; [train] class_bias fits offsets from "
            f"{MIN_DEV_ITEMS} on, so the model predicts by its plain argmax"
        )
        log.warning(result.class_bias_skipped)
    elif dev and options.class_bias != "none":
        model = trainer.model.eval()
        loaded = LoadedModel(
            task, list(labels), names, tokenizer, model, options.max_length, case_features=case
        )
        checked = auto and task_kind(task).auto_class_bias == "cross_checked"
        result.class_bias, result.class_bias_skipped = fit_dev_class_bias(
            loaded, dev, out_dir, cross_checked=checked
        )
    return result


def fit_dev_class_bias(
    loaded: LoadedModel, dev: Sequence[TrainItem], out_dir: Path, *, cross_checked: bool = False
) -> tuple[ClassBias | None, str]:
    """Fit the offsets on dev gold (:mod:`weakforge.train.class_bias`: per class, or per
    entity type) and store them with the model, which applies them whenever it predicts.
    With ``cross_checked`` (NER) only where offsets fit on one half of dev gain span F1 on
    the other; else none, and why. (Dev gold names only known classes: the trainer's dev
    loss has encoded it already.)"""
    if task_kind(loaded.task).spans:
        words = [item.words for item in dev]
        probs = word_probabilities(loaded, dev, words=words)
        gold = [item.label for item in dev]
        if cross_checked:
            gain = cross_fit_type_gain(probs, words, gold, loaded.names)
            if gain <= 0:
                why = (
                    f"entity type offsets fit on one half of dev changed span F1 on the other "
                    f"half by {gain:+.4f}, so none are kept ([train] class_bias = 'dev' fits "
                    "them anyway)"
                )
                log.info(why)
                return None, why
            log.info("entity type offsets gained %+.4f span F1 across dev halves: kept", gain)
        bias = fit_type_bias(probs, words, gold, loaded.names)
        if cross_checked:
            bias = replace(bias, cross_fit_gain=gain)
    else:
        probs = np.stack([p for _, p, _ in model_outputs(loaded, dev)])
        gold = [loaded.names.index(item.label) for item in dev]
        bias = fit_class_bias(probs, gold, loaded.names)
    update_model_info(out_dir, class_bias=bias.offsets)
    return bias, ""


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
    document_key: str | None = None
    """NER: the record field grouping records into documents, within which each predicted
    name takes one type (:mod:`weakforge.train.document_vote`); none: no vote."""


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
    auto = (
        AutoModelForTokenClassification
        if task_kind(task).spans
        else AutoModelForSequenceClassification
    )
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
        info.get(DOCUMENT_KEY),
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
    loaded: LoadedModel, examples: Sequence[Example | TrainItem], batch_size: int = 32
) -> Iterator[tuple[Any, np.ndarray, list[list[int]]]]:
    """Per record (or item: only its ``text`` is read), in batches: the model's
    probabilities (per class, or per piece and tag) and the pieces' character offsets."""
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
    loaded: LoadedModel,
    examples: Sequence[Example | TrainItem],
    batch_size: int = 32,
    *,
    words: Sequence[Sequence[tuple[int, int]]] | None = None,
) -> list[np.ndarray]:
    """NER: per text, its words' tag probabilities (columns in ``loaded.names`` order, the
    BIO tags of :func:`weakforge.labels.bio_tags`); the words are a record's own bounds
    unless ``words`` gives them."""
    outputs = model_outputs(loaded, examples, batch_size)
    return [
        per_word(probs, offsets, words[i] if words else example_bounds(x), len(loaded.names))
        for i, (x, probs, offsets) in enumerate(outputs)
    ]


def predict(
    loaded: LoadedModel, examples: Sequence[Example], batch_size: int = 32
) -> list[tuple[Label, dict[str, float]]]:
    """Per example: the predicted label (class, or spans with confidences) and, for
    classification, the class probabilities."""
    if task_kind(loaded.task).spans:
        spans = [
            found
            for start in range(0, len(examples), SPAN_CHUNK)
            for found in predict_spans(loaded, examples[start : start + SPAN_CHUNK], batch_size)
        ]
        if loaded.document_key:
            spans = vote_in_documents(examples, spans, loaded.document_key)
        return [(found, {}) for found in spans]
    return [
        (
            loaded.names[int(probs.argmax())],
            {n: round(float(x), 6) for n, x in zip(loaded.names, probs)},
        )
        for _, probs, _ in model_outputs(loaded, examples, batch_size)
    ]


SPAN_CHUNK = 4096
"""NER records whose word probabilities are held and decoded together."""


def predict_spans(
    loaded: LoadedModel, examples: Sequence[Example], batch_size: int
) -> list[tuple[Span, ...]]:
    """Per record its spans: the best valid BIO path over its words (decoded for all the
    records at once), each span's confidence the mean of its words' highest probability."""
    bounds = [example_bounds(e) for e in examples]
    word_probs = word_probabilities(loaded, examples, batch_size, words=bounds)
    paths = TagLattice([log_of(p) for p in word_probs], loaded.names).best_paths()
    return [
        tuple(
            Span(
                words[a][0],
                words[b - 1][1],
                kind,
                round(float(np.mean([probs[w].max() for w in range(a, b)])), 6),
            )
            for a, b, kind in decode_tags([loaded.names[t] for t in path])
        )
        for words, probs, path in zip(bounds, word_probs, paths)
    ]
