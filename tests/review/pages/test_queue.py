"""The review page through Streamlit's AppTest: filter, open, relabel, undo, XSS safety."""

import html
import re
import sqlite3

import pytest
from streamlit.testing.v1 import AppTest

from weakforge.review.store import QueueItem, update_queue

QUEUE_PAGE = "from weakforge.review.pages.queue import main\nmain()\n"
RULES_PAGE = "from weakforge.review.pages.rules import main\nmain()\n"
XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def notices(app, kind: str) -> list[str]:
    """The page's messages of one kind (success, info, warning, error), as their text."""
    found = []
    for element in app.get("html"):
        body = element.proto.body
        if f'class="wf-{kind}"' in body:
            found.append(html.unescape(re.sub("<[^>]+>", "", body)))
    return found


def queue(path, task="classification", labels=None, double_share=0.0):
    items = []
    for i in range(1, 8):
        weak = [[0, 5, "LOC", 0.75]] if task == "ner" else ("HAM" if i % 2 else "SPAM")
        text = f"Paris {XSS} item {i}" if task == "ner" else f"comment {i} {XSS}"
        issues = ("label_issue",) if i % 2 else ("leakage", "near_duplicate")
        items.append(
            QueueItem(
                id=f"x{i}",
                text=text,
                split="train",
                task=task,
                weak_label=weak,
                suggested_label="SPAM" if task != "ner" else [[0, 5, "ORG"]],
                issues=issues,
                scores={"label_issue": i / 10},
                votes={"LF000": weak},
                why="because",
                duplicate_set=None,
                priority=i / 10,
                probs={} if task == "ner" else {weak: 0.8, "SPAM" if weak == "HAM" else "HAM": 0.2},
            )
        )
    update_queue(path, items, labels=labels, double_share=double_share)


@pytest.fixture
def page(tmp_path, monkeypatch):
    def start(task="classification"):
        queue(tmp_path / "review.sqlite", task)
        monkeypatch.setenv("WEAKFORGE_RUN_DIR", str(tmp_path))
        app = AppTest.from_string(QUEUE_PAGE, default_timeout=30)
        app.run()
        assert not app.exception, app.exception
        return app

    return start


def decisions(tmp_path):
    return (
        sqlite3.connect(tmp_path / "review.sqlite")
        .execute("SELECT item_id, reviewer, action, new_label, undone FROM decisions ORDER BY seq")
        .fetchall()
    )


def matching(app) -> str:
    """The queue tab's count line."""
    return next(c.value for c in app.caption if "match" in c.value)


def shown(app) -> str:
    """The id of the item the page shows first (its heading)."""
    for element in app.get("html"):
        found = re.search(r"<h3[^>]*>Item (.*?) \(", element.proto.body)
        if found:
            return html.unescape(found.group(1))
    return ""


def html_text(app) -> str:
    """Every HTML block's text, unescaped."""
    return " ".join(html.unescape(re.sub("<[^>]+>", "", m.proto.body)) for m in app.get("html"))


def open_item(app, item_id: str):
    """Open an item as a click on its queue row does."""
    app.session_state["pinned_item"] = item_id
    return app.run()


def send(app, *wanted):
    """What the class item view sends: these decisions, numbered after those answered."""
    answered = app.session_state["acknowledged"] if "acknowledged" in app.session_state else 0
    pending = [
        {"n": answered + k + 1, "label": None, "seq": None, **decision}
        for k, decision in enumerate(wanted)
    ]
    session = app.session_state["view_session"]
    app.session_state["item_keys"] = {"session": session, "pending": pending}
    return app.run()


def answers(app) -> list[tuple[str, str]]:
    return [(r["outcome"], r["message"]) for r in app.session_state["view_results"]]


def batch(app) -> list[str]:
    """The items the class item view holds, the one on screen first."""
    return list(app.session_state["view_batch"])


def start_as(app, name: str):
    """Type the reviewer's name in the start box and press Enter."""
    return app.sidebar.text_input(key="reviewer").input(name).run()


