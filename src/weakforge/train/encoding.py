"""Training items as the encoder's tensors: token ids, a target *distribution* per item (one
class) or per word piece (BIO tags on each word's first piece), the item's weight, and
(with case features) each piece's letter case; batches padded; the loss is the
cross-entropy against the target distributions."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from weakforge.config import TrainSection
from weakforge.labels import bio_tags
from weakforge.records import Span
from weakforge.tasks import task_kind
from weakforge.tokenize import token_spans
from weakforge.train.case_features import case_ids
from weakforge.train.items import TrainItem


def class_target(item: TrainItem, labels: Sequence[str]) -> np.ndarray:
    """A distribution over the classes: the item's soft ``probs``, or one-hot."""
    target = np.zeros(len(labels), dtype=np.float32)
    if item.probs:
        for i, name in enumerate(labels):
            target[i] = item.probs.get(name, 0.0)
        if target.sum() > 0:
            return target / target.sum()
    target[labels.index(item.label)] = 1.0
    return target


def word_targets(
    words: Sequence[tuple[int, int]], spans: Sequence[Span], tags: Sequence[str], soft: bool
) -> np.ndarray:
    """Per word a distribution over BIO tags; a span with confidence p puts p on its tag
    and 1 - p on O (soft), or 1 on its tag (hard)."""
    index = {t: i for i, t in enumerate(tags)}
    target = np.zeros((len(words), len(tags)), dtype=np.float32)
    target[:, 0] = 1.0
    placed, _ = token_spans(words, spans)
    for first, last, span in placed:
        p = span.prob if soft else 1.0
        for w in range(first, last):
            target[w] = 0.0
            target[w, 0] = 1.0 - p
            target[w, index[f"{'B' if w == first else 'I'}-{span.label}"]] += p
    return target


class Encoded(torch.utils.data.Dataset):
    """Tokenized items with their target distributions and weights."""

    def __init__(self, rows: list[dict[str, Any]]):
        self.rows = rows

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, i: int) -> dict[str, Any]:
        return self.rows[i]


def first_piece_index(
    offsets: Sequence[tuple[int, int]], words: Sequence[tuple[int, int]]
) -> list[int]:
    """For each word piece, the word it starts (or -1: special, continuation, truncated)."""
    word_at = {start: w for w, (start, _) in enumerate(words)}
    result, seen = [], set()
    for start, end in offsets:
        w = word_at.get(start, -1) if end > start else -1
        if w in seen:
            w = -1
        seen.add(w)
        result.append(w)
    return result


def encode(
    tokenizer,
    task: str,
    items: Sequence[TrainItem],
    labels: Sequence[str],
    options: TrainSection,
    *,
    case: bool = False,
) -> Encoded:
    """Token ids, target distributions and weights per item (and, with ``case``, each
    piece's letter case in the token type slot)."""
    rows = []
    tags = bio_tags(labels)
    for item in items:
        encoding = tokenizer(
            item.text,
            truncation=True,
            max_length=options.max_length,
            return_offsets_mapping=True,
        )
        row = {
            "input_ids": encoding["input_ids"],
            "attention_mask": encoding["attention_mask"],
            "sample_weight": item.weight,
        }
        if case:
            row["token_type_ids"] = case_ids(item.text, encoding["offset_mapping"])
        if task_kind(task).spans:
            spans = item.label if isinstance(item.label, tuple) else ()
            targets = word_targets(item.words, spans, tags, item.soft_spans)
            pieces = first_piece_index(encoding["offset_mapping"], item.words)
            soft = np.zeros((len(pieces), len(tags)), dtype=np.float32)
            for p, w in enumerate(pieces):
                if w >= 0:
                    soft[p] = targets[w]
            row["soft_labels"] = soft
        else:
            row["soft_labels"] = class_target(item, labels)
        rows.append(row)
    return Encoded(rows)


def pad_column(batch: list[dict[str, Any]], key: str, length: int, fill: int) -> torch.Tensor:
    """One per-piece column of the batch (ids, mask, case ids), right-padded to ``length``."""
    column = torch.full((len(batch), length), fill, dtype=torch.long)
    for i, r in enumerate(batch):
        column[i, : len(r[key])] = torch.tensor(r[key])
    return column


def collate(batch: list[dict[str, Any]], pad_id: int) -> dict[str, torch.Tensor]:
    length = max(len(r["input_ids"]) for r in batch)
    first = batch[0]["soft_labels"]
    if first.ndim == 2:
        soft = torch.zeros((len(batch), length, first.shape[1]))
        for i, r in enumerate(batch):
            soft[i, : len(r["soft_labels"])] = torch.from_numpy(r["soft_labels"])
    else:
        soft = torch.from_numpy(np.stack([r["soft_labels"] for r in batch]))
    padded = {
        "input_ids": pad_column(batch, "input_ids", length, pad_id),
        "attention_mask": pad_column(batch, "attention_mask", length, 0),
        "soft_labels": soft,
        "sample_weight": torch.tensor([r["sample_weight"] for r in batch], dtype=torch.float32),
    }
    if "token_type_ids" in batch[0]:  # case ids ([train] case_features)
        padded["token_type_ids"] = pad_column(batch, "token_type_ids", length, 0)
    return padded


def soft_cross_entropy(
    logits: torch.Tensor, soft: torch.Tensor, weights: torch.Tensor
) -> torch.Tensor:
    """Cross-entropy against target distributions; positions whose target is all zero (pads,
    continuation pieces) do not count."""
    log_probs = torch.log_softmax(logits.float(), dim=-1)
    per_position = -(soft * log_probs).sum(-1)
    counted = (soft.sum(-1) > 0).float()
    if per_position.ndim == 2:  # tokens: weight each position by its item's weight
        counted = counted * weights[:, None]
    else:
        counted = counted * weights
    return (per_position * counted).sum() / counted.sum().clamp(min=1e-6)
