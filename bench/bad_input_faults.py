"""The cases of issue 37's 169-case probe, as rows of the bad-input sweep: corpus formats and
ids, config edges, rules that misbehave, inputs that used to hang, and the two commands that
deleted a user's files. Each row says what must happen; ``check`` looks at the folder
afterwards (a user's file still there, the text read whole) and ``limit_s`` turns a run that
does not answer into the verdict ``hang``.

The cases that need a process killed, a disk filled or a folder made read-only are fault
tests instead (tests/test_processes.py, tests/test_pipeline.py, tests/review/test_store.py).
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

from bad_input_case import GOOD, Case, corpus_case, jsonl, rule_case

from weakforge import stages
from weakforge.config import config_from_dict
from weakforge.layout import RECORDS

USER_FILE = "a file of the user's own"


def records_of(folder: Path) -> list:
    from weakforge.corpus.tabular import load_records

    return load_records(folder / "run" / RECORDS)


def text_check(record_id: str, expected: str):
    """A check that the ingested record ``record_id`` kept its whole text."""

    def check(folder: Path) -> tuple[str, str] | None:
        found = {r.id: r.text for r in records_of(folder)}
        if found.get(record_id) != expected:
            return "silent_wrong", f"{record_id} read as {found.get(record_id)!r}"
        return None

    return check


def ids_check(expected: list[str]):
    def check(folder: Path) -> tuple[str, str] | None:
        found = [r.id for r in records_of(folder)]
        return None if found == expected else ("silent_wrong", f"ids read as {found}")

    return check


def still_there(*paths: str):
    """A check that the user's files survived, whatever the command said."""

    def check(folder: Path) -> tuple[str, str] | None:
        gone = [p for p in paths if not (folder / p).exists()]
        return ("data_loss", f"deleted: {gone}") if gone else None

    return check


def parquet_bytes(columns: dict) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    sink = io.BytesIO()
    pq.write_table(pa.table(columns), sink)
    return sink.getvalue()


def docbin_bytes(cats: dict[str, float]) -> bytes:
    import spacy
    from spacy.tokens import DocBin

    doc = spacy.blank("en")("free ringtones now")
    doc.cats = cats
    return DocBin(docs=[doc], store_user_data=True).to_bytes()


def corpus_format_cases() -> list[Case]:
    ids = {
        "an object": '{"k": 1}',
        "a list": "[1]",
        "true": "true",
        "NaN": "NaN",
        "1.5": "1.5",
    }
    cases = [
        corpus_case(
            f"jsonl id is {name}",
            jsonl([*GOOD, f'{{"id": {raw}, "text": "x"}}']),
            "error",
            "line 2",
        )
        for name, raw in ids.items()
    ]
    floats = corpus_case(
        "parquet float ids 1.0, 2.0",
        parquet_bytes({"id": [1.0, 2.0], "text": ["a", "b"]}),
        "ok",
        "",
        fmt="parquet",
        suffix="parquet",
    )
    floats.check = ids_check(["1", "2"])
    nbsp = corpus_case(
        "conll token with a no-break space",
        "Prices B-MISC\n10\u00a0000 O\n\n",
        "ok",
        "",
        fmt="conll",
        suffix="conll",
        task="ner",
        labels=("MISC",),
    )
    nbsp.check = lambda folder: (
        None
        if any("10\u00a0000" in r.text for r in records_of(folder))
        else ("silent_wrong", f"texts: {[r.text for r in records_of(folder)]}")
    )
    cut = corpus_case(
        "utf-8 cut inside a character",
        jsonl([*GOOD]).encode() + '{"id": "r1", "text": "caf\u00e9"}'.encode()[:-3],
        "error",
        "data.jsonl",
    )
    cut.forbid = "latin1"  # the fix it used to offer, for a file that is UTF-8
    cases += [
        corpus_case(
            "csv cut off inside a quote",
            'id,text\na,"first"\nb,"second text that goes on and',
            "error",
            "line 3",
            fmt="csv",
            suffix="csv",
        ),
        corpus_case(
            "csv header id,text,text", "id,text,text\na,x,y\n", "error", "text", "csv", "csv"
        ),
        floats,
        nbsp,
        corpus_case(
            "utf-16 jsonl without a BOM",
            jsonl(GOOD).encode("utf-16-le"),
            "error",
            "UTF-16",
        ),
        cut,
        corpus_case(
            "plain .txt with the format guessed",
            "This is a sentence .\nAnd another one here .\n",
            "error",
            "CoNLL",
            fmt="",
            suffix="txt",
        ),
        corpus_case(
            "Label Studio export with the format guessed",
            '[{"id": 1, "data": {"text": "hi, there"}, "annotations": []}]\n',
            "error",
            "Label Studio",
            fmt="",
            suffix="export",
        ),
        corpus_case(
            "docbin with two classes both 1.0",
            docbin_bytes({"SPAM": 1.0, "HAM": 1.0}),
            "error",
            "doc 1",
            fmt="spacy",
            suffix="spacy",
        ),
    ]

    def wrench(folder: Path) -> dict:
        root = folder / "w"
        root.mkdir()
        (root / "label.json").write_text(json.dumps({"0": "HAM", "1": "HAM"}))
        entry = {"label": 1, "weak_labels": [1], "data": {"text": "x"}}
        (root / "train.json").write_text(json.dumps({"0": entry}))
        return {"run": {"labels": ["HAM"]}, "data": {"path": "w", "format": "wrench"}}

    cases.append(
        Case("wrench two indices, one name", "corpus/wrench", wrench, "error", "label.json")
    )
    return cases


