"""The rules' opinion of a human-labeled entity's type (``[audit] rules_weight``).

A model taught the given labels learns their habits, wrong ones included: CoNLL-2003 labels
a place name that names a sports team LOC about twice as often as ORG, so a model taught it
calls "Leeds" in "Leeds 2 Chelsea 1" LOC, and cannot find the sentences people later
corrected. Rules carry what the labels do not (a name in a result line is a team). Where a
record has both a label people gave and the rules' aggregated label, the words that a given
entity and an aggregated entity share take the aggregated tag at this weight in the
out-of-sample probabilities cleanlab judges by; elsewhere the model speaks alone, since
rules that stay silent say nothing about a word.

The rules also settle a document's disagreements (:mod:`weakforge.audit.document_mentions`):
where a mention's label conflicts with its document's other mentions of the name but the
rules give that mention the same type, the conflict is dropped, since the odd one out is
likely right and the others wrong (the rules disagree with them, so their own scores fall).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from weakforge.audit.document_mentions import Mentions, mention_classes
from weakforge.labels import bio_tags, spans_to_tags
from weakforge.records import Span


def with_rules_opinion(
    token_probs: Sequence[np.ndarray | None],
    words: Sequence[Sequence[tuple[int, int]]],
    given: Sequence[Sequence[Span]],
    aggregated: Sequence[Sequence[Span] | None],
    labels: Sequence[str],
    weight: float,
) -> tuple[list[np.ndarray | None], int]:
    """The word probabilities with the aggregated tag mixed in at ``weight`` on the words
    both a given entity and an aggregated entity cover (``aggregated`` is ``None`` for a
    record whose label under audit is not a human one), and how many given entities the
    rules type otherwise."""
    tags = bio_tags(labels)
    one_hot = np.eye(len(tags))
    out: list[np.ndarray | None] = []
    retyped = 0
    for probs, bounds, people, rules in zip(token_probs, words, given, aggregated):
        if probs is None or not rules or not people or not len(bounds) or weight <= 0:
            out.append(probs)
            continue
        by_rules = spans_to_tags(rules, bounds, tags)
        shared = (by_rules > 0) & (spans_to_tags(people, bounds, tags) > 0)
        mixed = np.array(probs, dtype=float, copy=True)
        mixed[shared] = (1 - weight) * mixed[shared] + weight * one_hot[by_rules[shared]]
        out.append(mixed)
        typed = {(s.start, s.end): s.label for s in rules}
        retyped += sum(typed.get((s.start, s.end), s.label) != s.label for s in people)
    return out, retyped


def settled_by_rules(
    mentions: Sequence[Mentions],
    aggregated: Sequence[Sequence[Span] | None],
    labels: Sequence[str],
) -> tuple[list[Mentions], int]:
    """Each sentence's document evidence without the mentions whose given label the rules
    back (an aggregated span on the same characters, of the same type), and how many of
    those were conflicts. A mention the rules are silent on, or unmarked by people, keeps
    its evidence: silence is no opinion."""
    index = mention_classes(labels)
    kept: list[Mentions] = []
    settled = 0
    for here, rules in zip(mentions, aggregated):
        typed = {(s.start, s.end): index.get(s.label) for s in rules or ()}
        backed = {span for span, m in here.items() if typed.get(span) == m.given}
        settled += sum(here[span].conflicts for span in backed)
        kept.append({span: m for span, m in here.items() if span not in backed})
    return kept, settled
