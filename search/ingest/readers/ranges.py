"""A big JSON Lines file read by byte ranges, so that several processes read it at once.

A Dask reindex (``search/index/distributed.py``) reads a 100 MB export in ranges of a few
megabytes on its workers instead of one process reading it start to end. A range begins at
the start of a line (``line_starts``, a few bytes read around each cut) and holds the lines
that begin in it; its first line number is one more than the lines before it
(``count_lines`` of the ranges before, counted on the workers too), so every record gets
the line number, and a record without an id the id, that ``read_file`` gives it.

Only a plain ``.jsonl`` file whose start is neither UTF-16 nor binary is split
(``splittable``): the others are read whole by ``read_file``. Warnings made once per file
(cp1252 lines, NUL bytes) are made once per range.
"""

from __future__ import annotations

import codecs
import io
import os
from collections.abc import Iterator
from pathlib import Path

from search.ingest.articles import Article, relative_path
from search.ingest.readers import (
    BINARY_SNIFF,
    Report,
    _jsonl_lines,
    _unreadable,
    parse_jsonl_lines,
    suffix_of,
)

_BLOCK = 1 << 20


def splittable(path: Path, size: int, every: int) -> bool:
    """Whether ``path`` is a plain JSON Lines file bigger than one range, whose first bytes
    are neither UTF-16 (no byte-wise lines) nor binary (refused whole by ``read_file``)."""
    if size <= every or suffix_of(path.name) != ".jsonl":
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(BINARY_SNIFF)
    except OSError:
        return False  # read_file names the problem
    return not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) and b"\x00" not in head


def line_starts(path: Path, size: int, every: int) -> list[int]:
    """Offsets of ranges of about ``every`` bytes, each at the start of a line."""
    starts = [0]
    with open(path, "rb") as fh:
        cut = every
        while cut < size:
            fh.seek(cut - 1)
            skipped = 0
            while True:  # to the end of the line the cut falls in
                block = fh.read(1 << 16)
                if not block:
                    return starts
                found = block.find(b"\n")
                if found >= 0:
                    start = cut - 1 + skipped + found + 1
                    break
                skipped += len(block)
            if start >= size:
                break
            starts.append(start)
            cut = start + every
    return starts


def count_lines(path: str, start: int, end: int) -> int:
    """Line numbers the bytes ``[start, end)`` take: newlines, and lone carriage returns
    (a line end too for ``read_file``)."""
    newlines = crs = crlfs = 0
    previous = b""
    with open(path, "rb") as fh:
        fh.seek(start)
        left = end - start
        while left > 0:
            block = fh.read(min(_BLOCK, left))
            if not block:
                break
            left -= len(block)
            newlines += block.count(b"\n")
            crs += block.count(b"\r")
            crlfs += block.count(b"\r\n") + (previous == b"\r" and block[:1] == b"\n")
            previous = block[-1:]
    return newlines + crs - crlfs


class _Window(io.RawIOBase):
    """The bytes of an open file up to ``length`` bytes from where it stands."""

    def __init__(self, raw, length: int) -> None:
        super().__init__()
        self._raw, self._left = raw, length

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        if self._left <= 0:
            return 0
        data = self._raw.read(min(len(buffer), self._left))
        buffer[: len(data)] = data
        self._left -= len(data)
        return len(data)


def read_range(
    path: Path,
    root: Path,
    start: int,
    end: int,
    first_line: int,
    report: Report,
    *,
    stats: dict | None = None,
    seen: list[int] | None = None,
) -> Iterator[Article]:
    """The records of the lines beginning in ``[start, end)`` of a JSON Lines file, the
    first numbered ``first_line``; problems go to ``report`` as ``read_file``'s do.
    ``seen`` gets the number of the first line that is not blank (none in any range:
    an empty file)."""
    where = str(path)
    try:
        relpath = relative_path(Path(path), Path(root))
        with open(path, "rb", buffering=0) as raw:
            raw.seek(start)
            stream = io.BufferedReader(_Window(raw, end - start), _BLOCK)
            shift = first_line - 1

            def lines() -> Iterator[tuple[int, str | None]]:
                for number, line in _jsonl_lines(stream, where, report, None):
                    if seen is not None and not seen and (line is None or line.strip()):
                        seen.append(number + shift)
                    yield number + shift, line

            yield from parse_jsonl_lines(
                lines(), relpath=relpath, where=where, report=report, stats=stats
            )
    except OSError as err:
        report(_unreadable(where, "lecture impossible", err))


def size_of(path: Path) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0
