"""Worker processes that never outlive the run that started them."""

from __future__ import annotations

import os
import signal
import sys


def die_with_parent(parent: int) -> None:
    """A worker ends when the run that started it dies (even by SIGKILL), instead of
    lingering (Linux's parent-death signal; elsewhere workers end when their queue closes)."""
    if sys.platform.startswith("linux"):
        import ctypes

        pr_set_pdeathsig = 1
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
