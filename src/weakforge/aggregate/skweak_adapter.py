"""Aggregating noisy votes into probabilistic labels with skweak (the only module that
imports skweak).

- classification: majority vote, or skweak's Naive Bayes fitted by EM;
- NER: token-level majority vote, or skweak's HMM fitted by Baum-Welch, optionally with a
  document-level majority source (the same string gets the same type across a document).

Gold labels (dev/reviewed) set the class prior and each source's initial weight from its
accuracy on them, and override the weak label on training items. The HMM is fitted on a
sample of documents and then applied shard by shard, so memory stays bounded.
"""

from __future__ import annotations

import contextlib
import io
import logging
import random
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from weakforge.config import AggregateSection
from weakforge.errors import WeakforgeError
from weakforge.records import Example, Span, tuning_gold
from weakforge.tokenize import blank_pipeline, token_bounds, words_and_spaces

log = logging.getLogger(__name__)
AGGREGATED = "aggregated"


class AggregationError(WeakforgeError):
    """skweak could not aggregate; the message says what to change."""


@contextlib.contextmanager
def quiet() -> Iterable[None]:
    """skweak and hmmlearn print progress with print(); keep it out of the user's terminal."""
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        yield
    for line in sink.getvalue().splitlines()[-3:]:
        log.debug("skweak: %s", line)


def sources_of(examples: Sequence[Example]) -> list[str]:
    return sorted({s for e in examples for s in e.votes})


# --- classification ------------------------------------------------------------------------


def class_prior(examples: Sequence[Example], labels: Sequence[str]) -> np.ndarray:
    """Class balance from gold labels where there are some, else from the votes (add-one)."""
    counts = Counter(e.gold for e in tuning_gold(examples) if isinstance(e.gold, str))
    if sum(counts.values()) < len(labels):
        counts = Counter(v for e in examples for v in e.votes.values() if isinstance(v, str))
    prior = np.array([counts.get(x, 0) + 1.0 for x in labels])
    return prior / prior.sum()


def source_accuracy(examples: Sequence[Example]) -> dict[str, tuple[float, int]]:
    """Per source: (accuracy, n) on items that have a gold class and a vote."""
    hits: Counter = Counter()
    seen: Counter = Counter()
    for example in tuning_gold(examples):
        for source, vote in example.votes.items():
            if vote is not None:
                seen[source] += 1
                hits[source] += vote == example.gold
    return {s: ((hits[s] + 1) / (seen[s] + 2), seen[s]) for s in seen}


def gold_weights(
    examples: Sequence[Example], sources: Sequence[str], min_votes: int = 5
) -> dict[str, float]:
    """Initial source weights from accuracy on gold: 1 for a typical source, near 0 for one
    no better than chance, up to 2 for a very reliable one."""
    accuracy = source_accuracy(examples)
    weights = {}
    for source in sources:
        acc, n = accuracy.get(source, (None, 0))
        if acc is not None and n >= min_votes:
            weights[source] = float(np.clip(2 * (acc - 0.5) / 0.4, 0.05, 2.0))
    return weights


def majority_classification(
    examples: Sequence[Example],
    labels: Sequence[str],
    prior: np.ndarray,
    abstain: str,
    weights: dict[str, float] | None = None,
) -> list[Example]:
    """Weighted vote counts; ties go to the class with the higher prior; all-abstain items
    get the prior (``abstain="prior"``) or no label."""
    index = {x: i for i, x in enumerate(labels)}
    out = []
    for example in examples:
        counts = np.zeros(len(labels))
        for source, vote in example.votes.items():
            if isinstance(vote, str) and vote in index:
                counts[index[vote]] += (weights or {}).get(source, 1.0)
        if counts.sum() == 0:
            probs = prior if abstain == "prior" else None
        else:
            smoothed = counts + 1e-3 * prior  # breaks ties by prior, keeps vote shares
            probs = smoothed / smoothed.sum()
        out.append(with_class_probs(example, labels, probs))
    return out


