"""Run configuration: one TOML file, one table per stage, each a frozen dataclass.

Every key is documented once, by the docstring under its field, with its default stated
once, in the field; :func:`reference` builds the README's config reference from them
(``weakforge config --reference``). Unknown tables or keys are errors that list what is
allowed; names that must come from a registry (aggregation methods, audit checks, issue
types) are checked against it; relative paths are resolved against the config file's folder.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import textwrap
import types
import typing
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

import tomllib

from weakforge.errors import ConfigError
from weakforge.layout import RESOLVED_CONFIG
from weakforge.records import SPLIT_SYNONYMS, Example, labels_used
from weakforge.tasks import TASKS


def ranged(default: Any, low: float | None, high: float | None) -> Any:
    """A field with its allowed range, checked when a config loads (None: no bound)."""
    return field(default=default, metadata={"range": (low, high)})


@dataclass(frozen=True)
class RunSection:
    """``[run]``: what the task is and which stages run."""

    name: str = "run"
    """Name of the run; the run folder defaults to ``runs/<name>``."""
    task: Literal["classification", "ner"] = "classification"
    """``classification`` (one label per text) or ``ner`` (labeled character spans)."""
    labels: tuple[str, ...] = ()
    """The task's labels; empty = every label the data and votes use."""
    seed: int = ranged(0, 0, 2**32 - 1)
    """Seed for every random choice (fitting samples, folds, augmentation, training)."""
    stages: tuple[str, ...] = ()
    """Stages to run, in run order; empty = every stage."""


@dataclass(frozen=True)
class DataSection:
    """``[data]``: the corpus to read, and how."""

    path: str = ""
    """The corpus file (or WRENCH folder); its records' split comes from ``split_field``,
    else ``split``."""
    format: str = ""
    """Reader of ``path``: jsonl, csv, parquet, conll, wrench, spacy; empty = guessed from
    the file name, else from its content."""
    dev_path: str = ""
    """Optional gold-labeled file whose records are the dev split."""
    dev_format: str = ""
    """Reader of ``dev_path`` (empty = guessed, as for ``path``)."""
    test_path: str = ""
    """Optional gold-labeled file whose records are the test split."""
    test_format: str = ""
    """Reader of ``test_path`` (empty = guessed, as for ``path``)."""
    text_field: str = "text"
    """Field (column) holding the text (jsonl, csv, parquet)."""
    id_field: str = "id"
    """Field holding the record id; records without one are numbered."""
    label_field: str = "label"
    """Field holding a gold label, if any."""
    split_field: str = "split"
    """Field holding the record's split (train, dev or test)."""
    split: Literal["train", "dev", "test"] = "train"
    """Split of the records in ``path`` that name none."""
    dev_share: float = ranged(0.0, 0, 0.9)
    """Share of ``path``'s train records (by position) moved to dev, for a corpus that comes
    as one labeled file: a block from the end, before the test block, so the documents of a
    CoNLL file stay whole; their gold labels then count (dev gold weighs the sources, picks
    the label model and stops training)."""
    test_share: float = ranged(0.0, 0, 0.9)
    """Share of ``path``'s train records moved to test: the last block of the file."""
    split_map: dict[str, str] = field(default_factory=lambda: dict(SPLIT_SYNONYMS))
    """Split names records use -> weakforge's train, dev, test; any other split is an
    error (a dev set under an unknown name would drop out of evaluation unseen)."""
    scheme: Literal["auto", "iob1", "bio"] = "auto"
    """Tag scheme of CoNLL files: ``auto`` reads IOB1 (CoNLL-2003) and BIO alike; ``bio``
    also rejects an entity that starts with I-; ``iob1`` as auto."""
    on_error: Literal["raise", "skip"] = "raise"
    """A bad record stops the run (``raise``) or goes to ``rejects.jsonl`` (``skip``)."""
    train_gold: Literal["ignore", "use"] = "ignore"
    """Gold labels on train records: ``ignore`` (kept aside in ``meta.train_gold``, so a
    labeled corpus can be weakly labeled as if it had none) or ``use`` (they tune source
    weights and override weak labels, as dev and reviewed gold always do)."""


