"""The audit stage: run the configured checks (:data:`weakforge.audit.CHECKS`), rank the
flagged items into the review queue, and describe the findings in the report.

Each item's label under audit is its gold label where it has one, else its weak label. A
run without the label and aggregate stages (``[run] stages = ["ingest", "audit"]``) audits
the corpus's own human labels, train's included, which ingest otherwise sets aside.
Priority mixes label-issue severity with uncertainty and each flag's declared severity, so
that a reviewer's first hundred items are the most useful ones. The queue is a declared
output (a :class:`~weakforge.pipeline.Store`): deleting it reruns this stage.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from weakforge.audit import CHECKS, AuditData, run_checks
from weakforge.audit.checks import chosen_checks
from weakforge.corpus.tabular import load_records, save_records
from weakforge.errors import ConfigError
from weakforge.labels import given_label
from weakforge.layout import (
    AGGREGATED,
    AUDIT_PLOT,
    AUDIT_TAGGER_CACHE,
    AUDITED,
    EMBEDDING_CACHE,
    RECORDS,
)
from weakforge.learners.embeddings import embed
from weakforge.learners.neighbours import nearest_neighbours
from weakforge.pipeline import Stage, StageContext
from weakforge.plots import histograms
from weakforge.records import Example, label_from_json, label_to_json
from weakforge.report import Image, Section, Table
from weakforge.review.feedback import review_database
from weakforge.review.store import QueueItem, display_name, update_queue
from weakforge.stages.review import REVIEW_QUEUE

TOP = 10  # items the report shows


def human_labels_only(examples: list[Example]) -> list[Example]:
    """Records no aggregator labeled: train's set-aside gold becomes the label under audit."""
    restored = [
        replace(e, gold=label_from_json(e.meta["train_gold"]))
        if e.gold is None and "train_gold" in e.meta
        else e
        for e in examples
    ]
    if not any(e.gold is not None for e in restored):
        raise ConfigError(
            "nothing to audit: the records carry no gold label and no weak label. Add the "
            "'label' and 'aggregate' stages to [run] stages (with [label] rules), or give "
            "the corpus its labels (the [data] label field or column)"
        )
    return restored


def run_audit(ctx: StageContext) -> dict[str, Any]:
    config = ctx.config
    task = config.run.task
    examples = load_records(ctx.input(ctx.stage.records_from))
    gold_only = ctx.stage.records_from != AGGREGATED
    if gold_only:
        examples = human_labels_only(examples)
    labels = config.labels_for(examples)
    embeddings = embed(
        [e.text for e in examples], config.audit.model, ctx.run_dir / EMBEDDING_CACHE
    )
    data = AuditData(
        examples,
        labels,
        task,
        config.audit,
        embeddings,
        nearest_neighbours(embeddings, config.audit.knn),
        seed=config.run.seed,
        cache_dir=ctx.run_dir / AUDIT_TAGGER_CACHE,
        document_key=config.aggregate.group_by,
    )
    checks = chosen_checks(config.audit.checks)
    found = run_checks(data, checks)
    suggested = found.column("suggested", None)
    quality = found.column("quality", 1.0)
    duplicate_set = found.column("duplicate_set", None)
    span_issues = found.column("span_issues", None)
    priorities = found.priorities()
    audited = [
        replace(
            e,
            flags=found.flags[i],
            meta={
                **e.meta,
                "audit": {
                    "suggested": suggested[i],
                    "quality": round(float(quality[i]), 4),
                    "why": found.why[i],
                    "duplicate_set": duplicate_set[i],
                    "span_issues": span_issues[i],
                },
            },
        )
        for i, e in enumerate(examples)
    ]
    save_records(audited, ctx.output(AUDITED))
    queue = [
        QueueItem(
            id=e.id,
            text=e.text,
            split=e.split,
            task=task,
            weak_label=label_to_json(given_label(e)),
            suggested_label=suggested[i],
            issues=sorted(found.flags[i]),
            scores=found.flags[i],
            votes={s: label_to_json(v) for s, v in e.votes.items()},
            why="; ".join(found.why[i]),
            duplicate_set=duplicate_set[i],
            priority=priorities[i],
            probs={} if e.gold is not None else dict(e.probs or {}),
        )
        for i, e in enumerate(examples)
        if found.flags[i]
    ]
    database = review_database(config, ctx.run_dir)
    queue_counts = update_queue(
        database, queue, labels=labels, double_share=config.audit.double_annotate
    )
    histograms(
        {
            "label quality": quality,
            "outlier score": found.column("outlier_score", 1.0),
        },
        ctx.output(AUDIT_PLOT),
        "audit score distributions",
    )
    ranked = sorted(queue, key=lambda q: -q.priority)[:TOP]
    return {
        "task": task,
        "checks": [c.name for c in checks],
        "audited_labels": "human (gold only)" if gold_only else "gold where given, else weak",
        "issue_counts": dict(sorted(Counter(k for f in found.flags for k in f).items())),
        "flagged": len(queue),
        "n_examples": len(examples),
        **found.summary,
        "top": [
            {
                "id": q.id,
                "text": q.text[:200],
                "issues": list(q.issues),
                "priority": q.priority,
                "why": q.why,
            }
            for q in ranked
        ],
        "queue": {"database": display_name(database), **queue_counts},
    }


def describe_audit(metrics: dict[str, Any]) -> Section:
    counts = metrics["issue_counts"]
    section = Section(
        "Audit",
        [
            f"{metrics['flagged']} of {metrics['n_examples']} items flagged and queued for review "
            f"({metrics['queue']['database']}: {metrics['queue']['new']} new, "
            f"{metrics['queue']['updated']} updated, {metrics['queue']['retired']} no longer "
            f"flagged). Labels audited: {metrics.get('audited_labels', 'gold or weak')}.",
            Table(["issue type", "items"], [[k, v] for k, v in counts.items()] or [["none", 0]]),
        ],
    )
    for name in metrics.get("checks", CHECKS):
        if name in CHECKS:
            section.blocks += CHECKS[name].describe(metrics)
    section.blocks += [
        Image(AUDIT_PLOT, "label quality (cleanlab, low = likely wrong) and outlier scores"),
        "Highest-priority items (the signal that flagged each is named):",
        Table(
            ["id", "priority", "issues", "why", "text"],
            [
                [t["id"], t["priority"], ", ".join(t["issues"]), t["why"], t["text"][:80]]
                for t in metrics["top"]
            ],
        ),
    ]
    return section


AUDIT = Stage(
    name="audit",
    run=run_audit,
    reads_newest=(AGGREGATED, RECORDS),
    outputs=(AUDITED, AUDIT_PLOT),
    fills=(REVIEW_QUEUE,),
    config_keys=("audit",),
    describe=describe_audit,
)
