"""The ``weakforge`` command line (typer). Errors weakforge raises on purpose are printed
without a traceback and exit with status 2."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.logging import RichHandler
from rich.text import Text
from rich.traceback import Traceback

from weakforge.config import load_config, reference, saved_config
from weakforge.corpus import (
    READERS,
    WRITERS,
    Columns,
    ReadOptions,
    WriteOptions,
    read_corpus,
    write_corpus,
    write_rejects,
)
from weakforge.errors import WeakforgeError
from weakforge.layout import (
    AGGREGATED,
    AUGMENTED,
    METRICS,
    MODEL,
    RECORDS,
    REPORTS,
    RESOLVED_CONFIG,
    REVIEW_QUEUE,
    VOTES,
)
from weakforge.progress import quiet_library_bars
from weakforge.tasks import task_kind

app = typer.Typer(
    help="Weak supervision and data quality for NLP.", no_args_is_help=True, add_completion=False
)
console = Console(stderr=True)


def setup_logging(verbose: bool) -> None:
    """weakforge's own progress at INFO (DEBUG with -v); other libraries' at WARNING."""
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.WARNING,
        format="%(message)s",
        handlers=[RichHandler(console=console, show_path=False)],
        force=True,
    )
    logging.getLogger("weakforge").setLevel(logging.DEBUG if verbose else logging.INFO)
    quiet_library_bars()


def friendly_errors(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a :class:`WeakforgeError` into a one-paragraph message and exit status 2. An
    unexpected error inside it (a bug) keeps its traceback: shown with ``-v``, and always
    in the run's log file."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except WeakforgeError as exc:
            cause = exc.__cause__
            if (
                kwargs.get("verbose")
                and cause is not None
                and not isinstance(cause, WeakforgeError)
            ):
                console.print(Traceback.from_exception(type(cause), cause, cause.__traceback__))
            console.print(Text.assemble(("error: ", "bold red"), str(exc)), highlight=False)
            raise typer.Exit(2) from None

    return wrapper


ConfigArg = Annotated[Path, typer.Argument(help="TOML run config.")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Run folder (default runs/NAME).")]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Debug logging.")]


def run_dir_for(config_path: Path, out: Path | None) -> tuple[Any, Path]:
    config = load_config(config_path)
    return config, out or Path("runs") / config.run.name


def run_until(
    config: Path, out: Path | None, verbose: bool, stage: str
) -> tuple[dict[str, Any], Path]:
    """Run the configured stages up to ``stage`` (earlier ones only if needed); its metrics."""
    from weakforge import stages

    setup_logging(verbose)
    cfg, run_dir = run_dir_for(config, out)
    return stages.run(cfg, run_dir, until=stage).metrics[stage], run_dir


@app.command()
@friendly_errors
def run(
    config: ConfigArg,
    out: OutOpt = None,
    from_stage: Annotated[
        str | None, typer.Option("--from", help="Rerun this stage and every later one.")
    ] = None,
    quick: Annotated[
        bool,
        typer.Option(
            "--quick",
            help="A first look in minutes: no augmentation, the audit's fast NER model, "
            "one training epoch.",
        ),
    ] = False,
    verbose: VerboseOpt = False,
) -> None:
    """Run every configured stage into one run folder; unchanged stages are skipped."""
    from weakforge import stages
    from weakforge.config import quick_profile

    setup_logging(verbose)
    cfg, run_dir = run_dir_for(config, out)
    if quick:
        cfg = quick_profile(cfg)
        console.print("--quick: no augmentation, the fast audit model, one epoch")
    result = stages.run(cfg, run_dir, force_from=from_stage)
    console.print(
        f"ran: {', '.join(result.ran) or 'nothing'}; "
        f"up to date: {', '.join(result.skipped) or 'nothing'}"
    )
    for name in (*REPORTS.values(), METRICS):
        if (run_dir / name).exists():
            console.print(f"{name:12s} {run_dir / name}")


@app.command()
@friendly_errors
def ingest(config: ConfigArg, out: OutOpt = None, verbose: VerboseOpt = False) -> None:
    """Read the configured corpus into the run folder (the first stage alone)."""
    metrics, run_dir = run_until(config, out, verbose, "ingest")
    console.print(
        f"{metrics['n_examples']} records, splits {metrics['splits']}, "
        f"{metrics['n_rejects']} rejected -> {run_dir / RECORDS}"
    )


@app.command()
@friendly_errors
def label(config: ConfigArg, out: OutOpt = None, verbose: VerboseOpt = False) -> None:
    """Apply the configured labeling functions (runs ingest first if needed)."""
    metrics, run_dir = run_until(config, out, verbose, "label")
    console.print(
        f"{len(metrics['sources'])} sources voted on {metrics['n_docs']} texts -> {run_dir / VOTES}"
    )


@app.command()
@friendly_errors
def aggregate(config: ConfigArg, out: OutOpt = None, verbose: VerboseOpt = False) -> None:
    """Aggregate the votes into weak labels with skweak (runs earlier stages if needed)."""
    metrics, run_dir = run_until(config, out, verbose, "aggregate")
    console.print(f"{metrics['method']}: {metrics['n_sources']} sources -> {run_dir / AGGREGATED}")
    print_label_model(metrics)


def print_label_model(metrics: dict[str, Any]) -> None:
    for split, scores in (metrics.get("label_model") or {}).items():
        if scores:
            main = "f1" if "f1" in scores else "accuracy"
            console.print(f"label model on {split} gold: {main} {scores[main]:.3f}")


@app.command()
@friendly_errors
def audit(config: ConfigArg, out: OutOpt = None, verbose: VerboseOpt = False) -> None:
    """Flag label errors, duplicates, outliers and leakage; fill the review queue."""
    metrics, run_dir = run_until(config, out, verbose, "audit")
    console.print(
        f"{metrics['flagged']} of {metrics['n_examples']} items flagged: "
        f"{metrics['issue_counts']}; review queue {metrics['queue']['database']}"
    )


@app.command()
@friendly_errors
def augment(config: ConfigArg, out: OutOpt = None, verbose: VerboseOpt = False) -> None:
    """Add label-preserving copies of training items (nlpaug; span-safe for NER)."""
    metrics, run_dir = run_until(config, out, verbose, "augment")
    console.print(
        f"{metrics['kept']} of {metrics['made']} copies kept "
        f"(dropped: {metrics['dropped'] or 'none'}) -> {run_dir / AUGMENTED}"
    )


@app.command("train")
@friendly_errors
def train_command(config: ConfigArg, out: OutOpt = None, verbose: VerboseOpt = False) -> None:
    """Fine-tune the end model (transformers + peft) and evaluate it against its teacher.
    Under torchrun / accelerate launch, every process trains (data parallel)."""
    from weakforge.stages.distributed import run_train_distributed
    from weakforge.train.distributed import rank, world_size

    if world_size() > 1:
        setup_logging(verbose)
        cfg, run_dir = run_dir_for(config, out)
        found = run_train_distributed(cfg, run_dir)
        if rank() != 0 or found is None:
            return
        metrics = found
    else:
        metrics, run_dir = run_until(config, out, verbose, "train")
    console.print(
        f"trained on {metrics['train_items']} items on {metrics['device']} "
        f"({metrics['seconds_per_epoch']} s/epoch) -> {run_dir / MODEL}"
    )
    for split, scores in metrics["scores"].items():
        key = task_kind(metrics["task"]).headline
        console.print(
            f"{split}: end model {key} {scores['end_model'][key]:.3f}, label model "
            f"{scores['label_model'][key]:.3f}"
        )


@app.command()
@friendly_errors
def predict(
    model: Annotated[Path, typer.Argument(help="A model folder (RUN_DIR/model).")],
    source: Annotated[Path, typer.Argument(help="Texts to label, in any readable format.")],
    out: Annotated[Path, typer.Option("--out", help="Where predictions go.")],
    from_format: Annotated[str | None, typer.Option("--from", help="Input format.")] = None,
    to_format: Annotated[
        str | None,
        typer.Option("--to", help="Output format, e.g. jsonl or labelstudio (pre-labels)."),
    ] = None,
    text_field: str = "text",
    verbose: VerboseOpt = False,
) -> None:
    """Label new texts with a trained model; write them in any format (Label Studio too)."""
    from dataclasses import replace

    from weakforge.train.families import load_end_model, predict_with

    setup_logging(verbose)
    loaded = load_end_model(model)
    examples = read_corpus(
        source, from_format, ReadOptions(columns=Columns(text=text_field), task=loaded.task)
    ).examples
    predicted = [
        replace(e, label=label, probs=probs)
        for e, (label, probs) in zip(examples, predict_with(loaded, examples))
    ]
    write_corpus(
        predicted,
        out,
        to_format,
        WriteOptions(task=loaded.task, labels=tuple(loaded.labels), which="label"),
    )
    console.print(f"labeled {len(predicted)} texts -> {out}")


@app.command()
@friendly_errors
def review(
    run_dir: Annotated[
        Path, typer.Argument(help="A run folder with a review queue (exports go there too).")
    ],
    port: Annotated[int, typer.Option(help="Port of the page.")] = 8501,
    address: Annotated[str, typer.Option(help="Address to bind.")] = "127.0.0.1",
    database: Annotated[
        str,
        typer.Option(
            help="A team's review database (postgresql://user@host/db, or a SQLite path); "
            "default: the one the run's config names."
        ),
    ] = "",
) -> None:
    """Open the review page for a run's queue (Streamlit, on 127.0.0.1 by default)."""
    import os

    import weakforge.review.pages.server as page
    from weakforge.review.store import as_database, display_name, queue_exists

    shown = str(run_dir)
    if database:
        target = as_database(database, Path.cwd())
        database = str(target)  # absolute, for the page's process
        if not queue_exists(target):
            raise WeakforgeError(
                f"{display_name(target)} holds no review queue yet; "
                "an audit with [audit] database set to it fills one"
            )
        run_dir.mkdir(parents=True, exist_ok=True)
        shown = display_name(target)
    elif not (run_dir / REVIEW_QUEUE).exists() and not (run_dir / RESOLVED_CONFIG).exists():
        raise WeakforgeError(
            f"{run_dir} has no review queue; run `weakforge audit CONFIG --out {run_dir}` "
            "first, or name a team's database with --database"
        )
    console.print(f"review page: http://{address}:{port}  (queue in {shown})")
    env = {**os.environ, page.DATABASE_VARIABLE: database} if database else None
    raise typer.Exit(serve(page.server_command(run_dir, address, port), env))


