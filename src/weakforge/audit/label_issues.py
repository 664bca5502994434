"""Check: likely label errors (cleanlab on out-of-sample predictions) and items the label
model was unsure about where a classifier prefers another label."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar

import numpy as np

from weakforge.audit.budget import worst_first
from weakforge.audit.checks import AuditData, CheckResult, IssueType, register
from weakforge.audit.cleanlab_adapter import classification_label_issues, weak_label_issues
from weakforge.audit.document_mentions import document_mentions
from weakforge.audit.entity_issues import SpanIssue, capped, mean_token_probs, ner_label_issues
from weakforge.audit.fold_models import fold_class_probs, fold_token_probs
from weakforge.audit.fold_tagger import fold_tagger_probs
from weakforge.audit.rules_opinion import settled_by_rules, with_rules_opinion
from weakforge.audit.word_features import word_features
from weakforge.config import AuditSection, TrainSection
from weakforge.labels import given_label
from weakforge.learners.embeddings import word_vectors
from weakforge.learners.probe import cross_val_probs, cross_val_token_probs
from weakforge.models import transformer_of
from weakforge.records import Example, Label, label_to_json
from weakforge.report import Block
from weakforge.tasks import task_kind
from weakforge.tokenize import example_bounds

log = logging.getLogger(__name__)


@register
class LabelIssues:
    """Out-of-sample predictions (K-fold logistic regression on sentence embeddings, or on
    contextual word vectors for NER) against each item's label; per item also the suggested
    label, the label quality and the uncertainty that rank the review queue."""

    name: ClassVar[str] = "label_issues"
    issue_types: ClassVar[tuple[IssueType, ...]] = (
        IssueType("label_issue", "cleanlab finds the label unlikely", label_kind=True),
        IssueType(
            "low_confidence",
            "the label model was unsure and a classifier prefers another label",
            label_kind=True,
        ),
    )

    def run(self, data: AuditData) -> CheckResult:
        n = len(data.examples)
        result = CheckResult.empty(n)
        result.columns = {"suggested": [None] * n, "quality": [1.0] * n, "uncertainty": [0.0] * n}
        audited = [i for i, label in enumerate(data.given) if label is not None]
        if len(audited) < 2 * data.options.folds:
            log.warning("too few labeled items (%d) for cross-validated label checks", len(audited))
        elif task_kind(data.task).spans:
            self._spans(data, audited, result)
        else:
            self._classes(data, audited, result)
        result.columns["suggested"] = [label_to_json(x) for x in result.columns["suggested"]]
        return result

    def _spans(self, data: AuditData, audited: list[int], result: CheckResult) -> None:
        examples = data.examples
        items = SpanItems(
            [examples[i] for i in audited],
            [data.given[i] or () for i in audited],
            [example_bounds(examples[i]) for i in audited],
        )
        chosen = LABEL_MODELS[data.options.label_model]
        members = [TOKEN_MODELS[name](data, items) for name in chosen]
        mentions = document_mentions(items.examples, items.given, data.labels, data.document_key)
        rules = [rules_label(e) for e in items.examples]
        probs, retyped = with_rules_opinion(
            mean_token_probs(members),
            items.words,
            items.given,
            rules,
            data.labels,
            data.options.rules_weight,
        )
        settled = 0
        if data.options.rules_weight > 0:
            mentions, settled = settled_by_rules(mentions, rules, data.labels)
        every = ner_label_issues(
            probs,
            items.words,
            items.given,
            data.labels,
            mentions=mentions,
            flag_below=[
                data.options.entity_flag_below if e.gold is not None else 1.0
                for e in items.examples
            ],
        )
        issues = capped(every, data.options.budget)
        over_budget(result, every.is_issue, issues.is_issue, data.options.budget)
        result.columns["span_issues"] = [[] for _ in examples]
        result.summary["estimated_wrong_entities"] = issues.estimated_wrong
        result.summary["entity_flag_below"] = data.options.entity_flag_below
        result.summary["queued_sentences"] = int(issues.is_issue.sum())
        if retyped or settled:
            result.summary["rules_retyped_entities"] = retyped
            result.summary["rules_settled_conflicts"] = settled
            result.summary["rules_weight"] = data.options.rules_weight
        key = data.document_key
        if any(e.meta.get(key) is not None for e in items.examples):
            result.summary["document_conflicts"] = issues.document_conflicts
        else:
            log.info("no record has a document marker (meta %r): no document-mention check", key)
            result.summary["document_key_missing"] = key
        for position, i in enumerate(audited):
            result.columns["quality"][i] = float(issues.quality[position])
            result.columns["uncertainty"][i] = float(issues.uncertainty[position])
            result.columns["suggested"][i] = issues.suggested[position]
            spans = issues.span_issues[position]
            result.columns["span_issues"][i] = [x.as_json() for x in spans]
            if issues.is_issue[position]:
                text = examples[i].text
                result.flag(
                    i,
                    "label_issue",
                    1 - issues.quality[position],
                    "; ".join(describe_span_issue(text, x) for x in spans[:3]),
                )

    def _classes(self, data: AuditData, audited: list[int], result: CheckResult) -> None:
        labels = data.labels
        index = {x: k for k, x in enumerate(labels)}
        y = np.array([index[data.given[i]] for i in audited])
        if len(set(y.tolist())) < 2:  # cleanlab needs two classes to judge a label by
            log.warning(
                "every audited label is %r: no label check (it needs two classes or more)",
                labels[int(y[0])],
            )
            result.summary["skipped"] = f"every audited label is {labels[int(y[0])]!r}"
            return
        chosen = class_model_name(data.options)
        probs = CLASS_MODELS[chosen](data, audited, y)
        result.summary["class_model"] = chosen
        teacher = label_model_probs([data.examples[i] for i in audited], labels)
        issues = (
            classification_label_issues(y, probs)
            if teacher is None
            else weak_label_issues(y, probs, teacher)
        )
        flagged = worst_first(issues.is_issue, issues.quality, data.options.budget)
        over_budget(result, issues.is_issue, flagged, data.options.budget)
        for position, i in enumerate(audited):
            example = data.examples[i]
            result.columns["quality"][i] = float(issues.quality[position])
            aggregator_margin = 1.0
            if example.probs:
                top = sorted(example.probs.values(), reverse=True) + [0.0]
                aggregator_margin = top[0] - top[1]
            uncertainty = 1 - min(issues.margin[position], aggregator_margin)
            result.columns["uncertainty"][i] = float(uncertainty)
            suggestion = labels[int(issues.suggested[position])]
            result.columns["suggested"][i] = suggestion
            if flagged[position]:
                result.flag(
                    i,
                    "label_issue",
                    1 - issues.quality[position],
                    f"cleanlab: classifier says {suggestion} "
                    f"(p={probs[position].max():.2f}), label is {labels[y[position]]}"
                    + (
                        f" (label model p={teacher[position, y[position]]:.2f})"
                        if teacher is not None and example.gold is None
                        else ""
                    ),
                )
            elif example.gold is None and aggregator_margin < 0.2 and suggestion != example.label:
                result.flag(
                    i,
                    "low_confidence",
                    1 - aggregator_margin,
                    f"aggregator unsure (margin {aggregator_margin:.2f}) and the "
                    f"classifier prefers {suggestion}",
                )

    def describe(self, summary: dict[str, Any]) -> list[Block]:
        return [*budget_note(summary), *self.describe_model(summary)]

    def describe_model(self, summary: dict[str, Any]) -> list[Block]:
        if "skipped" in summary:
            return [f"No label check: {summary['skipped']} (cleanlab needs two classes)."]
        if "class_model" in summary:
            name = summary["class_model"]
            what = (CLASS_MODELS[name].__doc__ or "").strip().rstrip(".")
            return [f"Out-of-sample classifier ([audit] class_model = {name!r}): {what}."]
        if "estimated_wrong_entities" not in summary:
            return []
        documents = (
            f"{summary['document_conflicts']} sentences label a name otherwise than the "
            "rest of its document does (flagged and ranked first)."
            if "document_conflicts" in summary
            else "No record names its document ([aggregate] group_by = "
            f"{summary.get('document_key_missing')!r}), so names were not checked against "
            "their documents' other mentions."
        )
        below = summary.get("entity_flag_below", 1.0)
        queued = (
            f" {summary.get('queued_sentences', 0)} sentences are queued for label issues: "
            "every entity cleanlab finds in weak labels, and in labels people gave those "
            f"whose label the model gives less than p = {below:g} ([audit] "
            "entity_flag_below; set it to 1 to queue every entity cleanlab finds), and "
            "names their document labels otherwise; the others keep their scores and rank "
            "in the audited records."
            if below < 1
            else ""
        )
        rules = (
            f" The rules' aggregated labels type {summary['rules_retyped_entities']} entities "
            "people labeled otherwise; their words weigh the rules' type at "
            f"{summary['rules_weight']:g} beside the model ([audit] rules_weight). They back "
            f"{summary.get('rules_settled_conflicts', 0)} mentions whose document labels the "
            "name otherwise, which are therefore not queued as conflicts."
            if summary.get("rules_retyped_entities") or summary.get("rules_settled_conflicts")
            else ""
        )
        return [
            f"cleanlab estimates {summary['estimated_wrong_entities']} entity labels are "
            "wrong (given entities and entities the out-of-sample model finds unmarked)."
            + queued
            + " "
            + documents
            + rules
        ]


def rules_label(example: Example) -> Label | None:
    """The rules' aggregated label of a record whose label under audit is one people gave,
    else ``None``: a train record with gold trains on it, and the aggregator sets its label
    to that gold, so only dev and test records hold the rules' own opinion."""
    if example.gold is None or example.split == "train":
        return None
    return example.label


