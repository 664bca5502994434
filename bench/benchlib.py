"""Shared bits of the benchmark scripts: where the real data is, and how results are kept.

Each script prints a table, appends it to ``bench/RESULTS.md`` and writes
``bench/results/<name>.json`` with its metrics plus the command and data it ran on.
"""

from __future__ import annotations

import json
import os
import platform
import shlex
import sys
from datetime import datetime, timezone
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SHARED_DATA = Path(os.environ.get("WEAKFORGE_SHARED_DATA", BENCH.parent.parent / "shared" / "data"))


def shared(*parts: str) -> Path:
    """A path under the shared data folder; exits with a clear message when it is missing."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        sys.exit(
            f"{path} not found: benchmarks read ../shared/data (or set "
            "WEAKFORGE_SHARED_DATA to the folder that holds it)"
        )
    return path


def markdown_table(headers: list[str], rows: list[list[object]]) -> str:
    def cell(value: object) -> str:
        return f"{value:.4f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def record(name: str, metrics: dict, table: str, data: list[str], notes: str = "") -> None:
    """Print ``table`` and keep it in RESULTS.md and results/<name>.json."""
    script = Path(sys.argv[0]).resolve()
    if script.is_relative_to(BENCH.parent):
        script = script.relative_to(BENCH.parent)
    command = "python " + " ".join(shlex.quote(str(a)) for a in [script, *sys.argv[1:]])
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(table)
    results = BENCH / "results"
    results.mkdir(exist_ok=True)
    payload = {**metrics, "command": command, "data": data, "when": when, "machine": machine}
    (results / f"{name}.json").write_text(json.dumps(payload, indent=2) + "\n")
    results_md = BENCH / "RESULTS.md"
    if not results_md.exists():
        results_md.write_text(
            "# Benchmark results\n\nEach section is appended by a script in "
            "`bench/` (command, data and machine named in it).\n"
        )
    with results_md.open("a", encoding="utf-8") as handle:
        handle.write(
            f"\n## {name} ({when})\n\n`{command}` on {', '.join(data)}; {machine}.\n\n"
            f"{table}\n" + (f"\n{notes}\n" if notes else "")
        )