def serve(command: list[str], env: dict[str, str] | None) -> int:
    """Run the page's server until it ends; it stops with this command whatever stops it
    (Ctrl-C, SIGTERM, SIGHUP, even SIGKILL through Linux's parent-death signal), so no
    server is left holding the port."""
    import functools
    import os
    import signal
    import subprocess

    from weakforge.processes import die_with_parent

    server = subprocess.Popen(
        command, env=env, preexec_fn=functools.partial(die_with_parent, os.getpid())
    )

    def stop(signum: int, frame: Any) -> None:
        server.terminate()

    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, stop)
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        return server.wait(timeout=30)


@app.command("lf-stats")
@friendly_errors
def lf_stats_command(
    run_dir: Annotated[Path, typer.Argument(help="A run folder (after the aggregate stage).")],
) -> None:
    """Per labeling source: coverage, overlap, conflict, agreement with the aggregate, and
    precision/recall on dev and reviewed gold, overall and per label."""
    from rich.table import Table as RichTable

    from weakforge.corpus.tabular import load_records
    from weakforge.labeling.stats import lf_stats, table_rows

    path = run_dir / AGGREGATED
    config = saved_config(run_dir)
    if not path.exists() or config is None:
        raise WeakforgeError(
            f"{path} not found; run `weakforge aggregate CONFIG --out {run_dir}` first"
        )
    task = config.run.task
    headers, rows = table_rows(
        lf_stats(load_records(path), task, config.aggregate.label_groups), task, per_label=True
    )
    table = RichTable(title=f"labeling functions in {run_dir}")
    for header in headers:
        table.add_column(header, no_wrap=header == "source", overflow="fold")
    for row in rows:
        table.add_row(*(str(c) for c in row))
    Console(width=max(Console().width, 120)).print(table)


