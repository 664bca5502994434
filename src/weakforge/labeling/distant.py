"""Distant supervision sources: a pretrained spaCy NER as a voter, lexicons for
classification, and gazetteers harvested from a related labeled corpus."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from pathlib import Path

from spacy.tokens import Doc

from weakforge.corpus import ReadOptions, read_corpus
from weakforge.labeling.builders import keyword_rule
from weakforge.labeling.gazetteer import gazetteer, read_entries, resolve_list_path
from weakforge.labeling.rules import LabelingFunction
from weakforge.models import DEFAULT_SPACY_MODEL

CONLL_LABEL_MAP: dict[str, str] = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
}


def spacy_ner_voter(
    name: str = "spacy_ner",
    label_map: Mapping[str, str] | None = None,
    model: str = DEFAULT_SPACY_MODEL,
) -> LabelingFunction:
    """Pretrained spaCy NER as a voter; entity types missing from ``label_map`` abstain.
    The default map turns OntoNotes types into CoNLL's PER/ORG/LOC/MISC."""
    mapping = dict(label_map if label_map is not None else CONLL_LABEL_MAP)

    def rule(doc: Doc) -> list[tuple[int, int, str]]:
        spans = []
        for entity in doc.ents:
            if entity.label_ in mapping:
                start, end = name_tokens(doc, entity.start, entity.end)
                if start < end:
                    spans.append((start, end, mapping[entity.label_]))
        return spans

    return LabelingFunction(
        name,
        "span",
        rule,
        tuple(sorted(set(mapping.values()))),
        inspect.stack()[1].filename,
        model=model,
    )


LEADING_WORDS = frozenset({"the", "a", "an"})


def name_tokens(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """The name inside a predicted entity, as CoNLL-style annotation marks it: without a
    leading article ("the West Bank"), a trailing possessive or figures ("MOSCOW
    1996-08-30", "Glamorgan 259"). An entity with no letter left comes back empty."""
    while start < end and doc[start].lower_ in LEADING_WORDS:
        start += 1
    while start < end and (
        doc[end - 1].text in {"'s", "'"} or not any(c.isalpha() for c in doc[end - 1].text)
    ):
        end -= 1
    return start, end


def lexicon_rule(
    name: str, source: str | Path | Iterable[str], label: str, case_sensitive: bool = False
) -> LabelingFunction:
    """Doc rule from a word list (a file path, or the words): ``label`` when any occurs."""
    if isinstance(source, (str, Path)):
        path = resolve_list_path(source, inspect.stack()[1].filename)
        words = read_entries(path, label)[label]
    else:
        words = list(source)
    return keyword_rule(name, words, label, case_sensitive)


def labeled_set_source(
    name: str,
    path: str | Path,
    fmt: str | None = None,
    label_map: Mapping[str, str] | None = None,
    min_count: int = 1,
) -> LabelingFunction:
    """A gazetteer harvested from the gold spans of a related labeled corpus: each entity
    string becomes an entry with its most frequent (mapped) label."""
    caller = inspect.stack()[1].filename
    located = resolve_list_path(path, caller)
    counts: dict[str, dict[str, int]] = {}
    for example in read_corpus(located, fmt, ReadOptions(on_error="skip")).examples:
        for span in example.gold if isinstance(example.gold, tuple) else ():
            label = (label_map or {}).get(span.label, span.label)
            if label:
                text = example.text[span.start : span.end]
                counts.setdefault(text, {}).setdefault(label, 0)
                counts[text][label] += 1
    lists: dict[str, list[str]] = {}
    for text, by_label in counts.items():
        best = max(by_label, key=by_label.get)
        if by_label[best] >= min_count:
            lists.setdefault(best, []).append(text)
    return gazetteer(name, lists, file=caller)
