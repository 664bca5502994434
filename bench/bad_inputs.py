"""A sweep of bad inputs: corpus records in every readable format, config values, rules and
lists, each built on the fly and run through weakforge the way a user would. Every case says
what must happen: a clear error (a WeakforgeError whose message names the file, line,
record, rule or key given), a counted skip (``on_error = "skip"``), or a clean read.

Verdicts: ``ok`` (as expected), ``crash`` (an exception that is not a WeakforgeError: a
traceback for the user), ``unnamed_error`` (a WeakforgeError that names nothing to fix),
``silent_wrong`` (no error and no counted skip where one was due, or an error where the
input was fine), ``error_not_skipped`` (a clear error where skip mode should have skipped),
``misleading`` (an error that offers a wrong fix), ``data_loss`` (a file of the user's gone
afterwards, whatever was said) and ``hang`` (no answer within the case's time limit).

    python bench/bad_inputs.py            # every case, recorded
    python bench/bad_inputs.py "csv"      # the cases whose name holds "csv", printed only
"""

from __future__ import annotations

import json
import shutil
import signal
import sys
import tempfile
import traceback
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bad_input_case import GOOD, Case, corpus_case, jsonl, rule_case
from bad_input_faults import issue_37_cases
from benchlib import markdown_table, record

from weakforge import stages
from weakforge.config import RANGES, SECTIONS, config_from_dict, load_config
from weakforge.errors import WeakforgeError


