"""One real-browser test: the review page in headless Chromium (Debian's chromium, driven by
playwright), a decision made by clicking, checked in the database; a screenshot is kept in
tests/artifacts/."""

import os
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from weakforge.review.pages.queue import server_command
from weakforge.review.store import QueueItem, update_queue
from weakforge.testing import free_port

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "tests" / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(  # CI installs it (make test), so there a missing browser fails
        not CHROMIUM.exists() and not os.environ.get("CI"),
        reason="Debian's chromium is not installed (make test "
        "installs it where apt-get is available)",
    ),
]


def wait_for(url: str, seconds: float = 90) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer within {seconds} s")


def test_click_a_decision_in_headless_chromium(tmp_path):
    playwright = pytest.importorskip("playwright.sync_api")
    update_queue(
        tmp_path / "review.sqlite",
        [
            QueueItem(
                id="x1",
                text="check out my channel <b>now</b>",
                split="train",
                task="classification",
                weak_label="SPAM",
                suggested_label="HAM",
                issues=["label_issue"],
                scores={"label_issue": 0.9},
                votes={"LF000": "SPAM"},
                why="cleanlab: classifier says HAM",
                duplicate_set=None,
                priority=0.9,
            ),
            QueueItem(
                id="x2",
                text="nice song",
                split="train",
                task="classification",
                weak_label="HAM",
                suggested_label="HAM",
                issues=["exact_duplicate"],
                scores={"exact_duplicate": 1.0},
                votes={"LF000": "HAM"},
                why="exact duplicate of ['x7']",
                duplicate_set=3,
                priority=0.5,
            ),
        ],
    )
    port = free_port()
    server = subprocess.Popen(
        server_command(tmp_path, "127.0.0.1", port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/_stcore/health")
        with playwright.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)
            page.get_by_text("Review queue").first.wait_for(timeout=60_000)
            reviewer = page.get_by_label("Reviewer")
            reviewer.fill("ana")
            reviewer.press("Enter")
            page.get_by_role("button", name="Accept suggestion").click()
            deadline = time.time() + 30
            rows = []
            while time.time() < deadline and not rows:
                rows = (
                    sqlite3.connect(tmp_path / "review.sqlite")
                    .execute("SELECT item_id, reviewer, action, new_label FROM decisions")
                    .fetchall()
                )
                time.sleep(0.5)
            page.get_by_text("accept_suggestion recorded").first.wait_for(timeout=30_000)
            page.get_by_text("Item x2").first.wait_for(timeout=30_000)
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "review_item.png"), full_page=True)
            page.mouse.click(900, 80)  # focus the page, not a text field
            page.keyboard.press("D")  # the keyboard shortcut of "Duplicate: drop"
            page.get_by_text("duplicate recorded for x2").first.wait_for(timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / "review_page.png"), full_page=True)
            browser.close()
        assert rows[0] == ("x1", "ana", "accept_suggestion", '"HAM"')
        actions = (
            sqlite3.connect(tmp_path / "review.sqlite")
            .execute("SELECT item_id, action FROM decisions ORDER BY seq")
            .fetchall()
        )
        assert actions == [("x1", "accept_suggestion"), ("x2", "duplicate")]
    finally:
        server.terminate()
        server.wait(timeout=20)
