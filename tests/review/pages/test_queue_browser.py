"""One real-browser test: the review page in headless Chromium (Debian's chromium, driven by
playwright), a decision made by clicking, checked in the database; a screenshot is kept in
tests/artifacts/."""

import http.server
import json
import os
import re
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import pytest

from weakforge.review.store import QueueItem, open_database, update_queue
from weakforge.testing import review_page_server

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


@contextmanager
def page_server(folder: Path):
    """The review page served for ``folder`` and a headless Chromium to open it: (browser,
    port). The server stops when the block ends, whatever happened in it."""
    playwright = pytest.importorskip("playwright.sync_api")
    with review_page_server(folder) as port, playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        yield browser, port
        browser.close()


def test_click_a_decision_in_headless_chromium(tmp_path):
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
    with page_server(tmp_path) as (browser, port):
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)
        page.get_by_text("Review queue").first.wait_for(timeout=60_000)
        reviewer = page.get_by_label("Reviewer")
        reviewer.fill("ana")
        reviewer.press("Enter")
        page.get_by_text("Reviewer: ana").first.wait_for(timeout=30_000)
        # no field is left to type decision keys into
        page.get_by_label("Reviewer").wait_for(state="detached", timeout=30_000)
        heading = view(page).locator("#heading").filter(has_text="Item x1")
        heading.wait_for(timeout=30_000)
        accept = view(page).get_by_role("button", name="Accept suggestion")
        text = view(page).locator("#text")
        assert text.inner_text() == "check out my channel <b>now</b>"  # as text
        assert on_screen(page, heading) and on_screen(page, text) and on_screen(page, accept)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "review_item.png"))
        accept.click()  # the next item shows at once; the decision goes to the server
        view(page).locator("#heading").filter(has_text="Item x2").wait_for(timeout=10_000)
        view(page).locator("#text").click()  # the focus inside the view: its keys work too
        page.keyboard.press("D")  # the keyboard shortcut of "Duplicate: drop"
        view(page).locator("#last").filter(has_text="duplicate recorded for x2").wait_for(
            timeout=30_000
        )
        assert settled(page, 2) == (2, 2, 0, 0)
        page.screenshot(path=str(ARTIFACTS / "review_page.png"), full_page=True)
    actions = (
        sqlite3.connect(tmp_path / "review.sqlite")
        .execute("SELECT item_id, reviewer, action, new_label FROM decisions ORDER BY seq")
        .fetchall()
    )
    assert actions == [
        ("x1", "ana", "accept_suggestion", '"HAM"'),
        ("x2", "ana", "duplicate", None),
    ]


def many_items(n: int) -> list[QueueItem]:
    return [
        QueueItem(
            id=f"x{i:03d}",
            text=f"comment number {i}",
            split="train",
            task="classification",
            weak_label="SPAM" if i % 2 else "HAM",
            suggested_label="HAM",
            issues=["label_issue"],
            scores={"label_issue": 0.5},
            votes={"LF000": "SPAM"},
            why="cleanlab",
            duplicate_set=None,
            priority=1 - i / 1000,  # x000 first
        )
        for i in range(n)
    ]


def open_page(browser, port: int, reviewer: str):
    """A reviewer's page on the class item view, the page (not a field) focused."""
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)
    page.get_by_text("Review queue").first.wait_for(timeout=60_000)
    field = page.get_by_label("Reviewer")
    field.fill(reviewer)
    field.press("Enter")
    view(page).locator("#heading").filter(has_text="Item ").wait_for(timeout=60_000)
    page.get_by_text("Review queue").first.click()  # focus the page, not a field or a button
    return page


def view(page):
    """The class item view (the component that owns the decision keys)."""
    return page.frame_locator("iframe[title*='item_keys']").first


def account(page) -> tuple[int, int, int, int]:
    """The view's running account: (pressed, saved, refused, on their way)."""
    text = view(page).locator("#account").inner_text()
    return tuple(int(x) for x in re.findall(r"\d+", text))  # type: ignore[return-value]


def settled(page, pressed: int, timeout: float = 120) -> tuple[int, int, int, int]:
    """Wait until every one of ``pressed`` presses has its answer; the account then."""
    deadline = time.time() + timeout
    found = account(page)
    while time.time() < deadline and not (found[0] == pressed and found[3] == 0):
        page.wait_for_timeout(500)
        found = account(page)
    return found


