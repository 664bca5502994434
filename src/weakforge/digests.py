"""Content hashes of files and folders: what decides whether a stage or a cache is stale."""

from __future__ import annotations

import hashlib
from pathlib import Path


def digest_path(path: Path) -> str:
    """SHA-256 of a file, or of a folder's relative names and file contents."""
    sha = hashlib.sha256()
    if path.is_dir():
        for child in sorted(p for p in path.rglob("*") if p.is_file()):
            sha.update(str(child.relative_to(path)).encode())
            sha.update(digest_path(child).encode())
        return sha.hexdigest()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()
