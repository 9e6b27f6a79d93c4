"""The read path: ``SearchEngine.search(SearchRequest) -> SearchResponse``.

The CLI, the HTML pages and the JSON API all call this one function and only render
its answer differently, so they can never disagree. A search goes one way through its
stages: parse (``query``) -> match (``fastsearch`` over the generation's postings) ->
filter (``facets.filter_masks``) -> rank and page (BM25F and proximity, ``fastsearch``; or
by date) -> count facets (``facets.count_facets``) -> present (``results``), with spelling
(``spelling``) and the words to mark (``highlight``) beside. The request and response are
``request``'s, the opened index ``generation``'s.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import fields as dataclass_fields
from dataclasses import replace as dataclass_replace
from pathlib import Path

import numpy as np
from whoosh import query as wq

from search.find import budget, datecue, fastsearch, results
from search.find.facets import FACET_BY_NAME, count_facets, filter_masks
from search.find.generation import Generation, open_index
from search.find.highlight import highlight_terms
from search.find.matchset import Matches
from search.find.query import (
    LITERAL_NOTICE,
    QUESTION_WORDS,
    QueryError,
    interpret,
    leaves_of,
    literal,
    loosened,
    parse,
    word_alone,
    word_count,
)
from search.find.request import (
    MAX_FILTER_VALUES,
    MAX_PAGE,
    MAX_PER_PAGE,
    RequestError,
    SearchRequest,
    SearchResponse,
    clean_text,
    parse_date_bound,
)
from search.find.snippets import escape
from search.find.spelling import EXACT_FIELDS, RECALL_FIELDS, Lexicon, plain_words, respell
from search.index import postings_mmap, storage, w3

# A page the strict matches do not fill is completed with articles holding fewer of the
# words, ranked after them (PIAF tuning half MRR@10 0.775 -> see docs/analysis.md).
FILL_PAGE = True
# ... and when the strict matches are fewer than a page, they are ranked among those
# articles by the same BM25F rather than all before them: a question's article lacking one
# common word outranks a strict match holding only common ones. The total and the facets
# still count the strict matches (tuning halves MRR@10: PIAF 0.787 -> 0.793, held-out
# 0.796 -> 0.803; summaries unchanged, their strict matches fill the page).
FILL_MERGED = True
FEW_HITS = 3  # below this many results, "did you mean" also considers rare words
# Whoosh ranks a prefix through a union of every word it expands to, in each field: "pr*"
# (2,600 words) takes minutes on 34,000 articles, "mac*" (156) a second. A prefix standing
# for more words than this is searched as its letters (with a notice); ``query``'s
# ``MAX_EXPANSIONS`` (200) is the cap of a prefix's expansion wherever no such check ran.
MAX_PREFIX_WORDS = 100
DEFAULT_CACHE = 256  # recent responses kept (a few MB); LOUPE_RESPONSE_CACHE=0 turns it off


def _cache_size_from_env() -> int:
    """``LOUPE_RESPONSE_CACHE``, or its older name ``LOUPE_CACHE`` (still read; unrelated to
    ``LOUPE_CACHE_DIR``, the folder of the NER cache)."""
    given = os.environ.get("LOUPE_RESPONSE_CACHE", os.environ.get("LOUPE_CACHE", DEFAULT_CACHE))
    try:
        return max(0, int(given))
    except ValueError:
        return DEFAULT_CACHE


def _freeze(value):
    if isinstance(value, dict):
        return tuple(sorted(value.items()))
    return tuple(value) if isinstance(value, list) else value


class SearchEngine:
    """A searchable index folder; picks up a new generation as soon as a reindex publishes it.

    Recent responses are kept (``cache_size``, default ``LOUPE_RESPONSE_CACHE`` or 256) keyed by the
    generation and every field of the request, so paging back, a facet toggled off again or
    a reload answer at once; a new generation is a new key, so nothing stale is served.
    """

    def __init__(self, index_dir: str | Path, cache_size: int | None = None) -> None:
        self.index_dir = Path(index_dir)
        self._lock = threading.Lock()
        self._gen: Generation | None = None
        self.cache_size = _cache_size_from_env() if cache_size is None else cache_size
        self._responses: OrderedDict[tuple, SearchResponse] = OrderedDict()
        self._responses_lock = threading.Lock()
        self._broken: tuple[Path, str] | None = None  # a generation that would not open

    def _current(self) -> Generation:
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

    def _open(self, path: Path) -> Generation:
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
                return Generation(path)
            except Exception as exc:  # noqa: BLE001 - damaged bytes raise anything
                detail = f"{path.name} illisible : {type(exc).__name__}: {exc}"[:300]
                raise storage.IndexDamaged(self.index_dir, detail) from exc
        except storage.IndexDamaged as exc:
            self._broken = (path, exc.detail)
            raise

    @contextlib.contextmanager
    def _reading(self, gen: Generation) -> Iterator[None]:
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
        gen.lexicon.load(reader)  # respelling's words, read once, not per letter
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

    def estimated_cost(self, text: str) -> int:
        """The work budget's estimate of searching ``text`` (``budget.estimate``: the
        postings its words name, before any is read; 0 for no words): what a server orders
        its waiting requests by, cheapest first (``webui.serving``)."""
        gen = self._gen or self._current()  # CURRENT not read again: an order, not an answer
        parsed = interpret(text, gen.schema)
        q = parsed.query
        work = None
        if q is not None and q is not wq.NullQuery:
            work = budget.estimate(q, gen.searcher().reader(), gen.facets.n_docs,
                                   MAX_PREFIX_WORDS)
        held = _estimated.__dict__.setdefault("parsed", OrderedDict())
        held[(gen.serial, text)] = (parsed, work)
        while len(held) > _ESTIMATED_HELD:
            held.popitem(last=False)
        return work.cost if work is not None else 0

    def _budgeted(self, gen, request: SearchRequest, facets: bool, started: float):
        """``_search`` within the work budget (``budget``): its queries' estimated cost is
        added up as they are parsed, and the whole search is ended past the time limit."""
        _spent.work = budget.Work()
        try:
            with budget.Meter(), self._reading(gen):
                return self._search(gen, request, facets, started)
        finally:
            _spent.work = None
            postings_mmap.hold_mapped()  # the mapped pages a process keeps: a budget

    def _search(self, gen, request: SearchRequest, facets: bool, started: float) -> SearchResponse:
        s = gen.searcher()
        table = gen.facets
        schema = gen.schema

        loose: dict = {}
        q, text_mask, notice = self._text_match(s, request.q, schema, gen, loose)
        filters = filter_masks(request, table)
        final = _combine(text_mask, filters)
        total = final.size
        did_you_mean = corrected = None
        unknown = False
        if q is not None:
            found = self._did_you_mean(s, request.q, schema, gen, filters, total)
            if found is not None:
                did_you_mean, unknown = found
        if did_you_mean and request.respell and (loose or unknown or not total):
            # A word as typed is in no article (or nothing has enough of the words), and
            # some articles have the respelled words: show those, as search engines do
            # ("Résultats pour …, rechercher plutôt …").
            respelled: dict = {}
            q2, mask2, _notice = self._text_match(s, did_you_mean, schema, gen, respelled)
            final2 = _combine(mask2, filters)
            if final2.any() and not respelled:
                q, text_mask, final, loose = q2, mask2, final2, respelled
                total = final.size
                corrected, did_you_mean = did_you_mean, None

        start = (request.page - 1) * request.per_page
        # a frozenset once: the snippets' cache keys and look-ups take it as it is
        terms = frozenset(highlight_terms(q, s.reader()) if q is not None else ())
        # Without a word to rank by (only exclusions or field filters), newest first.
        ranked = q if terms else None
        hits = self._page(s, ranked, request, gen, final, start)
        filler: list[tuple[int, float | None]] = []
        wider = None
        if (FILL_PAGE and ranked is not None and request.sort == "relevance" and not loose
                and len(hits) < request.per_page):
            merged = FILL_MERGED and total < request.per_page
            wider, filler = self._fill_page(
                s, ranked, request, gen,
                _combine(table.everything, filters).mask & (True if merged else ~final.mask),
                start if merged else max(0, start - total),
                request.per_page if merged else request.per_page - len(hits))
            if merged and wider is not None:
                hits = []  # the strict matches are ranked among the page's
        # the positions and tokens of the articles whose snippet is not kept (one evicted
        # meanwhile is located alone, to the same snippet)
        page = results.page_positions(
            s.reader(), [d for d, _ in hits + filler if not gen.snippets.holds(d, terms)], terms)
        stored = w3.stored_fields(s.reader())
        shown = [
            results.result(stored(d), table, score, terms, d, gen.snippets, s.reader(), page)
            for d, score in hits + filler
        ]
        hits = hits + filler
        dropped: list[str] = []
        # Results that lack some of the words (the any-word fallback, or the minimum
        # that should match of a query of three words or more: two are both required)
        # say which; a pasted paragraph is not listed.
        if shown and q is not None and (loose.get("any_word") or filler
                                        or 2 < word_count(q) <= 8):
            shown_docs = np.array(sorted({d for d, _ in hits}), dtype=np.int64)
            words = self._word_masks(s, corrected or request.q, schema, gen, shown_docs, q)
            for r, (docnum, _score) in zip(shown, hits, strict=True):
                r["missing"] = [w for w, held in words if docnum not in held]
                dropped += [w for w in r["missing"] if w not in dropped]
        if request.explain and ranked is not None and request.sort == "relevance":
            strict = [d for d, _ in hits[: len(hits) - len(filler)]]
            parts = _explained(s, ranked, gen, final, strict, request.q)
            if filler and wider is not None:
                parts.update(
                    _explained(s, wider[0], gen, wider[1], [d for d, _ in filler], request.q)
                )
            for result, (docnum, _score) in zip(shown, hits, strict=True):
                result["explain"] = [
                    {**p, "score": round(float(p["score"]), 6)} for p in parts[docnum]
                ]
        counts = count_facets(request, table, text_mask, filters) if facets else {}
        took = (time.perf_counter() - started) * 1000
        return SearchResponse(
            query=request.q,
            total=total,
            page=request.page,
            per_page=request.per_page,
            took_ms=round(took, 2),
            results=shown,
            facets=counts,
            did_you_mean=did_you_mean,
            corrected=corrected,
            dropped=dropped,
            notice=notice,
        )

    def _fill_page(self, s, q, request, gen: Generation, allowed: np.ndarray,
                   start: int, count: int):
        """A page the strict match set does not fill, completed with the articles holding
        fewer of the words (each says which it lacks), ranked after every strict match: a
        question whose article lacks one of its words still finds it. The total and the
        facets count the strict matches only. Returns ((any-word query, the articles it
        may rank), the page's (document, score))."""
        wider = loosened(q)
        if wider is None or not allowed.any():
            return None, []
        try:  # the same posting lists again (cached): within the budget, or no filling
            _charge(wider, s.reader(), gen.facets.n_docs)
        except budget.TooCostly:
            return None, []
        mask = self._match_set(s, wider, gen).keep(allowed)
        if not mask.any():
            return None, []
        return (wider, mask), self._page(s, wider, request, gen, mask, start, start + count)

    def _word_masks(self, s, text: str, schema, gen: Generation, docs: np.ndarray,
                    within=None) -> list[tuple[str, set[int]]]:
        """Each plain word of the query (as typed) with those of ``docs`` (the results
        shown, ascending) it matches alone: looked up at them (``fastsearch.holding``),
        not over the archive, where a common word's lists are long; each word's query
        taken from ``within``, the search's, when it holds it (``word_alone``)."""
        out: list[tuple[str, set[int]]] = []
        typed = list(plain_words(text))
        for word in typed:
            if len(typed) > 1 and word.lower() in QUESTION_WORDS:
                continue  # question scaffolding: ignored by the search, so never "missing"
            try:
                q = word_alone(word, schema, within)
            except QueryError:
                continue
            if q is None or q is wq.NullQuery:
                continue  # a stop word: never asked for
            held = fastsearch.holding(s, q, gen.postings, docs)
            out.append((word, set(docs[held & gen.facets.live[docs]].tolist())))
        return out

    def _text_match(self, s, text: str, schema, gen: Generation, loose: dict | None = None):
        """(Whoosh query or None, the documents the words match (``Matches``), notice or None);
        ``loose`` gets ``{"any_word": True}`` when no article had enough of the words and
        those with some are returned instead."""
        table = gen.facets
        held = getattr(_estimated, "parsed", None)
        parsed, work = held.pop((gen.serial, text), (None, None)) if held else (None, None)
        q, notice = parsed if parsed is not None else interpret(text, schema)
        if q is None:
            return None, table.everything, notice
        if q is wq.NullQuery:  # only stop words or punctuation
            return None, Matches(_NO_DOCS, table.n_docs), notice
        try:
            _check_expansions(q, s.reader())
        except QueryError as exc:  # a prefix standing for too many words: its letters
            q, notice = literal(text, schema, notice=f"{exc} {LITERAL_NOTICE}")
            work = None  # another query: its own estimate
            if q is wq.NullQuery:
                return None, Matches(_NO_DOCS, table.n_docs), notice
        _charge(q, s.reader(), table.n_docs, work)
        text_mask = self._match_set(s, q, gen)
        if not text_mask.any() and word_count(q) > 1:
            # Nothing has enough of the words: rank what has some of them.
            any_word = interpret(text, schema, any_word=True).query
            if any_word is not None and any_word is not wq.NullQuery:
                try:
                    _check_expansions(any_word, s.reader())
                except QueryError:
                    return q, text_mask, notice
                _charge(any_word, s.reader(), table.n_docs)
                loose_mask = self._match_set(s, any_word, gen)
                if loose_mask.any():
                    if loose is not None:
                        loose["any_word"] = True
                    return any_word, loose_mask, notice
        return q, text_mask, notice

    def _did_you_mean(
        self, s, text: str, schema, gen: Generation, filters, total: int
    ) -> tuple[str, bool] | None:
        """A respelled query when a word is unknown (or rare and the results few), and
        whether a word as typed was in no article at all.

        It is offered only if it finds articles with the same filters, and, when every
        word was known, more articles than the query as typed.
        """
        respelled = respell(text, s.reader(), rare_too=total < FEW_HITS, lexicon=gen.lexicon)
        if respelled is None:
            return None
        corrected, had_unknown = respelled
        try:
            _q, mask, _notice = self._text_match(s, corrected, schema, gen)
        except QueryError:
            return None
        found = _combine(mask, filters).size
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
        q, text_mask, _notice = self._text_match(s, text, gen.schema, gen)
        final = _combine(text_mask, filter_masks(request, table))
        total = final.size
        terms = highlight_terms(q, s.reader()) if q is not None else set()
        ranked = q if terms else None
        hits = self._page(s, ranked, request, gen, final, 0, end=min(limit, total))

        def records() -> Iterator[dict]:
            stored = w3.stored_fields(s.reader())
            for docnum, score in hits:
                yield results.record(stored(docnum), table, score)

        return total, records()

    def count(self, request: SearchRequest) -> int:
        """How many articles a search finds, without ranking, snippets or facets."""
        gen = self._current()
        s = gen.searcher()
        with budget.Meter(), self._reading(gen):
            _q, text_mask, _notice = self._text_match(s, request.q, gen.schema, gen)
        return _combine(text_mask, filter_masks(request, gen.facets)).size

    @staticmethod
    def _match_set(s, q, gen: Generation) -> Matches:
        """Every live document ``q`` matches (numpy over cached postings, not a loop): the
        matches looked up in the live set when they are sparse, no pass over the archive."""
        scored = _scored(s, q, gen)
        live = gen.facets.live
        if scored.is_sparse:
            return Matches(scored.docs[live[scored.docs]], gen.facets.n_docs)
        return Matches.of_mask(scored.mask & live)

    @staticmethod
    def _page(s, q, request, gen: Generation, final: Matches, start: int,
              end: int | None = None):
        """The rank-and-page stage: (document, score) of the page, by relevance or date."""
        table = gen.facets
        end = start + request.per_page if end is None else end
        if q is not None and request.sort == "relevance":
            # BM25F (fastsearch), computed over the whole match set at once.
            scored = fastsearch.proximity(s, q, _scored(s, q, gen), final, gen.postings)
            scored = datecue.date_cue(request.q, scored, final, table.day)
            hits = fastsearch.top(scored, final, start, end)
            return [(docnum, round(score, 4)) for docnum, score in hits]
        docs = final.docs
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

    # -- articles and stats ---------------------------------------------------

    def article(self, article_id: str, q: str = "") -> dict | None:
        """One article with all its text; the query's words marked when ``q`` is given."""
        gen = self._current()
        with self._reading(gen):
            return self._article(gen, article_id, q)

    def _article(self, gen: Generation, article_id: str, q: str) -> dict | None:
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
                terms = highlight_terms(parsed, s.reader())
        return results.article(doc, gen.facets, terms)

    def stats(self, top: int = 10) -> dict:
        gen = self._current()
        with self._reading(gen):
            return self._stats(gen, top)

    def _stats(self, gen: Generation, top: int) -> dict:
        table = gen.facets
        live = table.live
        date_range = table.date_range()

        def top_values(name: str) -> list[dict]:
            facet = FACET_BY_NAME[name]
            return [
                {"value": v, "label": facet.display(v), "count": c}
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
    def _memory(gen: Generation) -> dict:
        """What one searching process holds for this generation (issue 11), and the budget."""
        postings = gen.postings.stats()
        lexicon = Lexicon()  # as a server loads it, within LOUPE_LEXICON_MB
        with gen.ix.reader() as reader:
            words, lexicon_bytes = Lexicon.measure(reader)
            lexicon.load(reader)
        return {
            "facet_table_bytes": gen.facets.memory_bytes(),
            "lexicon_words": words,
            "lexicon_bytes": lexicon_bytes,
            "lexicon_budget_bytes": lexicon.budget,
            "lexicon_kept_words": lexicon.words,
            "lexicon_kept_bytes": lexicon.nbytes,
            "postings_budget_bytes": postings["budget_bytes"],
            "postings_cached_bytes": postings["pool_bytes"],
            "postings_sidecar_bytes": postings_mmap.sidecar_bytes(gen.path),
        }


_spent = threading.local()  # the estimated work of the request this thread runs
# Texts ``estimated_cost`` interpreted in this thread, by (generation, text), each taken
# once by the search of that text: a server estimates a waiting request in the thread that
# will run it, and the parse (up to 3 ms for a quoted headline) is then not done twice.
_estimated = threading.local()
_ESTIMATED_HELD = 64
_NO_DOCS = np.zeros(0, dtype=np.int64)


def _charge(q, reader, n_docs: int, work: budget.Work | None = None) -> None:
    """Adds ``q``'s estimated work (``work`` if already estimated) to the request's,
    refusing it (``budget.TooCostly``, a 400) once over the budget, before anything is read."""
    spent = getattr(_spent, "work", None)
    if spent is None:  # count(), article(): one query each, checked alone
        spent = budget.Work()
    spent.add(work if work is not None else budget.estimate(q, reader, n_docs, MAX_PREFIX_WORDS))
    budget.check(spent)


def _check_expansions(q, reader) -> None:
    """Refuses a prefix or wildcard that stands for too many words, with a way out."""
    for leaf in leaves_of(q):
        if isinstance(leaf, (wq.Prefix, wq.Wildcard)):
            expanded = itertools.islice(w3.expansions(leaf, reader), MAX_PREFIX_WORDS + 1)
            words = sum(1 for _ in expanded)
            if words > MAX_PREFIX_WORDS:
                typed = leaf.text + ("*" if isinstance(leaf, wq.Prefix) else "")
                raise QueryError(
                    f"« {typed} » correspond à trop de mots (plus de {MAX_PREFIX_WORDS}) : "
                    "écrivez plus de lettres avant l'astérisque."
                )


def _combine(text: Matches, filters: dict[str, np.ndarray]) -> Matches:
    """AND of the text match and every facet filter (masks)."""
    for mask in filters.values():
        text = text.keep(mask)
    return text


def _explained(s, q, gen: Generation, allowed: Matches, docs: list[int], text: str) -> dict:
    """Each of ``docs``' score parts for ``q``, the proximity bonus and the date named in
    ``text`` (``datecue``) as two more parts."""
    parts = fastsearch.explain(s, q, gen.postings, docs)
    base = _scored(s, q, gen)
    near = fastsearch.proximity(s, q, base, allowed, gen.postings)
    dated = datecue.date_cue(text, near, allowed, gen.facets.day)
    for docnum in docs:
        extra = float(near.scores[docnum] - base.scores[docnum])
        if extra > 0:  # the proximity bonus of the best documents
            parts[docnum].append({"field": None, "term": "(proximité)", "tf": None,
                                  "idf": None, "boost": fastsearch.PROXIMITY, "score": extra})
        day = float(dated.scores[docnum] - near.scores[docnum])
        if day > 0:  # published on a day the query names
            parts[docnum].append({"field": None, "term": "(date)", "tf": None, "idf": None,
                                  "boost": datecue.weight_of(text), "score": day})
    return parts


_recent = threading.local()


def _scored(s, q, gen: Generation) -> fastsearch.Scored:
    """``fastsearch.evaluate`` memoised for the last few queries of this thread, so the
    match mask and the ranking of one search evaluate the query once."""
    memo = getattr(_recent, "memo", None)
    if memo is None:
        memo = _recent.memo = []
    key = (gen.serial, q, budget.common_cutoff())  # the cutoff decides what q matches
    for k, value in memo:
        if k == key:
            return value
    value = fastsearch.evaluate(s, q, gen.postings)
    memo.insert(0, (key, value))
    del memo[4:]
    return value


# The request, the response and the helpers callers imported from here before the split.
__all__ = [
    "EXACT_FIELDS",
    "MAX_FILTER_VALUES",
    "MAX_PAGE",
    "MAX_PER_PAGE",
    "RECALL_FIELDS",
    "Generation",
    "RequestError",
    "SearchEngine",
    "SearchRequest",
    "SearchResponse",
    "clean_text",
    "escape",
    "open_index",
    "parse_date_bound",
]