def label_model_probs(examples: list[Example], labels: list[str]) -> np.ndarray | None:
    """The label model's class probabilities of items whose label under audit is weak (no
    gold); items with gold (or no probabilities) get their given label's one-hot row.
    ``None`` when no item has a weak label with probabilities."""
    if not any(e.gold is None and e.probs for e in examples):
        return None
    out = np.zeros((len(examples), len(labels)))
    for row, e in enumerate(examples):
        if e.gold is None and e.probs:
            out[row] = [e.probs.get(label, 0.0) for label in labels]
            out[row] /= max(out[row].sum(), 1e-12)
        else:
            out[row, labels.index(given_label(e))] = 1.0
    return out


def fold_training(options: AuditSection) -> TrainSection:
    """The trainer's settings for one fold: the audit's encoder as base, few epochs, and
    the model's own probabilities (no offsets fit on dev gold: cleanlab judges those)."""
    return TrainSection(
        base_model=transformer_of(options.model),
        epochs=options.fold_epochs,
        learning_rate=options.fold_learning_rate,
        patience=99,
        class_bias="none",
    )


def class_model_name(options: AuditSection) -> str:
    """``[audit] class_model``, with ``auto`` settled: fine-tuned folds on a CUDA GPU, the
    embedding probe on a CPU."""
    if options.class_model != "auto":
        return options.class_model
    import torch

    return "finetuned" if torch.cuda.is_available() else "probe"


