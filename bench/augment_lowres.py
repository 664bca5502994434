"""Does augmentation help when labels are few? And how fast is each augmenter?

1. WRENCH youtube: 10%, 25% and 100% of train with weak labels (dev-weighted majority vote
   of the benchmark's votes), a fast classifier (logistic regression on the offline MiniLM
   embeddings) trained with and without 2 augmented copies per item (synonym / swap / delete
   / keyboard, one each, at random); test accuracy, mean and std over seeds 0, 1, 2.
2. CoNLL-2003 dev-derived NER: documents split in two halves (seeded); a quick token
   classifier (logistic regression on MiniLM word vectors) trained on half A's gold, with and
   without one mention-swap copy per sentence (entities swapped for others of the same type
   from half A); entity F1 on half B.
3. Throughput: augmented texts per second per augmenter on 500 youtube comments.

    python bench/augment_lowres.py
"""

from __future__ import annotations

import json
import random
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
from benchlib import markdown_table, record, shared
from sklearn.linear_model import LogisticRegression

from weakforge.aggregate import aggregate
from weakforge.augment.nlpaug_adapter import augment_examples, augment_text
from weakforge.config import AggregateSection
from weakforge.corpus import read_corpus
from weakforge.evaluation import span_scores
from weakforge.labels import bio_tags, spans_to_tags, tags_to_spans
from weakforge.learners.embeddings import embed, word_vectors
from weakforge.tokenize import token_bounds

CACHE = Path(tempfile.gettempdir()) / "weakforge-bench-embeddings"
AUGMENTERS = ["synonym", "swap", "delete", "keyboard"]


def youtube_rows() -> tuple[list, dict]:
    folder = shared("wrench", "youtube")
    labels = list(json.loads((folder / "label.json").read_text()).values())
    examples = read_corpus(folder).examples
    truth = {e.id: e.gold for e in examples}
    hidden = [replace(e, gold=None) if e.split in ("train", "test") else e for e in examples]
    weak = aggregate(
        hidden, "classification", labels, options=AggregateSection(method="weighted_majority")
    )
    train = [e for e in weak if e.split == "train"]
    test = [e for e in weak if e.split == "test"]
    test_x = embed([e.text for e in test], cache_dir=CACHE)
    test_y = [truth[e.id] for e in test]
    rows, metrics = [], {}
    for fraction in (0.1, 0.25, 1.0):
        scores = {"aug": [], "noaug": []}
        for seed in (0, 1, 2):
            subset = random.Random(seed).sample(train, max(2, int(fraction * len(train))))
            copies = [
                c.example
                for c in augment_examples(
                    subset,
                    "classification",
                    augmenters=AUGMENTERS,
                    copies=2,
                    sequence=1,
                    p=0.15,
                    seed=seed,
                )
            ]
            for name, items in (("noaug", subset), ("aug", subset + copies)):
                x = embed([e.text for e in items], cache_dir=CACHE)
                model = LogisticRegression(max_iter=1000).fit(x, [e.label for e in items])
                scores[name].append(float(np.mean(model.predict(test_x) == np.array(test_y))))
        for name in ("noaug", "aug"):
            metrics[f"youtube_{fraction}_{name}_mean"] = statistics.mean(scores[name])
            metrics[f"youtube_{fraction}_{name}_std"] = statistics.pstdev(scores[name])
        rows.append(
            [
                f"{fraction:.0%}",
                len(subset),
                f"{100 * statistics.mean(scores['noaug']):.2f} ± "
                f"{100 * statistics.pstdev(scores['noaug']):.2f}",
                f"{100 * statistics.mean(scores['aug']):.2f} ± "
                f"{100 * statistics.pstdev(scores['aug']):.2f}",
            ]
        )
    return rows, metrics


def token_model_f1(train_items, test_items, labels) -> float:
    tags = bio_tags(labels)

    def features(items):
        words = [
            token_bounds(e.text, [o for s in e.gold for o in (s.start, s.end)], pretokenized=True)
            for e in items
        ]
        return words, word_vectors([e.text for e in items], words)

    words, vectors = features(train_items)
    y = np.concatenate([spans_to_tags(e.gold, w, tags) for e, w in zip(train_items, words)])
    model = LogisticRegression(max_iter=300).fit(np.vstack(vectors), y)
    test_words, test_vectors = features(test_items)
    predicted = []
    for words_, vecs in zip(test_words, test_vectors):
        found = [tags[i] for i in model.predict(vecs)] if len(words_) else []
        predicted.append(tags_to_spans(found, words_))
    return span_scores([e.gold for e in test_items], predicted, labels)["f1"]


def conll_rows() -> tuple[list, dict]:
    examples = read_corpus(shared("conll2003", "eng.testa"), "conll").examples
    docs = sorted({e.meta["doc"] for e in examples})
    half = set(random.Random(0).sample(docs, len(docs) // 2))
    part_a = [e for e in examples if e.meta["doc"] in half]
    part_b = [e for e in examples if e.meta["doc"] not in half]
    labels = ["PER", "ORG", "LOC", "MISC"]
    mentions: dict[str, set[str]] = {}
    for e in part_a:
        for s in e.gold:
            mentions.setdefault(s.label, set()).add(e.text[s.start : s.end])
    as_train = [replace(e, split="train", label=e.gold) for e in part_a]
    copies = [
        replace(c.example, gold=c.example.label)
        for c in augment_examples(
            as_train,
            "ner",
            augmenters=["mention"],
            copies=1,
            sequence=1,
            p=0.0,
            seed=0,
            mentions={k: sorted(v) for k, v in mentions.items()},
        )
        if c.example.label
    ]
    without = token_model_f1(part_a, part_b, labels)
    with_swap = token_model_f1(part_a + copies, part_b, labels)
    rows = [
        ["without augmentation", len(part_a), round(without, 4)],
        ["with one mention swap per sentence", len(part_a) + len(copies), round(with_swap, 4)],
    ]
    return rows, {"conll_swap_f1": with_swap, "conll_noswap_f1": without}


def throughput_rows() -> tuple[list, dict]:
    texts = [e.text for e in read_corpus(shared("wrench", "youtube")).examples[:500]]
    rows, metrics = [], {}
    for name in AUGMENTERS:
        augment_text(texts[0], name, 0.15, 0)  # load WordNet / models once
        started = time.perf_counter()
        for i, text in enumerate(texts):
            augment_text(text, name, 0.15, i)
        rate = len(texts) / (time.perf_counter() - started)
        rows.append([name, round(rate, 1)])
        metrics[f"throughput_{name}_per_s"] = round(rate, 1)
    return rows, metrics


def main() -> None:
    started = time.perf_counter()
    youtube, youtube_metrics = youtube_rows()
    conll, conll_metrics = conll_rows()
    speed, speed_metrics = throughput_rows()
    table = (
        markdown_table(
            ["youtube train used", "items", "test acc % without aug", "test acc % with aug"],
            youtube,
        )
        + "\n\n"
        + markdown_table(
            ["CoNLL dev half A -> half B (quick token model)", "sentences", "entity F1"], conll
        )
        + "\n\n"
        + markdown_table(["augmenter", "texts/s"], speed)
        + f"\n\nTotal {time.perf_counter() - started:.0f} s."
    )
    record(
        "augment_lowres",
        {**youtube_metrics, **conll_metrics, **speed_metrics},
        table,
        ["../shared/data/wrench/youtube", "../shared/data/conll2003/eng.testa"],
    )


if __name__ == "__main__":
    main()
