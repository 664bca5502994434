"""Reading text files line by line with errors that name the line (bad UTF-8 included)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from weakforge.errors import CorpusError

BAD_BYTES_FIX = "re-encode the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)"


def iter_lines(path: Path) -> Iterator[tuple[int, str | CorpusError]]:
    """Yield ``(line_number, text)`` per line without its newline, or an error for a line
    that is not valid UTF-8 (so the other lines can still be read)."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise CorpusError(
            path, None, f"cannot open the file ({exc.strerror})", "check the path in the config"
        ) from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                yield (
                    number,
                    CorpusError(
                        path,
                        f"line {number}",
                        f"non-UTF-8 byte 0x{raw[exc.start]:02x} at column {exc.start + 1}",
                        BAD_BYTES_FIX,
                    ),
                )
                continue
            if number == 1:
                line = line.removeprefix("\ufeff")  # a UTF-8 byte-order mark is not text
            yield number, line.rstrip("\r\n")


def file_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CorpusError(
            path, None, f"cannot open the file ({exc.strerror})", "check the path in the config"
        ) from None


def read_utf8(path: Path) -> str:
    """The whole file as text, or an error naming the line of the first bad byte."""
    data = file_bytes(path)
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CorpusError(
            path, f"line {line}", f"non-UTF-8 byte 0x{data[exc.start]:02x}", BAD_BYTES_FIX
        ) from None


def read_with_bad_bytes(path: Path) -> str:
    """The whole file as text where each byte that is not UTF-8 stays as a lone surrogate
    (U+DC80-U+DCFF), so a reader can reject just the records holding one
    (:func:`bad_byte`)."""
    return file_bytes(path).decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")


def bad_byte(text: str) -> int | None:
    """The first byte that was not UTF-8 in text read by :func:`read_with_bad_bytes`."""
    for char in text:
        if "\udc80" <= char <= "\udcff":
            return ord(char) - 0xDC00
    return None
