"""Memory-mapped posting sidecars give exactly Whoosh's postings, and the cache keeps its budget.

The sidecar path (``postings_mmap``) against Whoosh's own blocks, term by term, on an index of
several segments with deleted documents; then whole searches with and without the sidecars
(an index written before them), and the process-wide posting budget, evicting and refilling.
"""

from __future__ import annotations

import gc
import json
import mmap
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from whoosh import highlight
from whoosh import index as whoosh_index
from whoosh import query as wq

from search.find import fastsearch, searcher, snippets
from search.find.query import parse
from search.find.searcher import SearchEngine, SearchRequest
from search.index import layouts, postings_mmap, storage
from search.index.indexer import reindex
from tests.conftest import SAMPLES, write_jsonl
from tests.test_fastsearch import QUERIES, _sample_titles


def _records() -> list[dict]:
    with open(SAMPLES / "orangesum" / "orangesum-sample.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def segmented(tmp_path_factory) -> Path:
    """Three runs: a first batch, a second batch (a new segment), then 20 articles removed
    and 5 changed (deletions in the older segments, a third segment)."""
    root = tmp_path_factory.mktemp("mmap")
    corpus = root / "corpus"
    records = _records()
    write_jsonl(corpus / "a.jsonl", records[:150])
    reindex([corpus], root / "index", entities=False)
    write_jsonl(corpus / "b.jsonl", records[150:])
    reindex([corpus], root / "index", entities=False)
    changed = [dict(r, title=r["title"] + " (mis à jour)") for r in records[20:25]]
    write_jsonl(corpus / "a.jsonl", changed + records[25:150])
    reindex([corpus], root / "index", entities=False)
    return root / "index"


@pytest.fixture(scope="module")
def without_sidecars(segmented: Path, tmp_path_factory) -> Path:
    """The same index as an older Loupe left it: no sidecar files."""
    copy = tmp_path_factory.mktemp("old") / "index"
    shutil.copytree(segmented, copy)
    for path in storage.require_generation(copy).glob("*" + postings_mmap.SUFFIX):
        path.unlink()
    return copy


def _reader(index_dir: Path):
    return whoosh_index.open_dir(str(storage.require_generation(index_dir))).reader()


def test_every_segment_has_a_sidecar_and_every_term_the_same_postings(segmented: Path) -> None:
    reader = _reader(segmented)
    leaves = reader.leaf_readers()
    assert len(leaves) > 1 and reader.has_deletions()
    terms = 0
    for leaf, _offset in leaves:
        sidecar = postings_mmap.open_sidecar(leaf)
        assert sidecar is not None, leaf.segment().segment_id()
        for fieldname, btext in leaf.all_terms():
            ours = sidecar.postings(fieldname, btext)
            assert ours is not None, (fieldname, btext)
            whoosh = postings_mmap.decode_matcher(postings_mmap.raw_matcher(leaf, fieldname, btext))
            assert ours[0].dtype == whoosh[0].dtype and ours[1].dtype == whoosh[1].dtype
            assert np.array_equal(ours[0], whoosh[0]), (fieldname, btext)
            assert np.array_equal(ours[1], whoosh[1]), (fieldname, btext)
            terms += 1
    assert terms > 10_000
    # A term another segment holds and this one lacks: the sidecar says so.
    first = leaves[0][0]
    others = {t for leaf, _ in leaves[1:] for t in leaf.all_terms()}
    absent = sorted(t for t in others if t not in first)[:500]
    assert len(absent) == 500
    sidecar = postings_mmap.open_sidecar(first)
    assert all(sidecar.postings(f, b) is None for f, b in absent)


def test_searches_equal_with_and_without_sidecars(segmented: Path, without_sidecars: Path) -> None:
    """Match sets and scores identical to the bit on both paths, so an older index (no
    sidecars) keeps working and the new one answers exactly as before."""
    new, old = _reader(segmented), _reader(without_sidecars)
    ix = whoosh_index.open_dir(str(storage.require_generation(segmented)))
    with (
        ix.searcher() as s_new,
        whoosh_index.open_dir(
            str(storage.require_generation(without_sidecars))
        ).searcher() as s_old,
    ):
        cache_new, cache_old = fastsearch.PostingCache(s_new), fastsearch.PostingCache(s_old)
        for text in QUERIES + _sample_titles(40):
            for any_word in (False, True):
                q = parse(text, ix.schema, any_word=any_word)
                if q is None:
                    continue
                a = fastsearch.evaluate(s_new, q, cache_new)
                b = fastsearch.evaluate(s_old, q, cache_old)
                assert np.array_equal(a.mask, b.mask), text
                assert np.array_equal(a.scores, b.scores), text
        used = [getattr(leaf, "_loupe_sidecar", None) for leaf, _ in s_new.reader().leaf_readers()]
        assert all(isinstance(u, postings_mmap.SidecarReader) for u in used)
        fallback = [
            getattr(leaf, "_loupe_sidecar", None) for leaf, _ in s_old.reader().leaf_readers()
        ]
        assert all(u is postings_mmap._NO_SIDECAR for u in fallback)
    new.close()
    old.close()


def test_a_damaged_sidecar_is_ignored(segmented: Path, tmp_path: Path) -> None:
    copy = tmp_path / "index"
    shutil.copytree(segmented, copy)
    sidecars = sorted(storage.require_generation(copy).glob("*" + postings_mmap.SUFFIX))
    data = sidecars[0].read_bytes()
    sidecars[0].write_bytes(data[: len(data) // 2])  # truncated
    sidecars[1].write_bytes(b"not a sidecar" + data[13:])  # wrong magic
    engine, reference = SearchEngine(copy, cache_size=0), SearchEngine(segmented, cache_size=0)
    for text in ("Macron", "réforme des retraites", "gouvernement OR ministre"):
        got = engine.search(SearchRequest(q=text)).to_dict()
        want = reference.search(SearchRequest(q=text)).to_dict()
        assert got["total"] == want["total"] > 0
        assert [r["id"] for r in got["results"]] == [r["id"] for r in want["results"]]
        assert [r["score"] for r in got["results"]] == [r["score"] for r in want["results"]]


def test_sidecars_are_written_once_per_segment(segmented: Path, tmp_path: Path) -> None:
    """Publishing writes sidecars for the new segments only; an index that has them all
    gets none, and one that lost one gets that one back."""
    copy = tmp_path / "index"
    shutil.copytree(segmented, copy)
    gen = storage.require_generation(copy)
    assert postings_mmap.write_missing(gen) == []
    lost = sorted(gen.glob("*" + postings_mmap.SUFFIX))[0]
    others = {p: p.stat().st_mtime_ns for p in gen.glob("*" + postings_mmap.SUFFIX) if p != lost}
    lost.unlink()
    assert postings_mmap.write_missing(gen) == [lost]
    assert {p: p.stat().st_mtime_ns for p in others} == others


@pytest.fixture
def budget():
    """Restores the process's posting budget after a test changes it."""
    saved = fastsearch.POOL.budget
    yield fastsearch.set_postings_budget
    fastsearch.POOL.resize(saved)


def test_a_tiny_budget_evicts_and_refills_with_the_same_answers(
    samples_index: Path, budget
) -> None:
    queries = ["Macron", "réforme des retraites", "pêche", "États-Unis", "police manifestation"]
    roomy = SearchEngine(samples_index, cache_size=0)
    want = {q: roomy.search(SearchRequest(q=q)).to_dict() for q in queries}
    budget(0.02)  # 20 KB: a few posting lists at most
    engine = SearchEngine(samples_index, cache_size=0)
    cache = engine._current().postings
    before = fastsearch.POOL.evictions
    for _round in range(2):  # the second round reads evicted lists again
        for q in queries:
            got = engine.search(SearchRequest(q=q)).to_dict()
            assert got["total"] == want[q]["total"]
            assert [r["id"] for r in got["results"]] == [r["id"] for r in want[q]["results"]]
            assert [r["score"] for r in got["results"]] == [r["score"] for r in want[q]["results"]]
            assert fastsearch.POOL.size <= fastsearch.POOL.budget
    stats = cache.stats()
    assert stats["evictions"] > before
    assert 0 < stats["cached_bytes"] <= 0.02 * 1024 * 1024
    budget(0)  # nothing kept at all, still the same answers
    assert fastsearch.POOL.size == 0
    got = engine.search(SearchRequest(q="Macron")).to_dict()
    assert [r["id"] for r in got["results"]] == [r["id"] for r in want["Macron"]["results"]]
    assert cache.stats()["cached_bytes"] == 0


def test_a_closed_generation_gives_its_budget_back(samples_index: Path) -> None:
    engine = SearchEngine(samples_index, cache_size=0)
    engine.search(SearchRequest(q="Macron réforme"))
    cache = engine._current().postings
    assert cache.stats()["cached_bytes"] > 0
    serial = cache._serial
    del engine, cache
    searcher._recent.memo = []  # this thread's last few match sets refer to the generation
    gc.collect()
    assert not [k for k in fastsearch.POOL.entries if k[0] == serial]


def test_budget_from_env(monkeypatch) -> None:
    monkeypatch.setenv("LOUPE_POSTINGS_MB", "64")
    assert fastsearch.budget_from_env() == 64 * 1024 * 1024
    monkeypatch.setenv("LOUPE_POSTINGS_MB", "beaucoup")
    assert fastsearch.budget_from_env() == fastsearch.DEFAULT_POSTINGS_MB * 1024 * 1024


def test_stats_shows_the_memory_of_a_searching_process(samples_index: Path) -> None:
    from click.testing import CliRunner

    from search.cli import main

    runner = CliRunner()
    data = json.loads(
        runner.invoke(main, ["stats", "--json", "--index", str(samples_index)]).output
    )
    mem = data["memory"]
    gen = storage.require_generation(samples_index)
    with _reader(samples_index) as reader:
        titles = {t for t in reader.lexicon("title_exact")}
        words = set().union(*(set(reader.lexicon(f)) for f in searcher.EXACT_FIELDS))
    assert mem["lexicon_words"] == len(words) > len(titles)
    assert mem["facet_table_bytes"] > 321 * 8  # the samples have countries and persons
    assert (
        mem["postings_sidecar_bytes"]
        == sum(p.stat().st_size for p in gen.glob("*" + postings_mmap.SUFFIX))
        > 0
    )
    assert mem["postings_budget_bytes"] == fastsearch.POOL.budget
    out = runner.invoke(main, ["stats", "--index", str(samples_index)]).output
    assert "table des facettes" in out and "LOUPE_POSTINGS_MB" in out


def test_segments_read_without_a_memory_map_answer_the_same(
    samples_index: Path, monkeypatch
) -> None:
    """Without a memory map (the default; ``LOUPE_MMAP=1`` maps): no per-reader copy of
    the segment, the same answers."""
    monkeypatch.setenv("LOUPE_MMAP", "1")
    mapped = SearchEngine(samples_index, cache_size=0)
    mapped.search(SearchRequest(q="premier"))  # opens its generation with the map
    monkeypatch.delenv("LOUPE_MMAP")
    unmapped = SearchEngine(samples_index, cache_size=0)
    for text in ("Macron", "réforme des retraites", '"gilets jaunes"', "gouv*", "pêche"):
        want = mapped.search(SearchRequest(q=text)).to_dict()
        got = unmapped.search(SearchRequest(q=text)).to_dict()
        want.pop("took_ms"), got.pop("took_ms")
        assert got == want, text
    leaf = unmapped._current().searcher().reader().leaf_readers()[0][0]
    compound = getattr(leaf._storage, "a", leaf._storage)
    assert getattr(compound, "_source", None) is None  # read through the file, not a map
    leaf = mapped._current().searcher().reader().leaf_readers()[0][0]
    assert getattr(getattr(leaf._storage, "a", leaf._storage), "_source", None) is not None


def _whoosh_positions(leaf, fieldname: str, btext: bytes) -> dict[int, list[int]]:
    """{segment document: positions} of a term, stepped through Whoosh's matcher."""
    m = postings_mmap.raw_matcher(leaf, fieldname, btext)
    expected = {}
    while m.is_active():
        expected[m.id()] = list(m.value_as("positions"))
        m.next()
    return expected


def test_sidecar_positions_and_counts_are_whooshs(segmented: Path) -> None:
    """Every term's positions in every document (title, summary, body) and every term's
    document frequency, read from the sidecars, equal Whoosh's: what proximity and the
    work budget now read instead of Whoosh's matchers and hash tables."""
    ix = whoosh_index.open_dir(str(storage.require_generation(segmented)))
    checked = 0
    with ix.reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            sidecar = postings_mmap.open_sidecar(leaf)
            for (fieldname, btext), _info in leaf._terms.items():
                assert sidecar.count(fieldname, btext) == leaf.doc_frequency(fieldname, btext)
                if fieldname not in postings_mmap.POSITION_FIELDS:
                    assert sidecar.positions(fieldname, btext, np.arange(3)) is None
                    continue
                expected = _whoosh_positions(leaf, fieldname, btext)
                wanted = np.arange(leaf.doc_count_all(), dtype=np.int64)
                found = sidecar.positions(fieldname, btext, wanted)
                assert found == expected, (fieldname, btext)
                checked += 1
            assert sidecar.count("body", b"pas-un-mot-du-corpus") == 0
    assert checked > 5000


def test_short_lists_positions_in_plain_python_equal_numpys(segmented: Path, monkeypatch) -> None:
    """A short list's positions for a few documents (what proximity and a page's snippets
    ask: 2 to 30 documents), read by the plain-Python walk, equal those of the numpy path
    (``_locate`` and ``_bounds``) and Whoosh's, for every positioned term of every segment."""
    rng = np.random.default_rng(11)
    ix = whoosh_index.open_dir(str(storage.require_generation(segmented)))
    asked = []
    with ix.reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            sidecar = postings_mmap.open_sidecar(leaf)
            n = leaf.doc_count_all()
            for (fieldname, btext), _info in leaf._terms.items():
                if (fieldname not in postings_mmap.POSITION_FIELDS
                        or sidecar.count(fieldname, btext) > postings_mmap._SHORT):
                    continue
                expected = _whoosh_positions(leaf, fieldname, btext)
                held = sorted(expected)
                # some of its documents and some it lacks, ascending
                some = rng.choice(held, size=min(len(held), 3), replace=False).tolist()
                docs = np.unique(np.concatenate([some, rng.integers(0, n, size=4)]))
                asked.append((sidecar, fieldname, btext, docs,
                              {d: expected[d] for d in docs.tolist() if d in expected}))
    assert len(asked) > 2000
    for sidecar, fieldname, btext, docs, wanted in asked:
        assert sidecar.positions(fieldname, btext, docs) == wanted, (fieldname, btext)
    monkeypatch.setattr(postings_mmap, "_SHORT", 0)  # every list through numpy
    for sidecar, fieldname, btext, docs, wanted in asked:
        assert sidecar.positions(fieldname, btext, docs) == wanted, (fieldname, btext)


def test_positions_asked_again_for_fewer_documents_equal_whooshs(segmented: Path) -> None:
    """A term's positions asked for 30 documents, then for a page among them (answered
    from the first answer), for others, and again, equal Whoosh's each time, however the
    caller changed the dictionary it was given."""
    rng = np.random.default_rng(5)
    ix = whoosh_index.open_dir(str(storage.require_generation(segmented)))
    checked = 0
    with ix.reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            sidecar = postings_mmap.open_sidecar(leaf)
            n = leaf.doc_count_all()
            terms = [t for t, _info in leaf._terms.items() if t[0] in postings_mmap.POSITION_FIELDS]
            for k in rng.choice(len(terms), size=min(400, len(terms)), replace=False):
                fieldname, btext = terms[k]
                expected = _whoosh_positions(leaf, fieldname, btext)
                held = sorted(expected)
                best = np.unique(np.concatenate([
                    rng.choice(held, size=min(len(held), 12), replace=False),
                    rng.integers(0, n, size=18)]))
                page = np.sort(rng.choice(best, size=min(best.size, 10), replace=False))
                others = np.unique(np.concatenate([page[:3], rng.integers(0, n, size=5)]))
                for docs in (best, page, others, page, best):
                    found = sidecar.positions(fieldname, btext, docs)
                    assert found == {d: expected[d] for d in docs.tolist() if d in expected}
                    found.clear()  # a caller's own copy
                    checked += 1
    assert checked > 2000


def _natural_queries() -> list[str]:
    """Headlines and summaries (questions and pasted sentences are what proximity ranks)."""
    records = _records()
    return [r["title"] for r in records[::9]] + [r["summary"] for r in records[3::23]]


def test_proximity_and_ranked_pages_equal_with_and_without_sidecars(
    segmented: Path, without_sidecars: Path
) -> None:
    """The optimised path (positions and document frequencies from the sidecars) ranks
    exactly as the reference (Whoosh's matchers and term tables, an index without
    sidecars): the same pages, the same scores to the bit, on real headlines and
    summaries, many of whose best documents gain a proximity bonus."""
    new, old = SearchEngine(segmented, cache_size=0), SearchEngine(without_sidecars, cache_size=0)
    boosted = 0
    for text in _natural_queries():
        a = new.search(SearchRequest(q=text, per_page=30))
        b = old.search(SearchRequest(q=text, per_page=30))
        assert [(r["id"], r["score"]) for r in a.results] == [
            (r["id"], r["score"]) for r in b.results
        ], text
        assert a.total == b.total and a.facets == b.facets, text
        explained = new.search(SearchRequest(q=text, explain=True))
        boosted += sum(
            any(p["term"] == "(proximité)" for p in r.get("explain", [])) for r in explained.results
        )
    assert boosted > 100  # proximity moved many scores: wrong positions would show
    gen = new._current()
    s_new, s_old = gen.searcher(), old._current().searcher()
    docs = np.flatnonzero(gen.facets.live).tolist()  # proximity ranks live documents only
    for word in ("gouvern", "franc", "macron", "pari", "polic", "président"):
        assert fastsearch.positions(s_new, word, docs) == fastsearch.positions(
            s_new, word, docs, sidecars=False
        ) == fastsearch.positions(s_old, word, docs)


def test_proximity_pairs_in_numpy_equal_the_merge_walks(
    segmented: Path, without_sidecars: Path, monkeypatch
) -> None:
    """Issue 11: proximity's bonus for every pair of words, document and field at once
    in numpy (``fastsearch._pair_bonus``, by one sort of every word's positions or by a
    sort per pair) equals the merge walk per pair, document and
    field it replaced (``_pair_bonus_loop``, over ``positions``' answers), to the bit, on
    real headlines and summaries, with positions from the sidecars and from Whoosh's
    matchers (segments with deletions); a query of few pairs, walked from the answers
    gathered for numpy, too."""
    real = fastsearch._pair_bonus
    gained: list[int] = []

    def checked(searcher_, texts, pairs, docs, leaves, idf):
        got = real(searcher_, texts, pairs, docs, leaves, idf)
        pos = {t: fastsearch.positions(searcher_, t, docs, leaves=leaves) for t in texts}
        want = fastsearch._pair_bonus_loop(pos, pairs, docs, idf)
        assert got.tobytes() == want.tobytes(), (texts, docs)
        gained.append(int((got > 0).sum()))
        return got

    monkeypatch.setattr(fastsearch, "_pair_bonus", checked)
    # every query in numpy (by one sort and running extremes, then by a sort per pair),
    # then as the pair count says
    for few, fill in ((0, fastsearch._FILL_MAX), (0, 0),
                      (fastsearch._FEW_PAIRS, fastsearch._FILL_MAX)):
        monkeypatch.setattr(fastsearch, "_FEW_PAIRS", few)
        monkeypatch.setattr(fastsearch, "_FILL_MAX", fill)
        for index_dir in (segmented, without_sidecars):
            engine = SearchEngine(index_dir, cache_size=0)
            for text in _natural_queries() + ["gouvernement Macron", "police Paris nuit"]:
                engine.search(SearchRequest(q=text))
    assert len(gained) > 300 and sum(gained) > 3000, (len(gained), sum(gained))


def test_sidecar_token_layouts_are_the_analysers_tokens(segmented: Path) -> None:
    """Every document's token layout (body, summary) in the sidecars gives the spans the
    recall analyser gives its stored text, stop words included, and a term's positions
    name exactly the tokens carrying that term: what snippets read instead of analysing.
    The tokens kept near the matches make the passages Whoosh's own ``highlight`` makes
    of the whole text."""
    from search.analysis import french_analyzer, recall_spans
    from search.find.snippets import located_spans

    ix = whoosh_index.open_dir(str(storage.require_generation(segmented)))
    laid = matched = stopped = 0
    with ix.reader() as reader:
        for leaf, offset in reader.leaf_readers():
            sidecar = postings_mmap.open_sidecar(leaf)
            for doc in range(leaf.doc_count_all()):
                stored = leaf.stored_fields(doc)
                for name in layouts.LAYOUT_FIELDS:
                    tokens = recall_spans(stored.get(name) or "")
                    found = sidecar.layout(name, doc)
                    assert found is not None, (name, doc)
                    starts, ends, _kept = layouts.spans(found[1], found[2])
                    assert list(zip(starts.tolist(), ends.tolist(), strict=True)) == [
                        (a, b) for a, b, _t in tokens]
                    laid += 1
                    # a few of the text's words, and a word the text lacks
                    words = [t for _a, _b, t in tokens if t not in snippets._STOP_TERMS]
                    terms = frozenset(words[2:40:7] + ["zzzqx"])
                    if doc % 5 == 0:  # sometimes a stop word's term: read from the text
                        terms |= {t for _a, _b, t in tokens[:6]}
                    if doc % 5 == 0 and terms.isdisjoint(snippets._STOP_TERMS):
                        terms |= {"leur", "ete"}
                    spans = located_spans(reader, doc + offset, name, terms)
                    if spans is None:  # without the text, a stop word's term: analysed
                        assert not terms.isdisjoint(snippets._STOP_TERMS)
                        spans = located_spans(reader, doc + offset, name, terms,
                                              text=stored.get(name) or "")
                        assert spans is not None, (name, doc)
                        stopped += 1
                    expected = [(a, b, t if t in terms else "") for a, b, t in tokens]
                    if not any(t for _a, _b, t in expected):
                        assert spans == []
                        continue
                    # the tokens near the matches, the matched ones with their terms
                    assert set(spans) <= set(expected)
                    assert [x for x in spans if x[2]] == [x for x in expected if x[2]]
                    text = stored[name]
                    whooshs = highlight.highlight(
                        text, terms, french_analyzer(), highlight.ContextFragmenter(220, 70),
                        snippets.MarkFormatter(), 2,
                    )
                    ours = snippets._context_highlight(text, terms, 220, 70, 2, spans)
                    assert ours == whooshs, (name, doc)
                    matched += 1
    assert laid > 600 and matched > 200 and stopped > 50


def test_positions_read_for_a_whole_page_equal_those_read_per_document(segmented: Path) -> None:
    """A page's terms' positions read once for all its documents (``PagePositions``: every
    segment, a term held by some of the page or none) give each document the spans read
    for it alone, to the term (a later term of the set wins a shared position both ways)."""
    import random

    from search.analysis import analyze
    from search.find.snippets import PagePositions, located_spans

    ix = whoosh_index.open_dir(str(storage.require_generation(segmented)))
    rng = random.Random(5)
    compared = matched = 0
    with ix.reader() as reader:
        n = reader.doc_count_all()
        assert len(list(reader.leaf_readers())) > 1
        for _ in range(40):
            docs = rng.sample(range(n), 12)  # across the segments, in no order
            words = analyze(reader.stored_fields(docs[0]).get("body") or "")
            words += analyze(reader.stored_fields(docs[1]).get("summary") or "")
            terms = frozenset(rng.sample(words, min(6, len(words))) + ["zzzqx"])
            terms -= snippets._STOP_TERMS
            page = PagePositions(reader, docs, terms)
            for d in docs:
                for name in layouts.LAYOUT_FIELDS:
                    alone = located_spans(reader, d, name, terms)
                    assert located_spans(reader, d, name, terms, page) == alone, (d, name)
                    compared += 1
                    matched += bool(alone)
    assert compared == 40 * 12 * len(layouts.LAYOUT_FIELDS) and matched > 50


def test_snippets_equal_with_and_without_sidecar_layouts(
    segmented: Path, without_sidecars: Path
) -> None:
    """Whole pages (snippets included, to the character) from the sidecars' token layouts
    equal the pages of an index without sidecars (the stored text analysed at query time)
    and of an index with sidecars of the previous format (5: not read, so searched the
    way an index without sidecars is, until the next reindex rewrites them)."""
    old5 = without_sidecars.parent / "v5"
    shutil.copytree(segmented, old5)
    for path in storage.require_generation(old5).glob("*" + postings_mmap.SUFFIX):
        data = bytearray(path.read_bytes())
        data[8:12] = (5).to_bytes(4, "little")  # the version field
        path.write_bytes(bytes(data))
    engines = [SearchEngine(d, cache_size=0) for d in (segmented, without_sidecars, old5)]
    leaf = engines[2]._current().searcher().reader().leaf_readers()[0][0]
    assert postings_mmap.open_sidecar(leaf) is None
    records = _records()
    texts = _natural_queries() + [r["title"] for r in records[1::11]] + QUERIES
    marked = 0
    for text in texts:
        pages = [e.search(SearchRequest(q=text, per_page=20)) for e in engines]
        shown = [[(r["id"], r["score"], r["snippet"]) for r in p.results] for p in pages]
        assert shown[0] == shown[1] == shown[2], text
        marked += sum("<mark>" in s for _i, _s, s in shown[0])
    assert marked > 500


def test_phrases_checked_on_sidecar_positions_match_and_score_as_whoosh(
    segmented: Path, without_sidecars: Path
) -> None:
    """A quoted phrase is looked for in the sidecars' positions first, and Whoosh's matcher
    scores only the documents holding it: the same documents and the same scores, to the
    bit, as Whoosh's matcher stepping through every document (and as an index without
    sidecars), alone and among other words."""
    import re

    new, old = SearchEngine(segmented, cache_size=0), SearchEngine(without_sidecars, cache_size=0)
    gen = new._current()
    s = gen.searcher()
    phrases = 0
    for title in [r["title"] for r in _records()[::4]]:
        words = re.findall(r"\w+", title)
        for i in range(0, max(1, len(words) - 2), 3):
            for text in (f'"{" ".join(words[i:i + 3])}"',
                         f'"{" ".join(words[i:i + 2])}" {words[-1]}',
                         f'"{words[i]} zzqx"'):
                q = parse(text, gen.schema)
                if q is None or q is wq.NullQuery:
                    continue
                if not any(type(leaf) is wq.Phrase for leaf in [q, *q.leaves()]):
                    continue
                phrases += 1
                plain = [n for n in [q, *getattr(q, "subqueries", [])] if type(n) is wq.Phrase]
                for node in plain:
                    ref = fastsearch._whoosh(s, node, gen.postings.n_docs)
                    got = fastsearch.evaluate(s, node, gen.postings)
                    assert np.array_equal(got.mask, ref.mask), text
                    assert np.array_equal(got.scores, ref.scores), text
                a = new.search(SearchRequest(q=text, per_page=20))
                b = old.search(SearchRequest(q=text, per_page=20))
                assert [(r["id"], r["score"]) for r in a.results] == [
                    (r["id"], r["score"]) for r in b.results], text
                assert a.total == b.total, text
    assert phrases > 100


def _as_version_5(folder: Path) -> list[Path]:
    """The sidecars of ``folder`` marked as written by an older Loupe (format 5); each is
    written anew (the header, then the rest), never changed in place."""
    paths = sorted(folder.glob("*" + postings_mmap.SUFFIX))
    for path in paths:
        data = bytearray(path.read_bytes())
        data[8:12] = (5).to_bytes(4, "little")
        path.unlink()
        path.write_bytes(bytes(data))
    return paths


def test_an_older_sidecar_is_not_read_and_is_rewritten_once(
    segmented: Path, tmp_path: Path
) -> None:
    """A sidecar of an older format is not read (the segment is searched Whoosh's way)
    until ``write_missing`` rewrites it in the current format; a current one is left alone."""
    copy = tmp_path / "index"
    shutil.copytree(segmented, copy)
    folder = storage.require_generation(copy)
    paths = _as_version_5(folder)[:1]
    for path in sorted(folder.glob("*" + postings_mmap.SUFFIX))[1:]:
        shutil.copyfile(storage.require_generation(segmented) / path.name, path)
    assert postings_mmap.outdated(folder)
    assert postings_mmap.write_missing(folder) == paths
    assert postings_mmap.write_missing(folder) == []
    assert not postings_mmap.outdated(folder)
    ix = whoosh_index.open_dir(str(folder))
    with ix.reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            sidecar = postings_mmap.open_sidecar(leaf)
            assert sidecar.version == postings_mmap.VERSION
            assert sidecar.layout("body", 0) is not None


def test_a_reindex_with_nothing_changed_rewrites_older_sidecars(
    segmented: Path, tmp_path: Path
) -> None:
    """Sidecars of format 5 are rewritten by the next ``reindex`` even when no article
    changed: a new generation with the same segments (hard links) and sidecars of the
    current format, the same bytes a fresh write gives; the run after that publishes
    nothing."""
    copy = tmp_path / "index"
    shutil.copytree(segmented, copy)
    before = storage.require_generation(copy)
    _as_version_5(before)
    storage.write_checksums(before)  # as an older Loupe published them: a sound generation
    corpus = segmented.parent / "corpus"
    first = reindex([corpus], copy, entities=False)
    assert first.indexed == first.removed == 0 and first.generation != before.name
    after = storage.require_generation(copy)
    written = sorted(after.glob("*" + postings_mmap.SUFFIX))
    originals = storage.require_generation(segmented)
    assert [p.name for p in written] == [p.name for p in sorted(originals.glob("*.lpm"))]
    for path in written:
        assert path.read_bytes() == (originals / path.name).read_bytes()
    for seg in after.glob("*.seg"):
        assert os.path.samefile(seg, before / seg.name)  # segments shared, not copied
    assert storage.verify_generation(after, storage.CHECKSUMS) == []
    again = reindex([corpus], copy, entities=False)
    assert again.generation == first.generation


def _sidecar_resident() -> int:
    """Bytes of this process's sidecar maps resident now (``/proc/self/smaps``)."""
    total, inside = 0, False
    with open("/proc/self/smaps") as fh:
        for line in fh:
            head = line.split()
            if head and "-" in head[0] and len(head) >= 5:  # a mapping's first line
                inside = head[-1].endswith(postings_mmap.SUFFIX)
            elif inside and head[0] == "Rss:":
                total += int(head[1]) * 1024
    return total


def test_mapped_pages_are_let_go_past_their_budget(samples_index: Path, monkeypatch) -> None:
    """Issue 11: a serving process at a million articles kept every sidecar page its
    searches ever touched resident (1.7 GB of its 2.1 GB after 300 headlines). Past
    ``LOUPE_MAPPED_MB`` it lets go of them after a search; the answers stay the same."""
    monkeypatch.setenv("LOUPE_MAPPED_MB", "0")  # no limit: the pages stay
    engine = SearchEngine(samples_index, cache_size=0)
    queries = _sample_titles(12)
    before = [[r["id"] for r in engine.search(SearchRequest(q=q)).results] for q in queries]
    resident = _sidecar_resident()
    assert resident > 0
    monkeypatch.setenv("LOUPE_MAPPED_MB", "0.001")  # a budget every process is over
    after = [[r["id"] for r in engine.search(SearchRequest(q=q)).results] for q in queries]
    assert after == before
    assert _sidecar_resident() < resident / 4, (resident, _sidecar_resident())


def test_mapped_resident_is_the_process_own_after_a_fork(tmp_path: Path) -> None:
    """The resident mapped size is read from a descriptor kept open; a forked serving
    process reads its own, not its parent's: pages it maps and touches count in it."""
    postings_mmap.mapped_resident()  # the parent's descriptor, opened
    data = tmp_path / "pages"
    data.write_bytes(b"x" * (32 << 20))
    pid = os.fork()
    if pid == 0:  # the child: touch 32 MB of a mapped file, then compare with /proc
        code = 1
        try:
            before = postings_mmap.mapped_resident()
            with open(data, "rb") as fh:
                pages = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
                sum(pages[i] for i in range(0, len(pages), 4096))
                with open("/proc/self/statm", "rb") as own:
                    expected = int(own.read().split()[2]) * os.sysconf("SC_PAGE_SIZE")
                found = postings_mmap.mapped_resident()
                grew = found >= before + (24 << 20)
                code = 0 if grew and abs(found - expected) < (4 << 20) else 2
        finally:
            os._exit(code)
    _pid, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 0


def test_a_gap_of_255_characters_or_more_is_kept_apart(tmp_path: Path) -> None:
    """Format 6 keeps a token's gap in one byte: a longer gap (a rule of 300 '=' between
    paragraphs, as scraped pages have) is kept apart, and the layout and the snippets read
    back are those the stored text gives."""
    rule = "\n" + "=" * 300 + "\n"
    records = _records()[:40]
    for r in records[::2]:
        r["body"] = r["body"].replace(". ", "." + rule, 3)
    write_jsonl(tmp_path / "corpus" / "a.jsonl", records)
    reindex([tmp_path / "corpus"], tmp_path / "index", entities=False)
    escaped = 0
    for leaf, _offset in _reader(tmp_path / "index").leaf_readers():
        sidecar = postings_mmap.open_sidecar(leaf)
        for doc in range(leaf.doc_count_all()):
            first, gaps, lengths = layouts.layout(leaf.stored_fields(doc)["body"])
            got = sidecar.layout("body", doc)
            assert got[0] == first and np.array_equal(got[1], gaps), doc
            assert np.array_equal(got[2], lengths), doc
            escaped += int((gaps >= postings_mmap._ESCAPE).sum())
        # a page's layouts read together (``layouts_of``, every other document) are the same
        docs = np.arange(0, leaf.doc_count_all(), 2)
        firsts, gaps_all, lengths_all, counts = sidecar.layouts_of("body", docs)
        at = 0
        for doc, first, count in zip(docs.tolist(), firsts, counts, strict=True):
            got = sidecar.layout("body", doc)
            assert first == got[0] and count == got[1].size, doc
            assert np.array_equal(gaps_all[at : at + count], got[1]), doc
            assert np.array_equal(lengths_all[at : at + count], got[2]), doc
            at += count
        assert at == gaps_all.size
    assert escaped >= 40
    plain = tmp_path / "plain"
    shutil.copytree(tmp_path / "index", plain)
    for path in storage.require_generation(plain).glob("*" + postings_mmap.SUFFIX):
        path.unlink()
    engines = [SearchEngine(d, cache_size=0) for d in (tmp_path / "index", plain)]
    for r in records[::2]:
        after = r["body"].split(rule)[1].split()[:12]  # the words right after a rule
        words = [w.strip(".,;:!?\"'()") for w in after if len(w) > 5][:2]
        pages = [e.search(SearchRequest(q=" ".join(words))) for e in engines]
        shown = [[(x["id"], x["snippet"]) for x in p.results] for p in pages]
        assert shown[0] == shown[1] and shown[0], words


def _crafted_sidecar(folder: Path, n_docs: int, lists: dict[tuple[str, bytes], tuple]) -> Path:
    """A sidecar assembled (``postings_mmap.assemble``, as every writer does) from posting
    lists given as (documents ascending, weights, positions per posting or None): a segment
    of more than 65,536 documents, whose lists change high bits, without indexing that many
    articles."""
    final = folder / "MAIN_crafted.lpm"
    scratch = postings_mmap.scratch_paths(final)
    for path in scratch.values():
        path.write_bytes(b"")
    terms = postings_mmap.Terms(*(postings_mmap.array(c) for c in "QIQIQ"))
    total = positioned = n_pos = 0
    with (open(scratch["docs"], "wb") as fd, open(scratch["weights"], "wb") as fw,
          open(scratch["pos"], "wb") as fp, open(scratch["ends"], "wb") as fe):
        for (fieldname, btext), (docs, weights, where) in lists.items():
            h, check = postings_mmap.term_hash(fieldname, btext)
            terms.hashes.append(h)
            terms.checks.append(check)
            terms.starts.append(total)
            terms.counts.append(len(docs))
            none = int(postings_mmap._NO_POSITIONS)
            terms.pstarts.append(positioned if where is not None else none)
            fd.write(np.asarray(docs, dtype=np.uint32).tobytes())
            fw.write(np.asarray(weights, dtype=np.float32).tobytes())
            if where is not None:
                for held in where:
                    fp.write(np.asarray(held, dtype=np.uint32).tobytes())
                    n_pos += len(held)
                    fe.write(np.uint64(n_pos).tobytes())
                positioned += len(docs)
            total += len(docs)

    def laid() -> dict:
        return {n: (np.zeros(n_docs + 1, dtype=np.uint64),
                    np.full(n_docs, layouts.NONE, dtype=np.uint32)) for n in layouts.LAYOUT_FIELDS}

    totals = postings_mmap.Totals(total, positioned, n_pos, True, 4.0, 999)
    try:
        return postings_mmap.assemble(final, scratch, terms, totals, n_docs, laid)
    finally:
        for path in scratch.values():
            path.unlink(missing_ok=True)


def test_postings_and_positions_at_candidates_across_high_bits(tmp_path: Path,
                                                               monkeypatch) -> None:
    """Issue 11: a common word is looked up at the candidates of rarer ones
    (``SidecarReader.postings_at``), one ``Wanted`` split by high bits shared by all its
    lists. In a segment of 200,000 documents (lists whose numbers change high bits, some
    only in their middle, one starting inside the previous list's run), the documents,
    weights and positions found at candidates spread over every run equal those of the
    whole lists, with a ``Wanted`` made once or an array each time, each list searched
    at the candidates or read whole and masked (``_READ_WHOLE``)."""
    rng = np.random.default_rng(11)
    n_docs = 200_000
    lists: dict[tuple[str, bytes], tuple] = {}
    for k, share in enumerate((0.5, 0.05, 0.002, 0.3)):
        for fieldname in ("body", "title_exact"):
            docs = np.flatnonzero(rng.random(n_docs) < share)
            if k == 3:  # a list within the high bits 1 and 2 only
                docs = docs[(docs > 70_000) & (docs < 140_000)]
            weights = rng.integers(1, 5, docs.size)
            where = ([np.sort(rng.choice(999, w, replace=False)).tolist() for w in weights]
                     if fieldname == "body" else None)
            lists[(fieldname, f"mot{k}".encode())] = (docs, weights, where)
    sidecar = postings_mmap.SidecarReader(_crafted_sidecar(tmp_path, n_docs, lists))
    candidates = np.unique(np.concatenate([
        rng.choice(n_docs, 3_000, replace=False), [0, 65_535, 65_536, 131_072, n_docs - 1]]))
    wanted = postings_mmap.Wanted(candidates)
    assert len(wanted.groups) == 4
    few = candidates[::60]  # more documents than ``_FEW``, over every run
    for (fieldname, btext), (docs, weights, where) in lists.items():
        held = np.isin(docs, candidates)
        for read_whole in (0, 8, 10**9):  # searched, either as the lengths say, read whole
            monkeypatch.setattr(postings_mmap, "_READ_WHOLE", read_whole)
            for asked in (wanted, candidates):
                found_docs, found_weights = sidecar.postings_at(fieldname, btext, asked)
                assert found_docs.tolist() == docs[held].tolist(), (fieldname, btext)
                assert found_weights.tolist() == weights[held].astype(float).tolist()
        if where is not None:
            by_doc = dict(zip(docs.tolist(), where, strict=True))
            # many documents (``_locate`` and ``_bounds``), then proximity's share of a
            # segment and a few at a time (``_positions_few``), each as a ``Wanted`` too,
            # as proximity asks
            assert few.size > postings_mmap._FEW >= 20
            for asked in (few, few[:20], few[-postings_mmap._FEW:],
                          *(few[k : k + 3] for k in range(0, few.size, 3))):
                expected = {d: by_doc[d] for d in asked.tolist() if d in by_doc}
                for form in (asked, postings_mmap.Wanted(asked)):
                    sidecar._seen.clear()
                    found = sidecar.positions(fieldname, btext, form)
                    assert found == expected, (fieldname, btext, asked)
            held_docs = docs[rng.choice(docs.size, 12, replace=False)]
            for d in held_docs.tolist():  # a snippet's one document, in every run
                assert sidecar.positions(fieldname, btext, np.array([d])) == {d: by_doc[d]}
    assert sidecar.postings_at("body", b"absent", wanted)[0].size == 0
    del sidecar


def test_position_arrays_of_many_documents_are_the_lists_positions(tmp_path: Path,
                                                                   monkeypatch) -> None:
    """Issue 11: a phrase of common words reads its words' positions in tens of thousands
    of documents at once (``SidecarReader.position_arrays``), where they are most of a
    long list's postings; their bounds then come from one running sum (``_DENSE``)
    rather than a sum per document. In a segment of 200,000 documents, every posting,
    every third one and scattered candidates give the positions the lists were made of,
    ascending by (document, position) (what ``fastsearch._common_sorted`` relies on),
    whichever way the bounds are summed."""
    rng = np.random.default_rng(12)
    n_docs = 200_000
    lists: dict[tuple[str, bytes], tuple] = {}
    for k, share in enumerate((0.6, 0.1, 0.01)):
        docs = np.flatnonzero(rng.random(n_docs) < share)
        weights = rng.integers(1, 9, docs.size)
        where = [np.sort(rng.choice(5_000, w, replace=False)).tolist() for w in weights]
        lists[("body", f"mot{k}".encode())] = (docs, weights, where)
    sidecar = postings_mmap.SidecarReader(_crafted_sidecar(tmp_path, n_docs, lists))
    scattered = np.unique(rng.choice(n_docs, 20_000, replace=False))
    for (fieldname, btext), (docs, _weights, where) in lists.items():
        by_doc = dict(zip(docs.tolist(), where, strict=True))
        for asked in (docs, docs[::3], scattered, docs[5_000:5_004]):
            held = [d for d in asked.tolist() if d in by_doc]
            want_docs = [d for d in held for _p in by_doc[d]]
            want_places = [p for d in held for p in by_doc[d]]
            for dense in (0, postings_mmap._DENSE, 10**9):  # per hit, as it says, one sum
                monkeypatch.setattr(postings_mmap, "_DENSE", dense)
                got_docs, got_places = sidecar.position_arrays(fieldname, btext, asked)
                assert got_docs.tolist() == want_docs, (btext, asked.size, dense)
                assert got_places.tolist() == want_places, (btext, asked.size, dense)
                keys = (got_docs << 32) | got_places
                assert bool(np.all(keys[1:] > keys[:-1]))
    del sidecar