def with_class_probs(example: Example, labels: Sequence[str], probs: np.ndarray | None) -> Example:
    if probs is None:
        return replace(example, label=None, probs={})
    return replace(
        example,
        label=labels[int(np.argmax(probs))],
        probs={x: round(float(p), 6) for x, p in zip(labels, probs)},
    )


def naive_bayes_classification(
    examples: Sequence[Example],
    labels: Sequence[str],
    prior: np.ndarray,
    options: AggregateSection,
    weights: dict[str, float],
    seed: int = 0,
) -> list[Example]:
    """skweak's Naive Bayes, fitted by EM on (a sample of) the vote matrix.

    The class prior stays at the gold/vote estimate: left to EM, skweak drifts it towards the
    majority class (on WRENCH youtube from 0.53 to 0.86 HAM), which costs 8 points."""
    from skweak.generative import NaiveBayes

    class FixedPriorNaiveBayes(NaiveBayes):
        def _do_mstep_latent(self) -> None:  # keep prior_probs as given
            return None

    nlp = blank_pipeline()
    sources = sources_of(examples)
    model = FixedPriorNaiveBayes(
        AGGREGATED,
        list(labels),
        prior_probs={x: float(p) for x, p in zip(labels, prior)},
        initial_weights=weights,
        redundancy_factor=options.redundancy_factor,
    )
    for coarse, fine in options.label_groups.items():
        model.add_label_group(coarse, set(fine))

    def as_doc(example: Example) -> Doc:
        doc = Doc(nlp.vocab, words=["_"])
        for source in sources:
            vote = example.votes.get(source)
            doc.spans[source] = [SpacySpan(doc, 0, 1, vote)] if isinstance(vote, str) else []
        return doc

    voted = [e for e in examples if any(isinstance(v, str) for v in e.votes.values())]
    sample = random.Random(seed).sample(voted, min(len(voted), options.fit_sample))
    if not sample:
        raise AggregationError(
            "no item has any vote: nothing to fit; check the rules "
            "(lf-stats shows each source's coverage)"
        )
    with quiet():
        try:
            model.fit([as_doc(e) for e in sample], n_iter=options.n_iter)
        except RuntimeError as exc:
            raise AggregationError(
                f"skweak's Naive Bayes failed: {exc}; set [aggregate] "
                "method = 'majority' or check the sources' labels"
            ) from None
    out = []
    for example in examples:
        doc = as_doc(example)
        observed = model.get_observation_df(doc)
        if len(observed.columns) == 0 or len(observed) == 0:
            probs = prior if options.abstain == "prior" else None
        else:
            with quiet():
                posterior = model.aggregate(observed)
            probs = np.array([float(posterior.iloc[0].get(x, 0.0)) for x in labels])
            probs = probs / probs.sum() if probs.sum() > 0 else prior
        out.append(with_class_probs(example, labels, probs))
    return out


# --- span labeling (NER) -------------------------------------------------------------------


def group_documents(examples: Sequence[Example], key: str) -> list[list[Example]]:
    """Consecutive examples sharing ``meta[key]`` (e.g. the sentences of one CoNLL document)
    form one document; without the key each example stands alone."""
    groups: list[list[Example]] = []
    previous = object()
    for example in examples:
        value = example.meta.get(key) if key else None
        if value is None or value != previous or not groups:
            groups.append([example])
        else:
            groups[-1].append(example)
        previous = value if value is not None else object()
    return groups


@dataclass
class DocBuild:
    """A spaCy doc built from one or more examples, and where each example starts in it."""

    doc: Doc
    offsets: list[int]
    members: list[Example]


