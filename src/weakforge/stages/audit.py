"""The audit stage: flag likely label errors, duplicates, outliers and leakage, rank them
into the review queue, and describe them in the report.

Each item's label under audit is its gold label where it has one, else its weak label.
Signals: cleanlab label issues (out-of-sample classifier vs that label), the aggregator's
own confidence, duplicate sets (exact / MinHash / embedding), cleanlab outlier scores,
cross-split duplicates (leakage), class imbalance and the sources that disagree most with
the consensus. Priority mixes label-issue severity with uncertainty, so that a reviewer's
first hundred items are the most useful ones.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from weakforge.audit.cleanlab_adapter import (
    classification_label_issues,
    cross_val_probs,
    ner_label_issues,
)
from weakforge.audit.cleanlab_adapter import outlier_scores as cleanlab_outlier_scores
from weakforge.audit.duplicates import (
    DuplicateSet,
    embedding_duplicate_sets,
    exact_duplicate_sets,
    merge_sets,
    minhash_duplicate_sets,
)
from weakforge.audit.embeddings import embed, word_vectors
from weakforge.audit.neighbours import Neighbours, nearest_neighbours
from weakforge.config import RunConfig
from weakforge.corpus.tabular import load_records, save_records
from weakforge.pipeline import Stage, StageContext
from weakforge.plots import histograms
from weakforge.records import Example, Label, label_to_json, labels_used
from weakforge.report import Image, Section, Table
from weakforge.review.service import review_database
from weakforge.review.store import QueueItem, display_name, update_queue
from weakforge.stages.aggregate import AGGREGATED
from weakforge.tokenize import example_bounds

log = logging.getLogger(__name__)
AUDITED = "audited.parquet"
PLOT = "plots/audit_scores.png"
EMBEDDING_CACHE = "cache/embeddings"


def given_label(example: Example) -> Label:
    """The label the audit questions: gold where present, else the weak label."""
    return example.gold if example.gold is not None else example.label


@dataclass
class Findings:
    """Per-item audit results, indexed like the examples."""

    flags: list[dict[str, float]]
    why: list[list[str]]
    suggested: list[Label]
    quality: np.ndarray
    uncertainty: np.ndarray
    duplicate_set: list[int | None]
    extra: dict[str, Any] = field(default_factory=dict)


def label_findings(
    examples: list[Example], labels: list[str], task: str, embeddings: np.ndarray, config: RunConfig
) -> Findings:
    n = len(examples)
    found = Findings(
        [{} for _ in range(n)],
        [[] for _ in range(n)],
        [None] * n,
        np.ones(n),
        np.zeros(n),
        [None] * n,
    )
    audited = [i for i, e in enumerate(examples) if given_label(e) is not None]
    if len(audited) < 2 * config.audit.folds:
        log.warning("too few labeled items (%d) for cross-validated label checks", len(audited))
        return found
    if task == "ner":
        words = [example_bounds(examples[i]) for i in audited]
        vectors = word_vectors([examples[i].text for i in audited], words, config.audit.model)
        issues = ner_label_issues(
            vectors,
            words,
            [given_label(examples[i]) or () for i in audited],
            labels,
            config.audit.folds,
            config.run.seed,
        )
        for position, i in enumerate(audited):
            found.quality[i] = issues.quality[position]
            found.uncertainty[i] = issues.uncertainty[position]
            found.suggested[i] = issues.suggested[position]
            if issues.is_issue[position]:
                text = examples[i].text
                tokens = [
                    text[a:b]
                    for a, b in (words[position][w] for w in issues.flagged_words[position])
                ]
                found.flags[i]["label_issue"] = round(1 - float(issues.quality[position]), 4)
                found.why[i].append(f"cleanlab: tokens {tokens} look mislabeled")
        return found
    index = {x: k for k, x in enumerate(labels)}
    y = np.array([index[given_label(examples[i])] for i in audited])
    probs = cross_val_probs(
        embeddings[audited], y, len(labels), config.audit.folds, config.run.seed
    )
    issues = classification_label_issues(y, probs)
    for position, i in enumerate(audited):
        example = examples[i]
        found.quality[i] = issues.quality[position]
        aggregator_margin = 1.0
        if example.probs:
            top = sorted(example.probs.values(), reverse=True) + [0.0]
            aggregator_margin = top[0] - top[1]
        found.uncertainty[i] = 1 - min(issues.margin[position], aggregator_margin)
        suggestion = labels[int(issues.suggested[position])]
        found.suggested[i] = suggestion
        if issues.is_issue[position]:
            found.flags[i]["label_issue"] = round(1 - float(issues.quality[position]), 4)
            found.why[i].append(
                f"cleanlab: classifier says {suggestion} "
                f"(p={probs[position].max():.2f}), label is {labels[y[position]]}"
            )
        elif example.gold is None and aggregator_margin < 0.2 and suggestion != example.label:
            found.flags[i]["low_confidence"] = round(1 - aggregator_margin, 4)
            found.why[i].append(
                f"aggregator unsure (margin {aggregator_margin:.2f}) and the "
                f"classifier prefers {suggestion}"
            )
    return found


def duplicate_findings(
    examples: list[Example], neighbours: Neighbours, config: RunConfig, found: Findings
) -> list[DuplicateSet]:
    texts = [e.text for e in examples]
    exact = exact_duplicate_sets(texts)
    has_twin = {i for group in exact for i in group}
    sets = merge_sets(
        {
            "exact": exact,
            "near (MinHash)": minhash_duplicate_sets(texts, config.audit.minhash_threshold),
            "paraphrase (embedding)": embedding_duplicate_sets(
                neighbours, config.audit.near_duplicate_threshold
            ),
        },
        [given_label(e) for e in examples],
        [e.split for e in examples],
    )
    for number, duplicate in enumerate(sets):
        for i in duplicate.members:
            found.duplicate_set[i] = number
            kind = "exact_duplicate" if i in has_twin else "near_duplicate"
            found.flags[i][kind] = 1.0
            others = [examples[j].id for j in duplicate.members if j != i][:3]
            found.why[i].append(f"{' + '.join(duplicate.kinds)} duplicate of {others}")
            if duplicate.conflicting:
                found.flags[i]["duplicate_conflict"] = 1.0
                found.why[i].append("duplicates carry different labels")
            if duplicate.leaks:
                found.flags[i]["leakage"] = 1.0
                found.why[i].append(f"duplicate set spans splits {list(duplicate.splits)}")
    return sets


def source_disagreement(examples: list[Example]) -> list[dict[str, Any]]:
    """Per source: how often its votes differ from the aggregated label (worst first)."""
    votes: Counter = Counter()
    differ: Counter = Counter()
    for example in examples:
        if example.label is None:
            continue
        agreed = set(example.label) if isinstance(example.label, tuple) else None
        for source, vote in example.votes.items():
            if vote is None or vote == ():
                continue
            if isinstance(vote, tuple):
                for span in vote:
                    votes[source] += 1
                    differ[source] += span not in agreed
            else:
                votes[source] += 1
                differ[source] += vote != example.label
    rows = [
        {"source": s, "votes": votes[s], "disagreement": round(differ[s] / votes[s], 3)}
        for s in votes
    ]
    return sorted(rows, key=lambda r: -r["disagreement"])


def priority(flags: dict[str, float], quality: float, uncertainty: float) -> float:
    """Label-issue severity first, then uncertainty (margin sampling), then other issues."""
    severity = 1 - quality if ("label_issue" in flags or "low_confidence" in flags) else 0.0
    other = max(
        [
            1.0 if k in ("duplicate_conflict", "leakage") else 0.5
            for k in flags
            if k not in ("label_issue", "low_confidence")
        ],
        default=0.0,
    )
    return round(0.6 * severity + 0.25 * uncertainty + 0.15 * other, 5)


def run_audit(ctx: StageContext) -> dict[str, Any]:
    config = ctx.config
    task = config.run.task
    examples = load_records(ctx.input(AGGREGATED))
    labels = list(config.run.labels) or labels_used(examples)
    texts = [e.text for e in examples]
    embeddings = embed(texts, config.audit.model, ctx.run_dir / EMBEDDING_CACHE)
    neighbours = nearest_neighbours(embeddings, config.audit.knn)
    found = label_findings(examples, labels, task, embeddings, config)
    sets = duplicate_findings(examples, neighbours, config, found)
    outliers = (
        cleanlab_outlier_scores(embeddings, neighbours.graph())
        if len(examples) > config.audit.knn + 1
        else np.ones(len(examples))
    )
    cutoff = np.quantile(outliers, config.audit.outlier_fraction) if len(outliers) else 0
    for i, score in enumerate(outliers):
        if score <= cutoff and config.audit.outlier_fraction > 0:
            found.flags[i]["outlier"] = round(1 - float(score), 4)
            found.why[i].append(f"outlier (cleanlab score {score:.3f})")
    audited = [
        replace(
            e,
            flags=found.flags[i],
            meta={
                **e.meta,
                "audit": {
                    "suggested": label_to_json(found.suggested[i]),
                    "quality": round(float(found.quality[i]), 4),
                    "why": found.why[i],
                    "duplicate_set": found.duplicate_set[i],
                },
            },
        )
        for i, e in enumerate(examples)
    ]
    save_records(audited, ctx.output(AUDITED))
    queue = [
        QueueItem(
            e.id,
            e.text,
            e.split,
            task,
            label_to_json(given_label(e)),
            label_to_json(found.suggested[i]),
            sorted(found.flags[i]),
            found.flags[i],
            {s: label_to_json(v) for s, v in e.votes.items()},
            "; ".join(found.why[i]),
            found.duplicate_set[i],
            priority(found.flags[i], found.quality[i], found.uncertainty[i]),
            {} if e.gold is not None else dict(e.probs or {}),
        )
        for i, e in enumerate(examples)
        if found.flags[i]
    ]
    database = review_database(config, ctx.run_dir)
    queue_counts = update_queue(database, queue)
    histograms(
        {"label quality": found.quality, "outlier score": outliers},
        ctx.output(PLOT),
        "audit score distributions",
    )
    counts = Counter(k for f in found.flags for k in f)
    given = Counter(
        x
        for e in examples
        for x in (
            [given_label(e)]
            if isinstance(given_label(e), str)
            else [s.label for s in given_label(e) or ()]
        )
    )
    imbalance = (max(given.values()) / max(min(given.values()), 1)) if given else 1.0
    ranked = sorted(queue, key=lambda q: -q.priority)[:10]
    return {
        "task": task,
        "issue_counts": dict(sorted(counts.items())),
        "flagged": len(queue),
        "n_examples": len(examples),
        "duplicate_sets": len(sets),
        "leaking_sets": sum(s.leaks for s in sets),
        "conflicting_sets": sum(s.conflicting for s in sets),
        "class_counts": dict(sorted(given.items())),
        "imbalance_ratio": round(imbalance, 2),
        "imbalanced": imbalance > config.audit.imbalance_ratio,
        "source_disagreement": source_disagreement(examples)[:10],
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
            "flagged).",
            Table(["issue type", "items"], [[k, v] for k, v in counts.items()] or [["none", 0]]),
            f"{metrics['duplicate_sets']} duplicate sets, {metrics['conflicting_sets']} with "
            f"conflicting labels, {metrics['leaking_sets']} crossing splits (leakage). Class "
            f"balance {metrics['class_counts']} (ratio {metrics['imbalance_ratio']}"
            f"{', imbalanced' if metrics['imbalanced'] else ''}).",
            Image(PLOT, "label quality (cleanlab, low = likely wrong) and outlier scores"),
            "Highest-priority items (the signal that flagged each is named):",
            Table(
                ["id", "priority", "issues", "why", "text"],
                [
                    [t["id"], t["priority"], ", ".join(t["issues"]), t["why"], t["text"][:80]]
                    for t in metrics["top"]
                ],
            ),
            "Sources that disagree most with the aggregated labels:",
            Table(
                ["source", "votes", "disagreement"],
                [
                    [r["source"], r["votes"], r["disagreement"]]
                    for r in metrics["source_disagreement"]
                ],
            ),
        ],
    )
    return section


AUDIT = Stage(
    name="audit",
    run=run_audit,
    inputs=(AGGREGATED,),
    outputs=(AUDITED, PLOT),
    config_keys=("audit",),
    describe=describe_audit,
    records_out=AUDITED,
)
