"""One progress bar per long step, drawn by rich on a terminal; elsewhere (a log file, CI
output) a log line at most every :data:`LOG_EVERY_S` seconds with the count, the time
spent and the time left, instead of a bar flood. Libraries' own tqdm bars are switched off
by the CLI (:func:`quiet_library_bars`)."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress

_console = Console(stderr=True)
log = logging.getLogger(__name__)
LOG_EVERY_S = 30.0


def minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


def progress_logger(description: str, total: int, every: float = LOG_EVERY_S):
    """``advance(n)`` that logs ``description: done/total, time spent, about time left``
    when ``every`` seconds have passed since the last line, and at the end."""
    started = last = time.perf_counter()
    done = 0

    def advance(n: int) -> None:
        nonlocal done, last
        done += n
        now = time.perf_counter()
        if now - last < every and done < total:
            return
        last = now
        spent = now - started
        left = spent / done * (total - done) if done else 0.0
        log.info(
            "%s: %d/%d, %s spent, about %s left",
            description,
            done,
            total,
            minutes(spent),
            minutes(left),
        )

    return advance


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A transient bar for one step (log lines off a terminal); yields ``advance(n)``."""
    if not _console.is_terminal:
        yield progress_logger(description, total)
        return
    with Progress(console=_console, transient=True) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def quiet_library_bars() -> None:
    """Switch off tqdm bars (sentence-transformers, transformers, datasets, huggingface_hub):
    weakforge draws its own, one per step."""
    os.environ["TQDM_DISABLE"] = "1"
    os.environ["HF_DATASETS_DISABLE_PROGRESS_BARS"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
