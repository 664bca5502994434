"""One NER record of 100,000 tokens through skweak's HMM (with the document sources): the
aggregate stage must stay linear in the record's length (issue 17 measured 436 s).

    python bench/aggregate_long_document.py [--tokens 100000]
"""

from __future__ import annotations

import argparse
import time

from benchlib import markdown_table, record

from weakforge.aggregate import aggregate
from weakforge.config import AggregateSection
from weakforge.records import Example, Span


def long_record(tokens: int) -> Example:
    """ "Paris said said ...": every 10th token a place two sources vote on (one as LOC,
    every other one as ORG)."""
    words, loc, org, position = [], [], [], 0
    for i in range(tokens):
        word = "Paris" if i % 10 == 0 else "said"
        if word == "Paris":
            loc.append(Span(position, position + 5, "LOC"))
            if i % 20 == 0:
                org.append(Span(position, position + 5, "ORG"))
        words.append(word)
        position += len(word) + 1
    return Example(id="long", text=" ".join(words), votes={"a": tuple(loc), "b": tuple(org)})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tokens", type=int, default=100_000)
    args = parser.parse_args()
    rows, results = [], {}
    for tokens in (args.tokens // 10, args.tokens):
        example = long_record(tokens)
        started = time.perf_counter()
        out = aggregate(
            [example],
            "ner",
            ["LOC", "ORG"],
            options=AggregateSection(method="hmm", weights_from_gold=False),
        )
        seconds = round(time.perf_counter() - started, 1)
        results[tokens] = seconds
        rows.append([tokens, seconds, len(out[0].label)])
    record(
        "aggregate_long_document",
        {
            "tokens": args.tokens,
            "seconds": results[args.tokens],
            "seconds_at_tenth": results[args.tokens // 10],
        },
        markdown_table(["tokens in one record", "seconds (HMM + doc sources)", "spans out"], rows),
        ["synthetic record (no shared data needed)"],
    )


if __name__ == "__main__":
    main()
