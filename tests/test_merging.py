"""The merge policy of incremental runs keeps the index the size of what it holds."""

from __future__ import annotations

import json
from pathlib import Path

from whoosh import index as whoosh_index

from search import merging, storage
from search.indexer import reindex
from search.searcher import SearchEngine, SearchRequest
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
