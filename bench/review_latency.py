"""Responsiveness of the review page with 100,000 queue items, on SQLite and on a PostgreSQL
server: time to first render, to apply a filter and per decision (Streamlit AppTest, the
same script a browser gets); then in headless Chromium against the real server: first load,
key to next item (one reviewer), two reviewers at once, and the share of presses applied at
10 a second, with the claims two reviewers shared, decisions lost and server errors.

    python bench/review_latency.py [--n 100000] [--backends sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import tempfile
import time
from pathlib import Path

from benchlib import markdown_table, record
from streamlit.testing.v1 import AppTest

from weakforge.review.store import QueueItem, update_queue
from weakforge.testing import create_database, postgres_binaries, throwaway_postgres

PAGE = "from weakforge.review.pages.queue import main\nmain()\n"
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
    app = AppTest.from_string(PAGE, default_timeout=120)
    t0 = time.perf_counter()
    app.run()
    first = time.perf_counter() - t0
    assert not app.exception, app.exception
    t0 = time.perf_counter()
    app.sidebar.multiselect(key="f_issues").set_value(["leakage"]).run()
    filtered = time.perf_counter() - t0
    app.sidebar.text_input(key="reviewer").input("bench").run()
    actions = []
    for n in range(1, 6):  # what the class item view sends for a key press: one decision
        shown = app.session_state["view_batch"][0]
        app.session_state["item_keys"] = {
            "session": app.session_state["view_session"],
            "pending": [{"n": n, "item": shown, "seq": None, "action": "relabel", "label": "SPAM"}],
        }
        t0 = time.perf_counter()
        app.run()
        actions.append(time.perf_counter() - t0)
        assert not app.exception, app.exception
        assert app.session_state["view_results"][-1]["outcome"] == "saved"
    return {
        "fill_s": round(fill, 2),
        "first_render_s": round(first, 3),
        "filter_s": round(filtered, 3),
        "action_s": round(statistics.median(actions), 3),
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def open_view(browser, port: int, reviewer: str):
    """A reviewer's page on the class item view; (page, the view's frame)."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"http://127.0.0.1:{port}/?reviewer={reviewer}", timeout=120_000)
    view = page.frame_locator("iframe[title*='item_keys']").first
    view.locator("#heading").filter(has_text="Item item-").wait_for(timeout=120_000)
    page.get_by_text("Review queue").first.click()  # the page focused, not a field
    return page, view


def account(view) -> list[int]:
    """The view's running account: pressed, saved, refused, on their way."""
    return [int(x) for x in re.findall(r"\d+", view.locator("#account").inner_text())]


def settle(page, view, pressed: int) -> list[int]:
    deadline = time.time() + 180
    found = account(view)
    while time.time() < deadline and not (found[0] == pressed and found[3] == 0):
        page.wait_for_timeout(500)
        found = account(view)
    return found


def key_to_next(page, view, presses: int) -> list[float]:
    """Seconds from a press of A to the next item's heading in the view, per press."""
    heading = view.locator("#heading")
    times = []
    for _ in range(presses):
        before = heading.inner_text()
        t0 = time.perf_counter()
        page.keyboard.press("A")
        deadline = time.time() + 60
        while heading.inner_text() == before and time.time() < deadline:
            pass
        times.append(time.perf_counter() - t0)
        page.wait_for_timeout(200)
    return times


