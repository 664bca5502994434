"""CoNLL column files (NER): IOB1 (CoNLL-2003) and BIO/IOB2, 2 or more columns.

One sentence becomes one example. Tokens are joined with single spaces into ``text`` and each
entity becomes a character-offset span, so ``text.split(" ")`` gives the tokens back exactly.
Middle columns (POS, chunk) and ``-DOCSTART-`` lines are kept in ``meta`` so a file written
back is the file read.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from weakforge.atomic import atomic_file
from weakforge.corpus.options import ReadOptions, WriteOptions, numbered_id
from weakforge.corpus.tabular import chosen_label
from weakforge.corpus.textfile import iter_lines
from weakforge.errors import CorpusError
from weakforge.labels import decode_tags, encode_tags
from weakforge.records import Example, Span
from weakforge.tokenize import example_bounds, token_spans

DOCSTART = "-DOCSTART-"
TAG_FIX = "use tags O, B-TYPE or I-TYPE in the last column"


COLUMN_SEPARATOR = re.compile(r"[ \t]+")
"""What separates CoNLL columns: spaces and tabs only (a no-break space inside a token, as
in "10\u00a0000", is part of it)."""


def read_conll(path: Path, options: ReadOptions) -> Iterator[tuple[str, Example | CorpusError]]:
    tokens: list[str] = []
    tags: list[str] = []
    extra: list[list[str]] = []
    problem: CorpusError | None = None
    first_line = 0
    docstart: str | None = None
    doc_index = -1
    count = 0

    def finish() -> tuple[str, Example | CorpusError] | None:
        nonlocal tokens, tags, extra, problem, docstart, count
        if not tokens and problem is None:
            return None
        count += 1
        result: Example | CorpusError
        if problem is not None:
            result = problem
        else:
            result = sentence_example(
                path, count, tokens, tags, extra, docstart, doc_index, options
            )
            docstart = None
        tokens, tags, extra, problem = [], [], [], None
        return f"line {first_line}", result

    for number, line in iter_lines(path):
        if isinstance(line, CorpusError):
            if not tokens and problem is None:
                first_line = number
            problem = problem or line
            continue
        fields = COLUMN_SEPARATOR.split(line.strip(" \t\r\n"))  # NBSP stays in its token
        fields = [] if fields == [""] else fields
        if not fields:
            done = finish()
            if done is not None:
                yield done
            continue
        if fields[0] == DOCSTART:
            done = finish()
            if done is not None:
                yield done
            docstart, doc_index = line, doc_index + 1
            continue
        if not tokens and problem is None:
            first_line = number
        if len(fields) < 2:
            problem = problem or CorpusError(
                path,
                f"line {number}",
                f"expected 'token ... tag' columns, got {len(fields)} column",
                "give each token line at least two columns: the token and its tag",
            )
            continue
        tag = fields[-1]
        prefix, dash, kind = tag.partition("-")
        if tag != "O" and not (dash and kind and prefix in ("B", "I")):
            problem = problem or CorpusError(path, f"line {number}", f"bad tag {tag!r}", TAG_FIX)
            continue
        if extra and len(fields) - 2 != len(extra):
            problem = problem or CorpusError(
                path,
                f"line {number}",
                f"{len(fields)} columns where the sentence starting "
                f"at line {first_line} has {len(extra) + 2}",
                "give every line the same columns",
            )
            continue
        if options.scheme == "bio" and prefix == "I":
            before = tags[-1] if tags else "O"
            if before[2:] != kind or before == "O":
                problem = problem or CorpusError(
                    path,
                    f"line {number}",
                    f"tag {tag!r} follows {before!r}; in BIO an entity starts with B-",
                    "set [data] scheme = 'iob1' (CoNLL-2003's own) or 'auto', or fix the tag",
                )
                continue
        if not extra and not tokens:
            extra = [[] for _ in range(len(fields) - 2)]
        tokens.append(fields[0])
        tags.append(tag)
        for column, value in zip(extra, fields[1:-1]):
            column.append(value)
    done = finish()
    if done is not None:
        yield done


def sentence_example(
    path: Path,
    count: int,
    tokens: list[str],
    tags: list[str],
    extra: list[list[str]],
    docstart: str | None,
    doc_index: int,
    options: ReadOptions,
) -> Example:
    starts = []
    offset = 0
    for token in tokens:
        starts.append(offset)
        offset += len(token) + 1
    text = " ".join(tokens)
    spans = tuple(
        Span(starts[first], starts[last - 1] + len(tokens[last - 1]), kind)
        for first, last, kind in decode_tags(tags)
    )
    meta: dict = {"tokenized": "conll"}
    if doc_index >= 0:  # documents only where the file marks them: else one per sentence
        meta["doc"] = f"{path.name}#{doc_index}"
    if extra:
        meta["conll_columns"] = extra
    if docstart is not None:
        meta["docstart"] = docstart
    return Example(
        id=numbered_id(path, count), text=text, gold=spans, split=options.split, meta=meta
    )


def write_conll(examples: Sequence[Example], path: Path, options: WriteOptions) -> None:
    with atomic_file(path) as handle:
        for example in examples:
            label = chosen_label(example, options.which)
            if isinstance(label, str):
                raise CorpusError(
                    path,
                    f"record '{example.id}'",
                    "a class label cannot be written as CoNLL tags",
                    "write classification corpora as JSONL, CSV or Parquet",
                )
            spans = label or ()
            bounds = example_bounds(example, spans)
            placed, stray = token_spans(bounds, spans)
            if stray:
                raise CorpusError(
                    path,
                    f"record '{example.id}'",
                    f"span {stray[0].to_json()} does not fall on token edges",
                    "fix the span offsets",
                )
            tags = encode_tags(len(bounds), [(a, b, s.label) for a, b, s in placed], options.scheme)
            columns = example.meta.get("conll_columns") or []
            if any(len(column) != len(bounds) for column in columns):
                columns = []
            if "docstart" in example.meta:
                handle.write(f"{example.meta['docstart']}\n\n")
            for i, (start, end) in enumerate(bounds):
                cells = [example.text[start:end], *(column[i] for column in columns), tags[i]]
                handle.write(" ".join(cells) + "\n")
            handle.write("\n")
