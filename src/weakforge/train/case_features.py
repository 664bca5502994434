"""Letter-case features for uncased encoders (``[train] case_features``): each word piece's
case (none, lower, title, upper, mixed), read from the original text, goes in through the
encoder's token type slot as a learned embedding, so an uncased model such as MiniLM still
sees NER's strongest cue."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import torch

from weakforge.config import TrainSection
from weakforge.errors import WeakforgeError
from weakforge.tasks import task_kind

log = logging.getLogger(__name__)


CASE_SHAPES = ("none", "lower", "title", "upper", "mixed")
"""A word piece's letter case, as the id it gets in the token type slot."""


def case_shape(piece: str) -> int:
    """The index in :data:`CASE_SHAPES` of a piece of the original text: "none" when it
    has no cased letter, "title" for one capital then lower case (or a lone capital)."""
    cased = [c for c in piece if c.lower() != c.upper()]
    if not cased:
        return 0
    if all(c.islower() for c in cased):
        return 1
    if cased[0].isupper() and all(c.islower() for c in cased[1:]):
        return 2
    return 3 if all(c.isupper() for c in cased) else 4


def case_ids(text: str, offsets: Sequence[Sequence[int]]) -> list[int]:
    """Each piece's letter case, read from the original text at its character offsets
    (special and padding pieces, which cover no character, are "none")."""
    return [case_shape(text[start:end]) if end > start else 0 for start, end in offsets]


TOKEN_TYPE_SLOT = "token_type_embeddings"  # BERT-like encoders' module name; the case rows


def token_type_embeddings(model) -> tuple[str, torch.nn.Embedding] | None:
    """The model's token type embedding (BERT-like encoders have one), with its path."""
    for name, module in model.named_modules():
        if name.rsplit(".", 1)[-1] == TOKEN_TYPE_SLOT:
            if isinstance(module, torch.nn.Embedding):
                return name, module
    return None


def is_uncased(tokenizer) -> bool:
    """Whether the tokenizer lowercases (then the model never sees a word's case)."""
    return tokenizer("Paris London")["input_ids"] == tokenizer("paris london")["input_ids"]


def uses_case_features(tokenizer, model, task: str, options: TrainSection) -> bool:
    """``[train] case_features`` resolved for this task, tokenizer and model (see its
    docstring)."""
    if options.case_features == "off":
        return False
    slot = token_type_embeddings(model)
    if options.case_features == "on":
        if slot is None:
            raise WeakforgeError(
                f'[train] case_features = "on" needs a model with token type embeddings '
                f"(BERT-like); {options.base_model or 'this model'} has none: set it to "
                '"auto" or "off"'
            )
        return True
    wanted = task_kind(task).case_features and slot is not None and is_uncased(tokenizer)
    if wanted:
        log.info(
            "the tokenizer is uncased: each word piece's letter case goes in as a learned "
            'embedding ([train] case_features = "off" turns this off)'
        )
    return wanted


def add_case_embeddings(model) -> None:
    """Widen the token type embedding to one row per case shape, each starting as the
    model's own first token type (so training starts from the unchanged model)."""
    name, old = token_type_embeddings(model)
    new = torch.nn.Embedding(len(CASE_SHAPES), old.embedding_dim)
    with torch.no_grad():
        new.weight[:] = old.weight[0]
    parent, _, attribute = name.rpartition(".")
    setattr(model.get_submodule(parent), attribute, new)
    model.config.type_vocab_size = len(CASE_SHAPES)


def slow_case_rows(optimizer: torch.optim.Optimizer, model, share: float) -> None:
    """Move the trainable case embedding rows into a parameter group of their own, at
    ``share`` of their group's rate (once: the new group is marked)."""
    rows = {
        id(p)
        for name, p in model.named_parameters()
        if p.requires_grad and TOKEN_TYPE_SLOT in name.split(".")
    }
    for group in list(optimizer.param_groups):
        slow = [p for p in group["params"] if id(p) in rows]
        if group.get("case_rows") or not slow:
            continue
        group["params"] = [p for p in group["params"] if id(p) not in rows]
        settings = {k: v for k, v in group.items() if k != "params"}
        optimizer.add_param_group(
            {
                **settings,
                "params": slow,
                "lr": group["lr"] * share,
                "case_rows": True,
            }
        )