@dataclass(frozen=True)
class LabelSection:
    """``[label]``: which labeling functions vote, and how they are applied."""

    rules: tuple[str, ...] = ()
    """Rules files or folders (every labeling function at module level is used); empty =
    the votes the records carry (e.g. WRENCH ``weak_labels``)."""
    data_paths: tuple[str, ...] = ()
    """Files the rules read (gazetteers, lexicons): editing one reruns the stage."""
    include: tuple[str, ...] = ()
    """Only these rules, by name (empty = all)."""
    exclude: tuple[str, ...] = ()
    """Rules to leave out, by name."""
    engine: Literal["local", "dask"] = "local"
    """``local`` processes, or a ``dask`` cluster for corpora past one machine."""
    workers: int = ranged(1, 1, None)
    """Processes that apply rules (local), or of a local Dask cluster."""
    shard_size: int = ranged(1000, 1, None)
    """Records per shard of votes (the unit of work and of files in ``votes/``)."""
    fault_tolerant: bool = False
    """A rule that raises abstains on that record (counted in the report) instead of
    stopping the run."""
    rule_timeout: float = ranged(10.0, 0, 86_400)
    """Seconds a rule may take on one text before it counts as failed (a hung rule stops the
    run, or abstains there with ``fault_tolerant``); 0 = no limit. Enforced in local and
    worker processes, not on Dask workers."""
    dask_address: str = ""
    """Scheduler address of a running Dask cluster; empty = start a local one."""
    keep_parse: bool = True
    """Keep spaCy's parse of the corpus in ``cache/docs`` so that the rule workbench
    (``weakforge lf-show``) tries a rule in seconds instead of parsing again."""


@dataclass(frozen=True)
class AggregateSection:
    """``[aggregate]``: turning votes into probabilistic labels (skweak)."""

    method: str = "auto"
    """A method of ``weakforge.aggregate.METHODS``: hmm, naive_bayes, majority (every source
    counted alike, dev gold aside), weighted_majority (each weighed by its dev accuracy); ``auto`` =
    the best of majority, weighted majority and the skweak model on dev gold (20 items or
    more), else hmm for NER and naive_bayes for classification."""
    fit_sample: int = ranged(20000, 1, None)
    """Documents (NER) or items the generative model is fitted on; the rest is only
    predicted, which bounds memory and time."""
    n_iter: int = ranged(4, 1, None)
    """EM / Baum-Welch iterations of the generative models."""
    redundancy_factor: float = ranged(0.1, 0, 1)
    """skweak's discount for sources that mostly repeat each other (0 = none)."""
    weights_from_gold: bool = True
    """Set the class prior and each source's initial weight from its accuracy on dev and
    reviewed gold."""
    abstain: Literal["prior", "none"] = "prior"
    """Items no source voted on get the most likely class (``prior``) or no label."""
    doc_majority: bool = True
    """NER: add skweak's document-level majority source (a string labeled X most often in a
    document is X everywhere in it)."""
    doc_history: tuple[str, ...] = ("PER", "ORG")
    """NER: labels whose full mentions label their later partial mentions in the same
    document (skweak's document history: "Lison" after "Pierre Lison"); labels not in [run]
    labels are skipped; empty = off."""
    doc_acronyms: bool = False
    """NER: add a document source for acronyms the document defines: a name followed by
    its acronym in brackets ("Central Narcotics Bureau ( CNB )") gives the acronym, there
    and everywhere else in the document, the name's type."""
    group_by: str = "doc"
    """NER: the record metadata key whose consecutive equal values form one document."""
    label_groups: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """A coarse label a source emits (e.g. ``ENT``) -> the labels it may stand for."""
    weights: dict[str, float] = field(default_factory=dict)
    """Initial source weights (1 = normal, 0 = ignore), e.g. trust in a precise rule;
    gold-based weights override them."""
    rounds: int | None = ranged(None, 0, 10)
    """Model-source rounds: a model taught by the weak labels votes as one more source
    (cross-fitted), then the votes are aggregated again. Classification: logistic regression
    on the run's sentence embeddings; NER: the ``span_model``. Unset = the task's default
    (2 for classification, 0 for NER, where a round fine-tunes a model per fold and did not
    gain with the shipped news rules; bench/RESULTS.md, aggregate_conll); set 1 to use it."""
    span_model: str = "encoder"
    """NER model source: ``encoder`` (the offline MiniLM fine-tuned as a token classifier
    on the weak spans, one epoch per fold), ``encoder:FOLDER`` (another encoder), or
    ``spacy`` (spaCy's CNN NER from scratch: faster, weaker)."""


