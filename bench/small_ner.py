"""NER on small corpora: a weakforge run with its defaults on 1,000 and 3,000 sentences of
CoNLL-2003 train, weak labels from the shipped news rules only, dev = CoNLL testa.

What a new user with a small corpus gets: the sample (whole documents, drawn in a seeded
order until the size is reached) is the train file, its gold ignored (``train_gold =
"ignore"``); testa is ``[data] dev_path``, so its gold weighs the sources, chooses the
aggregation and stops training, as it would in a user's run; it also scores here (CoNLL
test stays out, for the team's held-out check). The run is ``weakforge run`` with stages
ingest, label, aggregate, train and nothing set in ``[train]`` (no audit: it queues items
for people and changes no label on its own; augmentation is opt-in for NER).

``--set train.learning_rate=2e-3`` (repeatable) overrides one key, to compare settings; the
run folders stay under /tmp/weakforge-small-ner, so labels and aggregation are reused.

    python bench/small_ner.py [--sizes 1000,3000] [--set train.KEY=VALUE ...] [--name small_ner]
        [--from-stage train]   (after a code change: the stages' inputs are unchanged)
    python bench/small_ner.py --sizes all --name full_ner   (all of CoNLL train, the same run)
"""

from __future__ import annotations

import argparse
import random
import tempfile
from pathlib import Path

import tomllib
from benchlib import BENCH, markdown_table, record, shared

from weakforge import stages
from weakforge.config import RunConfig, config_from_dict

LABELS = ["PER", "ORG", "LOC", "MISC"]
WORK = Path(tempfile.gettempdir()) / "weakforge-small-ner"


def documents(path: Path) -> list[list[str]]:
    """The CoNLL file's documents, each its lines (from its -DOCSTART- line on)."""
    docs: list[list[str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-DOCSTART-") or not docs:
            docs.append([])
        docs[-1].append(line)
    return docs


def sentences_in(doc: list[str]) -> int:
    count, inside = 0, False
    for line in doc:
        word = line.strip() and not line.startswith("-DOCSTART-")
        count += bool(word and not inside)
        inside = bool(word)
    return count


def sample(docs: list[list[str]], size: int, seed: int = 0) -> tuple[list[str], int]:
    """Whole documents in a seeded order until ``size`` sentences are in."""
    order = list(range(len(docs)))
    random.Random(seed).shuffle(order)
    lines: list[str] = []
    taken = 0
    for index in order:
        if taken >= size:
            break
        lines += docs[index]
        taken += sentences_in(docs[index])
    return lines, taken


def config_for(folder: Path, corpus: Path, overrides: dict[str, dict]) -> RunConfig:
    repo = BENCH.parent
    config = {
        "run": {
            "name": folder.name,
            "task": "ner",
            "labels": LABELS,
            "stages": ["ingest", "label", "aggregate", "train"],
        },
        "data": {
            "path": str(corpus),
            "format": "conll",
            "dev_path": str(shared("conll2003", "eng.testa")),
            "dev_format": "conll",
        },
        "label": {
            "rules": [str(repo / "rules" / "news_ner.py")],
            "data_paths": [str(repo / "gazetteers")],
        },
        "aggregate": {"label_groups": {"ENT": LABELS}},
    }
    for table, values in overrides.items():
        config.setdefault(table, {}).update(values)
    return config_from_dict(config, base_dir=folder)


def parse_overrides(pairs: list[str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for pair in pairs:
        key, _, value = pair.partition("=")
        table, _, name = key.partition(".")
        out.setdefault(table, {})[name] = tomllib.loads(f"v = {value}")["v"]
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,3000")
    parser.add_argument("--set", action="append", default=[], help="table.key=TOML value")
    parser.add_argument("--name", default="small_ner", help="results file name")
    parser.add_argument(
        "--from-stage", default=None, help="rerun from this stage though its inputs are unchanged"
    )
    args = parser.parse_args()
    overrides = parse_overrides(args.set)
    docs = documents(shared("conll2003", "eng.train"))
    metrics: dict = {"overrides": args.set}
    rows = []
    for size_name in args.sizes.split(","):
        whole = size_name == "all"  # every document of CoNLL train: the full-data defaults
        size = sum(map(sentences_in, docs)) if whole else int(size_name)
        folder = WORK / size_name
        folder.mkdir(parents=True, exist_ok=True)
        lines, taken = sample(docs, size)
        corpus = folder / "sample.conll"
        if not corpus.exists() or corpus.read_text(encoding="utf-8") != "\n".join(lines) + "\n":
            corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
        config = config_for(folder, corpus, overrides)
        result = stages.run(config, folder / "run", force_from=args.from_stage)
        train = result.metrics["train"]
        dev = train["scores"]["dev"]
        key = "all" if whole else f"{size // 1000}k"
        end, teacher = dev["end_model"], dev["label_model"]
        metrics.update(
            {
                f"end_f1_{key}": end["f1"],
                f"lm_f1_{key}": teacher["f1"],
                f"end_predicted_entities_{key}": end.get("predicted"),
                f"lm_predicted_entities_{key}": teacher.get("predicted"),
                f"sentences_{key}": taken,
                f"method_{key}": result.metrics["aggregate"].get("method"),
                f"train_seconds_{key}": train["seconds"],
                f"epochs_run_{key}": len(train["epochs"]),
                f"end_per_type_{key}": {t: end["per_label"][t]["f1"] for t in LABELS},
                f"lm_per_type_{key}": {t: teacher["per_label"][t]["f1"] for t in LABELS},
            }
        )
        rows.append([taken, teacher["f1"], end["f1"], train["seconds"], len(train["epochs"])])
    table = markdown_table(
        ["train sentences", "label model dev F1", "end model dev F1", "train s", "epochs"], rows
    )
    record(
        args.name,
        metrics,
        table,
        ["../shared/data/conll2003/eng.train", "../shared/data/conll2003/eng.testa"],
        notes="Defaults of weakforge run (stages ingest, label, aggregate, train); shipped "
        "rules/news_ner.py and gazetteers/ only; dev = testa (weights, choice, early stop, "
        "score)" + (f"; overrides {args.set}" if args.set else ""),
    )


if __name__ == "__main__":
    main()
