"""Helpers for testing and benchmarking weakforge against real services.

:func:`throwaway_postgres` starts a private PostgreSQL server (Debian's ``postgresql``
package) for the review database's server mode: trust auth on a free loopback port, data
in a temporary folder, removed on exit.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def postgres_binaries() -> Path | None:
    """The folder holding PostgreSQL's initdb / pg_ctl (Debian keeps them off PATH)."""
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return versions[-1].parent if versions else None


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def throwaway_postgres(binaries: Path) -> Iterator[str]:
    """Run a fresh server; yields its URL without a database name (``.../NAME`` to use
    one, see :func:`create_database`)."""
    folder = Path(tempfile.mkdtemp(prefix="weakforge-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:  # the server refuses to run as root: use the postgres account
        shutil.chown(folder, "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    data = folder / "data"
    pg_ctl = [*as_user, str(binaries / "pg_ctl"), "-D", str(data)]
    try:
        subprocess.run(
            [*as_user, str(binaries / "initdb"), "-D", str(data), "-U", "weakforge", "-A", "trust"],
            check=True,
            capture_output=True,
        )
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {folder} -c fsync=off"
        subprocess.run(
            [*pg_ctl, "-o", options, "-l", str(folder / "server.log"), "-w", "start"],
            check=True,
            capture_output=True,
        )
        yield f"postgresql://weakforge@127.0.0.1:{port}"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def create_database(server: str) -> str:
    """A new, empty database on ``server``; its URL."""
    import psycopg

    name = "wf_" + uuid.uuid4().hex[:12]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return f"{server}/{name}"


@contextmanager
def review_page_server(folder: Path, seconds: float = 90) -> Iterator[int]:
    """The review page served for a run folder on a free loopback port (yielded once it
    answers); the server stops when the block ends, whatever happened in it."""
    import time
    import urllib.request

    from weakforge.review.pages.queue import server_command

    port = free_port()
    server = subprocess.Popen(
        server_command(folder, "127.0.0.1", port),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.time() + seconds
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/_stcore/health", timeout=2
                ) as response:
                    if response.status == 200:
                        break
            except OSError:
                if time.time() > deadline:
                    raise TimeoutError(f"the page did not answer in {seconds} s") from None
                time.sleep(0.3)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=20)
