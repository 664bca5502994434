"""The Streamlit review page: a thin view over :mod:`weakforge.review.service`; its buttons
and keys come from the actions table (:data:`weakforge.review.actions.ACTIONS`).

Run with ``weakforge review RUN_DIR`` (or ``streamlit run app/review_app.py -- RUN_DIR``).
Texts, ids, reviewer names, notes, source and label names come from the wild: they are
shown as text (``st.text``, dataframes, escaped HTML for headings, messages and span
highlights), never as Markdown or HTML, and bidi control characters are made visible.
Every action carries the item id and the decision it was shown with, so a key pressed
during a rerun lands on the item it was pressed on or is refused visibly; a press Streamlit
merged with another while the page reran is counted in the browser and reported.
"""

from __future__ import annotations

import html
import os
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import streamlit as st

from weakforge.config import RunConfig, saved_config
from weakforge.corpus import WriteOptions, write_corpus
from weakforge.corpus.validate import check_label
from weakforge.errors import WeakforgeError
from weakforge.layout import EXPORTS, REVIEW_QUEUE
from weakforge.records import label_from_json
from weakforge.review.actions import ACTIONS, UNDO_KEY, Action
from weakforge.review.feedback import review_database, reviewed_examples
from weakforge.review.pages.key_counter import keys_pressed
from weakforge.review.pages.span_editor import span_editor
from weakforge.review.service import (
    QueueFilter,
    agreement,
    allowed_labels,
    blind_items,
    claim,
    decide,
    decided_labels,
    decision_item,
    duplicate_set,
    facet_values,
    history,
    progress,
    progress_by_reviewer,
    query,
    undo,
)
from weakforge.review.store import (
    Database,
    as_database,
    display_name,
    open_database,
    queue_exists,
)
from weakforge.tasks import task_kind

PAGE_SIZE = 25
COLORS = {"PER": "#f4a3a3", "ORG": "#9fc1f5", "LOC": "#9fe3a8", "MISC": "#f5d78e"}
PALETTE = ["#d7b4f3", "#f7b98b", "#9fe0e0", "#e3e39f", "#f3b4d9", "#c4c4c4"]  # other types


def type_colour(label: str) -> str:
    """One colour per entity type, the same in every view of the page."""
    return COLORS.get(label, PALETTE[sum(map(ord, label)) % len(PALETTE)])


def server_command(folder: Path, address: str = "127.0.0.1", port: int = 8501) -> list[str]:
    """The command that serves this page for a run folder (app/review_app.py in a checkout,
    this module in an installed package)."""
    script = Path(__file__).resolve().parents[4] / "app" / "review_app.py"
    script = script if script.exists() else Path(__file__)
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.enableXsrfProtection",
        "true",
        "--server.enableCORS",
        "true",
        "--",
        str(folder),
    ]


def run_dir() -> Path:
    """The run folder: ``-- RUN_DIR`` after the script, or WEAKFORGE_RUN_DIR."""
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    chosen = os.environ.get("WEAKFORGE_RUN_DIR") or (args[0] if args else "")
    if not chosen:
        st.error("No run folder: start the page with `weakforge review RUN_DIR`.")
        st.stop()
    return Path(chosen)


DATABASE_VARIABLE = "WEAKFORGE_REVIEW_DATABASE"  # set by `weakforge review --database`


def database(folder: Path, config: RunConfig | None) -> Database:
    """The review database: the one named by ``weakforge review --database``, else the one
    the run's saved config names."""
    chosen = os.environ.get(DATABASE_VARIABLE, "")
    if chosen:
        return as_database(chosen)
    return review_database(config, folder) if config else folder / REVIEW_QUEUE


BIDI_CONTROLS = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: str) -> str:
    """Bidi control characters shown as their code (``txt.exe`` cannot pose as ``exe.txt``)."""
    return BIDI_CONTROLS.sub(lambda m: f"[U+{ord(m.group()):04X}]", text)


NOTICE_COLOURS = {  # background, text
    "success": ("#e6f4ea", "#14532d"),
    "info": ("#e8f0fe", "#1e3a8a"),
    "warning": ("#fff7e0", "#713f12"),
    "error": ("#fde8e8", "#7f1d1d"),
}


