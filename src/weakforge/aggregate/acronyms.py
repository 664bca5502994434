"""NER document source: acronyms defined in the document. A name followed by its acronym in
brackets ("Central Narcotics Bureau ( CNB )") defines it; the acronym there and everywhere
else in the document gets the name's type."""

from __future__ import annotations

import re
from collections.abc import Sequence

from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

ACRONYM = re.compile(r"[A-Z][A-Z&]{1,9}")
PERSON_TYPES = {"PER", "PERSON"}
"""People are not given acronyms: a name of these types that seems to define one was
mistyped by the votes ("Health Care Financing Administration ( HCFA )" voted PER)."""


def initials(name: SpacySpan) -> str:
    """The capital initials of a name's words ("State Law and Order Restoration Council"
    -> "SLORC")."""
    return "".join(t.text[0] for t in name if t.text[:1].isupper())


def abbreviates(acronym: str, name: SpacySpan) -> bool:
    """Whether ``acronym`` starts with the name's first initial and its letters follow the
    name's initials in order ("RDR" for "Rally for the Return of Refugees and Democracy
    in Rwanda"; "USA" is not "Michael Johnson")."""
    letters, found = acronym.replace("&", ""), initials(name)
    if len(name) < 2 or not letters or not found or letters[0] != found[0]:
        return False
    position = 0
    for letter in letters:
        position = found.find(letter, position) + 1
        if position == 0:
            return False
    return True


def defined_acronyms(doc: Doc, names: Sequence[SpacySpan]) -> dict[str, str]:
    """Acronym -> type, from each name followed by "( ACRONYM )" that abbreviates it; an
    acronym defined with two types, or by a name typed as a person, is left out."""
    found: dict[str, set[str]] = {}
    for name in names:
        if name.label_ in PERSON_TYPES:
            continue
        after = doc[name.end : name.end + 3]
        if (
            len(after) == 3
            and after[0].text == "("
            and after[2].text == ")"
            and ACRONYM.fullmatch(after[1].text)
            and abbreviates(after[1].text, name)
        ):
            found.setdefault(after[1].text, set()).add(name.label_)
    return {acronym: types.pop() for acronym, types in found.items() if len(types) == 1}


def annotate_acronyms(doc: Doc, source: str, name: str = "doc_acronyms") -> None:
    """Add ``doc.spans[name]``: every mention of an acronym that ``source``'s names define
    in this document, with the name's type."""
    defined = defined_acronyms(doc, list(doc.spans[source]))
    doc.spans[name] = [
        SpacySpan(doc, t.i, t.i + 1, defined[t.text]) for t in doc if t.text in defined
    ]
