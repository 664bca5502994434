"""Label-error detection with known truth, and on real weak labels.

1. WRENCH youtube and sms train: flip 10% of gold labels (seed 0); out-of-sample
   probabilities from 5-fold logistic regression on MiniLM embeddings; cleanlab flags
   issues. Precision / recall of the flagged set, and precision of the top 50 / 100 of the
   queue (ranked by cleanlab label quality).
2. CoNLL-2003 dev NER: corrupt 10% of entities (seed 0; half type swaps, half dropped);
   token-level out-of-sample probabilities from MiniLM word vectors; precision of the 100
   lowest-quality sentences (a sentence counts if it holds a corruption).
3. Real errors: WRENCH youtube train labelled by majority vote of its LFs (ties and
   all-abstain to the prior), audited by the product's label check (the classifier and the
   label model's probabilities together); precision@50 of the queue = share of the top 50
   whose weak label differs from gold; the classifier alone beside it.

    python bench/audit_noise.py [--class-model finetuned]  (4: youtube with fine-tuned folds)
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from benchlib import BENCH, markdown_table, record, shared

from weakforge.aggregate import aggregate
from weakforge.audit import AuditData
from weakforge.audit.cleanlab_adapter import classification_label_issues
from weakforge.audit.entity_issues import ner_label_issues
from weakforge.audit.fold_models import fold_class_probs
from weakforge.audit.label_issues import LabelIssues, fold_training
from weakforge.audit.word_features import word_features
from weakforge.config import AggregateSection, AuditSection
from weakforge.corpus import read_corpus
from weakforge.learners.embeddings import embed, word_vectors
from weakforge.learners.probe import cross_val_probs, cross_val_token_probs
from weakforge.records import Span
from weakforge.tokenize import token_bounds

CACHE = Path(tempfile.gettempdir()) / "weakforge-bench-embeddings"


def finetuned_probs(examples, y, labels) -> np.ndarray:
    """``[audit] class_model = "finetuned"``: the text classifier fine-tuned per fold."""
    options = fold_training(AuditSection())
    given = [labels[k] for k in y]
    return fold_class_probs(examples, given, labels, folds=5, seed=0, options=options)


def flip_scores(name: str, model: str = "", class_model: str = "probe") -> dict:
    examples = [e for e in read_corpus(shared("wrench", name)).examples if e.split == "train"]
    labels = sorted({e.gold for e in examples})
    y_true = np.array([labels.index(e.gold) for e in examples])
    rng = np.random.default_rng(0)
    flipped = rng.choice(len(y_true), int(0.1 * len(y_true)), replace=False)
    y = y_true.copy()
    y[flipped] = 1 - y[flipped]
    if class_model == "finetuned":
        probs = finetuned_probs(examples, y, labels)
    else:
        vectors = embed([e.text for e in examples], model, cache_dir=CACHE)
        probs = cross_val_probs(vectors, y, len(labels))
    issues = classification_label_issues(y, probs)
    truth = np.zeros(len(y), bool)
    truth[flipped] = True
    flagged = issues.is_issue
    ranked = np.argsort(issues.quality)
    return {
        "precision": float(truth[flagged].mean()),
        "recall": float(flagged[truth].mean()),
        "top50": float(truth[ranked[:50]].mean()),
        "top100": float(truth[ranked[:100]].mean()),
        "flagged": int(flagged.sum()),
        "flipped": len(flipped),
        "n": len(y),
    }


def conll_scores() -> dict:
    examples = read_corpus(shared("conll2003", "eng.testa"), "conll").examples
    rng = random.Random(0)
    types = ["PER", "ORG", "LOC", "MISC"]
    entities = [(i, k) for i, e in enumerate(examples) for k in range(len(e.gold))]
    chosen = rng.sample(entities, int(0.1 * len(entities)))
    corrupted = set()
    noisy = [list(e.gold) for e in examples]
    for n, (i, k) in enumerate(sorted(chosen, reverse=True)):
        span = noisy[i][k]
        if n % 2:
            noisy[i].pop(k)
        else:
            noisy[i][k] = Span(
                span.start, span.end, rng.choice([t for t in types if t != span.label])
            )
        corrupted.add(i)
    words = [token_bounds(e.text, pretokenized=True) for e in examples]
    texts = [e.text for e in examples]
    vectors = [  # the product's default NER probe: word vectors + cased surface features
        np.hstack([v, word_features(t, w)])
        for v, t, w in zip(word_vectors(texts, words), texts, words)
    ]
    given = [tuple(sorted(x)) for x in noisy]
    probs = cross_val_token_probs(vectors, words, given, types)
    issues = ner_label_issues(probs, words, given, types)
    ranked = np.argsort(issues.quality)
    truth = np.array([i in corrupted for i in range(len(examples))])
    return {
        "top100": float(truth[ranked[:100]].mean()),
        "top50": float(truth[ranked[:50]].mean()),
        "flagged": int(issues.is_issue.sum()),
        "flagged_precision": float(truth[issues.is_issue].mean()),
        "corrupted_sentences": len(corrupted),
        "n": len(examples),
    }


def real_weak_label_scores(model: str = "", class_model: str = "probe") -> dict:
    examples = read_corpus(shared("wrench", "youtube")).examples
    train = [replace(e, gold=None) for e in examples if e.split == "train"]
    gold = {e.id: e.gold for e in examples}
    labelled = aggregate(
        train,
        "classification",
        ["HAM", "SPAM"],
        options=AggregateSection(method="majority", weights_from_gold=False),
    )
    labels = ["HAM", "SPAM"]
    vectors = embed([e.text for e in labelled], model, cache_dir=CACHE)
    wrong = np.array([e.label != gold[e.id] for e in labelled])
    # the audit's own label check: the classifier and the label model's probabilities
    options = AuditSection(class_model=class_model)
    data = AuditData(labelled, labels, "classification", options, vectors, None)
    result = LabelIssues().run(data)
    quality = np.array(result.columns["quality"])
    flagged = np.array(["label_issue" in f for f in result.flags])
    # the classifier alone (before the label model's probabilities joined it)
    y = np.array([labels.index(e.label) for e in labelled])
    alone = classification_label_issues(y, cross_val_probs(vectors, y, 2))
    ranked = np.argsort(quality, kind="stable")
    return {
        "precision_at_50": float(wrong[ranked[:50]].mean()),
        "precision_at_100": float(wrong[ranked[:100]].mean()),
        "flagged_precision": float(wrong[flagged].mean()),
        "weak_label_error_rate": float(wrong.mean()),
        "flagged": int(flagged.sum()),
        "classifier_alone_precision_at_50": float(wrong[np.argsort(alone.quality)[:50]].mean()),
        "classifier_alone_flagged_precision": float(wrong[alone.is_issue].mean()),
        "classifier_alone_flagged": int(alone.is_issue.sum()),
    }


def finetuned_main() -> None:
    """``--class-model finetuned``: youtube's flipped labels and its majority-vote labels
    audited with fine-tuned folds, added beside the probe's numbers."""
    started = time.perf_counter()
    flips = flip_scores("youtube", class_model="finetuned")
    flip_seconds = time.perf_counter() - started
    real = real_weak_label_scores(class_model="finetuned")
    real_seconds = time.perf_counter() - started - flip_seconds
    previous = json.loads((BENCH / "results" / "audit_noise.json").read_text())
    kept = {k: v for k, v in previous.items() if k not in ("command", "data", "when", "machine")}
    kept.setdefault("probe_keys_from", f"{previous['command']} ({previous['when']})")
    found = {
        "finetuned_youtube_precision": flips["precision"],
        "finetuned_youtube_recall": flips["recall"],
        "finetuned_youtube_top50": flips["top50"],
        "finetuned_youtube_seconds": round(flip_seconds, 1),
        "finetuned_youtube_mv_precision_at_50": real["precision_at_50"],
        "finetuned_youtube_mv_precision_at_100": real["precision_at_100"],
        "finetuned_youtube_mv_flagged_precision": real["flagged_precision"],
        "finetuned_youtube_mv_flagged": real["flagged"],
        "finetuned_youtube_mv_seconds": round(real_seconds, 1),
        "finetuned_keys_from": "python bench/audit_noise.py --class-model finetuned",
    }
    table = markdown_table(
        [
            "WRENCH youtube train, class_model",
            "check",
            "flagged",
            "precision",
            "recall",
            "P@50",
            "seconds",
        ],
        [
            [
                "probe (landed run)",
                "10% flipped",
                "",
                previous["youtube_precision"],
                previous["youtube_recall"],
                "",
                "",
            ],
            [
                "finetuned",
                "10% flipped",
                flips["flagged"],
                flips["precision"],
                flips["recall"],
                flips["top50"],
                round(flip_seconds, 1),
            ],
            [
                "probe (landed run)",
                "majority-vote labels",
                previous["youtube_mv_flagged"],
                previous["youtube_mv_flagged_precision"],
                "",
                previous["youtube_mv_precision_at_50"],
                "",
            ],
            [
                "finetuned",
                "majority-vote labels",
                real["flagged"],
                real["flagged_precision"],
                "",
                real["precision_at_50"],
                round(real_seconds, 1),
            ],
        ],
    )
    record(
        "audit_noise",
        {**kept, **found},
        table,
        ["../shared/data/wrench/youtube"],
        notes="class_model = finetuned: MiniLM + LoRA fine-tuned on 4 folds "
        f"({AuditSection().fold_epochs:g} epochs at learning rate "
        f"{AuditSection().fold_learning_rate:g}), predicting the fifth; the probe rows are "
        "the landed run's numbers.",
    )


