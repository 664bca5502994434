"""The other mentions of a name in its document: evidence for the NER audit.

Annotators label a name the same way throughout one story; where the labels of one
document's mentions of the same words differ ("England" ORG in three sentences of a cricket
report and LOC in the fourth, or marked in one sentence and left unmarked in another), one
side is likely wrong. Each mention gets the labels of the *other* mentions (leave one out),
which the label-issue check weighs beside its model's probabilities. Documents come from
``meta["doc"]`` (CoNLL's ``-DOCSTART-`` lines, a JSONL ``doc`` field); without them there is
no evidence. Documents are consecutive records sharing ``meta[key]``, the key being
``[aggregate] group_by`` (default ``doc``), as in the aggregate stage's document sources.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from weakforge.records import Example, Span, document_runs

log = logging.getLogger(__name__)

LARGEST_DOCUMENT = 1000
"""Records; a longer run of one key value is no story (a constant field, a missing marker)
and is skipped with a warning: CoNLL-2003's longest document has under 200 sentences."""

AGREEMENT_FLOOR = 1e-3
"""Where every other mention of a name in its document disagrees, the label-issue check
scales the item's quality by this (over the number of those mentions): below the model's
own doubts, which a conflict outranks (on CoNLL-2003, 38 of dev's 87 conflicting sentences
hold a verified error and 111 of train's 275, against 8% and 3% of all sentences)."""

CONFLICT_BELOW = 0.5
"""A mention whose agreement is below this (ties included: one other mention, labelled
otherwise) is in conflict with its document: the label-issue check flags its sentence."""

NOT_AN_ENTITY = 0
"""The class index of "no entity here"; a type's index is its position in labels + 1."""


def mention_classes(labels: Sequence[str]) -> dict[str, int]:
    """Each entity type's class index in :class:`MentionEvidence` (see NOT_AN_ENTITY)."""
    return {label: k + 1 for k, label in enumerate(labels)}


@dataclass(frozen=True)
class MentionEvidence:
    """One mention: its own class (0 = not marked as an entity) and how many of its
    document's other mentions of the same words carry each class (``[O, *labels]``)."""

    given: int
    others: np.ndarray

    @property
    def agreement(self) -> float:
        """The share of the other mentions that carry this mention's label, floored at
        :data:`AGREEMENT_FLOOR` over their number (continuous: no ties at 0)."""
        others = self.others.sum()
        return float((self.others[self.given] + AGREEMENT_FLOOR) / (others + AGREEMENT_FLOOR))

    @property
    def conflicts(self) -> bool:
        """Whether the rest of the document mostly labels this mention otherwise."""
        return self.agreement < CONFLICT_BELOW

    def counted(self, names: Sequence[str | None]) -> tuple[tuple[str, int], ...]:
        """(class name, count) of the other mentions, most first; "O" = unmarked."""
        found = [(names[k] or "O", int(c)) for k, c in enumerate(self.others) if c]
        return tuple(sorted(found, key=lambda x: -x[1]))


Mentions = dict[tuple[int, int], MentionEvidence]
"""A sentence's evidence, by the mention's (start, end) characters."""


def document_mentions(
    examples: Sequence[Example],
    given: Sequence[Sequence[Span]],
    labels: Sequence[str],
    key: str = "doc",
) -> list[Mentions]:
    """Per example, the evidence of each mention of a name that some sentence of its
    document marks as an entity, where that document's mentions disagree. A mention that
    lies inside (or across) a different marked entity is no mention of the name."""
    index = mention_classes(labels)
    found: list[Mentions] = [{} for _ in examples]
    for members in documents(examples, key):
        names = {examples[i].text[s.start : s.end] for i in members for s in given[i]}
        for name in names:
            mentions = [
                (i, start, end, klass)
                for i in members
                for start, end, klass in name_mentions(examples[i].text, name, given[i], index)
            ]
            counts = np.bincount([k for *_, k in mentions], minlength=len(labels) + 1)
            if np.count_nonzero(counts) < 2:
                continue  # every mention agrees
            for i, start, end, klass in mentions:
                others = counts.copy()
                others[klass] -= 1
                found[i][(start, end)] = MentionEvidence(klass, others)
    return found


def documents(examples: Sequence[Example], key: str) -> list[list[int]]:
    """The indexes of each document's records (:func:`document_runs`), those of two or
    more; overlong ones are skipped with a warning."""
    runs = document_runs(examples, key)
    for run in runs:
        if len(run) > LARGEST_DOCUMENT:
            log.warning(
                "document-mention check skipped for %d consecutive records sharing %s = %r "
                "(from record '%s'): too long for one story; give each document its own %r "
                "value",
                len(run),
                key,
                examples[run[0]].meta.get(key),
                examples[run[0]].id,
                key,
            )
    return [run for run in runs if 1 < len(run) <= LARGEST_DOCUMENT]


def name_mentions(
    text: str, name: str, spans: Sequence[Span], index: dict[str, int]
) -> list[tuple[int, int, int]]:
    """(start, end, class) of each whole-word occurrence of ``name`` in ``text``."""
    out = []
    for match in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text):
        start, end = match.span()
        exact = [s for s in spans if s.start == start and s.end == end and s.label in index]
        if exact:
            out.append((start, end, index[exact[0].label]))
        elif not any(s.start < end and start < s.end for s in spans):
            out.append((start, end, NOT_AN_ENTITY))
    return out
