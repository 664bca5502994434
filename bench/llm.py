"""A prompted LLM as a labeling source on WRENCH youtube / sms / trec: the source alone on
test (raw and calibrated; 0 and 4 few-shot examples per class from the valid split's gold),
the dev-chosen label model over the benchmark's own labeling functions without and with the
LLM source, and (``--end``) the encoder end model trained on each. A second pass over the
same texts checks that every answer comes from the cache.

Gold labels of train and test are hidden from the label model; the valid split's gold gives
the few-shot examples, the class prior and the sources' weights. Metric: accuracy (youtube,
trec), F1 of the spam class (sms).

    python bench/llm.py [--model gemma-3-270m] [--datasets youtube sms trec] [--end]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from benchlib import markdown_table, record, shared
from train_wrench import headline, run_seed

from weakforge.aggregate.selection import aggregate_and_choose
from weakforge.config import AggregateSection, TrainSection
from weakforge.corpus import read_corpus
from weakforge.evaluation import class_scores
from weakforge.labeling.llm import few_shot_pool, llm_labeler
from weakforge.learners.embeddings import embed

CACHE = Path(tempfile.gettempdir()) / "weakforge-bench-embeddings"
INSTRUCTIONS = {
    "youtube": "Decide whether each YouTube comment is spam (advertising, self-promotion, "
    "asking to subscribe, visit a channel or a link) or ham (a real comment on the video).",
    "sms": "Decide whether each SMS text message is spam (prizes, offers, premium-rate "
    "numbers, adverts) or ham (an ordinary personal message).",
    "trec": "Classify each question by the type of its answer: abbreviation (an expansion "
    "or abbreviation), description (a definition, reason or manner), entity (a thing, "
    "animal, colour, product...), person (a human or group), location (a place), number "
    "(a count, date, amount...).",
}
WORDS = {
    "youtube": {"HAM": "ham", "SPAM": "spam"},
    "sms": {"ham": "ham", "spam": "spam"},
    "trec": {
        "ABBR": "abbreviation",
        "DESC": "description",
        "ENTY": "entity",
        "HUM": "person",
        "LOC": "location",
        "NUM": "number",
    },
}


def score(name: str, gold: list, predicted: list, labels: list[str]) -> float:
    """Headline score; an abstention counts as wrong."""
    return round(headline(name, class_scores(gold, predicted, labels)), 4)


def source_for(name: str, model: str, shots: int):
    rule = llm_labeler(
        "llm", WORDS[name], INSTRUCTIONS[name], model=model, examples_per_label=shots
    )
    return rule.source


def alone(source, texts: list[str], calibrate: bool) -> list:
    """The source's votes on ``texts`` from its (cached) scores, calibrated or raw."""
    return source.class_votes(source.raw_answers(texts), calibrate)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default="gemma-3-270m")
    parser.add_argument("--datasets", nargs="+", default=["youtube", "sms", "trec"])
    parser.add_argument("--end", action="store_true", help="also train the end models")
    args = parser.parse_args()
    rows, metrics, second_calls = [], {}, 0
    for name in args.datasets:
        folder = shared("wrench", name)
        labels = list(json.loads((folder / "label.json").read_text()).values())
        examples = read_corpus(folder).examples
        hidden = [replace(e, gold=None) if e.split in ("train", "test") else e for e in examples]
        test = [e for e in examples if e.split == "test"]
        gold = [e.gold for e in test]
        pool = few_shot_pool(examples)
        texts = [e.text for e in test]

        zero = source_for(name, args.model, 0)
        zero.use_examples(pool)
        zero.prepare(texts)
        four = source_for(name, args.model, 4)
        four.use_examples(pool)
        _ = four.backend  # loaded before the clock starts
        started = time.perf_counter()
        four.prepare([e.text for e in examples])
        seconds = time.perf_counter() - started
        # seconds per text the model answered (None when every answer came from the cache)
        per_item = seconds / four.stats.calls if four.stats.calls else None
        found = {
            "llm_k0_raw": score(name, gold, alone(zero, texts, False), labels),
            "llm_k0": score(name, gold, alone(zero, texts, True), labels),
            "llm_k4_raw": score(name, gold, alone(four, texts, False), labels),
            "llm": score(name, gold, [four.answers[t] for t in texts], labels),
        }
        again = source_for(name, args.model, 4)
        again.use_examples(pool)
        again.prepare([e.text for e in examples])
        second_calls += again.stats.calls

        features = embed([e.text for e in examples], cache_dir=CACHE)
        with_llm = [replace(e, votes={**e.votes, "llm": four.answers[e.text]}) for e in hidden]
        chosen = {}
        weak = {}
        for key, corpus in (("rules_lm", hidden), ("rules_llm_lm", with_llm)):
            out, choice = aggregate_and_choose(
                corpus, "classification", labels, options=AggregateSection(), features=features
            )
            weak[key] = out
            chosen[key] = f"{choice.method}, {choice.rounds} rounds"
            found[key] = score(name, gold, [e.label for e in out if e.split == "test"], labels)
        if args.end:
            options = TrainSection(epochs=3, learning_rate=1e-3)
            for key, source in (("rules_end", "rules_lm"), ("rules_llm_end", "rules_llm_lm")):
                weak_test = [e for e in weak[source] if e.split == "test"]
                run = run_seed(weak[source], weak_test, gold, labels, options, 0)
                found[key] = round(headline(name, run.scores), 4)
        for key, value in found.items():
            metrics[f"{name}_{key}"] = value
        metrics[f"{name}_label_model_chose"] = chosen
        metrics[f"{name}_llm_seconds_per_item"] = round(per_item, 3) if per_item else None
        metrics[f"{name}_llm_model_calls"] = four.stats.calls
        metrics[f"{name}_llm_tokens"] = four.stats.tokens
        metrics[f"{name}_llm_examples"] = four.stats.examples
        metrics[f"{name}_llm_abstained_test"] = sum(four.answers[t] is None for t in texts)
        rows += [[name, key, round(100 * value, 2)] for key, value in found.items()]
        shown = round(per_item, 3) if per_item else "all from the cache"
        rows.append([name, "LLM seconds per item (model calls)", shown])
        print(markdown_table(["dataset", "what", "test score %"], rows), flush=True)
    metrics["second_run_model_calls"] = second_calls
    metrics["model"] = args.model
    record(
        "llm",
        metrics,
        markdown_table(["dataset", "what", "test score % (or seconds)"], rows),
        ["../shared/data/wrench/{youtube,sms,trec}"],
        notes="youtube/trec: accuracy; sms: F1 of the spam class. llm = the LLM source alone "
        "(calibrated, 4 examples per class from valid), abstentions counted wrong; "
        "rules_lm / rules_llm_lm = weakforge's default label model (method and rounds as "
        "auto chooses them on valid) over the WRENCH labeling functions without / with the "
        "LLM source; *_end = the MiniLM encoder end model trained on those labels (seed 0).",
    )


if __name__ == "__main__":
    main()