def config_edge_cases() -> list[Case]:
    edges = {
        "rule_timeout = nan": ({"label": {"rule_timeout": float("nan")}}, "rule_timeout"),
        "rule_timeout = inf": ({"label": {"rule_timeout": float("inf")}}, "rule_timeout"),
        "seed = 2**32": ({"run": {"seed": 2**32}}, "seed"),
        "label_groups key that is a label": (
            {"run": {"labels": ["PER", "ORG"]}, "aggregate": {"label_groups": {"PER": ["ORG"]}}},
            "label_groups",
        ),
        'name = ""': ({"run": {"name": ""}}, "name"),
        "absolute name": ({"run": {"name": "/tmp/elsewhere"}}, "name"),
        "name climbing out of runs/": ({"run": {"name": "../up"}}, "name"),
    }
    cases = [
        Case(f"config {name}", "config", lambda f, r=raw: r, "error", names)
        for name, (raw, names) in edges.items()
    ]

    def bom(folder: Path) -> str:
        (folder / "data.jsonl").write_text(jsonl(GOOD))
        return "\ufeff[run]\nname = 'x'\nlabels = ['HAM', 'SPAM']\n[data]\npath = 'data.jsonl'\n"

    cases.append(Case("config with a UTF-8 BOM", "config", bom, "ok"))
    weights = rule_case(
        "[aggregate] weights naming no source",
        "@doc_rule\ndef kw(doc):\n    return 'SPAM'\n",
        "kw_typo",
    )
    build = weights.build

    def with_weights(folder: Path, build=build) -> dict:
        table = build(folder)
        table["aggregate"] = {"method": "majority", "rounds": 0, "weights": {"kw_typo": 2.0}}
        return table

    weights.build = with_weights
    weights.area = "config"
    return [*cases, weights]


def rule_fault_cases() -> list[Case]:
    span = "@span_rule(label='PER')\ndef r(doc):\n    {}\n"
    doc = "@doc_rule\ndef r(doc):\n    {}\n"
    chdir = rule_case(
        "os.chdir in the rules file",
        "import os, tempfile\nos.chdir(tempfile.gettempdir())\n" + doc.format("return 'HAM'"),
        "",
        "ok",
    )
    chdir.check = lambda folder: (
        None if (folder / "run" / RECORDS).exists() else ("silent_wrong", "outputs elsewhere")
    )
    return [
        rule_case(
            "span of another Doc",
            span.format("return [doc[1:].as_doc()[0:1]]"),
            "rule 'r'",
            task="ner",
        ),
        rule_case("float span offsets", span.format("return [(0.0, 1.0)]"), "", "ok", task="ner"),
        rule_case(
            "numpy integer span offsets",
            "import numpy as np\n" + span.format("return [(np.int64(0), np.int64(1))]"),
            "",
            "ok",
            task="ner",
        ),
        rule_case(
            "rule sets doc.ents",
            "from spacy.tokens import Span\n"
            + span.format("doc.ents = [Span(doc, 0, 1, label='PER')]\n    return [(0, 1)]"),
            "rule 'r'",
            task="ner",
        ),
        rule_case(
            "KeyboardInterrupt in a rule (fault tolerant)",
            doc.format("raise KeyboardInterrupt"),
            "rule 'r'",
            label_options={"fault_tolerant": True},
        ),
        rule_case(
            "BaseException subclass in a rule (fault tolerant)",
            "class Odd(BaseException):\n    pass\n\n" + doc.format("raise Odd('strange')"),
            "",
            "ok",
            label_options={"fault_tolerant": True},
        ),
        rule_case(
            "endless span generator, rule_timeout = 0",
            span.format("while True:\n        yield (0, 1)"),
            "rule 'r'",
            task="ner",
            label_options={"rule_timeout": 0},
        ),
        rule_case(
            "the same rule included and excluded",
            doc.format("return 'HAM'"),
            "'r'",
            label_options={"include": ["r"], "exclude": ["r"]},
        ),
        chdir,
    ]


