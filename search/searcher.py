"""The read path: ``SearchEngine.search(SearchRequest) -> SearchResponse``.

The CLI, the HTML pages and the JSON API all call this one function and only render
its answer differently, so they can never disagree. Text matching and ranking are
Whoosh's (BM25F over both views of each field); filters and facet counts use the
per-generation numpy columns of ``facets.FacetTable``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import re
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from dataclasses import replace as dataclass_replace
from pathlib import Path

import numpy as np
from rapidfuzz import process as fuzzy
from rapidfuzz.distance import OSA
from whoosh import index as whoosh_index
from whoosh import query as wq
from whoosh.filedb.filestore import FileStorage

from . import budget, fastsearch, postings_mmap, storage
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
# Characters of one facet value, and of all of them together: every link of a results page
# carries the whole search, so a page's size grows with (links x search); a 241 KB request
# made a 74 MB page before these caps (issue 13). The longest real value is under 60.
MAX_FILTER_LENGTH = 100
MAX_FILTERS_TEXT = 1000
MAX_FACET_FILTER = 100  # characters of the person filter box
# The dates a request may name; beyond them the date arithmetic of pages and histograms
# (a month's last day, the next year) would leave what Python's dates hold (year 9999).
MIN_DATE = dt.date(1000, 1, 1)
MAX_DATE = dt.date(2999, 12, 31)
# Control characters are never searched nor echoed (a NUL pasted into the box, a terminal
# escape): each becomes a space. Tab and line breaks are spaces already.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
FEW_HITS = 3  # below this many results, "did you mean" also considers rare words
# Whoosh ranks a prefix through a union of every word it expands to, in each field: "pr*"
# (2,600 words) takes minutes on 34,000 articles, "mac*" (156) a second. Refused above:
MAX_EXPANSIONS = 100
FACET_LIMITS = {"country": 30, "person": 30, "section": 30, "source": 30}
# Days are listed when the matches (or the selected range) span at most this many days.
MAX_DAYS = 210  # 30 weeks: the web UI draws weeks from days up to that span
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
    # False: the words exactly as typed, even when a respelling would find articles.
    respell: bool = True
    # The source (agency or site) facet; last, so positional construction stays as it was.
    sources: list[str] = field(default_factory=list)
    # Each result also carries its score's parts (``fastsearch.explain``).
    explain: bool = False

    def __post_init__(self) -> None:
        self.q = clean_text(self.q or "")
        self.person_filter = clean_text(self.person_filter or "")
        self.countries = _clean_values(self.countries)
        self.persons = _clean_values(self.persons)
        self.sections = _clean_values(self.sections)
        for values, name in (
            (self.countries, "pays"),
            (self.persons, "personne"),
            (self.sections, "rubrique"),
            (self.sources, "source"),
        ):
            if len(values) > MAX_FILTER_VALUES:
                raise RequestError(
                    f"Trop de valeurs pour {name} ({len(values)}, {MAX_FILTER_VALUES} au plus)."
                )
            for value in values:
                if len(value) > MAX_FILTER_LENGTH:
                    raise RequestError(
                        f"Valeur trop longue pour {name} ({len(value)} caractères, "
                        f"{MAX_FILTER_LENGTH} au plus)."
                    )
        together = sum(len(v) for v in (*self.countries, *self.persons, *self.sections))
        if together > MAX_FILTERS_TEXT:
            raise RequestError(
                f"Filtres trop longs ({together} caractères en tout pour pays, personne et "
                f"rubrique, {MAX_FILTERS_TEXT} au plus)."
            )
        _check_date_bounds(self.date_from, "depuis")
        _check_date_bounds(self.date_to, "jusqu_au")
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
            respell=get("sans_correction") not in ("1", "oui", "true"),
            sources=getlist("source"),
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
            "sans_correction": "" if self.respell else "1",
            "source": self.sources,
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


def open_index(path: Path):
    """A generation's Whoosh index, for searching, its segments read through their files:
    with a memory map (``LOUPE_MMAP=1``) Whoosh copies each mapped compound segment's
    postings, columns and term index into every reader (``BufferFile`` wraps the map in a
    ``BytesIO``), so a process would hold them once per request thread (README "Memory and
    first-time searches"); without it, none of them, for some CPU per query."""
    if os.environ.get("LOUPE_MMAP", "0").strip() == "1":
        return whoosh_index.open_dir(str(path))
    return FileStorage(str(path), supports_mmap=False).open_index()


class _Generation:
    """One opened index generation: its Whoosh index, facet table and per-thread searchers."""

    _opened = itertools.count()

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self.serial = next(self._opened)  # unique even if a wiped folder reuses a name
        self.ix = open_index(path)
        self.schema = self.ix.schema  # FileIndex.schema re-reads the TOC file on each access
        self.damage = ""  # set once a search found the files damaged
        self.files = storage.read_checksums(path)  # for /healthz
        self._local = threading.local()
        self.spare: list = []  # searchers opened ahead for threads that have none yet
        with self.ix.searcher() as s:
            self.facets = FacetTable(s.reader())
            # Posting arrays of this generation, read once and shared by every thread
            # (fastsearch); kept on the table so the helpers that get a table find it.
            self.facets.postings = fastsearch.PostingCache(s)
            self.facets.lexicon = Lexicon()
            self.facets.snippets = SnippetCache()

    def searcher(self):
        s = getattr(self._local, "searcher", None)
        if s is None:
            try:  # one opened ahead by ``SearchEngine.warm`` (list.pop is atomic)
                s = self.spare.pop()
            except IndexError:
                s = self.ix.searcher()  # reads the index files: 0.1-0.3 s
            budget.watch(s.reader())  # its work is counted and time-limited (budget.Meter)
            self._local.searcher = s
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
        self._broken: tuple[Path, str] | None = None  # a generation that would not open

    def _current(self) -> _Generation:
        """The generation ``CURRENT`` names, opened once; ``storage.IndexDamaged`` (a 503,
        exit 3) when it cannot be: a damaged ``CURRENT``, a file missing or truncated, a
        table of segments Whoosh cannot read."""
        path = storage.require_generation(self.index_dir)
        gen = self._gen
        if gen is None or gen.path != path:
            with self._lock:
                if self._gen is None or self._gen.path != path:
                    self._gen = self._open(path)
                gen = self._gen
        if gen.damage:
            raise storage.IndexDamaged(self.index_dir, gen.damage)
        return gen

    def _open(self, path: Path) -> _Generation:
        broken = self._broken
        if broken is not None and broken[0] == path:
            raise storage.IndexDamaged(self.index_dir, broken[1])  # not read again per request
        # Every file's size, and the bytes of any file modified after the generation was
        # published, checked against its recorded CRC-32 once per process and generation (a
        # stat per file: the archive is not read again at each swap): damaged files are a
        # 503 saying how to rebuild, never wrong answers or a 500 on some searches.
        # ``loupe check`` reads every byte.
        problems = storage.verify_generation(path, storage.CHECKSUMS)
        try:
            if problems:
                raise storage.IndexDamaged(self.index_dir, problems[0])
            try:
                return _Generation(path)
            except Exception as exc:  # noqa: BLE001 - damaged bytes raise anything
                detail = f"{path.name} illisible : {type(exc).__name__}: {exc}"[:300]
                raise storage.IndexDamaged(self.index_dir, detail) from exc
        except storage.IndexDamaged as exc:
            self._broken = (path, exc.detail)
            raise

    @contextlib.contextmanager
    def _reading(self, gen: _Generation) -> Iterator[None]:
        """An unexpected error while reading ``gen``: if its files no longer match their
        checksums, the generation is marked damaged (``/healthz`` says so) and the error
        becomes ``storage.IndexDamaged``; otherwise it is a bug, raised as it is."""
        try:
            yield
        except (QueryError, RequestError, budget.SearchTimeout, storage.IndexProblem):
            raise
        except Exception as exc:
            problems = storage.verify_generation(gen.path, storage.CHECKSUMS)
            if not problems:
                raise
            gen.damage = problems[0]
            raise storage.IndexDamaged(self.index_dir, gen.damage) from exc

    @property
    def generation(self) -> str:
        return self._current().name

    def health(self) -> dict:
        """For ``/healthz``: the generation in use, or what keeps it from being served
        (``error``), its files' sizes checked against the manifest on each call."""
        try:
            gen = self._current()
            problems = storage.check_files(gen.path, gen.files)  # a stat per file
            if problems:
                raise storage.IndexDamaged(self.index_dir, problems[0])
        except storage.IndexProblem as exc:
            return {"status": "error", "generation": None, "error": str(exc)}
        return {"status": "ok", "generation": gen.name}

    def warm(self, threads: int = 0) -> None:
        """Opens the current generation and runs a search for its most frequent title word
        (ranking, facets, snippets) and a browse, so that the first user's search does not
        pay for reading the index files, the facet table and the analysers' caches; opens a
        searcher ahead for each of ``threads`` server threads, each one's first search would
        otherwise read the index files again."""
        gen = self._current()
        reader = gen.searcher().reader()
        words = [text for _n, text in reader.most_frequent_terms("title", 1)]
        gen.facets.lexicon.load(reader)  # respelling's words, read once, not per letter
        for text in [words[0].decode("utf-8") if words else "", ""]:
            self._search(gen, SearchRequest(q=text), True, time.perf_counter())
        gen.spare.extend(gen.ix.searcher() for _ in range(threads - len(gen.spare)))
    def generation_path(self) -> Path:
        """The folder of the generation in use (its side tables live there)."""
        return self._current().path

    # -- search ---------------------------------------------------------------

    def search(self, request: SearchRequest, facets: bool = True) -> SearchResponse:
        """The page of results and, unless ``facets`` is false, every facet's counts.

        The response may be shared with other callers (the cache): treat it as read-only.
        """
        started = time.perf_counter()
        gen = self._current()
        if not self.cache_size:
            return self._budgeted(gen, request, facets, started)
        key = (gen.serial, facets) + tuple(
            _freeze(getattr(request, f.name)) for f in dataclass_fields(request)
        )
        with self._responses_lock:
            cached = self._responses.get(key)
            if cached is not None:
                self._responses.move_to_end(key)
        if cached is not None:
            took = round((time.perf_counter() - started) * 1000, 2)
            return dataclass_replace(cached, took_ms=took, cached=True)
        response = self._budgeted(gen, request, facets, started)
        with self._responses_lock:
            if self._responses and next(iter(self._responses))[0] != gen.serial:
                self._responses.clear()  # an older generation's answers: never asked again
            self._responses[key] = response
            while len(self._responses) > self.cache_size:
                self._responses.popitem(last=False)
        return response

    def _budgeted(self, gen, request: SearchRequest, facets: bool, started: float):
        """``_search`` within the work budget (``budget``): its queries' estimated cost is
        added up as they are parsed, and the whole search is ended past the time limit."""
        _spent.work = budget.Work()
        try:
            with budget.Meter(), self._reading(gen):
                return self._search(gen, request, facets, started)
        finally:
            _spent.work = None

    def _search(self, gen, request: SearchRequest, facets: bool, started: float) -> SearchResponse:
        s = gen.searcher()
        table = gen.facets
        schema = gen.schema

        loose: dict = {}
        q, text_mask, notice = self._text_match(s, request.q, schema, table, loose)
        filters = self._filter_masks(request, table)
        final = _combine(text_mask, filters)
        total = int(final.sum())
        did_you_mean = corrected = None
        unknown = False
        if q is not None:
            found = self._did_you_mean(s, request.q, schema, table, filters, total)
            if found is not None:
                did_you_mean, unknown = found
        if did_you_mean and request.respell and (loose or unknown or not total):
            # A word as typed is in no article (or nothing has enough of the words), and
            # some articles have the respelled words: show those, as search engines do
            # ("Résultats pour …, rechercher plutôt …").
            respelled: dict = {}
            q2, mask2, _notice = self._text_match(s, did_you_mean, schema, table, respelled)
            final2 = _combine(mask2, filters)
            if final2.any() and not respelled:
                q, text_mask, final, loose = q2, mask2, final2, respelled
                total = int(final.sum())
                corrected, did_you_mean = did_you_mean, None

        start = (request.page - 1) * request.per_page
        terms = _highlight_terms(q, s.reader()) if q is not None else set()
        # Without a word to rank by (only exclusions or field filters), newest first.
        ranked = q if terms else None
        hits = self._page(s, ranked, request, table, final, start, filtered=bool(filters))
        results = [self._result(s, table, docnum, score, terms) for docnum, score in hits]
        dropped: list[str] = []
        # Results that lack some of the words (the any-word fallback, or the minimum
        # that should match of a query of three words or more: two are both required)
        # say which; a pasted paragraph is not listed.
        if results and q is not None and (loose.get("any_word") or 2 < word_count(q) <= 8):
            words = self._word_masks(s, corrected or request.q, schema, table)
            for r, (docnum, _score) in zip(results, hits, strict=True):
                r["missing"] = [w for w, mask in words if not mask[docnum]]
                dropped += [w for w in r["missing"] if w not in dropped]
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
            corrected=corrected,
            dropped=dropped,
            notice=notice,
        )

    def _word_masks(self, s, text: str, schema, table) -> list[tuple[str, np.ndarray]]:
        """Each plain word of the query (as typed) with the articles it matches alone."""
        out: list[tuple[str, np.ndarray]] = []
        for part in _QUERY_PART.finditer(text):
            word = part.group()
            if ":" in word or word in _OPERATOR_WORDS or word.startswith("-"):
                continue
            try:
                q = parse(word, schema)
            except QueryError:
                continue
            if q is None or q is wq.NullQuery:
                continue  # a stop word: never asked for
            if word not in (w for w, _m in out):
                out.append((word, self._match_mask(s, q, table)))
        return out

    def _text_match(self, s, text: str, schema, table: FacetTable, loose: dict | None = None):
        """(Whoosh query or None, mask of the documents the words match, notice or None);
        ``loose`` gets ``{"any_word": True}`` when no article had enough of the words and
        those with some are returned instead."""
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
        _charge(q, s.reader(), table)
        text_mask = self._match_mask(s, q, table)
        if not text_mask.any() and word_count(q) > 1:
            # Nothing has enough of the words: rank what has some of them.
            any_word = interpret(text, schema, any_word=True).query
            if any_word is not None and any_word is not wq.NullQuery:
                try:
                    _check_expansions(any_word, s.reader())
                except QueryError:
                    return q, text_mask, notice
                _charge(any_word, s.reader(), table)
                loose_mask = self._match_mask(s, any_word, table)
                if loose_mask.any():
                    if loose is not None:
                        loose["any_word"] = True
                    return any_word, loose_mask, notice
        return q, text_mask, notice

    def _did_you_mean(
        self, s, text: str, schema, table, filters, total: int
    ) -> tuple[str, bool] | None:
        """A respelled query when a word is unknown (or rare and the results few), and
        whether a word as typed was in no article at all.

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
        return (corrected, had_unknown) if found > (0 if had_unknown else total) else None

    def export(self, request: SearchRequest, limit: int) -> tuple[int, Iterator[dict]]:
        """Every match of the search (not one page), in its order, at most ``limit``: the
        total and an iterator of records read one at a time (an export streams them). The
        query is the one the results page shows: respelled when it found nothing as typed."""
        gen = self._current()
        s = gen.searcher()
        table = gen.facets
        text = request.q
        if request.respell:
            shown = self.search(dataclass_replace(request, page=1, per_page=1), facets=False)
            text = shown.corrected or request.q
        q, text_mask, _notice = self._text_match(s, text, gen.schema, table)
        final = _combine(text_mask, self._filter_masks(request, table))
        total = int(final.sum())
        terms = _highlight_terms(q, s.reader()) if q is not None else set()
        ranked = q if terms else None
        hits = self._page(s, ranked, request, table, final, 0, False, end=min(limit, total))

        def records() -> Iterator[dict]:
            for docnum, score in hits:
                doc = s.stored_fields(docnum)
                yield {
                    **_metadata(doc, table),
                    "score": score,
                    "countries": list(doc.get("country") or []),
                    "persons": [p["value"] for p in _persons(table, doc)],
                    "summary": doc.get("summary", ""),
                }

        return total, records()

    def count(self, request: SearchRequest) -> int:
        """How many articles a search finds, without ranking, snippets or facets."""
        gen = self._current()
        s = gen.searcher()
        with budget.Meter(), self._reading(gen):
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
            ("source", request.sources),
        ):
            if wanted:
                filters[name] = table.columns[name].mask(_facet_values(name, wanted), table.n_docs)
        if request.date_from or request.date_to:
            filters["date"] = table.date_mask(request.date_from, request.date_to)
        return filters

    @staticmethod
    def _page(s, q, request, table, final, start, filtered, end: int | None = None):
        end = start + request.per_page if end is None else end
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
        cache = getattr(table, "snippets", None) or SnippetCache(0)
        return {
            **_metadata(doc, table),
            "snippet": cache.get(docnum, terms, lambda: snippet(
                [doc.get("body", ""), doc.get("summary", ""), doc.get("caption", "")], terms
            )),
            "score": score,
            "countries": [
                {"value": c, "label": country_label(c)} for c in doc.get("country") or []
            ],
            "persons": _persons(table, doc),
            "missing": [],  # words of the query it lacks (filled when ``dropped`` is not empty)
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
            ("source", request.sources),
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
        keys = ("country", "person", "month", "year", "day", "section", "source")
        return {k: out[k] for k in keys}

    # -- articles and stats ---------------------------------------------------

    def article(self, article_id: str, q: str = "") -> dict | None:
        """One article with all its text; the query's words marked when ``q`` is given."""
        gen = self._current()
        with self._reading(gen):
            return self._article(gen, article_id, q)

    def _article(self, gen: _Generation, article_id: str, q: str) -> dict | None:
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
        with self._reading(gen):
            return self._stats(gen, top)

    def _stats(self, gen: _Generation, top: int) -> dict:
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
            "memory": self._memory(gen),
        }

    @staticmethod
    def _memory(gen: _Generation) -> dict:
        """What one searching process holds for this generation (issue 11), and the budget."""
        postings = gen.facets.postings.stats()
        with gen.ix.reader() as reader:
            words, lexicon_bytes = Lexicon.measure(reader)
        return {
            "facet_table_bytes": gen.facets.memory_bytes(),
            "lexicon_words": words,
            "lexicon_bytes": lexicon_bytes,
            "postings_budget_bytes": postings["budget_bytes"],
            "postings_cached_bytes": postings["pool_bytes"],
            "postings_sidecar_bytes": postings_mmap.sidecar_bytes(gen.path),
        }


