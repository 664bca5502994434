"""The review page's span editor, a Streamlit component shipped in the package (plain
JavaScript in ``index.html``, nothing fetched from a CDN, so the page works offline):
select words with the mouse and press a type's number key (or click the type) to add an
entity; click an entity to retype it (number key) or delete it (Delete); one button takes
the suggestion. Its value is the spans as edited, each ``[start, end, type]``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import streamlit.components.v1 as components

FRONTEND = Path(__file__).resolve().parent
_editor = components.declare_component("weakforge_span_editor", path=str(FRONTEND))


def span_editor(
    text: str,
    spans: Sequence[Sequence[Any]],
    suggested: Sequence[Sequence[Any]],
    labels: Sequence[str],
    colours: dict[str, str],
    item_id: str,
    key: str,
) -> list[list[Any]]:
    """Draw the editor for one item (``labels`` in number-key order, each type in its
    colour); the spans as the reviewer has edited them so far (the given ``spans`` until
    the first edit)."""
    given = sorted([int(s[0]), int(s[1]), str(s[2])] for s in spans)
    value = _editor(
        text=text,
        spans=given,
        suggested=sorted([int(s[0]), int(s[1]), str(s[2])] for s in suggested or []),
        labels=list(labels),
        colours=colours,
        item=item_id,
        key=key,
        default=None,
    )
    if not isinstance(value, dict) or value.get("item") != item_id:
        return given
    return sorted([int(s[0]), int(s[1]), str(s[2])] for s in value.get("spans", []))
