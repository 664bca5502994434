"""NER votes as spaCy docs: consecutive records grouped into documents, one ``Doc`` per
document whose tokens fall on every vote's edges (``doc.spans[source]`` = its votes), and
the aggregated doc-level spans mapped back to each record's characters."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from spacy.tokens import Doc

from weakforge.config import AggregateSection
from weakforge.records import Example, Span, document_runs
from weakforge.tokenize import blank_pipeline, token_bounds, words_and_spaces

log = logging.getLogger(__name__)
HUGE_DOCUMENT = 1000  # records; CoNLL-2003's longest news document has under 200 sentences


def history_labels(options: AggregateSection, labels: Sequence[str]) -> list[str]:
    """The labels the document history source covers: those of ``doc_history`` the task has."""
    return [x for x in options.doc_history if x in labels]


def document_sources(options: AggregateSection, labels: Sequence[str]) -> list[str]:
    """The document-level sources NER aggregation adds, as the report names them."""
    history = history_labels(options, labels)
    return [
        *(["document majority"] if options.doc_majority else []),
        *([f"document history ({', '.join(history)})"] if history else []),
        *(["document acronyms"] if options.doc_acronyms else []),
    ]


def group_documents(examples: Sequence[Example], key: str) -> list[list[Example]]:
    """Consecutive examples sharing ``meta[key]`` (e.g. the sentences of one CoNLL document)
    form one document; without the key each example stands alone."""
    groups = [[examples[i] for i in run] for run in document_runs(examples, key)]
    largest = max(groups, key=len, default=[])
    if len(largest) > HUGE_DOCUMENT:
        log.warning(
            "one document ([aggregate] group_by = %r = %r, from record '%s') holds %d records; "
            "document-level voting mixes all of them. If the corpus has no document markers, "
            "give its records distinct %r values (or none), or set [aggregate] doc_majority = "
            "false",
            key,
            largest[0].meta.get(key),
            largest[0].id,
            len(largest),
            key,
        )
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