def test_filter_open_relabel_and_undo(page, tmp_path):
    app = page()
    assert "7 items match" in matching(app)
    app.sidebar.multiselect(key="f_issues").set_value(["leakage"]).run()
    assert "3 items match" in matching(app)
    assert app.sidebar.multiselect(key="f_labels").options == ["HAM", "SPAM"]
    app.sidebar.multiselect(key="f_labels").set_value(["SPAM"]).run()
    assert "3 items match" in matching(app)  # the leakage items are SPAM
    app.sidebar.multiselect(key="f_sources").set_value(["LF000"]).run()
    assert "3 items match" in matching(app)
    app.sidebar.multiselect(key="f_labels").set_value(["HAM"]).run()
    assert "0 items match" in matching(app)
    app.sidebar.multiselect(key="f_labels").set_value([]).run()
    app.sidebar.multiselect(key="f_issues").set_value([]).run()
    start_as(app, "ana")
    assert batch(app) == ["x7", "x6", "x5", "x4"]  # half the queue claimed for ana, best first
    send(app, {"item": "x4", "action": "relabel", "label": "HAM"})  # a class key, 1, 2, ...
    assert not app.exception, app.exception
    assert decisions(tmp_path) == [("x4", "ana", "relabel", '"HAM"', 0)]
    assert answers(app) == [("saved", "relabel recorded for x4")]
    assert "1 of 7 reviewed" in app.sidebar.get("progress")[0].proto.text
    assert "x4" not in batch(app)
    send(app, {"action": "undo", "item": None})
    assert decisions(tmp_path)[0][4] == 1 and decisions(tmp_path)[1][2] == "undo"
    assert "on x4" in answers(app)[-1][1]  # undo names the item
    assert batch(app)[0] == "x4"  # and opens it again, first


def test_the_classic_view_shows_the_label_models_probability(page):
    app = page()
    open_item(app, "x4")  # no reviewer yet: the classic view
    assert shown(app) == "x4" and "SPAM (p = 0.80)" in html_text(app)


def test_no_decision_without_a_reviewer_name(page, tmp_path):
    app = page()
    app.button(key="accept_weak@x7").click().run()
    assert decisions(tmp_path) == []
    assert any("reviewer" in w for w in notices(app, "warning"))


def test_html_in_texts_is_shown_as_text(page):
    app = page("ner")
    bodies = " ".join(m.proto.body for m in app.get("html"))
    assert "<script>" not in bodies and "<img" not in bodies
    assert "&lt;script&gt;" in bodies and "&lt;img src=x onerror=" in bodies
    assert "<mark" in bodies  # our own highlight markup is the only HTML
    classification = page()
    assert XSS in html_text(classification)  # shown verbatim, as escaped text
    assert "<script>" not in " ".join(m.proto.body for m in classification.get("html"))
    assert all("<script>" not in m.value for m in classification.markdown)


def test_export_reviewed_set(page, tmp_path):
    import json

    app = page()
    start_as(app, "ana")
    send(app, {"item": "x1", "action": "accept_suggestion"})
    app.selectbox(key="export_format").set_value("jsonl").run()
    app.button(key="export").click().run()
    rows = [
        json.loads(x) for x in (tmp_path / "exports" / "reviewed.jsonl").read_text().splitlines()
    ]
    assert [(r["id"], r["gold"]) for r in rows] == [("x1", "SPAM")]
    assert app.get("download_button")  # and offered to the reviewer's machine
    assert "ana" in [r["reviewer"] for r in app.sidebar.dataframe[0].value.to_dict("records")]


def test_rule_authors_page_lists_sources_and_conflicts(tmp_path, monkeypatch):
    import json as json_module

    from weakforge.corpus.tabular import save_records
    from weakforge.records import Example

    examples = [
        Example(
            id="a",
            text="free stuff",
            votes={"free": "SPAM", "song": None},
            label="SPAM",
            gold="SPAM",
            split="dev",
        ),
        Example(
            id="b",
            text="free song",
            votes={"free": "SPAM", "song": "HAM"},
            label="HAM",
            gold="HAM",
            split="dev",
        ),
    ]
    save_records(examples, tmp_path / "aggregated.parquet")
    (tmp_path / "config.resolved.json").write_text(
        json_module.dumps({"run": {"task": "classification"}})
    )
    monkeypatch.setenv("WEAKFORGE_RUN_DIR", str(tmp_path))
    app = AppTest.from_string(RULES_PAGE, default_timeout=30).run()
    assert not app.exception, app.exception
    table = app.dataframe[0].value
    assert list(table["source"]) == ["free", "song"]
    assert list(table["precision"]) == [0.5, 1.0]
    app.selectbox(key="lf_source").set_value("free").run()
    app.checkbox(key="lf_conflicts").check().run()
    assert list(app.dataframe[1].value["id"]) == ["b"]


def test_ner_relabel_goes_through_the_span_editor(page, tmp_path):
    app = page("ner")
    start_as(app, "ana")
    open_item(app, "x3")
    assert "'Paris' LOC (p = 0.75)" in html_text(app)
    app.button(key="relabel@x3").click().run()
    assert not app.exception, app.exception
    assert decisions(tmp_path) == [("x3", "ana", "relabel", '[[0, 5, "LOC"]]', 0)]


