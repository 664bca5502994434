"""The one record type that flows through every stage: :class:`Example`.

A label is either a class name (text classification) or a tuple of :class:`Span`
(span labeling / NER) with character offsets into ``text``, so spans survive
re-tokenizing and augmentation. ``None`` means "no label" (or, for a vote, abstain).
Records are immutable: stages build new ones with :func:`dataclasses.replace`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

SPLITS: tuple[str, ...] = ("train", "dev", "test")
SPLIT_SYNONYMS: dict[str, str] = {"valid": "dev", "validation": "dev", "val": "dev"}
"""Split names corpora use for ours (WRENCH's ``valid``, HF's ``validation``)."""
MODEL_SOURCE = re.compile(r"model_r\d+(_.+)?")


def source_name(round_number: int) -> str:
    """The vote name of a model-source round (``[aggregate] rounds``)."""
    return f"model_r{round_number}"


def is_model_source(name: str) -> bool:
    """Whether a vote is a model source's (``model_r1``, ``model_r1_PER``), not a rule's."""
    return MODEL_SOURCE.fullmatch(name) is not None


@dataclass(frozen=True, order=True)
class Span:
    """A labeled character range ``text[start:end]``.

    ``prob`` is the aggregator's confidence; it does not take part in equality, so two
    spans with the same offsets and label are the same span whatever their scores.
    """

    start: int
    end: int
    label: str
    prob: float = field(default=1.0, compare=False)

    def overlaps(self, other: Span) -> bool:
        """Whether the two character ranges share at least one character."""
        return self.start < other.end and other.start < self.end

    def to_json(self) -> list[Any]:
        if self.prob == 1.0:
            return [self.start, self.end, self.label]
        return [self.start, self.end, self.label, self.prob]


Label = Union[str, tuple[Span, ...], None]  # noqa: UP007 (a runtime alias on 3.10)


@dataclass(frozen=True)
class Example:
    """One text and everything the pipeline learns about it.

    - ``gold``: a human label (from the corpus or the review database), if any;
    - ``votes``: labeling source name -> its label (``None`` = abstained);
    - ``label`` / ``probs``: the aggregated label and, for classification, class -> probability
      (for NER each aggregated :class:`Span` carries its own ``prob``);
    - ``flags``: audit issue type -> score;
    - ``origin``: the id this example was augmented from (``None`` for originals);
    - ``meta``: free metadata (format-specific extras such as CoNLL POS tags live here).
    """

    id: str
    text: str
    gold: Label = None
    split: str = "train"
    votes: Mapping[str, Label] = field(default_factory=dict)
    label: Label = None
    probs: Mapping[str, float] = field(default_factory=dict)
    flags: Mapping[str, float] = field(default_factory=dict)
    origin: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-compatible dict; :func:`example_from_dict` inverts it exactly."""
        return {
            "id": self.id,
            "text": self.text,
            "gold": label_to_json(self.gold),
            "split": self.split,
            "votes": {k: label_to_json(v) for k, v in self.votes.items()},
            "label": label_to_json(self.label),
            "probs": dict(self.probs),
            "flags": dict(self.flags),
            "origin": self.origin,
            "meta": dict(self.meta),
        }


def label_to_json(label: Label) -> Any:
    """Class name stays a string; spans become ``[[start, end, label(, prob)], ...]``."""
    if label is None or isinstance(label, str):
        return label
    return [span.to_json() for span in label]


def label_from_json(value: Any) -> Label:
    """Inverse of :func:`label_to_json`; also accepts ``{"start", "end", "label"}`` dicts."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return spans_from_json(value)
    raise ValueError(f"a label must be a class name, a list of spans or null, not {value!r}")


def spans_from_json(items: Iterable[Any]) -> tuple[Span, ...]:
    """Parse spans written as ``[start, end, label(, prob)]`` lists or as dicts."""
    spans = []
    for item in items:
        if isinstance(item, Mapping):
            try:
                start, end, label = item["start"], item["end"], item["label"]
            except KeyError as exc:
                raise ValueError(f"span {item!r} lacks the key {exc.args[0]!r}") from None
            prob = item.get("prob", 1.0)
        elif isinstance(item, (list, tuple)) and len(item) in (3, 4):
            start, end, label = item[:3]
            prob = item[3] if len(item) == 4 else 1.0
        else:
            raise ValueError(
                f"span {item!r} is neither [start, end, label] nor {{'start','end','label'}}"
            )
        if not (isinstance(start, int) and isinstance(end, int) and isinstance(label, str)):
            raise ValueError(f"span {item!r} needs integer offsets and a string label")
        spans.append(Span(start, end, label, float(prob)))
    return tuple(sorted(spans))


def example_from_dict(data: Mapping[str, Any]) -> Example:
    """Build an :class:`Example` from :meth:`Example.to_dict` output."""
    return Example(
        id=str(data["id"]),
        text=data["text"],
        gold=label_from_json(data.get("gold")),
        split=data.get("split") or "train",
        votes={k: label_from_json(v) for k, v in (data.get("votes") or {}).items()},
        label=label_from_json(data.get("label")),
        probs={k: float(v) for k, v in (data.get("probs") or {}).items()},
        flags={k: float(v) for k, v in (data.get("flags") or {}).items()},
        origin=data.get("origin"),
        meta=dict(data.get("meta") or {}),
    )


def labels_in(label: Label) -> set[str]:
    """The label names a label uses: the class, or each span's type."""
    if label is None:
        return set()
    if isinstance(label, str):
        return {label}
    return {span.label for span in label}


def tuning_gold(examples: Iterable[Example]) -> list[Example]:
    """Items whose gold label may tune rules and aggregators: never the test split's."""
    return [e for e in examples if e.gold is not None and e.split != "test"]


def labels_used(examples: Iterable[Example]) -> list[str]:
    """Sorted label names used by the examples' gold labels, weak labels and votes (for runs
    whose config lists no labels)."""
    found: set[str] = set()
    for example in examples:
        for label in (example.gold, example.label, *example.votes.values()):
            found |= labels_in(label)
    return sorted(found)


def label_counts_by_split(examples: Iterable[Example], which: str) -> dict[str, dict[str, int]]:
    """Per split: class counts, or entity counts by type, of ``gold`` or ``label``."""
    counts: dict[str, Counter] = {}
    for example in examples:
        counter = counts.setdefault(example.split, Counter())
        value = getattr(example, which)
        if isinstance(value, tuple):
            counter.update(span.label for span in value)
        elif value is not None:
            counter[value] += 1
    return {split: dict(sorted(c.items())) for split, c in sorted(counts.items())}


def document_runs(examples: Sequence[Example], key: str) -> list[list[int]]:
    """The indexes of each document's records, in order: consecutive records sharing a
    ``meta[key]`` value form one document; a record without the key stands alone."""
    runs: list[list[int]] = []
    previous: Any = None
    for i, example in enumerate(examples):
        value = example.meta.get(key) if key else None
        if value is not None and value == previous and runs:
            runs[-1].append(i)
        else:
            runs.append([i])
        previous = value
    return runs
