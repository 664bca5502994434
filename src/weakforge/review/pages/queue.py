"""The Streamlit review page: a thin view over :mod:`weakforge.review.service`; its buttons
and keys come from the actions table (:data:`weakforge.review.actions.ACTIONS`).

Run with ``weakforge review RUN_DIR``. The current item comes first (its text, suggestion
and decision buttons on screen without scrolling); the queue table, the reviewed view and
the export sit in tabs below it, the filters and statistics in the sidebar. The reviewer's
name is set once (a start box, or ``?reviewer=NAME`` in the address) and then shown
read-only, so a decision key never types into it. Each reviewer's next item is chosen and
claimed in one transaction, so two reviewers are never served the same item. Every action
carries the item id and the decision it was shown with, so a key pressed during a rerun
lands on the item it was pressed on or is refused visibly; the last action's result stays
on screen until the next one. Untrusted strings go through :mod:`.escaping`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import streamlit as st

from weakforge.config import saved_config
from weakforge.corpus import WriteOptions, write_corpus
from weakforge.corpus.validate import check_label
from weakforge.errors import WeakforgeError
from weakforge.layout import EXPORTS
from weakforge.records import label_from_json
from weakforge.review.actions import ACTIONS, UNDO_KEY, Action
from weakforge.review.agreement import agreement
from weakforge.review.feedback import reviewed_examples
from weakforge.review.pages.escaping import (
    escaped,
    guidelines_html,
    highlighted,
    label_text,
    notice,
    plain_label,
    text_rows,
    type_colour,
    visible,
    votes_drawn,
)
from weakforge.review.pages.item_keys import item_keys, sent_decisions
from weakforge.review.pages.key_counter import keys_pressed
from weakforge.review.pages.server import DATABASE_VARIABLE, database, run_dir
from weakforge.review.pages.span_editor import span_editor
from weakforge.review.service import (
    QueueFilter,
    allowed_labels,
    blind_items,
    claim,
    claim_next,
    decide,
    decided_labels,
    decision_item,
    duplicate_set,
    facet_values,
    history,
    item_by_id,
    items_by_ids,
    progress,
    progress_by_reviewer,
    query,
    queue_task,
    undo,
)
from weakforge.review.store import Database, display_name, open_database, queue_exists
from weakforge.tasks import task_kind

__all__ = ["DATABASE_VARIABLE", "main"]
PAGE_SIZE = 25
BATCH = 50  # at most, the items the class view holds for a reviewer (5 s at 10 keys a second)


# --- the reviewer ----------------------------------------------------------------------------


def reviewer_name() -> str:
    """The reviewer, set once per session: from ``?reviewer=`` or the start box."""
    if not st.session_state.get("reviewer_name"):
        from_address = str(st.query_params.get("reviewer", "")).strip()
        if from_address:
            st.session_state["reviewer_name"] = from_address
    return st.session_state.get("reviewer_name", "")


def start_reviewing() -> None:
    """The start box's callback: the typed name becomes the session's reviewer."""
    typed = str(st.session_state.get("reviewer", "")).strip()
    if typed:
        st.session_state["reviewer_name"] = typed
        st.session_state.pop("current_item", None)  # chosen before anyone claimed it


def change_reviewer() -> None:
    st.session_state.pop("reviewer_name", None)
    st.session_state.pop("reviewer", None)


def reviewer_box() -> str:
    """The start box until a name is given (Enter starts), then the name read-only."""
    name = reviewer_name()
    if not name:
        st.sidebar.text_input(
            "Reviewer",
            key="reviewer",
            placeholder="your name, then Enter",
            on_change=start_reviewing,
        )
        return ""
    st.sidebar.html(f"<p>Reviewer: <b>{escaped(name)}</b></p>")
    st.sidebar.button("Change reviewer", key="change_reviewer", on_click=change_reviewer)
    return name


def show_guidelines(config) -> None:
    """The run's annotation guidelines (``[review] guidelines``), sanitised, folded in the
    sidebar; a missing file is said, not fatal."""
    if config is None or not config.review.guidelines:
        return
    path = config.resolve(config.review.guidelines)
    with st.sidebar.expander("Annotation guidelines"):
        try:
            st.html(guidelines_html(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError) as exc:
            notice("warning", f"[review] guidelines: cannot read {path} ({exc})")


def label_descriptions() -> dict[str, str]:
    return dict(st.session_state.get("label_descriptions") or {})


# --- messages --------------------------------------------------------------------------------


def say(kind: str, message: str) -> None:
    """The last action's result: shown until the next action replaces it."""
    st.session_state["last_message"] = (kind, message)


