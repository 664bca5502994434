"""The audit at 100,000 texts: the UCI YouTube and SMS texts repeated with small edits
(seeded), labels from the collections. Times each step and reports peak memory.

    python bench/audit_scale.py [--n 100000] [--model static]

``--model static`` embeds with model2vec's static distillation of MiniLM ([audit] model =
"static"); the MiniLM figures of an earlier run stay in the file under ``minilm_*``.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import time

import numpy as np
from audit_duplicates import sms_texts, youtube_texts
from benchlib import BENCH, markdown_table, record

from weakforge.audit.cleanlab_adapter import classification_label_issues, outlier_scores
from weakforge.audit.duplicates import (
    embedding_duplicate_sets,
    exact_duplicate_sets,
    minhash_duplicate_sets,
)
from weakforge.learners.embeddings import embed
from weakforge.learners.neighbours import nearest_neighbours
from weakforge.learners.probe import cross_val_probs

EXTRA_WORDS = ["lol", "wow", "pls", "omg", "!!", "nice", "2015", "hey", ":)", "really"]


def edited(text: str, rng: random.Random) -> str:
    """A small edit: a word added, dropped or swapped, or a character changed."""
    words = text.split() or [text]
    choice = rng.randrange(4)
    if choice == 0:
        words.insert(rng.randrange(len(words) + 1), rng.choice(EXTRA_WORDS))
    elif choice == 1 and len(words) > 3:
        words.pop(rng.randrange(len(words)))
    elif choice == 2 and len(words) > 1:
        i = rng.randrange(len(words) - 1)
        words[i], words[i + 1] = words[i + 1], words[i]
    else:
        i = rng.randrange(len(words))
        word = words[i]
        if word:
            k = rng.randrange(len(word))
            words[i] = word[:k] + rng.choice("abcdefghijklmnopqrstuvwxyz") + word[k + 1 :]
    return " ".join(words) + f" {rng.randrange(1000)}"


def peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--model", default="", help='"" = MiniLM, "static" = distilled')
    args = parser.parse_args()
    rng = random.Random(0)
    base = youtube_texts() + sms_texts()
    texts = list(base)
    while len(texts) < args.n:
        texts.append(edited(rng.choice(base), rng))
    texts = texts[: args.n]
    labels = np.array([rng.randrange(2) for _ in texts])
    steps, started = [], time.perf_counter()

    def timed(name, fn, *fn_args, **kwargs):
        t0 = time.perf_counter()
        result = fn(*fn_args, **kwargs)
        steps.append([name, round(time.perf_counter() - t0, 1), peak_mb()])
        return result

    if args.model == "static":
        from weakforge.learners.static_encoder import load_static

        timed("load the static model (distilled on first use)", load_static)
    encoder = "model2vec static (from MiniLM)" if args.model == "static" else "MiniLM"
    vectors = timed(f"embed ({encoder}, CPU, chunks of 4,096)", embed, texts, args.model)
    neighbours = timed("kNN graph (faiss HNSW, k=10)", nearest_neighbours, vectors, 10)
    timed("exact duplicates (normalised hash)", exact_duplicate_sets, texts)
    timed("near copies (MinHash LSH, J>=0.8)", minhash_duplicate_sets, texts, 0.8)
    timed("paraphrases (kNN, cos>=0.95)", embedding_duplicate_sets, neighbours, 0.95)
    timed("outliers (cleanlab on the kNN graph)", outlier_scores, vectors, neighbours.graph())
    probs = timed("out-of-sample probabilities (5-fold LR)", cross_val_probs, vectors, labels, 2)
    timed("label issues (cleanlab)", classification_label_issues, labels, probs)
    seconds = round(time.perf_counter() - started, 1)
    table = (
        markdown_table(["step", "seconds", "peak RSS so far (MB)"], steps)
        + f"\n\n{len(texts)} texts, {seconds} s in all, peak RSS {peak_mb()} MB."
    )
    earlier = {}
    previous = BENCH / "results" / "audit_scale.json"
    if args.model and previous.exists():  # keep the last MiniLM run's figures beside these
        old = json.loads(previous.read_text())
        earlier = {k: v for k, v in old.items() if k.startswith("minilm_")} or {
            "minilm_seconds": old["seconds"],
            "minilm_steps": old["steps"],
            "minilm_when": old["when"],
        }
    record(
        "audit_scale",
        {
            "n_texts": len(texts),
            "model": args.model or "MiniLM",
            "seconds": seconds,
            "peak_rss_mb": peak_mb(),
            "steps": {s[0]: s[1] for s in steps},
            **earlier,
        },
        table,
        ["../shared/data/uci_youtube_spam", "../shared/data/uci_sms_spam"],
        notes="Texts beyond the 7,530 originals are seeded small edits of them; labels "
        "are random (the step timings, not the flags, are the point here).",
    )


if __name__ == "__main__":
    main()
