"""The NER model source of ``[aggregate] rounds``: spaCy's own NER, trained on the weak spans.

A blank English pipeline with spaCy's default NER (a cased CNN over word shape, prefix and
suffix hashes; no vectors, nothing downloaded) learns the aggregated spans of the teachable
records, in folds: each fold's model votes on the records it did not see, and a model taught
on every teachable record votes on the rest (dev, test, records no source covered). What it
learns is the context of a name, not a list of names, so it finds entities that no rule or
list covered, and its vote joins the others in the label model.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example as TrainingExample

from weakforge.learners.folds import cross_fit_folds
from weakforge.records import Example, Span
from weakforge.spacy_training import update_epochs
from weakforge.tokenize import example_bounds, words_and_spaces

log = logging.getLogger(__name__)


def unlabeled_doc(nlp: Language, example: Example) -> Doc:
    """The record's tokens as a spaCy ``Doc`` whose text is exactly the record's text."""
    words, spaces = words_and_spaces(example.text, example_bounds(example))
    return Doc(nlp.vocab, words=words, spaces=spaces)


def labeled_doc(nlp: Language, example: Example) -> Doc:
    """The record's tokens with its weak spans (``label``) as entities."""
    spans = tuple(example.label or ())
    words, spaces = words_and_spaces(example.text, example_bounds(example, spans))
    doc = Doc(nlp.vocab, words=words, spaces=spaces)
    entities = []
    for span in sorted(spans):
        placed = doc.char_span(span.start, span.end, label=span.label)
        if placed is not None and all(placed.start >= e.end for e in entities[-1:]):
            entities.append(placed)
    doc.set_ents(entities, default="outside")
    return doc


def train_ner(
    examples: Sequence[Example], labels: Sequence[str], *, epochs: int, seed: int
) -> Language:
    """A spaCy NER taught the weak spans of ``examples`` for ``epochs`` passes."""
    spacy.util.fix_random_seed(seed)
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner")
    for label in labels:
        ner.add_label(label)
    pairs = [TrainingExample(unlabeled_doc(nlp, e), labeled_doc(nlp, e)) for e in examples]
    optimizer = nlp.initialize(lambda: pairs)
    update_epochs(nlp, pairs, optimizer, epochs=epochs, seed=seed, component="ner")
    return nlp


def predict_spans(nlp: Language, examples: Sequence[Example]) -> list[tuple[Span, ...]]:
    """The model's entities in each record, as character spans of its text."""
    docs = nlp.pipe((unlabeled_doc(nlp, e) for e in examples), batch_size=256)
    return [
        tuple(Span(e.start_char, e.end_char, e.label_) for e in doc.ents if e.text.strip())
        for doc in docs
    ]


def span_model_votes(
    examples: Sequence[Example],
    labels: Sequence[str],
    taught: Sequence[int],
    *,
    folds: int = 3,
    epochs: int = 10,
    seed: int = 0,
) -> list[tuple[Span, ...] | None]:
    """One span vote per record: out of fold for the ``taught`` records (indices); the
    other records are shared out among the fold models."""
    votes: list[tuple[Span, ...] | None] = [None] * len(examples)
    for number, fold in enumerate(cross_fit_folds(len(examples), taught, folds, seed)):
        shown = [examples[i] for i in fold.shown]
        nlp = train_ner(shown, labels, epochs=epochs, seed=seed + number)
        for i, spans in zip(fold.voting, predict_spans(nlp, [examples[i] for i in fold.voting])):
            votes[i] = spans
        log.info("span model fold %d of %d: taught %d records", number + 1, folds, len(shown))
    return votes
