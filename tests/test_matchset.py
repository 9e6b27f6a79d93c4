"""The sparse match set (issue 11: work in proportion to the matches, not the archive),
checked on 10,000 real OrangeSum articles against the dense forms it replaces: whole
responses (the page's ids, order, scores and snippets, the total, every facet, the month,
year and day histograms) must be identical, to the character, with every sparse path
switched back to its dense form: the words' lists counted over every document
(``matchset.union``), every ``Scored`` read through its dense vectors (AND MAYBE's title
bonus, proximity, the date cue, top-k), filters as ANDs of masks, facets counted from
masks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import numpy as np
import pytest

from search.find import facets, fastsearch, matchset, searcher
from search.find.matchset import Matches
from search.find.searcher import SearchRequest
from tests.conftest import ORANGESUM_CORPUS as CORPUS  # ``big``: its 10,000 articles' index

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared corpus not found")


def _requests(records: list[dict]) -> list[SearchRequest]:
    """Headlines as typed and folded, rare and common words, phrases, a day named, a
    browse, and searches with facets selected, a date range, another sort or page."""
    texts: list[str] = []
    for rec in records[::211][:40]:
        title = rec["title"]
        words = re.findall(r"\w+", title)
        texts += [title, title.lower()]
        if len(words) >= 4:
            texts.append(f'"{" ".join(words[1:3])}" {" ".join(words[3:6])}')
    texts += ["gouvernement", "la France et les", "réforme des retraites 28 juin",
              "Macron lundi", '"gilets jaunes"', "", "xyzzyq introuvable"]
    out = [SearchRequest(q=t) for t in texts]
    section = records[0].get("section") or "Politique"
    out += [
        SearchRequest(q="gouvernement", sections=[section]),
        SearchRequest(q="santé hôpital", date_from=dt.date(2020, 1, 1),
                      date_to=dt.date(2020, 6, 18)),
        SearchRequest(q="santé hôpital", date_from=dt.date(2020, 6, 1),
                      date_to=dt.date(2020, 6, 18)),
        SearchRequest(q="", date_from=dt.date(2020, 6, 1), date_to=dt.date(2020, 6, 17)),
        SearchRequest(q="", sections=[section]),
        SearchRequest(q="élections", sort="newest"),
        SearchRequest(q="élections", page=2),
        SearchRequest(q="police manifestation", explain=True),
    ]
    return out


@contextlib.contextmanager
def _dense(monkeypatch):
    """Every sparse path put back to its dense form, then restored."""
    with monkeypatch.context() as m:
        m.setattr(fastsearch.Scored, "is_sparse", property(lambda self: False))
        m.setattr(matchset, "DENSE_SHARE", 0.0)  # lists counted over every document
        m.setattr(matchset, "DENSE_LOOKUPS", 10**18)  # filters as ANDs of masks
        counts = facets.MultiColumn.counts

        def by_mask(self, mask):
            return counts(self, mask.mask if isinstance(mask, Matches) else mask)

        def dated(self, mask, start=None, end=None):
            dense = mask.mask if isinstance(mask, Matches) else mask
            return np.flatnonzero(dense & self.date_mask(start, end))

        m.setattr(facets.MultiColumn, "counts", by_mask)
        m.setattr(facets.FacetTable, "_dated", dated)
        original = searcher.count_facets
        m.setattr(searcher, "count_facets",
                  lambda request, table, text, filters: original(request, table, text.mask,
                                                                 filters))
        fastsearch.POOL.resize(0)  # nothing the sparse paths computed is reused
        fastsearch.POOL.resize(fastsearch.budget_from_env())
        yield
    fastsearch.POOL.resize(0)
    fastsearch.POOL.resize(fastsearch.budget_from_env())


def _answers(engine, requests: list[SearchRequest]) -> list[dict]:
    out = []
    for request in requests:
        page = engine.search(request).to_dict()
        page.pop("took_ms", None)
        out.append(page)
    return out


@pytest.mark.parametrize("common", [None, "300"])
def test_responses_equal_those_of_the_dense_paths(big, monkeypatch, common) -> None:
    """With ``common`` set, words in more than 300 articles only score the candidates of
    rarer ones (``fastsearch._words_common``): that path is compared too."""
    engine, records = big
    if common:
        monkeypatch.setenv("LOUPE_COMMON_DOCS", common)
    requests = _requests(records)
    sparse = _answers(engine, requests)
    with _dense(monkeypatch):
        dense = _answers(engine, requests)
    shown = 0
    for request, a, b in zip(requests, sparse, dense, strict=True):
        assert a == b, request
        shown += bool(a["results"])
    assert shown > 100
    assert any(a["facets"]["day"] for a in sparse)  # histograms of days were compared
    assert any(r.get("explain") for a in sparse for r in a["results"])


def test_union_counts_and_sums_as_a_count_over_every_document() -> None:
    """Merged lists give bincount's counts and sums to the bit, at any share."""
    rng = np.random.default_rng(7)
    n = 5_000
    lists = [np.sort(rng.choice(n, size, replace=False)) for size in (40, 900, 3_000, 1)]
    docs = np.concatenate(lists)
    weights = rng.random(docs.size) * 10
    count = np.bincount(docs, minlength=n)
    summed = np.bincount(docs, weights=weights, minlength=n)
    for share in (0.0, 0.5, 10.0):  # counted densely, by the size, merged
        with pytest.MonkeyPatch.context() as m:
            m.setattr(matchset, "DENSE_SHARE", share)
            held, c, s = matchset.union(docs, weights, n)
        assert np.array_equal(held, np.flatnonzero(count))
        assert np.array_equal(c, count[held])
        assert np.array_equal(s, summed[held])  # the same additions in the same order


def test_union_of_nothing_sums_floats() -> None:
    """numpy counts an empty list as int64 even with weights; scores added to that failed."""
    empty = np.zeros(0, dtype=np.int64)
    for share in (0.0, 10.0):  # counted densely, merged
        with pytest.MonkeyPatch.context() as m:
            m.setattr(matchset, "DENSE_SHARE", share)
            held, count, sums = matchset.union(empty, np.zeros(0), 100)
        assert held.size == 0 and sums.dtype == np.float64
        sums += 1.5  # what a caller does with a bonus