def escaped(text: Any) -> str:
    """Untrusted text as HTML text: escaped, bidi controls visible, line breaks kept. Never
    Markdown: a Markdown renderer turns a bare URL into a link whatever is escaped."""
    return html.escape(visible(str(text))).replace("\n", "<br>")


def notice(kind: str, message: Any) -> None:
    """A message (``success``, ``info``, ``warning``, ``error``) that may quote untrusted
    strings (ids, reviewer names, errors about them), shown as text in a coloured box."""
    background, colour = NOTICE_COLOURS[kind]
    st.html(
        f'<div role="status" class="wf-{kind}" style="background:{background};color:{colour};'
        f'padding:0.6rem 1rem;border-radius:0.5rem">{escaped(message)}</div>'
    )


def highlighted(text: str, spans: list[list[Any]] | None) -> str:
    """The text as escaped HTML with each span in a coloured ``<mark>`` and its type (one
    colour per type); line breaks become ``<br>``, so nothing leaves the HTML block and
    nothing from the text is ever interpreted as markup."""

    out, position = [], 0
    for start, end, label, *_ in sorted(spans or []):
        out.append(escaped(text[position:start]))
        colour = type_colour(label)
        out.append(
            f'<mark style="background:{colour};padding:0 2px;border-radius:3px">'
            f"{escaped(text[start:end])}<sub><b>{html.escape(label)}</b></sub></mark>"
        )
        position = end
    out.append(escaped(text[position:]))
    return "<div style='line-height:1.8'>" + "".join(out) + "</div>"


def votes_drawn(text: str, votes: dict[str, Any]) -> str:
    """Each source's NER vote as the text with its spans highlighted, one row per source."""
    rows = "".join(
        f"<tr><td style='padding:2px 12px 2px 0;vertical-align:top'><code>{escaped(source)}"
        f"</code></td><td>{highlighted(text, spans)}</td></tr>"
        for source, spans in sorted(votes.items())
    )
    return f"<table style='border-collapse:collapse'>{rows}</table>" if rows else "<i>none</i>"


def label_text(label: Any, text: str, probs: dict[str, float] | None = None) -> str:
    """A label for reading: a class with its probability (``SPAM (p = 0.87)``), or each
    span's text, type and probability."""
    if isinstance(label, list):
        return (
            "; ".join(
                f"{text[s[0] : s[1]]!r} {s[2]}" + (f" (p = {s[3]:.2f})" if len(s) > 3 else "")
                for s in label
            )
            or "no entities"
        )
    if probs and label in probs:
        return f"{label} (p = {probs[label]:.2f})"
    return "none" if label is None else str(label)


def sidebar_filter(engine) -> tuple[QueueFilter, str]:
    st.sidebar.text_input("Reviewer", key="reviewer", placeholder="your name")
    if "choices" not in st.session_state:  # one scan per session, not per rerun
        st.session_state["choices"] = {
            kind: facet_values(engine, kind) for kind in ("issue", "label", "source", "split")
        }
    choices = st.session_state["choices"]
    filt = QueueFilter(
        issue_types=tuple(
            st.sidebar.multiselect(
                "Issue types", choices["issue"], key="f_issues", on_change=reset_page
            )
        ),
        labels=tuple(
            st.sidebar.multiselect(
                "Weak labels", choices["label"], key="f_labels", on_change=reset_page
            )
        ),
        sources=tuple(
            st.sidebar.multiselect(
                "Sources that voted", choices["source"], key="f_sources", on_change=reset_page
            )
        ),
        splits=tuple(
            st.sidebar.multiselect("Splits", choices["split"], key="f_splits", on_change=reset_page)
        ),
        min_priority=st.sidebar.slider(
            "Minimum priority", 0.0, 1.0, 0.0, key="f_min", on_change=reset_page
        ),
        status=st.sidebar.radio(
            "Show", ["unreviewed", "reviewed", "all"], key="f_status", on_change=reset_page
        ),
        search=st.sidebar.text_input("Search text", key="f_search", on_change=reset_page),
    )
    reviewer = st.session_state.get("reviewer", "").strip()
    if reviewer and filt.status == "unreviewed":  # each reviewer gets their own next item
        filt = replace(filt, not_claimed_by_others=reviewer, reviewer=reviewer)
    sort = st.sidebar.selectbox(
        "Sort by", ["priority", "score", "id"], key="f_sort", on_change=reset_page
    )
    return filt, sort


