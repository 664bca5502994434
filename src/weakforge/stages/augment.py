"""The augment stage: add label-preserving copies of training items to the run's records.

Runs on the train split only, after the audit: items flagged and not cleared by a reviewer
are not augmented. Guards drop copies that change nothing or duplicate an existing text,
copies that are near copies of a dev/test text (leakage), and classification copies whose
label a quick classifier (logistic regression on sentence embeddings, fitted on the
originals) no longer agrees with. The report counts copies per augmenter and drops per
reason, with examples.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from sklearn.linear_model import LogisticRegression

from weakforge.audit.duplicates import minhash_duplicate_sets, normalise
from weakforge.augment.nlpaug_adapter import Copy, augment_examples
from weakforge.config import RunConfig
from weakforge.corpus.tabular import load_records, save_records
from weakforge.labeling.gazetteer import read_entries
from weakforge.labels import given_label
from weakforge.layout import AGGREGATED, AUDITED, AUGMENTED, EMBEDDING_CACHE, RECORDS
from weakforge.learners.embeddings import embed
from weakforge.pipeline import Stage, StageContext
from weakforge.records import Example
from weakforge.report import Section, Table
from weakforge.tasks import task_kind

log = logging.getLogger(__name__)


def eligible(config: RunConfig):
    skip = set(config.augment.skip_flags)

    def check(example: Example) -> bool:
        cleared = example.gold is not None  # a reviewed (or gold) item is trusted
        return cleared or not (skip & set(example.flags))

    return check


def mention_pool(config: RunConfig, examples: list[Example]) -> dict[str, list[str]]:
    """Entities per label for mention swaps: the training data's own, plus configured lists."""
    pool: dict[str, set[str]] = {}
    for example in examples:
        label = given_label(example)
        if example.split == "train" and isinstance(label, tuple):
            for span in label:
                pool.setdefault(span.label, set()).add(example.text[span.start : span.end])
    for label, paths in config.augment.mention_lists.items():
        for path in paths:
            pool.setdefault(label, set()).update(read_entries(config.resolve(path), label)[label])
    return {label: sorted(items) for label, items in pool.items()}


def guard(
    copies: list[Copy], examples: list[Example], config: RunConfig, embeddings_dir
) -> tuple[list[Copy], Counter]:
    """Drop copies that duplicate a text, leak towards dev/test, or lose their label."""
    dropped: Counter = Counter()
    seen = {normalise(e.text) for e in examples}
    kept = []
    for copy in copies:
        key = normalise(copy.example.text)
        if key in seen:
            dropped["unchanged or duplicate text"] += 1
            continue
        seen.add(key)
        kept.append(copy)
    held_out = [e.text for e in examples if e.split in ("dev", "test")]
    if kept and held_out:
        texts = held_out + [c.example.text for c in kept]
        near = minhash_duplicate_sets(texts, config.audit.minhash_threshold)
        leaking = {
            i - len(held_out)
            for group in near
            if min(group) < len(held_out)
            for i in group
            if i >= len(held_out)
        }
        dropped["near copy of a dev/test text"] += len(leaking)
        kept = [c for i, c in enumerate(kept) if i not in leaking]
    if kept and not task_kind(config.run.task).spans and config.augment.check_label:
        originals = [
            e
            for e in examples
            if e.split == "train" and given_label(e) is not None and not e.origin
        ]
        classes = sorted({given_label(e) for e in originals})
        if len(classes) > 1:
            vectors = embed([e.text for e in originals], config.audit.model, embeddings_dir)
            model = LogisticRegression(max_iter=500).fit(
                vectors, [given_label(e) for e in originals]
            )
            predicted = model.predict(
                embed([c.example.text for c in kept], config.audit.model, embeddings_dir)
            )
            agree = [c for c, p in zip(kept, predicted) if p == given_label(c.example)]
            dropped["label check disagrees"] += len(kept) - len(agree)
            kept = agree
    return kept, dropped


def run_augment(ctx: StageContext) -> dict[str, Any]:
    config = ctx.config
    examples = load_records(ctx.input(ctx.stage.records_from))
    section = config.augment
    allowed = eligible(config)
    per_item = (
        task_kind(config.run.task).augment_copies if section.copies is None else section.copies
    )
    if per_item == 0 and section.copies is None:
        log.info(
            "augmentation is opt-in for %s: no copies made ([augment] copies = 1 makes them)",
            config.run.task,
        )
    copies = augment_examples(
        examples,
        config.run.task,
        augmenters=section.augmenters,
        copies=per_item,
        sequence=section.sequence,
        p=section.p,
        seed=config.run.seed,
        mentions=mention_pool(config, examples),
        eligible=allowed,
    )
    kept, dropped = guard(copies, examples, config, ctx.run_dir / EMBEDDING_CACHE)
    save_records([*examples, *(c.example for c in kept)], ctx.output(AUGMENTED))
    originals = {e.id: e for e in examples}
    made = Counter("+".join(c.augmenters) for c in copies)
    kept_by = Counter("+".join(c.augmenters) for c in kept)
    shown = []
    for name in sorted(kept_by):
        copy = next(c for c in kept if "+".join(c.augmenters) == name)
        shown.append(
            {
                "augmenter": name,
                "before": originals[copy.example.origin].text[:160],
                "after": copy.example.text[:160],
            }
        )
    train_items = sum(e.split == "train" for e in examples)
    return {
        "copies_per_item": per_item,
        "opt_in": section.copies is None and per_item == 0,
        "eligible": sum(1 for e in examples if e.split == "train" and allowed(e)),
        "train_items": train_items,
        "made": sum(made.values()),
        "kept": len(kept),
        "per_augmenter": {
            name: {"made": made[name], "kept": kept_by[name]} for name in sorted(made)
        },
        "dropped": dict(dropped),
        "examples": shown,
    }


def describe_augment(metrics: dict[str, Any]) -> Section:
    if metrics.get("opt_in"):
        return Section(
            "Augmentation",
            [
                "No copies made: augmentation is opt-in for NER (copies can drop or split an "
                "unlabeled name, and training takes longer); [augment] copies = 1 turns it on."
            ],
        )
    return Section(
        "Augmentation",
        [
            f"{metrics['eligible']} of {metrics['train_items']} training items were eligible; "
            f"{metrics['made']} copies made, {metrics['kept']} kept.",
            Table(
                ["augmenter", "made", "kept"],
                [[n, v["made"], v["kept"]] for n, v in metrics["per_augmenter"].items()],
            ),
            Table(
                ["dropped because", "copies"],
                [[k, v] for k, v in metrics["dropped"].items()] or [["nothing dropped", 0]],
            ),
            Table(
                ["augmenter", "before", "after"],
                [[x["augmenter"], x["before"], x["after"]] for x in metrics["examples"]],
            ),
        ],
    )


AUGMENT = Stage(
    name="augment",
    run=run_augment,
    reads_newest=(AUDITED, AGGREGATED, RECORDS),
    outputs=(AUGMENTED,),
    config_keys=("augment", "audit"),
    describe=describe_augment,
)
