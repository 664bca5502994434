"""Responsiveness of the review page with 100,000 queue items (Streamlit AppTest, the same
script a browser gets), on SQLite and on a PostgreSQL server: time to first render, to
apply a filter, and per action (a relabel and the rerun that follows).

    python bench/review_latency.py [--n 100000] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

from benchlib import BENCH, markdown_table, record
from streamlit.testing.v1 import AppTest

from weakforge.review.store import QueueItem, update_queue
from weakforge.testing import create_database, postgres_binaries, throwaway_postgres

APP = str(BENCH.parent / "app" / "review_app.py")
ISSUES = ["label_issue", "near_duplicate", "exact_duplicate", "outlier", "leakage"]


def fill_queue(target, n: int) -> float:
    rng = random.Random(0)
    started = time.perf_counter()
    update_queue(
        target,
        (
            QueueItem(
                id=f"item-{i:06d}",
                text=f"comment number {i} about song {rng.randrange(500)}",
                split=rng.choice(["train", "train", "dev"]),
                task="classification",
                weak_label=rng.choice(["HAM", "SPAM"]),
                suggested_label=rng.choice(["HAM", "SPAM"]),
                issues=rng.sample(ISSUES, rng.randrange(1, 3)),
                scores={"label_issue": rng.random()},
                votes={"LF000": "SPAM", "LF001": None},
                why="why",
                duplicate_set=None,
                priority=rng.random(),
            )
            for i in range(n)
        ),
    )
    return time.perf_counter() - started


def measure(run_dir: Path, target, n: int) -> dict[str, float]:
    """Fill the queue, then time the page: first render, a filter, five relabels."""
    fill = fill_queue(target, n)
    if isinstance(target, str):  # a server database, named in the run's config
        (run_dir / "config.resolved.json").write_text(
            json.dumps({"run": {"labels": ["HAM", "SPAM"]}, "audit": {"database": target}})
        )
    os.environ["WEAKFORGE_RUN_DIR"] = str(run_dir)
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
        shown = app.selectbox(key="open_item").value
        button = app.button(key=f"relabel:SPAM@{shown}")  # the class button (key 2)
        t0 = time.perf_counter()
        button.click().run()
        actions.append(time.perf_counter() - t0)
        assert not app.exception, app.exception
    return {
        "fill_s": round(fill, 2),
        "first_render_s": round(first, 3),
        "filter_s": round(filtered, 3),
        "action_s": round(statistics.median(actions), 3),
    }


def key_to_next_item(run_dir: Path, presses: int = 10) -> dict[str, float]:
    """In headless Chromium against the real server: first load, and the time from pressing
    A (accept) to the next item's heading on screen (median of ``presses``)."""
    from playwright.sync_api import sync_playwright

    from weakforge.testing import review_page_server

    with review_page_server(run_dir) as port:
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            t0 = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
            heading = page.locator("h3").filter(has_text="Item item-").first
            heading.wait_for(timeout=120_000)
            load = time.perf_counter() - t0
            field = page.get_by_label("Reviewer")
            field.fill("bench")
            field.press("Enter")
            page.wait_for_timeout(2000)
            page.mouse.click(900, 80)
            times = []
            for _ in range(presses):
                before = heading.inner_text()
                t0 = time.perf_counter()
                page.keyboard.press("A")
                page.wait_for_function(
                    "([before]) => { const h = [...document.querySelectorAll('h3')]"
                    ".find(x => x.innerText.startsWith('Item item-'));"
                    " return h && h.innerText !== before; }",
                    arg=[before],
                    timeout=60_000,
                )
                times.append(time.perf_counter() - t0)
                page.wait_for_timeout(500)
            browser.close()
    return {
        "browser_first_load_s": round(load, 2),
        "key_to_next_item_s": round(statistics.median(times), 3),
        "key_to_next_item_max_s": round(max(times), 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument(
        "--backends",
        default="sqlite,postgresql",
        help="sqlite and/or postgresql (a private "
        "throwaway server from Debian's postgresql package)",
    )
    args = parser.parse_args()
    results = {}
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            if backend == "sqlite":
                results[backend] = measure(Path(tmp), Path(tmp) / "review.sqlite", args.n)
                results[backend].update(key_to_next_item(Path(tmp)))
                continue
            binaries = postgres_binaries()
            if binaries is None:
                raise SystemExit("PostgreSQL is not installed: apt-get install postgresql")
            with throwaway_postgres(binaries) as server:
                results[backend] = measure(Path(tmp), create_database(server), args.n)
    steps = [
        ("fill the queue (update_queue)", "fill_s"),
        ("first render", "first_render_s"),
        ("apply a filter", "filter_s"),
        ("relabel + rerun (median of 5)", "action_s"),
        ("Chromium: first load to the item on screen", "browser_first_load_s"),
        ("Chromium: key A to the next item on screen (median of 10)", "key_to_next_item_s"),
    ]
    table = markdown_table(
        ["step", *(f"{b} (s)" for b in results)],
        [[name, *(r.get(key, "") for r in results.values())] for name, key in steps],
    )
    main_result = results.get("sqlite") or next(iter(results.values()))
    record(
        "review_latency",
        {"n_items": args.n, **main_result, "backends": results},
        table,
        ["synthetic queue (no shared data needed)"],
        notes="Times are server-side script runs measured with Streamlit's AppTest, except "
        "the Chromium rows (SQLite: real server, headless Chromium, wall clock). "
        "Top-level numbers are SQLite's (the default); "
        "PostgreSQL is a local server on loopback (fsync off, as a test server).",
    )


if __name__ == "__main__":
    main()
