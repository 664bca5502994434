"""The train stage: fine-tune the end model on the current training set, evaluate it next to
its teacher (the label model) on the dev and test gold, and save it with a model card.

The training set is the newest records of the run: weak labels from the aggregate stage,
overridden by gold/reviewed labels, with the audit's flags when the audit ran.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from weakforge.atomic import atomic_file
from weakforge.config import RunConfig
from weakforge.corpus.tabular import load_records
from weakforge.evaluation import evaluate
from weakforge.layout import AGGREGATED, AUDITED, AUGMENTED, MODEL, RECORDS, TRAIN_PLOT
from weakforge.models import DEFAULT_ENCODER
from weakforge.pipeline import Stage, StageContext
from weakforge.plots import confusion_matrix, grouped_bars
from weakforge.records import Example
from weakforge.report import Image, Section, Table
from weakforge.stages.training_set import left_out_uncovered, training_set
from weakforge.tasks import task_kind
from weakforge.train.distributed import world_size
from weakforge.train.document_vote import grouping_key, remember_document_key
from weakforge.train.families import FAMILIES, load_end_model, predict_with
from weakforge.train.hf_trainer import TrainResult
from weakforge.train.search import Trial, search_and_train
from weakforge.train.self_training import SelfTraining, self_train

log = logging.getLogger(__name__)


def scored_splits(
    examples: list[Example], predictions: dict[str, Any], task: str, labels: list[str]
) -> dict[str, Any]:
    """End model and label model on each split's gold items."""
    results = {}
    for split in ("dev", "test"):
        items = [e for e in examples if e.split == split and e.gold is not None]
        if not items:
            continue
        end_model = [replace(e, label=predictions[e.id]) for e in items]
        results[split] = {
            "end_model": evaluate(end_model, task, labels, split),
            "label_model": evaluate(items, task, labels, split),
        }
    return results


FEW_ENTITIES_SHARE = 0.5
"""The end model finding fewer than this share of its teacher's entities is called out."""
BELOW_TEACHER_BY = 0.02
"""The end model scoring this much below its teacher on dev is called out."""


def teacher_warning(scores: dict[str, Any], task: str, result: TrainResult) -> str:
    """A loud note when the end model on dev gold finds far fewer entities than the label
    model or scores clearly below it (a tagger that collapsed to "no entity" on a small
    corpus reports only a low score otherwise), with what to try."""
    dev = scores.get("dev")
    if not dev:
        return ""
    kind = task_kind(task)
    end, teacher = dev["end_model"], dev["label_model"]
    problems = []
    if (
        kind.spans
        and teacher.get("predicted")
        and (end["predicted"] < FEW_ENTITIES_SHARE * teacher["predicted"])
    ):
        problems.append(
            f"the end model finds {end['predicted']} entities in dev where its label model "
            f"finds {teacher['predicted']}"
        )
    if end[kind.headline] < teacher[kind.headline] - BELOW_TEACHER_BY:
        problems.append(
            f"it scores {end[kind.headline]:.3f} {kind.headline} on dev gold against its label "
            f"model's {teacher[kind.headline]:.3f}"
        )
    if not problems:
        return ""
    return (
        "; ".join(problems)
        + f". Try more epochs ([train] epochs, now {result.epochs:g}) or a higher "
        f"[train] learning_rate (now {result.learning_rate:g}); until it beats its teacher, "
        f"the label model's own labels ({AGGREGATED} in the run folder) may serve better"
    )