def test_a_team_queue_on_postgresql(postgres_url, tmp_path, monkeypatch):
    """The run's config names a server database: the page reads and writes there."""
    import json

    import sqlalchemy as sa

    from weakforge.review.store import decisions as decisions_table
    from weakforge.review.store import open_database

    queue(postgres_url)
    (tmp_path / "config.resolved.json").write_text(
        json.dumps({"run": {"labels": ["HAM", "SPAM"]}, "audit": {"database": postgres_url}})
    )
    monkeypatch.setenv("WEAKFORGE_RUN_DIR", str(tmp_path))
    app = AppTest.from_string(QUEUE_PAGE, default_timeout=30).run()
    assert not app.exception, app.exception
    assert "7 items match" in matching(app)
    start_as(app, "ana")
    send(app, {"item": "x2", "action": "duplicate"})
    assert not app.exception, app.exception
    with open_database(postgres_url).connect() as connection:
        rows = connection.execute(
            sa.select(decisions_table.c.item_id, decisions_table.c.action)
        ).all()
    assert rows == [("x2", "duplicate")]
    assert not (tmp_path / "review.sqlite").exists()
    # a teammate without the run folder: `weakforge review --database URL` sets this
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv("WEAKFORGE_RUN_DIR", str(elsewhere))
    monkeypatch.setenv("WEAKFORGE_REVIEW_DATABASE", postgres_url)
    app = AppTest.from_string(QUEUE_PAGE, default_timeout=30).run()
    assert not app.exception, app.exception
    assert "1 of 7 reviewed" in app.sidebar.get("progress")[0].proto.text
    assert app.session_state["task_labels"] == ["HAM", "SPAM"]


def test_a_press_on_an_item_already_decided_is_refused_visibly(page, tmp_path):
    """Two reviewers on one item (or one reviewer pressing twice during a rerun): the
    second press carries the state it was shown, so it is refused, never moved on."""
    from weakforge.review.service import decide
    from weakforge.review.store import open_database

    app = page()
    start_as(app, "bo")
    assert batch(app)[0] == "x7"
    decide(open_database(tmp_path / "review.sqlite"), "x7", "ana", "accept_weak")
    send(app, {"item": "x7", "action": "duplicate"})  # bo's view still showed x7 undecided
    assert [d[:3] for d in decisions(tmp_path)] == [("x7", "ana", "accept_weak")]
    outcome, message = answers(app)[-1]
    assert outcome == "refused" and "decided by ana" in message  # the view shows why
    app.run()  # a later rerun answers nothing twice
    assert len(answers(app)) == 1


def test_skip_moves_on_and_invalid_labels_are_refused(page, tmp_path):
    from weakforge.errors import WeakforgeError
    from weakforge.review.service import decide
    from weakforge.review.store import open_database

    app = page()
    start_as(app, "ana")
    first = batch(app)[0]
    send(app, {"item": first, "action": "skip"})
    assert first not in batch(app) and batch(app)
    engine = open_database(tmp_path / "review.sqlite")
    queue(tmp_path / "review.sqlite", labels=["HAM", "SPAM"])  # the audit names the labels
    for bad in ("SPAMM", "", "ham", "<b>SPAM</b>"):
        with pytest.raises(WeakforgeError):
            decide(engine, "x1", "ana", "relabel", bad)
    assert decide(engine, "x1", "ana", "relabel", "HAM")


def test_untrusted_strings_never_render_as_markup(tmp_path, monkeypatch):
    """A Markdown image in a text, an id and a reviewer name is never fetched: every
    string is shown as text; bidi overrides are made visible."""
    hostile = "![x](http://127.0.0.1:9/pixel.png) **bold** :red[red] $x^2$"
    update_queue(
        tmp_path / "review.sqlite",
        [
            QueueItem(
                id=f"id {hostile}",
                text=f"first line\n\n{hostile} txt\u202eexe.txt",
                split="train",
                task="ner",
                weak_label=[[0, 5, "LOC"]],
                suggested_label=[],
                issues=("label_issue",),
                scores={"label_issue": 0.5},
                votes={hostile: [[0, 5, "LOC"]]},
                why=hostile,
                duplicate_set=None,
                priority=0.5,
            )
        ],
    )
    monkeypatch.setenv("WEAKFORGE_RUN_DIR", str(tmp_path))
    app = AppTest.from_string(QUEUE_PAGE, default_timeout=30)
    app.run()
    bodies = " ".join(m.proto.body for m in app.get("html"))
    assert "Item id ![x](" in html_text(app)  # the id as text, in the heading
    assert "<img" not in bodies and "\u202e" not in bodies and "[U+202E]" in bodies
    assert "<br><br>" in bodies  # the blank line stays inside the HTML block
    start_as(app, hostile)
    app.button(key=f"accept_weak@id {hostile}").click().run()
    assert not app.exception, app.exception
    markdown = [m.value for m in app.markdown] + [m.value for m in app.success]
    markdown += [m.value for m in app.subheader] + [m.value for m in app.error]
    assert not any("![x](" in m or "**bold**" in m or ":red[" in m for m in markdown)
    assert any("recorded for id ![x](" in m for m in notices(app, "success"))  # as text
    assert decisions(tmp_path)[0][1] == hostile  # stored verbatim, shown escaped