def show_last_message() -> None:
    if "last_message" in st.session_state:
        kind, message = st.session_state["last_message"]
        notice(kind, message)


def outcomes() -> dict[str, int]:
    return st.session_state.setdefault("outcomes", {"saved": 0, "refused": 0})


# --- actions ---------------------------------------------------------------------------------


def act(
    engine, item_id: str, seen_seq: int | None, action: str, label: Any = None, note: str = ""
) -> None:
    """Record a decision on the item this button was drawn for, as it was shown then (a
    widget callback: its arguments were bound when the page was drawn, so a key pressed
    while the page reruns cannot land on the next item). The outcome is shown either way; a
    decision moves on to the reviewer's next item, a note stays on this one."""
    counts = outcomes()
    reviewer = reviewer_name()
    if not reviewer:
        counts["refused"] += 1
        say("warning", "Enter your name as reviewer first (sidebar), then press Enter.")
        return
    try:
        decide(engine, item_id, reviewer, action, label, note, expected_seq=seen_seq)
    except WeakforgeError as exc:  # a stale press, someone else's decision, a bad label
        counts["refused"] += 1
        say("error", f"{exc} ({counts['refused']} refused, {counts['saved']} saved so far)")
        return
    counts["saved"] += 1
    say("success", f"{action} recorded for {item_id}")
    if ACTIONS[action].advances:
        st.session_state["advance_from"] = item_id
    remember_passed(action, item_id)


def remember_passed(action: str, item_id: str) -> None:
    """An item the reviewer moved past without deciding (a skip) is not served again."""
    if ACTIONS[action].passes:
        st.session_state.setdefault("skipped", set()).add(item_id)


def take_back(engine) -> None:
    """Undo the reviewer's last decision and open the item it was on."""
    reviewer = reviewer_name()
    if not reviewer:
        say("warning", "Enter your name as reviewer first (sidebar), then press Enter.")
        return
    undone = undo(engine, reviewer)
    if not undone:
        say("info", "nothing to undo")
        return
    item_id = decision_item(engine, undone)
    say("success", f"undid decision #{undone} on {item_id}: it is open again")
    st.session_state["pinned_item"] = item_id


# --- the item --------------------------------------------------------------------------------


def task_labels(item: dict[str, Any]) -> list[str]:
    """The labels a reviewer may give: the run's, else the queue's declared ones; only a
    queue that declares none falls back to the labels this item shows."""
    declared = list(st.session_state.get("task_labels") or [])
    if declared:
        return declared
    if task_kind(item["task"]).spans:
        return sorted(
            {s[2] for lab in (item["weak_label"], item["suggested_label"]) for s in lab or []}
        )
    return sorted({item["weak_label"], item["suggested_label"]} - {None})


def label_input(engine, item: dict[str, Any], action: Action) -> None:
    """The editor for an action that takes a new label: spans for NER (the one place the
    sentence is shown, weak and suggested spans told apart); for classes one button per
    label, with number keys."""
    seen = (item["id"], item["decided_seq"])
    labels = task_labels(item)
    if task_kind(item["task"]).spans:
        st.caption(f"{action.button}: select words, then press their type's number")
        spans = span_editor(
            item["text"],
            item["weak_label"] or [],
            item["suggested_label"] or [],
            labels,
            {label: type_colour(label) for label in labels},
            item["id"],
            key=f"spans@{item['id']}",
        )
        problem = check_label(item["text"], label_from_json(spans), "ner", None)
        if problem:
            notice("error", f"Not valid: {problem[0]}. {problem[1]}")
        st.button(
            f"{action.button} spans",
            key=f"{action.name}@{item['id']}",
            shortcut=action.key,
            disabled=bool(problem),
            on_click=act,
            args=(engine, *seen, action.name, spans),
        )
        return
    st.caption(f"{action.button} as")
    columns = st.columns(max(len(labels), 1))
    described = label_descriptions()
    for number, (column, label) in enumerate(zip(columns, labels), 1):
        column.button(
            plain_label(f"{number}: {label}"),
            key=f"{action.name}:{label}@{item['id']}",
            shortcut=str(number) if number < 10 else None,
            on_click=act,
            args=(engine, *seen, action.name, label),
        )
        if described.get(label):
            column.caption(plain_label(described[label]))