def model_card(config: RunConfig, metrics: dict[str, Any]) -> str:
    lines = [
        f"# weakforge model: {config.run.name}",
        "",
        f"- task: {config.run.task}; labels: {', '.join(metrics['labels'])}",
        f"- family: {config.train.family}; base model: "
        f"{config.train.base_model or DEFAULT_ENCODER}"
        f"; {'LoRA r=' + str(config.train.lora_r) if config.train.lora else 'full'} "
        "fine-tuning",
        f"- trained on {metrics['train_items']} weakly labeled items "
        f"({'soft' if config.train.soft_labels else 'hard'} labels) on "
        f"{metrics['device']} in {metrics['seconds']:.0f} s",
        f"- trainable parameters: {metrics['trainable_parameters']:,} of "
        f"{metrics['total_parameters']:,}",
        *(
            ["- letter case fed in as features: the tokenizer is uncased ([train] case_features)"]
            if metrics.get("case_features")
            else []
        ),
        *(
            [
                "- one type per name per document (records sharing "
                f"`{metrics['document_vote_key']}`; [train] document_vote)"
            ]
            if metrics.get("document_vote_key")
            else []
        ),
        *(
            [
                "- chosen on dev gold among "
                f"{len(metrics['search'])} settings: "
                + ", ".join(
                    f"{k}={v}"
                    for k, v in max(metrics["search"], key=lambda t: t["dev_score"])[
                        "settings"
                    ].items()
                )
            ]
            if metrics.get("search")
            else []
        ),
        "",
        "## Scores",
        "",
    ]
    for split, scores in metrics["scores"].items():
        key = task_kind(config.run.task).headline
        lines.append(
            f"- {split}: end model {key} {scores['end_model'][key]:.3f}, label model "
            f"{scores['label_model'][key]:.3f}"
        )
    lines += [
        "",
        "## Configuration",
        "",
        "```json",
        json.dumps(config.to_dict()["train"], indent=2),
        "```",
        "",
        "Load with `weakforge predict MODEL_DIR INPUT`.",
    ]
    return "\n".join(lines) + "\n"


def fit(
    examples: list[Example], labels: list[str], out: Path, config: RunConfig
) -> tuple[TrainResult, list[Trial], SelfTraining]:
    """Train the configured family's end model into ``out`` (the best of a grid on dev when
    ``[train] search`` is set; again on its own labels per ``[train] self_training`` round).
    Returns the result, the search's trials and what self-training did. Every process of a
    data-parallel launch runs this."""
    task, options, seed = config.run.task, config.train, config.run.seed
    trials: list[Trial] = []

    def train_once(labeled: list[Example]) -> TrainResult:
        training = training_set(labeled, task, options)
        if options.search:
            result, found = search_and_train(
                training, labeled, task, labels, out, options=options, seed=seed
            )
            trials[:] = found
            return result
        family = FAMILIES[options.family]
        return family.train(training, task, labels, out, options=options, seed=seed)

    left_out = left_out_uncovered(examples, task, options)
    rounds = self_train(train_once, examples, task, labels, out, options, left_out)
    return rounds.result, trials, rounds


