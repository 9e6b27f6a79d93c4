"""A day written in plain words (``ce jeudi 28 juin``, ``5 mars 2020``) as evidence for the
articles published that day.

News text dates its events by the day of publication ("vendredi 27 décembre" in a lead is
the day the report came out, or the day before), so a lead or a sentence pasted as a query
names its article's date more often than any word of it: on the tuning half of the
OrangeSum summaries, 28 of 300 hold a day and month within a day of their article's
publication, 22 of them nothing else (a dateline). The date is scored like one more query
word that the article holds once: ``DATE_WEIGHT`` x the BM25 idf of "published that day"
among the matched articles, so a day shared by many matches weighs little.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np

from search.find.fastsearch import Scored
from search.french import MONTH_NUMBERS

# A day of the month before a month name, with an optional year: "1er mars", "28 juin 2018".
_DAY = re.compile(
    r"(?<![\w/.-])(1er|[0-3]?\d)\s+(" + "|".join(sorted(MONTH_NUMBERS, key=len, reverse=True))
    + r")(?:\s+((?:19|20)\d\d))?(?!\w)",
    re.IGNORECASE,
)
WEEKDAYS = "lundi mardi mercredi jeudi vendredi samedi dimanche".split()
_WEEKDAY = re.compile(r"(?<!\w)(" + "|".join(WEEKDAYS) + r")(?!\w)", re.IGNORECASE)
# Chosen on the tuning halves of bench/relevance.py (docs/analysis.md, "Ranking").
DATE_WEIGHT = 4.0
# A day of the week named without a day of the month ("ce mardi", "lundi matin"): the
# articles published that day of the week or the next (62 of the 68 such summaries of the
# tuning half) gain it the same way. Tuning halves, MRR@10 summaries 0.8058 -> 0.8066 at
# 0.5, 1, 1.5 and 2 (4: 0.8049), held-out 0.7923 -> 0.7929 at 1.5; PIAF unchanged.
WEEKDAY_WEIGHT = 1.5
# Published on the day named or up to this many days after it ("hier", a late report).
DATE_AFTER = 1
# A day the query says is ahead ("prévue samedi 29 février", "devrait décoller le 1er
# septembre", "le 5 mars prochain"): the report came out before it, up to this many days.
# Tuning half of the summaries, MRR@10 0.8066 -> 3 days 0.8094, 5 0.8116, 7, 10 and 14
# 0.8127 (7 of its 72 summaries naming a day were published 1 to 7 days before it).
AHEAD_DAYS = 7
_AHEAD_BEFORE = re.compile(
    r"(?<!\w)(?:prévue?s?|devr(?:a|ait|aient|ont)|doi(?:t|vent)|aura|auront|programmée?s?"
    r"|attendue?s?|annoncée?s?\s+pour|à\s+partir\s+du|dès\s+le|jusqu'au)(?!\w)",
    re.IGNORECASE,
)
_AHEAD_AFTER = re.compile(r"^\s+(?:\d{4}\s+)?prochaine?(?!\w)", re.IGNORECASE)
_EPOCH = dt.date(1970, 1, 1).toordinal()


def query_days(text: str) -> list[tuple[int, int, int | None]]:
    """The (day, month, year or None) a query names, at most three, each once."""
    found: list[tuple[int, int, int | None]] = []
    for day, month, year in _DAY.findall(text or ""):
        number = 1 if day.lower() == "1er" else int(day)
        cue = (number, MONTH_NUMBERS[month.lower()], int(year) if year else None)
        if 1 <= number <= 31 and cue not in found:
            found.append(cue)
    return found[:3]


def ahead_days(text: str) -> list[tuple[int, int, int | None]]:
    """The days of ``query_days`` the query says are ahead: a future word in the few words
    before the day ("prévue", "devrait", "doit", "à partir du"), or "prochain" after it."""
    found: list[tuple[int, int, int | None]] = []
    for m in _DAY.finditer(text or ""):
        day, month, year = m.groups()
        before = text[max(0, m.start() - 40):m.start()]
        if not (_AHEAD_BEFORE.search(before) or _AHEAD_AFTER.match(text[m.end():])):
            continue
        number = 1 if day.lower() == "1er" else int(day)
        cue = (number, MONTH_NUMBERS[month.lower()], int(year) if year else None)
        if cue not in found:
            found.append(cue)
    return found


def query_weekdays(text: str) -> list[int]:
    """The days of the week a query names (Monday 0), each once."""
    return sorted({WEEKDAYS.index(w.lower()) for w in _WEEKDAY.findall(text or "")})


def published_on_weekday(days: np.ndarray, weekdays: list[int]) -> np.ndarray:
    """Which of ``days`` (ordinals, 0 when unknown) fall on a day of the week the query
    names, or up to ``DATE_AFTER`` days after it."""
    hit = np.zeros(days.size, dtype=bool)
    for shift in range(DATE_AFTER + 1):
        hit |= np.isin((days - shift - 1) % 7, weekdays)
    return hit & (days > 0)


def published_on(days: np.ndarray, cues: list[tuple[int, int, int | None]],
                 before: int = 0) -> np.ndarray:
    """Which of ``days`` (publication dates as ordinals, 0 when unknown) fall on a day the
    query names, up to ``DATE_AFTER`` days after it, or ``before`` days before it."""
    hit = np.zeros(days.size, dtype=bool)
    dated = days > 0
    for shift in range(-before, DATE_AFTER + 1):
        moved = (days - shift - _EPOCH).astype("datetime64[D]")
        months = moved.astype("datetime64[M]")
        month = months.astype(np.int64) % 12 + 1
        day = (moved - months).astype(np.int64) + 1
        year = moved.astype("datetime64[Y]").astype(np.int64) + 1970
        for d, m, y in cues:
            same = (day == d) & (month == m)
            if y is not None:
                same &= year == y
            hit |= same & dated
    return hit


def weight_of(text: str) -> float:
    """The weight of the cue ``text`` gives: a day named, else a day of the week."""
    return DATE_WEIGHT if query_days(text) else WEEKDAY_WEIGHT


def date_cue(text: str, scored: Scored, allowed, days: np.ndarray) -> Scored:
    """``scored`` with the date bonus added to the matched articles published on a day the
    query names (only when it names one: the cost is one pass over the match set)."""
    cues = query_days(text) if DATE_WEIGHT else []
    weekdays = query_weekdays(text) if WEEKDAY_WEIGHT and not cues else []
    if not cues and not weekdays:
        return scored
    matched, _scores = scored.within(allowed)  # ``allowed``: a mask or ``Matches``
    if not matched.size:
        return scored
    if cues:
        ahead = ahead_days(text) if AHEAD_DAYS else []
        hit = published_on(days[matched], [c for c in cues if c not in ahead])
        if ahead:
            hit |= published_on(days[matched], ahead, AHEAD_DAYS)
        on_day, weight = matched[hit], DATE_WEIGHT
    else:
        on_day, weight = matched[published_on_weekday(days[matched], weekdays)], WEEKDAY_WEIGHT
    if not on_day.size:
        return scored
    n, k = matched.size, on_day.size
    idf = float(np.log(1 + (n - k + 0.5) / (k + 0.5)))
    if scored.is_sparse:  # the same additions at the matches alone
        values = scored.values.copy()
        values[np.searchsorted(scored.docs, on_day)] += weight * idf
        return Scored.sparse(scored.docs, values, scored.n)
    scores = scored.scores.copy()
    scores[on_day] += weight * idf
    return Scored(scored.mask, scores)