def decision_buttons(engine, item: dict[str, Any]) -> None:
    seen = (item["id"], item["decided_seq"])
    one_click = [a for a in ACTIONS.values() if not a.needs]
    buttons = st.columns(len(one_click) + 1)
    for column, action in zip(buttons, one_click):
        column.button(
            f"{action.button} ({action.key})" if action.key else action.button,
            key=f"{action.name}@{item['id']}",
            shortcut=action.key,
            on_click=act,
            args=(engine, *seen, action.name),
        )
    buttons[-1].button(
        f"Undo ({UNDO_KEY})", key="undo", shortcut=UNDO_KEY, on_click=take_back, args=(engine,)
    )


def item_view(engine, item: dict[str, Any], blind: bool = False) -> None:
    """One item, first its text, labels and decisions, then what explains it (folded);
    ``blind``: another reviewer's decision stays hidden (double annotation) until this
    reviewer decides."""
    spans = task_kind(item["task"]).spans
    st.html(
        f"<h3 style='margin:0'>Item {escaped(item['id'])} ({escaped(item['split'])})</h3>"
        f"<p style='margin:0.2rem 0'><b>Why flagged:</b> "
        f"{escaped(item['why'] or ', '.join(item['issues']))}</p>"
    )
    if not spans:
        st.html(f"<div style='font-size:1.1rem;padding:0.4rem 0'>{escaped(item['text'])}</div>")
    left, right = st.columns(2)
    left.html(
        "<b>Weak label</b> (label model): "
        + escaped(label_text(item["weak_label"], item["text"], item.get("probs")))
    )
    right.html(
        "<b>Suggested label</b>: " + escaped(label_text(item["suggested_label"], item["text"]))
    )
    for action in (a for a in ACTIONS.values() if a.needs == "label"):
        label_input(engine, item, action)
    decision_buttons(engine, item)
    for action in (a for a in ACTIONS.values() if a.needs == "note"):
        note_column, button_column = st.columns([4, 1])
        note = note_column.text_input(
            "Note", key=f"{action.name}_text@{item['id']}", label_visibility="collapsed",
            placeholder="a note on this item (stays on it)",
        )  # fmt: skip
        button_column.button(
            action.button,
            key=f"{action.name}@{item['id']}",
            shortcut=action.key,
            on_click=act,
            args=(engine, *item_seen(item), action.name, None, note),
        )
    with st.expander("Votes, duplicates and history"):
        votes = {s: v for s, v in item["votes"].items() if v not in (None, [])}
        if spans:
            st.html(votes_drawn(item["text"], votes))
            st.html("<b>Suggested spans</b>" + highlighted(item["text"], item["suggested_label"]))
        else:
            st.dataframe(text_rows({"source": s, "vote": v} for s, v in votes.items()))
        if item["duplicate_set"] is not None:
            st.write("**Duplicate set**")
            st.dataframe(
                text_rows(duplicate_set(engine, item["duplicate_set"], item["id"])),
                hide_index=True,
            )
        st.write("**History**")
        if blind:
            st.info("Double annotation: another reviewer's decision is hidden until you decide.")
        else:
            st.dataframe(text_rows(history(engine, item["id"])), hide_index=True)


def item_seen(item: dict[str, Any]) -> tuple[str, int | None]:
    return item["id"], item["decided_seq"]