def idle(page) -> None:
    """Wait until the page is not rerunning (Streamlit's "Running" widget is gone)."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="hidden", timeout=30_000)


def decided(db: Path) -> list[tuple[str, str, str]]:
    return (
        sqlite3.connect(db)
        .execute("SELECT item_id, reviewer, action FROM decisions ORDER BY seq")
        .fetchall()
    )


def test_rapid_keys_and_two_reviewers_never_decide_an_unseen_item(tmp_path):
    """The class item view owns the keys: 100 presses of A 100 ms apart give 100 decisions
    on the 100 items shown, in order; at 20 presses a second every press ends saved or
    refused with its reason; two reviewers pressing 50 times each at once decide 100
    different items, none lost, none twice, none held by both."""
    db = tmp_path / "review.sqlite"
    update_queue(db, many_items(400), labels=["HAM", "SPAM"])
    with page_server(tmp_path) as (browser, port):
        page = open_page(browser, port, "ana")
        for _ in range(100):
            page.keyboard.press("A")
            page.wait_for_timeout(100)
        found = settled(page, 100)
        print(f"100 presses 100 ms apart: {found}")
        ids = [r[0] for r in decided(db)]
        assert found == (100, 100, 0, 0)
        assert ids == [f"x{i:03d}" for i in range(100)], "a decision skipped or repeated one"
        for _ in range(50):  # 20 a second
            page.keyboard.press("K")
            page.wait_for_timeout(50)
        found = settled(page, 150)
        print(f"then 50 skips 50 ms apart: {found}")
        assert found[0] == 150 and found[1] + found[2] == 150 and found[3] == 0
        page.close()

        first = open_page(browser, port, "bo")
        second = open_page(browser, port, "cy")
        before = len(decided(db))
        for _ in range(50):
            first.keyboard.press("A")
            second.keyboard.press("A")
            first.wait_for_timeout(100)
        assert settled(first, 50)[:2] == (50, 50) and settled(second, 50)[:2] == (50, 50)
        rows = decided(db)[before:]
        by = {name: [r[0] for r in rows if r[1] == name] for name in ("bo", "cy")}
        print(f"two reviewers: {len(by['bo'])} + {len(by['cy'])} decisions")
        assert len(by["bo"]) == len(by["cy"]) == 50
        assert not set(by["bo"]) & set(by["cy"]), "an item was served to both"
        assert len({r[0] for r in rows}) == 100, "an item was decided twice"


def queue_one_ner_item(db: Path, text: str) -> None:
    """One NER item whose text starts "Lebed met Ford Motor Co officials in Grozny": the
    weak label calls the company a LOC, the suggestion an ORG."""
    update_queue(
        db,
        [
            QueueItem(
                id="n1",
                text=text,
                split="train",
                task="ner",
                weak_label=[[0, 5, "PER", 0.9], [10, 23, "LOC", 0.4], [37, 43, "LOC", 0.95]],
                suggested_label=[[0, 5, "PER"], [10, 23, "ORG"], [37, 43, "LOC"]],
                issues=["label_issue"],
                scores={"label_issue": 0.8},
                votes={"spacy_ner": [[0, 5, "PER"], [10, 23, "ORG"]], "cities": [[37, 43, "LOC"]]},
                why="'Ford Motor Co' LOC -> ORG",
                duplicate_set=None,
                priority=0.8,
            )
        ],
        labels=["PER", "ORG", "LOC", "MISC"],
    )


def on_screen(page, locator) -> bool:
    """Whether the element is inside the viewport as the page opens (no scrolling)."""
    box = locator.bounding_box()
    return box is not None and 0 <= box["y"] and box["y"] + box["height"] <= 768


def test_ner_item_view_in_headless_chromium(tmp_path):
    """The NER item view at 1366x768: the item first (heading, the sentence once, in the
    editor, with its spans, the labels and the decision buttons on screen without
    scrolling); the votes and the suggestion drawn in one colour per type once unfolded;
    hostile text shown as text (screenshot in tests/artifacts/)."""
    text = (
        "Lebed met Ford Motor Co officials in Grozny on **Monday** ![x](http://127.0.0.1:9/p.png)"
    )
    queue_one_ner_item(tmp_path / "review.sqlite", text)
    with page_server(tmp_path) as (browser, port):
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        requests = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)
        heading = page.get_by_text("Item n1").first
        heading.wait_for(timeout=60_000)
        editor = page.locator("iframe[title*='span_editor']").first
        editor.wait_for(timeout=60_000)
        editor.content_frame.get_by_text("Lebed").first.wait_for(timeout=30_000)
        accept = page.get_by_role("button", name="Accept weak")
        accept.wait_for(timeout=30_000)
        assert on_screen(page, heading) and on_screen(page, editor) and on_screen(page, accept)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "review_ner_item.png"))
        page.get_by_text("Votes, duplicates and history").first.click()
        page.wait_for_function(  # each source's spans and the suggestion's, all drawn
            "() => document.querySelectorAll('mark').length >= 4", timeout=30_000
        )
        assert page.get_by_text("**Monday**", exact=False).count() >= 1  # not bold
    assert not [u for u in requests if "127.0.0.1:9" in u]  # the image was never fetched


def test_spans_are_edited_by_selecting_text_and_pressing_a_number(tmp_path):
    """The span editor component: drag the mouse over "Ford Motor Co" and press 2 (ORG):
    the LOC span it covered is replaced; click "Lebed" and press Delete: it is gone; click
    "Grozny" and press 4: it is a MISC; the relabel saves exactly those spans. Hostile text
    stays text inside the editor too."""
    db = tmp_path / "review.sqlite"
    text = "Lebed met Ford Motor Co officials in Grozny <img src=x onerror=alert(1)> \u202etxt"
    queue_one_ner_item(db, text)
    with page_server(tmp_path) as (browser, port):
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(f"http://127.0.0.1:{port}/", timeout=60_000)
        field = page.get_by_label("Reviewer")
        field.wait_for(timeout=60_000)
        field.fill("ana")
        field.press("Enter")
        frame_element = page.locator("iframe[title*='span_editor']").first
        frame_element.wait_for(timeout=60_000)
        editor = frame_element.content_frame
        editor.get_by_text("Lebed").first.wait_for(timeout=30_000)
        assert editor.locator("img").count() == 0  # the tag is text, not an element
        assert editor.get_by_text("[U+202E]").count() == 1  # the bidi override is shown
        frame_element.scroll_into_view_if_needed()
        box = frame_element.bounding_box()
        ford = frame_element.element_handle().content_frame().evaluate(WHERE_IS_FORD)
        y = box["y"] + ford["y"]
        page.mouse.move(box["x"] + ford["left"] + 2, y)
        page.mouse.down()
        page.mouse.move(box["x"] + ford["right"] - 2, y, steps=5)
        page.mouse.up()
        editor.locator("#status").filter(has_text="press its type").wait_for(timeout=10_000)
        page.keyboard.press("2")
        editor.locator("#status").filter(has_text="as ORG").wait_for(timeout=10_000)
        editor.locator("mark", has_text="Lebed").click()
        page.keyboard.press("Delete")
        editor.locator("#status").filter(has_text="Removed").wait_for(timeout=10_000)
        editor.locator("mark", has_text="Grozny").click()
        page.keyboard.press("4")
        editor.locator("#status").filter(has_text="Retyped as MISC").wait_for(timeout=10_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "review_span_editor.png"), full_page=True)
        page.wait_for_timeout(1500)  # the page reruns with the editor's value
        page.get_by_role("button", name="Relabel spans").click()
        deadline = time.time() + 30
        while time.time() < deadline and not decided(db):
            time.sleep(0.2)
    label = sqlite3.connect(db).execute("SELECT new_label FROM decisions").fetchone()[0]
    assert json.loads(label) == [[10, 23, "ORG"], [37, 43, "MISC"]]


WHERE_IS_FORD = """() => {
    const box = document.getElementById('text'), range = document.createRange();
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode()) && !node.data.includes('Ford')) {}
    range.setStart(node, node.data.indexOf('Ford'));
    range.setEnd(node, node.data.indexOf('Co') + 2);
    const r = range.getBoundingClientRect();
    return {left: r.left, right: r.right, y: (r.top + r.bottom) / 2};
}"""


@contextmanager
def counting_http_server():
    """A local HTTP server that counts the requests it gets: (port, hits)."""
    hits: list[str] = []

    class Count(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the standard library's name)
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Count)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], hits
    finally:
        server.shutdown()


def test_nothing_in_an_item_or_a_reviewer_name_is_fetched_in_a_colleagues_browser(tmp_path):
    """Markdown images and HTML in a text, an id, a label and a reviewer's name point at a
    local server: one reviewer decides, a colleague opens the decided item (its history names the
    first reviewer); the server gets no request and the strings are shown as text."""
    db = tmp_path / "review.sqlite"
    with counting_http_server() as (image_port, hits):
        image = f"http://127.0.0.1:{image_port}"
        hostile_id = f"x1![i]({image}/id.png)"
        reviewer = f"eve![r]({image}/reviewer.png)"
        item = replace(
            many_items(1)[0],
            id=hostile_id,
            text=f"great video ![t]({image}/text.png) <img src={image}/html.png> **bold**",
        )
        label = f"![l]({image}/label.png)"  # defect 6: a label is a button's text, no more
        update_queue(db, [item, *many_items(3)[1:]], labels=["HAM", label])
        with page_server(tmp_path) as (browser, port):
            first = open_page(browser, port, reviewer)
            idle(first)
            assert view(first).get_by_role("button", name=f"Relabel: {label}").count() == 1
            first.keyboard.press("A")
            deadline = time.time() + 30
            while time.time() < deadline and not decided(db):
                time.sleep(0.2)
            assert decided(db) == [(hostile_id, reviewer, "accept_weak")]
            second = open_page(browser, port, "bo")
            second.get_by_text("all", exact=True).click()
            search = second.get_by_label("Search text")
            search.fill("great video")
            search.press("Enter")
            shown = second.locator("h3").filter(has_text=hostile_id)  # as text, in the heading
            shown.first.wait_for(timeout=30_000)
            second.get_by_text("**bold**", exact=False).filter(visible=True).first.wait_for()
            ARTIFACTS.mkdir(exist_ok=True)
            # the first reviewer's name is in the history and the per-reviewer table
            second.get_by_text(reviewer, exact=False).first.wait_for(state="attached")
            second.screenshot(path=str(ARTIFACTS / "review_hostile_item.png"), full_page=True)
            second.wait_for_timeout(2000)  # anything the page would fetch, fetched by now
    assert hits == []


WHERE_IS_WORD = """(word) => {
    const box = document.getElementById('text'), range = document.createRange();
    const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode()) && !node.data.includes(word)) {}
    range.setStart(node, node.data.indexOf(word));
    range.setEnd(node, node.data.indexOf(word) + word.length);
    const r = range.getBoundingClientRect();
    return {left: r.left, right: r.right, y: (r.top + r.bottom) / 2};
}"""


def test_a_drag_that_starts_on_a_type_label_selects_the_words_after_it(tmp_path):
    """Defect: a drag starting on an entity's type label was ignored and left the text
    highlighted, and the next drag was ignored too. Now it selects from the entity's end."""
    db = tmp_path / "review.sqlite"
    queue_one_ner_item(db, "Lebed met Ford Motor Co officials in Grozny today")
    with page_server(tmp_path) as (browser, port):
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.goto(f"http://127.0.0.1:{port}/?reviewer=ana", timeout=60_000)
        frame_element = page.locator("iframe[title*='span_editor']").first
        frame_element.wait_for(timeout=60_000)
        editor = frame_element.content_frame
        label = editor.locator(".type").first  # "PER" after "Lebed"
        label.wait_for(timeout=30_000)
        start = label.bounding_box()
        box = frame_element.bounding_box()
        met = frame_element.element_handle().content_frame().evaluate(WHERE_IS_WORD, "met")
        page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
        page.mouse.down()
        page.mouse.move(box["x"] + met["right"] - 1, box["y"] + met["y"], steps=5)
        page.mouse.up()
        editor.locator("#status").filter(has_text='"met"').wait_for(timeout=10_000)
        page.keyboard.press("4")
        editor.locator("#status").filter(has_text='Added "met" as MISC').wait_for(timeout=10_000)
        today = frame_element.element_handle().content_frame().evaluate(WHERE_IS_WORD, "today")
        y = box["y"] + today["y"]
        page.mouse.move(box["x"] + today["left"] + 1, y)
        page.mouse.down()
        page.mouse.move(box["x"] + today["right"] - 1, y, steps=5)
        page.mouse.up()  # the next drag counts too
        editor.locator("#status").filter(has_text='"today"').wait_for(timeout=10_000)