class Hang(Exception):
    """The case's time limit passed with the run still going."""


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    def ring(signum, frame):
        raise Hang

    previous = signal.signal(signal.SIGALRM, ring)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def corpus_cases() -> list[Case]:
    cases = []
    record_faults = {
        "empty text": ({"id": "r1", "text": ""}, "r1"),
        "white-space text": ({"id": "r1", "text": "   "}, "r1"),
        "number as text": ({"id": "r1", "text": 7}, "line 2"),
        "list as text": ({"id": "r1", "text": ["a"]}, "line 2"),
        "no text field": ({"id": "r1", "body": "x"}, "line 2"),
        "unknown class": ({"id": "r1", "text": "x", "label": "EGGS"}, "r1"),
        "span in classification": ({"id": "r1", "text": "x", "label": [[0, 1, "HAM"]]}, "r1"),
        "label not JSON-like": ({"id": "r1", "text": "x", "label": "[0, 1"}, "r1"),
        "unknown split": ({"id": "r1", "text": "x", "split": "holdout"}, "r1"),
        "numeric split": ({"id": "r1", "text": "x", "split": 7}, "r1"),
        "lone surrogate": ('{"id": "r1", "text": "bad \\ud800 pair"}', "line 2"),
        "huge text": ({"id": "r1", "text": "w " * 500_001}, "r1"),
        "duplicate id": ({"id": "g1", "text": "again"}, "g1"),
        "not an object": ('["a", "b"]', "line 2"),
        "malformed JSON": ('{"id": "r1", "text": ', "line 2"),
    }
    for name, (row, names) in record_faults.items():
        content = jsonl([*GOOD, row])
        cases.append(corpus_case(f"jsonl {name}", content, "error", names))
        cases.append(corpus_case(f"jsonl {name} (skip)", content, "skip", "", on_error="skip"))
    ner_faults = {
        "span out of range": ([[0, 99, "PER"]], "r1"),
        "span cuts a word": ([[1, 4, "PER"]], "r1"),
        "overlapping spans": ([[0, 4, "PER"], [2, 6, "PER"]], "r1"),
        "span with white space": ([[0, 5, "PER"]], "r1"),
        "unknown span label": ([[0, 4, "ALIEN"]], "r1"),
        "class label in NER": ("PER", "r1"),
        "span without label": ([[0, 4]], "r1"),
        "span with string offsets": ([["0", "4", "PER"]], "r1"),
    }
    good_ner = {"id": "g1", "text": "Bob sang", "label": [[0, 3, "PER"]]}
    for name, (label, names) in ner_faults.items():
        content = jsonl([{"id": "r1", "text": "Anna sang", "label": label}, good_ner])
        cases.append(
            corpus_case(f"ner {name}", content, "error", names, task="ner", labels=("PER",))
        )
        cases.append(
            corpus_case(
                f"ner {name} (skip)",
                content,
                "skip",
                "",
                task="ner",
                labels=("PER",),
                on_error="skip",
            )
        )
    csv_faults = {
        "stray quote": (
            'id,text,label\nx1,"oops,HAM\nr1,one,HAM\nr2,two,HAM\nx2,bye",HAM\n',
            "line 2",
        ),
        "more cells than header": ("id,text,label\nr1,a,b,HAM,extra\n", "line 2"),
        "no header": ("", "data.csv"),
        "no text column": ("id,body\nr1,x\n", "data.csv"),
        "unknown class": ("id,text,label\nr1,x,EGGS\n", "r1"),
        "non-UTF-8": (b"id,text,label\nr1,caf\xe9,HAM\n", "line 2"),
    }
    for name, (content, names) in csv_faults.items():
        cases.append(corpus_case(f"csv {name}", content, "error", names, fmt="csv", suffix="csv"))
    for name in ("stray quote", "more cells than header", "unknown class", "non-UTF-8"):
        content, _ = csv_faults[name]
        content = content + (b"g1,fine,HAM\n" if isinstance(content, bytes) else "g1,fine,HAM\n")
        cases.append(
            corpus_case(
                f"csv {name} (skip)", content, "skip", "", fmt="csv", suffix="csv", on_error="skip"
            )
        )
    conll_faults = {
        "one column": ("EU\n\n", "line 1"),
        "bad tag": ("EU X-ORG\n\n", "line 1"),
        "ragged columns": ("EU NNP I-ORG\nrejects O\n\n", "line 2"),
        "bio violation": ("EU I-ORG\n\n", "line 1"),
        "non-UTF-8": (b"caf\xe9 O\n\n", "line 1"),
    }
    for name, (content, names) in conll_faults.items():
        extra = {"scheme": "bio"} if name == "bio violation" else None
        cases.append(
            corpus_case(
                f"conll {name}",
                content,
                "error",
                names,
                fmt="conll",
                suffix="conll",
                task="ner",
                labels=("ORG",),
                extra=extra,
            )
        )
    for name, (content, _) in conll_faults.items():
        extra = {"scheme": "bio"} if name == "bio violation" else None
        good = "Paris B-ORG\n\n"
        content = good.encode() + content if isinstance(content, bytes) else good + content
        cases.append(
            corpus_case(
                f"conll {name} (skip)",
                content,
                "skip",
                "",
                fmt="conll",
                suffix="conll",
                task="ner",
                labels=("ORG",),
                extra=extra,
                on_error="skip",
            )
        )
    fine = {
        "BOM": ("\ufeff" + jsonl(GOOD), "jsonl", "jsonl"),
        "CRLF": (jsonl(GOOD).replace("\n", "\r\n"), "jsonl", "jsonl"),
        "blank lines": ("\n" + jsonl(GOOD) + "\n\n", "jsonl", "jsonl"),
        "valid split name": (jsonl([{"id": "v", "text": "x", "split": "valid"}]), "jsonl", "jsonl"),
        "multi-line CSV text": ('id,text\nr1,"two\nlines"\n', "csv", "csv"),
        "long CSV field": ("id,text\nr1," + "x" * 200_000 + "\n", "csv", "csv"),
        "unknown suffix, JSON lines": (jsonl(GOOD), "", "data"),
        "unknown suffix, CoNLL": ("EU I-ORG\nrejects O\n\n", "", "txt2"),
    }
    for name, (content, fmt, suffix) in fine.items():
        task = "ner" if "CoNLL" in name else "classification"
        labels = ("ORG",) if task == "ner" else ("HAM", "SPAM")
        cases.append(
            corpus_case(
                f"fine: {name}", content, "ok", "", fmt=fmt, suffix=suffix, task=task, labels=labels
            )
        )
    missing = Case(
        "missing corpus file",
        "corpus",
        lambda f: {"data": {"path": "nope.jsonl"}},
        "error",
        "nope.jsonl",
    )
    folder = Case(
        "folder as corpus",
        "corpus",
        lambda f: (f.joinpath("dir.jsonl").mkdir(), {"data": {"path": "dir.jsonl"}})[1],
        "error",
        "dir.jsonl",
    )
    return [*cases, missing, folder]


def wrench_cases() -> list[Case]:
    faults = {
        "votes as a string": {"label": 0, "weak_labels": "01", "data": {"text": "x"}},
        "label as a string": {"label": "1", "weak_labels": [1], "data": {"text": "x"}},
        "null vote": {"label": 1, "weak_labels": [None], "data": {"text": "x"}},
        "number as text": {"label": 1, "weak_labels": [1], "data": {"text": 42}},
        "no data": {"label": 1, "weak_labels": [1]},
        "class out of range": {"label": 5, "weak_labels": [1], "data": {"text": "x"}},
    }
    cases = []
    for name, entry in faults.items():

        def build(folder: Path, entry=entry) -> dict:
            root = folder / "w"
            root.mkdir()
            (root / "label.json").write_text(json.dumps({"0": "HAM", "1": "SPAM"}))
            (root / "train.json").write_text(json.dumps({"0": entry}))
            return {"run": {"labels": ["HAM", "SPAM"]}, "data": {"path": "w", "format": "wrench"}}

        cases.append(Case(f"wrench {name}", "corpus/wrench", build, "error", "train.json"))
    return cases


