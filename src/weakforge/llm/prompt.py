"""The prompt an LLM labeler sends: an instruction, few-shot examples and the text, as one
plain completion prompt (local models, base models included) or as chat messages (servers).
The part before the text is the same for every text, so a local model computes it once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from weakforge.errors import WeakforgeError

CONTENT_FREE = ("N/A", "", "[MASK]")  # inputs that say nothing (Zhao et al., 2021)


@dataclass(frozen=True)
class Prompt:
    """``label_words``: for each label, the word the model answers with (``SPAM`` ->
    ``spam``); ``examples``: few-shot (text, answer) pairs, the answer a label word or, for
    NER, the JSON entity list."""

    instruction: str
    label_words: Mapping[str, str]
    examples: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        words = [w.strip().casefold() for w in self.label_words.values()]
        if len(set(words)) != len(words) or not all(words):
            raise WeakforgeError(
                f"LLM label words {dict(self.label_words)} must be non-empty and distinct"
            )

    def prefix(self) -> str:
        """Everything before the text: the instruction and the examples."""
        shots = "".join(f"Text: {one_line(t)}\nAnswer: {a}\n\n" for t, a in self.examples)
        return f"{self.instruction.strip()}\n\n{shots}"

    @staticmethod
    def item(text: str) -> str:
        """The text's part of the completion prompt; the answer follows it."""
        return f"Text: {one_line(text)}\nAnswer:"

    def messages(self, text: str) -> list[dict[str, str]]:
        """The same prompt as chat turns: the examples as earlier question-answer pairs."""
        turns = [{"role": "system", "content": self.instruction.strip()}]
        for shot, answer in self.examples:
            turns += [{"role": "user", "content": shot}, {"role": "assistant", "content": answer}]
        return [*turns, {"role": "user", "content": text}]

    def fingerprint(self) -> str:
        """A hash of everything that changes an answer but the text and the model."""
        blob = json.dumps([self.instruction, sorted(self.label_words.items()), list(self.examples)])
        return hashlib.sha256(blob.encode()).hexdigest()


def one_line(text: str) -> str:
    """A text on one line, so an example's end and the answer's start stay unambiguous."""
    return " ".join(text.split())


def label_words_for(labels: Sequence[str] | Mapping[str, str]) -> dict[str, str]:
    """``{"SPAM": "spam"}`` as given; a list of labels -> each label's lower-case name."""
    if isinstance(labels, Mapping):
        return {str(k): str(v) for k, v in labels.items()}
    return {label: label.lower().replace("_", " ") for label in labels}
