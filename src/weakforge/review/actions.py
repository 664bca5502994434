"""What a reviewer can do to a queue item: one table, read by the store (which decisions
count), the service (what a decision records), the page (its buttons and keys) and the
feedback into the next run (what a decision does to the item there).

Adding an action is one row here; a new kind of effect also needs its case in
``review.service.decided_label`` (what is recorded) and ``review.feedback.apply_decisions``
(what the next run does with it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Effect = Literal["weak", "suggestion", "given", "drop", "none"]
EFFECTS: dict[str, str] = {
    "weak": "the weak label becomes the item's gold label",
    "suggestion": "the audit's suggested label becomes the item's gold label",
    "given": "the label the reviewer entered becomes the item's gold label",
    "drop": "the item is left out of the next run (a duplicate)",
    "none": "nothing changes in the next run (the decision is only logged)",
}


@dataclass(frozen=True)
class Action:
    """One thing a reviewer can do. ``effect`` is what it does to the next run (see
    ``EFFECTS``); ``needs`` is what the reviewer supplies with it ("" = one click)."""

    name: str
    button: str
    key: str | None
    effect: Effect
    needs: Literal["", "label", "note"] = ""
    advances: bool = True
    """Whether the page moves on to the next item after it (a note stays on its item)."""

    @property
    def decides(self) -> bool:
        """Whether it settles the item's label (and so counts as reviewed)."""
        return self.effect != "none"

    @property
    def passes(self) -> bool:
        """Whether it moves past the item without deciding it (a skip): the item is then
        not served to the reviewer again this session."""
        return self.advances and not self.decides


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in (
        Action("accept_weak", "Accept weak", "A", "weak"),
        Action("accept_suggestion", "Accept suggestion", "S", "suggestion"),
        Action("duplicate", "Duplicate: drop", "D", "drop"),
        Action("skip", "Skip", "K", "none"),
        Action("relabel", "Relabel", "L", "given", needs="label"),
        Action("note", "Add note", None, "none", needs="note", advances=False),
    )
}
LABEL_ACTIONS: tuple[str, ...] = tuple(name for name, a in ACTIONS.items() if a.decides)
UNDO = "undo"  # logged when a reviewer takes a decision back; not an action of its own
UNDO_KEY = "U"
