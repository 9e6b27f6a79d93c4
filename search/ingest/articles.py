"""The one record every reader produces and every later stage consumes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

# Bump when the analysis or the document layout changes, so that an incremental
# reindex re-analyses articles whose text did not change.
ANALYSIS_VERSION = "2"

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Article:
    """A news article as read from disk, before any entity extraction."""

    id: str
    title: str
    body: str
    summary: str = ""
    caption: str = ""
    section: str = ""
    date: dt.date | None = None
    date_source: str = ""
    # The publication time as the source gives it, ISO 8601, with its UTC offset when the
    # source states one ("2020-07-02T11:00:00+02:00"); "" when only a date is known.
    published: str = ""
    url: str = ""
    source: str = ""
    path: str = ""
    tags: list[str] = field(default_factory=list)
    # Facet values the record itself carries (ISO codes, full names); the entity
    # extractor adds what it finds in the text.
    countries: list[str] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)
    # Where the record starts in its file (JSON Lines), for messages; not part of the hash.
    line: int | None = None

    def content_hash(self) -> str:
        """Hash of everything that goes into the index, so unchanged articles are skipped."""
        data = dataclasses.asdict(self)
        del data["line"]
        data["date"] = self.date.isoformat() if self.date else None
        data["_v"] = ANALYSIS_VERSION
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha1(blob).hexdigest()

    def to_dict(self) -> dict:
        data = dataclasses.asdict(self)
        data["date"] = self.date.isoformat() if self.date else None
        return data


EARLIEST_YEAR = 1800  # older "publication dates" are typos or placeholders (0001-01-01)


def plausible_date(date: dt.date) -> bool:
    """A publication date worth keeping: not before 1800, not more than a year ahead.

    No date is better than a wrong one: 2091 for 2019, or 1970-01-01 from a zero timestamp
    would put an article in a facet bucket where nobody will look for it.
    """
    latest = dt.date.today().year + 1
    return EARLIEST_YEAR <= date.year <= latest and date != dt.date(1970, 1, 1)


def nfc(text: str | None) -> str:
    """Unicode NFC, so that a decomposed "é" and a composed one are the same text."""
    if not text:
        return ""
    return unicodedata.normalize("NFC", text)


def make_id(*parts: str) -> str:
    """A stable, URL-safe id derived from a path (and a line number for JSON Lines)."""
    raw = "-".join(p for p in parts if p)
    slug = _ID_UNSAFE.sub("-", unicodedata.normalize("NFKD", raw)).strip("-")
    return slug[:200] or "article"


def clean_id(raw: str) -> str:
    """An id every page can open: whitespace runs (newlines, tabs) become one space and
    other control or format characters go (a newline in an id listed it, then 404'd)."""
    text = " ".join(raw.split())
    if not text.isprintable():
        text = "".join(c for c in text if not _unsafe(c))
    return text


def relative_path(path: Path, root: Path) -> str:
    """The path of a file relative to the root it was found under, with '/' separators.

    A name that is not UTF-8 (bytes Python keeps as lone surrogates) is spelt with
    ``\\xff`` escapes: it could not be stored, hashed or shown otherwise."""
    try:
        rel = path.resolve().relative_to(root.resolve())
    except ValueError:
        rel = Path(path.name)
    text = rel.as_posix()
    text = text if text != "." else path.name
    if _SURROGATE.search(text):
        text = os.fsencode(text).decode("utf-8", "backslashreplace")
    return text


_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters a message must not print raw: controls (a newline would start a forged line),
# format characters (U+202E turns the rest of the line around), line and paragraph
# separators, private-use, unassigned, and the surrogates of a non-UTF-8 file name.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def _unsafe(char: str) -> bool:
    return unicodedata.category(char) in _UNSAFE_CATEGORIES


def _escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a non-UTF-8 file name (surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    if char in '\\"':
        return "\\" + char
    if not _unsafe(char):
        return char
    if char in "\n\r\t":
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}[char]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def shown(text: str) -> str:
    """A file name (or any value) as a message may print it: unchanged when it is plain
    text, else between double quotes with its odd characters escaped (``"a\\nb.txt"``,
    ``"d/\\xff.txt"``), so that a name can never forge a line of its own on stderr."""
    if text.isprintable() or not any(map(_unsafe, text)):
        return text
    return '"' + "".join(map(_escape, text)) + '"'
