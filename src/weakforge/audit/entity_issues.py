"""NER label issues judged at the level people review: entities, not tokens.

Out-of-sample word probabilities (from the probe, the fold tagger, fine-tuned folds or
their mean) become entity-level items: every given entity, every entity the model finds
where none was given, and every unmarked mention of a name its document marks elsewhere.
cleanlab (through :mod:`weakforge.audit.cleanlab_adapter`) judges those items; a sentence
is as good as its worst item, so the ranking is continuous.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from weakforge.audit.budget import worst_first
from weakforge.audit.cleanlab_adapter import entity_label_issues, margins
from weakforge.audit.document_mentions import (
    NOT_AN_ENTITY,
    MentionEvidence,
    Mentions,
    mention_classes,
)
from weakforge.labels import bio_tags, tags_to_spans
from weakforge.records import Span


@dataclass(frozen=True)
class SpanIssue:
    """One entity-level finding: the span, its given type (``None``: no entity was marked
    there, a missing entity), the type the model suggests (``None``: not an entity) and how
    likely the given label is wrong (0-1, continuous)."""

    start: int
    end: int
    given: str | None
    suggested: str | None
    score: float
    elsewhere: tuple[tuple[str, int], ...] = ()
    """How the document's other mentions of the same words are labelled ("O": unmarked)."""

    def as_json(self) -> dict[str, object]:
        found: dict[str, object] = {
            "span": [self.start, self.end],
            "given": self.given,
            "suggested": self.suggested,
            "score": round(self.score, 4),
        }
        if self.elsewhere:
            found["elsewhere"] = dict(self.elsewhere)
        return found


@dataclass(frozen=True)
class SentenceIssues:
    """NER issues: per sentence, flagged?, quality (from its worst span, continuous), its
    span issues (worst first), the model's spans, its uncertainty, and cleanlab's estimate
    of how many entity labels in the corpus are wrong."""

    is_issue: np.ndarray
    quality: np.ndarray
    span_issues: list[list[SpanIssue]]
    suggested: list[tuple[Span, ...]]
    uncertainty: np.ndarray
    estimated_wrong: int
    token_probs: list[np.ndarray | None] = field(default_factory=list)
    document_conflicts: int = 0
    """Sentences with a mention that the rest of its document labels otherwise."""


def capped(issues: SentenceIssues, budget: int) -> SentenceIssues:
    """At most ``budget`` (> 0) sentences flagged, the worst first."""
    return replace(issues, is_issue=worst_first(issues.is_issue, issues.quality, budget))


def type_probs(token_probs: np.ndarray, n_labels: int) -> np.ndarray:
    """Per word: P(O), then P(type) = P(B-type) + P(I-type) for each label."""
    out = np.empty((len(token_probs), n_labels + 1))
    out[:, 0] = token_probs[:, 0]
    out[:, 1:] = token_probs[:, 1::2] + token_probs[:, 2::2]
    return out


def entity_candidates(
    given: Sequence[Span],
    predicted: Sequence[Span],
    words: Sequence[tuple[int, int]],
    probs: np.ndarray,
    labels: Sequence[str],
    unmarked: Sequence[tuple[int, int]] = (),
) -> list[tuple[int, int, int, np.ndarray]]:
    """The entity-level items of one sentence: each given span (class = its type), each
    span the model predicts that overlaps no given one, and each ``unmarked`` (start, end)
    (a name its document marks elsewhere) that overlaps no item yet (class = not an entity
    for both), with the model's class probabilities averaged over the span's words."""
    index = mention_classes(labels)
    by_type = type_probs(probs, len(labels))
    items: list[tuple[int, int, int, np.ndarray]] = []

    def add(start: int, end: int, klass: int) -> None:
        covered = [w for w, (a, b) in enumerate(words) if a >= start and b <= end]
        if covered:
            items.append((start, end, klass, by_type[covered].mean(0)))

    for span in given:
        if span.label in index:
            add(span.start, span.end, index[span.label])
    for span in predicted:
        if not any(g.overlaps(span) for g in given):
            add(span.start, span.end, NOT_AN_ENTITY)
    for start, end in unmarked:
        if not any(a < end and start < b for a, b, *_ in items):
            add(start, end, NOT_AN_ENTITY)
    return items


def mean_token_probs(
    members: Sequence[Sequence[np.ndarray | None]],
) -> list[np.ndarray | None]:
    """Per sentence, the mean of several models' word probabilities (an ensemble)."""
    return [
        None if any(p is None for p in per_model) else np.mean(per_model, axis=0)
        for per_model in zip(*members)
    ]


