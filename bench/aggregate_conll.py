"""CoNLL-2003 dev: entity F1 of majority vote and of skweak's HMM over the shipped news rules
plus the shared knowledge-base gazetteers, and each source's precision and coverage.

No CoNLL gold label is a labeling source. The only thing dev gold sets is what
``[aggregate] weights_from_gold`` computes from it: each source's initial weight from its
span precision on dev. No weight is set by hand. The same dev-derived weights are then
applied to CoNLL train, which no rule was written against and no weight was computed on:
the held-out check (``train_*`` keys).

Model-source rounds (``rounds_*`` keys) aggregate CoNLL train and dev together, as a run on
that corpus would: train with its gold hidden (what the span model is taught, out of fold),
dev with its gold (what ``weights_from_gold`` reads, for the model source too); the model
votes on dev from the fold models. Scored on dev and on train (held out as above).

    python bench/aggregate_conll.py [--workers 2] [--rounds 1] [--span-model encoder]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from benchlib import BENCH, markdown_table, record, shared

from weakforge.aggregate import aggregate
from weakforge.aggregate.priors import sources_of, span_gold_weights
from weakforge.aggregate.selection import aggregate_and_choose
from weakforge.config import AggregateSection
from weakforge.corpus import ReadOptions, read_corpus
from weakforge.evaluation import span_scores
from weakforge.labeling.applier import RuleSpec, apply_rules, read_votes

LABELS = ("PER", "ORG", "LOC", "MISC")
GROUPS = {"ENT": LABELS}
VARIANTS = (  # name, method, doc majority, doc history, weights from dev gold
    ("majority vote", "majority", False, (), False),
    ("weighted majority vote", "majority", False, (), True),  # weights given below
    ("HMM", "hmm", False, (), True),
    ("HMM + doc majority", "hmm", True, (), True),
    ("HMM + doc history", "hmm", False, ("PER", "ORG"), True),
    ("HMM + doc majority + doc history", "hmm", True, ("PER", "ORG"), True),
)


def best_variant(**settings) -> AggregateSection:
    """HMM + doc majority + doc history (the best variant on dev), with ``settings``."""
    return AggregateSection(
        method="hmm",
        label_groups=GROUPS,
        doc_majority=True,
        doc_history=("PER", "ORG"),
        **settings,
    )


def dev_weights(dev):
    """What ``[aggregate] weights_from_gold`` computes from these voted dev sentences."""
    tuning = [replace(e, split="dev") for e in dev]
    return span_gold_weights(tuning, sources_of(tuning), label_groups=GROUPS)


def per_type(scores):
    return " / ".join(f"{t} {scores['per_label'][t]['f1']:.3f}" for t in LABELS)


def news_rules_spec() -> RuleSpec:
    """The shipped news rules and the shared knowledge-base gazetteers, for CoNLL's types
    (plus ``ENT``, a span of any of them)."""
    rules = (BENCH.parent / "rules" / "news_ner.py", BENCH / "rules" / "shared_gazetteers.py")
    return RuleSpec(tuple(map(str, rules)), "ner", (*LABELS, "ENT"))


def with_votes(examples, spec, workers):
    with tempfile.TemporaryDirectory() as tmp:
        apply_rules(spec, examples, Path(tmp), workers=workers)
        votes = read_votes(Path(tmp))
    return [replace(e, votes=votes[e.id], split="test") for e in examples]


def score_variants(voted, weights, sample):
    """Each aggregator's scores and seconds on these voted sentences."""
    gold = [e.gold for e in voted]
    results = {}
    for name, method, doc_majority, doc_history, use_weights in VARIANTS:
        t0 = time.perf_counter()
        options = AggregateSection(
            method=method,
            weights_from_gold=False,
            label_groups=GROUPS,
            doc_majority=doc_majority,
            doc_history=doc_history,
            fit_sample=sample,
            weights=weights if use_weights else {},
        )
        out = aggregate(voted, "ner", LABELS, options=options)
        scores = span_scores(gold, [e.label for e in out], LABELS)
        results[name] = (scores, round(time.perf_counter() - t0, 1))
    return results