@dataclass(frozen=True)
class AuditSection:
    """``[audit]``: finding label errors, duplicates, outliers and leakage (cleanlab)."""

    checks: tuple[str, ...] = ()
    """Checks of ``weakforge.audit.CHECKS`` to run; empty = every check."""
    model: str = ""
    """Sentence-embedding model folder (or hub name); empty = the offline
    all-MiniLM-L6-v2; ``static`` (or ``static:FOLDER``) = model2vec's static distillation
    of it (or of that model), distilled once, about 100x faster on a CPU, for corpora of
    100,000 texts and more; NER word vectors keep the transformer."""
    folds: int = ranged(5, 2, None)
    """Cross-validation folds for the out-of-sample predictions cleanlab judges labels by."""
    label_model: str = "tagger+vectors+case"
    """NER: the out-of-sample token model cleanlab judges labels by. The default is the mean
    of two: spaCy's cased CNN tagger taught per fold from en_core_web_sm's word layer
    (``tagger``, cached per fold) and a logistic regression on the encoder's word vectors
    plus each word's cased surface features (``vectors+case``): a shorter, more precise
    queue than the probe alone, at several times its cost (``vectors+case`` is the fast
    option; measurements in bench/RESULTS.md, audit_real_errors). Also: the probe
    without case features (``vectors``), the tagger alone (``tagger``), a
    transformer token classifier fine-tuned per fold with the train stage's trainer
    (``finetuned``, tens of minutes on a CPU), or its mean with the probe
    (``finetuned+vectors+case``)."""
    class_model: str = "auto"
    """Classification: the out-of-sample classifier cleanlab judges labels by. ``probe``: a
    logistic regression per fold on the sentence embeddings (seconds); ``finetuned``: the
    train stage's text classifier fine-tuned per fold (``fold_epochs`` each; minutes per
    fold on a CPU); ``auto``: ``finetuned`` when a CUDA GPU is present, else ``probe``. The
    report names the one used."""
    fold_epochs: float = ranged(2.0, 0.1, None)
    """Epochs of each fold's fine-tune (``label_model = "finetuned..."``, ``class_model =
    "finetuned"``)."""
    fold_learning_rate: float = ranged(1e-3, 1e-07, 1.0)
    """Learning rate of each fold's fine-tune (higher than the train stage's: the folds
    train briefly; bench/RESULTS.md, audit_noise)."""
    tagger_epochs: int = 5
    """Epochs of each fold's tagger (``label_model = "tagger..."``)."""
    budget: int = ranged(500, 0, None)
    """Most items queued as label issues, the worst first: 500 is an hour or two of review
    at the page's keys (on WNUT-17 the check flagged 34% of train). 0 = every item the check
    flags. The log and the report say how many were left out; every item keeps its scores
    and rank in the audited records."""
    entity_flag_below: float = ranged(0.001, 0, 1)
    """NER, labels people gave (gold): of the entities cleanlab finds unlikely, only those
    whose label the out-of-sample model gives less than this probability are queued (a
    name the rest of its document labels otherwise is queued whatever the model says);
    the rest keep their scores and rank in the audited records, and the report gives
    cleanlab's estimate of how many are wrong. 1 = queue every entity cleanlab finds.
    Weak labels are queued as cleanlab finds them (the cut lost more than it gained there;
    bench/RESULTS.md, audit_real_errors)."""
    rules_weight: float = ranged(0.75, 0, 0.95)
    """NER, labels people gave on dev and test records, where the rules ran too (the label
    and aggregate stages over a corpus with gold): the weight of the rules' aggregated tag
    in the out-of-sample probabilities of the words a given entity and an aggregated entity
    share (0 = the model alone). A model taught the given labels repeats their habits;
    rules know what the labels do not (chosen on CoNLL dev against verified corrections;
    at 1 the model is overruled and the queue floods). Above 0 the rules also settle
    document conflicts: a mention its document labels otherwise is not queued as a
    conflict where the rules give it the type people gave. Measurements: bench/RESULTS.md,
    audit_real_errors --rules."""
    knn: int = ranged(10, 1, None)
    """Neighbours per item in the kNN graph (outliers, paraphrase duplicates)."""
    near_duplicate_threshold: float = ranged(0.95, 0, None)
    """Cosine similarity from which two items are paraphrase duplicates (above 1: off)."""
    minhash_threshold: float = ranged(0.8, 0, None)
    """Estimated character-shingle Jaccard from which two texts are near copies (audit, and
    the augment stage's guard against copies of dev/test texts)."""
    outlier_fraction: float = ranged(0.02, 0, 0.5)
    """Share of least typical items flagged as outliers (0 = none)."""
    imbalance_ratio: float = ranged(5.0, 1, None)
    """Largest / smallest class count above which the corpus is reported imbalanced."""
    database: str = ""
    """The review queue: empty = ``review.sqlite`` in the run folder; a SQLite file path; or
    a server URL a team shares (``postgresql://reviewer@host/dbname``; keep the password
    out of the file: the driver reads PGPASSWORD or ~/.pgpass)."""
    double_annotate: float = ranged(0.0, 0, 1)
    """Share of queued items (chosen by a hash of the id, stable across refills) that two
    reviewers label independently: the second is shown the item blind, without the first
    decision; their agreement (Cohen's kappa, span F1 for NER) is on the page and in the
    report. 0 = every item is reviewed once."""


