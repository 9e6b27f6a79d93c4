"""``search.index.w3``, the one door to Whoosh's internals: the version check, and the branches
the samples never reach at the default sizes, run by shrinking the sizes (3-posting blocks,
7-posting commit chunks, 5-posting sidecar chunks, a reader without the W3 columns)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from search.find.generation import open_index
from search.find.searcher import SearchEngine, SearchRequest
from search.index import fastwrite, postings_mmap, storage, w3
from search.index.fastwrite import FastSegmentWriter
from search.index.indexer import document
from search.index.schema import build_schema
from tests.test_fastwrite import QUERIES, _articles, _build, _reference_schema, _segment_files
from tests.test_postings_mmap import segmented  # noqa: F401 - a fixture

BLOCK = 3  # postings per block: every word of more than three articles spans blocks


def test_another_whoosh_is_refused_with_a_clear_error() -> None:
    w3.check_version((2, 7, 5))
    with pytest.raises(w3.WhooshVersionError, match=r"whoosh-reloaded==2\.7\.5"):
        w3.check_version((2, 8, 0))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory) -> dict[str, Path]:
    """The samples written three ways: by Whoosh and by the fast writer with 3-posting
    blocks (the fast writer's commit also in chunks of 7 postings), and by the fast writer
    with Whoosh's default blocks."""
    root = tmp_path_factory.mktemp("w3")
    docs = [document(a, f"hash-{i}") for i, a in enumerate(_articles())]
    small = pytest.MonkeyPatch()
    small.setattr(fastwrite, "_CHUNK", 7)
    try:
        built = {
            "stock": _build(root, "stock", lambda ix: SegmentWriter(
                ix, compound=False, codec=w3.W3Codec(blocklimit=BLOCK)), _reference_schema(), docs),
            "fast": _build(root, "fast", lambda ix: FastSegmentWriter(
                ix, compound=False, codec=w3.W3Codec(blocklimit=BLOCK)), build_schema(), docs),
        }  # fmt: skip
    finally:
        small.undo()
    built["default"] = _build(
        root, "default", lambda ix: FastSegmentWriter(ix, compound=False), build_schema(), docs
    )
    return built


def test_tiny_blocks_and_chunks_write_whooshs_bytes(tiny: dict[str, Path]) -> None:
    stock, fast = _segment_files(tiny["stock"]), _segment_files(tiny["fast"])
    assert stock.keys() == fast.keys()
    for ext in stock:
        assert stock[ext] == fast[ext], ext
    with whoosh_index.open_dir(str(tiny["fast"])).reader() as reader:
        ((leaf, _offset),) = reader.leaf_readers()
        (_n, top), = reader.most_frequent_terms("body", 1)
        blocks = list(w3.blocks(w3.term_matcher(leaf, "body", top)))
        assert len(blocks) > 20 and all(len(ids) <= BLOCK for ids, _w, _v in blocks)


def test_tiny_blocks_search_as_the_default_ones(tiny: dict[str, Path]) -> None:
    """Postings decoded across many blocks rank and count exactly as whole ones."""
    small = SearchEngine(tiny["fast"].parent, cache_size=0)
    default = SearchEngine(tiny["default"].parent, cache_size=0)
    for text in QUERIES:
        a = small.search(SearchRequest(q=text, per_page=50)).to_dict()
        b = default.search(SearchRequest(q=text, per_page=50)).to_dict()
        assert a["total"] == b["total"] > 0, text
        assert [(r["id"], r["score"]) for r in a["results"]] == [
            (r["id"], r["score"]) for r in b["results"]
        ], text
        assert a["facets"] == b["facets"]


def test_a_sidecar_written_in_small_chunks_holds_every_posting(
    tiny: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(postings_mmap, "_CHUNK", 5)
    with whoosh_index.open_dir(str(tiny["fast"])).reader() as reader:
        ((leaf, _offset),) = reader.leaf_readers()
        postings_mmap.write_sidecar(tiny["fast"], leaf)
        sidecar = postings_mmap.open_sidecar(leaf)
        assert sidecar is not None
        terms = 0
        for fieldname, btext in leaf.all_terms():
            ours = sidecar.postings(fieldname, btext)
            whoosh = postings_mmap.decode_matcher(postings_mmap.raw_matcher(leaf, fieldname, btext))
            assert np.array_equal(ours[0], whoosh[0]) and np.array_equal(ours[1], whoosh[1])
            terms += 1
        assert terms > 10_000


class _WithoutColumns:
    """Whoosh's own segment reader seen only through its public ``doc_field_length``, as a
    reader of another codec would be: the per-document path of ``w3.length_bytes``."""

    def __init__(self, leaf) -> None:
        self.doc_field_length = leaf.doc_field_length


def test_length_bytes_without_the_w3_column_are_the_same(tiny: dict[str, Path]) -> None:
    with whoosh_index.open_dir(str(tiny["fast"])).reader() as reader:
        ((leaf, _offset),) = reader.leaf_readers()
        count = leaf.doc_count_all()
        for fieldname in ("title", "body", "caption", "summary_exact"):
            whole = w3.length_bytes(leaf, fieldname, count)
            assert w3.length_column(leaf, fieldname) is not None
            assert np.array_equal(w3.length_bytes(_WithoutColumns(leaf), fieldname, count), whole)
            assert whole.any()
        # A field without lengths (a keyword): no column, every length 0, nothing read.
        assert w3.lacks_length_column(leaf, "tags") and w3.length_column(leaf, "tags") is None
        assert not w3.length_bytes(leaf, "tags", count).any()


def test_stored_fields_read_directly_are_whooshs(
    segmented: Path, samples_index: Path  # noqa: F811 - the fixture imported above
) -> None:
    """Every document's stored fields as ``w3.stored_fields`` reads them (the stored
    column's bytes unpickled here) are Whoosh's ``stored_fields``: the same dict, keys in
    the same order, across three segments (deleted documents too) and in the samples."""
    for index in (segmented, samples_index):
        with open_index(storage.require_generation(index)).searcher() as s:
            reader = s.reader()
            get = w3.stored_fields(reader)
            assert get is not reader.stored_fields  # the direct read, not the fallback
            assert w3.stored_fields(reader) is get  # made once per reader
            for docnum in range(reader.doc_count_all()):
                mine, whooshs = get(docnum), reader.stored_fields(docnum)
                assert mine == whooshs and list(mine) == list(whooshs), docnum
                assert mine["id"]


@pytest.mark.parametrize("mapped", [False, True])
def test_stored_fields_of_plain_and_compound_segment_files(tmp_path: Path, mapped: bool) -> None:
    """The stored column read by ``os.pread`` at the right place of the segment's own file
    (a segment left uncompounded) and of a compound file (its sub-file's offset added), in
    one reader; a compound file mapped in memory, Whoosh's ``get``: every document's
    fields are Whoosh's (a field the schema lost left out), and a closed reader's descriptor
    is never read."""
    from whoosh.fields import ID, STORED, TEXT, Schema
    from whoosh.filedb.filestore import FileStorage

    schema = Schema(id=ID(stored=True, unique=True), body=TEXT(stored=True), note=STORED)
    ix = FileStorage(str(tmp_path)).create_index(schema)
    texts = [f"article {n} " + "mot " * (n % 17) + "é" * (n % 5) for n in range(120)]
    for compound, part in ((False, texts[:50]), (True, texts[50:])):
        writer = ix.writer(compound=compound)
        for n, text in enumerate(part):
            writer.add_document(id=f"{compound}-{n}", body=text, note=n)
        writer.commit(merge=False)
    if mapped:  # a field the schema no longer has: left out of the documents' fields
        ix.remove_field("note")
    storage_ = FileStorage(str(tmp_path), supports_mmap=mapped)
    with storage_.open_index().searcher() as s:
        reader = s.reader()
        assert len(reader.leaf_readers()) == 2
        columns = [leaf._perdoc._cached_reader("_stored", w3.STORED_COLUMN)._child._dbfile
                   for leaf, _offset in reader.leaf_readers()]
        kinds = [w3._pread_of(f) is not None for f in columns]
        assert kinds == [True, not mapped]  # a mapped compound file: no descriptor
        get = w3.stored_fields(reader)
        assert get is not reader.stored_fields
        for docnum in range(reader.doc_count_all()):
            mine, whooshs = get(docnum), reader.stored_fields(docnum)
            assert mine == whooshs and list(mine) == list(whooshs), docnum
            assert ("note" in mine) is not mapped
    if not mapped:
        with pytest.raises(ValueError):
            get(0)
