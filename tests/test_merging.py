"""The merge policy of incremental runs keeps the index the size of what it holds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from search.find.searcher import SearchEngine, SearchRequest
from search.index import merging, parallel, storage
from search.index.indexer import document, reindex
from search.index.schema import build_schema
from search.ingest.readers import read_file
from tests.conftest import SAMPLES, write_jsonl

SAMPLE = SAMPLES / "orangesum" / "orangesum-sample.jsonl"


def _records(n: int) -> list[dict]:
    with open(SAMPLE, encoding="utf-8") as fh:
        return [json.loads(line) for line, _ in zip(fh, range(n), strict=False)]


def _state(index_dir: Path) -> tuple[int, int]:
    """(bytes, segments) of the current generation."""
    gen = storage.require_generation(index_dir)
    return storage.dir_size(gen), len(whoosh_index.open_dir(str(gen))._segments())


def test_add_remove_cycles_do_not_grow_the_index(tmp_path: Path) -> None:
    """Issue 13: 20 cycles of adding and removing the same 150 articles doubled the index
    (segments whose every document was deleted were kept until Whoosh's Fibonacci rule
    merged them)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    records = _records(150)
    keep = write_jsonl(corpus / "keep.jsonl", _records(151)[150:])
    index_dir = tmp_path / "index"
    sizes = []
    for _cycle in range(20):
        batch = write_jsonl(corpus / "batch.jsonl", records)
        added = reindex([corpus], index_dir, entities=False)
        assert added.total == 151
        sizes.append(_state(index_dir))
        batch.unlink()
        removed = reindex([corpus], index_dir, entities=False)
        assert (removed.removed, removed.total) == (150, 1)
    assert keep.exists()
    first, last = sizes[0], sizes[-1]
    assert last[1] <= 2, sizes
    assert last[0] <= 1.1 * first[0], sizes
    response = SearchEngine(index_dir, cache_size=0).search(SearchRequest(q=""))
    assert response.total == 1


def test_small_segments_are_merged_by_tiers(tmp_path: Path) -> None:
    """Each run of a few articles writes a small segment; once a tier holds ``FACTOR`` of
    them, the next run merges them into one, and every article stays searchable."""
    corpus = tmp_path / "corpus"
    records = _records(merging.FACTOR + 2)
    index_dir = tmp_path / "index"
    counts = []
    for i, record in enumerate(records):
        write_jsonl(corpus / f"day-{i:02d}.jsonl", [record])
        reindex([corpus], index_dir, entities=False)
        counts.append(_state(index_dir)[1])
    assert max(counts) == merging.FACTOR
    assert counts[-1] < merging.FACTOR
    engine = SearchEngine(index_dir, cache_size=0)
    assert engine.search(SearchRequest(q="", per_page=100)).total == len(records)
    for record in records:
        assert engine.article(record["id"], "") is not None


def _streamed(folder: Path, flushmb: float | None) -> SearchEngine:
    """The samples written by two forked writers flushing a segment at ``flushmb``."""
    gen = folder / "gen-000001"
    gen.mkdir(parents=True)
    ix = whoosh_index.create_in(str(gen), build_schema())
    writer = parallel.ParallelWriter(ix, writers=2, fork_after=20, flushmb=flushmb)
    for article in read_file(SAMPLE, SAMPLES, lambda problem: None):
        writer.add_document(**document(article, "h"))
    writer.commit()
    storage.write_manifest(gen, {"version": 4, "roots": [], "articles": {}})
    (folder / storage.CURRENT).write_text(gen.name, encoding="utf-8")
    return SearchEngine(folder, cache_size=0)


def test_a_fresh_build_merges_its_streamed_segments(tmp_path: Path, monkeypatch) -> None:
    """Issue 11: a fresh build within a small budget wrote one segment per budget's worth
    of postings per writer and kept them all (40 at a million articles, every query reads
    each). At its end the tiers are merged (streamed, in forked processes): at most
    ``FACTOR - 1`` segments a tier, and every answer is the one-segment build's."""
    monkeypatch.setattr(merging, "FACTOR", 3)
    one = _streamed(tmp_path / "one", None)
    merged = _streamed(tmp_path / "merged", 0.05)
    segments = whoosh_index.open_dir(str(tmp_path / "merged" / "gen-000001"))._segments()
    assert sum(s.doc_count() for s in segments) == 320
    assert len(segments) <= 2, [s.doc_count() for s in segments]
    assert not merging.fresh_groups(segments)
    for text in ["", "Macron", "réforme des retraites", "police OR gendarmes",
                 '"gilets jaunes"', "rubrique:politique", "pêche -mer"]:
        a = one.search(SearchRequest(q=text, per_page=100))
        b = merged.search(SearchRequest(q=text, per_page=100))
        assert a.total == b.total, text
        assert {k: sorted((f["value"], f["count"]) for f in v) for k, v in a.facets.items()} == {
            k: sorted((f["value"], f["count"]) for f in v) for k, v in b.facets.items()
        }, text
        if not text:  # newest first: the same dates in the same order
            assert [r["date"] for r in a.results] == [r["date"] for r in b.results]
            continue
        # Equal scores may come in another order (documents are numbered per segment).
        assert sorted(r["score"] or 0 for r in a.results) == pytest.approx(
            sorted(r["score"] or 0 for r in b.results), rel=1e-9
        ), text
        if a.total <= 100:
            assert {r["id"] for r in a.results} == {r["id"] for r in b.results}, text
    for record in _records(320)[::32]:
        assert one.article(record["id"], "Macron") == merged.article(record["id"], "Macron")


