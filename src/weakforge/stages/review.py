"""The review database as the pipeline sees it: the queue the audit stage fills and the
decisions the aggregate stage reads back. Declaring both lets the skip logic see them: a
queue that was deleted or refilled elsewhere is refilled, and new decisions rerun the
stages that use them."""

from __future__ import annotations

from pathlib import Path

from weakforge.config import RunConfig
from weakforge.pipeline import Store
from weakforge.review.feedback import decisions_fingerprint, review_database
from weakforge.review.store import filled_token


def queue_state(config: RunConfig, run_dir: Path) -> str:
    return filled_token(review_database(config, run_dir))


REVIEW_QUEUE = Store("review queue", queue_state)
REVIEW_DECISIONS = Store("review decisions", decisions_fingerprint)