def judge_entities(
    token_probs: Sequence[np.ndarray | None],
    words: Sequence[Sequence[tuple[int, int]]],
    given: Sequence[Sequence[Span]],
    labels: Sequence[str],
    mentions: Sequence[Mentions] | None = None,
    flag_below: float | Sequence[float] = 1.0,
) -> SentenceIssues:
    """Entity-level issues from out-of-sample word probabilities (BIO tag columns in
    :func:`bio_tags` order; ``None`` for a sentence without words). Every given entity and
    every entity the model finds where none was given is one item, whose class
    probabilities are its words' mean; cleanlab's confident learning on those items
    estimates how many entity labels are wrong and flags them; a sentence's quality is its
    worst item's, so the ranking is continuous.

    ``mentions`` (:func:`document_mentions`): where a document labels the same name
    differently, an item's quality is also scaled by its mention's ``agreement``, so a
    mention that the rest of its document labels otherwise ranks first, and it is flagged
    (an unmarked mention of a name marked elsewhere becomes an item, given class "not an
    entity").

    ``flag_below`` (< 1; one value, or one per sentence) keeps the queue for the surest:
    an entity cleanlab finds is flagged only where the model gives its label less than
    this probability (the estimate still counts every one cleanlab finds)."""
    tags = bio_tags(labels)
    n = len(words)
    quality = np.ones(n)
    uncertainty = np.zeros(n)
    suggested: list[tuple[Span, ...]] = [() for _ in range(n)]
    items: list[tuple[int, int, int, int, np.ndarray]] = []  # sentence, start, end, class, p
    evidence: list[MentionEvidence | None] = []
    for i, raw in enumerate(token_probs):
        if raw is None or not len(words[i]):
            continue
        sentence_probs = np.clip(raw, 1e-6, None)
        sentence_probs = sentence_probs / sentence_probs.sum(axis=1, keepdims=True)
        uncertainty[i] = float(1 - margins(sentence_probs).min())
        predicted = tags_to_spans([tags[t] for t in sentence_probs.argmax(axis=1)], words[i])
        suggested[i] = predicted
        here = mentions[i] if mentions is not None else {}
        unmarked = [span for span, m in here.items() if m.given == NOT_AN_ENTITY]
        for start, end, klass, p in entity_candidates(
            given[i], predicted, words[i], sentence_probs, labels, unmarked
        ):
            items.append((i, start, end, klass, p))
            evidence.append(here.get((start, end)))
    span_issues: list[list[SpanIssue]] = [[] for _ in range(n)]
    is_issue = np.zeros(n, dtype=bool)
    if not items:
        return SentenceIssues(
            is_issue, quality, span_issues, suggested, uncertainty, 0, list(token_probs)
        )
    item_y = np.array([klass for _, _, _, klass, _ in items])
    item_p = np.vstack([p for *_, p in items])
    item_p /= item_p.sum(axis=1, keepdims=True)
    agreement = np.array([1.0 if m is None else m.agreement for m in evidence])
    item_quality, found = entity_label_issues(item_y, item_p)
    item_quality = item_quality * agreement
    below = np.broadcast_to(np.asarray(flag_below, dtype=float), (n,))
    item_below = below[[i for i, *_ in items]]
    flagged = found & (item_p[np.arange(len(items)), item_y] < item_below)
    names = [None, *labels]
    in_conflict = np.zeros(n, dtype=bool)
    for (i, start, end, klass, p), q, wrong, mention in zip(items, item_quality, flagged, evidence):
        quality[i] = min(quality[i], float(q))
        conflict = mention is not None and mention.conflicts
        in_conflict[i] |= conflict
        best = int(np.argmax(p))
        if conflict and best == klass:  # the model sides with the label: the document does not
            best = int(np.argmax(mention.others))
        if wrong or conflict or best != klass:
            elsewhere = () if mention is None else mention.counted(names)
            span_issues[i].append(
                SpanIssue(start, end, names[klass], names[best], 1 - float(q), elsewhere)
            )
            is_issue[i] |= bool(wrong or conflict)
    for issues in span_issues:
        issues.sort(key=lambda x: -x.score)
    estimated = int(found.sum())
    return SentenceIssues(
        is_issue,
        quality,
        span_issues,
        suggested,
        uncertainty,
        estimated,
        list(token_probs),
        int(in_conflict.sum()),
    )


def ner_label_issues(
    token_probs: Sequence[np.ndarray | None],
    words: Sequence[Sequence[tuple[int, int]]],
    given: Sequence[Sequence[Span]],
    labels: Sequence[str],
    *,
    mentions: Sequence[Mentions] | None = None,
    flag_below: float | Sequence[float] = 1.0,
    budget: int = 0,
) -> SentenceIssues:
    """The audit's NER label issues: entities judged (:func:`judge_entities`), then at most
    ``budget`` (> 0) sentences flagged, the worst first."""
    return capped(judge_entities(token_probs, words, given, labels, mentions, flag_below), budget)
