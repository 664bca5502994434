"""One progress bar per long step, drawn by rich on a terminal and silent elsewhere (so a
log file or CI output gets no bar floods). Libraries' own tqdm bars are switched off by
the CLI (:func:`quiet_library_bars`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import Progress

_console = Console(stderr=True)


@contextmanager
def progress_bar(description: str, total: int) -> Iterator[Callable[[int], None]]:
    """A transient bar for one step; yields ``advance(n)``."""
    with Progress(console=_console, transient=True, disable=not _console.is_terminal) as bar:
        task = bar.add_task(description, total=total)
        yield lambda n: bar.advance(task, n)


def quiet_library_bars() -> None:
    """Switch off tqdm bars (sentence-transformers, transformers, datasets, huggingface_hub):
    weakforge draws its own, one per step."""
    os.environ["TQDM_DISABLE"] = "1"
    os.environ["HF_DATASETS_DISABLE_PROGRESS_BARS"] = "1"
    os.environ["HF_HUB_DISABLE_PROGRESS_BARS"] = "1"
