"""Run configuration: one TOML file, one table per stage, each a frozen dataclass.

Defaults are stated once, in the dataclasses below. Unknown tables or keys are errors that
list what is allowed; relative paths are resolved against the config file's folder.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal

import tomllib

from weakforge.errors import ConfigError
from weakforge.records import TASK_KINDS


@dataclass(frozen=True)
class RunSection:
    """``[run]``: what the task is and which stages run."""

    name: str = "run"
    task: Literal["classification", "ner"] = "classification"
    labels: tuple[str, ...] = ()
    seed: int = 0
    stages: tuple[str, ...] = ()  # empty = every available stage, in order


@dataclass(frozen=True)
class DataSection:
    """``[data]``: the corpus to read, and how.

    ``path`` holds records whose split is given by ``split_field`` (or ``split``);
    ``dev_path`` and ``test_path`` optionally add gold-labeled dev and test records.
    """

    path: str = ""
    format: str = ""  # empty = guess from the file name
    dev_path: str = ""
    test_path: str = ""
    text_field: str = "text"
    id_field: str = "id"
    label_field: str = "label"
    split_field: str = "split"
    split: Literal["train", "dev", "test"] = "train"
    scheme: Literal["auto", "iob1", "bio"] = "auto"
    on_error: Literal["raise", "skip"] = "raise"


@dataclass(frozen=True)
class LabelSection:
    """``[label]``: which labeling functions vote, and how they are applied.

    ``rules`` are rules files or folders; ``data_paths`` are files the rules read (e.g.
    gazetteers), so that editing them reruns the stage. ``engine = "dask"`` runs shards on a
    Dask cluster (``dask_address``, or a local cluster of ``workers`` processes)."""

    rules: tuple[str, ...] = ()
    data_paths: tuple[str, ...] = ()
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    engine: Literal["local", "dask"] = "local"
    workers: int = 1
    shard_size: int = 1000
    fault_tolerant: bool = False
    dask_address: str = ""


@dataclass(frozen=True)
class AggregateSection:
    """``[aggregate]``: turning votes into probabilistic labels (skweak).

    ``method``: auto (HMM for NER, Naive Bayes for classification), hmm, naive_bayes or
    majority. ``weights_from_gold`` sets class prior and source weights from dev/reviewed
    labels; ``abstain = "prior"`` gives items no source voted on the most likely class;
    ``doc_majority`` adds skweak's document-level majority source (NER, documents grouped by
    the ``group_by`` metadata key); ``label_groups`` maps a coarse label (e.g. ENT) a source
    emits to the labels it may stand for; ``weights`` are initial source weights (1 = normal,
    0 = ignore), e.g. trust in a precise rule, overridden by gold-based weights."""

    method: Literal["auto", "hmm", "naive_bayes", "majority"] = "auto"
    fit_sample: int = 20000
    n_iter: int = 4
    redundancy_factor: float = 0.1
    weights_from_gold: bool = True
    abstain: Literal["prior", "none"] = "prior"
    doc_majority: bool = True
    group_by: str = "doc"
    label_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    weights: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditSection:
    """``[audit]``: finding label errors, duplicates, outliers and leakage (cleanlab).

    ``model`` is the sentence-embedding model (empty: the offline all-MiniLM-L6-v2);
    near duplicates are pairs with cosine similarity >= ``near_duplicate_threshold`` or
    estimated shingle Jaccard >= ``minhash_threshold``; the ``outlier_fraction`` least typical
    items are flagged as outliers; ``database`` is the review queue: empty for review.sqlite
    in the run folder, a SQLite file path, or a server URL a team shares
    (``postgresql://reviewer@host/dbname``; leave the password out of the file: the driver
    reads PGPASSWORD or ~/.pgpass)."""

    model: str = ""
    folds: int = 5
    knn: int = 10
    near_duplicate_threshold: float = 0.95
    minhash_threshold: float = 0.8
    outlier_fraction: float = 0.02
    imbalance_ratio: float = 5.0
    database: str = ""


@dataclass(frozen=True)
class AugmentSection:
    """``[augment]``: label-preserving copies of training items (nlpaug).

    Each eligible train item gets ``copies`` copies, each made by ``sequence`` augmenters drawn
    from ``augmenters`` (synonym, swap, delete, keyboard, ocr; mention for NER); ``p`` is the
    share of words changed. Items with an audit flag in ``skip_flags`` are not augmented
    unless a reviewer cleared them (gave them a gold label). ``mention_lists`` adds entity
    lists per label (files) to the entities of the training data for mention swaps;
    ``check_label`` drops classification copies a quick classifier no longer agrees with."""

    augmenters: tuple[str, ...] = ("synonym", "swap", "delete", "keyboard")
    copies: int = 1
    sequence: int = 1
    p: float = 0.15
    skip_flags: tuple[str, ...] = (
        "label_issue",
        "exact_duplicate",
        "near_duplicate",
        "duplicate_conflict",
        "leakage",
        "low_confidence",
    )
    mention_lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    check_label: bool = True
    minhash_threshold: float = 0.8


@dataclass(frozen=True)
class TrainSection:
    """``[train]``: fine-tuning the end model (transformers + peft).

    ``base_model``: a model folder or hub name ("" = the offline all-MiniLM-L6-v2). LoRA
    (``lora_*``, ``target_modules``) by default, the classifier head trained fully; ``lora =
    false`` fine-tunes everything; ``merge`` also saves LoRA merged into full weights.
    ``soft_labels`` trains on the label model's probabilities; items whose weak-label
    confidence is under ``min_confidence`` are left out, and ``confidence_weighting`` weights
    the rest by it. ``batch_size`` on CPU, ``gpu_batch_size`` on CUDA; early stopping on dev
    gold after ``patience`` epochs without improvement; ``max_steps`` > 0 caps training."""

    base_model: str = ""
    lora: bool = True
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.1
    target_modules: tuple[str, ...] = ("query", "value")
    merge: bool = False
    soft_labels: bool = True
    min_confidence: float = 0.0
    confidence_weighting: bool = False
    epochs: float = 3.0
    batch_size: int = 16
    gpu_batch_size: int = 64
    learning_rate: float = 5e-4
    warmup_ratio: float = 0.06
    weight_decay: float = 0.01
    max_length: int = 128
    patience: int = 2
    max_steps: int = -1
    tensorboard: bool = False


@dataclass(frozen=True)
class ReportSection:
    """``[report]``: the human report."""

    formats: tuple[Literal["html", "md"], ...] = ("html", "md")
    examples: int = 5


@dataclass(frozen=True)
class RunConfig:
    """The whole resolved config; ``base_dir`` is the folder relative paths start from."""

    run: RunSection = field(default_factory=RunSection)
    data: DataSection = field(default_factory=DataSection)
    label: LabelSection = field(default_factory=LabelSection)
    aggregate: AggregateSection = field(default_factory=AggregateSection)
    audit: AuditSection = field(default_factory=AuditSection)
    augment: AugmentSection = field(default_factory=AugmentSection)
    train: TrainSection = field(default_factory=TrainSection)
    report: ReportSection = field(default_factory=ReportSection)
    base_dir: str = "."

    def resolve(self, relative: str) -> Path:
        """A config path made absolute against the config's folder."""
        path = Path(relative).expanduser()
        return path if path.is_absolute() else Path(self.base_dir) / path

    def section(self, name: str) -> Any:
        return getattr(self, name)

    def to_dict(self) -> dict[str, Any]:
        """Plain data (TOML/JSON-compatible) of every table, without ``base_dir``."""
        data = dataclasses.asdict(self)
        data.pop("base_dir")
        return data