def test_two_reviewers_are_shown_different_items(tmp_path, monkeypatch):
    queue(tmp_path / "review.sqlite")
    monkeypatch.setenv("WEAKFORGE_RUN_DIR", str(tmp_path))
    pages = []
    for name in ("ana", "bo"):
        app = AppTest.from_string(QUEUE_PAGE, default_timeout=30)
        app.run()
        start_as(app, name)
        pages.append(app)
    pages[0].run()  # ana's page holds her items
    pages[1].run()
    assert not set(batch(pages[0])) & set(batch(pages[1]))  # bo gets none of ana's
    assert batch(pages[0])[:3] == ["x7", "x6", "x5"]  # about half of the 7 items for ana
    assert batch(pages[1]) == ["x3", "x2"]  # half of what she left for bo


def test_next_and_previous_walk_the_page(page):
    app = page()
    ids = app.session_state["page_ids"]
    first = shown(app)
    app.button(key="next").click().run()
    second = shown(app)
    assert second == ids[ids.index(first) + 1]
    app.button(key="previous").click().run()
    assert shown(app) == first
    app.button(key="previous").click().run()  # before the first item of the only page
    assert shown(app) == first and not app.exception


def test_a_clicked_queue_row_opens_its_item(monkeypatch):
    """The row-selection callback (AppTest cannot click a dataframe row)."""
    from weakforge.review.pages import queue as page_module

    state = {
        "queue_table": {"selection": {"rows": [2], "columns": []}},
        "page_ids": ["a", "b", "c"],
    }
    monkeypatch.setattr(page_module.st, "session_state", state)
    page_module.open_clicked_row()
    assert state["pinned_item"] == "c"
    state.pop("pinned_item")
    state["queue_table"]["selection"]["rows"] = []  # a click that clears the selection
    page_module.open_clicked_row()
    assert "pinned_item" not in state


def test_double_annotation_is_blind_and_agreement_is_shown(tmp_path, monkeypatch):
    from weakforge.review.service import decide
    from weakforge.review.store import open_database

    queue(tmp_path / "review.sqlite", labels=["HAM", "SPAM"], double_share=1.0)
    engine = open_database(tmp_path / "review.sqlite")
    decide(engine, "x7", "ana", "relabel", "HAM", expected_seq=None)
    monkeypatch.setenv("WEAKFORGE_RUN_DIR", str(tmp_path))
    app = AppTest.from_string(QUEUE_PAGE, default_timeout=30)
    app.run()
    start_as(app, "bob")
    assert "7 items match" in matching(app)  # x7 still waits for bob
    assert batch(app)[0] == "x7"
    assert any("hidden until you decide" in m.value for m in app.info)
    table = next(d.value for d in app.dataframe if "priority" in d.value.columns)
    assert table.loc[table["id"] == "x7", "decision"].item() == ""  # ana's decision not shown
    (seq,) = (
        sqlite3.connect(tmp_path / "review.sqlite")
        .execute("SELECT decided_seq FROM items WHERE id = 'x7'")
        .fetchone()
    )  # the view sends the state the item was shown in: ana's decision
    send(app, {"item": "x7", "action": "relabel", "label": "SPAM", "seq": seq})
    assert not app.exception, app.exception
    assert decisions(tmp_path)[-1][:4] == ("x7", "bob", "relabel", '"SPAM"')
    assert "6 items match" in matching(app)
    assert any("same decision on 0 of 1" in t.value for t in app.sidebar.text)


def test_the_reviewer_name_is_set_once_and_then_read_only(page, tmp_path, monkeypatch):
    """After Enter the name box is gone (a decision key can never type into it); the name
    shows read-only until "Change reviewer"; ``?reviewer=`` sets it from the address."""
    app = page()
    start_as(app, "ana")
    assert not [t for t in app.sidebar.text_input if t.key == "reviewer"]
    assert "Reviewer: ana" in html_text(app)
    send(app, {"item": batch(app)[0], "action": "accept_weak"})
    assert [d[1] for d in decisions(tmp_path)] == ["ana"]
    app.button(key="change_reviewer").click().run()
    assert [t for t in app.sidebar.text_input if t.key == "reviewer"]
    addressed = AppTest.from_string(QUEUE_PAGE, default_timeout=30)
    addressed.query_params["reviewer"] = "bo"
    addressed.run()
    assert "Reviewer: bo" in html_text(addressed) and not addressed.exception