@app.command("errors")
@friendly_errors
def errors_command(
    run_dir: Annotated[Path, typer.Argument(help="A run folder (after the aggregate stage).")],
    split: Annotated[str, typer.Option(help="The gold split to read (never test).")] = "dev",
) -> None:
    """The label model's errors on dev gold: what it said per gold label, and per kind of
    error (wrong type, boundary, missed, spurious) the sources that voted for it."""
    from rich.table import Table as RichTable

    from weakforge.aggregate.error_analysis import bucket_rows, confusion_rows, error_analysis
    from weakforge.corpus.tabular import load_records

    if split == "test":
        raise WeakforgeError("--split test: test gold only scores; fix rules on dev gold")
    path = run_dir / AGGREGATED
    config = saved_config(run_dir)
    if not path.exists() or config is None:
        raise WeakforgeError(
            f"{path} not found; run `weakforge aggregate CONFIG --out {run_dir}` first"
        )
    examples = load_records(path)
    labels = config.labels_for(examples)
    found = error_analysis(
        examples, config.run.task, labels, config.aggregate.label_groups, split=split
    )
    if found is None:
        raise WeakforgeError(f"no {split} item in {path} has gold; add a labeled {split} set")
    terminal = Console(width=max(Console().width, 120))
    for title, (headers, rows) in (
        (f"label model on {found.items} {split} items", confusion_rows(found.confusion)),
        ("errors and the sources behind them", bucket_rows(found.buckets)),
    ):
        table = RichTable(title=title)
        for header in headers:
            table.add_column(header, overflow="fold")
        for row in rows:
            table.add_row(*(str(c) for c in row))
        terminal.print(table)