def run_train(ctx: StageContext) -> dict[str, Any]:
    config = ctx.config
    task = config.run.task
    examples = load_records(ctx.input(ctx.stage.records_from))
    labels = config.labels_for(examples)
    out = ctx.output(MODEL)
    result, trials, rounds = fit(examples, labels, out, config)
    voting = (
        task_kind(task).spans and config.train.document_vote and config.train.family == "encoder"
    )
    document_key = grouping_key(examples, config.aggregate.group_by) if voting else None
    remember_document_key(out, document_key)
    loaded = load_end_model(out)
    evaluated = [e for e in examples if e.split in ("dev", "test") and e.gold is not None]
    predicted = predict_with(loaded, evaluated)
    unscored = () if task_kind(task).spans else ""  # an unreadable answer scores as wrong
    predictions = {
        e.id: unscored if label is None else label for e, (label, _) in zip(evaluated, predicted)
    }
    unreadable = list(getattr(loaded, "unreadable", []))  # causal answers it could not read
    ambiguous = getattr(loaded, "ambiguous", 0)  # entity texts found more than once
    scores = scored_splits(examples, predictions, task, labels)
    split = "test" if "test" in scores else "dev" if "dev" in scores else None
    matrix: dict[str, dict[str, int]] = {}
    if not task_kind(task).spans and split:
        pairs = Counter((e.gold, predictions[e.id]) for e in evaluated if e.split == split)
        matrix = {g: {p: pairs[(g, p)] for p in labels} for g in labels}
        confusion_matrix(matrix, ctx.output(TRAIN_PLOT), f"end model on {split} gold")
    else:  # NER, or no gold: F1 per label of end model and teacher
        per_model = {
            name: {label: s[name]["per_label"][label]["f1"] for label in labels}
            for s in ([scores[split]] if split else [])
            for name in s
        }
        grouped_bars(
            per_model, ctx.output(TRAIN_PLOT), f"F1 per label on {split or 'no'} gold", "F1"
        )
    by_epoch: dict[float, dict[str, Any]] = {}  # the Trainer logs train and dev loss apart
    for h in result.history:
        if "loss" in h or "eval_loss" in h:
            by_epoch.setdefault(h.get("epoch"), {"epoch": h.get("epoch")}).update(
                {k: h[k] for k in ("loss", "eval_loss", "eval_span_f1") if k in h}
            )
    epochs = [by_epoch[e] for e in sorted(by_epoch, key=lambda x: x or 0)]
    warning = teacher_warning(scores, task, result)
    if warning:
        log.warning(warning)
    metrics = {
        "task": task,
        "labels": labels,
        "device": result.device,
        "seconds": round(result.seconds, 1),
        "seconds_per_epoch": round(result.seconds_per_epoch, 1),
        "learning_rate": result.learning_rate,
        "max_epochs": result.epochs,
        "train_items": result.train_items,
        "uncovered_left_out": len(left_out_uncovered(examples, task, config.train)),
        "self_training": {
            "changed": rounds.changed,
            "dev_scores": rounds.dev_scores,
            "kept": rounds.kept,
        },
        "class_bias": asdict(result.class_bias) if result.class_bias else None,
        "class_bias_skipped": result.class_bias_skipped,
        "case_features": result.case_features,
        "document_vote_key": document_key,
        "family": config.train.family,
        "processes": world_size(),
        "steps": next((h["step"] for h in reversed(result.history) if "step" in h), 0),
        "search": [asdict(t) for t in trials],
        "unreadable_answers": {"count": len(unreadable), "first": unreadable[:5]},
        "ambiguous_entity_texts": ambiguous,
        "trainable_parameters": result.trainable_parameters,
        "total_parameters": result.total_parameters,
        "epochs": epochs,
        "scores": scores,
        "confusion": {"split": split, "matrix": matrix},
        **({"warning": warning} if warning else {}),
    }
    with atomic_file(out / "README.md") as handle:
        handle.write(model_card(config, metrics))
    return metrics


def class_bias_note(bias: dict[str, Any]) -> str:
    offsets = ", ".join(f"{name} {value:+.1f}" for name, value in bias["offsets"].items())
    return (
        f"Offsets fit on {bias['dev_items']} dev items ([train] class_bias): "
        f"{offsets}; dev {bias['metric']} {bias['dev_before']} -> {bias['dev_after']}. The "
        "model applies them whenever it predicts; its dev scores below are optimistic (fit "
        "there), test is the honest figure."
        + (
            f" Kept because offsets fit on one half of dev gained {bias['cross_fit_gain']:+.4f} "
            "on the other half ([train] class_bias = 'auto')."
            if bias.get("cross_fit_gain") is not None
            else ""
        )
    )


def self_training_note(rounds: dict[str, Any]) -> str:
    """What the self-training rounds changed, and which were kept on dev gold."""
    changed, scores, kept = rounds["changed"], rounds["dev_scores"], rounds["kept"]
    note = (
        f"Self-training ([train] self_training): the end model relabeled its training items, "
        f"changing {', then '.join(map(str, changed))} weak labels in {len(changed)} round(s)"
    )
    if not scores:
        return note + "; with no dev gold to check them, every round was kept."
    trail = " -> ".join(f"{s:.4f}" for s in scores)
    if kept == len(changed):
        return note + f"; dev score by round {trail}, so every round was kept."
    return note + (
        f"; dev score by round {trail}: the last round lowered it and was undone, so the "
        f"model above is round {kept}'s" + (" (no self-training)." if kept == 0 else ".")
    )