def rounds_scores(dev, train, rounds, sample, span_model):
    """Dev and train scores of the best variant with ``rounds`` model-source rounds over
    train (gold hidden) and dev aggregated together; the model source's own scores."""
    corpus = [replace(e, split="dev") for e in dev] + [
        replace(e, split="train", gold=None) for e in train
    ]
    options = best_variant(fit_sample=sample, rounds=rounds, span_model=span_model)
    t0 = time.perf_counter()
    out, _ = aggregate_and_choose(corpus, "ner", LABELS, options=options)
    seconds = round(time.perf_counter() - t0, 1)
    scores = {}
    for name, originals in (("dev", dev), ("train", train)):
        part = [e for e in out if e.split == name]
        gold = [e.gold for e in originals]
        scores[name] = span_scores(gold, [e.label for e in part], LABELS)
        for r in range(1, rounds + 1):
            votes = [  # the model's spans, whatever source they vote under
                tuple(
                    span
                    for source, vote in e.votes.items()
                    if source.startswith(f"model_r{r}")
                    for span in vote or ()
                )
                for e in part
            ]
            scores[f"{name}_model_r{r}"] = span_scores(gold, votes, LABELS)
    return scores, seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--sample", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--span-model", default="encoder", help="encoder, encoder:FOLDER, spacy")
    args = parser.parse_args()
    examples = read_corpus(
        shared("conll2003", "eng.testa"), "conll", ReadOptions(split="dev")
    ).examples
    spec = news_rules_spec()
    started = time.perf_counter()
    voted = with_votes(examples, spec, args.workers)
    apply_seconds = time.perf_counter() - started
    # what weights_from_gold computes from dev gold (dev records are its tuning gold)
    weights = dev_weights(voted)
    scored = score_variants(voted, weights, args.sample)
    results = {name: r for name, (r, _) in scored.items()}
    gold = [e.gold for e in voted]
    rows = []
    for name, (scores, seconds) in scored.items():
        rows.append(
            [name, scores["precision"], scores["recall"], scores["f1"], per_type(scores), seconds]
        )
    train = with_votes(
        read_corpus(shared("conll2003", "eng.train"), "conll", ReadOptions(split="test")).examples,
        spec,
        args.workers,
    )
    held_out = {name: r for name, (r, _) in score_variants(train, weights, args.sample).items()}
    joint = {
        r: rounds_scores(voted, train, r, args.sample, args.span_model)
        for r in sorted({0, args.rounds})
    }
    sources = sorted({s for e in voted for s in e.votes})
    source_rows = []
    for source in sources:
        predicted = [
            tuple(x for x in (e.votes.get(source) or ()) if x.label in LABELS) for e in voted
        ]
        s = span_scores(gold, predicted, LABELS)
        coverage = sum(bool(e.votes.get(source)) for e in voted) / len(voted)
        source_rows.append(
            [
                source,
                sum(len(p) for p in predicted),
                round(coverage, 3),
                s["precision"],
                s["recall"],
                s["f1"],
            ]
        )
    best_name = max((k for k in results if k.startswith("HMM")), key=lambda k: results[k]["f1"])
    best = results[best_name]
    table = (
        markdown_table(["aggregator", "P", "R", "F1", "F1 per type", "seconds"], rows)
        + "\n\nPer source (typed spans only; ENT spans have no type to score):\n\n"
        + markdown_table(["source", "spans", "coverage", "P", "R", "F1"], source_rows)
        + f"\n\nApplying {len(sources)} sources to {len(examples)} sentences took "
        f"{apply_seconds:.1f} s ({args.workers} worker processes).\n\n"
        "Held out (CoNLL train, 14,041 sentences, dev-derived weights):\n\n"
        + markdown_table(
            ["aggregator", "P", "R", "F1"],
            [[k, r["precision"], r["recall"], r["f1"]] for k, r in held_out.items()],
        )
        + "\n\nTrain (gold hidden) and dev aggregated together, HMM + doc majority + doc "
        "history, weights from dev gold, with and without model-source rounds (span model "
        f"'{args.span_model}' taught the weak spans of train, out of fold):\n\n"
        + markdown_table(
            ["rounds", "scored", "P", "R", "F1", "F1 per type", "seconds"],
            [
                [r, part, sc["precision"], sc["recall"], sc["f1"], per_type(sc), seconds]
                for r, (found, seconds) in joint.items()
                for part, sc in found.items()
            ],
        )
        + "\n\nInitial weights computed from dev gold: "
        + ", ".join(f"{k} {v:.2f}" for k, v in sorted(weights.items()))
    )
    record(
        "aggregate_conll",
        {
            "hmm_f1": best["f1"],
            "majority_f1": results["majority vote"]["f1"],
            "hmm_precision": best["precision"],
            "hmm_recall": best["recall"],
            "hmm_plain_f1": results["HMM"]["f1"],
            "hmm_doc_majority_f1": results["HMM + doc majority"]["f1"],
            "hmm_doc_history_f1": results["HMM + doc history"]["f1"],
            "hmm_doc_majority_history_f1": results["HMM + doc majority + doc history"]["f1"],
            "per_type_f1": {
                name: {t: r["per_label"][t]["f1"] for t in LABELS} for name, r in results.items()
            },
            "best_variant": best_name,
            "train_f1": held_out[best_name]["f1"],
            "train_per_type_f1": {t: held_out[best_name]["per_label"][t]["f1"] for t in LABELS},
            "train_f1_by_variant": {k: r["f1"] for k, r in held_out.items()},
            "hand_weights": {},
            "joint_f1": joint[0][0]["dev"]["f1"],
            "joint_train_f1": joint[0][0]["train"]["f1"],
            "rounds": args.rounds,
            "span_model": args.span_model,
            "rounds_f1": joint[args.rounds][0]["dev"]["f1"],
            "rounds_per_type_f1": {
                t: joint[args.rounds][0]["dev"]["per_label"][t]["f1"] for t in LABELS
            },
            "rounds_train_f1": joint[args.rounds][0]["train"]["f1"],
            "rounds_model_source_f1": {
                part: joint[args.rounds][0][f"{part}_model_r{args.rounds}"]["f1"]
                for part in ("dev", "train")
            }
            if args.rounds
            else {},
            "rounds_seconds": joint[args.rounds][1],
        },
        table,
        [
            "../shared/data/conll2003/eng.testa",
            "../shared/data/conll2003/eng.train",
            "../shared/data/gazetteers_skweak",
        ],
        notes="Exact span + type, micro over PER/ORG/LOC/MISC; hmm_f1 is the best HMM "
        "variant on dev (all are listed); train_f1 is that variant on CoNLL train with the "
        "dev-derived weights (held out from rule writing and weights). doc history = "
        "skweak's DocumentHistoryAnnotator over a "
        "token-level majority vote (PER, ORG: later partial mentions of a full name).",
    )


if __name__ == "__main__":
    main()