def build_doc(
    members: Sequence[Example], sources: Sequence[str], labels: Sequence[str]
) -> DocBuild:
    """Join the members' texts (one space between) into one Doc whose tokens fall on every
    vote's edges, with ``doc.spans[source]`` holding each source's votes."""
    nlp = blank_pipeline()
    texts, offsets, cuts, position = [], [], [], 0
    for example in members:
        offsets.append(position)
        texts.append(example.text)
        for vote in example.votes.values():
            for span in vote if isinstance(vote, tuple) else ():
                cuts += [position + span.start, position + span.end]
        position += len(example.text) + 1
    text = " ".join(texts)
    pretokenized = all(e.meta.get("tokenized") == "conll" for e in members)
    words, spaces = words_and_spaces(text, token_bounds(text, cuts, pretokenized))
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    label_set = set(labels)  # output labels plus coarse labels of label groups
    for source in sources:
        spans = []
        for offset, example in zip(offsets, members):
            vote = example.votes.get(source)
            for span in vote if isinstance(vote, tuple) else ():
                if span.label in label_set:
                    made = doc.char_span(offset + span.start, offset + span.end, span.label)
                    if made is not None:
                        spans.append(made)
        doc.spans[source] = spans
    return DocBuild(doc, offsets, list(members))


def add_doc_majority(build: DocBuild, sources: Sequence[str], labels: Sequence[str]) -> None:
    """skweak's document-level majority source over a token-level majority vote of all
    sources: a string labeled X most often in the document is X everywhere in it."""
    from skweak.doclevel import DocumentMajorityAnnotator
    from skweak.voting import SequentialMajorityVoter

    with quiet():
        SequentialMajorityVoter("_mv", list(labels))(build.doc)
        DocumentMajorityAnnotator("doc", "_mv")(build.doc)
    build.doc.spans["_mv"].attrs["avoid_in_aggregation"] = True


def split_spans(
    build: DocBuild, spans: Iterable[tuple[int, int, str, float]]
) -> list[tuple[Span, ...]]:
    """Doc-level token spans back to each member's character spans."""
    per_member: list[list[Span]] = [[] for _ in build.members]
    for start, end, label, prob in spans:
        start_char, end_char = (
            build.doc[start].idx,
            build.doc[end - 1].idx + len(build.doc[end - 1]),
        )
        for i in range(len(build.members) - 1, -1, -1):
            if start_char >= build.offsets[i]:
                base = build.offsets[i]
                if end_char - base <= len(build.members[i].text):
                    per_member[i].append(
                        Span(start_char - base, end_char - base, label, round(prob, 6))
                    )
                break
    return [tuple(sorted(s)) for s in per_member]


def ner_aggregator(
    method: str, labels: Sequence[str], options: AggregateSection, weights: dict[str, float]
):
    from skweak.generative import HMM
    from skweak.voting import SequentialMajorityVoter

    if method == "majority":
        model = SequentialMajorityVoter(AGGREGATED, list(labels), initial_weights=weights)
    else:
        model = HMM(
            AGGREGATED,
            list(labels),
            initial_weights=weights,
            redundancy_factor=options.redundancy_factor,
        )
    for coarse, fine in options.label_groups.items():
        model.add_label_group(coarse, set(fine))
    return model


def aggregated_spans(model, doc: Doc) -> list[tuple[int, int, str, float]]:
    """Run the aggregator on one doc: its spans with the mean token probability of the label."""
    try:
        with quiet():
            model(doc)
    except RuntimeError as exc:
        raise AggregationError(
            f"skweak could not aggregate a document ({exc}). This happens when sources emit "
            "labels that no state allows; check each source's labels against [run] labels, "
            "or set [aggregate] method = 'majority'"
        ) from None
    group = doc.spans[AGGREGATED]
    probs = group.attrs.get("probs", {})
    out = []
    for span in group:
        values = [
            max(
                (p for tag, p in probs.get(i, {}).items() if tag.endswith(f"-{span.label_}")),
                default=0.0,
            )
            for i in range(span.start, span.end)
        ]
        out.append((span.start, span.end, span.label_, float(np.mean(values)) if values else 1.0))
    return out


