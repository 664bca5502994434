"""Every name in a run folder, stated once: the pipeline's catalogue.

Stages, the CLI and the pages refer to artifacts through these names, never through
string literals of their own, so that moving an artifact is a one-line change here.
Paths are relative to the run folder.
"""

from __future__ import annotations

# what the pipeline itself keeps
MANIFEST = "manifest.json"  # per stage: its content hash, output digests, timing
RESOLVED_CONFIG = "config.resolved.json"  # the config as the run used it
STAGING = ".staging"  # a running stage's outputs, moved into place on success
SET_ASIDE = ".set-aside"  # anything in the way of an output that this run did not write
LOG = "weakforge.log"  # every run's log, with tracebacks of unexpected errors
LOCK = ".weakforge.lock"  # held while a run writes into the folder
LOCK_HOLDER = ".weakforge.lock.holder"  # who holds it (pid, since when), for the message
METRICS = "metrics.json"  # every stage's metrics, for machines
REPORTS = {"html": "report.html", "md": "report.md"}  # the report, for people

# ingest
RECORDS = "records.parquet"
REJECTS = "rejects.jsonl"
INGEST_PLOT = "plots/ingest_labels.png"
# label
VOTES = "votes"  # one Parquet shard per chunk of records, one column per source
VOTES_MADE_FROM = "made_from.sha256"  # inside votes/: the digest of the records voted on
DOCS_CACHE = "cache/docs"  # spaCy's parse of the records, for the rule workbench
# aggregate
AGGREGATED = "aggregated.parquet"
AGGREGATE_PLOT = "plots/aggregate_labels.png"
MODEL_SOURCE_CACHE = "cache/model_sources"  # model-source votes per content hash
# audit
AUDITED = "audited.parquet"
AUDIT_PLOT = "plots/audit_scores.png"
EMBEDDING_CACHE = "cache/embeddings"
AUDIT_TAGGER_CACHE = "cache/audit_tagger"  # the audit tagger's fold probabilities
REVIEW_QUEUE = "review.sqlite"  # the default review database (``[audit] database``)
# review
EXPORTS = "exports"  # the review page's exports of the reviewed set
# augment
AUGMENTED = "augmented.parquet"
# train
MODEL = "model"
TRAIN_PLOT = "plots/train_confusion.png"

# the labeled records of a run, newest first (originals only: augmented copies would skew
# per-source statistics); tools that need "this run's labels" read the first present
LABELED_RECORDS = (AUDITED, AGGREGATED)


def stage_metrics(stage: str) -> str:
    """Where a stage's metrics are kept."""
    return f"stages/{stage}.json"
