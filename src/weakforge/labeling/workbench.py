"""The rule workbench: parse a corpus once, then try a rule (or a rules file) in seconds.

Open it on a run folder or on a config whose corpus is ingested (``Workbench.open``; the
``lf-show`` command ingests first where needed); it reads the records, the other
sources' votes and the aggregated labels of the run, and spaCy's parse from the label
stage's cache (``cache/docs``; parsed and cached now where the run has none). Then::

    bench = Workbench.open("runs/demo-ner")   # or a config, once `weakforge ingest` ran
    trial = bench.trial("company_suffix")    # a rule by name, a rules file, or a rule object
    trial.hits("errors")                     # shown as HTML in Jupyter; .show() in a terminal

Each call re-imports the rules file, so an edited rule is tried as it is now.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from spacy.tokens import Doc

from weakforge.config import RunConfig, load_config, saved_config
from weakforge.corpus.tabular import load_records
from weakforge.digests import digest_path
from weakforge.errors import RuleError, WeakforgeError
from weakforge.labeling.applier import load_pipeline, read_votes, safe_vote
from weakforge.labeling.discovery import discover
from weakforge.labeling.llm import few_shot_pool
from weakforge.labeling.parsed import (
    docs_folder,
    docs_to_bytes,
    drop_other_parses,
    parse,
    parses_of,
    read_docs,
    write_part,
)
from weakforge.labeling.rules import LabelingFunction
from weakforge.labeling.trial import RuleTrial
from weakforge.layout import AGGREGATED, RECORDS, VOTES
from weakforge.progress import progress_bar
from weakforge.records import Example, labels_in
from weakforge.tasks import task_kind
from weakforge.tokenize import blank_pipeline

log = logging.getLogger(__name__)
SHARD = 1000  # docs per cache file, as the label stage writes them


@dataclass
class Workbench:
    """A parsed corpus to try rules on. ``examples`` carry the run's other votes and
    aggregated labels (for overlap, conflict and agreement) and gold where there is some."""

    config: RunConfig
    run_dir: Path
    examples: list[Example]
    parse_seconds: float = 0.0  # spent parsing here (0 when the cache had the docs)
    _docs: dict[str | None, list[Doc]] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, target: str | Path, out: str | Path | None = None) -> Workbench:
        """A workbench on a run folder, or on a config (its run folder: ``out`` or
        ``runs/<name>``, whose corpus must be ingested already)."""
        target = Path(target)
        if target.is_dir():
            run_dir, config = target, saved_config(target)
            if config is None:
                raise WeakforgeError(
                    f"{target} is not a run folder (no config.resolved.json); name a config "
                    "file, or a folder a run wrote"
                )
        else:
            config = load_config(target)
            run_dir = Path(out) if out else Path("runs") / config.run.name
        if not (run_dir / RECORDS).exists():
            raise WeakforgeError(
                f"{run_dir} holds no ingested corpus yet ({RECORDS}); run `weakforge ingest "
                f"{target} --out {run_dir}` first (the `lf-show` command does it for you)"
            )
        return cls(config, run_dir, run_examples(run_dir))

    @property
    def labels(self) -> tuple[str, ...]:
        """Labels a rule may emit: the task's, and the coarse labels of label groups."""
        run = self.config.run
        return (*run.labels, *self.config.aggregate.label_groups) if run.labels else ()

    def rules(self, source: str | Path | None = None) -> list[LabelingFunction]:
        """The rules of a file or folder (default: the config's ``[label] rules``), as they
        are on disk now."""
        paths = (
            [Path(source)] if source else [self.config.resolve(p) for p in self.config.label.rules]
        )
        return list(discover(paths, self.config.run.task, self.labels).rules)

    def find(self, rule: str) -> LabelingFunction:
        """A rule by name (in the configured rules), or ``file.py:name``."""
        file, name = rule.rsplit(":", 1) if ".py:" in rule else ("", rule)
        if name.endswith(".py"):
            raise RuleError(f"{rule} is a file: name one of its rules as {rule}:NAME")
        found = self.rules(file or None)
        by_name = {r.name: r for r in found}
        if name not in by_name:
            raise RuleError(f"no rule named '{name}'; rules found: {sorted(by_name)}")
        return by_name[name]

    def docs(self, model: str | None) -> list[Doc]:
        """The corpus parsed by ``model`` (spaCy pipeline; None = tokenizer only): from
        memory, from the label stage's cache, or parsed now (and cached)."""
        if model in self._docs:
            return self._docs[model]
        folder = docs_folder(self.run_dir, digest_path(self.run_dir / RECORDS), model)
        candidates = parses_of(folder) if model is None else [folder]
        docs = None
        for candidate in candidates:
            docs = docs or read_docs(candidate, blank_pipeline(), len(self.examples))
        if docs is None:
            started = time.perf_counter()
            docs = parse_and_cache(self.examples, model, folder)
            self.parse_seconds += time.perf_counter() - started
        self._docs[model] = docs
        return docs

    def trial(self, rule: str | Path | LabelingFunction) -> RuleTrial:
        """Apply one rule (a name, ``file.py:name``, or a rule object) to every text."""
        chosen = rule if isinstance(rule, LabelingFunction) else self.find(str(rule))
        self.check(chosen)
        return self.apply(chosen)

    def trials(self, source: str | Path | None = None) -> list[RuleTrial]:
        """Every rule of a file or folder (default: the configured rules), each tried."""
        return [self.apply(rule) for rule in self.rules(source)]

    def check(self, rule: LabelingFunction) -> None:
        kind = task_kind(self.config.run.task).rule_kind
        if rule.kind != kind:
            raise RuleError(f"rule '{rule.name}' is a {rule.kind} rule; this task needs {kind}")
        stray = [x for x in rule.labels if self.labels and x not in self.labels]
        if stray:
            raise RuleError(
                f"rule '{rule.name}' emits unknown label(s) {stray}; valid: {list(self.labels)}"
            )

    def apply(self, rule: LabelingFunction) -> RuleTrial:
        docs = self.docs(rule.model)
        started = time.perf_counter()
        if rule.source is not None:  # an LLM: the same shots as the run, answers batched
            rule.source.use_examples(few_shot_pool(self.examples))
            rule.source.prepare([doc.text for doc in docs])
        votes = [safe_vote(rule, doc, e.id)[0] for doc, e in zip(docs, self.examples)]
        seconds = time.perf_counter() - started
        known = set(self.labels)
        for example, vote in zip(self.examples, votes):
            stray = labels_in(vote) - known if known else set()
            if stray:
                raise RuleError(
                    f"rule '{rule.name}' voted {sorted(stray)} on '{example.id}'; valid labels: "
                    f"{sorted(known)}"
                )
        examples = [
            replace(e, votes={**e.votes, rule.name: v}) for e, v in zip(self.examples, votes)
        ]
        return RuleTrial(rule.name, self.config.run.task, examples, seconds)


