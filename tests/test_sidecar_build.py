"""Sidecars written by the writers and merges are byte for byte those written from scratch.

Issue 11: ``postings_mmap.write_sidecar`` decoded every Whoosh block of a finished segment
and split its stored texts again (40 % of a 100,000-article build's CPU). The fast writer
now writes each segment's sidecar from the postings and layouts it holds, and a merge
builds the merged sidecar from its sources' (``sidecar_build``). Every test here compares
the files those paths leave with the ones ``write_missing`` writes from scratch on a copy
of the same segments, byte for byte, and checks that the old path was not what wrote them.
"""

from __future__ import annotations

import json
import shutil
from itertools import islice
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from search.index import fastwrite, merging, parallel, postings_mmap, storage
from search.index.fastwrite import FastSegmentWriter
from search.index.indexer import document, reindex
from search.index.schema import build_schema
from search.ingest.readers import read_file
from tests.conftest import SAMPLES, write_jsonl

SAMPLE = SAMPLES / "orangesum" / "orangesum-sample.jsonl"
ORANGESUM = SAMPLES.parent.parent / "shared" / "corpus" / "orangesum" / "articles-part-03.jsonl"


class _Calls:
    """The segments ``write_sidecar`` (the path from Whoosh's blocks) wrote a sidecar for,
    in this process or a forked one (noted in a file)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def note(self, segment_id: str) -> None:
        with open(self.path, "a", encoding="utf-8") as fh:
            fh.write(segment_id + "\n")

    def segments(self) -> list[str]:
        text = self.path.read_text(encoding="utf-8") if self.path.exists() else ""
        return text.split()


@pytest.fixture
def old_path(monkeypatch, tmp_path: Path) -> _Calls:
    calls = _Calls(tmp_path / "old-path-calls.txt")
    original = postings_mmap.write_sidecar

    def counted(folder, leaf):
        calls.note(leaf.segment().segment_id())
        return original(folder, leaf)

    monkeypatch.setattr(postings_mmap, "write_sidecar", counted)
    return calls


def _from_scratch(folder: Path, tmp: Path) -> dict[str, bytes]:
    """The sidecars ``write_missing`` writes for ``folder``'s segments, on a copy."""
    copy = tmp / "from-scratch"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(folder, copy)
    for path in copy.glob("*" + postings_mmap.SUFFIX):
        path.unlink()
    postings_mmap.write_missing(copy)
    return {p.name: p.read_bytes() for p in copy.glob("*" + postings_mmap.SUFFIX)}


def _assert_same_bytes(folder: Path, tmp: Path) -> dict[str, bytes]:
    written = {p.name: p.read_bytes() for p in folder.glob("*" + postings_mmap.SUFFIX)}
    segments = whoosh_index.open_dir(str(folder))._segments()
    assert sorted(written) == sorted(s.make_filename(postings_mmap.SUFFIX) for s in segments)
    want = _from_scratch(folder, tmp)
    assert sorted(written) == sorted(want)
    for name, data in want.items():
        assert written[name] == data, name  # every byte
    assert not list(folder.glob(".*.tmp")) and not list(folder.glob("*.tmp"))
    return written


def _articles(path: Path, n: int | None = None) -> list:
    return list(islice(read_file(path, path.parent, lambda problem: None), n))


def _streamed(gen: Path, articles: list, flushmb: float) -> list:
    """``articles`` written by two forked writers flushing at ``flushmb``; the segments."""
    gen.mkdir(parents=True)
    ix = whoosh_index.create_in(str(gen), build_schema())
    writer = parallel.ParallelWriter(ix, writers=2, fork_after=20, flushmb=flushmb)
    for article in articles:
        writer.add_document(**document(article, "h"))
    writer.commit()
    return whoosh_index.open_dir(str(gen))._segments()


def test_flushed_segments_get_their_sidecars_from_the_writers(
    tmp_path: Path, monkeypatch, old_path: _Calls
) -> None:
    """Many small flushed segments, none merged: each sidecar comes from its writer."""
    monkeypatch.setattr(merging, "FACTOR", 1000)
    segments = _streamed(tmp_path / "gen", _articles(SAMPLE), 0.05)
    assert len(segments) >= 4
    assert old_path.segments() == []
    _assert_same_bytes(tmp_path / "gen", tmp_path)


def test_merged_segments_get_their_sidecars_from_their_sources(
    tmp_path: Path, monkeypatch, old_path: _Calls
) -> None:
    """The end-of-build merge by block copy: each merged sidecar is built from the flushed
    segments' (documents moved up by the segments before them)."""
    monkeypatch.setattr(merging, "FACTOR", 3)
    segments = _streamed(tmp_path / "gen", _articles(SAMPLE), 0.05)
    assert len(segments) <= 2 and max(s.doc_count_all() for s in segments) > 100
    assert old_path.segments() == []
    _assert_same_bytes(tmp_path / "gen", tmp_path)


def test_a_slice_of_orangesum_streamed_and_merged(tmp_path: Path, monkeypatch,
                                                  old_path: _Calls) -> None:
    """800 real articles (long bodies: positions past 255), flushed into segments of about 30
    and merged by tiers three times (merged segments merged again, into one): the same
    bytes. (1,500 were merged twice; positions wrapped at 256 fail either way.)"""
    if not ORANGESUM.is_file():
        pytest.skip("../shared/corpus is not here")
    monkeypatch.setattr(merging, "FACTOR", 4)
    segments = _streamed(tmp_path / "gen", _articles(ORANGESUM, 800), 1.0)
    assert sum(s.doc_count_all() for s in segments) == 800
    assert max(s.doc_count_all() for s in segments) > 400  # merged
    assert old_path.segments() == []
    _assert_same_bytes(tmp_path / "gen", tmp_path)


