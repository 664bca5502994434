"""WRENCH youtube / sms / trec: the benchmark's own labeling-function votes aggregated by
weakforge's majority vote and by skweak's Naive Bayes, with and without model-source rounds and
the dev-chosen method (auto), scored on the test split.

Gold labels of train and test are hidden from the aggregators; the valid split's gold sets
the class prior and the sources' initial weights (weights_from_gold), as a user's small
dev set would. Metric: accuracy (youtube, trec), F1 of the spam class (sms).
Conventions: ties go to the class with the higher prior; items no source voted on get the
prior's most likely class.

    python bench/aggregate_wrench.py
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from benchlib import markdown_table, record, shared

from weakforge.aggregate.selection import aggregate_and_choose
from weakforge.config import AggregateSection
from weakforge.corpus import read_corpus
from weakforge.evaluation import class_scores
from weakforge.learners.embeddings import embed

CACHE = Path(tempfile.gettempdir()) / "weakforge-bench-embeddings"
PUBLISHED_MV = {"youtube": 84.00, "sms": 23.97, "trec": 60.80}
POSITIVE = {"sms": "spam"}


def score(name: str, gold: list, predicted: list, labels: list[str]) -> float:
    scores = class_scores(gold, predicted, labels)
    return scores["per_label"][POSITIVE[name]]["f1"] if name in POSITIVE else scores["accuracy"]


def main() -> None:
    rows, metrics, chosen, embed_seconds, rounds_chosen = [], {}, {}, {}, {}
    for name in ("youtube", "sms", "trec"):
        folder = shared("wrench", name)
        labels = list(json.loads((folder / "label.json").read_text()).values())
        examples = read_corpus(folder).examples
        hidden = [replace(e, gold=None) if e.split in ("train", "test") else e for e in examples]
        gold = [e.gold for e in examples if e.split == "test"]
        no_vote = sum(not any(v for v in e.votes.values()) for e in examples if e.split == "test")
        results = {}
        t0 = time.perf_counter()
        features = embed([e.text for e in examples], cache_dir=CACHE)
        embed_seconds[name] = round(time.perf_counter() - t0, 1)
        for key, options in (
            (
                "plain majority vote",
                AggregateSection(method="majority", weights_from_gold=False, rounds=0),
            ),
            (
                "majority vote, dev-weighted",
                AggregateSection(method="weighted_majority", rounds=0),
            ),
            (
                "skweak Naive Bayes, untuned",
                AggregateSection(method="naive_bayes", weights_from_gold=False, rounds=0),
            ),
            ("skweak Naive Bayes, dev-weighted", AggregateSection(method="naive_bayes", rounds=0)),
            (
                "majority vote, dev-weighted + 2 model rounds",
                AggregateSection(method="weighted_majority", rounds=2),
            ),
            (
                "skweak Naive Bayes, dev-weighted + 2 model rounds",
                AggregateSection(method="naive_bayes", rounds=2),
            ),
            ("auto (chosen on dev), no rounds", AggregateSection(rounds=0)),
            ("auto (chosen on dev) + 2 model rounds: the default", AggregateSection()),
        ):
            t0 = time.perf_counter()
            out, choice = aggregate_and_choose(
                hidden, "classification", labels, options=options, features=features
            )
            if key.startswith("auto"):
                chosen[f"{name}: {key}"] = f"{choice.method}, {choice.rounds} rounds"
            if key.endswith("the default"):
                rounds_chosen[name] = choice.rounds
            predicted = [e.label for e in out if e.split == "test"]
            results[key] = score(name, gold, predicted, labels)
            rows.append(
                [
                    name,
                    key,
                    round(100 * results[key], 2),
                    PUBLISHED_MV[name],
                    round(time.perf_counter() - t0, 1),
                ]
            )
        unit = "f1" if name in POSITIVE else "acc"
        metrics[f"{name}_mv_{unit}"] = results["majority vote, dev-weighted"]
        metrics[f"{name}_nb_{unit}"] = results["skweak Naive Bayes, dev-weighted"]
        metrics[f"{name}_plain_mv_{unit}"] = results["plain majority vote"]
        metrics[f"{name}_no_vote_test_items"] = no_vote
        metrics[f"{name}_rounds_{unit}"] = results[
            "auto (chosen on dev) + 2 model rounds: the default"
        ]
        metrics[f"{name}_auto_{unit}"] = results["auto (chosen on dev), no rounds"]
        metrics[f"{name}_mv_rounds_{unit}"] = results[
            "majority vote, dev-weighted + 2 model rounds"
        ]
        metrics[f"{name}_nb_rounds_{unit}"] = results[
            "skweak Naive Bayes, dev-weighted + 2 model rounds"
        ]
    metrics["auto_chose"] = chosen
    metrics["auto_rounds_chosen"] = rounds_chosen
    metrics["embedding_seconds"] = embed_seconds
    table = markdown_table(
        ["dataset", "aggregator", "test score %", "published MV %", "seconds"], rows
    )
    record(
        "aggregate_wrench",
        metrics,
        table,
        ["../shared/data/wrench/{youtube,sms,trec}"],
        notes="youtube/trec: accuracy; sms: F1 of the spam class. 'dev-weighted' = class "
        "prior and initial source weights from the valid split's gold labels. 'model rounds' "
        "= cross-fitted logistic regression on all-MiniLM-L6-v2 embeddings of the texts, "
        "taught by the weak labels of covered train items (no gold), voting as one more "
        f"source. auto chose: {chosen}. Embedding seconds (cached after the first run): "
        f"{embed_seconds}.",
    )


if __name__ == "__main__":
    main()