def hang_cases() -> list[Case]:
    def labels(folder: Path) -> dict:
        names = [f"L{i}" for i in range(10_000)]
        rows = [{"id": f"d{i}", "text": f"text {i}"} for i in range(20)]
        (folder / "data.jsonl").write_text(jsonl(rows))
        (folder / "rules.py").write_text(
            "from weakforge import doc_rule\n\n@doc_rule\ndef r(doc):\n    return 'L7'\n"
        )
        return {
            "run": {"labels": names},
            "data": {"path": "data.jsonl"},
            "label": {"rules": ["rules.py"]},
            "aggregate": {"method": "naive_bayes", "rounds": 0},
        }

    def pipe(folder: Path) -> dict:
        os.mkfifo(folder / "data.jsonl")
        return {"run": {"labels": ["HAM", "SPAM"]}, "data": {"path": "data.jsonl"}}

    return [
        Case(
            "10,000 labels with skweak's Naive Bayes",
            "scale",
            labels,
            "error",
            "majority",
            "aggregate",
        ),
        Case("a named pipe as the corpus", "scale", pipe, "error", "data.jsonl"),
    ]


def data_loss_cases() -> list[Case]:
    def convert_into(folder: Path) -> dict:
        (folder / "in.jsonl").write_text(jsonl(GOOD))
        (folder / "mydatasets" / "other_project").mkdir(parents=True)
        (folder / "mydatasets" / "other_project" / "notes.txt").write_text(USER_FILE)
        return {}

    def convert(folder: Path, table: dict) -> None:
        from weakforge.corpus import ReadOptions, WriteOptions, read_corpus, write_corpus

        examples = read_corpus(folder / "in.jsonl", "jsonl", ReadOptions()).examples
        write_corpus(examples, folder / "mydatasets", "hf", WriteOptions())

    def own_votes(folder: Path) -> dict:
        (folder / "data.jsonl").write_text(jsonl(GOOD))
        (folder / "votes").mkdir()
        (folder / "votes" / "annotator_A.csv").write_text(USER_FILE)
        return {"run": {"labels": ["HAM", "SPAM"]}, "data": {"path": "data.jsonl"}}

    def run_here(folder: Path, table: dict) -> None:
        stages.run(config_from_dict(table, base_dir=folder, source="run.toml"), folder)

    def a_file(folder: Path) -> dict:
        (folder / "data.jsonl").write_text(jsonl(GOOD))
        (folder / "results.txt").write_text(USER_FILE)
        return {"run": {"labels": ["HAM", "SPAM"]}, "data": {"path": "data.jsonl"}}

    def run_into_file(folder: Path, table: dict) -> None:
        config = config_from_dict(table, base_dir=folder, source="run.toml")
        stages.run(config, folder / "results.txt")

    return [
        Case(
            "convert --to hf into a folder of other files",
            "data loss",
            convert_into,
            "error",
            "mydatasets",
            act=convert,
            check=still_there("mydatasets/other_project/notes.txt"),
        ),
        Case(
            "run --out . beside the user's own votes/",
            "data loss",
            own_votes,
            "error",
            "not a weakforge run folder",
            act=run_here,
            check=still_there("votes/annotator_A.csv"),
        ),
        Case(
            "--out naming an existing file",
            "data loss",
            a_file,
            "error",
            "results.txt",
            act=run_into_file,
            check=still_there("results.txt"),
        ),
    ]


def damaged_state_cases() -> list[Case]:
    def damaged_review(folder: Path) -> dict:
        (folder / "review.sqlite").write_bytes(b"this is not a database, just some bytes" * 200)
        return {}

    def open_review(folder: Path, table: dict) -> None:
        from weakforge.review.store import open_database

        open_database(folder / "review.sqlite")

    cases = [
        Case(
            "review.sqlite overwritten",
            "state",
            damaged_review,
            "error",
            "review.sqlite",
            act=open_review,
        )
    ]
    for content in ("[]", '{"stages": []}', '{"stages": {"ingest": {"outputs": null}}}'):

        def built(folder: Path) -> dict:
            (folder / "data.jsonl").write_text(jsonl(GOOD))
            return {"run": {"labels": ["HAM", "SPAM"]}, "data": {"path": "data.jsonl"}}

        def twice(folder: Path, table: dict, content=content) -> None:
            config = config_from_dict(table, base_dir=folder, source="run.toml")
            stages.run(config, folder / "run", until="ingest")
            (folder / "run" / "manifest.json").write_text(content)
            stages.run(config, folder / "run", until="ingest")

        cases.append(Case(f"manifest.json is {content}", "state", built, "ok", act=twice))
    return cases


def issue_37_cases() -> list[Case]:
    return [
        *corpus_format_cases(),
        *config_edge_cases(),
        *rule_fault_cases(),
        *hang_cases(),
        *data_loss_cases(),
        *damaged_state_cases(),
    ]
