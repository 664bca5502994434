"""The human report of a run, as Markdown and as one self-contained HTML page.

Stages describe themselves as :class:`Section` s made of text, :class:`Table` s and
:class:`Image` s; this module only renders them. All text is escaped in HTML, since corpus
texts come from the wild.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union


@dataclass(frozen=True)
class Table:
    headers: Sequence[str]
    rows: Sequence[Sequence[Any]]


@dataclass(frozen=True)
class Image:
    path: str  # relative to the run folder
    caption: str = ""


Block = Union[str, Table, Image]  # noqa: UP007


@dataclass
class Section:
    title: str
    blocks: list[Block] = field(default_factory=list)


def fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


MARKDOWN_SPECIALS = re.compile(r"([\\`*_\[\]()#!|~])")


def markdown_cell(value: Any) -> str:
    """A table cell shown as text in any Markdown viewer: HTML escaped (a corpus text's
    ``<script>`` stays text) and Markdown punctuation backslashed (no links, no emphasis)."""
    text = html.escape(fmt(value), quote=False).replace("\n", " ")
    return MARKDOWN_SPECIALS.sub(r"\\\1", text)


def render_markdown(title: str, sections: Sequence[Section]) -> str:
    lines = [f"# {title}", ""]
    for section in sections:
        lines += [f"## {section.title}", ""]
        for block in section.blocks:
            if isinstance(block, Table):
                lines.append("| " + " | ".join(block.headers) + " |")
                lines.append("|" + "---|" * len(block.headers))
                for row in block.rows:
                    cells = (markdown_cell(c) for c in row)
                    lines.append("| " + " | ".join(cells) + " |")
            elif isinstance(block, Image):
                lines.append(f"![{block.caption}]({block.path})")
            else:
                lines.append(block)
            lines.append("")
    return "\n".join(lines)


STYLE = """body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #ccc;padding:.2rem .5rem;
text-align:left;vertical-align:top}th{background:#f3f3f3}img{max-width:100%}
figcaption{color:#555;font-size:.9rem}"""


def render_html(title: str, sections: Sequence[Section], run_dir: Path) -> str:
    """One HTML file with images inlined, so the report can be mailed or archived alone."""
    esc = html.escape
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>{esc(title)}</title>",
        f"<style>{STYLE}</style></head><body><h1>{esc(title)}</h1>",
    ]
    for section in sections:
        parts.append(f"<h2>{esc(section.title)}</h2>")
        for block in section.blocks:
            if isinstance(block, Table):
                head = "".join(f"<th>{esc(h)}</th>" for h in block.headers)
                body = "".join(
                    "<tr>" + "".join(f"<td>{esc(fmt(c))}</td>" for c in row) + "</tr>"
                    for row in block.rows
                )
                parts.append(f"<table><tr>{head}</tr>{body}</table>")
            elif isinstance(block, Image):
                data = base64.b64encode((run_dir / block.path).read_bytes()).decode()
                parts.append(
                    f"<figure><img alt='{esc(block.caption)}' "
                    f"src='data:image/png;base64,{data}'>"
                    f"<figcaption>{esc(block.caption)}</figcaption></figure>"
                )
            else:
                parts.append(f"<p>{esc(block)}</p>")
    parts.append("</body></html>")
    return "\n".join(parts)
