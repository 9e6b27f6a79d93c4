"""What a search asks and what it answers: ``SearchRequest`` (with its URL codec, read by
the pages, the API and the feeds, and its limits) and ``SearchResponse``.

A request is checked when it is made, so that every front end refuses the same things with
the same French message (``RequestError``, a 400 or exit code 2).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields

from search.find.facets import FACET_BY_NAME, FACETS
from search.french import month_end

MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_FILTER_VALUES = 50  # per facet, so a URL cannot ask for thousands of OR'ed values
# Characters of one facet value, and of all of them together: every link of a results page
# carries the whole search, so a page's size grows with (links x search); a 241 KB request
# made a 74 MB page before these caps (issue 13). The longest real value is under 60.
MAX_FILTER_LENGTH = 100
MAX_FILTERS_TEXT = 1000
MAX_FACET_FILTER = 100  # characters of a facet list's search box
# The dates a request may name; beyond them the date arithmetic of pages and histograms
# (a month's last day, the next year) would leave what Python's dates hold (year 9999).
MIN_DATE = dt.date(1000, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)
# Control characters are never searched nor echoed (a NUL pasted into the box, a terminal
# escape): each becomes a space. Tab and line breaks are spaces already.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
SORTS = {
    "pertinence": "relevance",
    "relevance": "relevance",
    "date": "newest",
    "recent": "newest",
    "newest": "newest",
    "ancien": "oldest",
    "oldest": "oldest",
}


class RequestError(ValueError):
    """A bad parameter; the message (in French) is shown to the user with a 400."""


_DATE_FORMATS = (
    (re.compile(r"^(\d{4})$"), "y"),
    (re.compile(r"^(\d{4})-(\d{1,2})$"), "ym"),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), "ymd"),
    (re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$"), "dmy"),
)


def parse_date_bound(text: str | None, end: bool = False, name: str = "date") -> dt.date | None:
    """``2020``, ``2020-03``, ``2020-03-15`` or ``15/03/2020``; a year or month as an upper
    bound means its last day, so ``--jusqu-au 2020`` includes all of 2020. Years outside
    ``MIN_DATE``..``MAX_DATE`` are refused (``RequestError``)."""
    text = (text or "").strip()
    if not text:
        return None
    day = _parse_date(text, end, name)
    _check_date_bounds(day, name)
    return day


def _check_date_bounds(day: dt.date | None, name: str) -> None:
    if day is not None and not MIN_DATE <= day <= MAX_DATE:
        raise RequestError(
            f"Date {day.isoformat()} hors limites pour {name} : les dates vont de l'an "
            f"{MIN_DATE.year} à l'an {MAX_DATE.year}."
        )


def clean_text(text: str) -> str:
    """``text`` with every control character (NUL, escape sequences…) made a space."""
    return _CONTROL.sub(" ", text)


def _clean_values(values: list[str]) -> list[str]:
    cleaned = (" ".join(clean_text(v).split()) for v in values)
    return [v for v in cleaned if v]


def _parse_date(text: str, end: bool, name: str) -> dt.date:
    for pattern, kind in _DATE_FORMATS:
        m = pattern.match(text)
        if not m:
            continue
        try:
            if kind == "y":
                year = int(m.group(1))
                return dt.date(year, 12, 31) if end else dt.date(year, 1, 1)
            if kind == "ym":
                year, month = int(m.group(1)), int(m.group(2))
                return month_end(year, month) if end else dt.date(year, month, 1)
            if kind == "ymd":
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            break
    raise RequestError(
        f"Date « {text} » invalide pour {name} : écrivez AAAA, AAAA-MM, AAAA-MM-JJ ou JJ/MM/AAAA."
    )


def _int_param(value, name: str, default: int, low: int, high: int) -> int:
    if value in (None, ""):
        return default
    try:
        number = int(str(value).strip())
    except ValueError:
        raise RequestError(f"Le paramètre {name} doit être un nombre entier.") from None
    if not low <= number <= high:
        raise RequestError(f"Le paramètre {name} doit être compris entre {low} et {high}.")
    return number


@dataclass
class SearchRequest:
    """Everything that defines a search; it round-trips through URL parameters."""

    q: str = ""
    countries: list[str] = field(default_factory=list)
    persons: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 10
    # Only lists the person facet values containing this text (a long list's filter box).
    person_filter: str = ""
    # False: the words exactly as typed, even when a respelling would find articles.
    respell: bool = True
    # The source (agency or site) facet; last, so positional construction stays as it was.
    sources: list[str] = field(default_factory=list)
    # Each result also carries its score's parts (``fastsearch.explain``).
    explain: bool = False
    # Facet name -> text: only lists that facet's values containing it (the search box of a
    # long list, ``pays_filtre=…``); ``person_filter`` is the person's, kept as it was.
    value_filters: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.q = clean_text(self.q or "")
        boxes = {**self.value_filters}
        if self.person_filter:
            boxes["person"] = self.person_filter
        self.value_filters = {
            name: text for name, text in ((n, clean_text(t or "")) for n, t in boxes.items())
            if text.strip()
        }  # fmt: skip
        self.person_filter = self.value_filters.get("person", "")
        together = 0
        for facet in FACETS:
            values = _clean_values(getattr(self, facet.attr))
            setattr(self, facet.attr, values)
            together += sum(len(v) for v in values)
            if len(values) > MAX_FILTER_VALUES:
                raise RequestError(
                    f"Trop de valeurs pour {facet.param} ({len(values)}, "
                    f"{MAX_FILTER_VALUES} au plus)."
                )
            for value in values:
                if len(value) > MAX_FILTER_LENGTH:
                    raise RequestError(
                        f"Valeur trop longue pour {facet.param} ({len(value)} caractères, "
                        f"{MAX_FILTER_LENGTH} au plus)."
                    )
        if together > MAX_FILTERS_TEXT:
            raise RequestError(
                f"Filtres trop longs ({together} caractères en tout, {MAX_FILTERS_TEXT} au plus)."
            )
        _check_date_bounds(self.date_from, "depuis")
        _check_date_bounds(self.date_to, "jusqu_au")
        for name, text in self.value_filters.items():
            if name not in FACET_BY_NAME:
                raise RequestError(f"Facette inconnue : {name}.")
            if len(text) > MAX_FACET_FILTER:
                raise RequestError(
                    f"Le filtre de la liste {FACET_BY_NAME[name].filter_param} est trop long "
                    f"({MAX_FACET_FILTER} caractères au plus)."
                )
        self.sort = SORTS.get(self.sort, "")
        if not self.sort:
            raise RequestError("Tri inconnu : choisissez pertinence, date ou ancien.")
        if not 1 <= self.page <= MAX_PAGE:
            raise RequestError(f"La page doit être comprise entre 1 et {MAX_PAGE}.")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise RequestError(
                f"Le nombre de résultats par page doit être compris entre 1 et {MAX_PER_PAGE}."
            )
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise RequestError("La date de début est postérieure à la date de fin.")

    @classmethod
    def from_params(cls, params: Mapping) -> SearchRequest:
        """From URL parameters (a Werkzeug MultiDict or a dict of lists)."""

        def getlist(name: str) -> list[str]:
            if name not in params:  # most of the ~15 parameters of a request are absent
                return []
            values = params.getlist(name) if hasattr(params, "getlist") else params.get(name, [])
            if isinstance(values, str):
                values = [values]
            return [v.strip() for v in values if v and v.strip()]

        def get(name: str) -> str:
            values = getlist(name)
            return values[0] if values else ""

        return cls(
            q=get("q"),
            **{f.attr: getlist(f.param) for f in FACETS},
            date_from=parse_date_bound(get("depuis"), name="depuis"),
            date_to=parse_date_bound(get("jusqu_au"), end=True, name="jusqu_au"),
            sort=get("tri") or "pertinence",
            page=_int_param(get("page"), "page", 1, 1, MAX_PAGE),
            per_page=_int_param(get("par_page"), "par_page", 10, 1, MAX_PER_PAGE),
            value_filters={f.name: get(f.filter_param) for f in FACETS},
            respell=get("sans_correction") not in ("1", "oui", "true"),
            explain=get("explain").lower() in ("1", "true", "oui"),
        )

    def selected(self, facet: str) -> list[str]:
        """The values chosen for a facet (``"country"`` -> ``countries``)."""
        return getattr(self, FACET_BY_NAME[facet].attr)

    def to_params(self, **changes) -> list[tuple[str, str]]:
        """URL parameters for this request with some changed (page links, facet toggles)."""
        data = {
            "q": self.q,
            **{f.param: getattr(self, f.attr) for f in FACETS},
            "depuis": self.date_from.isoformat() if self.date_from else "",
            "jusqu_au": self.date_to.isoformat() if self.date_to else "",
            "tri": {"relevance": "", "newest": "date", "oldest": "ancien"}[self.sort],
            "page": "" if self.page == 1 else str(self.page),
            "par_page": "" if self.per_page == 10 else str(self.per_page),
            **{f.filter_param: self.value_filters.get(f.name, "") for f in FACETS},
            "sans_correction": "" if self.respell else "1",
            "explain": "1" if self.explain else "",
        }
        data.update(changes)
        out: list[tuple[str, str]] = []
        for key, value in data.items():
            for v in value if isinstance(value, list) else [value]:
                if v not in ("", None):
                    out.append((key, str(v)))
        return out


@dataclass
class SearchResponse:
    """What every front end renders; ``to_dict()`` is the JSON API's document."""

    query: str
    total: int
    page: int
    per_page: int
    took_ms: float
    results: list[dict]
    facets: dict[str, list[dict]]
    did_you_mean: str | None = None
    # The respelled query whose results these are, when the query as typed found nothing.
    corrected: str | None = None
    # Words of the query left out by some results (nothing had them all); each such result
    # lists its own in ``missing``.
    dropped: list[str] = field(default_factory=list)
    # True when this answer was kept from an identical earlier search (took_ms is then the
    # time to find it again).
    cached: bool = False
    # One line when the text was not searched as written (``query.interpret``).
    notice: str | None = None

    def to_dict(self) -> dict:
        """The API's document. Its lists and dicts are the response's own (read-only, as
        the response is): ``dataclasses.asdict`` copied every result and facet value
        recursively, a quarter of a served search's time."""
        return {f.name: getattr(self, f.name) for f in dataclass_fields(self)}
