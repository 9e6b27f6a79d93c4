"""The fast segment writer writes what Whoosh's own ``SegmentWriter`` writes.

The same articles (the bundled samples) are indexed by stock Whoosh (``SegmentWriter`` and
the reference filter chains) and by ``fastwrite.FastSegmentWriter``; the segments must be
equal file for file, read the same through Whoosh's reader, and answer every search alike.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from search.analysis import exact_chain, french_chain
from search.find.searcher import SearchEngine, SearchRequest
from search.index import postings_mmap, storage
from search.index.fastwrite import FastSegmentWriter
from search.index.indexer import document
from search.index.schema import TEXT_FIELDS, build_schema
from search.ingest.readers import iter_files, read_file
from tests.conftest import SAMPLES

QUERIES = [
    "",
    "Macron",
    "réforme des retraites",
    "police OR gendarmes",
    '"gilets jaunes"',
    '"président de la République"',
    "gouv*",
    "rubrique:politique",
    "pêche -mer",
    "titre:Kazakhstan",
    "États-Unis",
    "l'Élysée",
]


def _articles() -> list:
    files = list(iter_files([SAMPLES], lambda problem: None))
    articles = [a for path, root in files for a in read_file(path, root, lambda problem: None)]
    assert len(articles) == 321  # 320 OrangeSum articles and the seed page
    return articles


def _reference_schema():
    """The schema with Whoosh's own filter chains in place of the fused analyzer."""
    schema = build_schema()
    for name in TEXT_FIELDS:
        schema[name].analyzer = exact_chain() if name.endswith("_exact") else french_chain()
    return schema


def _build(root: Path, name: str, make_writer, schema, docs: list[dict]) -> Path:
    """One index generation in the layout ``SearchEngine`` reads, one segment, no
    compound file (so its files can be compared one by one)."""
    gen = root / name / "gen-000001"
    gen.mkdir(parents=True)
    ix = whoosh_index.create_in(str(gen), schema)
    writer = make_writer(ix)
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    storage.write_manifest(gen, {"version": 2, "roots": [], "articles": {}})
    (root / name / storage.CURRENT).write_text(gen.name, encoding="utf-8")
    return gen


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("fastwrite")
    docs = [document(a, f"hash-{i}") for i, a in enumerate(_articles())]
    stock = _build(
        root, "stock", lambda ix: SegmentWriter(ix, compound=False), _reference_schema(), docs
    )
    fast = _build(
        root, "fast", lambda ix: FastSegmentWriter(ix, compound=False), build_schema(), docs
    )
    return stock, fast


def _segment_files(gen: Path) -> dict[str, bytes]:
    """The segment's files by extension (the segment id in their names is random)."""
    ix = whoosh_index.open_dir(str(gen))
    (segment,) = ix._segments()
    prefix = segment.segment_id()
    files = {p.name[len(prefix) :]: p.read_bytes() for p in gen.glob(prefix + "*")}
    assert ".pst" in files and ".trm" in files
    # Whoosh's files only: the fast writer writes the posting sidecar too (``sidecar_build``)
    files.pop(postings_mmap.SUFFIX, None)
    return files


def test_segment_files_are_byte_identical(built) -> None:
    stock, fast = (_segment_files(gen) for gen in built)
    assert list(built[1].glob("*" + postings_mmap.SUFFIX))
    assert stock.keys() == fast.keys()
    for ext in stock:
        assert stock[ext] == fast[ext], ext


def _everything(gen: Path) -> dict:
    """What Whoosh's reader gives back: every term's statistics and postings (ids, weights,
    frequencies, decoded positions), field lengths, stored fields and columns."""
    ix = whoosh_index.open_dir(str(gen))
    out: dict = {}
    with ix.reader() as reader:
        schema = ix.schema
        docs = list(range(reader.doc_count_all()))
        for fieldname, field in schema.items():
            if field.column_type:
                out[("column", fieldname)] = list(reader.column_reader(fieldname))
            if not field.indexed:
                continue
            terms = list(reader.lexicon(fieldname))
            out[("terms", fieldname)] = terms
            for btext in terms:
                info = reader.term_info(fieldname, btext)
                stats = (
                    info.weight(),
                    info.doc_frequency(),
                    info.min_length(),
                    info.max_length(),
                    info.max_weight(),
                    info.min_id(),
                    info.max_id(),
                )
                m = reader.postings(fieldname, btext)
                postings = []
                while m.is_active():
                    value = m.value()
                    decoded = field.format.decode_frequency(value) if value else None
                    positions = tuple(m.value_as("positions")) if m.supports("positions") else None
                    postings.append((m.id(), m.weight(), value, decoded, positions))
                    m.next()
                out[("postings", fieldname, btext)] = (stats, postings)
            has_lengths = field.scorable and reader.field_length(fieldname)
            out[("length", fieldname)] = (
                reader.field_length(fieldname),
                reader.min_field_length(fieldname) if has_lengths else None,
                reader.max_field_length(fieldname) if has_lengths else None,
                [reader.doc_field_length(d, fieldname) for d in docs],
            )
        out["stored"] = [reader.stored_fields(d) for d in docs]
    return out


