"""Gazetteers: entity lists as span labeling functions (longest match wins).

Lists load from plain text (one entry a line), TSV/CSV (entry, label), JSON (``{"LABEL":
[...]}``) or a JSON list, gzip-compressed or not. Entries are tokenized with spaCy's tokenizer
so they match the documents' tokens; the tokenized form is cached on disk (keyed by the
file's content), so a 500,000-entry list loads in about a second after the first time.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import inspect
import io
import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from spacy.attrs import IS_ALPHA, IS_UPPER, LENGTH, LOWER, ORTH
from spacy.strings import get_string_id
from spacy.tokens import Doc

from weakforge.atomic import atomic_path
from weakforge.errors import WeakforgeError
from weakforge.labeling.rules import LabelingFunction
from weakforge.models import cache_dir
from weakforge.tokenize import blank_tokenizer

log = logging.getLogger(__name__)
CACHE_VERSION = "4"  # 4: numpy arrays (no pickle: a cache file can never run code)


def read_entries(
    path: Path, label: str | None = None, label_map: Mapping[str, str] | None = None
) -> dict[str, list[str]]:
    """Label -> entries from any supported list file. ``label`` gives every entry one label
    (required for unlabeled lists); ``label_map`` renames a labeled list's labels."""
    lists = _read_lists(path)
    if label is not None:
        return {label: [x for items in lists.values() for x in items]}
    if None in lists:
        raise WeakforgeError(f"{path}: this list has no labels; pass label=... to gazetteer()")
    return {(label_map or {}).get(k, k): v for k, v in lists.items()}  # type: ignore[misc]


