"""The numpy search path gives Whoosh's own answers: same match sets, same top-k scores.

Every speed-up of the read path is held to this: ``fastsearch.evaluate`` against
``Searcher.docs_for_query`` and ``Searcher.search``, facet counts against a count over
stored fields, on the samples and on an index of several segments with deleted documents.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index

from search import fastsearch, storage
from search.facets import FacetTable
from search.indexer import reindex
from search.query import parse
from search.searcher import SearchEngine, SearchRequest
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


def _check_query(ix, s, table, cache, text: str, any_word: bool = False) -> None:
    q = parse(text, ix.schema, any_word=any_word)
    if q is None:
        return
    scored = fastsearch.evaluate(s, q, cache)
    ours = set(np.flatnonzero(scored.mask & table.live).tolist())
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
    _check_query(ix, s, table, cache, text)


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


def test_engine_pages_follow_whoosh_ranking(samples_index: Path) -> None:
    """Pages 1-3 of the engine are Whoosh's ranks 1-30 (with a filter too)."""
    engine = SearchEngine(samples_index)
    ix, s, table, _cache = _open(samples_index)
    q = parse("gouvernement", ix.schema)
    whoosh_ids = [s.stored_fields(h.docnum)["id"] for h in s.search(q, limit=30)]
    ours = [
        r["id"]
        for page in (1, 2, 3)
        for r in engine.search(SearchRequest(q="gouvernement", page=page)).results
    ]
    assert ours == whoosh_ids
    politics = table.columns["section"].mask(["Politique"], table.n_docs)
    allowed = set(np.flatnonzero(politics).tolist())
    whoosh_filtered = [
        s.stored_fields(h.docnum)["id"] for h in s.search(q, limit=10, filter=allowed)
    ]
    response = engine.search(SearchRequest(q="gouvernement", sections=["Politique"]))
    assert [r["id"] for r in response.results] == whoosh_filtered


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
