"""Facet counting over all matching documents, from columns read once per generation.

Whoosh's ``groupedby`` would score every match and rebuild multi-valued facets on
each search; instead each facet is a pair of numpy arrays (document, value) built
when a generation is opened, and counting a match set is one ``bincount``.
"""

from __future__ import annotations

import datetime as dt
import functools
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from search.analysis import fold
from search.find.matchset import Matches
from search.french import month_end, month_label
from search.index.schema import SEPARATOR
from search.ingest.labels import country_label, resolve_country

if TYPE_CHECKING:
    from search.find.request import SearchRequest

# Days are listed when the matches (or the selected range) span at most this many days.
MAX_DAYS = 210  # 30 weeks: the web UI draws weeks from days up to that span


def facet_key(value: str) -> str:
    """Case- and accent-insensitive key, so ``--pays ru`` and ``Société``/``societe`` match."""
    return " ".join(fold(value).lower().split())


@dataclass(frozen=True)
class Facet:
    """One keyword facet, declared once and read by the searcher (request fields, filters,
    counts), the web pages (sidebar, chips, "sauf" links), the API and the CLI, as
    Datasette's ``Facet`` classes are: a new facet is one more entry in ``FACETS`` (and its
    ``SearchRequest`` list and index column)."""

    name: str  # in the API's ``facets`` and the facet table ("country")
    attr: str  # the ``SearchRequest`` list of selected values ("countries")
    param: str  # URL parameter, CLI option (``--pays``) and query-language field ("pays")
    label: str  # a chip's prefix ("Pays : Russie")
    title: str  # the sidebar's heading and the CLI summary's ("Rubriques")
    help: str  # the CLI option's help
    column: str  # the index column its values are counted from
    limit: int = 30  # values listed per search (selected ones always are)
    codes: bool = False  # values are country codes, shown by their French name

    @property
    def option(self) -> str:
        return "--" + self.param

    @property
    def filter_param(self) -> str:
        """The URL parameter of its list's search box (``pays_filtre``): lists only the
        values containing that text; the articles are not filtered."""
        return self.param + "_filtre"

    def resolve(self, values: list[str]) -> list[str]:
        """Values as the column holds them: a country filter takes a code or a French name
        (``RU``, ``ru``, ``Russie``)."""
        return [resolve_country(v) for v in values] if self.codes else list(values)

    def display(self, value: str) -> str:
        return country_label(value) if self.codes else value

    def exclusion(self, value: str) -> str:
        """The query-language clause leaving a value out: ``-pays:US``,
        ``-personne:"Emmanuel Macron"`` (quoted, so that the whole name is excluded)."""
        term = value if self.codes else '"' + " ".join(value.replace('"', " ").split()) + '"'
        return f"-{self.param}:{term}"


# In the sidebar's order.
FACETS: tuple[Facet, ...] = (
    Facet("section", "sections", "rubrique", "Rubrique", "Rubriques", "Rubrique ; répétable.",
          "col_section"),
    Facet("country", "countries", "pays", "Pays", "Pays",
          "Pays (code ISO ou nom) ; répétable.", "col_country", codes=True),
    Facet("person", "persons", "personne", "Personne", "Personnes",
          "Personne (nom complet) ; répétable.", "col_person"),
    Facet("source", "sources", "source", "Source", "Sources",
          "Source (agence ou site) ; répétable.", "col_source"),
)  # fmt: skip
FACET_BY_NAME = {f.name: f for f in FACETS}
FACET_BY_PARAM = {f.param: f for f in FACETS}


# A facet count looks up the matched documents' own pairs when there are fewer than
# 1/SPARSE_RATIO as many as the facet's pairs (a gather per matched pair then costs about
# what a pass over every pair costs per SPARSE_RATIO pairs).
SPARSE_RATIO = 8