def span_gold_weights(
    examples: Sequence[Example], sources: Sequence[str], min_spans: int = 5
) -> dict[str, float]:
    """Initial weights from each source's span precision on gold items."""
    hits: Counter = Counter()
    seen: Counter = Counter()
    for example in tuning_gold(examples):
        gold = set(example.gold) if isinstance(example.gold, tuple) else set()
        for source, vote in example.votes.items():
            for span in vote if isinstance(vote, tuple) else ():
                seen[source] += 1
                hits[source] += span in gold
    weights = {}
    for source in sources:
        if seen[source] >= min_spans:
            precision = (hits[source] + 1) / (seen[source] + 2)
            weights[source] = float(np.clip(precision / 0.7, 0.05, 2.0))
    return weights


def aggregate_ner(
    examples: Sequence[Example],
    labels: Sequence[str],
    options: AggregateSection,
    method: str,
    seed: int = 0,
) -> list[Example]:
    sources = sources_of(examples)
    weights = {
        **options.weights,
        **(span_gold_weights(examples, sources) if options.weights_from_gold else {}),
    }
    groups = group_documents(examples, options.group_by)

    def builds(chosen: Sequence[list[Example]]):
        for members in chosen:
            build = build_doc(members, sources, [*labels, *options.label_groups])
            if options.doc_majority and len(build.doc):
                add_doc_majority(build, sources, labels)
            yield build

    model = ner_aggregator(method, labels, options, weights)
    if method == "hmm":
        sample = random.Random(seed).sample(groups, min(len(groups), options.fit_sample))
        with quiet():
            try:
                model.fit([b.doc for b in builds(sample)], n_iter=options.n_iter)
            except RuntimeError as exc:
                raise AggregationError(
                    f"skweak's HMM could not be fitted ({exc}); check the "
                    "sources' labels or set [aggregate] method = "
                    "'majority'"
                ) from None
    out: list[Example] = []
    for build in builds(groups):
        spans = aggregated_spans(model, build.doc) if len(build.doc) else []
        for example, predicted in zip(build.members, split_spans(build, spans)):
            out.append(replace(example, label=predicted, probs={}))
    return out


# --- entry point -----------------------------------------------------------------------------


def resolve_method(method: str, task: str) -> str:
    if method == "auto":
        return "hmm" if task == "ner" else "naive_bayes"
    valid = {"ner": ("hmm", "majority"), "classification": ("naive_bayes", "majority")}[task]
    if method not in valid:
        raise AggregationError(
            f"[aggregate] method = '{method}' does not fit a {task} task; "
            f"choose one of {['auto', *valid]}"
        )
    return method


def aggregate(
    examples: Sequence[Example],
    task: str,
    labels: Sequence[str],
    options: AggregateSection = AggregateSection(),
    seed: int = 0,
) -> list[Example]:
    """New examples with ``label`` (and ``probs``) set from the votes; training items with a
    gold label keep the gold label as their label. ``options`` is the ``[aggregate]`` table;
    ``seed`` fixes the fitting sample."""
    method = resolve_method(options.method, task)
    if not labels:
        raise AggregationError("[run] labels is empty; list the task's labels")
    if task == "ner":
        result = aggregate_ner(examples, labels, options, method, seed)
    else:
        prior = class_prior(examples, labels)
        sources = sources_of(examples)
        weights = {
            **options.weights,
            **(gold_weights(examples, sources) if options.weights_from_gold else {}),
        }
        if method == "majority":
            result = majority_classification(examples, labels, prior, options.abstain, weights)
        else:
            result = naive_bayes_classification(examples, labels, prior, options, weights, seed)
    return [override_with_gold(e, labels) for e in result]


def override_with_gold(example: Example, labels: Sequence[str]) -> Example:
    """A training item with a gold (e.g. reviewed) label trains on that label."""
    if example.split != "train" or example.gold is None:
        return example
    if isinstance(example.gold, str):
        return replace(
            example, label=example.gold, probs={x: float(x == example.gold) for x in labels}
        )
    return replace(example, label=example.gold, probs={})