def probe_class_probs(data: AuditData, audited: list[int], y: np.ndarray) -> np.ndarray:
    """A logistic regression per fold on the sentence embeddings."""
    return cross_val_probs(
        data.embeddings[audited], y, len(data.labels), folds=data.options.folds, seed=data.seed
    )


def finetuned_class_probs(data: AuditData, audited: list[int], y: np.ndarray) -> np.ndarray:
    """The train stage's text classifier fine-tuned per fold."""
    return fold_class_probs(
        [data.examples[i] for i in audited],
        [data.labels[k] for k in y],
        data.labels,
        folds=data.options.folds,
        seed=data.seed,
        options=fold_training(data.options),
    )


CLASS_MODELS: dict[str, Callable[[AuditData, list[int], np.ndarray], np.ndarray]] = {
    "probe": probe_class_probs,
    "finetuned": finetuned_class_probs,
}
"""The out-of-sample classifiers of ``[audit] class_model``, by name (the report quotes
their docstrings)."""

TokenProbs = list[np.ndarray | None]


@dataclass(frozen=True)
class SpanItems:
    """The NER items under audit: the records, their labels and their words, built once
    for every token model."""

    examples: list[Example]
    given: list[Label]
    words: list[list[tuple[int, int]]]


def probe_probs(data: AuditData, items: SpanItems, *, cased: bool) -> TokenProbs:
    """A logistic regression per fold on the encoder's contextual word vectors (plus each
    word's cased surface features and its neighbours' when ``cased``)."""
    texts = [e.text for e in items.examples]
    vectors = word_vectors(texts, items.words, data.options.model)
    if cased:
        vectors = [
            np.hstack([v, word_features(t, w)]) for v, t, w in zip(vectors, texts, items.words)
        ]
    return cross_val_token_probs(
        vectors, items.words, items.given, data.labels, folds=data.options.folds, seed=data.seed
    )


