"""Untrusted text on the review page, one escaping path: texts, ids, reviewer names, notes,
source and label names come from the wild. They are shown as text (escaped HTML, or text
elements), never as Markdown or HTML; bidi control characters are made visible, so
``txt.exe`` cannot pose as ``exe.txt``; a label on a button (whose label Streamlit renders
as Markdown) has every Markdown character escaped."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Mapping
from typing import Any

import streamlit as st

COLORS = {"PER": "#f4a3a3", "ORG": "#9fc1f5", "LOC": "#9fe3a8", "MISC": "#f5d78e"}
PALETTE = ["#d7b4f3", "#f7b98b", "#9fe0e0", "#e3e39f", "#f3b4d9", "#c4c4c4"]  # other types


def type_colour(label: str) -> str:
    """One colour per entity type, the same in every view of the page."""
    return COLORS.get(label, PALETTE[sum(map(ord, label)) % len(PALETTE)])


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


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:=])")


def plain_label(text: Any) -> str:
    """A string for a widget label that Streamlit renders as Markdown (a button's, say):
    bidi controls visible and every Markdown character escaped, so ``![x](http://...)`` is
    shown as those characters and fetches nothing, and ``[a](javascript:...)`` is no link."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", visible(str(text)))


def text_rows(rows: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Table rows with every text cell made visible (numbers left as they are)."""
    return [
        {k: v if isinstance(v, int | float) or v is None else visible(str(v)) for k, v in r.items()}
        for r in rows
    ]


SAFE_SCHEMES = ("http://", "https://", "mailto:")


def guidelines_html(markdown: str) -> str:
    """Annotation guidelines as HTML, sanitised: Markdown rendered by markdown-it with raw
    HTML off and images off (nothing is fetched), links kept only to http, https and
    mailto (others are shown as text), bidi controls made visible."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False}).disable("image")
    parser.validateLink = lambda url: url.strip().lower().startswith(SAFE_SCHEMES)
    return parser.render(visible(markdown))