def test_two_reviewers_at_once_on_postgresql_share_nothing_and_lose_nothing(postgres_url, tmp_path):
    """Issue 35: two reviewers x 50 presses at once on a real PostgreSQL server (the team
    set-up): 100 distinct items decided, 0 held by both, 0 lost, 0 server errors."""
    import sqlalchemy as sa

    from weakforge.review.store import decisions, open_database

    update_queue(postgres_url, many_items(300), labels=["HAM", "SPAM"])
    (tmp_path / "config.resolved.json").write_text(
        json.dumps({"run": {"labels": ["HAM", "SPAM"]}, "audit": {"database": postgres_url}})
    )
    with page_server(tmp_path) as (browser, port):
        first = open_page(browser, port, "bo")
        second = open_page(browser, port, "cy")
        for _ in range(50):
            first.keyboard.press("A")
            second.keyboard.press("A")
            first.wait_for_timeout(100)
        accounts = [settled(first, 50), settled(second, 50)]
        errors = sum(p.locator("[data-testid='stException']").count() for p in (first, second))
    with open_database(postgres_url).connect() as connection:
        rows = connection.execute(sa.select(decisions.c.item_id, decisions.c.reviewer)).all()
    by = {name: [i for i, who in rows if who == name] for name in ("bo", "cy")}
    print(f"PostgreSQL, two reviewers: {accounts}")
    assert [a[:2] for a in accounts] == [(50, 50), (50, 50)] and errors == 0
    assert len(by["bo"]) == len(by["cy"]) == 50 and len({i for i, _ in rows}) == 100
    assert not set(by["bo"]) & set(by["cy"])


