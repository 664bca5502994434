"""Seconds per text of the LLM labeling source on texts it has not answered (a prompt with 3
examples per class, so no cached answer applies): 400 train texts of WRENCH sms and trec.

    python bench/llm_speed.py
"""

import json
import time

from llm import source_for

from weakforge.corpus import read_corpus
from weakforge.labeling.llm import few_shot_pool

for name, shots in (("sms", 3), ("trec", 3)):
    ex = read_corpus(f"/work/shared/data/wrench/{name}").examples
    src = source_for(name, "gemma-3-270m", shots)
    src.use_examples(few_shot_pool(ex))
    _ = src.backend
    texts = list(dict.fromkeys(e.text for e in ex if e.split == "train"))[:400]
    t = time.perf_counter()
    src.prepare(texts)
    dt = time.perf_counter() - t
    print(
        json.dumps(
            {
                "set": name,
                "shots_per_class": shots,
                "texts": len(texts),
                "calls": src.stats.calls,
                "seconds_per_item": round(dt / src.stats.calls, 3),
                "tokens": src.stats.tokens,
            }
        )
    )
