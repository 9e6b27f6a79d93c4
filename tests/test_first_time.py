"""Shortcuts of a first-time query (issue 11's first-time target) answer what the long
way does: facet counts looked up by the matched documents' own pairs equal the pass over
every pair, and the words a result lacks, read from the words the search just kept in
the posting pool, equal those looked up at the page's documents.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from itertools import accumulate
from pathlib import Path

import numpy as np
from whoosh import query as wq

from search.find import budget, fastsearch
from search.find.facets import FACETS, SPARSE_RATIO, MultiColumn
from search.find.generation import open_index
from search.find.highlight import highlight_terms
from search.find.query import Words, leaves_of, parse, terms_of
from search.find.searcher import SearchEngine, SearchRequest
from search.find.spelling import RECALL_FIELDS
from search.french import month_label
from search.index import postings_mmap, storage
from tests.conftest import SAMPLES
from tests.test_fastsearch import QUERIES, _sample_titles
from tests.test_postings_mmap import segmented  # noqa: F401 - a fixture


def _reference(column: MultiColumn, mask: np.ndarray) -> np.ndarray:
    return np.bincount(column.vals[mask[column.docs]], minlength=len(column.values))


def test_sparse_facet_counts_equal_the_pass_over_every_pair(samples_index: Path) -> None:
    """Masks of a few documents (known-item searches) take the lookup by pairs; their
    counts equal the pass over every pair for every facet, down to documents with no
    value, the last document and an empty mask; a column whose pairs are not in
    document order is counted the long way, to the same counts."""
    table = SearchEngine(samples_index)._current().facets
    rng = np.random.default_rng(11)
    sparse = 0
    for facet in FACETS:
        column = table.columns[facet.name]
        assert column.docs.size
        for size in (0, 1, 2, 3, 5, 8, 13):
            for _ in range(10):
                mask = np.zeros(table.n_docs, dtype=bool)
                mask[rng.choice(table.n_docs, size=size, replace=False)] = True
                if size == 1:
                    mask[:] = False
                    mask[table.n_docs - 1] = True
                sparse += size * SPARSE_RATIO < column.docs.size
                assert np.array_equal(column.counts(mask), _reference(column, mask)), facet.name
        mask = table.live & (rng.random(table.n_docs) < 0.5)  # many matches: the pass
        assert np.array_equal(column.counts(mask), _reference(column, mask))
        order = rng.permutation(column.docs.size)
        shuffled = MultiColumn(column.values, column.keys, column.docs[order], column.vals[order])
        assert shuffled.starts is None
        mask = np.zeros(table.n_docs, dtype=bool)
        mask[column.docs[:3]] = True
        assert np.array_equal(shuffled.counts(mask), _reference(column, mask))
    assert sparse > 100


def _sample_texts(title_words: int, title_step: int, summary_words: slice,
                  summary_step: int) -> list[str]:
    """Queries of a few words: the start of every ``title_step``-th sample title and a
    piece of every ``summary_step``-th summary."""
    records = [json.loads(line) for line in open(
        SAMPLES / "orangesum" / "orangesum-sample.jsonl", encoding="utf-8")]
    texts = [" ".join(r["title"].split()[:title_words]) for r in records[::title_step]]
    texts += [" ".join((r["summary"] or "").split()[summary_words])
              for r in records[1::summary_step]]
    return texts


def _missing_words(engine: SearchEngine, texts: list[str]) -> list[list[list[str]]]:
    """Each result's ``missing`` words, for each query of ``texts`` (20 results a page)."""
    return [[r["missing"] for r in engine.search(SearchRequest(q=t, per_page=20)).results]
            for t in texts]


