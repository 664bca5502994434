"""Finding likely label errors and outliers with cleanlab (the only module that imports it).

Every function returns results; none stores anything. cleanlab needs out-of-sample
predicted probabilities: here they come from K-fold cross-validation of a logistic regression
on sentence embeddings (classification) or on contextual word vectors (NER, per token, folds
by sentence), with class columns in the explicit order of ``labels``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold, StratifiedKFold

from weakforge.audit.document_mentions import NOT_AN_ENTITY as NOT_AN_ENTITY_CLASS
from weakforge.audit.document_mentions import MentionEvidence, Mentions, mention_classes
from weakforge.labels import bio_tags, spans_to_tags, tags_to_spans
from weakforge.records import Span


def cross_val_probs(
    features: np.ndarray,
    y: np.ndarray,
    n_classes: int,
    *,
    folds: int = 5,
    seed: int = 0,
    groups: np.ndarray | None = None,
) -> np.ndarray:
    """Out-of-sample class probabilities, columns 0..n_classes-1. With ``groups`` (e.g. the
    sentence of each token) no group is split across folds."""
    probs = np.zeros((len(y), n_classes), dtype=np.float64)
    if groups is not None:
        unique = np.unique(groups)
        order = np.random.default_rng(seed).permutation(unique)
        fold_of = {g: i % folds for i, g in enumerate(order)}
        assignment = np.array([fold_of[g] for g in groups])
        splits = [
            (np.nonzero(assignment != f)[0], np.nonzero(assignment == f)[0]) for f in range(folds)
        ]
    else:
        counts = np.bincount(y, minlength=n_classes)
        stratify = counts[counts > 0].min() >= folds
        splitter = (
            StratifiedKFold(folds, shuffle=True, random_state=seed)
            if stratify
            else KFold(folds, shuffle=True, random_state=seed)
        )
        splits = list(splitter.split(features, y))
    for train, held_out in splits:
        classes = np.unique(y[train])
        if len(classes) == 1:
            probs[np.ix_(held_out, classes)] = 1.0
            continue
        model = LogisticRegression(max_iter=500, C=1.0)
        model.fit(features[train], y[train])
        probs[np.ix_(held_out, model.classes_)] = model.predict_proba(features[held_out])
    return probs


@dataclass(frozen=True)
class LabelIssues:
    """Per item: flagged?, label quality (low = likely wrong), suggested class index, and the
    classifier's margin between its two best classes (low = uncertain)."""

    is_issue: np.ndarray
    quality: np.ndarray
    suggested: np.ndarray
    margin: np.ndarray


def margins(probs: np.ndarray) -> np.ndarray:
    top = np.sort(probs, axis=1)
    return top[:, -1] - (top[:, -2] if probs.shape[1] > 1 else 0.0)


def classification_label_issues(y: np.ndarray, pred_probs: np.ndarray) -> LabelIssues:
    """cleanlab's ``find_label_issues`` and label quality scores for given labels ``y``."""
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    is_issue = find_label_issues(labels=y, pred_probs=pred_probs)
    quality = get_label_quality_scores(labels=y, pred_probs=pred_probs)
    return LabelIssues(is_issue, quality, pred_probs.argmax(axis=1), margins(pred_probs))


def weak_label_issues(y: np.ndarray, pred_probs: np.ndarray, teacher: np.ndarray) -> LabelIssues:
    """Label issues of weak labels ``y``, judged by two opinions: the out-of-sample
    classifier's ``pred_probs`` and the label model's own ``teacher`` probabilities (a thin
    or tied vote, or no vote at all, is a weak label's most telling sign). Items are ranked
    by cleanlab's label quality under the mean of both; the queue holds as many as cleanlab
    estimates are wrong (from the classifier alone: the label model always agrees with its
    own label), the lowest quality first."""
    from cleanlab.count import num_label_issues
    from cleanlab.rank import get_label_quality_scores

    ensemble = (pred_probs + teacher) / 2
    quality = get_label_quality_scores(labels=y, pred_probs=ensemble)
    wrong = num_label_issues(labels=y, pred_probs=pred_probs)
    is_issue = np.zeros(len(y), dtype=bool)
    is_issue[np.argsort(quality, kind="stable")[:wrong]] = True
    return LabelIssues(is_issue, quality, pred_probs.argmax(axis=1), margins(pred_probs))


