"""Serving the review page: the command that starts Streamlit on the package's own entry
script (:mod:`weakforge.review.pages.app`), the run folder it was started for, and the
review database it opens."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import streamlit as st

from weakforge.config import RunConfig
from weakforge.layout import REVIEW_QUEUE
from weakforge.review.feedback import review_database
from weakforge.review.store import Database, as_database

ENTRY = Path(__file__).resolve().parent / "app.py"
"""The Streamlit script of the review app (the queue and the rule authors' page), shipped in
the package so an installed weakforge serves it without a checkout's ``app/`` folder."""


def server_command(folder: Path, address: str = "127.0.0.1", port: int = 8501) -> list[str]:
    """The command that serves the review app for a run folder."""
    script = ENTRY
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.address",
        address,
        "--server.port",
        str(port),
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.enableXsrfProtection",
        "true",
        "--server.enableCORS",
        "true",
        "--runner.fastReruns",  # a rerun waits for the running one: decisions the page
        "false",  # applies are never cut off between the database and the session
        "--",
        str(folder),
    ]


def run_dir() -> Path:
    """The run folder: ``-- RUN_DIR`` after the script, or WEAKFORGE_RUN_DIR."""
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    chosen = os.environ.get("WEAKFORGE_RUN_DIR") or (args[0] if args else "")
    if not chosen:
        st.error("No run folder: start the page with `weakforge review RUN_DIR`.")
        st.stop()
    return Path(chosen)


DATABASE_VARIABLE = "WEAKFORGE_REVIEW_DATABASE"  # set by `weakforge review --database`


def database(folder: Path, config: RunConfig | None) -> Database:
    """The review database: the one named by ``weakforge review --database``, else the one
    the run's saved config names."""
    chosen = os.environ.get(DATABASE_VARIABLE, "")
    if chosen:
        return as_database(chosen)
    return review_database(config, folder) if config else folder / REVIEW_QUEUE
