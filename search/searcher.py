"""The read path: ``SearchEngine.search(SearchRequest) -> SearchResponse``.

The CLI, the HTML pages and the JSON API all call this one function and only render
its answer differently, so they can never disagree. Text matching and ranking are
Whoosh's (BM25F over both views of each field); filters and facet counts use the
per-generation numpy columns of ``facets.FacetTable``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from dataclasses import fields as dataclass_fields
from dataclasses import replace as dataclass_replace
from pathlib import Path

import numpy as np
from rapidfuzz import process as fuzzy
from rapidfuzz.distance import OSA
from whoosh import index as whoosh_index
from whoosh import query as wq

from . import fastsearch, storage
from .analysis import exact_analyzer, french_analyzer
from .facets import FacetTable, facet_key, month_label
from .labels import country_label, resolve_country
from .query import LITERAL_NOTICE, QueryError, interpret, literal, parse, word_count
from .snippets import escape, mark_all, snippet

RECALL_FIELDS = ("title", "summary", "body", "caption")
# Unstemmed, accent-preserving views: spelling suggestions are real words ("retraites").
EXACT_FIELDS = ("title_exact", "summary_exact", "body_exact")
MAX_PER_PAGE = 100
MAX_PAGE = 1000
MAX_FILTER_VALUES = 50  # per facet, so a URL cannot ask for thousands of OR'ed values
MAX_FACET_FILTER = 100  # characters of the person filter box
FEW_HITS = 3  # below this many results, "did you mean" also considers rare words
# Whoosh ranks a prefix through a union of every word it expands to, in each field: "pr*"
# (2,600 words) takes minutes on 34,000 articles, "mac*" (156) a second. Refused above:
MAX_EXPANSIONS = 100
FACET_LIMITS = {"country": 30, "person": 30, "section": 30}
# Days are listed when the matches (or the selected range) span at most this many days.
MAX_DAYS = 62
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
    bound means its last day, so ``--jusqu-au 2020`` includes all of 2020."""
    text = (text or "").strip()
    if not text:
        return None
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
                first = dt.date(year, month, 1)
                if not end:
                    return first
                nxt = dt.date(year + month // 12, month % 12 + 1, 1)
                return nxt - dt.timedelta(days=1)
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
    # Each result also carries its score's parts (``fastsearch.explain``).
    explain: bool = False

    def __post_init__(self) -> None:
        for values, name in (
            (self.countries, "pays"),
            (self.persons, "personne"),
            (self.sections, "rubrique"),
        ):
            if len(values) > MAX_FILTER_VALUES:
                raise RequestError(
                    f"Trop de valeurs pour {name} ({len(values)}, {MAX_FILTER_VALUES} au plus)."
                )
        if len(self.person_filter) > MAX_FACET_FILTER:
            raise RequestError(
                f"Le filtre des personnes est trop long ({MAX_FACET_FILTER} caractères au plus)."
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
            values = params.getlist(name) if hasattr(params, "getlist") else params.get(name, [])
            if isinstance(values, str):
                values = [values]
            return [v.strip() for v in values if v and v.strip()]

        def get(name: str) -> str:
            values = getlist(name)
            return values[0] if values else ""

        return cls(
            q=get("q"),
            countries=getlist("pays"),
            persons=getlist("personne"),
            sections=getlist("rubrique"),
            date_from=parse_date_bound(get("depuis"), name="depuis"),
            date_to=parse_date_bound(get("jusqu_au"), end=True, name="jusqu_au"),
            sort=get("tri") or "pertinence",
            page=_int_param(get("page"), "page", 1, 1, MAX_PAGE),
            per_page=_int_param(get("par_page"), "par_page", 10, 1, MAX_PER_PAGE),
            person_filter=get("personne_filtre"),
            explain=get("explain").lower() in ("1", "true", "oui"),
        )

    def to_params(self, **changes) -> list[tuple[str, str]]:
        """URL parameters for this request with some changed (page links, facet toggles)."""
        data = {
            "q": self.q,
            "pays": self.countries,
            "personne": self.persons,
            "rubrique": self.sections,
            "depuis": self.date_from.isoformat() if self.date_from else "",
            "jusqu_au": self.date_to.isoformat() if self.date_to else "",
            "tri": {"relevance": "", "newest": "date", "oldest": "ancien"}[self.sort],
            "page": "" if self.page == 1 else str(self.page),
            "par_page": "" if self.per_page == 10 else str(self.per_page),
            "personne_filtre": self.person_filter,
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
    # One line when the text was not searched as written (``query.interpret``).
    notice: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


class _Generation:
    """One opened index generation: its Whoosh index, facet table and per-thread searchers."""

    _opened = itertools.count()

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self.serial = next(self._opened)  # unique even if a wiped folder reuses a name
        self.ix = whoosh_index.open_dir(str(path))
        self.schema = self.ix.schema  # FileIndex.schema re-reads the TOC file on each access
        self._local = threading.local()
        with self.ix.searcher() as s:
            self.facets = FacetTable(s.reader())
            # Posting arrays of this generation, read once and shared by every thread
            # (fastsearch); kept on the table so the helpers that get a table find it.
            self.facets.postings = fastsearch.PostingCache(s)
            self.facets.lexicon = Lexicon()

    def searcher(self):
        s = getattr(self._local, "searcher", None)
        if s is None:
            s = self._local.searcher = self.ix.searcher()
        return s


DEFAULT_CACHE = 256  # recent responses kept (a few MB); LOUPE_CACHE=0 turns it off


def _cache_size_from_env() -> int:
    try:
        return max(0, int(os.environ.get("LOUPE_CACHE", DEFAULT_CACHE)))
    except ValueError:
        return DEFAULT_CACHE


def _freeze(value):
    return tuple(value) if isinstance(value, list) else value


class SearchEngine:
    """A searchable index folder; picks up a new generation as soon as a reindex publishes it.

    Recent responses are kept (``cache_size``, default ``LOUPE_CACHE`` or 256) keyed by the
    generation and every field of the request, so paging back, a facet toggled off again or
    a reload answer at once; a new generation is a new key, so nothing stale is served.
    """

    def __init__(self, index_dir: str | Path, cache_size: int | None = None) -> None:
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._gen: _Generation | None = None
        self.cache_size = _cache_size_from_env() if cache_size is None else cache_size
        self._responses: OrderedDict[tuple, SearchResponse] = OrderedDict()
        self._responses_lock = threading.Lock()

    def _current(self) -> _Generation:
        path = storage.require_generation(self.index_dir)
        gen = self._gen
        if gen is None or gen.path != path:
            with self._lock:
                if self._gen is None or self._gen.path != path:
                    self._gen = _Generation(path)
                gen = self._gen
        return gen

    @property
    def generation(self) -> str:
        return self._current().name

    # -- search ---------------------------------------------------------------

    def search(self, request: SearchRequest, facets: bool = True) -> SearchResponse:
        """The page of results and, unless ``facets`` is false, every facet's counts.

        The response may be shared with other callers (the cache): treat it as read-only.
        """
        started = time.perf_counter()
        gen = self._current()
        if not self.cache_size:
            return self._search(gen, request, facets, started)
        key = (gen.serial, facets) + tuple(
            _freeze(getattr(request, f.name)) for f in dataclass_fields(request)
        )
        with self._responses_lock:
            cached = self._responses.get(key)
            if cached is not None:
                self._responses.move_to_end(key)
        if cached is not None:
            took = round((time.perf_counter() - started) * 1000, 2)
            return dataclass_replace(cached, took_ms=took)
        response = self._search(gen, request, facets, started)
        with self._responses_lock:
            if self._responses and next(iter(self._responses))[0] != gen.serial:
                self._responses.clear()  # an older generation's answers: never asked again
            self._responses[key] = response
            while len(self._responses) > self.cache_size:
                self._responses.popitem(last=False)
        return response

    def _search(self, gen, request: SearchRequest, facets: bool, started: float) -> SearchResponse:
        s = gen.searcher()
        table = gen.facets
        schema = gen.schema

        q, text_mask, notice = self._text_match(s, request.q, schema, table)
        filters = self._filter_masks(request, table)
        final = _combine(text_mask, filters)
        total = int(final.sum())

        start = (request.page - 1) * request.per_page
        terms = _highlight_terms(q, s.reader()) if q is not None else set()
        # Without a word to rank by (only exclusions or field filters), newest first.
        ranked = q if terms else None
        hits = self._page(s, ranked, request, table, final, start, filtered=bool(filters))
        results = [self._result(s, table, docnum, score, terms) for docnum, score in hits]
        if request.explain and ranked is not None and request.sort == "relevance":
            parts = fastsearch.explain(s, ranked, table.postings, [d for d, _ in hits])
            base = _scored(s, ranked, table)
            near = fastsearch.proximity(s, ranked, base, final, table.postings)
            for result, (docnum, _score) in zip(results, hits, strict=True):
                extra = float(near.scores[docnum] - base.scores[docnum])
                if extra > 0:  # the proximity bonus of the best documents
                    parts[docnum].append({"field": None, "term": "(proximité)", "tf": None,
                                          "idf": None, "boost": fastsearch.PROXIMITY,
                                          "score": extra})
                result["explain"] = [
                    {**p, "score": round(float(p["score"]), 6)} for p in parts[docnum]
                ]
        counts = self._facets(request, table, text_mask, filters) if facets else {}
        did_you_mean = None
        if q is not None:
            did_you_mean = self._did_you_mean(s, request.q, schema, table, filters, total)
        took = (time.perf_counter() - started) * 1000
        return SearchResponse(
            query=request.q,
            total=total,
            page=request.page,
            per_page=request.per_page,
            took_ms=round(took, 2),
            results=results,
            facets=counts,
            did_you_mean=did_you_mean,
            notice=notice,
        )

    def _text_match(self, s, text: str, schema, table: FacetTable):
        """(Whoosh query or None, mask of the documents the words match, notice or None)."""
        q, notice = interpret(text, schema)
        if q is None:
            return None, table.live, notice
        if q is wq.NullQuery:  # only stop words or punctuation
            return None, np.zeros(table.n_docs, dtype=bool), notice
        try:
            _check_expansions(q, s.reader())
        except QueryError as exc:  # a prefix standing for too many words: its letters
            q, notice = literal(text, schema, notice=f"{exc} {LITERAL_NOTICE}")
            if q is wq.NullQuery:
                return None, np.zeros(table.n_docs, dtype=bool), notice
        text_mask = self._match_mask(s, q, table)
        if not text_mask.any() and word_count(q) > 1:
            # Nothing has enough of the words: rank what has some of them.
            loose = interpret(text, schema, any_word=True).query
            if loose is not None and loose is not wq.NullQuery:
                try:
                    _check_expansions(loose, s.reader())
                except QueryError:
                    return q, text_mask, notice
                loose_mask = self._match_mask(s, loose, table)
                if loose_mask.any():
                    return loose, loose_mask, notice
        return q, text_mask, notice

    def _did_you_mean(self, s, text: str, schema, table, filters, total: int) -> str | None:
        """A respelled query when a word is unknown (or rare and the results few).

        It is offered only if it finds articles with the same filters, and, when every
        word was known, more articles than the query as typed.
        """
        lexicon = getattr(table, "lexicon", None)
        respelled = respell(text, s.reader(), rare_too=total < FEW_HITS, lexicon=lexicon)
        if respelled is None:
            return None
        corrected, had_unknown = respelled
        try:
            _q, mask, _notice = self._text_match(s, corrected, schema, table)
        except QueryError:
            return None
        found = int(_combine(mask, filters).sum())
        return corrected if found > (0 if had_unknown else total) else None

    def count(self, request: SearchRequest) -> int:
        """How many articles a search finds, without ranking, snippets or facets."""
        gen = self._current()
        s = gen.searcher()
        _q, text_mask, _notice = self._text_match(s, request.q, gen.ix.schema, gen.facets)
        return int(_combine(text_mask, self._filter_masks(request, gen.facets)).sum())

    @staticmethod
    def _match_mask(s, q, table: FacetTable) -> np.ndarray:
        """Every live document ``q`` matches (numpy over cached postings, not a loop)."""
        return _scored(s, q, table).mask & table.live

    @staticmethod
    def _filter_masks(request: SearchRequest, table: FacetTable) -> dict[str, np.ndarray]:
        filters: dict[str, np.ndarray] = {}
        for name, wanted in (
            ("country", request.countries),
            ("person", request.persons),
            ("section", request.sections),
        ):
            if wanted:
                filters[name] = table.columns[name].mask(_facet_values(name, wanted), table.n_docs)
        if request.date_from or request.date_to:
            filters["date"] = table.date_mask(request.date_from, request.date_to)
        return filters

    @staticmethod
    def _page(s, q, request, table, final, start, filtered):
        end = start + request.per_page
        if q is not None and request.sort == "relevance":
            # BM25F (fastsearch), computed over the whole match set at once.
            scored = fastsearch.proximity(s, q, _scored(s, q, table), final, table.postings)
            hits = fastsearch.top(scored, final, start, end)
            return [(docnum, round(score, 4)) for docnum, score in hits]
        docs = np.flatnonzero(final)
        days = table.day[docs].astype(np.int64)
        instants = table.instant[docs]
        # Within a day, by the time the source gives; articles without one after those with.
        if request.sort == "oldest":
            key = np.where(days > 0, days, np.iinfo(np.int64).max)
            within = np.where(instants > 0, instants, np.iinfo(np.int64).max)
        else:  # newest first; also the order of a browse without words
            key = np.where(days > 0, -days, np.iinfo(np.int64).max)
            within = np.where(instants > 0, -instants, np.iinfo(np.int64).max)
        order = np.lexsort((docs, within, key))
        return [(int(d), None) for d in docs[order][start:end]]

    @staticmethod
    def _result(s, table: FacetTable, docnum: int, score: float | None, terms: set[str]) -> dict:
        doc = s.stored_fields(docnum)
        date = doc.get("date")
        return {
            "id": doc["id"],
            "title": doc.get("title", ""),
            "date": date.date().isoformat() if date else None,
            "published": doc.get("published") or None,
            "section": table.columns["section"].label(doc.get("section")),
            "source": doc.get("source") or None,
            "url": doc.get("url") or None,
            "snippet": snippet(
                [doc.get("body", ""), doc.get("summary", ""), doc.get("caption", "")], terms
            ),
            "score": score,
            "countries": [
                {"value": c, "label": country_label(c)} for c in doc.get("country") or []
            ],
            "persons": _persons(table, doc),
        }

    @staticmethod
    def _facets(request, table: FacetTable, text_mask, filters) -> dict[str, list[dict]]:
        """Counts per facet, each computed without its own filter (disjunctive faceting)."""

        def base(excluded: str) -> np.ndarray:
            mask = text_mask.copy()
            for name, f in filters.items():
                if name != excluded:
                    mask &= f
            return mask

        out: dict[str, list[dict]] = {}
        for name, selected in (
            ("country", request.countries),
            ("person", request.persons),
            ("section", request.sections),
        ):
            counts = table.value_counts(name, base(name))
            chosen = {facet_key(v) for v in _facet_values(name, selected)}
            items = [
                {
                    "value": value,
                    "label": country_label(value) if name == "country" else value,
                    "count": count,
                    "selected": facet_key(value) in chosen,
                }
                for value, count in counts
            ]
            if name == "person" and request.person_filter:
                needle = facet_key(request.person_filter)
                items = [i for i in items if i["selected"] or needle in facet_key(i["value"])]
            shown = items[: FACET_LIMITS[name]]
            shown += [i for i in items[FACET_LIMITS[name] :] if i["selected"]]
            missing = chosen - {facet_key(i["value"]) for i in items}
            for v in _facet_values(name, selected):
                if facet_key(v) in missing:
                    missing.discard(facet_key(v))
                    label = country_label(v) if name == "country" else v
                    shown.append({"value": v, "label": label, "count": 0, "selected": True})
            out[name] = shown

        date_base = base("date")
        out["month"] = [
            {
                "value": f"{y:04d}-{m:02d}",
                "label": month_label(y, m),
                "count": c,
                "selected": _covers(request, dt.date(y, m, 1), _month_end(y, m)),
            }
            for y, m, c in table.month_counts(date_base)
        ]
        out["year"] = [
            {
                "value": f"{y:04d}",
                "label": str(y),
                "count": c,
                "selected": _covers(request, dt.date(y, 1, 1), dt.date(y, 12, 31)),
            }
            for y, c in table.year_counts(date_base)
        ]
        out["day"] = [
            {
                "value": day.isoformat(),
                "label": f"{day.day} {month_label(day.year, day.month)}",
                "count": c,
                "selected": request.date_from == request.date_to == day,
            }
            for day, c in _day_counts(request, table, date_base)
        ]
        return {k: out[k] for k in ("country", "person", "month", "year", "day", "section")}

    # -- articles and stats ---------------------------------------------------

    def article(self, article_id: str, q: str = "") -> dict | None:
        """One article with all its text; the query's words marked when ``q`` is given."""
        gen = self._current()
        s = gen.searcher()
        docnum = s.document_number(id=article_id)
        if docnum is None:
            return None
        doc = s.stored_fields(docnum)
        terms: set[str] = set()
        if q:
            try:
                parsed = parse(q, gen.ix.schema)
            except QueryError:
                parsed = None
            if parsed is not None and parsed is not wq.NullQuery:
                terms = _highlight_terms(parsed, s.reader())
        date = doc.get("date")
        return {
            "id": doc["id"],
            "title": doc.get("title", ""),
            "title_html": mark_all(doc.get("title", ""), terms),
            "date": date.date().isoformat() if date else None,
            "date_source": doc.get("date_source") or None,
            "published": doc.get("published") or None,
            "section": doc.get("section") or None,
            "source": doc.get("source") or None,
            "url": doc.get("url") or None,
            "path": doc.get("path") or None,
            "summary": doc.get("summary", ""),
            "summary_html": mark_all(doc.get("summary", ""), terms),
            "caption": doc.get("caption", ""),
            "body": doc.get("body", ""),
            "body_html": [mark_all(p, terms) for p in _paragraphs(doc.get("body", ""))],
            "tags": doc.get("tags") or [],
            "countries": [
                {"value": c, "label": country_label(c)} for c in doc.get("country") or []
            ],
            "persons": _persons(gen.facets, doc),
        }

    def stats(self, top: int = 10) -> dict:
        gen = self._current()
        table = gen.facets
        live = table.live
        date_range = table.date_range()

        def top_values(name: str) -> list[dict]:
            return [
                {
                    "value": v,
                    "label": country_label(v) if name == "country" else v,
                    "count": c,
                }
                for v, c in table.value_counts(name, live)[:top]
            ]

        return {
            "index": str(self.index_dir),
            "generation": gen.name,
            "articles": int(live.sum()),
            "undated": int((live & ~table.dated).sum()),
            "date_min": date_range[0].isoformat() if date_range else None,
            "date_max": date_range[1].isoformat() if date_range else None,
            "size_bytes": storage.dir_size(gen.path),
            "sections": top_values("section"),
            "countries": top_values("country"),
            "persons": top_values("person"),
            "years": [{"value": str(y), "count": c} for y, c in table.year_counts(live)],
        }


def _check_expansions(q, reader) -> None:
    """Refuses a prefix or wildcard that stands for too many words, with a way out."""
    for leaf in q.leaves():
        if isinstance(leaf, (wq.Prefix, wq.Wildcard)):
            words = sum(1 for _ in itertools.islice(leaf._btexts(reader), MAX_EXPANSIONS + 1))
            if words > MAX_EXPANSIONS:
                typed = leaf.text + ("*" if isinstance(leaf, wq.Prefix) else "")
                raise QueryError(
                    f"« {typed} » correspond à trop de mots (plus de {MAX_EXPANSIONS}) : "
                    "écrivez plus de lettres avant l'astérisque."
                )


def _combine(text_mask: np.ndarray, filters: dict[str, np.ndarray]) -> np.ndarray:
    """AND of the text match and every facet filter."""
    final = text_mask.copy()
    for mask in filters.values():
        final &= mask
    return final


# -- "did you mean" ----------------------------------------------------------------------

# The plain words of a query: field filters (pays:RU, date:[2019 to 2020]) are skipped
# whole, phrases are looked into word by word, operators and wildcards are left alone.
_QUERY_PART = re.compile(r'[\w-]+:(?:"[^"]*"?|\[[^\]]*\]?|\([^)]*\)?|[^\s()]*)|[^\s"()]+')
_OPERATOR_WORDS = {"AND", "ET", "OR", "OU", "NOT", "NON", "ANDNOT", "SAUF", "ANDMAYBE"}
_EXACT = exact_analyzer()
_RECALL = french_analyzer()
RARE = 2  # a known word found in so few articles may be a typo too ("gouvernment")


def _doc_frequency(reader, fields: tuple[str, ...], text: str) -> int:
    return sum(reader.doc_frequency(f, text) for f in fields)


def _recall_frequency(reader, word: str) -> int:
    """Articles the recall view finds for a word (``reforme`` through ``réforme``), at most:
    the rarest part of a compound counts."""
    stems = [t.text for t in _RECALL(word)]
    return min((_doc_frequency(reader, RECALL_FIELDS, t) for t in stems), default=0)


class Lexicon:
    """The exact views' words of one index generation by first letter, read from the index
    the first time a word with that letter is respelled, then kept."""

    def __init__(self) -> None:
        self._by_letter: dict[str, list[str]] = {}

    def starting_with(self, reader, letter: str) -> list[str]:
        words = self._by_letter.get(letter)
        if words is None:
            found: set[str] = set()
            for fieldname in EXACT_FIELDS:
                if fieldname in reader.schema:
                    for term in reader.expand_prefix(fieldname, letter):
                        found.add(term.decode("utf-8") if isinstance(term, bytes) else term)
            words = self._by_letter[letter] = sorted(found)  # a race only repeats the work
        return words


def suggest_word(
    reader, word: str, better_than: int = 0, lexicon: Lexicon | None = None
) -> str | None:
    """The closest exact-view word to ``word`` (a lower-case token), then the most frequent.

    Short words are left alone: too many real words lie one letter away. Whoosh's own
    ``ReaderCorrector`` ranks only by frequency within the whole distance; this keeps
    the edit distance first, as a person would. The first letter is rarely the mistake:
    the candidates are the words that share it, compared in C by rapidfuzz (optimal string
    alignment: a swap of two letters is one edit), not one by one in Python as Whoosh's
    ``terms_within`` does (0.1-0.5 s for a rare word at 5,000 articles).
    """
    if len(word) < 4 or any(c.isdigit() for c in word):
        return None
    longest = 1 if len(word) < 7 else 2
    words = (lexicon or Lexicon()).starting_with(reader, word[0])
    near = fuzzy.extract(word, words, scorer=OSA.distance, score_cutoff=longest, limit=None)
    for distance in range(1, longest + 1):
        found: dict[str, int] = {}
        for candidate, d, _index in near:
            if d == distance and candidate != word:
                frequency = _doc_frequency(reader, EXACT_FIELDS, candidate)
                if frequency > better_than:
                    found[candidate] = frequency
        if found:
            return min(found, key=lambda w: (-found[w], w))
    return None


def respell(
    text: str, reader, rare_too: bool = False, lexicon: Lexicon | None = None
) -> tuple[str, bool] | None:
    """``text`` with each unknown word (and, if ``rare_too``, each rare word) replaced by
    its closest frequent neighbour in the index, and whether an unknown word was among
    them; None when nothing changes."""
    pieces: list[str] = []
    last = 0
    changed = had_unknown = False
    for part in _QUERY_PART.finditer(text):
        token = part.group()
        offset = part.start()
        if ":" in token or token in _OPERATOR_WORDS or "*" in token or "?" in token:
            continue
        for t in _EXACT(token, chars=True):
            frequency = _recall_frequency(reader, t.text)
            if frequency:
                frequency = max(frequency, _doc_frequency(reader, EXACT_FIELDS, t.text))
                if not rare_too or frequency > RARE:
                    continue
                suggestion = suggest_word(
                    reader, t.text, better_than=max(4, 5 * frequency), lexicon=lexicon
                )
            else:
                suggestion = suggest_word(reader, t.text, lexicon=lexicon)
                had_unknown = had_unknown or suggestion is not None
            if not suggestion:
                continue
            start, end = offset + t.startchar, offset + t.endchar
            pieces += [text[last:start], _same_case(text[start:end], suggestion)]
            last = end
            changed = True
    if not changed:
        return None
    return "".join(pieces) + text[last:], had_unknown


def _same_case(original: str, word: str) -> str:
    """``Gouvernment`` → ``Gouvernement``, ``GOUVERNMENT`` → ``GOUVERNEMENT``."""
    if original.isupper() and len(original) > 1:
        return word.upper()
    if original[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


_recent = threading.local()


def _scored(s, q, table: FacetTable) -> fastsearch.Scored:
    """``fastsearch.evaluate`` memoised for the last few queries of this thread, so the
    match mask and the ranking of one search evaluate the query once."""
    memo = getattr(_recent, "memo", None)
    if memo is None:
        memo = _recent.memo = []
    key = (table, q)
    for k, value in memo:
        if k == key:
            return value
    value = fastsearch.evaluate(s, q, table.postings)
    memo.insert(0, (key, value))
    del memo[4:]
    return value


def _facet_values(name: str, values: list[str]) -> list[str]:
    """Country filters take a code or a French name: ``RU``, ``ru``, ``Russie``."""
    return [resolve_country(v) for v in values] if name == "country" else list(values)


def _persons(table: FacetTable, doc: dict) -> list[dict]:
    """A result's persons under the corpus-wide canonical spelling (the facet's label)."""
    column = table.columns["person"]
    names = [column.label(p) or p for p in doc.get("person") or []]
    return [{"value": n, "label": n} for n in dict.fromkeys(names)]


def _day_counts(request: SearchRequest, table: FacetTable, mask: np.ndarray):
    """Days only when they are few: within a selected range of a few weeks, or when all
    the matches fall on at most ``MAX_DAYS`` days."""
    start, end = request.date_from, request.date_to
    if start and end and (end - start).days < MAX_DAYS:
        return table.day_counts(mask, start, end)
    days = table.day_counts(mask, start, end)
    return days if len(days) <= MAX_DAYS else []


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)


def _covers(request: SearchRequest, start: dt.date, end: dt.date) -> bool:
    return request.date_from == start and request.date_to == end


def _paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]


def _existing_terms(q, reader) -> set[tuple[str, str]]:
    """(field, text) of the query's words that the index holds, wildcards expanded.

    Whoosh 2.7's ``Query.existing_terms`` reuses its ``fieldname`` argument as a loop
    variable and so skips most leaves; this walks the leaves itself.
    """
    out: set[tuple[str, str]] = set()
    for leaf in q.leaves():
        for fieldname, text in leaf.expanded_terms(reader, phrases=True):
            if fieldname not in RECALL_FIELDS:
                continue
            text = text.decode("utf-8") if isinstance(text, bytes) else text
            if (fieldname, text) in reader:
                out.add((fieldname, text))
    return out


def _highlight_terms(q, reader) -> set[str]:
    """The recall-view words a query looks for, less those it excludes."""
    negative: set[tuple[str, str]] = set()

    def walk(node) -> None:
        if isinstance(node, wq.AndNot):
            walk(node.a)
            negative.update(_existing_terms(node.b, reader))
        elif isinstance(node, wq.Not):
            negative.update(_existing_terms(node.query, reader))
        elif not node.is_leaf():
            for child in node.children():
                walk(child)

    walk(q)
    return {text for _field, text in _existing_terms(q, reader) - negative}


__all__ = [
    "RequestError",
    "SearchEngine",
    "SearchRequest",
    "SearchResponse",
    "escape",
    "parse_date_bound",
]
