"""The methods that run on skweak (the only module that imports skweak):

- ``naive_bayes`` (classification): skweak's Naive Bayes fitted by EM;
- ``hmm`` (NER): skweak's HMM fitted by Baum-Welch, and ``majority`` (NER): its token-level
  majority voter; both optionally with a document-level majority source (the same string
  gets the same type across a document).

The HMM is fitted on a sample of documents and then applied document by document, so memory
stays bounded.
"""

from __future__ import annotations

import contextlib
import io
import logging
import random
from collections.abc import Iterable, Sequence
from dataclasses import replace

import numpy as np
from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from weakforge.aggregate.acronyms import annotate_acronyms
from weakforge.aggregate.documents import (
    DocBuild,
    build_doc,
    document_sources,
    group_documents,
    history_labels,
    split_spans,
)
from weakforge.aggregate.methods import register_method
from weakforge.aggregate.priors import (
    class_prior,
    initial_weights,
    sources_of,
    with_class_probs,
)
from weakforge.config import AggregateSection
from weakforge.errors import AggregationError
from weakforge.records import Example
from weakforge.tokenize import blank_pipeline

log = logging.getLogger(__name__)
AGGREGATED = "aggregated"  # the span group skweak writes its result into


@contextlib.contextmanager
def quiet() -> Iterable[None]:
    """skweak and hmmlearn print progress with print(); keep it out of the user's terminal."""
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        yield
    for line in sink.getvalue().splitlines()[-3:]:
        log.debug("skweak: %s", line)


@register_method("naive_bayes", "classification")
def naive_bayes(
    examples: Sequence[Example], labels: Sequence[str], options: AggregateSection, seed: int
) -> list[Example]:
    """skweak's Naive Bayes with the class prior and source weights from gold."""
    prior = class_prior(examples, labels)
    weights = initial_weights(examples, "classification", options)
    return naive_bayes_classification(examples, labels, prior, options, weights, seed)


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


def add_document_sources(build: DocBuild, labels: Sequence[str], options: AggregateSection) -> None:
    """skweak's document-level sources over a token-level majority vote of all sources:
    ``doc`` (majority: a string labeled X most often in the document is X everywhere in it)
    and ``doc_history`` (a name seen in full earlier in the document labels its later
    partial mentions: "Lison" after "Pierre Lison", "Ford" after "Ford Motor Co"), and
    ``doc_acronyms`` (:mod:`weakforge.aggregate.acronyms`)."""
    from skweak.doclevel import DocumentHistoryAnnotator, DocumentMajorityAnnotator
    from skweak.voting import SequentialMajorityVoter

    history = history_labels(options, labels)
    with quiet():
        SequentialMajorityVoter("_mv", list(labels))(build.doc)
        if options.doc_majority:
            DocumentMajorityAnnotator("doc", "_mv")(build.doc)
        if history:
            DocumentHistoryAnnotator("doc_history", "_mv", history)(build.doc)
    if options.doc_acronyms:
        annotate_acronyms(build.doc, "_mv")
    build.doc.spans["_mv"].attrs["avoid_in_aggregation"] = True


def coarse_tolerant_hmm():
    """skweak's HMM, except that a token only coarse labels cover (``ENT`` of
    ``label_groups``, where no source gives a type) may stay outside any entity.

    skweak allows a state at a token only where some source votes for it, and counts no
    coarse vote; in a document where the coarse source is the only one with spans, such a
    token has no allowed state and the fit stops ("No valid state found at position N").
    Here a coarse vote also allows O, so the token is left untyped, as skweak does wherever
    another source abstains on it (a known skweak limitation, worked around, not hidden).
    """
    from skweak.generative import HMM

    class CoarseTolerantHMM(HMM):
        def _get_vote_matrix(self, include_underspec: bool = True) -> np.ndarray:
            votes = super()._get_vote_matrix(include_underspec)
            if not include_underspec:  # the "some source votes for it" constraint
                outside = self.out_labels.index("O")
                for coarse in self.label_groups:
                    if coarse in self.observed_labels:
                        votes[self.observed_labels.index(coarse), outside] = 1.0
            return votes

    return CoarseTolerantHMM


def ner_aggregator(
    method: str, labels: Sequence[str], options: AggregateSection, weights: dict[str, float]
):
    from skweak.voting import SequentialMajorityVoter

    if method == "majority":
        model = SequentialMajorityVoter(AGGREGATED, list(labels), initial_weights=weights)
    else:
        model = coarse_tolerant_hmm()(
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


@register_method("hmm", "ner")
def hmm(
    examples: Sequence[Example], labels: Sequence[str], options: AggregateSection, seed: int
) -> list[Example]:
    """skweak's HMM over token-level votes, fitted on a sample of documents."""
    return aggregate_ner(examples, labels, options, "hmm", seed)


@register_method("majority", "ner")
def token_majority(
    examples: Sequence[Example], labels: Sequence[str], options: AggregateSection, seed: int
) -> list[Example]:
    """skweak's sequential majority voter, every source alike (no fitting, no dev weights:
    a dev-weighted vote lets a weak source's spans lose to "no entity" everywhere)."""
    plain = replace(options, weights_from_gold=False)
    return aggregate_ner(examples, labels, plain, "majority", seed)


@register_method("weighted_majority", "ner")
def weighted_token_majority(
    examples: Sequence[Example], labels: Sequence[str], options: AggregateSection, seed: int
) -> list[Example]:
    """skweak's sequential majority voter, each source weighed by its dev precision."""
    weighted = replace(options, weights_from_gold=True)
    return aggregate_ner(examples, labels, weighted, "majority", seed)


def aggregate_ner(
    examples: Sequence[Example],
    labels: Sequence[str],
    options: AggregateSection,
    method: str,
    seed: int = 0,
) -> list[Example]:
    sources = sources_of(examples)
    weights = initial_weights(examples, "ner", options)
    groups = group_documents(examples, options.group_by)

    def builds(chosen: Sequence[list[Example]]):
        for members in chosen:
            build = build_doc(members, sources, [*labels, *options.label_groups])
            if document_sources(options, labels) and len(build.doc):
                add_document_sources(build, labels, options)
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