@dataclass
class MultiColumn:
    """One facet: its distinct values and the (document, value) pairs."""

    values: list[str]
    keys: dict[str, int]
    docs: np.ndarray
    vals: np.ndarray

    @classmethod
    def from_column(cls, raw: list[bytes]) -> MultiColumn:
        """Values grouped by folded key, each group labelled by its most frequent spelling.

        Done when a generation is opened, so the canonical spelling of a person follows the
        whole corpus without an incremental reindex ever rewriting other documents.
        """
        keys: dict[str, int] = {}
        spellings: list[dict[str, int]] = []
        docs: list[int] = []
        vals: list[int] = []
        for docnum, blob in enumerate(raw):
            if not blob:
                continue
            for value in blob.decode("utf-8").split(SEPARATOR):
                key = facet_key(value)
                idx = keys.get(key)
                if idx is None:
                    idx = keys[key] = len(spellings)
                    spellings.append({})
                forms = spellings[idx]
                forms[value] = forms.get(value, 0) + 1
                docs.append(docnum)
                vals.append(idx)
        # Most frequent spelling first; on a tie, the alphabetically first, so the label does
        # not depend on where documents sit in the index.
        values = [min(forms, key=lambda f, forms=forms: (-forms[f], f)) for forms in spellings]
        return cls(values, keys, np.asarray(docs, dtype=np.int32), np.asarray(vals, dtype=np.int32))

    def label(self, value: str | None) -> str | None:
        """The facet's spelling of a value, so a result and its facet show the same text."""
        if not value:
            return None
        idx = self.keys.get(facet_key(value))
        return self.values[idx] if idx is not None else value

    def mask(self, wanted: list[str], n_docs: int) -> np.ndarray:
        """Documents having any of the wanted values (OR within a facet)."""
        ids = [self.keys[k] for k in (facet_key(w) for w in wanted) if k in self.keys]
        out = np.zeros(n_docs, dtype=bool)
        if ids:
            out[self.docs[np.isin(self.vals, ids)]] = True
        return out

    @functools.cached_property
    def alphabetical(self) -> np.ndarray:
        """Each value's rank in alphabetical order (by folded key): ties in the counts are
        listed in that order, not in the order documents happen to sit in the index, so two
        builds of the same articles list the same values."""
        names = [facet_key(v) for v in self.values]
        rank = np.empty(len(names), dtype=np.int64)
        rank[np.argsort(np.array(names, dtype=object), kind="stable")] = np.arange(len(names))
        return rank

    @functools.cached_property
    def starts(self) -> np.ndarray | None:
        """Where each document's pairs begin in ``docs``, then where the last one's end
        (``docs`` is in document order, as ``from_column`` makes it); None if it is not."""
        if self.docs.size and bool(np.any(self.docs[1:] < self.docs[:-1])):
            return None
        last = int(self.docs[-1]) + 1 if self.docs.size else 0
        return np.searchsorted(self.docs, np.arange(last + 1)).astype(np.int32)

    def counts(self, mask: np.ndarray | Matches) -> np.ndarray:
        """How many of the ``mask``ed documents (or ``Matches``) hold each value. A few
        documents (a known-item search) are looked up by their own pairs, not by a pass
        over every pair of the archive: the same counts, at a cost that follows the
        matches."""
        starts = self.starts
        if starts is not None:
            if isinstance(mask, Matches):
                hits = mask.docs[: np.searchsorted(mask.docs, starts.size - 1)]
            else:
                hits = np.flatnonzero(mask[: starts.size - 1])
            if hits.size * SPARSE_RATIO < self.docs.size:
                first = starts[hits]
                sizes = starts[hits + 1] - first
                ends = np.cumsum(sizes)
                pairs = np.repeat(first - (ends - sizes), sizes) + np.arange(
                    int(ends[-1]) if ends.size else 0)
                return np.bincount(self.vals[pairs], minlength=len(self.values))
        dense = mask.mask if isinstance(mask, Matches) else mask
        return np.bincount(self.vals[dense[self.docs]], minlength=len(self.values))