@app.command("lf-show")
@friendly_errors
def lf_show(
    target: Annotated[Path, typer.Argument(help="A run folder, or a TOML run config.")],
    rule: Annotated[
        str, typer.Argument(help="A rule's name, FILE.py:NAME, or a rules file (all its rules).")
    ],
    errors: Annotated[bool, typer.Option("--errors", help="Votes gold disagrees with.")] = False,
    misses: Annotated[bool, typer.Option("--misses", help="Gold labels it missed.")] = False,
    n: Annotated[int, typer.Option("-n", help="How many texts to show.")] = 20,
    out: OutOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Try one rule on the parsed corpus in seconds: its statistics (per label, against dev
    and reviewed gold) and its hits, errors or misses with the spans marked."""
    from weakforge.labeling.workbench import Workbench

    if errors and misses:
        raise WeakforgeError("choose --errors or --misses, not both")
    setup_logging(verbose)
    if not target.is_dir():  # a config: ingest its corpus first where that has not run yet
        cfg, run_dir = run_dir_for(target, out)
        if not (run_dir / RECORDS).exists():
            from weakforge import stages

            stages.run(cfg, run_dir, until="ingest")
    bench = Workbench.open(target, out)
    terminal = Console(width=max(Console().width, 120))
    if rule.endswith(".py"):
        for trial in bench.trials(rule):
            terminal.print(trial.table())
        return
    bench.trial(rule).show(terminal, "errors" if errors else "misses" if misses else "all", n)


REFERENCE_MARKERS = ("<!-- config reference: start -->", "<!-- config reference: end -->")


@app.command("config")
@friendly_errors
def config_command(
    show_reference: Annotated[
        bool, typer.Option("--reference", help="Print every config key with its default.")
    ] = False,
    into: Annotated[
        Path | None,
        typer.Option("--into", help="Write the reference between the markers of this file."),
    ] = None,
) -> None:
    """The run config's reference: every table and key, its default and what it does."""
    if into is not None:
        start, end = REFERENCE_MARKERS
        text = into.read_text(encoding="utf-8")
        if start not in text or end not in text:
            raise WeakforgeError(f"{into} lacks the markers {start} ... {end}; add them first")
        head, rest = text.split(start, 1)
        into.write_text(f"{head}{start}\n{reference().strip()}\n{end}{rest.split(end, 1)[1]}")
        console.print(f"config reference written into {into}")
    elif show_reference:
        typer.echo(reference())
    else:
        console.print("use --reference to print every config key (Markdown), or --into FILE")


@app.command("check-chat")
@friendly_errors
def check_chat_command(
    path: Annotated[Path, typer.Argument(help="A chat JSONL file (e.g. from convert --to chat).")],
    max_tokens: Annotated[int, typer.Option(help="Tokens allowed per example.")] = 65_536,
    tokenizer: Annotated[
        str | None, typer.Option(help="A local tokenizer folder to count tokens with.")
    ] = None,
) -> None:
    """Check chat JSONL against OpenAI's fine-tuning format: roles, non-empty content, an
    assistant turn, tokens per example and in all; list what would be rejected."""
    from weakforge.corpus.chat import check_chat

    count, counted_by = None, ""
    if tokenizer:
        from transformers import AutoTokenizer

        loaded = AutoTokenizer.from_pretrained(tokenizer)
        count = lambda text: len(loaded(text, add_special_tokens=False)["input_ids"])  # noqa: E731
        counted_by = f"counted with {tokenizer}"
    check = check_chat(path, max_tokens=max_tokens, count_tokens=count, counted_by=counted_by)
    console.print(check.summary(), markup=False)
    if check.rejected or check.examples - len(check.rejected) < 10:
        raise typer.Exit(1)


@app.command()
@friendly_errors
def convert(
    source: Annotated[Path, typer.Argument(help="Input file or WRENCH folder.")],
    target: Annotated[Path, typer.Argument(help="Output file or folder.")],
    from_format: Annotated[
        str | None,
        typer.Option(
            "--from", help=f"Input format: {', '.join(sorted(READERS))} (default: by name)."
        ),
    ] = None,
    to_format: Annotated[
        str | None,
        typer.Option(
            "--to", help=f"Output format: {', '.join(sorted(WRITERS))} (default: by name)."
        ),
    ] = None,
    task: Annotated[str | None, typer.Option(help="classification or ner.")] = None,
    labels: Annotated[str | None, typer.Option(help="Comma-separated label names.")] = None,
    text_field: str = "text",
    id_field: str = "id",
    label_field: str = "label",
    split: Annotated[str, typer.Option(help="Split for records that name none.")] = "train",
    scheme: Annotated[str, typer.Option(help="CoNLL tags to write: bio or iob1.")] = "bio",
    which: Annotated[str, typer.Option(help="Label to write: best, gold or label.")] = "best",
    skip_bad: Annotated[bool, typer.Option(help="Skip bad records, listing them.")] = False,
    rejects: Annotated[Path | None, typer.Option(help="Where skipped records go.")] = None,
    verbose: VerboseOpt = False,
) -> None:
    """Convert a corpus between formats (any reader to any writer)."""
    setup_logging(verbose)
    label_names = tuple(x.strip() for x in labels.split(",")) if labels else None
    columns = Columns(text_field, id_field, label_field)
    result = read_corpus(
        source,
        from_format,
        ReadOptions(
            columns=columns,
            task=task,
            labels=label_names,
            split=split,
            on_error="skip" if skip_bad else "raise",
        ),
    )
    write_corpus(
        result.examples,
        target,
        to_format,
        WriteOptions(columns=columns, task=task, labels=label_names, which=which, scheme=scheme),
    )
    console.print(f"wrote {len(result.examples)} records to {target}")
    if result.rejects:
        rejects_path = rejects or target.with_name(target.name + ".rejects.jsonl")
        write_rejects(result.rejects, rejects_path)
        console.print(f"skipped {len(result.rejects)} bad records, listed in {rejects_path}")


def main() -> None:
    app()


if __name__ == "__main__":  # python -m weakforge.cli (e.g. under torchrun)
    main()
