"""The aggregate stage: merge every source's votes into the records, aggregate them into
probabilistic weak labels, score the label model on gold dev/test items, and analyse the
sources (LF table)."""

from __future__ import annotations

import logging
from dataclasses import asdict, replace
from typing import Any

from weakforge.aggregate.documents import document_sources
from weakforge.aggregate.error_analysis import bucket_rows, confusion_rows, error_analysis
from weakforge.aggregate.model_sources import rounds_for
from weakforge.aggregate.selection import aggregate_and_choose
from weakforge.corpus.tabular import load_records, save_records
from weakforge.digests import digest_path
from weakforge.errors import StageError
from weakforge.evaluation import evaluate
from weakforge.labeling.applier import read_votes
from weakforge.labeling.stats import lf_stats, table_rows
from weakforge.layout import (
    AGGREGATE_PLOT,
    AGGREGATED,
    EMBEDDING_CACHE,
    MODEL_SOURCE_CACHE,
    RECORDS,
    VOTES,
    VOTES_MADE_FROM,
)
from weakforge.learners.embeddings import embed
from weakforge.pipeline import Stage, StageContext
from weakforge.plots import grouped_bars
from weakforge.records import Example, label_counts_by_split
from weakforge.report import Image, Section, Table
from weakforge.review.feedback import (
    apply_decisions,
    read_decisions,
    review_agreement,
    review_database,
)
from weakforge.stages.review import REVIEW_DECISIONS
from weakforge.tasks import task_kind

log = logging.getLogger(__name__)


def with_votes(examples: list[Example], votes: dict[str, dict[str, Any]]) -> list[Example]:
    """Records with the rule votes added to the votes they already carry."""
    return [replace(e, votes={**e.votes, **votes[e.id]}) if e.id in votes else e for e in examples]


def check_votes_current(ctx: StageContext) -> None:
    """Votes are only merged with the records they were made from: after the corpus changed
    and the label stage did not run, they would go to the old ids (new records none)."""
    stamp = ctx.input(VOTES) / VOTES_MADE_FROM
    if stamp.exists() and stamp.read_text(encoding="utf-8").strip() != digest_path(
        ctx.input(RECORDS)
    ):
        raise StageError(
            f"{ctx.input(VOTES)} holds votes on other records than {ctx.input(RECORDS)} (the "
            "corpus changed since the label stage ran); add 'label' to [run] stages, or run "
            "`weakforge label` first"
        )


def no_spans_warning(voted: list[Example], result: list[Example]) -> str:
    """A loud message when the sources voted spans but the label model kept none on the
    texts without gold (e.g. one source below ~0.4 dev precision against the "no entity"
    vote); empty otherwise."""
    votes = sum(len(v or ()) for e in voted for v in e.votes.values() if isinstance(v, tuple))
    kept = sum(len(e.label or ()) for e in result if e.gold is None)
    if not votes or kept:
        return ""
    message = (
        f"the label model kept no entity although the sources voted {votes} spans: every "
        "weak label is empty. Check the sources' dev precision (weakforge lf-stats); with few "
        'or weak sources try [aggregate] weights_from_gold = false or method = "majority"'
    )
    log.warning(message)
    return message


def run_aggregate(ctx: StageContext) -> dict[str, Any]:
    config = ctx.config
    check_votes_current(ctx)
    examples = with_votes(load_records(ctx.input(RECORDS)), read_votes(ctx.input(VOTES)))
    database = review_database(config, ctx.run_dir)
    examples, reviewed = apply_decisions(examples, *read_decisions(database))
    labels = config.labels_for(examples)
    task = config.run.task
    features = None
    if rounds_for(task, config.aggregate.rounds) and task_kind(task).model_source_reads_embeddings:
        cache = ctx.run_dir / EMBEDDING_CACHE
        features = embed([e.text for e in examples], config.audit.model, cache)
    result, choice = aggregate_and_choose(
        examples,
        task,
        labels,
        options=config.aggregate,
        seed=config.run.seed,
        features=features,
        cache=ctx.run_dir / MODEL_SOURCE_CACHE,
    )
    save_records(result, ctx.output(AGGREGATED))
    analysis = error_analysis(result, task, labels, config.aggregate.label_groups)
    counts = label_counts_by_split(result, "label")
    no_spans = no_spans_warning(examples, result) if task_kind(task).spans else ""
    grouped_bars(
        counts,
        ctx.output(AGGREGATE_PLOT),
        "weak labels per split",
        task_kind(task).counted,
    )
    return {
        "task": task,
        "reviewed": reviewed,
        "review_agreement": review_agreement(database),
        "method": choice.method,
        "method_choice": {"why": choice.why, "dev_scores": choice.dev_scores},
        "rounds": choice.rounds,
        "document_sources": document_sources(config.aggregate, labels)
        if task_kind(task).spans
        else [],
        "labels": labels,
        "n_sources": len({s for e in examples for s in e.votes}),  # model sources aside
        "unlabeled": sum(e.label is None for e in result),
        **({"warning": no_spans} if no_spans else {}),
        "label_counts": counts,
        "label_model": {split: evaluate(result, task, labels, split) for split in ("dev", "test")},
        "lf_stats": lf_stats(result, task, config.aggregate.label_groups),
        "errors": asdict(analysis) if analysis else None,
    }