class FacetTable:
    """Per-document facet data of one index generation."""

    def __init__(self, reader) -> None:
        self.n_docs = reader.doc_count_all()
        self.live = np.zeros(self.n_docs, dtype=bool)
        live_ids = np.fromiter(reader.all_doc_ids(), dtype=np.int64)
        self.live[live_ids] = True
        self.columns = {
            f.name: MultiColumn.from_column(_column(reader, f.column, self.n_docs))
            for f in FACETS
        }
        day = _column(reader, "col_day", self.n_docs, default=0)
        self.day = np.asarray(day, dtype=np.int32)
        instant = _column(reader, "col_instant", self.n_docs, default=0)
        self.instant = np.asarray(instant, dtype=np.int64)  # 0: no time known
        dated = self.day > 0
        months = np.zeros(self.n_docs, dtype=np.int32)
        if dated.any():
            dates = [dt.date.fromordinal(int(d)) for d in self.day[dated]]
            months[dated] = [d.year * 12 + d.month - 1 for d in dates]
        self.month = months  # year*12 + month-1; 0 when the date is unknown
        self.dated = dated

    @functools.cached_property
    def everything(self) -> Matches:
        """Every live document: what a search without words matches (its mask is ``live``;
        neither is ever changed in place)."""
        return Matches.of_mask(self.live)

    def _dated(self, mask: np.ndarray | Matches, start: dt.date | None = None,
               end: dt.date | None = None) -> np.ndarray:
        """The dated documents of ``mask`` (or ``Matches``) within [start, end]: their
        numbers looked up in the date columns when they are ``Matches``, no pass over the
        archive."""
        if not isinstance(mask, Matches):
            return np.flatnonzero(mask & self.date_mask(start, end))
        docs = mask.docs[self.dated[mask.docs]]
        if start:
            docs = docs[self.day[docs] >= start.toordinal()]
        if end:
            docs = docs[self.day[docs] <= end.toordinal()]
        return docs

    def date_mask(self, start: dt.date | None, end: dt.date | None) -> np.ndarray:
        """Documents dated within [start, end]; an unknown date never matches a range."""
        mask = self.dated.copy()
        if start:
            mask &= self.day >= start.toordinal()
        if end:
            mask &= self.day <= end.toordinal()
        return mask

    def value_counts(
        self, name: str, mask: np.ndarray | Matches, limit: int | None = None
    ) -> list[tuple[str, int]]:
        """(value, count) for a keyword facet, most frequent first (the first ``limit``:
        a search lists 30 of the thousands of persons a common word's articles name)."""
        column = self.columns[name]
        counts = column.counts(mask)
        held = np.flatnonzero(counts)
        if limit is not None and held.size > 2 * limit:
            # only the values counted at least as often as the limit-th can be listed: the
            # same first ``limit`` in the same order, with thousands of values (a common
            # word's persons) not sorted for 30
            found = counts[held]
            kth = np.partition(found, held.size - limit)[held.size - limit]
            held = held[found >= kth]
        order = held[np.lexsort((column.alphabetical[held], -counts[held]))][:limit]
        return [(column.values[i], int(counts[i])) for i in order.tolist()]

    def month_totals(self, mask: np.ndarray | Matches) -> tuple[np.ndarray, np.ndarray]:
        """(months as year * 12 + month - 1, their counts), in chronological order."""
        sel = self._dated(mask)
        if not sel.size:
            return _NO_MONTHS, _NO_MONTHS
        return _distinct(self.month[sel])

    def month_counts(self, mask: np.ndarray | Matches) -> list[tuple[int, int, int]]:
        """(year, month, count) in chronological order."""
        values, counts = self.month_totals(mask)
        return [
            (int(v) // 12, int(v) % 12 + 1, int(c)) for v, c in zip(values, counts, strict=True)
        ]

    def day_counts(
        self, mask: np.ndarray | Matches, start: dt.date | None = None,
        end: dt.date | None = None, most: int | None = None,
    ) -> list[tuple[dt.date, int]]:
        """(day, count) in chronological order, within [start, end] when given; [] when
        there are more than ``most`` days (no date made of days not shown)."""
        sel = self._dated(mask, start, end)
        if not sel.size:
            return []
        values, counts = _distinct(self.day[sel])
        if most is not None and values.size > most:
            return []
        return [(dt.date.fromordinal(v), c)
                for v, c in zip(values.tolist(), counts.tolist(), strict=True)]

    def year_counts(self, mask: np.ndarray | Matches) -> list[tuple[int, int]]:
        return years_of(self.month_counts(mask))

    def memory_bytes(self) -> int:
        """What the table holds in memory: its arrays and each facet's values and keys."""
        total = sum(a.nbytes for a in (self.live, self.day, self.instant, self.month, self.dated))
        for column in self.columns.values():
            total += column.docs.nbytes + column.vals.nbytes
            starts = column.__dict__.get("starts")  # made by the first count
            total += starts.nbytes if starts is not None else 0
            total += sum(sys.getsizeof(v) for v in column.values) + sys.getsizeof(column.values)
            total += sum(sys.getsizeof(k) for k in column.keys) + sys.getsizeof(column.keys)
        return total

    def date_range(self) -> tuple[dt.date, dt.date] | None:
        sel = self.live & self.dated
        if not sel.any():
            return None
        days = self.day[sel]
        return dt.date.fromordinal(int(days.min())), dt.date.fromordinal(int(days.max()))


def years_of(months: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    """(year, count) in order, from ``month_counts``' (year, month, count)."""
    years: dict[int, int] = {}
    for year, _month, count in months:
        years[year] = years.get(year, 0) + count
    return sorted(years.items())


_NO_MONTHS = np.zeros(0, dtype=np.int64)
_SPAN_COUNTED = 1 << 17  # days counted over a span of at most ~360 years (1 MB of counts)


def _distinct(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_counts=True)`` of small non-negative integers (days,
    months) by one count over their span instead of a sort (a sort when the span is odd:
    dates centuries apart)."""
    low, high = int(values.min()), int(values.max())
    if high - low > _SPAN_COUNTED:
        return np.unique(values, return_counts=True)
    counts = np.bincount(values - low)
    held = np.flatnonzero(counts)
    return held + low, counts[held]


def _column(reader, name: str, n_docs: int, default=b""):
    """A column's values, or ``default`` for all when an index written before it lacks it."""
    if name not in reader.schema or not reader.has_column(name):
        return [default] * n_docs
    values = list(reader.column_reader(name))
    return values if len(values) == n_docs else (values + [default] * n_docs)[:n_docs]


# -- the filter and count stages of a search --------------------------------------------


def filter_masks(request: SearchRequest, table: FacetTable) -> dict[str, np.ndarray]:
    """The filter stage: per facet (and ``date``), the documents its selection keeps."""
    filters: dict[str, np.ndarray] = {}
    for facet in FACETS:
        wanted = request.selected(facet.name)
        if wanted:
            filters[facet.name] = table.columns[facet.name].mask(
                facet.resolve(wanted), table.n_docs
            )
    if request.date_from or request.date_to:
        filters["date"] = table.date_mask(request.date_from, request.date_to)
    return filters


def count_facets(
    request: SearchRequest, table: FacetTable, text: Matches | np.ndarray, filters: dict
) -> dict[str, list[dict]]:
    """Counts per facet, each computed without its own filter (disjunctive faceting), from
    the documents the words match (``Matches``: work in proportion to them)."""
    if not isinstance(text, Matches):
        text = Matches.of_mask(text)

    def base(excluded: str) -> Matches:
        found = text
        for name, f in filters.items():
            if name != excluded:
                found = found.keep(f)
        return found

    out: dict[str, list[dict]] = {}
    for facet in FACETS:
        name = facet.name
        selected = facet.resolve(request.selected(name))
        chosen = {facet_key(v) for v in selected}
        box = request.value_filters.get(name)
        if not chosen and not box:  # the usual case: the first ``limit`` values, as below
            out[name] = [
                {"value": value, "label": facet.display(value), "count": count,
                 "selected": False}
                for value, count in table.value_counts(name, base(name), facet.limit)
            ]
            continue
        counts = table.value_counts(name, base(name))
        items = [
            {
                "value": value,
                "label": facet.display(value),
                "count": count,
                "selected": facet_key(value) in chosen,
            }
            for value, count in counts
        ]
        if box:  # every value of the facet is looked at, not only those listed
            needle = facet_key(box)
            items = [
                i for i in items
                if i["selected"] or needle in facet_key(i["value"])
                or needle in facet_key(i["label"])
            ]  # fmt: skip
        shown = items[: facet.limit]
        shown += [i for i in items[facet.limit :] if i["selected"]]
        missing = chosen - {facet_key(i["value"]) for i in items}
        for v in selected:
            if facet_key(v) in missing:
                missing.discard(facet_key(v))
                shown.append(
                    {"value": v, "label": facet.display(v), "count": 0, "selected": True}
                )
        out[name] = shown

    date_base = base("date")
    numbers, counts = table.month_totals(date_base)
    ranged = bool(request.date_from and request.date_to)  # else no month is selected
    if ranged:
        out["month"] = [
            {
                "value": _month_value(n // 12, n % 12 + 1),
                "label": _month_label(n // 12, n % 12 + 1),
                "count": c,
                "selected": _covers(request, dt.date(n // 12, n % 12 + 1, 1),
                                    month_end(n // 12, n % 12 + 1)),
            }
            for n, c in zip(numbers.tolist(), counts.tolist(), strict=True)
        ]
    else:  # a common word's matches span hundreds of months: one look-up each
        out["month"] = [
            {"value": texts[0], "label": texts[1], "count": c, "selected": False}
            for texts, c in zip(map(_month_texts, numbers.tolist()), counts.tolist(),
                                strict=True)
        ]
    years = numbers // 12
    firsts = np.flatnonzero(np.concatenate(([True], years[1:] != years[:-1]))) if years.size \
        else _NO_MONTHS
    out["year"] = [
        {
            "value": f"{y:04d}",
            "label": str(y),
            "count": c,
            "selected": ranged and _covers(request, dt.date(y, 1, 1), dt.date(y, 12, 31)),
        }
        for y, c in zip(years[firsts].tolist(),
                        (np.add.reduceat(counts, firsts) if firsts.size else firsts).tolist(),
                        strict=True)
    ]
    out["day"] = [
        {
            "value": text[0],
            "label": text[1],
            "count": c,
            "selected": request.date_from == request.date_to == day,
        }
        for day, c in _day_counts(request, table, date_base, numbers.size)
        for text in (_day_texts(day),)
    ]
    keys = ("country", "person", "month", "year", "day", "section", "source")
    return {k: out[k] for k in keys}


def _day_counts(request: SearchRequest, table: FacetTable, mask: np.ndarray,
                months: int | None = None):
    """Days only when they are few: within a selected range of a few weeks, or when all
    the matches fall on at most ``MAX_DAYS`` days. ``months``: how many months the dated
    matches of ``mask`` fall in; more than ``MAX_DAYS`` of them, with no date bound, are
    more days than that, so none are counted (a common word's matches at a million
    articles fall in hundreds of months)."""
    start, end = request.date_from, request.date_to
    if start and end and (end - start).days < MAX_DAYS:
        return table.day_counts(mask, start, end)
    if not start and not end and months is not None and months > MAX_DAYS:
        return []
    return table.day_counts(mask, start, end, most=MAX_DAYS)


_month_label = functools.lru_cache(maxsize=1 << 14)(month_label)


@functools.lru_cache(maxsize=1 << 14)
def _day_texts(day: dt.date) -> tuple[str, str]:
    """A day's value and label (``2020-03-15``, ``15 mars 2020``), made once per day, not
    per search (a common word's matches list up to ``MAX_DAYS`` days)."""
    return day.isoformat(), f"{day.day} {month_label(day.year, day.month)}"


@functools.lru_cache(maxsize=1 << 14)
def _month_texts(number: int) -> tuple[str, str]:
    """A month's value and label from its number (year * 12 + month - 1), made once."""
    year, month = divmod(number, 12)
    return _month_value(year, month + 1), _month_label(year, month + 1)


@functools.lru_cache(maxsize=1 << 14)
def _month_value(year: int, month: int) -> str:
    """``2020-03``: made once per month, not per search (an archive of a century lists
    over a thousand months for a common word)."""
    return f"{year:04d}-{month:02d}"


def _covers(request: SearchRequest, start: dt.date, end: dt.date) -> bool:
    return request.date_from == start and request.date_to == end
