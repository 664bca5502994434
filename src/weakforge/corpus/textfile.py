"""Reading text files line by line with errors that name the line (bad UTF-8 included)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from weakforge.errors import CorpusError

BAD_BYTES_FIX = "re-encode the file as UTF-8 (e.g. `iconv -f latin1 -t utf-8`)"
CUT_OFF_FIX = "the file ends in the middle of a character: copy it whole again"
UTF16_FIX = "re-encode it as UTF-8 (e.g. `iconv -f utf-16 -t utf-8`)"


def looks_utf16(data: bytes) -> bool:
    """NUL bytes in a text file's start: UTF-16 (or UTF-32) without a byte-order mark."""
    return b"\x00" in data[:4096]


def ends_mid_character(data: bytes) -> bool:
    """Whether the bytes end inside a UTF-8 character: a lead byte followed by fewer
    continuation bytes than it announces (line ends set aside), the rest valid UTF-8."""
    tail = data.rstrip(b"\r\n")[-4:]
    for back in range(1, len(tail) + 1):
        byte = tail[-back]
        if 0x80 <= byte < 0xC0:  # a continuation byte: look further back for the lead
            continue
        wanted = (
            2 if 0xC0 <= byte < 0xE0 else 3 if 0xE0 <= byte < 0xF0 else 4 if byte >= 0xF0 else 1
        )
        if back >= wanted:
            return False
        try:  # the rest is clean UTF-8: cut off, not a latin-1 file ending in a letter
            data.rstrip(b"\r\n")[:-back].decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    return False


def bad_bytes_problem(data: bytes, exc: UnicodeDecodeError) -> tuple[str, str]:
    """What is wrong where UTF-8 decoding stopped, and the fix: a file cut off inside a
    character is not a latin-1 file."""
    if exc.reason == "unexpected end of data" and exc.end >= len(data.rstrip(b"\r\n")):
        return "the file ends in the middle of a UTF-8 character (cut off?)", CUT_OFF_FIX
    return f"non-UTF-8 byte 0x{data[exc.start]:02x}", BAD_BYTES_FIX


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
        if looks_utf16(handle.peek(4096) if hasattr(handle, "peek") else b""):
            raise CorpusError(path, None, "the file looks like UTF-16 (NUL bytes)", UTF16_FIX)
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                problem, fix = bad_bytes_problem(raw, exc)
                if fix == BAD_BYTES_FIX:
                    problem += f" at column {exc.start + 1}"
                yield number, CorpusError(path, f"line {number}", problem, fix)
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
    if looks_utf16(data):
        raise CorpusError(path, None, "the file looks like UTF-16 (NUL bytes)", UTF16_FIX)
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        problem, fix = bad_bytes_problem(data, exc)
        raise CorpusError(path, f"line {line}", problem, fix) from None


def read_with_bad_bytes(path: Path) -> str:
    """The whole file as text where each byte that is not UTF-8 stays as a lone surrogate
    (U+DC80-U+DCFF), so a reader can reject just the records holding one
    (:func:`bad_byte`)."""
    data = file_bytes(path)
    if looks_utf16(data):
        raise CorpusError(path, None, "the file looks like UTF-16 (NUL bytes)", UTF16_FIX)
    if ends_mid_character(data):
        line = data.rstrip(b"\r\n").count(b"\n") + 1
        raise CorpusError(
            path, f"line {line}", "the file ends in the middle of a UTF-8 character", CUT_OFF_FIX
        )
    return data.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")


def bad_byte(text: str) -> int | None:
    """The first byte that was not UTF-8 in text read by :func:`read_with_bad_bytes`."""
    for char in text:
        if "\udc80" <= char <= "\udcff":
            return ord(char) - 0xDC00
    return None