# --- choosing the item -----------------------------------------------------------------------


def open_clicked_row() -> None:
    """A click on a queue row opens its item."""
    selected = st.session_state["queue_table"]["selection"]["rows"]
    ids = st.session_state.get("page_ids", [])
    if selected and selected[0] < len(ids):
        st.session_state["pinned_item"] = ids[selected[0]]


def step(offset: int) -> None:
    """Open the previous or next item of the queue page shown."""
    ids = st.session_state.get("page_ids", [])
    current = st.session_state.get("current_item")
    at = ids.index(current) + offset if current in ids else 0
    if ids:
        st.session_state["pinned_item"] = ids[min(max(at, 0), len(ids) - 1)]


def reset_page() -> None:
    st.session_state["page"] = 0
    st.session_state.pop("current_item", None)


def current_item(
    engine, filt: QueueFilter, sort: str, reviewer: str
) -> tuple[dict[str, Any] | None, str | None]:
    """The item to show, and who else holds it (None: nobody). An item the reviewer opened
    (a row, undo, previous/next) comes first; then the item they are on until they decide
    it; then, in the unreviewed view, the next item claimed for them in one transaction
    (so two reviewers never get the same one); otherwise the first item the filter shows."""
    pinned = st.session_state.pop("pinned_item", None)
    current = st.session_state.get("current_item")
    after = st.session_state.pop("advance_from", None)
    chosen = pinned or (current if current and current != after else None)
    ids = st.session_state.get("page_ids", [])
    if chosen is None and after in ids and filt.status != "unreviewed":  # the next row
        rest = ids[ids.index(after) + 1 :]
        chosen = rest[0] if rest else None
    if chosen is None and reviewer and filt.status == "unreviewed":
        skipped = sorted(st.session_state.get("skipped", set()))
        found = claim_next(engine, reviewer, filt, sort, skip=skipped)
        chosen = found[0] if found else None
    if chosen is None:
        rows, _ = query(engine, filt, sort, 0, 1)
        chosen = rows[0]["id"] if rows else None
    item = item_by_id(engine, chosen) if chosen else None
    holder = claim(engine, item["id"], reviewer) if item and reviewer else None
    if holder is not None and not pinned and filt.status == "unreviewed":
        skipped = sorted(st.session_state.get("skipped", set()))
        found = claim_next(engine, reviewer, filt, sort, skip=skipped)  # someone took it
        item = item_by_id(engine, found[0]) if found else item
        holder = None if found else holder
    st.session_state["current_item"] = item["id"] if item else None
    return item, holder


# --- the class view: keys owned by the item component ---------------------------------------


def applied(engine, reviewer: str, sent: dict[str, Any]) -> dict[str, Any]:
    """Apply one decision the item view sent (as it was shown: its item and state); the
    answer it gets back, saved or refused with the reason."""
    number = int(sent["n"])
    if sent.get("action") == "undo":
        undone = undo(engine, reviewer)
        if not undone:
            return {"n": number, "outcome": "refused", "message": "nothing to undo"}
        item_id = decision_item(engine, undone)
        st.session_state["reopen_first"] = item_id
        return {
            "n": number,
            "outcome": "saved",
            "message": f"undid decision #{undone} on {item_id}: it is open again",
            "reopen": item_id,
        }
    item_id, action = str(sent.get("item")), str(sent.get("action"))
    try:
        decide(
            engine,
            item_id,
            reviewer,
            action,
            sent.get("label"),
            str(sent.get("note") or ""),
            expected_seq=sent.get("seq"),
        )
    except WeakforgeError as exc:  # someone else decided it, a bad label, a busy database
        return {"n": number, "outcome": "refused", "message": f"{item_id}: {exc}"}
    remember_passed(action, item_id)
    return {"n": number, "outcome": "saved", "message": f"{action} recorded for {item_id}"}


