"""The causal (decoder) end model learns a task through weakforge's causal path, from scratch.

No instruct model ships offline, so this proves the loop rather than a base model's quality:
a Llama-style model of a few million parameters, initialised at random from a config with
the offline MiniLM's WordPiece tokenizer, is fine-tuned (all weights; LoRA on a random model
would train nothing useful) on WRENCH youtube's weak labels: the default aggregation of the
benchmark's own votes, as in bench/train_wrench.py. Instruction data, answer-only loss,
early stopping on the valid split's gold, then the test split's gold scores the answers:
by free greedy generation (parsed like any model's answer; the share that parses is kept)
and by label scoring (decoding constrained to the label set). A real base model is a
config change: [train] base_model = its folder, lora = true.

    python bench/train_causal.py [--epochs 8] [--hidden 128] [--layers 4]
    python bench/train_causal.py --base-model gemma-3-270m [--epochs 2] [--max-steps N]

With ``--base-model`` (a real pretrained decoder: ``gemma-3-270m``, a .gguf or a folder) the
model is fine-tuned with LoRA (r=16, lr 2e-4) and its rows go under ``gemma_*`` keys beside
the from-scratch ones; ``--max-steps`` caps the training (a timing run on a CPU: its
accuracy then says little, and the results say it was capped).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import torch
from benchlib import markdown_table, record, shared

from weakforge.aggregate.selection import aggregate_and_choose
from weakforge.config import AggregateSection, TrainSection
from weakforge.corpus import read_corpus
from weakforge.evaluation import class_scores
from weakforge.learners.embeddings import embed
from weakforge.models import resolve_encoder
from weakforge.stages.training_set import training_set
from weakforge.testing import scratch_causal_model
from weakforge.train.causal_adapter import predict_causal, train_causal
from weakforge.train.families import load_end_model

CACHE = Path(tempfile.gettempdir()) / "weakforge-bench-embeddings"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=float, default=8)
    parser.add_argument("--learning-rate", type=float, default=1e-3)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--layers", type=int, default=4)
    parser.add_argument("--base-model", default="", help="a pretrained decoder: LoRA on it")
    parser.add_argument("--max-steps", type=int, default=-1, help="cap the training steps")
    args = parser.parse_args()
    if args.base_model:
        args.learning_rate = 2e-4 if args.learning_rate == 1e-3 else args.learning_rate
    folder = shared("wrench", "youtube")
    labels = list(json.loads((folder / "label.json").read_text()).values())
    examples = read_corpus(folder).examples
    truth = {e.id: e.gold for e in examples}
    hidden = [replace(e, gold=None) if e.split in ("train", "test") else e for e in examples]
    features = embed([e.text for e in examples], cache_dir=CACHE)
    weak, choice = aggregate_and_choose(
        hidden, "classification", labels, options=AggregateSection(), features=features
    )
    test = [e for e in weak if e.split == "test"]
    gold = [truth[e.id] for e in test]
    teacher = class_scores(gold, [e.label for e in test], labels)["accuracy"]
    options = TrainSection(
        family="causal",
        lora=bool(args.base_model),
        lora_r=16,
        max_steps=args.max_steps,
        epochs=args.epochs,
        learning_rate=args.learning_rate,
        max_length=160,
        max_new_tokens=8,
        patience=2,
    )
    with tempfile.TemporaryDirectory() as tmp:
        base = args.base_model or scratch_causal_model(
            Path(tmp) / "base",
            resolve_encoder(""),
            hidden=args.hidden,
            layers=args.layers,
            heads=4,
        )
        options = replace(options, base_model=str(base))
        training = training_set(weak, "classification", options)
        result = train_causal(
            training, "classification", labels, Path(tmp) / "model", options=options
        )
        loaded = load_end_model(Path(tmp) / "model")
        started = time.perf_counter()
        generated = [label for label, _ in predict_causal(loaded, test, generate=True)]
        generation_seconds = time.perf_counter() - started
        unreadable = list(loaded.unreadable)
        scored = [label for label, _ in predict_causal(loaded, test)]
    steps = next((h["step"] for h in reversed(result.history) if "step" in h), 1)
    batch = options.gpu_batch_size if result.device == "cuda" else options.batch_size
    generation = class_scores(gold, [x or "" for x in generated], labels)["accuracy"]
    constrained = class_scores(gold, scored, labels)["accuracy"]
    parsed_share = round(1 - len(unreadable) / len(test), 4)
    metrics = {
        "youtube_generation_acc": generation,
        "youtube_constrained_acc": constrained,
        "youtube_label_model_acc": teacher,
        "label_method": f"{choice.method}, {choice.rounds} rounds",
        "parsed_share": parsed_share,
        "unreadable_examples": unreadable[:5],
        "parameters": result.total_parameters,
        "train_items": result.train_items,
        "seconds": round(result.seconds, 1),
        "seconds_per_step": round(result.seconds / steps, 4),
        "examples_per_second": round(steps * batch / result.seconds, 1),
        "generation_seconds_per_item": round(generation_seconds / len(test), 4),
        "device": result.device,
        "gpu": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }
    summary = (
        f"{result.total_parameters:,} parameters, {result.train_items} train items, "
        f"{metrics['seconds_per_step']} s per step, {metrics['examples_per_second']} examples "
        f"per second on {result.device}."
    )
    if args.base_model:  # the real model's rows, beside the from-scratch ones kept
        earlier = Path(__file__).parent / "results" / "train_causal.json"
        kept = json.loads(earlier.read_text()) if earlier.exists() else {}
        scratch_run = {  # where the kept from-scratch rows came from
            "scratch_command": kept.get("scratch_command", kept.get("command")),
            "scratch_when": kept.get("scratch_when", kept.get("when")),
        }
        metrics = {
            **{k: v for k, v in kept.items() if k not in ("command", "data", "when", "machine")},
            **scratch_run,
            "gemma_base_model": args.base_model,
            "gemma_youtube_acc": constrained,
            "gemma_youtube_generation_acc": generation,
            "gemma_parsed_share": parsed_share,
            "gemma_seconds_per_step": metrics["seconds_per_step"],
            "gemma_steps": steps,
            "gemma_max_steps": args.max_steps,
            "gemma_train_items": result.train_items,
            "gemma_trainable_parameters": result.trainable_parameters,
            "gemma_device": result.device,
        }
    table = markdown_table(
        ["scored by", "test accuracy", "parsed share"],
        [
            ["greedy generation, parsed", generation, parsed_share],
            ["label scoring (constrained)", constrained, 1.0],
            ["label model (teacher)", teacher, "-"],
        ],
    )
    record(
        "train_causal",
        metrics,
        table + "\n\n" + summary,
        ["../shared/data/wrench/youtube"],
        notes="A from-scratch Llama-style model (MiniLM's WordPiece tokenizer) trained through "
        "[train] family = 'causal' on weak labels only; test gold scores only.",
    )


if __name__ == "__main__":
    main()
