"""One shared spaCy tokenizer for code that needs token boundaries but no model."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from weakforge.records import Example, Span

if TYPE_CHECKING:
    from spacy.language import Language


@lru_cache(maxsize=4)
def blank_pipeline(lang: str = "en") -> Language:
    """A blank spaCy pipeline (tokenizer only) for ``lang``; built once per process (spaCy
    loads on first use, so importing this module stays light)."""
    import spacy

    return spacy.blank(lang)


def blank_tokenizer(lang: str = "en"):
    """The tokenizer of :func:`blank_pipeline`: call it on a text to get a ``Doc``."""
    return blank_pipeline(lang).tokenizer


def token_bounds(
    text: str, cut_at: Sequence[int] = (), pretokenized: bool = False
) -> list[tuple[int, int]]:
    """Character ``(start, end)`` of each token of ``text``.

    ``pretokenized`` text (e.g. joined CoNLL tokens) splits on single spaces; other text goes
    through spaCy's tokenizer. Tokens are then split at every offset in ``cut_at`` (span
    edges), so spans always fall on token edges.
    """
    if pretokenized:
        bounds, start = [], 0
        for piece in text.split(" "):
            if piece:
                bounds.append((start, start + len(piece)))
            start += len(piece) + 1
    else:
        bounds = [(t.idx, t.idx + len(t.text)) for t in blank_tokenizer()(text) if not t.is_space]
    cuts = sorted(set(cut_at))  # bisected per token: linear in tokens + cuts, not a product
    result = []
    for start, end in bounds:
        inner = cuts[bisect.bisect_right(cuts, start) : bisect.bisect_left(cuts, end)]
        for left, right in zip([start, *inner], [*inner, end]):
            if text[left:right].strip():
                result.append((left, right))
    return result


def words_and_spaces(text: str, bounds: Sequence[tuple[int, int]]) -> tuple[list[str], list[bool]]:
    """``words``/``spaces`` for ``spacy.tokens.Doc`` so that ``doc.text == text`` exactly and
    every bound is one token (extra white space becomes white-space tokens, as spaCy does)."""
    words: list[str] = []
    spaces: list[bool] = []

    def add_gap(gap: str) -> None:
        if words and gap.startswith(" "):
            spaces[-1] = True
            gap = gap[1:]
        if gap:
            words.append(gap)
            spaces.append(False)

    position = 0
    for start, end in bounds:
        add_gap(text[position:start])
        words.append(text[start:end])
        spaces.append(False)
        position = end
    add_gap(text[position:])
    return words, spaces


def example_bounds(example: Example, spans: Sequence[Span] = ()) -> list[tuple[int, int]]:
    """Token bounds of an example's text, cut at the edges of ``spans``; text that came
    from CoNLL keeps its own tokens."""
    return token_bounds(
        example.text,
        [o for s in spans for o in (s.start, s.end)],
        pretokenized=example.meta.get("tokenized") == "conll",
    )


def token_spans(
    bounds: Sequence[tuple[int, int]], spans: Sequence[Span]
) -> tuple[list[tuple[int, int, Span]], list[Span]]:
    """Spans as ``(first token, last token + 1, span)``, and the spans that do not fall on
    token edges."""
    starts = {start: i for i, (start, _) in enumerate(bounds)}
    ends = {end: i for i, (_, end) in enumerate(bounds)}
    placed, stray = [], []
    for span in spans:
        if span.start in starts and span.end in ends:
            placed.append((starts[span.start], ends[span.end] + 1, span))
        else:
            stray.append(span)
    return placed, stray