def test_a_note_stays_on_its_item_and_the_next_key_decides_the_same_item(page, tmp_path):
    app = page()
    start_as(app, "ana")
    item = batch(app)[0]
    send(app, {"item": item, "action": "note", "note": "odd wording"})
    assert batch(app)[0] == item  # a note does not move on
    send(app, {"item": item, "action": "accept_weak"})
    assert [(d[0], d[2]) for d in decisions(tmp_path)] == [(item, "note"), (item, "accept_weak")]


def test_keys_pressed_faster_than_the_page_reruns_are_applied_in_order(page, tmp_path):
    """The view sends every decision made since the last answer in one value: all are
    applied, in order, each on the item it was made on; a stale one is refused alone."""
    app = page()
    start_as(app, "ana")
    shown_then = batch(app)[:4]
    send(app, *({"item": i, "action": "accept_weak"} for i in shown_then))
    assert [d[0] for d in decisions(tmp_path)] == shown_then
    assert [o for o, _ in answers(app)] == ["saved"] * 4
    assert not set(shown_then) & set(batch(app))


def test_labels_on_buttons_and_cells_in_tables_are_text(tmp_path, monkeypatch):
    """A label that is a Markdown image or link is escaped on its button; bidi controls in
    the queue table and the duplicate-set table are shown as their code."""
    image = "![x](http://127.0.0.1:9/a.png)"
    link = "[lnk](javascript:alert(1))"
    rows = []
    for i, ident in enumerate(["id\u202eexe.txt", "plain"]):
        rows.append(
            QueueItem(
                id=ident,
                text=f"text {i} \u202eabc",
                split="train",
                task="classification",
                weak_label=image,
                suggested_label=link,
                issues=("near_duplicate",),
                scores={"near_duplicate": 0.5},
                votes={},
                why="twins",
                duplicate_set=1,
                priority=1 - i / 10,
            )
        )
    update_queue(tmp_path / "review.sqlite", rows, labels=[image, link])
    monkeypatch.setenv("WEAKFORGE_RUN_DIR", str(tmp_path))
    app = AppTest.from_string(QUEUE_PAGE, default_timeout=30).run()
    assert not app.exception, app.exception
    labels = [b.label for b in app.button if b.key and b.key.startswith("relabel:")]
    assert labels == [
        r"1\: \!\[x\]\(http\://127\.0\.0\.1\:9/a\.png\)",
        r"2\: \[lnk\]\(javascript\:alert\(1\)\)",
    ]
    cells = " ".join(str(v) for d in app.dataframe for v in d.value.astype(str).to_numpy().ravel())
    assert "\u202e" not in cells and "id[U+202E]exe.txt" in cells


def test_guidelines_and_label_descriptions_are_shown_sanitised(tmp_path, monkeypatch):
    """Issue 35, item 7: `[review] guidelines` (Markdown, rendered without HTML, images or
    script links) and a line per label beside its button."""
    import json

    queue(tmp_path / "review.sqlite", labels=["HAM", "SPAM"])
    (tmp_path / "guide.md").write_text(
        "# Spam or ham\n\n**SPAM**: ads. ![x](http://127.0.0.1:9/a.png) "
        "[bad](javascript:alert(1)) <script>alert(1)</script>\n"
    )
    (tmp_path / "config.resolved.json").write_text(
        json.dumps(
            {
                "run": {"labels": ["HAM", "SPAM"]},
                "review": {
                    "guidelines": "guide.md",
                    "label_descriptions": {"SPAM": "ads, links, **subscribe**"},
                },
                "base_dir": str(tmp_path),
            }
        )
    )
    monkeypatch.setenv("WEAKFORGE_RUN_DIR", str(tmp_path))
    app = AppTest.from_string(QUEUE_PAGE, default_timeout=30).run()
    assert not app.exception, app.exception
    guide = " ".join(m.proto.body for m in app.sidebar.get("html"))
    assert "<h1>Spam or ham</h1>" in guide and "<strong>SPAM</strong>" in guide
    assert "<img" not in guide and "<script" not in guide and 'href="javascript' not in guide
    captions = [c.value for c in app.caption]
    assert r"ads, links, \*\*subscribe\*\*" in captions  # as text, under the SPAM button