def act(
    engine, item_id: str, seen_seq: int | None, action: str, label: Any = None, note: str = ""
) -> None:
    """Record a decision on the item this button was drawn for, as it was shown then (a
    widget callback: its arguments were bound when the page was drawn, so a key pressed
    while the page reruns cannot land on the next item). The outcome is shown either way."""
    outcomes = st.session_state.setdefault("outcomes", {"saved": 0, "refused": 0})
    reviewer = st.session_state.get("reviewer", "").strip()
    if not reviewer:
        outcomes["refused"] += 1
        st.session_state["flash"] = ("warning", "Enter your name as reviewer first (sidebar).")
        return
    try:
        decide(engine, item_id, reviewer, action, label, note, expected_seq=seen_seq)
        outcomes["saved"] += 1
        st.session_state["refused"] = 0
        st.session_state["flash"] = ("success", f"{action} recorded for {item_id}")
        st.session_state["advance_from"] = item_id
        if action == "skip":
            st.session_state.setdefault("skipped", set()).add(item_id)
    except WeakforgeError as exc:  # a stale press, someone else's decision, a bad label
        outcomes["refused"] += 1
        refused = st.session_state.get("refused", 0) + 1
        st.session_state["refused"] = refused
        st.session_state["flash"] = ("error", f"{exc} ({refused} refused since your last save)")


def take_back(engine) -> None:
    reviewer = st.session_state.get("reviewer", "").strip()
    if not reviewer:
        st.session_state["flash"] = ("warning", "Enter your name as reviewer first (sidebar).")
        return
    undone = undo(engine, reviewer)
    st.session_state["flash"] = (
        ("success", f"undid decision #{undone} on {decision_item(engine, undone)}")
        if undone
        else ("info", "nothing to undo")
    )


def span_types(item: dict[str, Any]) -> list[str]:
    """The entity types a reviewer may give: the configured labels, else those in use."""
    return list(st.session_state.get("task_labels") or []) or sorted(
        {s[2] for lab in (item["weak_label"], item["suggested_label"]) for s in lab or []}
    )