def browser_checks(run_dir: Path, decisions_of) -> dict[str, float]:
    """In headless Chromium against the real server: first load; key to next item for one
    reviewer (20 presses) and for two at once; the share of 100 presses at 10 a second
    that were saved; with two reviewers pressing 50 times each at once, the items both
    decided (shared claims), the presses neither saved nor refused (lost decisions) and the
    server errors the page showed. ``decisions_of()``: (item, reviewer) of every decision."""
    from playwright.sync_api import sync_playwright

    from weakforge.testing import review_page_server

    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    with review_page_server(run_dir) as port, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=flags)
        t0 = time.perf_counter()
        page, view = open_view(browser, port, "bench-one")
        load = time.perf_counter() - t0
        one = key_to_next(page, view, 20)
        settle(page, view, 20)
        before = len(decisions_of())
        for _ in range(100):
            page.keyboard.press("A")
            page.wait_for_timeout(100)
        found = settle(page, view, 120)
        applied = (len(decisions_of()) - before) / 100
        page.close()
        (first, first_view), (second, second_view) = (
            open_view(browser, port, name) for name in ("bench-bo", "bench-cy")
        )
        two = []
        for _ in range(10):
            two += key_to_next(first, first_view, 1) + key_to_next(second, second_view, 1)
        start = len(decisions_of())
        for _ in range(50):
            first.keyboard.press("A")
            second.keyboard.press("A")
            first.wait_for_timeout(100)
        accounts = [settle(first, first_view, 60), settle(second, second_view, 60)]
        rows = decisions_of()[start:]
        by = {r: {i for i, who in rows if who == r} for r in ("bench-bo", "bench-cy")}
        errors = sum(
            pg.get_by_text("Traceback").count() + pg.locator("[data-testid='stException']").count()
            for pg in (first, second)
        )
        browser.close()
    return {
        "browser_first_load_s": round(load, 2),
        "key_to_next_item_s": round(statistics.median(one), 3),
        "key_to_next_item_p95_s": round(percentile(one, 0.95), 3),
        "two_reviewers_key_to_next_item_s": round(statistics.median(two), 3),
        "presses_applied_share": round(applied, 3),
        "presses_refused_at_10_per_s": found[2],
        "shared_claims": len(by["bench-bo"] & by["bench-cy"]),
        "lost_decisions": sum(a[0] - a[1] - a[2] for a in accounts),
        "server_errors": errors,
    }


def decisions_reader(target):
    """A function listing (item, reviewer) of every decision in the review database."""
    import sqlalchemy as sa

    from weakforge.review.store import decisions, open_database

    engine = open_database(target)

    def read() -> list[tuple[str, str]]:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.select(decisions.c.item_id, decisions.c.reviewer).order_by(decisions.c.seq)
            ).all()
        return [(r[0], r[1]) for r in rows]

    return read


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
                target = Path(tmp) / "review.sqlite"
                results[backend] = measure(Path(tmp), target, args.n)
                results[backend].update(browser_checks(Path(tmp), decisions_reader(target)))
                continue
            binaries = postgres_binaries()
            if binaries is None:
                raise SystemExit("PostgreSQL is not installed: apt-get install postgresql")
            with throwaway_postgres(binaries) as server:
                target = create_database(server)
                results[backend] = measure(Path(tmp), target, args.n)
                results[backend].update(browser_checks(Path(tmp), decisions_reader(target)))
    steps = [
        ("fill the queue (update_queue)", "fill_s"),
        ("first render", "first_render_s"),
        ("apply a filter", "filter_s"),
        ("a decision + rerun (median of 5)", "action_s"),
        ("Chromium: first load to the item on screen", "browser_first_load_s"),
        ("Chromium: key A to the next item on screen (median of 20)", "key_to_next_item_s"),
        ("Chromium: key A to the next item, 95th percentile", "key_to_next_item_p95_s"),
        (
            "Chromium: two reviewers at once, key to next item (median)",
            "two_reviewers_key_to_next_item_s",
        ),
        ("Chromium: share of 100 presses at 10/s saved", "presses_applied_share"),
        ("two reviewers x 50 presses: items decided by both", "shared_claims"),
        ("two reviewers x 50 presses: presses neither saved nor refused", "lost_decisions"),
        ("two reviewers: server errors shown", "server_errors"),
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
        "the Chromium rows (the real server, headless Chromium, wall clock; the class item "
        "view shows the next item itself, so key to next item is the browser's time). "
        "Top-level numbers are SQLite's (the default); "
        "PostgreSQL is a local server on loopback (fsync off, as a test server).",
    )


if __name__ == "__main__":
    main()
