"""Loading the 539,174-entry Crunchbase list as a gazetteer: time and memory, cold (entries
tokenized with spaCy) and warm (from weakforge's disk cache), and matching speed on
CoNLL-2003 dev.

    python bench/gazetteer_load.py
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import time

import psutil
from benchlib import markdown_table, record, shared

from weakforge import gazetteer
from weakforge.corpus import read_corpus
from weakforge.tokenize import blank_pipeline


def rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def warm_load_in_fresh_process(path, queue) -> None:
    """A new process, so the memory figure is the loaded index's, not the build's leftovers."""
    blank_pipeline()
    before = rss_mb()
    t0 = time.perf_counter()
    rule = gazetteer("crunchbase", path, label_map={"COMPANY": "ORG"})
    queue.put((time.perf_counter() - t0, rss_mb() - before, len(rule.labels)))


def main() -> None:
    path = shared("gazetteers_skweak", "crunchbase_companies.json.gz")
    rows = []
    with tempfile.TemporaryDirectory() as cache:
        os.environ["WEAKFORGE_CACHE"] = cache
        blank_pipeline()
        before = rss_mb()
        t0 = time.perf_counter()
        cold = gazetteer("crunchbase", path, label_map={"COMPANY": "ORG"})
        cold_s = time.perf_counter() - t0
        cold_mb = rss_mb() - before
        del cold
        spawn = multiprocessing.get_context("spawn")
        queue = spawn.Queue()
        child = spawn.Process(target=warm_load_in_fresh_process, args=(path, queue))
        child.start()
        warm_s, warm_mb, _ = queue.get()
        child.join()
        warm = gazetteer("crunchbase", path, label_map={"COMPANY": "ORG"})
    examples = read_corpus(shared("conll2003", "eng.testa"), "conll").examples
    nlp = blank_pipeline()
    docs = list(nlp.pipe(e.text for e in examples))
    t0 = time.perf_counter()
    matches = sum(len(warm.vote(doc)) for doc in docs)
    match_s = time.perf_counter() - t0
    rows.append(
        ["cold load (tokenize 539,174 entries, write cache)", round(cold_s, 2), round(cold_mb, 1)]
    )
    rows.append(["warm load (from cache, fresh process)", round(warm_s, 2), round(warm_mb, 1)])
    rows.append(
        [f"match {len(docs)} CoNLL dev sentences ({matches} matches)", round(match_s, 2), "-"]
    )
    table = markdown_table(["step", "seconds", "memory added (MB RSS)"], rows)
    record(
        "gazetteer_load",
        {
            "entries": 539174,
            "cold_load_s": round(cold_s, 2),
            "warm_load_s": round(warm_s, 2),
            "memory_mb": round(warm_mb, 1),
            "cold_memory_mb": round(cold_mb, 1),
            "match_sents_per_s": round(len(docs) / match_s, 1),
        },
        table,
        [
            "../shared/data/gazetteers_skweak/crunchbase_companies.json.gz",
            "../shared/data/conll2003/eng.testa",
        ],
    )


if __name__ == "__main__":
    main()
