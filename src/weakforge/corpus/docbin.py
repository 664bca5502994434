"""spaCy ``DocBin`` (``.spacy``) files: entities as ``doc.ents``, classes as ``doc.cats``.

The rest of a weakforge record (id, split, votes, meta...) rides in ``doc.user_data`` so a
file written here reads back whole; a ``.spacy`` file from elsewhere needs only texts.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from weakforge.atomic import atomic_path
from weakforge.corpus.options import ReadOptions, WriteOptions, numbered_id
from weakforge.corpus.tabular import chosen_label
from weakforge.errors import CorpusError
from weakforge.records import Example, Span, example_from_dict
from weakforge.tokenize import blank_pipeline, example_bounds, words_and_spaces

if TYPE_CHECKING:
    from spacy.tokens import Doc

USER_DATA_KEY = "weakforge"


def read_docbin(path: Path, options: ReadOptions) -> Iterator[tuple[str, Example | CorpusError]]:
    from spacy.tokens import DocBin  # spaCy loads when a DocBin is read, not on import

    nlp = blank_pipeline()
    try:
        docs = DocBin().from_disk(path).get_docs(nlp.vocab)
    except (OSError, ValueError) as exc:
        raise CorpusError(
            path,
            None,
            f"not a readable spaCy DocBin ({exc})",
            "write it with spacy.tokens.DocBin(...).to_disk(path)",
        ) from None
    for index, doc in enumerate(docs, start=1):
        tied = tied_classes(doc)
        if tied:
            yield (
                f"doc {index}",
                CorpusError(
                    path,
                    f"doc {index}",
                    f"its classes {tied} all score {doc.cats[tied[0]]} (a multi-label doc); "
                    "weakforge labels one class per text",
                    "keep one class at the top score per doc (or split the task per class)",
                ),
            )
            continue
        label = doc_label(doc)
        stored = doc.user_data.get(USER_DATA_KEY)
        if isinstance(stored, str):  # JSON text: msgpack would turn lists into tuples
            yield f"doc {index}", example_from_dict({**json.loads(stored), "text": doc.text})
            continue
        yield (
            f"doc {index}",
            Example(id=numbered_id(path, index), text=doc.text, gold=label, split=options.split),
        )


def tied_classes(doc: Doc) -> list[str]:
    """The classes that share the doc's top score above 0, where more than one does: a
    single-label reading would pick one of them by the order of a dict."""
    if doc.ents or not doc.cats:
        return []
    top = max(doc.cats.values())
    best = sorted(name for name, score in doc.cats.items() if score == top)
    return best if top > 0 and len(best) > 1 else []


def doc_label(doc: Doc) -> str | tuple[Span, ...] | None:
    if doc.ents:
        return tuple(Span(e.start_char, e.end_char, e.label_) for e in doc.ents)
    if doc.cats:
        best = max(doc.cats, key=doc.cats.get)
        return best if doc.cats[best] > 0 else None
    return None


def write_docbin(examples: Sequence[Example], path: Path, options: WriteOptions) -> None:
    from spacy.tokens import Doc, DocBin

    nlp = blank_pipeline()
    classes = list(
        options.labels
        or sorted({lab for e in examples for lab in (e.gold, e.label) if isinstance(lab, str)})
    )
    docbin = DocBin(store_user_data=True)
    for example in examples:
        label = chosen_label(example, options.which)
        spans = label if isinstance(label, tuple) else ()
        words, spaces = words_and_spaces(example.text, example_bounds(example, spans))
        doc = Doc(nlp.vocab, words=words, spaces=spaces)
        ents = []
        for span in spans:
            ent = doc.char_span(span.start, span.end, label=span.label)
            if ent is None:
                raise CorpusError(
                    path,
                    f"record '{example.id}'",
                    f"span {span.to_json()} does not fall on token edges",
                    "fix the span offsets",
                )
            ents.append(ent)
        doc.ents = ents
        if isinstance(label, str):
            doc.cats = {c: float(c == label) for c in classes}
        doc.user_data[USER_DATA_KEY] = json.dumps(example.to_dict(), ensure_ascii=False)
        docbin.add(doc)
    with atomic_path(path) as tmp:
        docbin.to_disk(tmp)