NOT_AN_ENTITY = "O"


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
    if budget <= 0 or issues.is_issue.sum() <= budget:
        return issues
    worst = sorted(np.nonzero(issues.is_issue)[0], key=lambda i: issues.quality[i])[:budget]
    flagged = np.zeros_like(issues.is_issue)
    flagged[worst] = True
    return replace(issues, is_issue=flagged)


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
        if not any(g.start < span.end and span.start < g.end for g in given):
            add(span.start, span.end, NOT_AN_ENTITY_CLASS)
    for start, end in unmarked:
        if not any(a < end and start < b for a, b, *_ in items):
            add(start, end, NOT_AN_ENTITY_CLASS)
    return items


def cross_val_token_probs(
    word_vectors: Sequence[np.ndarray],
    words: Sequence[Sequence[tuple[int, int]]],
    given: Sequence[Sequence[Span]],
    labels: Sequence[str],
    *,
    folds: int = 5,
    seed: int = 0,
) -> list[np.ndarray | None]:
    """Per sentence, its words' out-of-sample BIO tag probabilities (:func:`bio_tags`
    columns) from a logistic regression on the word vectors, folds by sentence; ``None`` for
    a sentence without words."""
    tags = bio_tags(labels)
    y_per_sentence = [spans_to_tags(g, w, tags) for g, w in zip(given, words)]
    keep = [i for i, w in enumerate(words) if len(w)]
    features = np.vstack([word_vectors[i] for i in keep])
    y = np.concatenate([y_per_sentence[i] for i in keep])
    groups = np.concatenate([np.full(len(words[i]), i) for i in keep])
    probs = cross_val_probs(features, y, len(tags), folds=folds, seed=seed, groups=groups)
    per_sentence: list[np.ndarray | None] = [None] * len(words)
    position = 0
    for i in keep:
        per_sentence[i] = probs[position : position + len(words[i])]
        position += len(words[i])
    return per_sentence


def ner_label_issues(
    word_vectors: Sequence[np.ndarray],
    words: Sequence[Sequence[tuple[int, int]]],
    given: Sequence[Sequence[Span]],
    labels: Sequence[str],
    *,
    folds: int = 5,
    seed: int = 0,
    budget: int = 0,
) -> SentenceIssues:
    """Token-level out-of-sample probabilities (:func:`cross_val_token_probs`), judged at
    the level people review (:func:`judge_entities`). ``budget`` (> 0) caps how many
    sentences are flagged (the worst first)."""
    probs = cross_val_token_probs(word_vectors, words, given, labels, folds=folds, seed=seed)
    return capped(judge_entities(probs, words, given, labels), budget)


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
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

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
        unmarked = [span for span, m in here.items() if m.given == NOT_AN_ENTITY_CLASS]
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
    item_quality = get_label_quality_scores(item_y, item_p) * agreement
    found = (
        find_label_issues(item_y, item_p)
        if len(np.unique(item_y)) > 1
        else np.zeros(len(items), dtype=bool)
    )
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


def outlier_scores(features: np.ndarray, knn_graph) -> np.ndarray:
    """cleanlab's outlier scores (low = atypical) from a prebuilt kNN graph of the features
    (building the graph with faiss keeps this linear; cleanlab's own kNN is quadratic)."""
    from cleanlab import Datalab

    lab = Datalab(data={"index": list(range(len(features)))}, verbosity=0)
    lab.find_issues(knn_graph=knn_graph, issue_types={"outlier": {}})
    return lab.get_issues("outlier")["outlier_score"].to_numpy()
