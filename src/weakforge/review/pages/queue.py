"""The Streamlit review page: a thin view over :mod:`weakforge.review.service`; its buttons
and keys come from the actions table (:data:`weakforge.review.actions.ACTIONS`).

Run with ``weakforge review RUN_DIR`` (or ``streamlit run app/review_app.py -- RUN_DIR``).
Texts come from the wild: they are shown as text (``st.text``, escaped HTML for span
highlights), never rendered as markup.
"""

from __future__ import annotations

import html
import json
import os
import sys
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
from weakforge.review.service import (
    QueueFilter,
    decide,
    duplicate_set,
    facet_values,
    history,
    progress,
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

PAGE_SIZE = 25
COLORS = {"PER": "#fde2e2", "ORG": "#e2ecfd", "LOC": "#e2fde6", "MISC": "#fdf6e2"}


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


def highlighted(text: str, spans: list[list[Any]] | None) -> str:
    """The text as escaped HTML with each span in a coloured ``<mark>`` (nothing from the
    text is ever interpreted as markup)."""
    out, position = [], 0
    for start, end, label, *_ in sorted(spans or []):
        out.append(html.escape(text[position:start]))
        colour = COLORS.get(label, "#eeeeee")
        out.append(
            f'<mark style="background:{colour}">{html.escape(text[start:end])}'
            f"<sub>{html.escape(label)}</sub></mark>"
        )
        position = end
    out.append(html.escape(text[position:]))
    return "<div style='white-space:pre-wrap'>" + "".join(out) + "</div>"


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
    return json.dumps(label)


def sidebar_filter(engine) -> tuple[QueueFilter, str]:
    st.sidebar.text_input("Reviewer", key="reviewer", placeholder="your name")
    if "choices" not in st.session_state:  # one scan per session, not per rerun
        st.session_state["choices"] = {
            kind: facet_values(engine, kind) for kind in ("issue", "label", "source", "split")
        }
    choices = st.session_state["choices"]
    filt = QueueFilter(
        issue_types=tuple(st.sidebar.multiselect("Issue types", choices["issue"], key="f_issues")),
        labels=tuple(st.sidebar.multiselect("Weak labels", choices["label"], key="f_labels")),
        sources=tuple(
            st.sidebar.multiselect("Sources that voted", choices["source"], key="f_sources")
        ),
        splits=tuple(st.sidebar.multiselect("Splits", choices["split"], key="f_splits")),
        min_priority=st.sidebar.slider("Minimum priority", 0.0, 1.0, 0.0, key="f_min"),
        status=st.sidebar.radio("Show", ["unreviewed", "reviewed", "all"], key="f_status"),
        search=st.sidebar.text_input("Search text", key="f_search"),
    )
    sort = st.sidebar.selectbox("Sort by", ["priority", "score", "id"], key="f_sort")
    return filt, sort


def act(engine, item: dict[str, Any], action: str, label: Any = None, note: str = "") -> None:
    reviewer = st.session_state.get("reviewer", "").strip()
    if not reviewer:
        st.warning("Enter your name as reviewer first (sidebar).")
        return
    try:
        decide(engine, item["id"], reviewer, action, label, note, expected_seq=item["decided_seq"])
        st.session_state["flash"] = f"{action} recorded for {item['id']}"
    except WeakforgeError as exc:  # someone else's decision came first, or no database
        st.session_state["flash"] = f"Not saved: {exc}"
    st.rerun()


def span_editor(item: dict[str, Any]) -> list[list[Any]]:
    """An editable table of the item's spans (add, delete, move or retype rows); the
    complete rows as ``[start, end, label]``."""
    import pandas as pd

    labels = sorted(
        {s[2] for lab in (item["weak_label"], item["suggested_label"]) for s in lab or []}
        | set(st.session_state.get("task_labels", []))
    )
    table = pd.DataFrame(
        [
            {"start": s[0], "end": s[1], "label": s[2], "text": item["text"][s[0] : s[1]]}
            for s in sorted(item["weak_label"] or [])
        ],
        columns=["start", "end", "label", "text"],
    )
    edited = st.data_editor(
        table,
        num_rows="dynamic",
        key=f"spans_{item['id']}",
        hide_index=True,
        column_config={
            "start": st.column_config.NumberColumn("start", min_value=0, step=1),
            "end": st.column_config.NumberColumn("end", min_value=0, step=1),
            "label": st.column_config.SelectboxColumn("label", options=labels),
            "text": st.column_config.TextColumn("text", disabled=True),
        },
    )
    return [
        [int(r["start"]), int(r["end"]), str(r["label"])]
        for r in edited.to_dict("records")
        if pd.notna(r["start"]) and pd.notna(r["end"]) and pd.notna(r["label"])
    ]


def label_input(engine, item: dict[str, Any], action: Action) -> None:
    """The editor for an action that takes a new label: spans for NER, a class otherwise."""
    if item["task"] == "ner":
        spans = span_editor(item)
        if st.button(f"{action.button} spans", key=action.name, shortcut=action.key):
            problem = check_label(item["text"], label_from_json(spans), "ner", None)
            if problem:
                st.error(f"Not saved: {problem[0]}. {problem[1]}")
            else:
                act(engine, item, action.name, sorted(spans))
    else:
        choices = sorted({item["weak_label"], item["suggested_label"]} - {None})
        label = st.text_input(
            "New label", choices[0] if choices else "", key=f"{action.name}_class"
        )
        if st.button(action.button, key=action.name, shortcut=action.key):
            act(engine, item, action.name, label.strip())


def item_view(engine, item: dict[str, Any]) -> None:
    st.subheader(f"Item {item['id']} ({item['split']})")
    if item["task"] == "ner":
        st.markdown(highlighted(item["text"], item["weak_label"]), unsafe_allow_html=True)
    else:
        st.text(item["text"])
    left, right = st.columns(2)
    left.write("**Weak label** (label model)")
    left.text(label_text(item["weak_label"], item["text"], item.get("probs")))
    right.write("**Suggested label**")
    right.text(label_text(item["suggested_label"], item["text"]))
    st.write("**Why flagged**")
    st.text(item["why"] or ", ".join(item["issues"]))
    st.write("**Votes**")
    st.dataframe(
        [
            {"source": s, "vote": json.dumps(v)}
            for s, v in item["votes"].items()
            if v not in (None, [])
        ],
        hide_index=True,
    )
    if item["duplicate_set"] is not None:
        st.write("**Duplicate set**")
        st.dataframe(duplicate_set(engine, item["duplicate_set"], item["id"]), hide_index=True)
    one_click = [a for a in ACTIONS.values() if not a.needs]
    buttons = st.columns(len(one_click) + 1)
    for column, action in zip(buttons, one_click):
        if column.button(action.button, key=action.name, shortcut=action.key):
            act(engine, item, action.name)
    if buttons[-1].button("Undo", key="undo", shortcut=UNDO_KEY):
        undone = undo(engine, st.session_state.get("reviewer", "").strip() or "?")
        st.session_state["flash"] = f"undid decision #{undone}" if undone else "nothing to undo"
        st.rerun()
    for action in (a for a in ACTIONS.values() if a.needs == "label"):
        label_input(engine, item, action)
    for action in (a for a in ACTIONS.values() if a.needs == "note"):
        note = st.text_input("Note", key=f"{action.name}_text")
        if st.button(action.button, key=action.name, shortcut=action.key):
            act(engine, item, action.name, note=note)
    st.write("**History**")
    st.dataframe(history(engine, item["id"]), hide_index=True)


def main() -> None:
    st.set_page_config(page_title="weakforge review", layout="wide")
    folder = run_dir()
    config = saved_config(folder)
    target = database(folder, config)
    try:
        if not queue_exists(target):
            st.error(f"No review queue at {display_name(target)}: run the audit stage first.")
            st.stop()
        engine = open_database(target)
    except WeakforgeError as exc:
        st.error(str(exc))
        st.stop()
    if config is not None:
        st.session_state["task_labels"] = list(config.run.labels)
    elif "task_labels" not in st.session_state:  # a team's queue without the run's config
        st.session_state["task_labels"] = facet_values(engine, "label")
    st.title("Review queue")
    filt, sort = sidebar_filter(engine)
    done, total = progress(engine)
    st.progress(done / total if total else 0.0, text=f"{done} of {total} reviewed")
    page = st.number_input("Page", min_value=0, value=0, step=1, key="page")
    rows, matching = query(engine, filt, sort, int(page), PAGE_SIZE)
    pages = max(1, -(-matching // PAGE_SIZE))
    st.caption(
        f"{matching} {'item matches' if matching == 1 else 'items match'}; "
        f"showing {len(rows)} on page {page} (pages 0 to {pages - 1})"
    )
    st.dataframe(
        [
            {
                "id": r["id"],
                "priority": round(r["priority"], 3),
                "issues": ", ".join(r["issues"]),
                "weak": json.dumps(r["weak_label"]),
                "suggested": json.dumps(r["suggested_label"]),
                "text": r["text"][:120],
            }
            for r in rows
        ],
        hide_index=True,
    )
    if "flash" in st.session_state:
        st.info(st.session_state.pop("flash"))
    if rows:
        chosen = st.selectbox("Open item", [r["id"] for r in rows], key="open_item")
        item_view(engine, next(r for r in rows if r["id"] == chosen))
    export_panel(folder, target)


EXPORT_FORMATS = {"jsonl": "jsonl", "labelstudio": "json", "conll": "conll", "chat": "chat.jsonl"}


def export_panel(folder: Path, target: Database) -> None:
    """Write the reviewed set in one of the project's formats into RUN_DIR/exports/."""
    with st.expander("Export the reviewed set"):
        fmt = st.selectbox("Format", list(EXPORT_FORMATS), key="export_format")
        if st.button("Export", key="export"):
            examples = reviewed_examples(target)

            target = folder / EXPORTS / f"reviewed.{EXPORT_FORMATS[fmt]}"
            try:
                write_corpus(examples, target, fmt, WriteOptions(which="gold"))
                st.success(f"{len(examples)} reviewed items written to {target}")
            except WeakforgeError as exc:
                st.error(str(exc))


if __name__ == "__main__":  # `streamlit run` on this file directly
    main()
