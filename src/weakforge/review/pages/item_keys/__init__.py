"""The review page's item view for class decisions: a Streamlit component shipped in the
package (plain JavaScript in ``index.html``, offline) that owns the decision keys. It shows
the reviewer's current item and holds their next ones, moves on the moment a key is pressed,
and sends its decisions in order; :func:`item_keys` hands the server's answer to each one
back, so every press ends saved or refused with its reason, on the item that was on screen.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import streamlit.components.v1 as components

FRONTEND = Path(__file__).resolve().parent
_view = components.declare_component("weakforge_item_keys", path=str(FRONTEND))
KEY = "item_keys"


def sent_decisions(state: Any, session: str, acknowledged: int) -> list[dict[str, Any]]:
    """The decisions the view sent that the server has not answered yet, in order (read
    from the component's value in session state before the page draws anything)."""
    value = state.get(KEY)
    if not isinstance(value, dict) or value.get("session") != session:
        return []
    pending = [d for d in value.get("pending", []) if isinstance(d, dict)]
    return sorted((d for d in pending if int(d.get("n", 0)) > acknowledged), key=lambda d: d["n"])


def item_keys(
    items: Sequence[dict[str, Any]],
    actions: Sequence[dict[str, Any]],
    labels: Sequence[str],
    *,
    session: str,
    acknowledged: int,
    results: Sequence[dict[str, Any]],
    descriptions: dict[str, str] | None = None,
) -> None:
    """Draw the view: ``items`` (the current one first, then the next claimed ones, each
    ``id, seq, split, text, weak, suggested, why``), the one-click ``actions`` (``name``,
    ``button``, ``key``), a relabel button per label (keys 1-9; ``descriptions``: a line
    per label shown beside it), the highest decision number
    the server has answered and the answers (``n``, ``outcome``, ``message``, ``reopen``)."""
    _view(
        items=list(items),
        actions=list(actions),
        labels=list(labels),
        descriptions=dict(descriptions or {}),
        session=session,
        acknowledged=acknowledged,
        results=list(results),
        key=KEY,
        default=None,
    )
