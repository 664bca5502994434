"""One type per name per document (``[train] document_vote``, NER): the tagger reads each
sentence alone, so "Texas" can come out ORG in one line of a story and LOC in the next;
within a document every predicted span takes the type its text is given most often there
(weighted by the spans' confidences; a tie keeps the span's own type). The label model does
the same for the sources' votes (``[aggregate] doc_majority``); this does it for the end
model, whenever it predicts on records that carry the document key.

On CoNLL testa it added 0.007 span F1 to the 1,000-sentence end model (0.7748 -> 0.7819)
and about 0.005 to the 3,000-sentence one (bench/RESULTS.md, small_ner)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from weakforge.records import Example, Span, document_runs
from weakforge.train.hf_trainer import update_model_info

DOCUMENT_KEY = "document_key"
"""The model info entry naming the record field that groups records into documents."""


def vote_in_documents(
    examples: Sequence[Example], predicted: Sequence[tuple[Span, ...]], key: str
) -> list[tuple[Span, ...]]:
    """``predicted`` (spans per example) with each span's type replaced by the type its
    text has most weight for among the spans of its document (consecutive examples sharing
    ``meta[key]``; an example without the key is a document of its own)."""
    voted = list(predicted)
    for run in document_runs(examples, key):
        weights: dict[str, Counter] = defaultdict(Counter)
        for i in run:
            for span in predicted[i]:
                weights[examples[i].text[span.start : span.end]][span.label] += span.prob or 1.0
        for i in run:
            voted[i] = tuple(
                replace(span, label=winner(weights[examples[i].text[span.start : span.end]], span))
                for span in predicted[i]
            )
    return voted


def winner(weights: Counter, span: Span) -> str:
    """The type with the most weight; the span's own where it ties for first."""
    best = max(weights.values())
    return span.label if weights[span.label] == best else max(weights, key=weights.__getitem__)


def grouping_key(examples: Sequence[Example], key: str) -> str | None:
    """``key`` where it groups some records into one document (:func:`document_runs`),
    else ``None``."""
    grouped = any(len(run) > 1 for run in document_runs(examples, key))
    return key if key and grouped else None


def remember_document_key(model_dir: Path, key: str | None) -> None:
    """Store (or, with ``None``, remove) the document key in a saved model's info, so that
    its predictions vote within documents from then on."""
    update_model_info(model_dir, **{DOCUMENT_KEY: key})