def config_cases() -> list[Case]:
    cases = []
    for (table, key), (low, high) in RANGES.items():
        kind = type(getattr(SECTIONS[table](), key) or 0)
        for bad in ([low - 1 if kind is int else low - 0.5] if low is not None else []) + (
            [high + 1] if high is not None else []
        ):
            value = int(bad) if kind is int else float(bad)
            cases.append(
                Case(
                    f"[{table}] {key} = {value}",
                    "config",
                    lambda f, t=table, k=key, v=value: {t: {k: v}},
                    "error",
                    key,
                )
            )
    wrong = {
        "unknown table": ({"nonsense": {}}, "nonsense"),
        "unknown key": ({"run": {"colour": "red"}}, "colour"),
        "string for an int": ({"run": {"seed": "one"}}, "seed"),
        "bool for an int": ({"label": {"workers": True}}, "workers"),
        "number for a string": ({"run": {"name": 5}}, "name"),
        "unknown task": ({"run": {"task": "tagging"}}, "task"),
        "labels not a list": ({"run": {"labels": "PER"}}, "labels"),
        "label twice": ({"run": {"labels": ["A", "A"]}}, "labels"),
        "unknown method": ({"aggregate": {"method": "snorkel"}}, "method"),
        "unknown check": ({"audit": {"checks": ["spelling"]}}, "checks"),
        "unknown skip flag": ({"augment": {"skip_flags": ["typo"]}}, "skip_flags"),
        "unknown stage": ({"run": {"stages": ["ingest", "review"]}}, "review"),
        "table not a table": ({"run": 3}, "run"),
    }
    for name, (raw, names) in wrong.items():
        cases.append(Case(f"config {name}", "config", lambda f, r=raw: r, "error", names))
    toml = Case("config not TOML", "config", lambda f: "[run\nname = ", "error", "run.toml")
    return [*cases, toml]


def rule_cases() -> list[Case]:
    doc = "@doc_rule\ndef r(doc):\n    {}\n"
    span = "@span_rule(label='PER')\ndef r(doc):\n    {}\n"
    return [
        rule_case("rule raises", doc.format("return {}['x']"), "rule 'r'"),
        rule_case(
            "rule raises (fault tolerant)",
            doc.format("return {}['x']"),
            "",
            "ok",
            label_options={"fault_tolerant": True},
        ),
        rule_case("rule calls sys.exit", doc.format("sys.exit(3)"), "rule 'r'"),
        rule_case("rule returns a number", doc.format("return 3"), "rule 'r'"),
        rule_case("rule returns a list", doc.format("return ['HAM']"), "rule 'r'"),
        rule_case("rule votes an undeclared class", doc.format("return 'EGGS'"), "'r'"),
        rule_case(
            "rule hangs",
            doc.format("time.sleep(60)"),
            "rule 'r'",
            label_options={"rule_timeout": 0.5},
        ),
        rule_case(
            "span rule out of range", span.format("return [(0, 99)]"), "rule 'r'", task="ner"
        ),
        rule_case("span rule yields text", span.format("return ['Anna']"), "rule 'r'", task="ner"),
        rule_case(
            "span rule, undeclared label",
            "@span_rule\ndef r(doc):\n    return [(0, 1, 'ALIEN')]\n",
            "'r'",
            task="ner",
        ),
        rule_case("rules file does not import", "import not_a_module\n", "rules.py"),
        rule_case("rules file syntax error", "def broken(:\n", "rules.py"),
        rule_case("rules file exits", "sys.exit(0)\n", "rules.py"),
        rule_case(
            "two rules, one name",
            "@doc_rule(name='x')\ndef a(doc):\n    return None\n\n"
            "@doc_rule(name='x')\ndef b(doc):\n    return None\n",
            "'x'",
        ),
        rule_case(
            "gazetteer list missing",
            "g = gazetteer('g', 'nowhere.txt', label='PER')\n",
            "nowhere.txt",
            task="ner",
        ),
        rule_case(
            "gazetteer letters",
            "g = gazetteer('g', 'l.json')\n",
            "l.json",
            task="ner",
            extra_files={"l.json": '{"PER": "Anna"}'},
        ),
        rule_case(
            "gazetteer numbers",
            "g = gazetteer('g', 'n.json', label='PER')\n",
            "n.json",
            task="ner",
            extra_files={"n.json": "[1, 2, null]"},
        ),
        rule_case(
            "gazetteer not UTF-8",
            "g = gazetteer('g', 'b.txt', label='PER')\n",
            "b.txt",
            task="ner",
            extra_files={},
        ),
    ]