def finetuned_keys_kept() -> dict:
    """The ``--class-model finetuned`` run's keys of the results file (``finetuned_*``, the
    command that made them included), kept by a plain run."""
    path = BENCH / "results" / "audit_noise.json"
    previous = json.loads(path.read_text()) if path.exists() else {}
    return {k: v for k, v in previous.items() if k.startswith("finetuned_")}


def main() -> None:
    if "--class-model" in sys.argv[1:] and "finetuned" in sys.argv[1:]:
        return finetuned_main()
    started = time.perf_counter()
    youtube, sms = flip_scores("youtube"), flip_scores("sms")
    conll = conll_scores()
    real = real_weak_label_scores()
    static = {  # the same with [audit] model = "static" (the fast embedding)
        "youtube": flip_scores("youtube", "static"),
        "sms": flip_scores("sms", "static"),
        "real": real_weak_label_scores("static"),
    }
    rows = [
        [
            name,
            s["n"],
            s["flipped"],
            s["flagged"],
            s["precision"],
            s["recall"],
            s["top50"],
            s["top100"],
        ]
        for name, s in (
            ("WRENCH youtube train", youtube),
            ("WRENCH sms train", sms),
            ("WRENCH youtube train, static embedding", static["youtube"]),
            ("WRENCH sms train, static embedding", static["sms"]),
        )
    ]
    table = (
        markdown_table(
            [
                "data (10% labels flipped)",
                "items",
                "flipped",
                "flagged",
                "precision",
                "recall",
                "precision@50",
                "precision@100",
            ],
            rows,
        )
        + "\n\n"
        + markdown_table(
            [
                "CoNLL-2003 dev, 10% entities corrupted",
                "sentences",
                "corrupted sentences",
                "flagged",
                "flagged precision",
                "precision@50",
                "precision@100",
            ],
            [
                [
                    "token-level cleanlab",
                    conll["n"],
                    conll["corrupted_sentences"],
                    conll["flagged"],
                    conll["flagged_precision"],
                    conll["top50"],
                    conll["top100"],
                ]
            ],
        )
        + "\n\n"
        + markdown_table(
            [
                "WRENCH youtube train, majority-vote labels",
                "weak-label error rate",
                "flagged",
                "flagged precision",
                "precision@50",
                "precision@100",
                "classifier alone: flagged",
                "flagged precision",
                "precision@50",
            ],
            [
                [
                    name,
                    r["weak_label_error_rate"],
                    r["flagged"],
                    r["flagged_precision"],
                    r["precision_at_50"],
                    r["precision_at_100"],
                    r["classifier_alone_flagged"],
                    r["classifier_alone_flagged_precision"],
                    r["classifier_alone_precision_at_50"],
                ]
                for name, r in (
                    ("real weak-label errors (MiniLM)", real),
                    ("real weak-label errors (static)", static["real"]),
                )
            ],
        )
        + f"\n\nTotal {time.perf_counter() - started:.0f} s."
    )
    record(
        "audit_noise",
        {
            "youtube_precision": youtube["precision"],
            "youtube_recall": youtube["recall"],
            "sms_precision": sms["precision"],
            "sms_recall": sms["recall"],
            "conll_top100_precision": conll["top100"],
            "youtube_mv_precision_at_50": real["precision_at_50"],
            "youtube_mv_precision_at_100": real["precision_at_100"],
            "youtube_mv_flagged_precision": real["flagged_precision"],
            "youtube_mv_flagged": real["flagged"],
            "youtube_mv_classifier_alone_precision_at_50": real["classifier_alone_precision_at_50"],
            "static_youtube_precision": static["youtube"]["precision"],
            "static_youtube_recall": static["youtube"]["recall"],
            "static_sms_precision": static["sms"]["precision"],
            "static_sms_recall": static["sms"]["recall"],
            "static_youtube_mv_precision_at_50": static["real"]["precision_at_50"],
            **finetuned_keys_kept(),
        },
        table,
        ["../shared/data/wrench/{youtube,sms}", "../shared/data/conll2003/eng.testa"],
    )


if __name__ == "__main__":
    main()