def test_keys_typed_into_a_text_field_stay_there(tmp_path):
    """Where an annotator leaves the focus in a text field (the view's note), decision keys
    type letters: "ask dk" decides nothing; the note is saved on the item shown, and the
    next press of A outside the field decides that same item."""
    db = tmp_path / "review.sqlite"
    update_queue(db, many_items(5), labels=["HAM", "SPAM"])
    with page_server(tmp_path) as (browser, port):
        page = open_page(browser, port, "ana")
        note = view(page).locator("#note")
        note.click()
        page.keyboard.type("ask dk")
        page.wait_for_timeout(1500)
        assert decided(db) == [] and note.input_value() == "ask dk"
        view(page).get_by_role("button", name="Add note").click()
        view(page).locator("#text").click()  # out of the field: keys decide again
        page.keyboard.press("A")
        assert settled(page, 2)[:3] == (2, 2, 0)
    assert decided(db) == [("x000", "ana", "note"), ("x000", "ana", "accept_weak")]


def test_messages_counts_undo_and_past_decisions_in_chromium(tmp_path):
    """Issue 35's defects 5, 7, 9, 11 and 12 as an annotator meets them: a bidi control in
    an id is shown as [U+202E]; the last result stays on screen; a press on an item a
    colleague decided meanwhile is refused with its reason and counted once, the same in
    the message and the account; undo opens the undone item again; after the next audit no
    longer flags a reviewed item, it is still in the reviewed view and its decision can be
    corrected there."""
    from weakforge.review.service import decide

    db = tmp_path / "review.sqlite"
    hostile = "id\u202eexe.txt"
    items = many_items(6)
    items[0] = replace(items[0], id=hostile)
    update_queue(db, items, labels=["HAM", "SPAM"])
    with page_server(tmp_path) as (browser, port):
        page = open_page(browser, port, "ana")
        heading = view(page).locator("#heading")
        assert heading.inner_text() == "Item id[U+202E]exe.txt (train)"  # defect 5
        decide(open_database(db), "x001", "bo", "accept_weak")  # a colleague, meanwhile
        page.keyboard.press("A")
        last = view(page).locator("#last")
        last.filter(has_text="accept_weak recorded for id[U+202E]exe.txt").wait_for(timeout=30_000)
        page.wait_for_timeout(3000)  # defect 7: the message stays
        assert "recorded for id[U+202E]exe.txt" in last.inner_text()
        assert heading.inner_text().startswith("Item x001")
        page.keyboard.press("A")  # on x001, which bo decided: refused, with the reason
        view(page).locator("#last.refused").wait_for(timeout=30_000)
        assert "x001" in last.inner_text()
        assert settled(page, 2) == (2, 1, 1, 0)  # defect 9: one refusal, counted once
        page.keyboard.press("U")  # defect 12: undo opens the undone item again
        last.filter(has_text="open again").wait_for(timeout=30_000)
        heading.filter(has_text="Item id[U+202E]exe.txt").wait_for(timeout=30_000)
        page.keyboard.press("S")  # decided again: the suggestion accepted this time
        last.filter(has_text="recorded for id[U+202E]exe.txt").wait_for(timeout=30_000)
        update_queue(db, many_items(6)[2:], labels=["HAM", "SPAM"])  # the next audit
        page.get_by_text("reviewed", exact=True).click()  # defect 11
        correct = page.get_by_role("button", name="Accept weak")
        correct.wait_for(timeout=30_000)
        page.get_by_text("Item id[U+202E]exe.txt").first.wait_for(timeout=30_000)
        correct.click()  # a past decision corrected
        deadline = time.time() + 30
        while time.time() < deadline and len(decided(db)) < 5:
            time.sleep(0.2)
    assert decided(db)[-1] == (hostile, "ana", "accept_weak")