@dataclass(frozen=True)
class AugmentSection:
    """``[augment]``: label-preserving copies of training items (nlpaug)."""

    augmenters: tuple[str, ...] = ("synonym", "swap", "delete", "keyboard")
    """Augmenters to draw from: synonym (WordNet), swap, delete, keyboard, ocr; mention
    (NER: swap an entity for another of its type)."""
    copies: int | None = ranged(None, 0, None)
    """Copies made of each eligible training item; unset = the task's default: 1 for
    classification, 0 for NER (opt-in: on WNUT-17 copies deleted unlabeled names and split
    URLs, and training took about 60% longer)."""
    sequence: int = ranged(1, 1, None)
    """Augmenters applied one after another to make one copy."""
    p: float = ranged(0.15, 0, 1)
    """Share of words (or characters) an augmenter changes."""
    skip_flags: tuple[str, ...] = (
        "label_issue",
        "exact_duplicate",
        "near_duplicate",
        "duplicate_conflict",
        "leakage",
        "low_confidence",
    )
    """Audit issue types whose items are not augmented unless a reviewer cleared them."""
    mention_lists: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Label -> entity list files added to the training data's own entities for mention
    swaps."""
    check_label: bool = True
    """Drop classification copies that a quick classifier no longer gives their label."""


@dataclass(frozen=True)
class TrainSection:
    """``[train]``: fine-tuning the end model (transformers + peft)."""

    family: str = "encoder"
    """End model kind: an encoder classifier (the default, fast on a CPU) or a causal LM
    (decoder) fine-tuned on instruction data built from the run's labels, evaluated by
    generation. ``causal`` needs ``base_model``: a local causal LM folder."""
    base_model: str = ""
    """A model folder or hub name; empty = the offline all-MiniLM-L6-v2."""
    lora: bool = True
    """LoRA adapters (the classifier head trained fully); false = fine-tune everything."""
    lora_r: int = ranged(8, 1, None)
    """LoRA rank."""
    lora_alpha: int = ranged(16, 1, None)
    """LoRA scaling."""
    lora_dropout: float = ranged(0.1, 0, 1)
    """Dropout on the LoRA layers."""
    target_modules: tuple[str, ...] = ()
    """Modules that get LoRA adapters; empty = found per architecture (an encoder's query
    and value projections, every linear layer but the output head of a causal LM)."""
    merge: bool = False
    """Also save the LoRA weights merged into full weights."""
    case_features: Literal["auto", "on", "off"] = "auto"
    """Give an uncased encoder each word piece's letter case (lower, Title, UPPER, mixed,
    none) as a learned embedding, in the slot BERT-like models keep for token types. An
    uncased tokenizer (the default MiniLM's) reads "Bush" and "bush", "FREE" and "free"
    alike, though case tells names in NER and shouting in spam. ``auto``: on for NER when
    the tokenizer is uncased and the model has token type embeddings (said in the log), off
    otherwise; ``on``: always (an error where the model has no token type slot). For
    classification the case rows learn at a tenth of the learning rate, and ``auto`` leaves
    them off (the task's defaults in :mod:`weakforge.tasks`; measurements in
    bench/RESULTS.md, train_wrench)."""
    soft_labels: bool = True
    """Train on the label model's probabilities instead of its argmax."""
    uncovered: Literal["drop", "prior"] = "drop"
    """Classification: train items no rule voted on (their weak label is only the class
    prior, or a model source's guess from the rules' own labels) are left out (``drop``,
    WRENCH's protocol) or trained on (``prior``). NER keeps every sentence: an empty vote
    there means "no entity", not "no opinion"."""
    min_confidence: float = ranged(0.0, 0, 1)
    """Leave out weakly labeled items whose label confidence is below this."""
    confidence_weighting: bool = False
    """Weight each weakly labeled item's loss by its label confidence."""
    class_bias: Literal["auto", "dev", "none"] = "auto"
    """After training, fit offsets on the end model's log-probabilities to maximise the dev
    score, from 30 dev items with gold: one per class for dev macro-F1, one per entity type
    for dev span F1; stored with the model and applied whenever it predicts. Weak labels
    carry their rules' balance between classes; this moves the decision back to dev's.
    ``auto`` fits them for classification (they gained on WRENCH), and for NER only where
    type offsets fit on one half of dev gain span F1 on the other half (on CoNLL they gained
    in two runs and lost in a third: bench/RESULTS.md); ``dev`` always, ``none`` never.
    The report gives the offsets and the dev score before and after (after is optimistic:
    it was fit there), or why none were kept."""
    document_vote: bool = True
    """NER, encoder family: within a document (consecutive records sharing ``[aggregate]
    group_by``), each name the end model finds takes the type it gives that name most often
    there (weighted by confidence); stored with the model and applied whenever it predicts
    on records with that field (measured: bench/RESULTS.md, small_ner)."""
    epochs: float | None = ranged(None, 0.01, None)
    """Training epochs; unset = the task's default: 3 for classification; for NER 3, or on
    a small corpus as many as make 600 optimiser steps (at most 10), since a tagger taught
    1,000 weakly labeled sentences for 3 epochs stays far below its label model
    (bench/RESULTS.md, small_ner). With dev gold the best epoch is kept and training stops
    after ``patience`` epochs without a better dev score."""
    batch_size: int = ranged(16, 1, None)
    """Batch size on the CPU."""
    gpu_batch_size: int = ranged(64, 1, None)
    """Batch size on a CUDA GPU."""
    learning_rate: float | None = ranged(None, 1e-09, 1)
    """Peak learning rate; unset = the task's default: 5e-4 for classification, 2e-3 for
    NER (measured: bench/RESULTS.md, small_ner and train_conll). The run's log and
    report say the value used."""
    warmup_ratio: float = ranged(0.06, 0, 1)
    """Share of steps with a rising learning rate."""
    weight_decay: float = ranged(0.01, 0, 1)
    """AdamW weight decay."""
    max_length: int = ranged(128, 8, None)
    """Longest input in tokens; longer texts are cut."""
    patience: int = ranged(2, 0, None)
    """Stop after this many epochs without a better dev score (needs dev gold)."""
    self_training: int = ranged(0, 0, None)
    """Rounds of self-training: the trained end model relabels the weakly labeled training
    items with its own predictions and a fresh model trains on them (gold and reviewed labels
    stay). With dev gold, a round that lowers the dev score is undone and the rounds stop.
    Each round costs one more training. Off by default: on WRENCH the three-dataset mean
    fell (bench/RESULTS.md, train_wrench); on a 1,000-sentence CoNLL sample one round
    lowered dev span F1 (0.7748 -> 0.7728) and was undone (small_ner_self_training)."""
    max_steps: int = -1
    """Cap on optimiser steps (> 0), e.g. for a quick try."""
    tensorboard: bool = False
    """Write TensorBoard logs into the model folder."""
    instruction: str = ""
    """Causal: the system instruction; empty = one naming the task and the label set."""
    max_new_tokens: int = ranged(128, 1, None)
    """Causal: the longest answer generated for NER (classification scores the labels)."""
    quantize: Literal["none", "4bit"] = "none"
    """Causal: ``4bit`` = QLoRA (bitsandbytes) when a CUDA GPU is present; on a CPU the
    model trains unquantised, and the log says so."""
    gradient_checkpointing: bool = False
    """Recompute activations in the backward pass: less GPU memory, slower steps."""
    search: dict[str, tuple[float, ...]] = field(default_factory=dict)
    """Hyperparameter grid scored on dev gold, e.g. ``{learning_rate = [1e-4, 5e-4],
    lora_r = [8, 16]}``: one model per combination, the best kept, all reported. Empty = the
    settings above, once."""


@dataclass(frozen=True)
class ReportSection:
    """``[report]``: the human report."""

    formats: tuple[Literal["html", "md"], ...] = ("html", "md")
    """Report formats written into the run folder."""


@dataclass(frozen=True)
class ReviewSection:
    """``[review]``: what reviewers read beside the queue."""

    guidelines: str = ""
    """Annotation guidelines: a Markdown file (relative to the config) shown on the review
    page, sanitised (no HTML, no images, links to http, https and mailto only)."""
    label_descriptions: dict[str, str] = field(default_factory=dict)
    """One line per label, shown beside its button (e.g. ``SPAM = "ads, links, asks to
    subscribe"``)."""


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
    review: ReviewSection = field(default_factory=ReviewSection)
    base_dir: str = "."

    def resolve(self, relative: str) -> Path:
        """A config path made absolute against the config's folder."""
        path = Path(relative).expanduser()
        return path if path.is_absolute() else Path(self.base_dir) / path

    def section(self, name: str) -> Any:
        return getattr(self, name)

    def labels_for(self, examples: Iterable[Example]) -> list[str]:
        """The task's labels: ``[run] labels``, else every label the records use (their
        gold, weak labels and votes), so every stage works them out the same way."""
        return list(self.run.labels) or labels_used(examples)

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


QUICK_STAGES = ("ingest", "label", "aggregate", "audit", "train")


def quick_profile(config: RunConfig) -> RunConfig:
    """``weakforge run --quick``: a first look at a new corpus in minutes: no augmentation,
    the audit's fast NER token model (the word-vector probe, no per-fold tagger), one
    training epoch. Stages the config leaves out stay out."""
    wanted = config.run.stages or QUICK_STAGES
    return replace(
        config,
        run=replace(config.run, stages=tuple(s for s in wanted if s != "augment")),
        audit=replace(config.audit, label_model="vectors+case"),
        train=replace(config.train, epochs=min(config.train.epochs or 1.0, 1.0)),
    )


def load_config(path: str | Path) -> RunConfig:
    """Read and check a TOML run config."""
    path = Path(path)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8-sig"))  # a BOM is no error
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such config file") from None
    except OSError as exc:  # no permission, a folder, ...
        raise ConfigError(f"{path}: cannot be read ({exc.strerror}); check the path") from None
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


# allowed ranges (inclusive; None = unbounded), checked when the config loads, before any
# stage runs: a bad value fails here with its key, not later in a library
RANGES: dict[tuple[str, str], tuple[float | None, float | None]] = {
    (table, f.name): f.metadata["range"]
    for table, section in SECTIONS.items()
    for f in fields(section)
    if "range" in f.metadata
}
"""Each ranged key's (low, high), as its field states it (None: no bound)."""


def check_ranges(config: RunConfig, source: str) -> None:
    for (table, key), (low, high) in RANGES.items():
        value = getattr(config.section(table), key)
        if value is None:
            continue
        if isinstance(value, float) and value != value:  # NaN compares false with any bound
            raise ConfigError(f"{source} [{table}] {key} = nan is not a number; give a value")
        if (low is not None and value < low) or (high is not None and value > high):
            allowed = f"from {low}" + (f" to {high}" if high is not None else " up")
            raise ConfigError(
                f"{source} [{table}] {key} = {value!r} is out of range; use {allowed}"
            )


def check_config(config: RunConfig, source: str) -> None:
    """Checks across keys that the types alone cannot express. Names that registries hold
    (methods, checks, augmenters, ...) are checked where a run starts, by
    :func:`weakforge.stages.registered_names.check_registered_names`."""
    if config.run.task not in TASKS:
        raise ConfigError(f"{source} [run] task: choose one of {list(TASKS)}")
    if len(set(config.run.labels)) != len(config.run.labels):
        raise ConfigError(f"{source} [run] labels: a label is listed twice")
    clash = sorted(set(config.aggregate.label_groups) & set(config.run.labels))
    if clash:
        raise ConfigError(
            f"{source} [aggregate] label_groups: {clash} are labels of [run] labels too; a "
            "coarse label needs a name of its own (e.g. ENT)"
        )
    name = config.run.name
    if not name.strip() or Path(name).is_absolute() or ".." in Path(name).parts:
        raise ConfigError(
            f"{source} [run] name = {name!r}: the run folder is runs/<name>, so give a plain "
            "name (use --out for a folder elsewhere)"
        )
    check_ranges(config, source)


def key_docs(section: type) -> dict[str, str]:
    """Each field's docstring (the string literal right under it in the class body)."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(section)))
    body = tree.body[0].body  # type: ignore[attr-defined]
    docs = {}
    for node, after in zip(body, body[1:]):
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if isinstance(after, ast.Expr) and isinstance(after.value, ast.Constant):
                docs[node.target.id] = " ".join(str(after.value.value).split())
    return docs


def reference() -> str:
    """The config reference as Markdown: every table and key, its default and meaning."""
    lines = []
    for name, section in SECTIONS.items():
        lines += [f"### [{name}]", "", (section.__doc__ or "").strip(), ""]
        lines += ["| key | default | range | meaning |", "|---|---|---|---|"]
        docs = key_docs(section)
        defaults = dataclasses.asdict(section())
        for f in fields(section):
            default = "unset" if defaults[f.name] is None else json.dumps(defaults[f.name])
            low, high = f.metadata.get("range", (None, None))
            bounds = "" if low is None else f"≥ {low}" if high is None else f"{low} to {high}"
            lines.append(f"| `{f.name}` | `{default}` | {bounds} | {docs.get(f.name, '')} |")
        lines.append("")
    return "\n".join(lines)


def saved_config(run_dir: Path) -> RunConfig | None:
    """The config a run used, as the pipeline saved it in the run folder (None without)."""
    path = Path(run_dir) / RESOLVED_CONFIG
    if not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a table of config tables")
    except (ValueError, UnicodeDecodeError) as exc:  # JSONDecodeError is a ValueError
        raise ConfigError(
            f"{path} is damaged ({exc}); run `weakforge run CONFIG --out {run_dir}` again to "
            "rewrite it"
        ) from None
    base_dir = data.pop("base_dir", ".")
    return config_from_dict(data, base_dir, str(path))