class SnippetCache:
    """The last ``size`` snippets of one generation by (article, query words): the same
    article found again by the same words (the next page, a facet toggled, the query with
    or without accents: the recall view's words are the same) is not highlighted again."""

    def __init__(self, size: int = 2048) -> None:
        self.size = size
        self._kept: OrderedDict[tuple, str] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, docnum: int, terms: set[str], make) -> str:
        if not self.size:
            return make()
        key = (docnum, frozenset(terms))
        with self._lock:
            found = self._kept.get(key)
            if found is not None:
                self._kept.move_to_end(key)
                return found
        found = make()
        with self._lock:
            self._kept[key] = found
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return found


_spent = threading.local()  # the estimated work of the request this thread runs


def _metadata(doc: dict, table: FacetTable) -> dict:
    """The fields a result and an exported record share, in the API's order."""
    date = doc.get("date")
    return {
        "id": doc["id"],
        "title": doc.get("title", ""),
        "date": date.date().isoformat() if date else None,
        "published": doc.get("published") or None,
        "section": table.columns["section"].label(doc.get("section")),
        "source": doc.get("source") or None,
        "url": doc.get("url") or None,
    }


def _charge(q, reader, table: FacetTable) -> None:
    """Adds ``q``'s estimated work to the request's, refusing it (``budget.TooCostly``, a
    400) once over the budget, before anything is read."""
    spent = getattr(_spent, "work", None)
    if spent is None:  # count(), article(): one query each, checked alone
        spent = budget.Work()
    spent.add(budget.estimate(q, reader, table.n_docs, MAX_EXPANSIONS))
    budget.check(spent)


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
    return sum(postings_mmap.doc_frequency(reader, f, text) for f in fields)


