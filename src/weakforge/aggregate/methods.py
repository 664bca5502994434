"""The aggregation methods: ``METHODS`` maps a method name to the function that runs it
for each task kind, filled with :func:`register_method` where each method is defined
(``majority.py``, ``skweak_adapter.py``). Adding a method is one decorated function; the
config check, the default choice and the contract tests read the registry."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace

from weakforge.config import AggregateSection
from weakforge.errors import AggregationError
from weakforge.records import Example, labels_in
from weakforge.tasks import task_kind

SKWEAK_METHODS = ("hmm", "naive_bayes")
MAX_SKWEAK_LABELS = 1000
"""Most labels a skweak label model is run with: on 60 short NER documents, 50 labels took
0.7 s, 200 took 6.8 s and 400 took 26.8 s (about the square), so 1,000 labels take hours on
a corpus of thousands of documents and 10,000 never finish."""

Aggregator = Callable[[Sequence[Example], Sequence[str], AggregateSection, int], list[Example]]
METHODS: dict[str, dict[str, Aggregator]] = {}  # name -> task kind -> function


def register_method(name: str, task: str) -> Callable[[Aggregator], Aggregator]:
    """Decorator: ``fn(examples, labels, options, seed)`` aggregates ``task`` as ``name``,
    returning the examples with ``label`` (and class ``probs``, or span probs) set."""

    def add(fn: Aggregator) -> Aggregator:
        METHODS.setdefault(name, {})[task] = fn
        return fn

    return add


def resolve_method(method: str, task: str) -> str:
    if method == "auto":
        return task_kind(task).default_method
    valid = [name for name, tasks in METHODS.items() if task in tasks]
    if method not in valid:
        raise AggregationError(
            f"[aggregate] method = '{method}' does not fit a {task} task; "
            f"choose one of {['auto', *valid]}"
        )
    return method


def run_method(
    examples: Sequence[Example],
    task: str,
    labels: Sequence[str],
    options: AggregateSection,
    seed: int = 0,
) -> list[Example]:
    """Aggregate with the one method ``options`` names (``auto``: the task's default)."""
    method = resolve_method(options.method, task)
    if not labels:
        raise AggregationError("[run] labels is empty; list the task's labels")
    if method in SKWEAK_METHODS and len(labels) > MAX_SKWEAK_LABELS:
        raise AggregationError(
            f"{len(labels)} labels: skweak's label models grow with the square of the labels "
            f"on every document (hours above {MAX_SKWEAK_LABELS}; bench/RESULTS.md); use "
            '[aggregate] method = "majority", or group the labels'
        )
    check_vote_labels(examples, labels, options.label_groups)
    result = METHODS[method][task](examples, labels, options, seed)
    return [override_with_gold(e, labels) for e in result]


def check_vote_labels(
    examples: Sequence[Example], labels: Sequence[str], groups: Mapping[str, Sequence[str]]
) -> None:
    """Every vote must name a label or a coarse label of a group: a vote a label model cannot
    place would otherwise be dropped without a word (e.g. ENT votes after ``label_groups``
    was removed from the config)."""
    known = {*labels, *groups}
    for example in examples:
        for source, vote in example.votes.items():
            stray = labels_in(vote) - known
            if stray:
                raise AggregationError(
                    f"source '{source}' votes {sorted(stray)} on record '{example.id}', which "
                    f"is neither in [run] labels {list(labels)} nor a coarse label of "
                    f"[aggregate] label_groups {sorted(groups)}; add it to one of them, or "
                    "map it to a label in the rule"
                )
    for coarse, fine in groups.items():
        unknown = [x for x in fine if x not in labels]
        if unknown:
            raise AggregationError(
                f"[aggregate] label_groups: {coarse} stands for {unknown}, which are not in "
                f"[run] labels {list(labels)}"
            )


def override_with_gold(example: Example, labels: Sequence[str]) -> Example:
    """A training item with a gold (e.g. reviewed) label trains on that label."""
    if example.split != "train" or example.gold is None:
        return example
    if isinstance(example.gold, str):
        return replace(
            example, label=example.gold, probs={x: float(x == example.gold) for x in labels}
        )
    return replace(example, label=example.gold, probs={})
