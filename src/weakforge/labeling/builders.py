"""Ready-made rule shapes, so users rarely write loops: keywords, regular expressions,
spaCy ``Matcher`` token patterns, and contextual rules (a title-cased name next to a cue
word such as "Inc." or "Mr.")."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from spacy.matcher import Matcher
from spacy.tokens import Doc

from weakforge.labeling.rules import LabelingFunction, doc_rule, span_rule


def keyword_rule(
    name: str, keywords: Iterable[str], label: str, case_sensitive: bool = False
) -> LabelingFunction:
    """Doc rule: ``label`` when any keyword (a word or phrase, on word boundaries) occurs."""
    words = sorted(set(keywords), key=len, reverse=True)
    pattern = re.compile(
        r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b",
        0 if case_sensitive else re.IGNORECASE,
    )

    @doc_rule(name=name, labels=[label])
    def rule(doc: Doc) -> str | None:
        return label if pattern.search(doc.text) else None

    return rule


def regex_rule(name: str, pattern: str, label: str, flags: int = 0) -> LabelingFunction:
    """Doc rule: ``label`` when the regular expression matches the text."""
    compiled = re.compile(pattern, flags)

    @doc_rule(name=name, labels=[label])
    def rule(doc: Doc) -> str | None:
        return label if compiled.search(doc.text) else None

    return rule


def regex_span_rule(name: str, pattern: str, label: str, flags: int = 0) -> LabelingFunction:
    """Span rule: each match, widened to whole tokens."""
    compiled = re.compile(pattern, flags)

    @span_rule(name=name, label=label)
    def rule(doc: Doc) -> Iterable[Any]:
        for match in compiled.finditer(doc.text):
            span = doc.char_span(match.start(), match.end(), label=label, alignment_mode="expand")
            if span is not None and len(span):
                yield span

    return rule


ENTITY = "ENTITY"  # pattern_rule: marks the pattern tokens that are the entity


def pattern_rule(
    name: str, patterns: Sequence[list[dict[str, Any]]], label: str
) -> LabelingFunction:
    """Span rule from spaCy ``Matcher`` token patterns (built once per vocabulary).

    The vote is the whole match unless some pattern tokens carry ``"ENTITY": True``: then
    only the tokens matched by those are the entity, and the others are its cue. For
    "in Wellington" to vote just "Wellington"::

        pattern_rule("in_city", [[{"LOWER": "in"}, {"IS_TITLE": True, "ENTITY": True}]], "LOC")
    """
    matchers: dict[int, Matcher] = {}
    marked = [{i for i, token in enumerate(p) if token.get(ENTITY)} for p in patterns]
    plain = [[{k: v for k, v in token.items() if k != ENTITY} for token in p] for p in patterns]
    keys = [f"{name}#{i}" for i in range(len(patterns))]

    @span_rule(name=name, label=label)
    def rule(doc: Doc) -> Iterable[Any]:
        matcher = matchers.get(id(doc.vocab))
        if matcher is None:
            matcher = matchers[id(doc.vocab)] = Matcher(doc.vocab)
            for key, pattern in zip(keys, plain):
                matcher.add(key, [pattern])
        if not any(marked):  # alignments cost time: only where an entity is marked
            yield from ((start, end) for _, start, end in matcher(doc))
            return
        for match_id, start, end, alignment in matcher(doc, with_alignments=True):
            entity = marked[keys.index(doc.vocab.strings[match_id])]
            if not entity:
                yield start, end
                continue
            inside = [start + i for i, element in enumerate(alignment) if element in entity]
            if inside:
                yield inside[0], inside[-1] + 1

    return rule


def _title_run(doc: Doc, start: int, step: int, limit: int) -> int:
    """Walk from ``start`` in direction ``step`` over title-cased tokens (and "&", "of"
    inside names); return the far end index (exclusive when walking right)."""
    i, taken = start, 0
    while 0 <= i < len(doc) and taken < limit:
        token = doc[i]
        joiner = token.lower_ in {"&", "of", "de", "van", "von"} and taken > 0
        if not (token.is_title or token.is_upper or joiner) or token.is_punct:
            break
        i += step
        taken += 1
    if step > 0:
        while i > start and doc[i - 1].lower_ in {"&", "of", "de", "van", "von"}:
            i -= 1
        return i
    while i < start and doc[i + 1].lower_ in {"&", "of", "de", "van", "von"}:
        i += 1
    return i + 1


def name_before_rule(
    name: str, cues: Iterable[str], label: str, include_cue: bool = True, max_tokens: int = 4
) -> LabelingFunction:
    """Span rule: a run of title-cased tokens just before a cue word ("Acme Corp" before
    "Inc."). Cues match in any case; with ``include_cue`` the cue joins the name only when
    it is written as part of it, capitalised ("Acme Inc.", "Berlin University"), not as a
    lower-case description after it ("BTS band" gives "BTS")."""
    cue_set = {c.lower() for c in cues}

    @span_rule(name=name, label=label)
    def rule(doc: Doc) -> Iterable[Any]:
        for token in doc[1:]:
            if token.lower_ in cue_set:
                first = _title_run(doc, token.i - 1, -1, max_tokens)
                if first < token.i:
                    named = include_cue and token.text[:1].isupper()
                    yield first, token.i + 1 if named else token.i

    return rule


def name_after_rule(
    name: str, cues: Iterable[str], label: str, include_cue: bool = False, max_tokens: int = 3
) -> LabelingFunction:
    """Span rule: a run of title-cased tokens just after a cue word ("Mr." then a name);
    cues match in any case; the pronoun "I" after a cue is not a name."""
    cue_set = {c.lower() for c in cues}

    @span_rule(name=name, label=label)
    def rule(doc: Doc) -> Iterable[Any]:
        for token in doc[:-1]:
            if token.lower_ in cue_set and doc[token.i + 1].text != "I":
                end = _title_run(doc, token.i + 1, 1, max_tokens)
                if end > token.i + 1:
                    yield (token.i if include_cue else token.i + 1), end

    return rule
