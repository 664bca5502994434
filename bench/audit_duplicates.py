"""Exact and near duplicates in the UCI YouTube and SMS spam collections.

Exact-duplicate recall: of the rows whose text repeats an earlier row's text exactly (196 in
YouTube, 403 in SMS), the share weakforge flags as exact duplicates (target 100%). Near-
duplicate sets (MinHash near copies and embedding paraphrases, the offline MiniLM) are
counted, with examples.

    python bench/audit_duplicates.py
"""

from __future__ import annotations

import csv
import tempfile
import time
from pathlib import Path

from benchlib import markdown_table, record, shared

from weakforge.audit.duplicates import (
    embedding_duplicate_sets,
    exact_duplicate_sets,
    merge_sets,
    minhash_duplicate_sets,
)
from weakforge.learners.embeddings import embed
from weakforge.learners.neighbours import nearest_neighbours


def youtube_texts() -> list[str]:
    texts = []
    for path in sorted(shared("uci_youtube_spam").glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            texts += [row["CONTENT"] for row in csv.DictReader(handle)]
    return texts


def sms_texts() -> list[str]:
    lines = shared("uci_sms_spam", "SMSSpamCollection").read_text(encoding="utf-8").splitlines()
    return [line.split("\t", 1)[1] for line in lines if "\t" in line]


def repeats_of_earlier(texts: list[str]) -> set[int]:
    seen, repeats = set(), set()
    for i, text in enumerate(texts):
        if text in seen:
            repeats.add(i)
        seen.add(text)
    return repeats


def main() -> None:
    rows, metrics, examples = [], {}, []
    for name, texts in (("youtube", youtube_texts()), ("sms", sms_texts())):
        started = time.perf_counter()
        exact = exact_duplicate_sets(texts)
        flagged = {i for group in exact for i in group}
        truth = repeats_of_earlier(texts)
        recall = len(truth & flagged) / len(truth)
        with tempfile.TemporaryDirectory() as cache:
            vectors = embed(texts, cache_dir=Path(cache))
        neighbours = nearest_neighbours(vectors, k=10)
        minhash = minhash_duplicate_sets(texts, threshold=0.8)
        paraphrase = embedding_duplicate_sets(neighbours, threshold=0.95)
        merged = merge_sets(
            {"exact": exact, "minhash": minhash, "embedding": paraphrase},
            [None] * len(texts),
            ["train"] * len(texts),
        )
        near = [s for s in merged if s.kinds != ("exact",)]
        seconds = time.perf_counter() - started
        rows.append(
            [
                name,
                len(texts),
                len(truth),
                f"{recall:.2%}",
                len(exact),
                len(minhash),
                len(paraphrase),
                len(near),
                round(seconds, 1),
            ]
        )
        metrics[f"{name}_exact_recall"] = recall
        metrics[f"{name}_near_dup_sets"] = len(near)
        metrics[f"{name}_exact_sets"] = len(exact)
        for duplicate in near[:3]:
            members = [
                texts[i][:70].replace("|", "/").replace("\n", " ") for i in duplicate.members[:3]
            ]
            examples.append([name, " + ".join(duplicate.kinds), " ⟷ ".join(members)])
    table = (
        markdown_table(
            [
                "collection",
                "rows",
                "rows repeating an earlier text",
                "exact recall",
                "exact sets",
                "MinHash sets (J>=0.8)",
                "embedding sets (cos>=0.95)",
                "near-duplicate sets (merged)",
                "seconds",
            ],
            rows,
        )
        + "\n\nExamples of near-duplicate sets:\n\n"
        + markdown_table(["collection", "found by", "texts"], examples)
    )
    record(
        "audit_duplicates",
        metrics,
        table,
        ["../shared/data/uci_youtube_spam/*.csv", "../shared/data/uci_sms_spam"],
    )


if __name__ == "__main__":
    main()