def _with_deletions(folder: Path, articles: list) -> list:
    """Three segments of ``articles``, some documents of each deleted; their segments."""
    folder.mkdir(parents=True)
    ix = whoosh_index.create_in(str(folder), build_schema())
    thirds = [articles[i::3] for i in range(3)]
    for part in thirds:
        writer = FastSegmentWriter(ix)
        for article in part:
            writer.add_document(**document(article, "h"))
        writer.commit(merge=False)
        ix = whoosh_index.open_dir(str(folder))
    writer = ix.writer()
    for article in articles[::7]:
        writer.delete_by_term("id", article.id)
    writer.commit(merge=False)
    return whoosh_index.open_dir(str(folder))._segments()


def test_a_merge_with_deletions_drops_them_from_the_sidecar(tmp_path: Path,
                                                             old_path: _Calls) -> None:
    """Sources with deleted documents (the decoding merge): the merged sidecar is built
    from theirs, the deleted documents' postings and layouts dropped, the others
    renumbered."""
    folder = tmp_path / "ix"
    segments = _with_deletions(folder, _articles(SAMPLE))
    assert len(segments) == 3 and all(s.has_deletions() for s in segments)
    assert old_path.segments() == []  # the three segments' sidecars came from their writers
    storage_ = FileStorage(str(folder), supports_mmap=False)
    ix = storage_.open_index()
    writer = FastSegmentWriter(ix)
    readers = [SegmentReader(storage_, ix.schema, s) for s in segments]
    writer.merge_readers(readers)
    merged = writer._finalize_segment()
    for reader in readers:
        reader.close()
    writer._commit_toc([merged])
    writer._finish()
    assert merged.doc_count_all() == 320 - len(range(0, 320, 7))
    assert old_path.segments() == []
    _assert_same_bytes(folder, tmp_path)


def test_updates_and_deletions_through_reindex(tmp_path: Path, old_path: _Calls) -> None:
    """Incremental runs (new, changed and removed articles; the tiered policy merging
    segments into the new one by ``add_reader``): every sidecar of the published
    generation is the one written from scratch, whichever path wrote it."""
    records = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    write_jsonl(corpus / "a.jsonl", records[:200])
    index_dir = tmp_path / "index"
    reindex([corpus], index_dir, entities=False)
    assert old_path.segments() == []  # a fresh build's sidecar comes from its writer
    changed = [{**r, "title": r["title"] + " (mis à jour)"} for r in records[:30]]
    write_jsonl(corpus / "a.jsonl", changed + records[30:150])
    write_jsonl(corpus / "b.jsonl", records[200:])
    result = reindex([corpus], index_dir, entities=False)
    assert result.removed == 50 and result.total == 270
    gen = storage.require_generation(index_dir)
    _assert_same_bytes(gen, tmp_path)


def test_without_the_writers_sidecars_write_missing_writes_them(
    tmp_path: Path, monkeypatch, old_path: _Calls
) -> None:
    """``fastwrite.SIDECARS = False``: the former path writes every sidecar, the same."""
    monkeypatch.setattr(fastwrite, "SIDECARS", False)
    monkeypatch.setattr(merging, "FACTOR", 3)
    segments = _streamed(tmp_path / "gen", _articles(SAMPLE), 0.05)
    assert len(old_path.segments()) == len(segments)


def test_layouts_in_batches_are_each_texts_layout() -> None:
    """``layouts.Batch`` (a writer's layouts, from the analysis's word split, numpy once a
    batch) gives each text what ``layouts.layout`` gives it alone: on 3,000 OrangeSum
    bodies, summaries and titles, and on texts a layout cannot hold (a token of 128
    characters, a gap of 65,536), empty texts and texts of stop words only, shuffled."""
    import random

    import numpy as np

    from search import analysis
    from search.index import layouts

    texts = []
    for line in islice(ORANGESUM.open(encoding="utf-8"), 1000):
        record = json.loads(line)
        texts += [record.get(k) or "" for k in ("body", "summary", "title")]
    texts += ["", "le la les", "x" * 130 + " mot", "a" + " " * 70_000 + "b", "de",
              "L'État d’urgence — 12-13 juin", "  ", "Cafe\u0301 noir"]
    random.Random(11).shuffle(texts)
    batch = layouts.Batch()
    for text in texts:
        analysis.recall_positions(text)  # as the writer: the split is the analysis's
        batch.add(text)
    firsts, counts, gaps, lengths = batch.compute()
    at = none = 0
    for i, text in enumerate(texts):
        first, alone_gaps, alone_lengths = layouts.layout(text)
        n = int(counts[i])
        assert int(firsts[i]) == first, text[:60]
        assert gaps[at : at + n].tolist() == alone_gaps.tolist(), text[:60]
        assert np.array_equal(lengths[at : at + n], alone_lengths), text[:60]
        at += n
        none += first == layouts.NONE
    assert at == gaps.size and none == 2 and len(batch) == 0