def describe_aggregate(metrics: dict[str, Any]) -> Section:
    task = metrics["task"]
    rounds = f" and {metrics['rounds']} model-source rounds" if metrics.get("rounds") else ""
    reviewed = metrics.get("reviewed", {})
    used = (
        f" Reviewed decisions used: {reviewed['gold']} labels as gold, {reviewed['dropped']}"
        " items dropped as duplicates."
        if reviewed.get("gold") or reviewed.get("dropped")
        else ""
    )
    if reviewed.get("stale"):
        used += (
            f" {reviewed['stale']} decision(s) were made on a text that has changed since "
            f"(same id, other text: {', '.join(reviewed['stale_items'])}) and were set "
            "aside, not applied: review those items again."
        )
    agreement = metrics.get("review_agreement") or {}
    if agreement:
        used += (
            f" Reviewer agreement: {agreement['summary']}"
            + (
                f" (disagreements: {', '.join(agreement['disagreements'][:10])})"
                if agreement["disagreements"]
                else ""
            )
            + "."
        )
    section = Section(
        "Weak labels",
        [
            f"Aggregated {metrics['n_sources']} sources with {metrics['method']}{rounds} "
            f"({metrics.get('method_choice', {}).get('why', 'configured')}); "
            f"{metrics['unlabeled']} texts left without a label.{used}",
            Image(AGGREGATE_PLOT, "weak labels per split"),
        ],
    )
    if metrics.get("document_sources"):
        section.blocks.append(
            "Document-level sources added to the rules: "
            f"{', '.join(metrics['document_sources'])} (documents by [aggregate] group_by)."
        )
    if metrics.get("warning"):
        section.blocks.append(f"Warning: {metrics['warning']}.")
    tried = metrics.get("method_choice", {}).get("dev_scores")
    if tried:
        section.blocks.append(
            "Methods tried on the dev gold (span F1 for NER, macro-F1 otherwise; the dev gold "
            "also set the weighted ones' source weights, so these are optimistic):"
        )
        section.blocks.append(
            Table(["method, model-source rounds", "dev score"], [[k, v] for k, v in tried.items()])
        )
    for split, scores in metrics["label_model"].items():
        if scores is None:
            continue
        if task_kind(task).spans:
            section.blocks.append(
                f"Label model on {split} gold ({scores['support']} entities): "
                f"P {scores['precision']:.3f} / R {scores['recall']:.3f} / "
                f"F1 {scores['f1']:.3f} (exact span and type)."
            )
        else:
            section.blocks.append(
                f"Label model on {split} gold ({scores['support']} texts): "
                f"accuracy {scores['accuracy']:.3f}, macro-F1 "
                f"{scores['macro_f1']:.3f}."
            )
        section.blocks.append(
            Table(
                ["label", "precision", "recall", "f1", "support"],
                [
                    [name, s["precision"], s["recall"], s["f1"], s["support"]]
                    for name, s in scores["per_label"].items()
                ],
            )
        )
    errors = metrics.get("errors")
    if errors and errors["buckets"]:
        section.blocks += [
            f"The label model's errors on {errors['split']} gold ({errors['items']} items; "
            "`weakforge errors RUN_FOLDER` prints the same): what it said per gold label,",
            Table(*confusion_rows(errors["confusion"])),
            "and per kind of error the sources that voted for what it said:",
            Table(*bucket_rows(errors["buckets"])),
        ]
    headers, rows = table_rows(metrics["lf_stats"], task)
    section.blocks += [
        "Labeling functions (coverage, overlap and conflict over all texts; "
        "accuracy/precision/recall on dev and reviewed gold):",
        Table(headers, rows),
    ]
    return section


AGGREGATE = Stage(
    name="aggregate",
    run=run_aggregate,
    inputs=(RECORDS, VOTES),
    outputs=(AGGREGATED, AGGREGATE_PLOT),
    config_keys=("aggregate",),
    config_values=lambda config: {"embedding model": config.audit.model},
    reads=(REVIEW_DECISIONS,),
    describe=describe_aggregate,
)
