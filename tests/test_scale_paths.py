"""The paths whose work follows the matches, not the archive (issue 11), checked on 10,000
real OrangeSum articles (``big``, built once for the session in ``conftest``, which
``test_matchset`` reads too) against the exhaustive forms they replace: the same documents and
the same scores to the bit, so the same top 10.

- a quoted phrase, checked on the sidecars' positions in numpy and scored from its words'
  term scores (``fastsearch._phrase_candidates``, ``_phrase_scores``), against Whoosh's
  matcher stepping through every document (``fastsearch._whoosh``);
- a headline's title bonus (an AND of its title words, scored at the documents its words
  match: ``fastsearch._terms_at``), against the dense AND over every document;
- whole pages of results and totals of the engine, against those same references put
  back in place of the new paths.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from whoosh import query as wq

from search.find import fastsearch
from search.find.query import Words, interpret
from search.find.searcher import SearchEngine, SearchRequest
from tests.conftest import ORANGESUM_CORPUS as CORPUS

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared corpus not found")


def _queries(records: list[dict]) -> list[str]:
    """Headlines as typed, headlines with a quoted piece, and quoted pieces alone."""
    out: list[str] = []
    for rec in records[::97][:80]:
        title = rec["title"]
        words = re.findall(r"\w+", title)
        out.append(title)
        if len(words) >= 4:
            out.append(f'"{" ".join(words[1:4])}" {" ".join(words[4:8])}')
            out.append(f'"{" ".join(words[:2])}"')
    out += ['"gilets jaunes"', '"dans les prochains mois"', '"la réforme des retraites"',
            'Macron "gilets jaunes" Paris']
    return out


def _dense_and_maybe(s, q, cache) -> fastsearch.Scored:
    """``AndMaybe`` as it was computed before, over every document."""
    a = fastsearch.evaluate(s, q.a, cache)
    b = fastsearch.evaluate(s, q.b, cache)  # no restriction: the dense AND
    return fastsearch.Scored(
        a.mask, np.where(a.mask, a.scores + np.where(b.mask, b.scores, 0.0), 0.0))


def test_phrases_and_title_bonus_equal_the_exhaustive_forms(big) -> None:
    engine, records = big
    gen = engine._current()
    s, cache = gen.searcher(), gen.postings
    phrases = bonuses = 0
    for text in _queries(records):
        q, _notice = interpret(text, gen.schema)
        if q is None or q is wq.NullQuery:
            continue
        for node in [q, *q.leaves(), *getattr(q, "subqueries", [])]:
            for sub in [node, *getattr(node, "subqueries", [])]:
                if type(sub) is wq.Phrase:
                    ref = fastsearch._whoosh(s, sub, cache.n_docs)
                    got = fastsearch.evaluate(s, sub, cache)
                    assert np.array_equal(got.mask, ref.mask), (text, sub)
                    assert np.array_equal(got.scores, ref.scores), (text, sub)
                    phrases += ref.mask.any()
        if type(q) is wq.AndMaybe and type(q.a) is Words and type(q.b) is wq.And:
            ref = _dense_and_maybe(s, q, cache)
            got = fastsearch.evaluate(s, q, cache)
            assert np.array_equal(got.mask, ref.mask), text
            assert np.array_equal(got.scores, ref.scores), text
            bonuses += bool((got.scores > 0).any())
    assert phrases > 50 and bonuses > 50, (phrases, bonuses)


def test_pages_equal_those_of_the_exhaustive_paths(big, monkeypatch) -> None:
    """Whole first pages (ids, scores, order) and totals, against the same engine with the
    references put back: Whoosh's matcher for phrases, the dense AND for the bonus."""
    engine, records = big
    texts = _queries(records)[::2]
    fast = [engine.search(SearchRequest(q=t)) for t in texts]

    def whoosh_phrase(searcher, q, cache, found):
        return fastsearch._whoosh(searcher, q, cache.n_docs)

    def dense_and(searcher, q, cache, restrict):
        return fastsearch.evaluate(searcher, q, cache)  # restrict left out: dense AND

    monkeypatch.setattr(fastsearch, "_phrase_scores", whoosh_phrase)
    monkeypatch.setattr(fastsearch, "_terms_at", dense_and)
    fastsearch.POOL.resize(0)  # nothing computed by the new paths reused
    fastsearch.POOL.resize(fastsearch.budget_from_env())
    slow = [SearchEngine(engine.index_dir, cache_size=0).search(SearchRequest(q=t))
            for t in texts]
    compared = 0
    for text, a, b in zip(texts, fast, slow, strict=True):
        assert a.total == b.total, text
        assert [(r["id"], r["score"]) for r in a.results] == [
            (r["id"], r["score"]) for r in b.results], text
        compared += bool(a.results)
    assert compared > 60


