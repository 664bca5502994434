"""Parsed documents, made once per corpus and pipeline and kept on disk.

spaCy's parse is the slow part of applying rules. The label stage keeps every shard's
parsed docs as a DocBin under ``cache/docs/<records>/<pipeline>/``, named by the records'
content and the spaCy pipeline; the rule workbench reads them back in a second or two
instead of parsing the corpus again for every rule a user tries.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, DocBin

from weakforge.atomic import atomic_path
from weakforge.layout import DOCS_CACHE


def parse(
    nlp: Language, texts: Sequence[str], pretokenized: Sequence[bool] = (), batch_size: int = 256
) -> Iterator[Doc]:
    """Docs for ``texts`` (pretokenized texts, e.g. from CoNLL, keep their own tokens)."""
    inputs = [
        Doc(nlp.vocab, words=text.split(" ")) if flag else text
        for text, flag in zip(texts, pretokenized or [False] * len(texts))
    ]
    yield from nlp.pipe(inputs, batch_size=batch_size)


def docs_folder(run_dir: Path, records_digest: str, model: str | None) -> Path:
    """Where the parsed docs of these records under this pipeline are kept."""
    pipeline = f"{model or 'blank-en'}-{spacy.__version__}"
    return Path(run_dir) / DOCS_CACHE / records_digest[:16] / pipeline


def docs_to_bytes(docs: Sequence[Doc]) -> bytes:
    return DocBin(docs=docs, store_user_data=False).to_bytes()


def write_part(data: bytes, folder: Path, index: int) -> None:
    """One shard's docs, written atomically (a killed run leaves no half file)."""
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(folder / f"part-{index:05d}.spacy") as tmp:
        tmp.write_bytes(data)


def drop_other_parses(folder: Path) -> None:
    """Keep only this corpus's parses: older ones belong to records that changed."""
    for other in folder.parent.parent.glob("*"):
        if other != folder.parent and other.is_dir():
            shutil.rmtree(other, ignore_errors=True)


def parses_of(folder: Path) -> list[Path]:
    """Every cached parse of the same records (by any pipeline), ``folder``'s first: a rule
    that needs no model reads any of them (and so sees the label stage's very docs)."""
    others = sorted(p for p in folder.parent.glob("*") if p.is_dir() and p != folder)
    return [folder, *others]


def read_docs(folder: Path, nlp: Language, expected: int) -> list[Doc] | None:
    """The cached docs, or None when the cache is missing or incomplete."""
    parts = sorted(folder.glob("part-*.spacy")) if folder.is_dir() else []
    docs: list[Doc] = []
    for part in parts:
        docs += DocBin().from_bytes(part.read_bytes()).get_docs(nlp.vocab)
    return docs if parts and len(docs) == expected else None
