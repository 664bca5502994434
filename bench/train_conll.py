"""CoNLL-2003: a token classifier trained on the HMM's weak labels over train, scored on dev.

Weak labels: the shipped news rules + the shared gazetteers, applied to train and dev,
aggregated by skweak's HMM with the document majority and history sources and the initial
weights that dev gold gives (as in bench/aggregate_conll.py). No gold label of train is
used; apart from those weights, dev gold only scores (fixed epochs, no early stopping).
Model: the offline all-MiniLM-L6-v2 with LoRA, soft labels.

With ``--rounds 1`` the weak labels come with one model-source round (the encoder span model
taught train's weak spans out of fold, as in bench/aggregate_conll.py); dev gold then also
sets that source's weight, as ``weights_from_gold`` does.

Dev gold scores the end model, so the entity type offsets of ``[train] class_bias = "dev"``
(not the default for NER, because of what this measured)
are measured cross-fit: fit on one half of dev's documents, scored on the other, and back.

    python bench/train_conll.py [--epochs 1] [--workers 2] [--rounds 1] [--full]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from aggregate_conll import LABELS, best_variant, dev_weights, news_rules_spec
from benchlib import markdown_table, record, shared

from weakforge.aggregate import aggregate
from weakforge.aggregate.selection import aggregate_and_choose
from weakforge.config import TrainSection
from weakforge.corpus import ReadOptions, read_corpus
from weakforge.evaluation import span_scores
from weakforge.labeling.applier import apply_rules, read_votes
from weakforge.stages.training_set import training_set
from weakforge.tokenize import example_bounds
from weakforge.train.class_bias import fit_type_bias
from weakforge.train.encoder import load_model, predict, train, word_probabilities


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=float, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--learning-rate", type=float, default=2e-3)
    parser.add_argument("--rounds", type=int, default=0)
    parser.add_argument("--full", action="store_true", help="fine-tune every weight, no LoRA")
    args = parser.parse_args()
    started = time.perf_counter()
    train_set = read_corpus(shared("conll2003", "eng.train"), "conll").examples
    dev = read_corpus(shared("conll2003", "eng.testa"), "conll", ReadOptions(split="test")).examples
    train_set = [replace(e, gold=None, id=f"train-{e.id}") for e in train_set]
    dev = [
        replace(e, id=f"dev-{e.id}", meta={**e.meta, "doc": f"dev-{e.meta['doc']}"}) for e in dev
    ]
    everything = train_set + dev
    spec = news_rules_spec()
    with tempfile.TemporaryDirectory() as tmp:
        apply_rules(spec, everything, Path(tmp), workers=args.workers)
        votes = read_votes(Path(tmp))
    label_seconds = time.perf_counter() - started
    voted = [replace(e, votes=votes[e.id]) for e in everything]
    weights = dev_weights([e for e in voted if e.split == "test"])
    options = best_variant(weights_from_gold=False, weights=weights)
    if args.rounds:  # dev gold sets every source's weight, the model source's too
        as_dev = [replace(e, split="dev") if e.split == "test" else e for e in voted]
        options = replace(options, weights_from_gold=True, weights={}, rounds=args.rounds)
        weak, _ = aggregate_and_choose(as_dev, "ner", LABELS, options=options)
        weak = [replace(e, split="test") if e.split == "dev" else e for e in weak]
    else:
        weak = aggregate(voted, "ner", LABELS, options=options)
    aggregate_seconds = time.perf_counter() - started - label_seconds
    weak_dev = [e for e in weak if e.split == "test"]
    gold = [e.gold for e in weak_dev]
    label_model = span_scores(gold, [e.label for e in weak_dev], LABELS)
    options = TrainSection(  # offsets are cross-fit below: dev gold also scores here
        epochs=args.epochs,
        learning_rate=args.learning_rate,
        patience=99,
        lora=not args.full,
        class_bias="none",
    )
    with tempfile.TemporaryDirectory() as tmp:
        training = training_set(weak, "ner", options)
        result = train(training, "ner", LABELS, Path(tmp) / "model", options=options)
        model = load_model(Path(tmp) / "model")
        predicted = [label for label, _ in predict(model, weak_dev)]
        offsets = cross_fit_offsets(model, weak_dev)
    end_model = span_scores(gold, predicted, LABELS)
    with_offsets = span_scores(gold, [offsets[e.id] for e in weak_dev], LABELS)
    rows = [
        [
            name,
            s["precision"],
            s["recall"],
            s["f1"],
            " / ".join(f"{t} {s['per_label'][t]['f1']:.3f}" for t in LABELS),
        ]
        for name, s in (
            (f"label model (HMM + doc majority + doc history, {args.rounds} rounds)", label_model),
            (f"end model (MiniLM{'' if args.full else ' + LoRA'})", end_model),
            ("same + type offsets, each dev half's fit on the other half", with_offsets),
        )
    ]
    table = (
        markdown_table(["CoNLL-2003 dev", "P", "R", "F1", "F1 per type"], rows)
        + f"\n\nLabeling {len(everything)} sentences: {label_seconds:.0f} s; HMM: "
        f"{aggregate_seconds:.0f} s; training {result.train_items} sentences: "
        f"{result.seconds:.0f} s ({result.seconds_per_epoch:.0f} s/epoch, "
        f"{args.epochs} epoch(s)) on {result.device}."
    )
    record(
        "train_conll",
        {
            "end_model_f1": end_model["f1"],
            "label_model_f1": label_model["f1"],
            "end_model_cross_fit_offsets_f1": with_offsets["f1"],
            "end_model_cross_fit_offsets_per_type_f1": {
                t: with_offsets["per_label"][t]["f1"] for t in LABELS
            },
            "end_model_per_type_f1": {t: end_model["per_label"][t]["f1"] for t in LABELS},
            "label_model_per_type_f1": {t: label_model["per_label"][t]["f1"] for t in LABELS},
            "rounds": args.rounds,
            "lora": not args.full,
            "learning_rate": args.learning_rate,
            "epochs": args.epochs,
            "device": result.device,
            "seconds_per_epoch": round(result.seconds_per_epoch, 1),
        },
        table,
        [
            "../shared/data/conll2003/eng.train",
            "../shared/data/conll2003/eng.testa",
            "../shared/data/gazetteers_skweak",
        ],
    )


def cross_fit_offsets(model, dev: list) -> dict[str, tuple]:
    """What ``[train] class_bias = "dev"`` buys on sentences it was not fit on: the entity
    type offsets fit on one half of dev's documents, applied to the other half, and back."""
    docs = sorted({e.meta["doc"] for e in dev})
    first = set(docs[: len(docs) // 2])
    halves = [
        [e for e in dev if e.meta["doc"] in first],
        [e for e in dev if e.meta["doc"] not in first],
    ]
    out = {}
    for fit_on, apply_to in (halves, halves[::-1]):
        probs = word_probabilities(model, fit_on)
        words = [example_bounds(e) for e in fit_on]
        bias = fit_type_bias(probs, words, [e.gold for e in fit_on], model.names)
        shifted = replace(model, class_bias=bias.offsets)
        for e, (spans, _) in zip(apply_to, predict(shifted, apply_to)):
            out[e.id] = spans
    return out


if __name__ == "__main__":
    main()