def test_reader_sees_the_same_index(built) -> None:
    stock, fast = (_everything(gen) for gen in built)
    assert stock.keys() == fast.keys()
    for key in stock:
        assert stock[key] == fast[key], key
    # Phrase data is really there: a frequent recall-view term has several positions.
    body = [v for k, v in fast.items() if k[0] == "postings" and k[1] == "body"]
    assert any(p[4] and len(p[4]) > 3 for _stats, postings in body for p in postings)


@pytest.mark.parametrize("text", QUERIES)
def test_same_search_results(built, text: str) -> None:
    stock, fast = (SearchEngine(gen.parent, cache_size=0) for gen in built)
    for sort in ("relevance", "date"):
        request = SearchRequest(q=text, per_page=50, sort=sort)
        a, b = stock.search(request), fast.search(request)
        assert a.total == b.total
        assert [(r["id"], r["score"]) for r in a.results] == [
            (r["id"], r["score"]) for r in b.results
        ]
        assert dataclasses.replace(a, took_ms=0) == dataclasses.replace(b, took_ms=0)


def test_boosted_or_presplit_documents_go_through_whoosh(tmp_path: Path) -> None:
    """A document the fused path cannot take hands the whole segment to Whoosh's path,
    postings already gathered included: the result is still Whoosh's."""
    docs = [document(a, "h") for a in _articles()[:30]]
    docs[10] = dict(docs[10], _title_boost=2.0)
    docs[20] = dict(docs[20], body_exact=["mot", "liste"])
    stock = _build(tmp_path, "stock", SegmentWriter, _reference_schema(), docs)
    fast = _build(tmp_path, "fast", FastSegmentWriter, build_schema(), docs)
    assert _everything(stock) == _everything(fast)


def test_postings_beyond_limitmb_go_through_whoosh(tmp_path: Path) -> None:
    """Past ``limitmb`` the gathered postings move to Whoosh's pool, which spills sorted
    runs to disk: memory stays bounded and the index is still Whoosh's."""
    docs = [document(a, "h") for a in _articles()]
    writers = []

    def fast(ix):
        writers.append(FastSegmentWriter(ix, limitmb=1))
        return writers[-1]

    stock = _build(
        tmp_path, "stock", lambda ix: SegmentWriter(ix, limitmb=1), _reference_schema(), docs
    )
    fast_gen = _build(tmp_path, "fast", fast, build_schema(), docs)
    assert not writers[0]._fast  # it did fall back
    assert _everything(stock) == _everything(fast_gen)


def _segment_files_of(gen: Path, segment) -> dict[str, bytes]:
    prefix = segment.segment_id()
    return {p.name[len(prefix) :]: p.read_bytes() for p in gen.glob(prefix + "*")}


def test_flushed_segments_are_whooshs_segments(tmp_path: Path) -> None:
    """With a tiny budget the fast writer streams: it writes several segments on the way,
    each byte for byte the segment stock Whoosh writes from the same documents alone, and
    the index answers every search as a one-segment index does."""
    docs = [document(a, f"hash-{i}") for i, a in enumerate(_articles())]
    writers = []

    def fast(ix):
        writers.append(FastSegmentWriter(ix, compound=False, flushmb=0.25))
        return writers[-1]

    fast_gen = _build(tmp_path, "fast", fast, build_schema(), docs)
    segments = whoosh_index.open_dir(str(fast_gen))._segments()
    assert len(segments) >= 3 and len(writers[0].flushed) == len(segments) - 1
    assert sum(s.doc_count_all() for s in segments) == len(docs)
    start = 0
    for n, segment in enumerate(segments):
        count = segment.doc_count_all()
        stock = _build(
            tmp_path,
            f"stock-{n}",
            lambda ix: SegmentWriter(ix, compound=False),
            _reference_schema(),
            docs[start : start + count],
        )
        (stock_segment,) = whoosh_index.open_dir(str(stock))._segments()
        theirs, ours = _segment_files_of(stock, stock_segment), _segment_files_of(fast_gen, segment)
        assert ours.pop(postings_mmap.SUFFIX, None) is not None  # its sidecar, written too
        assert theirs.keys() == ours.keys() and ".pst" in ours
        for ext in theirs:
            assert theirs[ext] == ours[ext], (n, ext)
        start += count
    one = _build(tmp_path, "one", lambda ix: FastSegmentWriter(ix), build_schema(), docs)
    engines = [SearchEngine(gen.parent, cache_size=0) for gen in (one, fast_gen)]
    for text in QUERIES:
        a, b = (e.search(SearchRequest(q=text, per_page=100)) for e in engines)
        assert a.total == b.total, text
        if text and "*" not in text:
            # Equal scores may come in another order (documents are numbered per segment).
            scores_a = sorted(r["score"] or 0.0 for r in a.results)
            scores_b = sorted(r["score"] or 0.0 for r in b.results)
            assert scores_a == pytest.approx(scores_b, rel=1e-9), text
            if a.total <= 100:
                assert {r["id"] for r in a.results} == {r["id"] for r in b.results}


