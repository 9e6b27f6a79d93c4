"""The numpy search path gives Whoosh's own match sets, and its scores are either
Whoosh's own (queries with syntax) or BM25F computed independently here (plain words).

Every speed-up of the read path is held to this: ``fastsearch.evaluate`` against
``Searcher.docs_for_query`` and ``Searcher.search``, plain words (``query.Words``) against
Whoosh's match set of each word and a BM25F recomputed from the stored text, facet counts
against a count over stored fields, on the samples and on an index of several segments
with deleted documents.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh import query as wq

from search.analysis import analyze
from search.find import fastsearch
from search.find.facets import FacetTable
from search.find.query import Words, parse
from search.find.searcher import SearchEngine, SearchRequest
from search.index import storage
from search.index.indexer import reindex
from tests.conftest import SAMPLES, write_jsonl

QUERIES = [
    "Macron",
    "réforme des retraites",
    "reforme retraites",
    "pêche",
    "peche",
    "États-Unis",
    "gouvernement OR ministre",
    "Macron OU Philippe",
    "retraites -grève",
    "+police manifestation",
    '"gilets jaunes"',
    '"réforme des retraites" gouvernement',
    "réform*",
    "gouv*",
    "rubrique:politique",
    "rubrique:monde président",
    "date:2019 Macron",
    "date:[2018 to 2019-06] police",
    "NOT police",
    "titre:retraites",
    "(Macron OR Philippe) -Castaner",
    "coronavirus confinement masques",
    "l'État",
    "le la les",
]


def _sample_titles(n: int = 25) -> list[str]:
    path = SAMPLES / "orangesum" / "orangesum-sample.jsonl"
    with open(path, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    return [r["title"] for r in records[::7][:n]]


def _open(index_dir: Path):
    ix = whoosh_index.open_dir(str(storage.require_generation(index_dir)))
    s = ix.searcher()
    table = FacetTable(s.reader())
    return ix, s, table, fastsearch.PostingCache(s)


def _check_query(ix, s, table, cache, text: str, any_word: bool = False, scores=True) -> None:
    q = parse(text, ix.schema, any_word=any_word)
    if q is None:
        return
    scored = fastsearch.evaluate(s, q, cache)
    ours = set(np.flatnonzero(scored.mask & table.live).tolist())
    words = _words_of(q)
    if words is not None:
        _check_words(s, table, q, words, scored, ours, text, scores)
        return
    assert ours == set(s.docs_for_query(q)), text

    whoosh_hits = [(h.docnum, h.score) for h in s.search(q, limit=len(ours) or 1)]
    fast_hits = fastsearch.top(scored, table.live, 0, len(ours))
    assert len(fast_hits) == len(whoosh_hits), text
    for (_d1, s1), (_d2, s2) in zip(fast_hits, whoosh_hits, strict=True):
        assert math.isclose(s1, s2, rel_tol=1e-9, abs_tol=1e-9), (text, s1, s2)
    # Same documents at each score (order within a tie may differ by float rounding).
    rounded = lambda hits: Counter((d, round(sc, 6)) for d, sc in hits)  # noqa: E731
    assert rounded(fast_hits) == rounded(whoosh_hits), text
    # And the first page is the same list, ties broken by document number.
    top10 = fastsearch.top(scored, table.live, 0, 10)
    if len({round(sc, 6) for _d, sc in whoosh_hits[:11]}) == len(whoosh_hits[:11]):
        assert [d for d, _ in top10] == [d for d, _ in whoosh_hits[:10]], text


def _words_of(q):
    """The ``Words`` of a query (alone, with its title bonus, or beside required filters),
    else None."""
    if isinstance(q, Words):
        return q
    if isinstance(q, wq.AndMaybe) and isinstance(q.a, Words):
        return q.a
    if type(q) is wq.And and isinstance(q.subqueries[-1], Words):
        return q.subqueries[-1]
    return None


def _check_words(s, table, q, words: Words, scored, ours: set[int], text: str, scores) -> None:
    """Match set: the documents where Whoosh matches at least ``minmatch`` of the words.
    Scores: BM25F recomputed from the stored text (plus Whoosh's own score of the title
    bonus, an ordinary Whoosh query)."""
    live = set(np.flatnonzero(table.live).tolist())
    per_word = [set(s.docs_for_query(w)) for w in words.subqueries]
    expected = {d for d in live if sum(d in m for m in per_word) >= words.minmatch}
    required = q.subqueries[:-1] if type(q) is wq.And else []
    for node in required:  # filters beside the words
        expected &= set(s.docs_for_query(node))
    assert ours == expected, text
    if not scores:
        return
    bonus: Counter = Counter()
    for node in required + ([q.b] if isinstance(q, wq.AndMaybe) else []):
        bonus.update({h.docnum: h.score for h in s.search(node, limit=None)})
    ref = _Reference(s)
    for d in sorted(ours):
        want = sum(ref.word(w, d) for w in words.subqueries) + bonus.get(d, 0.0)
        assert math.isclose(scored.scores[d], want, rel_tol=1e-9), (text, d)


_STORED = {"title_exact": "title", "summary_exact": "summary", "body_exact": "body"}


class _Reference:
    """BM25F (Robertson & Zaragoza 2009) from the stored text analysed anew: per field,
    w * tf / (1 - b + b * length / average length), summed over the fields, saturated once
    with K1, times one idf from the documents holding the term in any of them."""

    _counts: dict = {}
    _df: dict = {}

    def __init__(self, s) -> None:
        self.s = s
        self.n = s.doc_count_all()

    def tf(self, field: str, d: int, term: str) -> int:
        key = (id(self.s), field, d)
        found = self._counts.get(key)
        if found is None:
            text = self.s.stored_fields(d).get(_STORED.get(field, field)) or ""
            found = self._counts[key] = Counter(analyze(text, exact=field.endswith("_exact")))
        return found[term]

    def unit(self, terms: list, boost: float, d: int) -> float:
        def pseudo(doc: int) -> float:
            total = 0.0
            for t in terms:
                tf = self.tf(t.fieldname, doc, t.text)
                if tf:
                    b = fastsearch.B.get(t.fieldname, fastsearch.DEFAULT_B)
                    length = self.s.reader().doc_field_length(doc, t.fieldname)
                    avg = self.s.avg_field_length(t.fieldname)
                    total += t.boost * tf / ((1 - b) + b * length / avg)
            return total

        p = pseudo(d)
        if not p:
            return 0.0
        key = (id(self.s), tuple((t.fieldname, t.text) for t in terms))
        df = self._df.get(key)
        if df is None:
            df = self._df[key] = sum(
                1 for doc in range(self.n) if any(self.tf(t.fieldname, doc, t.text) for t in terms)
            )
        idf = math.log(1 + (self.n - df + 0.5) / (df + 0.5))
        k1 = fastsearch.K1
        return boost * idf * p * (k1 + 1) / (p + k1)

    def matches(self, node, d: int) -> bool:
        if isinstance(node, wq.Term):
            return self.tf(node.fieldname, d, node.text) > 0
        test = all if isinstance(node, wq.And) else any
        return test(self.matches(c, d) for c in node.subqueries)

    def word(self, node, d: int) -> float:
        if any(not isinstance(leaf, wq.Term) for leaf in node.leaves()):
            # A quoted phrase among the words: Whoosh's own score.
            return {h.docnum: h.score for h in self.s.search(node, limit=None)}.get(d, 0.0)
        if not self.matches(node, d):
            return 0.0
        if isinstance(node, wq.Term):
            return self.unit([node], 1.0, d)
        kids = node.subqueries
        if all(isinstance(c, wq.Term) for c in kids) and len({c.text for c in kids}) == 1:
            return self.unit(kids, node.boost, d)
        return node.boost * sum(self.word(c, d) for c in kids)


@pytest.mark.parametrize("text", QUERIES + _sample_titles())
def test_same_matches_and_scores_as_whoosh(samples_index: Path, text: str) -> None:
    ix, s, table, cache = _open(samples_index)
    _check_query(ix, s, table, cache, text)
    _check_query(ix, s, table, cache, text, any_word=True)


@pytest.fixture(scope="module")
def segmented(tmp_path_factory) -> Path:
    """Samples indexed, then more articles added and some removed: several segments,
    deleted documents, postings spread over readers with document offsets."""
    root = tmp_path_factory.mktemp("segmented")
    corpus = root / "corpus"
    path = SAMPLES / "orangesum" / "orangesum-sample.jsonl"
    with open(path, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh]
    write_jsonl(corpus / "a.jsonl", records[:150])
    reindex([corpus], root / "index")
    write_jsonl(corpus / "b.jsonl", records[150:])
    reindex([corpus], root / "index")
    write_jsonl(corpus / "a.jsonl", records[20:150])  # 20 removed
    reindex([corpus], root / "index")
    return root / "index"


@pytest.mark.parametrize("text", QUERIES[:14] + _sample_titles(8))
def test_same_answers_over_segments_and_deletions(segmented: Path, text: str) -> None:
    ix, s, table, cache = _open(segmented)
    assert len(s.reader().leaf_readers()) > 1 or s.reader().has_deletions()
    # Scores of plain words are checked on the samples (the reference reads stored text,
    # which deleted documents no longer have); match sets here.
    _check_query(ix, s, table, cache, text, scores=False)


def test_facet_counts_equal_a_count_over_stored_fields(samples_index: Path) -> None:
    engine = SearchEngine(samples_index)
    ix, s, table, _cache = _open(samples_index)
    for text in ("police", "Macron OR gouvernement", ""):
        response = engine.search(SearchRequest(q=text, per_page=100))
        q = parse(text, ix.schema)
        docs = list(s.docs_for_query(q)) if q is not None else list(s.reader().all_doc_ids())
        sections: Counter[str] = Counter()
        months: Counter[str] = Counter()
        for d in docs:
            stored = s.stored_fields(d)
            if stored.get("section"):
                sections[stored["section"]] += 1
            if stored.get("date"):
                months[stored["date"].strftime("%Y-%m")] += 1
        assert response.total == len(docs)
        assert {f["value"]: f["count"] for f in response.facets["section"]} == dict(sections)
        assert {f["value"]: f["count"] for f in response.facets["month"]} == dict(months)


def test_facet_lists_are_the_first_values_of_the_whole_ordering(samples_index: Path) -> None:
    """Without a selection a facet lists its first ``limit`` values, computed without
    ordering the rest: the same list as the whole ordering cut, more values than that
    held (the persons of every article), and a selection still lists its value."""
    from search.find.facets import FACETS

    engine = SearchEngine(samples_index)
    table = engine._current().facets
    longer = 0
    for text in ("", "police", "Macron OR gouvernement"):
        response = engine.search(SearchRequest(q=text))
        mask = table.live if not text else np.zeros(table.n_docs, dtype=bool)
        if text:
            q = parse(text, engine._current().schema)
            mask[list(engine._current().searcher().docs_for_query(q))] = True
            mask &= table.live
        for facet in FACETS:
            whole = table.value_counts(facet.name, mask)
            longer += len(whole) > facet.limit
            assert table.value_counts(facet.name, mask, facet.limit) == whole[: facet.limit]
            assert [(i["value"], i["count"]) for i in response.facets[facet.name]] == [
                (v, c) for v, c in whole[: facet.limit]
            ]
            assert not any(i["selected"] for i in response.facets[facet.name])
    assert longer
    # a short list (the values counted at least as often as the limit-th, then ordered):
    # the whole ordering's first values at every length, ties at the cut included
    rng = np.random.default_rng(3)
    cut = 0
    for mask in [table.live] + [table.live & (rng.random(table.n_docs) < share)
                                for share in (0.05, 0.2, 0.5)]:
        for facet in FACETS:
            whole = table.value_counts(facet.name, mask)
            for limit in range(1, 16):
                assert table.value_counts(facet.name, mask, limit) == whole[:limit]
                cut += len(whole) > 2 * limit
    assert cut > 20
    person = table.value_counts("person", table.live)[-1][0]  # the last listed, or beyond
    chosen = engine.search(SearchRequest(q="", persons=[person])).facets["person"]
    assert [i["value"] for i in chosen if i["selected"]] == [person]


def test_day_and_month_counts_equal_a_sort_of_the_dates(samples_index: Path) -> None:
    """Days and months are counted over their span (no sort): the counts a sort of the
    matches' dates gives, days over the limit made into no list, and dates centuries
    apart (a span too wide to count over) sorted instead."""
    import datetime as dt

    from search.find.facets import _distinct

    table = SearchEngine(samples_index)._current().facets
    rng = np.random.default_rng(4)
    for share in (1.0, 0.3, 0.02):
        mask = table.live & (rng.random(table.n_docs) < share)
        sel = mask & table.dated
        values, counts = np.unique(table.day[sel], return_counts=True)
        days = [(dt.date.fromordinal(int(v)), int(c)) for v, c in zip(values, counts, strict=True)]
        assert table.day_counts(mask) == days and days
        assert table.day_counts(mask, most=len(days)) == days
        assert table.day_counts(mask, most=len(days) - 1) == []
        months, counts = np.unique(table.month[sel], return_counts=True)
        assert table.month_counts(mask) == [
            (int(v) // 12, int(v) % 12 + 1, int(c)) for v, c in zip(months, counts, strict=True)
        ]
    wide = np.array([1, 3_000_000, 3_000_000, 700_000, 1], dtype=np.int32)
    for got, expected in zip(_distinct(wide), np.unique(wide, return_counts=True), strict=True):
        assert got.tolist() == expected.tolist()


def test_engine_pages_follow_one_ranking(samples_index: Path) -> None:
    """Pages 1-3 of the engine are ranks 1-30 of the whole ranking, and a filtered page is
    that ranking restricted to the filter (for plain words and for a query with syntax,
    whose ranking is Whoosh's own)."""
    engine = SearchEngine(samples_index)
    ix, s, table, _cache = _open(samples_index)
    for text in ("gouvernement", "gouvernement OR ministre"):
        whole = [r["id"] for r in engine.search(SearchRequest(q=text, per_page=30)).results]
        ours = [
            r["id"]
            for page in (1, 2, 3)
            for r in engine.search(SearchRequest(q=text, page=page)).results
        ]
        assert ours == whole and len(whole) == 30
        q = parse(text, ix.schema)
        if _words_of(q) is None:
            assert whole == [s.stored_fields(h.docnum)["id"] for h in s.search(q, limit=30)]
        politics = table.columns["section"].mask(["Politique"], table.n_docs)
        allowed = {s.stored_fields(d)["id"] for d in np.flatnonzero(politics).tolist()}
        every = [r["id"] for r in engine.search(SearchRequest(q=text, per_page=100)).results]
        response = engine.search(SearchRequest(q=text, sections=["Politique"]))
        assert [r["id"] for r in response.results] == [i for i in every if i in allowed][:10]


def test_response_cache_answers_the_same_and_follows_generations(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "a.jsonl", [{"id": "a", "title": "Grève des cheminots", "body": "x"}])
    reindex([corpus], tmp_path / "index")
    cached = SearchEngine(tmp_path / "index", cache_size=8)
    uncached = SearchEngine(tmp_path / "index", cache_size=0)
    request = SearchRequest(q="grève")
    first = cached.search(request)
    again = cached.search(SearchRequest(q="grève"))
    assert again.results == first.results == uncached.search(request).results
    assert again.facets == first.facets
    assert cached.search(SearchRequest(q="grève"), facets=False).facets == {}
    write_jsonl(corpus / "b.jsonl", [{"id": "b", "title": "Grève à la SNCF", "body": "y"}])
    reindex([corpus], tmp_path / "index")
    assert cached.search(request).total == 2 == uncached.search(request).total


def _words_nodes(q) -> list[Words]:
    if type(q) is Words:
        return [q]
    return [w for child in (q.children() if not q.is_leaf() else []) for w in _words_nodes(child)]


def test_sparse_words_equal_the_dense_reference_to_the_bit(samples_index: Path) -> None:
    """Plain words are scored over the documents holding each word and added up once
    (``fastsearch._words``); on real headlines, their folded forms, summaries and a pasted
    lead, the match set and every score equal the word-by-word dense computation
    (``_words_dense``) exactly, so the ranking is the same."""
    from search.find.query import interpret

    ix, s, _table, cache = _open(samples_index)
    records = [json.loads(line) for line in open(
        SAMPLES / "orangesum" / "orangesum-sample.jsonl", encoding="utf-8")]
    texts = [r["title"] for r in records[::5]] + [analyze_text.lower() for analyze_text in (
        r["title"] for r in records[1::11])] + [r["summary"] for r in records[2::13]]
    # quoted phrases among the words (scored by Whoosh's matcher): evaluated sparse too
    texts += [f'{" ".join(t.split()[:2])} "{" ".join(t.split()[2:4])}" {" ".join(t.split()[4:])}'
              for t in (r["title"] for r in records[3::9]) if len(t.split()) > 5]
    compared = phrased = 0
    for text in texts:
        q, _notice = interpret(text, ix.schema)
        for node in _words_nodes(q) if q is not None else []:
            sparse = fastsearch._words(s, node, cache)
            dense = fastsearch._words_dense(s, node, cache)
            assert np.array_equal(sparse.mask, dense.mask), text
            assert np.array_equal(sparse.scores, dense.scores), text
            compared += int(dense.mask.sum() > 0)
            if not any(type(leaf) is wq.Phrase for leaf in node.leaves()):
                continue
            # a headline quoting a phrase takes the sparse path (not ``_words_dense``),
            # and each word asked at some documents only answers for those
            phrased += all(fastsearch._sparse_shape(w) for w in node.subqueries)
            at = np.unique(np.concatenate([dense.docs[::2], np.arange(0, dense.n, 7)]))
            for word in node.subqueries:
                docs, scores = fastsearch._sparse_word(s, word, cache)
                held = np.isin(docs, at)
                found, found_scores = fastsearch._sparse_word(s, word, cache, at)
                assert np.array_equal(found, docs[held]), text
                if any(type(leaf) is wq.Phrase for leaf in word.leaves()):
                    # (a plain word at some documents takes the idf of its fields' counts)
                    assert np.array_equal(found_scores, scores[held]), text
    assert compared > 60 and phrased > 5
    s.close()


def test_kept_snippets_follow_the_query_words(samples_index: Path) -> None:
    """Snippets are kept per generation by (article, words): queries that find the same
    articles by other words, or by the same words written otherwise, get exactly the
    snippets of an engine that keeps none."""
    from search.find.snippets import SnippetCache

    kept = SearchEngine(samples_index, cache_size=0)
    fresh = SearchEngine(samples_index, cache_size=0)
    fresh._current().snippets = SnippetCache(0)
    seen: dict[str, set[str]] = {}
    for text in ("gouvernement", "Gouvernement", "gouvernement Macron", "Macron", "réforme",
                 "reforme des retraites", "retraites", "président", "France", "france président"):
        a, b = kept.search(SearchRequest(q=text, per_page=50)), fresh.search(
            SearchRequest(q=text, per_page=50))
        assert [r["snippet"] for r in a.results] == [r["snippet"] for r in b.results], text
        for r in a.results:
            seen.setdefault(r["id"], set()).add(r["snippet"])
    shared = sum(len(snippets) > 1 for snippets in seen.values())
    assert shared > 10  # articles shown with different snippets by different queries


def test_month_and_year_lists_equal_those_made_from_the_month_counts(samples_index: Path) -> None:
    """The month and year histograms of a response, made from the months' numbers (one
    look-up of a month's texts each, years summed in numpy): the lists ``month_counts``
    and ``years_of`` give, month and year selected as a date range says."""
    import datetime as dt

    from search.find.facets import _covers, _month_label, _month_value, years_of
    from search.french import month_end

    engine = SearchEngine(samples_index, cache_size=0)
    gen = engine._current()
    table = gen.facets
    requests = [SearchRequest(q=q) for q in ("", "police", "gouvernement", "retraites")]
    requests += [SearchRequest(q=q, date_from=a, date_to=b) for q, a, b in [
        ("", dt.date(2019, 1, 1), dt.date(2019, 12, 31)),
        ("gouvernement", dt.date(2020, 3, 1), dt.date(2020, 3, 31)),
        ("police", dt.date(2018, 6, 1), dt.date(2020, 2, 29)),
        ("", dt.date(2020, 1, 1), None)]]
    listed = 0
    for request in requests:
        response = engine.search(request)
        ranged = bool(request.date_from and request.date_to)
        # the words' matches, the date range left out (each facet is counted without its
        # own selection)
        months = table.month_counts(
            engine._text_match(gen.searcher(), request.q, gen.schema, gen)[1])
        assert response.facets["month"] == [
            {"value": _month_value(y, m), "label": _month_label(y, m), "count": c,
             "selected": ranged and _covers(request, dt.date(y, m, 1), month_end(y, m))}
            for y, m, c in months]
        assert response.facets["year"] == [
            {"value": f"{y:04d}", "label": str(y), "count": c,
             "selected": _covers(request, dt.date(y, 1, 1), dt.date(y, 12, 31))}
            for y, c in years_of(months)]
        listed += len(months)
    assert listed > 50


def test_day_lists_equal_the_day_counts_whatever_the_months(
    samples_index: Path, monkeypatch
) -> None:
    """A response's days are the matches' day counts when they are at most ``MAX_DAYS``
    (within the date bounds asked), none otherwise: the same list when the days are not
    counted at all because the matches fall in more months than ``MAX_DAYS`` (no bound
    asked), at every ``MAX_DAYS`` around the number of months and days."""
    import datetime as dt

    from search.find import facets

    engine = SearchEngine(samples_index, cache_size=0)
    gen = engine._current()
    table = gen.facets
    requests = [SearchRequest(q=q) for q in ("", "police", "gouvernement", "retraites",
                                            "Macron", "coronavirus confinement")]
    requests += [SearchRequest(q=q) for q in _sample_titles(12)]  # a few days each
    first, last = table.date_range()
    requests += [SearchRequest(q=q, date_from=a, date_to=b) for q, a, b in [
        ("", dt.date(2020, 1, 1), None), ("police", None, dt.date(2019, 12, 31)),
        ("gouvernement", dt.date(2018, 1, 1), dt.date(2020, 12, 31)),
        ("", last - dt.timedelta(days=3), None), ("", None, first + dt.timedelta(days=3)),
        ("", first, last)]]  # bounds keeping a few of many months' days
    shown = skipped = 0
    for request in requests:
        matches = engine._text_match(gen.searcher(), request.q, gen.schema, gen)[1]
        months = len(table.month_counts(matches))
        days = table.day_counts(matches, request.date_from, request.date_to)
        for most in sorted({1, 2, months - 1, months, months + 1, len(days) - 1,
                            len(days), len(days) + 1} - {0, -1}):
            monkeypatch.setattr(facets, "MAX_DAYS", most)
            want = days if len(days) <= most else []
            got = engine.search(request).facets["day"]
            assert [(d["value"], d["count"]) for d in got] == [
                (day.isoformat(), c) for day, c in want], (request, most)
            shown += bool(want)
            skipped += months > most and not request.date_from and not request.date_to
    assert shown > 10 and skipped > 10


def test_units_are_ors_of_one_text_over_fields(samples_index: Path) -> None:
    """``fastsearch._is_unit`` (a loop stopping at the first other child) answers what its
    definition says for every node of real queries' trees (words, views, compounds,
    phrases, the title bonus) and for ORs of several texts or of no child."""
    from search.find.query import interpret

    ix = whoosh_index.open_dir(str(storage.require_generation(samples_index)))

    def reference(node) -> bool:
        kids = getattr(node, "subqueries", None)
        return type(node) is wq.Term or (
            type(node) is wq.Or and bool(kids) and all(type(c) is wq.Term for c in kids)
            and len({c.text for c in kids}) == 1)

    def walk(node):
        yield node
        for child in getattr(node, "subqueries", None) or ():
            yield from walk(child)
        for side in ("a", "b"):
            if isinstance(getattr(node, side, None), wq.Query):
                yield from walk(getattr(node, side))

    seen = Counter()
    for text in QUERIES + _sample_titles(40) + ["porte-parole du gouvernement"]:
        q, _notice = interpret(text, ix.schema)
        for node in walk(q) if q is not None else ():
            assert fastsearch._is_unit(node) == reference(node), node
            seen[fastsearch._is_unit(node)] += 1
    for node in (wq.Or([]), wq.Or([wq.Term("title", "a"), wq.Term("body", "b")]),
                 wq.Or([wq.Term("title", "a"), wq.Phrase("body", ["a", "b"])]),
                 wq.And([wq.Term("title", "a"), wq.Term("body", "a")])):
        assert fastsearch._is_unit(node) == reference(node), node
    assert seen[True] > 300 and seen[False] > 100


def test_field_parts_are_the_formula_to_the_bit(samples_index: Path) -> None:
    """Each field's weighted, length-normalised frequency (``fastsearch._field_parts``,
    computed in place) is ``boost * tf / ((1 - b) + b * length / average)`` evaluated as
    written, to the bit, for every field of real headlines' words."""
    from search.find.query import interpret

    ix, s, _table, cache = _open(samples_index)
    compared = 0
    for text in _sample_titles(30):
        q, _notice = interpret(text, ix.schema)
        for node in _words_nodes(q) if q is not None else []:
            for leaf in node.leaves():
                if type(leaf) is not wq.Term:
                    continue
                for name, _w, docs, tf, part in fastsearch._field_parts(s, [leaf], cache):
                    b = fastsearch.B.get(name, fastsearch.DEFAULT_B)
                    avg = cache.average_length(s, name)
                    lengths = cache.lengths(s, name)[docs]
                    want = leaf.boost * tf / ((1 - b) + b * lengths / avg)
                    assert part.tobytes() == want.tobytes(), (name, leaf.text)
                    compared += 1
    assert compared > 200
    s.close()


def test_scored_within_the_matches_or_others_of_their_size(samples_index: Path) -> None:
    """``Scored.within`` of a sparse match set keeps the documents ``allowed`` holds: all
    of them when ``allowed`` is the same documents (compared, not looked up), and only
    those held when ``allowed`` is another set, of the same size or not."""
    from search.find.matchset import Matches
    from search.find.query import interpret

    ix, s, _table, cache = _open(samples_index)
    checked = 0
    for text in _sample_titles(20) + ["gouvernement", "police manifestation"]:
        q, _notice = interpret(text, ix.schema)
        scored = fastsearch.evaluate(s, q, cache)
        if not scored.is_sparse or scored.docs.size < 2:
            continue
        docs, values = scored.docs, scored.values
        other = np.setdiff1d(np.arange(cache.n_docs), docs)[:1]
        for allowed in (docs.copy(), docs[1:], np.sort(np.concatenate([docs[1:], other])),
                        docs[::2]):
            got_docs, got_values = scored.within(Matches(allowed, cache.n_docs))
            held = np.isin(docs, allowed)
            assert np.array_equal(got_docs, docs[held]), text
            assert np.array_equal(got_values, values[held]), text
            checked += 1
    assert checked > 40
    s.close()
