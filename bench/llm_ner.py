"""The LLM source on NER: gemma-3-270m (the base model, offline from PyPI) answers each
sentence of a CoNLL-2003 dev sample with the JSON entity list, parsed into spans.

The sample: ``--sentences`` sentences of testa with at least one entity, drawn by a seeded
shuffle; the few-shot examples (``--shots`` per label) come from the other testa sentences'
gold through the same pool a run uses (dev gold only). Scored by exact span and type
against the sample's gold; the share of answers that parse is kept. A second pass over the
same sentences must make no model call (the answer cache).

    python bench/llm_ner.py [--sentences 60] [--shots 2] [--model gemma-3-270m]
"""

from __future__ import annotations

import argparse
import random
import time

from benchlib import markdown_table, record, shared

from weakforge.corpus import ReadOptions, read_corpus
from weakforge.evaluation import span_scores
from weakforge.labeling.llm import few_shot_pool, llm_labeler

LABELS = ["PER", "ORG", "LOC", "MISC"]
WORDS = {"PER": "person", "ORG": "organization", "LOC": "location", "MISC": "other"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=60)
    parser.add_argument("--shots", type=int, default=2)
    parser.add_argument("--model", default="gemma-3-270m")
    args = parser.parse_args()
    dev = read_corpus(shared("conll2003", "eng.testa"), "conll", ReadOptions(split="dev"))
    with_entities = [e for e in dev.examples if e.gold]
    order = list(range(len(with_entities)))
    random.Random(0).shuffle(order)
    sample = [with_entities[i] for i in order[: args.sentences]]
    pool_from = [with_entities[i] for i in order[args.sentences :]]
    function = llm_labeler(
        "llm_ner",
        WORDS,
        "Mark the named entities in the sentence: persons, organizations, locations and "
        "other names (nationalities, events, products).",
        task="ner",
        model=args.model,
        examples_per_label=args.shots,
    )
    source = function.source
    source.use_examples(few_shot_pool(pool_from))
    texts = [e.text for e in sample]
    started = time.perf_counter()
    source.prepare(texts)
    seconds = time.perf_counter() - started
    first_calls = source.stats.calls
    again = llm_labeler(
        "llm_ner",
        WORDS,
        source.instruction,
        task="ner",
        model=args.model,
        examples_per_label=args.shots,
    ).source
    again.use_examples(few_shot_pool(pool_from))
    again.prepare(texts)
    predicted = [source.answers[t] for t in texts]
    raw = source.raw_answers(texts)
    parsed = sum(1 for answer in raw if answer.strip().startswith("[")) / len(raw)
    scores = span_scores([e.gold for e in sample], predicted, LABELS)
    rows = [
        [
            f"gemma LLM source, {args.shots} shots per label",
            scores["precision"],
            scores["recall"],
            scores["f1"],
        ]
    ]
    record(
        "llm_ner",
        {
            "conll_dev_sample_llm_f1": scores["f1"],
            "precision": scores["precision"],
            "recall": scores["recall"],
            "per_type_f1": {t: scores["per_label"][t]["f1"] for t in LABELS},
            "sentences": len(sample),
            "gold_entities": scores["support"],
            "predicted_entities": scores["predicted"],
            "answers_starting_a_json_list": round(parsed, 4),
            "shots_per_label": args.shots,
            "few_shot_ids": source.stats.examples,
            "model": args.model,
            "model_calls_first_pass": first_calls,
            "model_calls_second_pass": again.stats.calls,
            "tokens": source.stats.tokens,
            "seconds_per_sentence": round(seconds / max(1, first_calls), 3),
            "first_answers": [
                {"text": t[:100], "answer": a[:200]} for t, a in zip(texts[:3], raw[:3])
            ],
        },
        markdown_table(["CoNLL-2003 testa sample", "P", "R", "F1"], rows)
        + f"\n\n{len(sample)} sentences, {scores['support']} gold entities; "
        f"{parsed:.0%} of answers start a JSON list; {seconds / max(1, first_calls):.2f} s a "
        f"sentence; second pass: {again.stats.calls} model calls.",
        ["../shared/data/conll2003/eng.testa"],
        notes="NER by generation: the LLM source's JSON answers parsed into spans "
        "(instructions.parse_answer, as the causal fine-tune's).",
    )


if __name__ == "__main__":
    main()