def label_input(engine, item: dict[str, Any], action: Action) -> None:
    """The editor for an action that takes a new label: spans for NER; for classes one
    button per configured label, with number keys."""
    seen = (item["id"], item["decided_seq"])
    if task_kind(item["task"]).spans:
        st.write(f"**{action.button}**: select words, then press their type's number")
        spans = span_editor(
            item["text"],
            item["weak_label"] or [],
            item["suggested_label"] or [],
            span_types(item),
            {label: type_colour(label) for label in span_types(item)},
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
    labels = st.session_state.get("task_labels") or sorted(
        {item["weak_label"], item["suggested_label"]} - {None}
    )
    st.write(f"**{action.button} as**")
    columns = st.columns(max(len(labels), 1))
    for number, (column, label) in enumerate(zip(columns, labels), 1):
        column.button(
            f"{number}: {label}",
            key=f"{action.name}:{label}@{item['id']}",
            shortcut=str(number) if number < 10 else None,
            on_click=act,
            args=(engine, *seen, action.name, label),
        )


def item_view(engine, item: dict[str, Any], blind: bool = False) -> None:
    """One item with its actions; ``blind``: another reviewer's decision stays hidden
    (double annotation) until this reviewer decides."""
    st.html(f"<h3>Item {escaped(item['id'])} ({escaped(item['split'])})</h3>")
    if task_kind(item["task"]).spans:
        st.html(highlighted(item["text"], item["weak_label"]))
    else:
        st.text(visible(item["text"]))
    left, right = st.columns(2)
    left.write("**Weak label** (label model)")
    left.text(visible(label_text(item["weak_label"], item["text"], item.get("probs"))))
    right.write("**Suggested label**")
    if task_kind(item["task"]).spans:
        right.html(highlighted(item["text"], item["suggested_label"]))
    right.text(visible(label_text(item["suggested_label"], item["text"])))
    st.write("**Why flagged**")
    st.text(visible(item["why"] or ", ".join(item["issues"])))
    st.write("**Votes**")
    votes = {s: v for s, v in item["votes"].items() if v not in (None, [])}
    if task_kind(item["task"]).spans:  # each source's spans drawn on the text
        st.html(votes_drawn(item["text"], votes))
    else:
        st.dataframe(
            [{"source": visible(s), "vote": visible(str(v))} for s, v in votes.items()],
            hide_index=True,
        )
    if item["duplicate_set"] is not None:
        st.write("**Duplicate set**")
        st.dataframe(duplicate_set(engine, item["duplicate_set"], item["id"]), hide_index=True)
    seen = (item["id"], item["decided_seq"])
    one_click = [a for a in ACTIONS.values() if not a.needs]
    buttons = st.columns(len(one_click) + 1)
    for column, action in zip(buttons, one_click):
        column.button(
            action.button,
            key=f"{action.name}@{item['id']}",
            shortcut=action.key,
            on_click=act,
            args=(engine, *seen, action.name),
        )
    buttons[-1].button("Undo", key="undo", shortcut=UNDO_KEY, on_click=take_back, args=(engine,))
    for action in (a for a in ACTIONS.values() if a.needs == "label"):
        label_input(engine, item, action)
    for action in (a for a in ACTIONS.values() if a.needs == "note"):
        note = st.text_input("Note", key=f"{action.name}_text@{item['id']}")
        st.button(
            action.button,
            key=f"{action.name}@{item['id']}",
            shortcut=action.key,
            on_click=act,
            args=(engine, *seen, action.name, None, note),
        )
    st.write("**History**")
    if blind:
        st.info("Double annotation: another reviewer's decision is hidden until you decide.")
        return
    st.dataframe(
        [{k: visible(str(v)) for k, v in row.items()} for row in history(engine, item["id"])],
        hide_index=True,
    )


def open_clicked_row() -> None:
    """A click on a queue row opens its item."""
    selected = st.session_state["queue_table"]["selection"]["rows"]
    ids = st.session_state.get("page_ids", [])
    if selected and selected[0] < len(ids):
        st.session_state["open_item"] = ids[selected[0]]


def step(offset: int, pages: int) -> None:
    """Open the previous or next item of the page; past its edge, the next or previous page."""
    ids = st.session_state.get("page_ids", [])
    current = st.session_state.get("open_item")
    at = ids.index(current) + offset if current in ids else 0
    if 0 <= at < len(ids):
        st.session_state["open_item"] = ids[at]
        return
    page = int(st.session_state.get("page", 0)) + (1 if at >= len(ids) else -1)
    if 0 <= page < pages:
        st.session_state["page"] = page
        st.session_state.pop("open_item", None)  # the new page opens its first item


def reset_page() -> None:
    st.session_state["page"] = 0


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
    outcomes = st.session_state.get("outcomes", {"saved": 0, "refused": 0})
    unapplied = max(pressed - outcomes["saved"] - outcomes["refused"], 0)
    if pressed:
        st.caption(
            f"Key presses since you opened the page: {pressed} ({outcomes['saved']} saved, "
            f"{outcomes['refused']} refused, {unapplied} not applied)"
        )
    if unapplied:
        notice(
            "warning",
            f"{unapplied} key press(es) came while the page was busy and were not applied: "
            "nothing was saved for them. Check the item shown and press again.",
        )


def show_flash() -> None:
    if "flash" in st.session_state:
        kind, message = st.session_state.pop("flash")
        notice(kind, message)


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
        st.session_state["task_labels"] = list(config.run.labels)
    elif "task_labels" not in st.session_state:  # a team's queue without the run's config
        st.session_state["task_labels"] = allowed_labels(engine) or facet_values(engine, "label")
    st.title("Review queue")
    filt, sort = sidebar_filter(engine)
    done, total = progress(engine)
    st.progress(done / total if total else 0.0, text=f"{done} of {total} reviewed")
    agreed = agreement(engine)
    if agreed.items:
        st.sidebar.write("**Agreement** (double annotation)")
        st.sidebar.text(agreed.summary())
    by_reviewer = progress_by_reviewer(engine)
    if by_reviewer:
        st.sidebar.write("**Reviewed, by reviewer**")
        st.sidebar.dataframe(
            [{"reviewer": visible(name), "items": n} for name, n in by_reviewer.items()],
            hide_index=True,
        )
    show_flash()
    requested = int(st.session_state.get("page", 0))
    rows, matching = query(engine, filt, sort, requested, PAGE_SIZE)
    pages = max(1, -(-matching // PAGE_SIZE))
    if requested > pages - 1:  # a page past the end shows the last one (one more query)
        st.session_state["page"] = requested = pages - 1
        rows, matching = query(engine, filt, sort, requested, PAGE_SIZE)
    task = config.run.task if config else next((r["task"] for r in rows), "classification")
    key_accounts(task)
    page = st.number_input("Page", min_value=0, max_value=pages - 1, step=1, key="page")
    reviewer = st.session_state.get("reviewer", "").strip()
    blind = blind_items(engine, [r["id"] for r in rows], reviewer)  # double annotation
    decided = decided_labels(engine, [r["decided_seq"] for r in rows if r["id"] not in blind])
    st.caption(
        f"{matching} {'item matches' if matching == 1 else 'items match'}; "
        f"showing {len(rows)} on page {page} (pages 0 to {pages - 1})"
    )
    st.dataframe(  # a click on a row opens that item
        [
            {
                "id": r["id"],
                "priority": round(r["priority"], 3),
                "issues": ", ".join(r["issues"]),
                "weak": visible(label_text(r["weak_label"], r["text"])),
                "decision": visible(label_text(decided[r["decided_seq"]], r["text"]))
                if r["decided_seq"] in decided
                else "",
                "suggested": visible(label_text(r["suggested_label"], r["text"])),
                "text": visible(r["text"][:120]),
            }
            for r in rows
        ],
        hide_index=True,
        key="queue_table",
        on_select=open_clicked_row,
        selection_mode="single-row",
    )
    if rows:
        ids = [r["id"] for r in rows]
        st.session_state["page_ids"] = ids
        skipped = st.session_state.get("skipped", set())
        after = st.session_state.pop("advance_from", None)
        current = st.session_state.get("open_item")
        if after is not None and current == after:  # an action moves on to the next item
            rest = ids[ids.index(after) + 1 :] + ids[: ids.index(after)] if after in ids else ids
            st.session_state["open_item"] = next((i for i in rest if i not in skipped), ids[0])
        elif current not in ids:  # decided elsewhere or filtered out
            st.session_state["open_item"] = next((i for i in ids if i not in skipped), ids[0])
        chosen = st.selectbox("Open item", ids, key="open_item", format_func=visible)
        back, forward = st.columns(2)
        back.button("Previous (P)", key="previous", shortcut="P", on_click=step, args=(-1, pages))
        forward.button("Next (N)", key="next", shortcut="N", on_click=step, args=(1, pages))
        holder = claim(engine, chosen, reviewer) if reviewer else None
        if holder is not None:
            notice("warning", f"{holder} is working on {chosen} right now (a claim).")
        item_view(engine, next(r for r in rows if r["id"] == chosen), blind=chosen in blind)
    export_panel(folder, target)


EXPORT_FORMATS = {"jsonl": "jsonl", "labelstudio": "json", "conll": "conll", "chat": "chat.jsonl"}


def export_panel(folder: Path, target: Database) -> None:
    """The reviewed set in one of the project's formats: written into RUN_DIR/exports/ and
    offered as a download to the reviewer's own machine."""
    with st.expander("Export the reviewed set"):
        fmt = st.selectbox("Format", list(EXPORT_FORMATS), key="export_format")
        if st.button("Export", key="export"):
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