def view_item(item: dict[str, Any]) -> dict[str, Any]:
    """What the item view shows of an item (strings; the view sets them as text)."""
    return {
        "id": item["id"],
        "seq": item["decided_seq"],
        "split": item["split"],
        "text": item["text"],
        "weak": label_text(item["weak_label"], item["text"], item.get("probs")),
        "suggested": label_text(item["suggested_label"], item["text"]),
        "why": item["why"] or ", ".join(item["issues"]),
    }


def apply_sent(engine, reviewer: str) -> None:
    """Apply, in order, the decisions the class item view sent since the last run, keeping
    each answer for the view."""
    state = st.session_state
    session = state.setdefault("view_session", uuid.uuid4().hex)
    results = state.setdefault("view_results", [])
    for sent in sent_decisions(state, session, state.get("acknowledged", 0)):
        results.append(applied(engine, reviewer, sent))
        state["acknowledged"] = int(sent["n"])
    del results[:-100]  # the view counts each answer once; the last ones are enough


def class_view(
    engine, reviewer: str, filt: QueueFilter, sort: str, labels: list[str], available: int
) -> None:
    """Class decisions at the speed of the keys: the reviewer's next items are claimed (one
    transaction; about half of the ``available`` ones, so a colleague gets items too) and
    handed to the view with the answers to its decisions (:func:`apply_sent`, run first)."""
    state = st.session_state
    skipped = sorted(state.get("skipped", set()))
    count = min(BATCH, max(1, -(-available // 2)))
    ids = claim_next(engine, reviewer, filt, sort, count=count, skip=skipped)
    first = state.pop("reopen_first", None)
    if first and claim(engine, first, reviewer) is None:  # an undone item opens first
        ids = [first, *[i for i in ids if i != first]]
    batch = items_by_ids(engine, ids)
    state["view_batch"] = [item["id"] for item in batch]
    one_click = [a for a in ACTIONS.values() if not a.needs]
    actions = [{"name": a.name, "button": a.button, "key": a.key} for a in one_click]
    actions.append({"name": "undo", "button": "Undo", "key": UNDO_KEY})
    item_keys(
        [view_item(item) for item in batch],
        actions,
        labels,
        descriptions=label_descriptions(),
        session=state["view_session"],
        acknowledged=state.get("acknowledged", 0),
        results=state["view_results"],
    )
    if batch:
        with st.expander("Votes, duplicates and history of the first item"):
            details(engine, batch[0], reviewer)


def details(engine, item: dict[str, Any], reviewer: str) -> None:
    """An item's votes, duplicate set and history (blind for a second opinion)."""
    votes = {s: v for s, v in item["votes"].items() if v not in (None, [])}
    st.dataframe(text_rows({"source": s, "vote": v} for s, v in votes.items()))
    if item["duplicate_set"] is not None:
        st.write("**Duplicate set**")
        st.dataframe(
            text_rows(duplicate_set(engine, item["duplicate_set"], item["id"])), hide_index=True
        )
    st.write("**History**")
    if item["id"] in blind_items(engine, [item["id"]], reviewer):
        st.info("Double annotation: another reviewer's decision is hidden until you decide.")
    else:
        st.dataframe(text_rows(history(engine, item["id"])), hide_index=True)


# --- the sidebar and the tabs ----------------------------------------------------------------


def sidebar_filter(engine) -> tuple[QueueFilter, str]:
    if "choices" not in st.session_state:  # one scan per session, not per rerun
        st.session_state["choices"] = {
            kind: facet_values(engine, kind) for kind in ("issue", "label", "source", "split")
        }
    choices = st.session_state["choices"]
    side = st.sidebar
    filt = QueueFilter(
        issue_types=tuple(
            side.multiselect("Issue types", choices["issue"], key="f_issues", on_change=reset_page)
        ),
        labels=tuple(
            side.multiselect("Weak labels", choices["label"], key="f_labels", on_change=reset_page)
        ),
        sources=tuple(
            side.multiselect(
                "Sources that voted", choices["source"], key="f_sources", on_change=reset_page
            )
        ),
        splits=tuple(
            side.multiselect("Splits", choices["split"], key="f_splits", on_change=reset_page)
        ),
        min_priority=side.slider(
            "Minimum priority", 0.0, 1.0, 0.0, key="f_min", on_change=reset_page
        ),
        status=side.radio(
            "Show", ["unreviewed", "reviewed", "all"], key="f_status", on_change=reset_page
        ),
        search=side.text_input("Search text", key="f_search", on_change=reset_page),
    )
    reviewer = reviewer_name()
    if reviewer and filt.status == "unreviewed":  # each reviewer gets their own next item
        filt = replace(filt, not_claimed_by_others=reviewer, reviewer=reviewer)
    sort = side.selectbox(
        "Sort by", ["priority", "score", "id"], key="f_sort", on_change=reset_page
    )
    return filt, sort


def sidebar_statistics(engine) -> None:
    done, total = progress(engine)
    st.sidebar.progress(done / total if total else 0.0, text=f"{done} of {total} reviewed")
    agreed = agreement(engine)
    if agreed.items:
        st.sidebar.write("**Agreement** (double annotation)")
        st.sidebar.text(visible(agreed.summary()))
    by_reviewer = progress_by_reviewer(engine)
    if by_reviewer:
        st.sidebar.write("**Reviewed, by reviewer**")
        st.sidebar.dataframe(
            text_rows({"reviewer": name, "items": n} for name, n in by_reviewer.items()),
            hide_index=True,
        )


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue under the filter, and how many items match it."""

    rows: list[dict[str, Any]]
    matching: int
    pages: int


def queue_page(engine, filt: QueueFilter, sort: str) -> QueuePage:
    """The page the reviewer is on (a page past the end shows the last one)."""
    requested = int(st.session_state.get("page", 0))
    rows, matching = query(engine, filt, sort, requested, PAGE_SIZE)
    pages = max(1, -(-matching // PAGE_SIZE))
    if requested > pages - 1:  # one more query
        st.session_state["page"] = requested = pages - 1
        rows, matching = query(engine, filt, sort, requested, PAGE_SIZE)
    return QueuePage(rows, matching, pages)


def queue_table(engine, listing: QueuePage, reviewer: str) -> None:
    """One page of the queue; a click on a row opens that item."""
    rows, matching, pages = listing.rows, listing.matching, listing.pages
    page = st.number_input("Page", min_value=0, max_value=pages - 1, step=1, key="page")
    blind = blind_items(engine, [r["id"] for r in rows], reviewer)  # double annotation
    decided = decided_labels(engine, [r["decided_seq"] for r in rows if r["id"] not in blind])
    st.caption(
        f"{matching} {'item matches' if matching == 1 else 'items match'}; "
        f"showing {len(rows)} on page {page} (pages 0 to {pages - 1})"
    )
    st.session_state["page_ids"] = [r["id"] for r in rows]
    st.dataframe(
        text_rows(
            {
                "id": r["id"],
                "priority": round(r["priority"], 3),
                "issues": ", ".join(r["issues"]),
                "weak": label_text(r["weak_label"], r["text"]),
                "decision": label_text(decided[r["decided_seq"]], r["text"])
                if r["decided_seq"] in decided
                else "",
                "suggested": label_text(r["suggested_label"], r["text"]),
                "text": r["text"][:120],
            }
            for r in rows
        ),
        hide_index=True,
        key="queue_table",
        on_select=open_clicked_row,
        selection_mode="single-row",
    )


def counted_keys(task: str) -> list[str]:
    """The decision keys whose every press is accounted for (saved, refused, or reported as
    not applied): the actions' keys, and for classes the number keys of the class buttons
    (in NER the number keys type spans inside the span editor)."""
    numbers = [str(n) for n in range(1, 10)] if not task_kind(task).spans else []
    return [a.key for a in ACTIONS.values() if a.key] + numbers


def key_accounts(task: str) -> None:
    """What became of this page's decision key presses: saved, refused (each with its
    message), or not applied because they came while the page reran (said loudly)."""
    pressed = keys_pressed(counted_keys(task))
    counts = outcomes()
    unapplied = max(pressed - counts["saved"] - counts["refused"], 0)
    if pressed:
        st.caption(
            f"Key presses since you opened the page: {pressed} ({counts['saved']} saved, "
            f"{counts['refused']} refused, {unapplied} not applied)"
        )
    if unapplied:
        notice(
            "warning",
            f"{unapplied} key press(es) came while the page was busy and were not applied: "
            "nothing was saved for them. Check the item shown and press again.",
        )


def main() -> None:
    st.set_page_config(page_title="weakforge review", layout="wide")
    folder = run_dir()
    config = saved_config(folder)
    target = database(folder, config)
    try:
        if not queue_exists(target):
            notice(
                "error", f"No review queue at {display_name(target)}: run the audit stage first."
            )
            st.stop()
        engine = open_database(target)
    except WeakforgeError as exc:
        notice("error", exc)
        st.stop()
    if config is not None:
        st.session_state["label_descriptions"] = dict(config.review.label_descriptions)
    if "task_labels" not in st.session_state:  # the run's labels, else the queue's
        configured = list(config.run.labels) if config is not None else []
        declared = configured or allowed_labels(engine)  # else every label the queue shows
        st.session_state["task_labels"] = declared or facet_values(engine, "label")
    reviewer = reviewer_box()
    show_guidelines(config)
    filt, sort = sidebar_filter(engine)
    task = config.run.task if config else queue_task(engine)
    if reviewer and filt.status == "unreviewed" and task and not task_kind(task).spans:
        apply_sent(engine, reviewer)
        listing = queue_page(engine, filt, sort)  # (claims change nothing it shows)
        labels = list(st.session_state["task_labels"])
        class_view(engine, reviewer, filt, sort, labels, listing.matching)
    else:
        classic_view(engine, config, reviewer, filt, sort)
        listing = queue_page(engine, filt, sort)
    sidebar_statistics(engine)
    queue_tab, export_tab = st.tabs(["Queue", "Export"])
    with queue_tab:
        queue_table(engine, listing, reviewer)
    with export_tab:
        export_panel(folder, target)


def classic_view(engine, config, reviewer: str, filt: QueueFilter, sort: str) -> None:
    """The item with the page's own buttons (NER, the reviewed view, no reviewer yet), the
    key counter first so it never moves."""
    accounts = st.container()
    try:
        item, holder = current_item(engine, filt, sort, reviewer)
    except WeakforgeError as exc:  # the database was busy or unreachable: say so, go on
        notice("error", exc)
        item, holder = None, None
    task = item["task"] if item else (config.run.task if config else "classification")
    with accounts:
        key_accounts(task)
        show_last_message()
    if item is None:
        notice("info", "Nothing to review under these filters.")
        return
    if holder is not None:
        notice("warning", f"{holder} is working on {item['id']} right now (a claim).")
    blind = item["id"] in blind_items(engine, [item["id"]], reviewer)
    item_view(engine, item, blind=blind)
    back, forward = st.columns(2)
    back.button("Previous (P)", key="previous", shortcut="P", on_click=step, args=(-1,))
    forward.button("Next (N)", key="next", shortcut="N", on_click=step, args=(1,))


EXPORT_FORMATS = {"jsonl": "jsonl", "labelstudio": "json", "conll": "conll", "chat": "chat.jsonl"}


def export_panel(folder: Path, target: Database) -> None:
    """The reviewed set in one of the project's formats: written into RUN_DIR/exports/ and
    offered as a download to the reviewer's own machine."""
    fmt = st.selectbox("Format", list(EXPORT_FORMATS), key="export_format")
    if st.button("Export the reviewed set", key="export"):
        examples = reviewed_examples(target)
        written = folder / EXPORTS / f"reviewed.{EXPORT_FORMATS[fmt]}"
        try:
            write_corpus(examples, written, fmt, WriteOptions(which="gold"))
        except WeakforgeError as exc:
            notice("error", exc)
            return
        notice("success", f"{len(examples)} reviewed items written to {written}")
        st.download_button(
            f"Download {written.name}",
            written.read_bytes(),
            file_name=written.name,
            key="export_download",
        )


if __name__ == "__main__":  # `streamlit run` on this file directly
    main()
