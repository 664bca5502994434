"""The review page's key counter, a Streamlit component shipped in the package (plain
JavaScript in ``index.html``): it counts the action keys pressed on the page, so the page can
compare them with the presses that reached it. Streamlit merges a key pressed twice while
the page reruns into one press; the difference is shown to the reviewer instead of
vanishing."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import streamlit.components.v1 as components

FRONTEND = Path(__file__).resolve().parent
_counter = components.declare_component("weakforge_key_counter", path=str(FRONTEND))


def keys_pressed(keys: Sequence[str], key: str = "key_counter") -> int:
    """How many of ``keys`` were pressed on this page since it was opened (outside text
    fields; reported once the presses pause)."""
    value = _counter(keys=list(keys), key=key, default=0, height=0)
    return int(value) if isinstance(value, int | float) else 0