def _postings(reader) -> dict:
    """Every term of a segment: its statistics and its postings (ids, weights, values)."""
    out = {}
    for fieldname in reader.indexed_field_names():
        for btext in reader.lexicon(fieldname):
            info = reader.term_info(fieldname, btext)
            m = reader.postings(fieldname, btext)
            postings = []
            while m.is_active():
                postings.append((m.id(), m.weight(), m.value()))
                m.next()
            out[fieldname, btext] = (
                info.weight(), info.doc_frequency(), info.min_length(), info.max_length(),
                info.max_weight(), info.min_id(), info.max_id(), postings,
            )
    return out


def test_merging_copies_blocks_with_the_same_postings(tmp_path: Path, monkeypatch) -> None:
    """Issue 11: with nothing deleted, a merge copies each segment's posting blocks (first
    and last document numbers patched) instead of decoding and encoding every posting.
    Every term's statistics and postings, and every stored article, are those of the
    decoding merge (itself checked against Whoosh's own in test_fastwrite)."""
    from whoosh.reading import SegmentReader

    from search.index import fastwrite

    records = _records(320)
    for path in (tmp_path / "blocks", tmp_path / "decode"):
        path.mkdir()
        ix = whoosh_index.create_in(str(path), build_schema())
        writer = fastwrite.FastSegmentWriter(ix)
        for i, article in enumerate(read_file(SAMPLE, SAMPLES, lambda problem: None)):
            if i and i % 100 == 0:  # segments of 100 (first ids past 255 in the last ones)
                writer._roll()
            writer.add_document(**document(article, f"h{i}"))
        writer.commit(merge=False)
    found = {}
    for name, copy in (("blocks", True), ("decode", False)):
        monkeypatch.setattr(fastwrite, "BLOCK_COPY", copy)
        ix = whoosh_index.open_dir(str(tmp_path / name))
        segments = ix._segments()
        assert len(segments) == 4
        merged = merging._merge_group(str(tmp_path / name), segments)
        reader = SegmentReader(ix.storage, ix.schema, merged)
        found[name] = (_postings(reader), list(reader.all_stored_fields()))
        reader.close()
    blocks, decode = found["blocks"], found["decode"]
    assert len(blocks[1]) == len(records) == len(decode[1])
    assert blocks[1] == decode[1]
    assert blocks[0].keys() == decode[0].keys()
    for key, value in decode[0].items():
        assert blocks[0][key] == value, key


def test_a_streamed_build_writes_its_sidecars_side_by_side(tmp_path: Path, monkeypatch) -> None:
    """Issue 11: the posting sidecars of a fresh build's segments were written by one
    process before the publish (10 of 33 minutes at a million articles). The forked
    writers' commit now writes them a segment per process; each is byte for byte the
    sidecar written from scratch, so nothing is left for ``write_missing``."""
    from search.index import postings_mmap

    monkeypatch.setattr(merging, "FACTOR", 3)
    _streamed(tmp_path, 0.05)  # two writers, segments merged by tiers at the commit
    gen = tmp_path / "gen-000001"
    segments = whoosh_index.open_dir(str(gen))._segments()
    assert len(segments) >= 2
    written = {p.name: p.read_bytes() for p in gen.glob("*" + postings_mmap.SUFFIX)}
    assert sorted(written) == sorted(s.make_filename(postings_mmap.SUFFIX) for s in segments)
    assert postings_mmap.write_missing(gen) == []
    for name in written:
        (gen / name).unlink()
    assert len(postings_mmap.write_missing(gen)) == len(written)  # one process, as before
    for name, data in written.items():
        assert (gen / name).read_bytes() == data, name


def test_a_fresh_build_reports_its_phases(tmp_path: Path, monkeypatch) -> None:
    """Issue 11: a million-article build took 28 minutes and nobody knew how they split
    between writing, merging and the sidecars. ``reindex`` now times each phase (wall,
    CPU of the reading process and of the forked writers and merges it waited for) and
    ``loupe reindex --timings`` prints them."""
    from search import cli
    from search.index import indexer

    monkeypatch.setattr(merging, "FACTOR", 3)
    monkeypatch.setattr(parallel, "FORK_AFTER", 20)
    monkeypatch.setattr(indexer, "flush_mb", lambda budget, writers: 0.05)
    result = reindex([SAMPLE], tmp_path / "ix", entities=False, writers=2)
    names = [p.name for p in result.phases]
    assert names[0] == "opening the index"
    written = next(p for p in result.phases if p.name.startswith("reading, writing"))
    flushed = int(written.name.split()[2])
    segments = whoosh_index.open_dir(str(storage.require_generation(tmp_path / "ix")))
    assert flushed > len(segments._segments()) >= 1  # streamed, then merged
    assert written.cpu_children > 0  # the writers' CPU, counted once they were joined
    rounds = [p for p in result.phases if p.name.startswith("merge round")]
    assert rounds and all(p.cpu_children > 0 for p in rounds)
    assert names[-3:] == ["posting sidecars left to write", "checksums",
                          "manifest, person table, publish"]
    assert sum(p.wall for p in result.phases) <= result.elapsed
    # The command prints the same table.
    from click.testing import CliRunner

    out = CliRunner().invoke(
        cli.main,
        ["reindex", str(SAMPLE), "--index", str(tmp_path / "ix2"), "--no-entities",
         "--timings", "-q"],
    )
    assert out.exit_code == 0, out.output
    assert "| phase | wall s |" in out.output and "| total |" in out.output