def test_missing_words_from_the_pool_equal_the_lookup(samples_index: Path) -> None:
    """Each result's ``missing`` words (queries of three to eight words, where the page
    may hold articles lacking one) are the same whether they are read from the words the
    search kept in the pool or, with no pool, looked up at the page's documents; and the
    pool answered for most words."""
    texts = _sample_texts(6, 4, slice(3, 8), 9)
    engine = SearchEngine(samples_index, cache_size=0)

    def missing() -> list[list[list[str]]]:
        return _missing_words(engine, texts)

    budget = fastsearch.POOL.budget
    try:
        fastsearch.set_postings_budget(0)  # nothing kept: every word looked up at the page
        looked_up = missing()
        fastsearch.set_postings_budget(64)
        peeked = []
        real_peek = fastsearch.POOL.peek

        def peek(key):
            found = real_peek(key)
            peeked.append(found is not None)
            return found

        fastsearch.POOL.peek = peek  # counts what the pool answered, answers the same
        pooled = missing()
    finally:
        fastsearch.POOL.__dict__.pop("peek", None)
        fastsearch.POOL.resize(budget)
    assert pooled == looked_up
    assert sum(bool(m) for page in pooled for m in page) > 20  # results lacking a word
    assert sum(peeked) > 0.8 * len(peeked) > 100


def test_missing_common_words_from_the_candidates_equal_the_lookup(
    samples_index: Path, monkeypatch
) -> None:
    """With common words (a low ``LOUPE_COMMON_DOCS``), each result's ``missing`` words are
    the same whether the common words are read from the candidates the search looked them
    up at (``fastsearch._held_at_candidates``) or looked up again at the page's documents;
    and the candidates answered for many words, some of them lacking."""
    monkeypatch.setenv("LOUPE_COMMON_DOCS", "25")
    texts = _sample_texts(7, 3, slice(2, 8), 7)
    engine = SearchEngine(samples_index, cache_size=0)

    def missing() -> list[list[list[str]]]:
        return _missing_words(engine, texts)

    answered: list[bool] = []
    real = fastsearch._held_at_candidates

    def held(word, cache, docs):
        found = real(word, cache, docs)
        answered.append(found is not None and not found.all())
        return found

    pool_budget = fastsearch.POOL.budget
    try:
        fastsearch.set_postings_budget(0)  # no word kept whole: common words at the page
        monkeypatch.setattr(fastsearch, "_COMMON_AT_KEPT", 0)
        looked_up = missing()
        monkeypatch.setattr(fastsearch, "_COMMON_AT_KEPT", 4)
        monkeypatch.setattr(fastsearch, "_held_at_candidates", held)
        from_candidates = missing()
        # documents beyond the candidates a word was looked up at are looked up anew: after
        # a search, every document holding one of its common words holds it
        gen = engine._current()
        s, cache = gen.searcher(), gen.postings
        beyond = 0
        for text in texts:
            parsed = parse(text, gen.schema)
            if parsed is None or parsed is wq.NullQuery:
                continue
            q = _words_of(parsed)
            common = budget.common_words(q, s.reader())
            if not common or len(common) == len(q.subqueries):
                continue
            fastsearch.evaluate(s, q, cache)  # in this thread: its candidates kept
            for i in common:
                docs = fastsearch._sparse_word(s, q.subqueries[i], cache)[0]
                alone = Words([q.subqueries[i]], minmatch=1)
                assert fastsearch.holding(s, alone, cache, docs).all(), text
                beyond += 1
        assert beyond > 10
    finally:
        fastsearch.POOL.resize(pool_budget)
    assert from_candidates == looked_up
    assert sum(bool(m) for page in looked_up for m in page) > 20  # results lacking a word
    assert sum(answered) > 20  # answered by the candidates, for pages lacking the word


