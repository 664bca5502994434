"""Throughput of applying the shipped news rules to CoNLL-2003 train (14,041 sentences).

Compared: (ours) weakforge's applier: one parse per text, all rules on the same Doc, shards
over worker processes; (skweak) the same sources applied one by one over the parsed docs,
each wrapped in skweak's FunctionAnnotator, the way skweak's tutorial chains annotators;
(tokenizer) spaCy's tokenizer alone over the same texts, the floor. The spaCy NER voter is
off for the first comparison and on in the last row. Times are medians of --repeats runs.

    python bench/apply_throughput.py [--workers 2]
"""

from __future__ import annotations

import argparse
import resource
import statistics
import tempfile
import time
from pathlib import Path

from benchlib import BENCH, markdown_table, record, shared

from weakforge.corpus import read_corpus
from weakforge.labeling.applier import RuleSpec, apply_rules, worker_state

LABELS = ("PER", "ORG", "LOC", "MISC", "ENT")
RULES = (str(BENCH.parent / "rules" / "news_ner.py"),)


def peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return round(max(own, children) / 1024, 1)


def ours(examples, workers: int, exclude: tuple[str, ...]) -> float:
    spec = RuleSpec(RULES, "ner", LABELS, exclude=exclude)
    worker_state(spec)  # spaCy, discovery and list building once, outside the timing
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        apply_rules(spec, examples, Path(tmp), workers=workers, shard_size=1000)
        return time.perf_counter() - started


def skweak_chain(texts: list[str], exclude: tuple[str, ...]) -> float:
    import spacy
    from skweak.heuristics import FunctionAnnotator

    rules = [r for r in RuleSpec(RULES, "ner", LABELS, exclude=exclude).load().rules]
    nlp = spacy.blank("en")

    def as_function(rule):
        def func(doc):
            for span in rule.vote(doc):
                made = doc.char_span(span.start, span.end, span.label)
                if made is not None:
                    yield made.start, made.end, span.label

        return func

    annotators = [FunctionAnnotator(r.name, as_function(r)) for r in rules]
    started = time.perf_counter()
    docs = list(nlp.pipe(texts))
    for annotator in annotators:
        docs = list(annotator.pipe(docs))
    return time.perf_counter() - started


def tokenizer_only(texts: list[str]) -> float:
    import spacy

    tokenizer = spacy.blank("en").tokenizer
    started = time.perf_counter()
    for _ in tokenizer.pipe(texts, batch_size=1000):
        pass
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3, help="median of this many runs")
    args = parser.parse_args()
    examples = read_corpus(shared("conll2003", "eng.train"), "conll").examples
    texts = [e.text for e in examples]
    n = len(examples)
    voter_off = ("spacy_ner",)

    def median_of(runs, timed, *call_args):
        return statistics.median(timed(*call_args) for _ in range(runs))

    t_tok = median_of(args.repeats, tokenizer_only, texts)
    t_ours = median_of(args.repeats, ours, examples, args.workers, voter_off)
    t_ours_1 = median_of(args.repeats, ours, examples, 1, voter_off)
    t_skweak = median_of(args.repeats, skweak_chain, texts, voter_off)
    t_ours_voter = ours(examples, args.workers, ())
    rate = {
        k: round(n / v, 1)
        for k, v in (
            ("tok", t_tok),
            ("ours", t_ours),
            ("ours1", t_ours_1),
            ("skweak", t_skweak),
            ("voter", t_ours_voter),
        )
    }
    rows = [
        ["spaCy tokenizer alone (floor)", round(t_tok, 2), rate["tok"], "-"],
        [
            f"weakforge applier, {args.workers} processes, voter off",
            round(t_ours, 2),
            rate["ours"],
            round(t_ours / t_tok, 2),
        ],
        [
            "weakforge applier, 1 process, voter off",
            round(t_ours_1, 2),
            rate["ours1"],
            round(t_ours_1 / t_tok, 2),
        ],
        [
            "skweak annotators one by one, voter off",
            round(t_skweak, 2),
            rate["skweak"],
            round(t_skweak / t_tok, 2),
        ],
        [
            f"weakforge applier, {args.workers} processes, spaCy NER voter on",
            round(t_ours_voter, 2),
            rate["voter"],
            round(t_ours_voter / t_tok, 2),
        ],
    ]
    table = markdown_table(["method", "seconds", "sentences/s", "x tokenizer time"], rows)
    record(
        "apply_throughput",
        {
            "ours_sents_per_s": rate["ours"],
            "skweak_sents_per_s": rate["skweak"],
            "tokenizer_sents_per_s": rate["tok"],
            "peak_rss_mb": peak_rss_mb(),
            "ours_one_process_sents_per_s": rate["ours1"],
            "ours_voter_on_sents_per_s": rate["voter"],
            "n_sentences": n,
        },
        table,
        ["../shared/data/conll2003/eng.train"],
        notes=f"Speed-up over skweak's chain: {t_skweak / t_ours:.2f}x. Peak RSS "
        f"{peak_rss_mb()} MB (largest of this process and its workers).",
    )


if __name__ == "__main__":
    main()