SECTIONS: dict[str, type] = {
    f.name: typing.get_type_hints(RunConfig)[f.name]
    for f in fields(RunConfig)
    if f.name != "base_dir"
}


def load_config(path: str | Path) -> RunConfig:
    """Read and check a TOML run config."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the syntax there") from None
    return config_from_dict(raw, base_dir=path.resolve().parent, source=str(path))


def config_from_dict(
    raw: dict[str, Any], base_dir: str | Path = ".", source: str = "config"
) -> RunConfig:
    """Build a :class:`RunConfig` from parsed TOML, checking names and types."""
    unknown = sorted(set(raw) - set(SECTIONS))
    if unknown:
        raise ConfigError(
            f"{source}: unknown table(s) {unknown}; allowed tables: {sorted(SECTIONS)}"
        )
    built = {}
    for name, cls in SECTIONS.items():
        table = raw.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{source}: [{name}] must be a table")
        built[name] = build_section(cls, table, f"{source} [{name}]")
    config = RunConfig(**built, base_dir=str(base_dir))
    check_config(config, source)
    return config


def build_section(cls: type, table: dict[str, Any], where: str) -> Any:
    hints = typing.get_type_hints(cls)
    allowed = [f.name for f in fields(cls)]
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown}; allowed keys: {allowed}")
    values = {key: coerce(value, hints[key], f"{where} {key}") for key, value in table.items()}
    return cls(**values)


def coerce(value: Any, hint: Any, where: str) -> Any:
    """Check ``value`` against a simple type hint; lists become tuples (frozen configs)."""
    origin = typing.get_origin(hint)
    if origin is Literal:
        choices = typing.get_args(hint)
        if value not in choices:
            raise ConfigError(f"{where} = {value!r}; choose one of {list(choices)}")
        return value
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{where} must be a table, got {value!r}")
        key_hint, value_hint = typing.get_args(hint)
        return {
            coerce(k, key_hint, where): coerce(v, value_hint, f"{where}.{k}")
            for k, v in value.items()
        }
    if origin is tuple:
        if not isinstance(value, list):
            raise ConfigError(f"{where} must be a list, got {value!r}")
        item = typing.get_args(hint)[0]
        return tuple(coerce(v, item, where) for v in value)
    if origin in (typing.Union, types.UnionType):
        for option in typing.get_args(hint):
            try:
                return coerce(value, option, where)
            except ConfigError:
                continue
        raise ConfigError(f"{where} = {value!r} has the wrong type ({hint})")
    if hint is type(None):
        if value is not None:
            raise ConfigError(f"{where} must be empty")
        return value
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if hint in (str, int, float, bool) and (
        not isinstance(value, hint) or (hint is int and isinstance(value, bool))
    ):
        raise ConfigError(f"{where} must be a {hint.__name__}, got {value!r}")
    return value


def check_config(config: RunConfig, source: str) -> None:
    """Checks across keys that the types alone cannot express."""
    if config.run.task not in TASK_KINDS:
        raise ConfigError(f"{source} [run] task: choose one of {list(TASK_KINDS)}")
    if len(set(config.run.labels)) != len(config.run.labels):
        raise ConfigError(f"{source} [run] labels: a label is listed twice")