def test_postings_at_a_subset_of_the_last_candidates_are_those_of_the_list(
    samples_index: Path, monkeypatch
) -> None:
    """A term's postings at some documents, after the same thread looked it up at
    candidates holding all of them (a common title word at the matches, for the title
    bonus), are read from that look-up: the postings of the whole list at those
    documents, for subsets and for sets reaching beyond the candidates (looked up anew)."""
    gen = SearchEngine(samples_index)._current()
    s, cache = gen.searcher(), gen.postings
    reader = s.reader()
    rng = np.random.default_rng(13)
    terms = [(field, text) for field in ("title", "body") for text in
             [t.decode() for t, _i in reader.iter_field(field)]
             if reader.doc_frequency(field, text) > 10][::7][:40]
    assert len(terms) > 20
    recalled = []
    real = fastsearch.PostingCache._recalled

    def counted(self, fieldname, btext, at):
        found = real(self, fieldname, btext, at)
        recalled.append(found is not None)
        return found

    monkeypatch.setattr(fastsearch.PostingCache, "_recalled", counted)
    pool_budget = fastsearch.POOL.budget
    try:
        fastsearch.set_postings_budget(0)  # every list looked up in the sidecars
        for field, text in terms:
            docs, tf = cache.postings(s, field, text)
            candidates = np.flatnonzero(rng.random(cache.n_docs) < 0.6)
            cache.postings_at(s, field, text, candidates)
            inside = np.sort(rng.choice(candidates, size=candidates.size // 3, replace=False))
            beyond = np.flatnonzero(rng.random(cache.n_docs) < 0.3)
            for at in (inside, candidates, beyond, inside):
                got = cache.postings_at(s, field, text, at)
                held = np.isin(docs, at)
                assert np.array_equal(got[0], docs[held]), (field, text)
                assert np.array_equal(got[1], tf[held]), (field, text)
    finally:
        fastsearch.POOL.resize(pool_budget)
    assert sum(recalled) >= len(terms)  # a subset of the candidates, right after them


def _words_of(q) -> Words:
    """The plain words of a parsed query (under its title bonus)."""
    return q if type(q) is Words else next(_words_of(c) for c in q.children()
                                           if type(c) is Words or not c.is_leaf())


def test_common_words_asked_again_are_remembered_per_query_reader_and_cutoff(
    samples_index: Path, monkeypatch
) -> None:
    """The work estimate and the matching both ask which words of a query are common:
    the second asks the first's answer, kept for that query object, reader and cutoff
    only (a new cutoff, another reader or an equal query built anew is computed again)."""
    gen = SearchEngine(samples_index)._current()
    reader = gen.searcher().reader()
    q = _words_of(parse("le gouvernement annonce une réforme des retraites", gen.schema))
    frequencies = [budget.word_frequency(w, reader) for w in q.subqueries]
    cutoff = sorted(frequencies)[len(frequencies) // 2 - 1]  # some words common, not all
    monkeypatch.setenv("LOUPE_COMMON_DOCS", str(cutoff))
    common = budget.common_words(q, reader)
    assert common == [i for i, f in enumerate(frequencies) if f > cutoff]
    assert 0 < len(common) < len(q.subqueries)
    assert budget.common_words(q, reader) == common  # asked again: the same
    for other_cutoff in (1, min(frequencies), max(frequencies)):  # computed again
        monkeypatch.setenv("LOUPE_COMMON_DOCS", str(other_cutoff))
        assert budget.common_words(q, reader) == [
            i for i, f in enumerate(frequencies) if f > other_cutoff]
    monkeypatch.setenv("LOUPE_COMMON_DOCS", str(cutoff))
    with gen.ix.reader() as other:  # another reader of the same index: the same answer
        assert budget.common_words(q, other) == common
    again = _words_of(parse("le gouvernement annonce une réforme des retraites", gen.schema))
    assert budget.common_words(again, reader) == common


def test_frequencies_asked_together_equal_those_asked_alone(
    segmented: Path,  # noqa: F811 - the fixture imported above
) -> None:
    """The work estimate asks every term of a query its document frequency at once
    (``postings_mmap.doc_frequencies``: one ``searchsorted`` per segment): the counts, and
    the dictionary rows each sidecar remembers, are those asked one term at a time of
    another reader, over three segments with deleted documents, for terms in some
    segments, in none, and in fields that do not hold them."""
    gen = storage.require_generation(segmented)
    texts = [parse(t, open_index(gen).schema) for t in QUERIES + ["zzqx introuvable"]]
    pairs = [p for q in texts if q is not None for p in budget.term_pairs(q)]
    pairs += [("title", "zzqxw"), ("date", "2020"), ("caption", "retraite"), ("nofield", "x")]
    assert len(pairs) > 100
    together, alone = open_index(gen).reader(), open_index(gen).reader()
    postings_mmap.doc_frequencies(together, pairs)
    remembered = together._loupe_frequencies
    asked = {p: postings_mmap.doc_frequency(alone, *p) for p in pairs if p[0] in alone.schema}
    assert {p: remembered[p] for p in asked if p in remembered} == asked
    assert len(remembered) > 0.9 * len(asked) and sum(v > 0 for v in asked.values()) > 30
    leaves = [postings_mmap.sidecar_of(leaf) for leaf, _o in together.leaf_readers()]
    others = [postings_mmap.sidecar_of(leaf) for leaf, _o in alone.leaf_readers()]
    assert len(leaves) == 3
    for mine, theirs in zip(leaves, others, strict=True):
        assert mine._rows and all(theirs._find(*key) == row for key, row in mine._rows.items())


def test_query_walks_give_whooshs_leaves_and_terms_in_order(samples_index: Path) -> None:
    """``query.leaves_of`` and ``terms_of`` (one loop, where Whoosh hands each leaf up
    through a generator per level) give Whoosh's ``leaves()`` and ``iter_all_terms()``:
    the same nodes and (field, text) pairs in the same order (the title bonus and the
    proximity pairs take the first), for plain words, syntax, phrases, prefixes, ranges
    and exclusions, both parses."""
    schema = SearchEngine(samples_index)._current().schema
    texts = QUERIES + _sample_titles(20) + ['"gilets jaunes" -police réform* date:2019']
    seen = 0
    for text in texts:
        for any_word in (False, True):
            q = parse(text, schema, any_word=any_word)
            if q is None:
                continue
            assert [id(n) for n in leaves_of(q)] == [id(n) for n in q.leaves()], text
            for phrases in (True, False):
                assert terms_of(q, phrases) == list(q.iter_all_terms(phrases)), text
            seen += len(terms_of(q)) > 3
    assert seen > 30


class _OwnTerm(wq.Term):
    """A term of a class of its own: what the work estimate reads by its general path."""


def test_estimate_of_plain_terms_is_the_general_paths(samples_index: Path) -> None:
    """The work estimate reads a plain term directly (``budget.estimate``'s first test in
    ``walk``, and its frequency from ``doc_frequencies``' memo): the same work as a term
    of another class through the general path, and postings that are the terms'
    document frequencies added up, for plain words in both parses."""
    gen = SearchEngine(samples_index)._current()
    reader = gen.searcher().reader()
    n_docs = reader.doc_count_all()
    checked = 0
    for text in QUERIES + _sample_titles(20):
        for any_word in (False, True):
            q = parse(text, gen.schema, any_word=any_word)
            if q is None or q is wq.NullQuery:
                continue
            words = q.a if type(q) is wq.AndMaybe else q
            general = words.accept(
                lambda n: _OwnTerm(n.fieldname, n.text, boost=n.boost)
                if type(n) is wq.Term else n)
            fast = budget.estimate(words, reader, n_docs, 200)
            assert fast == budget.estimate(general, reader, n_docs, 200), text
            leaves = leaves_of(words)
            if type(words) is Words and all(type(leaf) is wq.Term for leaf in leaves):
                assert fast.terms == len(leaves), text
                assert fast.postings == sum(
                    postings_mmap.doc_frequency(reader, leaf.fieldname, leaf.text)
                    for leaf in leaves), text
                checked += fast.postings > 0
    assert checked > 20


def test_words_analysed_by_one_thread_serve_the_next_threads(samples_index: Path) -> None:
    """A query's words analysed in one server thread are remembered for the process
    (``query._terms_of``): another thread parsing the next query finds them, each the
    terms ``process_text`` gives in its field, and gets the same query tree."""
    from search.find import query as fq

    schema = SearchEngine(samples_index)._current().schema
    text = _sample_titles(1)[0]
    trees: list = []

    def parse_in_a_thread() -> None:
        trees.append(parse(text, schema))

    thread = threading.Thread(target=parse_in_a_thread)
    thread.start()
    thread.join()
    memo = fq._TERMS  # read from this thread, filled by the other
    trees.append(parse(text, schema))
    assert trees[0] == trees[1] and trees[0] is not None
    assert memo[0] is schema
    chunks = text.split()
    for field in ("title", "title_exact"):
        held = {c: memo[1][(field, c)] for c in chunks if (field, c) in memo[1]}
        assert len(held) == len(chunks), field  # every word, by the first thread
        for chunk, terms in held.items():
            assert list(terms) == list(schema[field].process_text(chunk, mode="query"))


def test_day_values_and_labels_made_once_are_those_of_each_day(samples_index: Path) -> None:
    """The day list's value and label are made once per day and kept (``_day_texts``):
    for searches over a month, asked twice, each day says its own ISO date and
    "<day> <French month> <year>", selected only when the range is that day."""
    engine = SearchEngine(samples_index, cache_size=0)
    seen = 0
    for month in ("2019-12", "2020-01", "2020-02", "2020-03"):
        for _ in range(2):
            request = SearchRequest.from_params({"depuis": [month], "jusqu_au": [month]})
            for item in engine.search(request).facets["day"]:
                day = dt.date.fromisoformat(item["value"])
                assert item["value"].startswith(month)
                assert item["label"] == f"{day.day} {month_label(day.year, day.month)}"
                assert item["count"] > 0 and item["selected"] is False
                seen += 1
    assert seen > 20


def test_words_to_mark_are_those_whooshs_walk_finds(samples_index: Path) -> None:
    """The words a search marks (``highlight_terms``: each plain term read from the node,
    no generator per leaf) are those Whoosh's own walk finds (``leaves`` and
    ``expanded_terms``, prefixes expanded), less the excluded ones."""
    gen = SearchEngine(samples_index)._current()
    reader = gen.searcher().reader()

    def whooshs(node) -> set[str]:
        found = set()
        for leaf in node.leaves():
            for fieldname, text in leaf.expanded_terms(reader, phrases=True):
                text = text.decode("utf-8") if isinstance(text, bytes) else text
                if fieldname in RECALL_FIELDS and postings_mmap.doc_frequency(
                        reader, fieldname, text):
                    found.add(text)
        return found

    marked = 0
    for text in QUERIES + _sample_titles(20):
        q = parse(text, gen.schema)
        if q is None or q is wq.NullQuery:
            continue
        words = highlight_terms(q, reader)
        if "-" not in text and "NOT" not in text:
            assert words == whooshs(q), text
        else:
            assert words <= whooshs(q), text
        marked += len(words)
    assert marked > 100


def test_a_pages_windows_stop_at_its_documents_edges(segmented: Path) -> None:  # noqa: F811
    """A page's tokens near the matches, computed for all its documents laid end to end
    (``snippets._located_page``), are each document's own: a match on a document's first
    or last word, next to the previous or next document of the page, gives the tokens
    found for that document alone (a window that ran into a neighbour, or one that started
    from the end of the previous document, fails it)."""
    from search.analysis import analyze
    from search.find.snippets import _STOP_TERMS, PagePositions, located_spans
    from search.index.layouts import LAYOUT_FIELDS

    ix = open_index(storage.require_generation(segmented))
    compared = edges = 0
    with ix.reader() as reader:
        n = reader.doc_count_all()
        for start in range(0, n - 10, 23):
            docs = list(range(start, start + 10))  # neighbours: one after the other
            words: set[str] = set()
            for d in docs:
                stored = reader.stored_fields(d)
                for name in LAYOUT_FIELDS:
                    kept = [t for t in analyze(stored.get(name) or "") if t not in _STOP_TERMS]
                    # the first word, and on every other page the last one too
                    words.update(kept[:1] + (kept[-1:] if start % 2 else []))
            terms = frozenset(words)
            page = PagePositions(reader, docs, terms)
            for d in docs:
                for name in LAYOUT_FIELDS:
                    alone = located_spans(reader, d, name, terms)
                    paged = located_spans(reader, d, name, terms, page)
                    assert paged == alone, (d, name)
                    if paged:  # and the lengths added up that the page's pass gives
                        assert paged.reach == [0, *accumulate(
                            b - a for a, b in zip(paged.starts, paged.ends, strict=True))]
                    compared += 1
                    edges += bool(alone) and alone.matches[:1] == [0]
    assert compared > 200 and edges > 50


def test_a_pages_tokens_are_read_only_for_snippets_not_kept(samples_index: Path) -> None:
    """The next, longer page of the same words reads positions and tokens only for the
    articles whose snippet is not kept yet, and its snippets are those a fresh engine
    makes (the kept ones, and the new ones located for those articles alone)."""
    from search.find import results

    engine = SearchEngine(samples_index)
    asked: list[list[int]] = []
    page_positions = results.page_positions

    def recording(reader, docnums, terms):
        asked.append(list(docnums))
        return page_positions(reader, docnums, terms)

    results.page_positions = recording
    try:
        for text in ("réforme des retraites", "gouvernement", "coronavirus France"):
            asked.clear()
            first = engine.search(SearchRequest(q=text, per_page=5))
            longer = engine.search(SearchRequest(q=text, per_page=12))
            assert len(asked) == 2 and len(asked[0]) == len(first.results) == 5, text
            shown = [r["id"] for r in longer.results]
            assert len(asked[1]) == len(shown) - 5, text  # the five kept ones left out
            fresh = SearchEngine(samples_index, cache_size=0).search(
                SearchRequest(q=text, per_page=12))
            assert longer.results == fresh.results, text
    finally:
        results.page_positions = page_positions


def test_a_pages_later_field_is_located_only_for_the_articles_that_ask(
        samples_index: Path) -> None:
    """A page's summaries (the field a snippet tries after the body) are located only for
    its articles whose body has no match, not for the whole page; the snippets are those
    the text's own analysis gives (no page, no sidecar)."""
    from search.find import snippets
    from search.find.results import SNIPPET_FIELDS

    engine = SearchEngine(samples_index, cache_size=0)
    located_page = snippets._located_page
    passes: list[tuple[str, list[int], dict]] = []

    def recording(page, fieldname):
        found = located_page(page, fieldname)
        passes.append((fieldname, page.docs.tolist(), found))
        return found

    gen = engine._current()
    gen.snippets = snippets.SnippetCache(0)  # every page's snippets made
    snippets._located_page = recording
    asked = whole = 0
    try:
        for text in ("président", "gouvernement", "France", "police", "Macron", "élection"):
            passes.clear()
            found = engine.search(SearchRequest(q=text, per_page=30))
            body = {d: spans for field, _docs, part in passes if field == "body"
                    for d, spans in part.items()}
            terms = frozenset(highlight_terms(parse(text, gen.schema),
                                              gen.searcher().reader()))
            for fieldname, docs, _part in passes:
                if fieldname == "summary":
                    asked += len(docs)
                    whole += len(body)
                    assert all(not body.get(d) for d in docs), text  # none had a body match
            stored = gen.searcher().reader().stored_fields
            ids = {stored(d)["id"]: d for d in body}
            for r in found.results:
                doc = stored(ids[r["id"]]) if r["id"] in ids else None
                if doc is not None:
                    texts = [doc.get(name, "") for name in SNIPPET_FIELDS]
                    assert r["snippet"] == snippets.snippet(texts, terms), (text, r["id"])
    finally:
        snippets._located_page = located_page
    assert asked and asked * 5 < whole  # summaries asked for, by a few of the pages' articles


def test_a_word_alone_from_the_searchs_query_matches_what_its_parse_matches(
        samples_index: Path) -> None:
    """The words a result lacks: each typed word's query taken from the search's own
    (``word_alone``: the word of the same terms in both views) matches the documents the
    word parsed alone matches (Whoosh's matcher over the whole archive), stop words are
    nothing, and words of a query with syntax are parsed."""
    from search.find.query import word_alone
    from search.find.spelling import plain_words

    ix = open_index(storage.require_generation(samples_index))
    schema = ix.schema
    taken = parsed = stop = 0
    with ix.searcher() as s:
        texts = [*QUERIES, *_sample_titles(40), "Quel est le prix des carburants ?",
                 "Les grèves ont été suivies par les cheminots, la grève a été longue"]
        for text in texts:
            main = parse(text, schema)
            plain = main.a if type(main) is wq.AndMaybe else main  # the title bonus aside
            words = plain.subqueries if type(plain) is Words else []
            for word in plain_words(text):
                alone, reference = word_alone(word, schema, main), parse(word, schema)
                if reference is None or reference is wq.NullQuery:
                    assert alone is reference, (text, word)
                    stop += 1
                    continue
                if type(alone) is Words and any(alone.subqueries[0] is w for w in words):
                    taken += 1
                else:
                    assert alone == reference, (text, word)
                    parsed += 1
                assert set(s.docs_for_query(alone)) == set(s.docs_for_query(reference)), (
                    text, word)
    assert taken > 150 and parsed > 30 and stop > 80, (taken, parsed, stop)
