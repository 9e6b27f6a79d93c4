"""The publication date of an article, and where it came from.

In order: the record's metadata (the readers set ``date`` with ``date_source="metadata"``),
else a stamp such as ``Publié le 8 janvier 2022``, else the first complete date in the text
(``8 janvier 2022``, ``1er mars 2020``, ``08/01/2022``, ``2022-01-08``), else a date in the
file name (``2022-01-08``, ``20220108``). Otherwise the date is unknown. Never the file's
modification time, and never an impossible date: no date is better than a wrong one.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import PurePosixPath

from search.french import MONTH_NUMBERS as MONTHS

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
# A complete date, in the forms French news text uses.
_TEXT_DATE = re.compile(
    rf"(?<![\w/.-])(?:(?P<d>[0-3]?\d|1er)\s+(?P<month>{_MONTH})\s+(?P<y>\d{{4}})"
    r"|(?P<d2>[0-3]?\d)/(?P<m2>[01]?\d)/(?P<y2>\d{4})"
    r"|(?P<y3>\d{4})-(?P<m3>[01]\d)-(?P<d3>[0-3]\d))(?![\w/-])",
    re.IGNORECASE,
)
_STAMP = re.compile(r"(?:publi[ée]e?|mis\s+à\s+jour|mise\s+à\s+jour)\s+le\s+", re.IGNORECASE)
_FILE_DATE = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?!\d)")
MIN_YEAR = 1900


def _make(year: int, month: int, day: int) -> dt.date | None:
    """The date, or None when it does not exist (31/02) or is out of range."""
    if not MIN_YEAR <= year <= dt.date.today().year + 1:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _from_match(m: re.Match) -> dt.date | None:
    if m.group("y"):
        day = 1 if m.group("d").lower() == "1er" else int(m.group("d"))
        return _make(int(m.group("y")), MONTHS[m.group("month").lower()], day)
    if m.group("y2"):
        return _make(int(m.group("y2")), int(m.group("m2")), int(m.group("d2")))
    return _make(int(m.group("y3")), int(m.group("m3")), int(m.group("d3")))


def date_in_text(text: str) -> dt.date | None:
    """A publication stamp if there is one, else the first complete, valid date."""
    for stamp in _STAMP.finditer(text):
        m = _TEXT_DATE.match(text, stamp.end())
        if m and (found := _from_match(m)):
            return found
    for m in _TEXT_DATE.finditer(text):
        found = _from_match(m)
        if found:
            return found
    return None


def date_in_filename(path: str) -> dt.date | None:
    """``2022-01-08-kazakhstan.txt`` or ``20220108.txt``: a date in the file's own name."""
    name = PurePosixPath(path.replace("\\", "/")).name
    for m in _FILE_DATE.finditer(name):
        found = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if found:
            return found
    return None


def publication_date(
    metadata: dt.date | None, metadata_source: str, text: str, path: str
) -> tuple[dt.date | None, str]:
    """(date, source) with source ``metadata``, ``text``, ``filename`` or ``""`` (unknown)."""
    if metadata:
        return metadata, metadata_source or "metadata"
    found = date_in_text(text)
    if found:
        return found, "text"
    found = date_in_filename(path)
    if found:
        return found, "filename"
    return None, ""
