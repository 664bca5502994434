"""Scores of predicted labels against gold: accuracy and macro-F1 for classification,
exact-match entity precision/recall/F1 (micro, and per type) for spans."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from weakforge.records import Example, Label
from weakforge.tasks import task_kind


def prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def span_scores(
    gold: Sequence[Label], predicted: Sequence[Label], labels: Sequence[str] = ()
) -> dict[str, Any]:
    """Exact span + type match, micro over all types, plus each type's scores."""
    tp: Counter = Counter()
    n_pred: Counter = Counter()
    n_gold: Counter = Counter()
    for g, p in zip(gold, predicted):
        g_set = {(s.start, s.end, s.label) for s in g or ()}
        p_set = {(s.start, s.end, s.label) for s in p or ()}
        for span in p_set:
            n_pred[span[2]] += 1
            tp[span[2]] += span in g_set
        for span in g_set:
            n_gold[span[2]] += 1
    types = list(labels) or sorted(set(n_gold) | set(n_pred))
    per_type = {t: {**prf(tp[t], n_pred[t], n_gold[t]), "support": n_gold[t]} for t in types}
    micro = prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    return {
        **micro,
        "support": sum(n_gold.values()),
        "predicted": sum(n_pred.values()),
        "per_label": per_type,
    }


def class_scores(
    gold: Sequence[Label], predicted: Sequence[Label], labels: Sequence[str]
) -> dict[str, Any]:
    """Accuracy (a missing prediction counts as wrong), macro-F1 and per-class scores."""
    per_class = {}
    for label in labels:
        tp = sum(1 for g, p in zip(gold, predicted) if g == label and p == label)
        per_class[label] = {
            **prf(tp, sum(p == label for p in predicted), sum(g == label for g in gold)),
            "support": sum(g == label for g in gold),
        }
    accuracy = sum(g == p for g, p in zip(gold, predicted)) / len(gold) if gold else 0.0
    macro = sum(c["f1"] for c in per_class.values()) / len(per_class) if per_class else 0.0
    return {
        "accuracy": round(accuracy, 4),
        "macro_f1": round(macro, 4),
        "support": len(gold),
        "per_label": per_class,
    }


def evaluate(
    examples: Sequence[Example], task: str, labels: Sequence[str], split: str
) -> dict[str, Any] | None:
    """Scores of the aggregated ``label`` on the split's gold-labeled items (None if none)."""
    chosen = [e for e in examples if e.split == split and e.gold is not None]
    if not chosen:
        return None
    gold = [e.gold for e in chosen]
    predicted = [e.label for e in chosen]
    if task_kind(task).spans:
        return span_scores(gold, predicted, labels)
    return class_scores(gold, predicted, labels)


def dev_score(examples: Sequence[Example], task: str, labels: Sequence[str]) -> float:
    """The one number a choice on dev gold compares: span F1 for NER, macro-F1 for classes
    (0 without dev gold)."""
    scores = evaluate(examples, task, labels, "dev")
    return float(scores[task_kind(task).dev_metric]) if scores else 0.0