def _read_lists(path: Path) -> dict[str | None, list[str]]:
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise WeakforgeError(
            f"{path}, line {line}: not UTF-8; re-encode the list as UTF-8"
        ) from None
    stem = path.name.removesuffix(".gz")
    if stem.endswith(".json"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise WeakforgeError(f"{path}, line {exc.lineno}: malformed JSON ({exc.msg})") from None
        if isinstance(data, list):
            return {None: entry_strings(data, path, "the list")}
        if isinstance(data, dict):
            return {str(k): entry_strings(v, path, f"label {k!r}") for k, v in data.items()}
        raise WeakforgeError(f"{path}: expected a JSON list or an object of label -> list")
    if stem.endswith((".tsv", ".csv")):
        delimiter = "\t" if stem.endswith(".tsv") else ","
        found: dict[str | None, list[str]] = {}
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            if row and row[0].strip():
                key = row[1].strip() if len(row) > 1 and row[1].strip() else None
                found.setdefault(key, []).append(row[0])
        return found
    return {None: [x for x in text.splitlines() if x.strip()]}


def entry_strings(values: object, where: object, what: str) -> list[str]:
    """A list of entries, checked: a string where a list belongs would match its letters,
    and numbers or nulls are no names."""
    if isinstance(values, str) or not isinstance(values, (list, tuple, set, frozenset)):
        raise WeakforgeError(
            f"{where}: {what} holds {type(values).__name__} {str(values)[:40]!r}; give a list "
            'of entry strings, e.g. {"ORG": ["Acme Corp", "Globex"]}'
        )
    bad = [x for x in values if not isinstance(x, str)]
    if bad:
        raise WeakforgeError(
            f"{where}: {what} holds {len(bad)} entries that are not strings (first: {bad[0]!r}); "
            "give every entry as a string"
        )
    return list(values)


@dataclass
class EntryIndex:
    """Tokenized entries as tuples of spaCy string hashes (ORTH, or LOWER when matching is
    case-insensitive) -> label, plus pruning facts for matching. Hashes let matching read a
    document's tokens with one ``doc.to_array`` call instead of a Python loop."""

    entries: dict[tuple[int, ...], str]
    first_tokens: frozenset[int]
    max_tokens: int

    @classmethod
    def build(
        cls,
        lists: Mapping[str, Iterable[str]],
        case_sensitive: bool,
        common_words: float | None = None,
    ) -> EntryIndex:
        entries: dict[tuple[int, ...], str] = {}
        tokenizer = blank_tokenizer()
        dropped = 0
        for label, items in lists.items():
            items = [x.strip() for x in items if x.strip()]
            for doc in tokenizer.pipe(items, batch_size=5000):
                if common_words is not None and is_common([t.text for t in doc], common_words):
                    dropped += 1
                    continue
                key = tuple(t.orth if case_sensitive else t.lower for t in doc)
                entries.setdefault(key, label)  # first label listed wins
        if dropped:
            log.info(
                "%d entries dropped as common English words (Zipf >= %s)", dropped, common_words
            )
        firsts = frozenset(key[0] for key in entries)
        longest = max((len(key) for key in entries), default=0)
        return cls(entries, firsts, longest)


def is_common(words: Sequence[str], threshold: float) -> bool:
    """Whether every word of an entry is at least this common in English (wordfreq's Zipf
    scale: 4 = once per 100,000 words). A company list's "World", "South" or "Open" match
    the word far more often than the company."""
    from wordfreq import zipf_frequency

    words = [w for w in words if any(c.isalnum() for c in w)]
    return bool(words) and all(zipf_frequency(w, "en") >= threshold for w in words)


def load_index(
    path: Path,
    label: str | None,
    case_sensitive: bool,
    label_map: Mapping[str, str] | None = None,
    common_words: float | None = None,
) -> EntryIndex:
    """The entry index of a list file, from the disk cache when the file is unchanged."""
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    mapping = json.dumps(sorted((label_map or {}).items()))
    options = f"{label}|{mapping}|{case_sensitive}|{common_words}"
    key = hashlib.sha256(f"{CACHE_VERSION}|{sha}|{options}".encode())
    cached = cache_dir() / "gazetteers" / f"{key.hexdigest()}.npz"
    if cached.exists():
        try:
            return read_index(cached)
        except Exception:  # any unreadable cache (truncated, altered) is rebuilt
            log.warning("gazetteer cache %s is unreadable; rebuilding", cached)
    index = EntryIndex.build(read_entries(path, label, label_map), case_sensitive, common_words)
    try:
        write_index(index, cached)
    except OSError as exc:  # a read-only home still works, just slower next time
        log.info("could not cache gazetteer %s: %s", path, exc)
    return index


def write_index(index: EntryIndex, path: Path) -> None:
    """The index as plain arrays (token hashes, entry lengths, label ids, label names)."""
    names = sorted(set(index.entries.values()))
    ids = {name: i for i, name in enumerate(names)}
    keys = list(index.entries)
    with atomic_path(path) as tmp, tmp.open("wb") as handle:
        np.savez(
            handle,
            tokens=np.fromiter((t for key in keys for t in key), dtype=np.uint64),
            lengths=np.array([len(key) for key in keys], dtype=np.int32),
            labels=np.array([ids[index.entries[key]] for key in keys], dtype=np.int32),
            names=np.array(names, dtype=str),
        )


def read_index(path: Path) -> EntryIndex:
    with np.load(path, allow_pickle=False) as data:
        tokens = data["tokens"].tolist()
        lengths = data["lengths"].tolist()
        labels = data["labels"].tolist()
        names = data["names"].tolist()
    if sum(lengths) != len(tokens) or len(lengths) != len(labels):
        raise ValueError("inconsistent arrays")
    entries, position = {}, 0
    for length, label in zip(lengths, labels):
        entries[tuple(tokens[position : position + length])] = names[label]
        position += length
    firsts = frozenset(key[0] for key in entries)
    return EntryIndex(entries, firsts, max(lengths, default=0))


def match(doc: Doc, index: EntryIndex, case_sensitive: bool) -> list[tuple[int, int, str]]:
    """Left-to-right, longest match first, non-overlapping. A case-sensitive list also
    matches words set in capitals ("LONDON", a headline or dateline) as their title-cased
    form, where the capitals themselves are not an entry."""
    if not case_sensitive:
        return match_keys(doc.to_array(LOWER).tolist(), index)
    columns = doc.to_array([ORTH, IS_UPPER, IS_ALPHA, LENGTH])  # one pass over the tokens
    keys = columns[:, 0].tolist()
    found = match_keys(keys, index)
    capitalised = np.nonzero((columns[:, 1] == 1) & (columns[:, 2] == 1) & (columns[:, 3] > 1))[0]
    if len(capitalised):  # two or more letters, all capitals
        titled = list(keys)
        for i in capitalised.tolist():
            titled[i] = get_string_id(doc[i].text.title())
        taken = {i for start, end, _ in found for i in range(start, end)}
        for start, end, label in match_keys(titled, index):
            if not taken.intersection(range(start, end)):
                found.append((start, end, label))
        found.sort()
    return found


def match_keys(keys: list[int], index: EntryIndex) -> list[tuple[int, int, str]]:
    found = []
    i, n = 0, len(keys)
    while i < n:
        if keys[i] in index.first_tokens:
            for length in range(min(index.max_tokens, n - i), 0, -1):
                label = index.entries.get(tuple(keys[i : i + length]))
                if label is not None:
                    found.append((i, i + length, label))
                    i += length
                    break
            else:
                i += 1
        else:
            i += 1
    return found


def resolve_list_path(path: str | Path, caller: str) -> Path:
    """A relative list path is looked up beside the calling rules file, then in its parent
    folders (a project root), then in the working directory."""
    candidate = Path(path).expanduser()
    if candidate.is_absolute():
        return candidate
    here = Path(caller).resolve().parent
    for folder in (here, *list(here.parents)[:3], Path.cwd()):
        if (folder / candidate).exists():
            return folder / candidate
    raise WeakforgeError(
        f"{caller}: gazetteer list {path} not found beside the rules file, "
        "in its parent folders or in the working directory"
    )


def gazetteer(
    name: str,
    source: str | Path | Mapping[str, Iterable[str]],
    label: str | None = None,
    case_sensitive: bool = True,
    label_map: Mapping[str, str] | None = None,
    file: str | None = None,
    common_words: float | None = None,
) -> LabelingFunction:
    """A span labeling function matching the entries of a list file (or of a mapping
    label -> entries). ``label`` gives every entry that label; ``label_map`` renames the
    labels of a labeled list (e.g. ``{"COMPANY": "ORG"}``). ``common_words`` drops entries
    made only of common English words (Zipf frequency at or above it, e.g. 4.0; wordfreq's
    offline counts), the big source of a raw knowledge-base list's false hits. ``file`` is
    the rules file that defines it (found from the call stack when not given)."""
    caller = file or inspect.stack()[1].filename
    if isinstance(source, Mapping):
        checked = {
            k: entry_strings(v, f"gazetteer '{name}'", f"label {k!r}") for k, v in source.items()
        }
        lists = (
            {label: [x for v in checked.values() for x in v]}
            if label
            else {(label_map or {}).get(k, k): v for k, v in checked.items()}
        )
        index = EntryIndex.build(lists, case_sensitive, common_words)
    else:
        path = resolve_list_path(source, caller)
        index = load_index(path, label, case_sensitive, label_map, common_words)
    labels = tuple(sorted(set(index.entries.values())))

    def rule(doc: Doc) -> list[tuple[int, int, str]]:
        return match(doc, index, case_sensitive)

    return LabelingFunction(name, "span", rule, labels, caller)