def _recall_frequency(reader, word: str) -> int:
    """Articles the recall view finds for a word (``reforme`` through ``réforme``), at most:
    the rarest part of a compound counts."""
    stems = [t.text for t in _RECALL(word)]
    return min((_doc_frequency(reader, RECALL_FIELDS, t) for t in stems), default=0)


def _exact_words(reader) -> Iterator[str]:
    """Every term of the exact views, field after field (a word may come more than once)."""
    for fieldname in EXACT_FIELDS:
        if fieldname in reader.schema:
            for term in reader.lexicon(fieldname):
                yield term.decode("utf-8") if isinstance(term, bytes) else term


class Lexicon:
    """The exact views' words of one index generation by first letter: all of them read in
    one pass over the term files when a server warms the generation (``load``), else each
    letter read the first time a word with that letter is respelled; then kept."""

    def __init__(self) -> None:
        self._by_letter: dict[str, list[str]] = {}
        self._complete = False

    def load(self, reader) -> None:
        """Every letter at once: one sequential read of each exact field's terms (0.7 s and
        6 MB at 10,000 articles) instead of a prefix walk of Whoosh's files per letter
        during a user's first searches."""
        found: dict[str, set[str]] = {}
        for word in _exact_words(reader):
            found.setdefault(word[:1], set()).add(word)
        self._by_letter = {letter: sorted(words) for letter, words in found.items()}
        self._complete = True

    @staticmethod
    def measure(reader) -> tuple[int, int]:
        """(words, bytes) of the lexicon once every letter has been asked for."""
        found = set(_exact_words(reader))
        # sorted lists by first letter: a pointer per word plus the strings themselves
        return len(found), sum(sys.getsizeof(w) + 8 for w in found)

    def starting_with(self, reader, letter: str) -> list[str]:
        words = self._by_letter.get(letter)
        if words is None and self._complete:
            return []  # loaded whole: no word starts with this letter
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
            if fieldname not in RECALL_FIELDS or fieldname not in reader.schema:
                continue
            text = text.decode("utf-8") if isinstance(text, bytes) else text
            if postings_mmap.doc_frequency(reader, fieldname, text):
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