def describe_train(metrics: dict[str, Any]) -> Section:
    key = task_kind(metrics["task"]).headline
    section = Section(
        "End model",
        [
            f"Fine-tuned on {metrics['train_items']} training items on {metrics['device']} in "
            f"{metrics['seconds']} s ({metrics['seconds_per_epoch']} s per epoch); "
            f"{metrics['trainable_parameters']:,} of {metrics['total_parameters']:,} parameters "
            "trained"
            + (
                f", learning rate {metrics['learning_rate']:g}, at most "
                f"{metrics['max_epochs']:g} epochs"
                if metrics.get("learning_rate")
                else ""
            )
            + ". Model, tokenizer, label map and card: model/."
            + (
                f" {metrics['uncovered_left_out']} train items no rule voted on were left out "
                "([train] uncovered = 'drop')."
                if metrics.get("uncovered_left_out")
                else ""
            ),
            *(
                [self_training_note(metrics["self_training"])]
                if metrics.get("self_training", {}).get("changed")
                else []
            ),
            *([class_bias_note(metrics["class_bias"])] if metrics.get("class_bias") else []),
            *(
                [f"No offsets: {metrics['class_bias_skipped']}."]
                if metrics.get("class_bias_skipped")
                else []
            ),
            Table(
                ["split", f"end model {key}", f"label model {key}", "end model beats teacher"],
                [
                    [
                        s,
                        v["end_model"][key],
                        v["label_model"][key],
                        v["end_model"][key] > v["label_model"][key],
                    ]
                    for s, v in metrics["scores"].items()
                ],
            ),
            *([f"Warning: {metrics['warning']}."] if metrics.get("warning") else []),
            *(
                [
                    f"{metrics['unreadable_answers']['count']} generated answers could not be "
                    "read as a label (scored as wrong); first: "
                    + "; ".join(metrics["unreadable_answers"]["first"])
                ]
                if metrics.get("unreadable_answers", {}).get("count")
                else []
            ),
            *(
                [
                    f"{metrics['ambiguous_entity_texts']} generated entity texts occur more "
                    "than once in their input; each was placed at its next occurrence."
                ]
                if metrics.get("ambiguous_entity_texts")
                else []
            ),
            *(
                [
                    "Hyperparameter search on dev gold (the best setting is the model above):",
                    Table(
                        ["setting", "dev score", "seconds"],
                        [
                            [
                                ", ".join(f"{k}={v}" for k, v in t["settings"].items()),
                                t["dev_score"],
                                t["seconds"],
                            ]
                            for t in metrics["search"]
                        ],
                    ),
                ]
                if metrics.get("search")
                else []
            ),
            "Per epoch:",
            Table(
                ["epoch", "train loss", "dev loss", "dev span F1 (kept by)"],
                [
                    [
                        e.get("epoch"),
                        e.get("loss", "-"),
                        e.get("eval_loss", "-"),
                        e.get("eval_span_f1", "-"),
                    ]
                    for e in metrics["epochs"]
                ],
            ),
        ],
    )
    for split, scores in metrics["scores"].items():
        section.blocks.append(f"End model per label on {split}:")
        section.blocks.append(
            Table(
                ["label", "precision", "recall", "f1", "support"],
                [
                    [n, s["precision"], s["recall"], s["f1"], s["support"]]
                    for n, s in scores["end_model"]["per_label"].items()
                ],
            )
        )
    caption = "confusion matrix" if metrics["confusion"]["matrix"] else "F1 per label"
    section.blocks.append(Image(TRAIN_PLOT, f"{caption}, {metrics['confusion']['split']} split"))
    return section


TRAIN = Stage(
    name="train",
    run=run_train,
    reads_newest=(AUGMENTED, AUDITED, AGGREGATED, RECORDS),
    outputs=(MODEL, TRAIN_PLOT),
    config_keys=("train",),
    describe=describe_train,
)
