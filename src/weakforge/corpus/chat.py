"""Chat JSONL (out only): ``{"messages": [system, user, assistant]}`` per labeled example,
for fine-tuning an LLM on the (weak or reviewed) labels. Unlabeled examples are left out.
The turns come from :mod:`weakforge.instructions`, the builder the causal fine-tune
uses, so the export is what ``[train] family = "causal"`` trains on."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from weakforge.atomic import atomic_file
from weakforge.corpus.options import WriteOptions
from weakforge.corpus.tabular import chosen_label
from weakforge.instructions import chat_messages, default_instruction
from weakforge.records import Example, labels_in

log = logging.getLogger(__name__)


def write_chat(examples: Sequence[Example], path: Path, options: WriteOptions) -> None:
    chosen = [(e, chosen_label(e, options.which)) for e in examples]
    task = options.task or (
        "ner" if any(isinstance(lab, tuple) for _, lab in chosen) else "classification"
    )
    labels = options.labels or sorted(set().union(*(labels_in(lab) for _, lab in chosen)))
    instruction = options.instruction or default_instruction(task, labels)
    written = 0
    with atomic_file(path) as handle:
        for example, label in chosen:
            if label is None:
                continue
            messages = chat_messages(example.text, label, instruction)
            handle.write(json.dumps({"messages": messages}, ensure_ascii=False) + "\n")
            written += 1
    if written < len(chosen):
        log.info("chat export: left out %d unlabeled examples", len(chosen) - written)


# --- checking a chat JSONL file against OpenAI's fine-tuning format ----------------------------

ROLES = ("system", "developer", "user", "assistant", "tool")
MIN_EXAMPLES = 10  # OpenAI refuses a training file with fewer


@dataclass
class ChatCheck:
    """What a chat fine-tuning service would make of a file: the examples it would take,
    the ones it would reject (line number and why), and token counts."""

    examples: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)
    tokens: list[int] = field(default_factory=list)  # per accepted example
    counted_by: str = ""

    @property
    def total_tokens(self) -> int:
        return sum(self.tokens)

    def summary(self) -> str:
        lines = [
            f"{self.examples - len(self.rejected)} of {self.examples} examples would be "
            f"accepted; {self.total_tokens:,} tokens in all, at most "
            f"{max(self.tokens, default=0):,} in one ({self.counted_by})"
        ]
        if 0 < self.examples - len(self.rejected) < MIN_EXAMPLES:
            lines.append(f"fewer than {MIN_EXAMPLES} usable examples: the file would be refused")
        lines += [f"line {n}: {why}" for n, why in self.rejected[:20]]
        if len(self.rejected) > 20:
            lines.append(f"... and {len(self.rejected) - 20} more")
        return "\n".join(lines)


def message_problem(message: Any) -> str | None:
    if not isinstance(message, dict):
        return "a message is not an object"
    role, content = message.get("role"), message.get("content")
    if role not in ROLES:
        return f"role {role!r} is not one of {list(ROLES)}"
    if role == "assistant" and content is None and message.get("tool_calls"):
        return None
    if not isinstance(content, str) or not content.strip():
        return f"a {role} message has empty or missing content"
    return None


def example_problem(record: Any, tokens: int, max_tokens: int) -> str | None:
    """Why a service would reject this example, or ``None``."""
    messages = record.get("messages") if isinstance(record, dict) else None
    if not isinstance(messages, list) or not messages:
        return 'no "messages" list'
    for message in messages:
        problem = message_problem(message)
        if problem:
            return problem
    if not any(m["role"] == "assistant" for m in messages):
        return "no assistant message to learn"
    if tokens > max_tokens:
        return f"{tokens:,} tokens, over the {max_tokens:,} allowed per example"
    return None


def check_chat(
    path: Path,
    *,
    max_tokens: int = 65_536,
    count_tokens: Callable[[str], int] | None = None,
    counted_by: str = "",
) -> ChatCheck:
    """Check every line of a chat JSONL file. Tokens are counted with ``count_tokens`` (e.g.
    a tokenizer's), else estimated at four characters per token, as the summary says."""
    count = count_tokens or (lambda text: max(1, len(text) // 4))
    check = ChatCheck(counted_by=counted_by or "estimated at 4 characters per token")
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            check.examples += 1
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                check.rejected.append((number, f"not JSON ({exc.msg})"))
                continue
            messages = record.get("messages") if isinstance(record, dict) else None
            tokens = sum(
                count(m.get("content") or "") + 4  # a few tokens of role markup per message
                for m in (messages if isinstance(messages, list) else [])
                if isinstance(m, dict)
            )
            problem = example_problem(record, tokens, max_tokens)
            if problem:
                check.rejected.append((number, problem))
            else:
                check.tokens.append(tokens)
    return check