def run_case(case: Case, folder: Path) -> tuple[str, str]:
    """The verdict and what the user would read; then the case's check of the folder."""
    verdict, shown = outcome(case, folder)
    found = case.check(folder) if case.check and verdict not in ("crash", "hang") else None
    if found and (verdict == "ok" or found[0] == "data_loss"):
        return found
    return verdict, shown


def outcome(case: Case, folder: Path) -> tuple[str, str]:
    built = case.build(folder)
    try:
        with time_limit(case.limit_s):
            if case.act is not None:
                case.act(folder, built)
                result = None
            else:
                if isinstance(built, str):  # raw TOML text
                    (folder / "run.toml").write_text(built)
                    config = load_config(folder / "run.toml")
                else:
                    config = config_from_dict(built, base_dir=folder, source="run.toml")
                result = stages.run(config, folder / "run", until=case.until)
    except Hang:
        return "hang", f"still running after {case.limit_s} s"
    except WeakforgeError as exc:
        message = str(exc)
        if case.expect == "skip":  # loud, but skip mode should have skipped the record
            return "error_not_skipped", message
        if case.expect != "error":
            return "silent_wrong", f"error on a fine input: {message}"
        if case.forbid and case.forbid.lower() in message.lower():
            return "misleading", message
        named = case.names.lower() in message.lower() if case.names else True
        return ("ok" if named else "unnamed_error"), message
    except BaseException as exc:  # noqa: BLE001 (the point is to catch what leaks)
        return "crash", "".join(traceback.format_exception_only(type(exc), exc)).strip()
    if case.expect == "error":
        return "silent_wrong", "ran without an error"
    if result is None:
        return "ok", "clean"
    rejects = result.metrics.get("ingest", {}).get("n_rejects", 0)
    failures = result.metrics.get("label", {}).get("failures", {})
    if case.expect == "skip":
        return ("ok" if rejects else "silent_wrong"), f"{rejects} rejects counted"
    return "ok", f"clean ({rejects} rejects, failures {failures})"


def main() -> None:

    cases = [
        *corpus_cases(),
        *wrench_cases(),
        *config_cases(),
        *rule_cases(),
        *issue_37_cases(),
    ]
    # a list that is not UTF-8 needs bytes: patch its file in after the builder runs
    for case in cases:
        if case.name == "gazetteer not UTF-8":
            build = case.build

            def with_bytes(folder: Path, build=build) -> dict:
                table = build(folder)
                (folder / "b.txt").write_bytes(b"Ann\xe9\n")
                return table

            case.build = with_bytes
    only = sys.argv[1] if len(sys.argv) > 1 else ""  # a part of the names: a quick look
    cases = [case for case in cases if only.lower() in case.name.lower()]
    results = []
    for case in cases:
        folder = Path(tempfile.mkdtemp(prefix="bad-input-"))
        try:
            verdict, shown = run_case(case, folder)
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        results.append(
            {
                "case": case.name,
                "area": case.area,
                "expect": case.expect,
                "verdict": verdict,
                "message": shown[:300],
            }
        )
    counts = Counter(r["verdict"] for r in results)
    metrics = {
        "cases": len(results),
        "ok": counts["ok"],
        "crashes": counts["crash"],
        "silent_wrong": counts["silent_wrong"],
        "unnamed_errors": counts["unnamed_error"],
        "errors_not_skipped": counts["error_not_skipped"],
        "misleading": counts["misleading"],
        "data_loss": counts["data_loss"],
        "hangs": counts["hang"],
        "by_area": dict(Counter(r["area"].split("/")[0] for r in results)),
        "results": results,
    }
    bad = [r for r in results if r["verdict"] != "ok"]
    table = markdown_table(["verdict", "cases"], [[k, v] for k, v in sorted(counts.items())])
    if bad:
        table += "\n\nCases that are not ok:\n\n" + markdown_table(
            ["case", "verdict", "what the user reads"],
            [[r["case"], r["verdict"], r["message"][:120]] for r in bad],
        )
    if only:
        print(table)
        return
    record(
        "bad_inputs",
        metrics,
        table,
        ["built on the fly (no shared data)"],
        notes=f"{len(results)} cases across corpus formats, config, rules and lists, "
        "with issue 37's probe (bench/bad_input_faults.py): ids, encodings, config edges, "
        "misbehaving rules, inputs that used to hang and commands that deleted user files.",
    )


if __name__ == "__main__":
    main()