def finetuned_probs(data: AuditData, items: SpanItems) -> TokenProbs:
    """A transformer token classifier fine-tuned per fold (the train stage's trainer)."""
    return list(
        fold_token_probs(
            items.examples,
            items.given,
            data.labels,
            folds=data.options.folds,
            seed=data.seed,
            options=fold_training(data.options),
        )
    )


def tagger_probs(data: AuditData, items: SpanItems) -> TokenProbs:
    """spaCy's cased CNN tagger taught per fold (pretrained word layer, cached per fold)."""
    return list(
        fold_tagger_probs(
            items.examples,
            items.given,
            data.labels,
            folds=data.options.folds,
            seed=data.seed,
            epochs=data.options.tagger_epochs,
            cache_dir=data.cache_dir,
        )
    )


TOKEN_MODELS: dict[str, Callable[[AuditData, SpanItems], TokenProbs]] = {
    "vectors": partial(probe_probs, cased=False),
    "vectors+case": partial(probe_probs, cased=True),
    "finetuned": finetuned_probs,
    "tagger": tagger_probs,
}
"""The out-of-sample NER token models, by name."""

LABEL_MODELS: dict[str, tuple[str, ...]] = {
    "vectors": ("vectors",),
    "vectors+case": ("vectors+case",),
    "finetuned": ("finetuned",),
    "finetuned+vectors+case": ("finetuned", "vectors+case"),
    "tagger": ("tagger",),
    "tagger+vectors+case": ("tagger", "vectors+case"),
}
"""Each ``[audit] label_model`` option: the token models whose mean probabilities judge
the spans (more than one = an ensemble)."""


def describe_span_issue(text: str, issue: SpanIssue) -> str:
    """ "'Surrey' LOC -> ORG", "'Baseball' missing entity: MISC", "'The' not an entity",
    with the document's other mentions where they disagree: "(elsewhere in the document:
    ORG x3)"."""
    quoted = repr(text[issue.start : issue.end])
    if issue.given is None:
        found = f"{quoted} missing entity: {issue.suggested}"
    elif issue.suggested is None:
        found = f"{quoted} {issue.given} -> not an entity"
    else:
        found = f"{quoted} {issue.given} -> {issue.suggested}"
    if issue.elsewhere:
        counts = ", ".join(f"{name} x{count}" for name, count in issue.elsewhere)
        found += f" (elsewhere in the document: {counts})"
    return found


def over_budget(result: CheckResult, every: np.ndarray, kept: np.ndarray, budget: int) -> None:
    """Say (log and summary) how many flagged items the budget left out of the queue."""
    left_out = int(every.sum() - kept.sum())
    if left_out:
        result.summary["over_budget"] = {"flagged": int(every.sum()), "queued": int(kept.sum())}
        log.warning(
            "the audit flagged %d items as label issues; [audit] budget = %d queues the worst "
            "%d (raise it, or set 0 to queue them all; every item keeps its scores)",
            int(every.sum()),
            budget,
            int(kept.sum()),
        )


def budget_note(summary: dict[str, Any]) -> list[Block]:
    cut = summary.get("over_budget")
    if not cut:
        return []
    return [
        f"{cut['flagged']} items were flagged as label issues; the worst {cut['queued']} are "
        "queued ([audit] budget, sized for an hour or two of review: raise it, or set 0 to "
        "queue them all). The others keep their scores and rank in the audited records."
    ]