def test_merging_segments_writes_whooshs_merge(tmp_path: Path) -> None:
    """Segments merged by the fast writer (postings read block by block, deleted documents
    dropped) are byte for byte the segment files Whoosh's own merge writes; only the field
    length totals of the table of contents differ (exact, where Whoosh's are rounded)."""
    import shutil

    from whoosh.writing import OPTIMIZE

    docs = [document(a, f"hash-{i}") for i, a in enumerate(_articles())]
    base = tmp_path / "base"
    base.mkdir()
    ix = whoosh_index.create_in(str(base), build_schema())
    writer = FastSegmentWriter(ix, compound=False, flushmb=0.25)
    for doc in docs[:250]:
        writer.add_document(**doc)
    writer.commit()
    assert len(ix._segments()) >= 3
    gens = []
    for name, make in (("stock", SegmentWriter), ("fast", FastSegmentWriter)):
        gen = tmp_path / name / "gen-000001"
        shutil.copytree(base, gen)
        writer = make(whoosh_index.open_dir(str(gen)), compound=False)
        for doc in docs[::40]:
            writer.delete_by_term("id", doc["id"])
        for doc in docs[250:]:
            writer.add_document(**doc)
        writer.commit(mergetype=OPTIMIZE)
        storage.write_manifest(gen, {"version": 2, "roots": [], "articles": {}})
        (gen.parent / storage.CURRENT).write_text(gen.name, encoding="utf-8")
        gens.append(gen)
    stock, fast = (_segment_files(gen) for gen in gens)
    assert stock.keys() == fast.keys()
    for ext in stock:
        assert stock[ext] == fast[ext], ext
    assert whoosh_index.open_dir(str(gens[1])).doc_count() == 321 - len(docs[:250:40])
    stock_all, fast_all = _everything(gens[0]), _everything(gens[1])
    assert stock_all.keys() == fast_all.keys()
    for key in stock_all:
        if key[0] == "length":
            # A segment merged whole keeps its exact field-length total where Whoosh's copy
            # adds up the one-byte lengths it stored (ranking's average lengths move ~1 %).
            (stock_total, *stock_rest), (fast_total, *fast_rest) = stock_all[key], fast_all[key]
            assert stock_rest == fast_rest, key
            assert abs(stock_total - fast_total) <= 0.02 * stock_total, key
        else:
            assert stock_all[key] == fast_all[key], key


def test_positions_encoded_in_bulk_are_whooshs_values() -> None:
    """The fast writer gathers positions flat and encodes them a million at a time with
    numpy (issue 11: one ``pickle.dumps`` a posting was a third of gathering them); each
    value is the bytes ``formats.Positions().encode`` gives, including deltas of 1, 2 and
    4 bytes and lists that pickle cuts in batches of 1,000 (a long text made of the
    samples' bodies end to end)."""
    import numpy as np
    from whoosh import formats

    from search.analysis import recall_positions
    from search.index.fastwrite import _encode_positions_bulk

    bodies = [a.body or "" for a in _articles()[:100]]
    lists = [p for body in bodies for p in recall_positions(body).values()]
    lists += list(recall_positions(" ".join(bodies * 20)).values())
    assert max(map(len, lists)) > 2000 and max(map(max, lists)) > 65536
    counts = np.fromiter(map(len, lists), np.int64)
    flat = np.fromiter((p for one in lists for p in one), np.int64)
    data, lengths = _encode_positions_bulk(counts, flat)
    expected = [formats.Positions().encode(one) for one in lists]
    assert lengths.tolist() == list(map(len, expected))
    assert data == b"".join(expected)
