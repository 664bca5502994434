"""The rule-writing loop on CoNLL-2003 train (14,041 sentences) with the dev file
(eng.testa) as gold: how long a first parse takes, and then how long trying one changed
rule (apply + per-label stats + its errors rendered) and a whole rules file take with the
workbench, from the label stage's cached parse.

Train gold is set aside (``train_gold = "ignore"``); the stats are against dev gold.

    python bench/rule_loop.py [--workers 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import io
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import BENCH, markdown_table, record, shared
from rich.console import Console

from weakforge import stages
from weakforge.config import config_from_dict
from weakforge.labeling.workbench import Workbench

RULES = BENCH.parent / "rules" / "news_ner.py"
CHANGED_RULE = "company_suffix"  # edited between tries, as a rule author would
CUE = '"Holdings",'


def timed(action):
    started = time.perf_counter()
    value = action()
    return value, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        rules = tmp / "news_ner.py"
        original = RULES.read_text()
        rules.write_text(original.replace("gazetteers/", str(BENCH.parent / "gazetteers") + "/"))
        config = config_from_dict(
            {
                "run": {
                    "name": "rule-loop",
                    "task": "ner",
                    "labels": ["PER", "ORG", "LOC", "MISC"],
                    "stages": ["ingest", "label"],
                },
                "data": {
                    "path": str(shared("conll2003", "eng.train")),
                    "dev_path": str(shared("conll2003", "eng.testa")),
                },
                "label": {"rules": [str(rules)], "workers": args.workers},
                "aggregate": {"label_groups": {"ENT": ["PER", "ORG", "LOC", "MISC"]}},
            },
            base_dir=tmp,
        )
        run_dir = tmp / "run"
        result, label_stage_s = timed(lambda: stages.run(config, run_dir))
        n_records = result.metrics["ingest"]["n_examples"]
        bench, open_s = timed(lambda: Workbench.open(run_dir))
        _, first_trial_s = timed(lambda: bench.trial("countries"))  # loads the cached parse
        sink = Console(file=io.StringIO(), width=120)
        times = []
        for attempt in range(args.repeats):
            cue = f'"Holdings{attempt}",'
            rules.write_text(rules.read_text().replace(CUE, f"{CUE} {cue}", 1))
            started = time.perf_counter()
            trial = bench.trial(CHANGED_RULE)
            trial.show(sink, "errors", 20)
            times.append(time.perf_counter() - started)
        one_rule_s = statistics.median(times)
        trials, rules_file_s = timed(lambda: [t.table() for t in bench.trials(rules)])
        started = time.perf_counter()
        cli = subprocess.run(
            [str(Path(sys.executable).parent / "weakforge"), "lf-show", str(run_dir), CHANGED_RULE]
            + ["--errors", "-n", "20"],
            capture_output=True,
            text=True,
        )
        cli_s = time.perf_counter() - started
        if cli.returncode != 0:
            raise SystemExit(cli.stderr[-2000:])
        stats = trial.stats
    metrics = {
        "records": n_records,
        "label_stage_s": round(label_stage_s, 2),
        "first_parse_s": round(label_stage_s, 2),
        "workbench_open_s": round(open_s, 2),
        "first_trial_s": round(first_trial_s, 2),
        "one_rule_s": round(one_rule_s, 2),
        "one_rule_runs_s": [round(t, 2) for t in times],
        "rules_file_s": round(rules_file_s, 2),
        "rules_in_file": len(trials),
        "cli_lf_show_s": round(cli_s, 2),
        "changed_rule_precision": stats.get("precision"),
        "changed_rule_recall": stats.get("recall"),
    }
    rows = [
        ["label stage: ingest + parse (en_core_web_sm) + apply every rule, once", label_stage_s],
        ["workbench open (records, votes)", open_s],
        ["first trial (reads the cached parse)", first_trial_s],
        [f"one changed rule ({CHANGED_RULE}): apply + stats + errors shown (median)", one_rule_s],
        [f"whole rules file ({len(trials)} rules): apply + stats", rules_file_s],
        ["`weakforge lf-show RUN rule --errors` end to end (new process)", cli_s],
    ]
    table = markdown_table(["step", "seconds"], rows)
    record(
        "rule_loop",
        metrics,
        table,
        ["../shared/data/conll2003/eng.train", "../shared/data/conll2003/eng.testa"],
        notes=(
            f"{n_records} records (train + dev). The one-rule time is the loop inside a notebook "
            "or script (the workbench keeps the parse in memory); the CLI time adds Python "
            "start-up, imports and reading the cached parse."
        ),
    )


if __name__ == "__main__":
    main()
