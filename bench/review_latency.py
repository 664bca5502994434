"""Responsiveness of the review page with 100,000 queue items (Streamlit AppTest, the same
script a browser gets): time to first render, to apply a filter, and per action (a relabel
and the rerun that follows).

    python bench/review_latency.py [--n 100000]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from benchlib import BENCH, markdown_table, record
from streamlit.testing.v1 import AppTest

from weakforge.review_queue import QueueItem, update_queue

APP = str(BENCH.parent / "app" / "review_app.py")
ISSUES = ["label_issue", "near_duplicate", "exact_duplicate", "outlier", "leakage"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    args = parser.parse_args()
    rng = random.Random(0)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        update_queue(
            Path(tmp) / "review.sqlite",
            (
                QueueItem(
                    f"item-{i:06d}",
                    f"comment number {i} about song {rng.randrange(500)}",
                    rng.choice(["train", "train", "dev"]),
                    "classification",
                    rng.choice(["HAM", "SPAM"]),
                    rng.choice(["HAM", "SPAM"]),
                    rng.sample(ISSUES, rng.randrange(1, 3)),
                    {"label_issue": rng.random()},
                    {"LF000": "SPAM", "LF001": None},
                    "why",
                    None,
                    rng.random(),
                )
                for i in range(args.n)
            ),
        )
        fill = time.perf_counter() - started
        os.environ["WEAKFORGE_RUN_DIR"] = tmp
        app = AppTest.from_file(APP, default_timeout=120)
        t0 = time.perf_counter()
        app.run()
        first = time.perf_counter() - t0
        assert not app.exception, app.exception
        app.sidebar.text_input(key="reviewer").input("bench").run()
        t0 = time.perf_counter()
        app.sidebar.multiselect(key="f_issues").set_value(["leakage"]).run()
        filtered = time.perf_counter() - t0
        actions = []
        for _ in range(5):
            app.text_input(key="relabel_class").input("SPAM")
            t0 = time.perf_counter()
            app.button(key="relabel").click().run()
            actions.append(time.perf_counter() - t0)
            assert not app.exception, app.exception
    action = statistics.median(actions)
    table = markdown_table(
        ["step", "seconds"],
        [
            ["fill the queue (update_queue)", round(fill, 2)],
            ["first render", round(first, 3)],
            ["apply a filter", round(filtered, 3)],
            ["relabel + rerun (median of 5)", round(action, 3)],
        ],
    )
    record(
        "review_latency",
        {
            "n_items": args.n,
            "first_render_s": round(first, 3),
            "action_s": round(action, 3),
            "filter_s": round(filtered, 3),
        },
        table,
        ["synthetic queue (no shared data needed)"],
        notes="Times are server-side script runs measured with Streamlit's AppTest; a "
        "browser adds its own rendering on top.",
    )


if __name__ == "__main__":
    main()
