"""French formatting and reading of dates and numbers, in one place.

The pages, the API labels, the CLI and the readers all say months, month ends and numbers
the same way: ``mars 2020``, ``1er mars 2020``, ``33 922`` (a narrow no-break space between
thousands, as French typography wants).
"""

from __future__ import annotations

import datetime as dt

MONTHS = (
    "janvier février mars avril mai juin juillet août septembre octobre novembre décembre"
).split()
MONTHS_SHORT = "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.".split()
# Month names as written in text, with or without their accents: ``fevrier`` is ``février``.
MONTH_NUMBERS = {
    **{name: n for n, name in enumerate(MONTHS, 1)},
    "fevrier": 2,
    "aout": 8,
    "decembre": 12,
}
NNBSP = "\u202f"  # the thousands separator


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month: ``month_end(2020, 2)`` is 29 February 2020."""
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def is_whole_month(start: dt.date, end: dt.date) -> bool:
    """Whether ``start``..``end`` is exactly one calendar month."""
    return start.day == 1 and end == month_end(start.year, start.month)


def month_label(year: int, month: int) -> str:
    """``mars 2020``."""
    return f"{MONTHS[month - 1]} {year}"


def format_date(day: dt.date) -> str:
    """``1er mars 2020``, ``15 mars 2020``."""
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS[day.month - 1]} {day.year}"


def format_number(value: int) -> str:
    """``33922`` → ``33 922``."""
    return f"{int(value):,}".replace(",", NNBSP)


__all__ = [
    "MONTHS",
    "MONTHS_SHORT",
    "MONTH_NUMBERS",
    "NNBSP",
    "format_date",
    "format_number",
    "is_whole_month",
    "month_end",
    "month_label",
]