def run_examples(run_dir: Path) -> list[Example]:
    """The run's records with the votes of its sources and its aggregated labels."""
    examples = load_records(run_dir / RECORDS)
    if (run_dir / VOTES).is_dir():
        votes = read_votes(run_dir / VOTES)
        examples = [replace(e, votes={**e.votes, **votes.get(e.id, {})}) for e in examples]
    if (run_dir / AGGREGATED).exists():
        aggregated = {e.id: e.label for e in load_records(run_dir / AGGREGATED)}
        examples = [replace(e, label=aggregated.get(e.id)) for e in examples]
    return examples


def parse_and_cache(examples: list[Example], model: str | None, folder: Path) -> list[Doc]:
    """Parse the corpus (batched, one progress bar) and keep it where the label stage would."""
    nlp = load_pipeline(model)
    drop_other_parses(folder)
    docs: list[Doc] = []
    with progress_bar("parsing the corpus (once)", len(examples)) as advance:
        for start in range(0, len(examples), SHARD):
            chunk = examples[start : start + SHARD]
            parsed = list(
                parse(
                    nlp,
                    [e.text for e in chunk],
                    [e.meta.get("tokenized") == "conll" for e in chunk],
                )
            )
            write_part(docs_to_bytes(parsed), folder, start // SHARD)
            docs += parsed
            advance(len(chunk))
    log.info(
        "parsed %d texts with %s; cached in %s", len(docs), model or "a blank pipeline", folder
    )
    return docs