def test_common_words_read_from_the_pool_equal_their_look_ups(big, monkeypatch) -> None:
    """A common word's list asked again is read whole into the pool, compact
    (``PostingCache.postings_at``, issue 11's warm searches), and then filtered by the
    candidates' mask (a list short beside them) or searched (a long one): the same
    postings as the segments' look-ups of its first time, and whole pages (ids, scores,
    snippets, facets, totals) the same as with the pool never used for them."""
    engine, records = big
    monkeypatch.setenv("LOUPE_COMMON_DOCS", "300")  # common words at 10,000 articles
    gen = engine._current()
    s, cache = gen.searcher(), gen.postings
    fastsearch.POOL.resize(0)
    fastsearch.POOL.resize(fastsearch.budget_from_env())
    rng = np.random.default_rng(11)
    checked = 0
    reader = s.reader()
    terms = [(field, text.decode("utf-8")) for field in
             ("title", "summary", "body", "title_exact", "summary_exact")
             for _count, text in reader.most_frequent_terms(field, 12)[10:12]]
    for field, text in terms:
        docs, weights = cache.postings(s, field, text)  # the reference: the whole list
        assert docs.size > 50, (field, text)
        for size in (5, docs.size // 10, docs.size, cache.n_docs // 2):
            at = np.unique(np.concatenate([
                rng.choice(docs, min(size, docs.size) // 2, replace=False),
                rng.integers(0, cache.n_docs, size // 2)]))
            want = fastsearch._at(docs, weights, at)
            key = (cache._serial, "at", field, s.schema[field].to_bytes(text))
            fastsearch.POOL.forget(cache._serial)  # looked up, then read whole, then pooled
            cache._asked.clear()
            for _ in range(3):
                got = cache.postings_at(s, field, text, at)
                assert got[0].dtype == np.int64 and got[1].dtype == np.float64
                assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
            checked += key in fastsearch.POOL.entries
            # another candidate set of the same size, asked right after: its own mask
            other = np.unique(np.minimum(at + 1, cache.n_docs - 1))
            got = cache.postings_at(s, field, text, other)
            want = fastsearch._at(docs, weights, other)
            assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
        # the compact form keeps any weight exactly: frequencies past 255, fractions
        for scaled in (weights * 257, weights + 0.25, weights * 1e6 + 0.3):
            small = fastsearch._compact(docs, scaled)
            assert small[0].nbytes < docs.nbytes
            for got, want in [(fastsearch._at_compact(*small, at), fastsearch._at(docs, scaled, at))
                              for at in (docs[::3], docs[:1], np.arange(cache.n_docs))]:
                assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])
    assert checked >= 10  # the pooled form was really read from
    # leads (many words, so many candidates beside a common word's list) and headlines
    texts = [r[key] for r in records[::211][:24] for key in ("summary", "title")]

    def pages(max_whole: int) -> tuple[list[dict], int]:
        """The pages of the third pass, and how many lists the pool then held whole for
        ``postings_at`` (counted before the engine, and its pool entries, are let go)."""
        monkeypatch.setattr(fastsearch, "POOL_AT_MAX", max_whole)
        fastsearch.POOL.resize(0)
        fastsearch.POOL.resize(fastsearch.budget_from_env())
        fresh = SearchEngine(engine.index_dir, cache_size=0)
        out = []
        for _ in range(3):  # first time, again (read whole), again (from the pool)
            out = []
            for t in texts:
                page = fresh.search(SearchRequest(q=t)).to_dict()
                page.pop("took_ms")
                out.append(page)
        return out, sum(1 for k in fastsearch.POOL.entries if k[1] == "at")

    pooled, held = pages(fastsearch.POOL_AT_MAX)
    looked_up, none = pages(0)
    assert held > 100 and none == 0
    assert pooled == looked_up
    assert sum(p["total"] for p in pooled) > 1000
