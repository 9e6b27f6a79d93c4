"""Reindexing: incremental diffs by content hash, the atomic swap, one writer at a time."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from search.find.searcher import SearchEngine, SearchRequest
from search.index import storage
from search.index.indexer import reindex
from tests.conftest import write_jsonl

RECORDS = [
    {
        "id": "a1",
        "title": "Grève à la SNCF contre la réforme des retraites",
        "body": "Les cheminots manifestent à Paris contre la réforme.",
        "date": "2019-12-05",
        "section": "France",
    },
    {
        "id": "a2",
        "title": "Le Kazakhstan ébranlé par des manifestations",
        "body": "Des troupes russes ont été déployées à Almaty.",
        "date": "2022-01-08",
        "section": "Monde",
    },
    {
        "id": "a3",
        "title": "La pêche en mer du Nord",
        "body": "Les pêcheurs bretons inquiets.",
        "date": "2020-02-01",
        "section": "France",
    },
]


def ids(index_dir: Path, q: str) -> set[str]:
    response = SearchEngine(index_dir).search(SearchRequest(q=q, per_page=100))
    return {r["id"] for r in response.results}


def test_first_index_then_nothing_changes(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "corpus" / "a.jsonl", RECORDS)
    index_dir = tmp_path / "index"
    first = reindex([corpus.parent], index_dir)
    assert (first.indexed, first.unchanged, first.removed, first.total) == (3, 0, 0, 3)
    assert first.generation == "gen-000001"
    again = reindex([corpus.parent], index_dir)
    assert (again.indexed, again.unchanged, again.removed) == (0, 3, 0)
    assert not again.changed and again.generation == "gen-000001"


def test_incremental_add_change_delete(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "a.jsonl", RECORDS)
    index_dir = tmp_path / "index"
    reindex([corpus], index_dir)
    assert ids(index_dir, "Almaty") == {"a2"}

    changed = [dict(r) for r in RECORDS]
    changed[1]["body"] = "Des troupes russes ont été déployées à Astana."
    del changed[2]
    write_jsonl(corpus / "a.jsonl", changed)
    write_jsonl(
        corpus / "b.jsonl",
        [{"id": "b1", "title": "Tempête sur la Bretagne", "body": "Les vents soufflent à Brest."}],
    )
    result = reindex([corpus], index_dir)
    assert (result.indexed, result.unchanged, result.removed, result.total) == (2, 1, 1, 3)
    assert ids(index_dir, "Almaty") == set()
    assert ids(index_dir, "Astana") == {"a2"}
    assert ids(index_dir, "pêche") == set()
    assert ids(index_dir, "Brest") == {"b1"}
    assert SearchEngine(index_dir).stats()["articles"] == 3

    # The whole file gone: its articles go too; no paths means "the same folders again".
    (corpus / "b.jsonl").unlink()
    result = reindex([], index_dir)
    assert (result.removed, result.total) == (1, 2)
    assert ids(index_dir, "Brest") == set()


def test_full_rebuild_reanalyses_everything(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c" / "a.jsonl", RECORDS).parent
    reindex([corpus], tmp_path / "index")
    result = reindex([corpus], tmp_path / "index", full=True)
    assert (result.indexed, result.unchanged) == (3, 0)
    assert ids(tmp_path / "index", "retraites") == {"a1"}


def test_failed_reindex_leaves_previous_index_served(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "a.jsonl", RECORDS)
    index_dir = tmp_path / "index"
    reindex([corpus], index_dir)
    engine = SearchEngine(index_dir)
    assert engine.search(SearchRequest(q="Almaty")).total == 1

    write_jsonl(corpus / "b.jsonl", [{"id": "b1", "title": "Brest", "body": "Tempête à Brest."}])

    def interrupted(done: int, total: int, articles: int) -> None:
        raise KeyboardInterrupt  # the user pressed Ctrl-C after the first file

    with pytest.raises(KeyboardInterrupt):
        reindex([corpus], index_dir, progress=interrupted)

    assert storage.current_generation(index_dir).name == "gen-000001"
    assert not [p for p in index_dir.iterdir() if p.name.startswith("tmp-")]
    assert engine.search(SearchRequest(q="Almaty")).total == 1
    assert engine.search(SearchRequest(q="Brest")).total == 0

    result = reindex([corpus], index_dir)
    assert result.indexed == 1 and result.generation == "gen-000002"
    assert engine.search(SearchRequest(q="Brest")).total == 1  # same engine, new generation


def test_dead_build_is_cleaned_up(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c" / "a.jsonl", RECORDS).parent
    index_dir = tmp_path / "index"
    reindex([corpus], index_dir)
    dead = index_dir / "tmp-000007"
    dead.mkdir()
    (dead / "junk").write_text("half-written segment")
    reindex([corpus], index_dir, full=True)
    assert not dead.exists()
    gens = [p.name for p in storage.generations(index_dir)]
    assert gens[-1] == storage.current_generation(index_dir).name
    assert len(gens) <= storage.KEEP_GENERATIONS


def test_second_reindex_is_refused_while_one_runs(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c" / "a.jsonl", RECORDS).parent
    index_dir = tmp_path / "index"
    started, release = threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def slow(done: int, total: int, articles: int) -> None:
        started.set()
        release.wait(10)

    def first() -> None:
        try:
            reindex([corpus], index_dir, progress=slow)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    thread = threading.Thread(target=first)
    thread.start()
    assert started.wait(10)
    with pytest.raises(storage.IndexLocked, match="en cours"):
        reindex([corpus], index_dir)
    release.set()
    thread.join()
    assert not errors
    assert ids(index_dir, "Almaty") == {"a2"}


def test_duplicate_ids_keep_the_first_and_report_the_second(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    write_jsonl(corpus / "a.jsonl", RECORDS[:1])
    write_jsonl(corpus / "b.jsonl", [dict(RECORDS[1], id="a1")])
    result = reindex([corpus], tmp_path / "index")
    assert result.total == 1
    assert len(result.skipped) == 1
    assert "a1" in str(result.skipped[0]) and "b.jsonl" in str(result.skipped[0])
    assert ids(tmp_path / "index", "retraites") == {"a1"}


def test_missing_root_refuses_instead_of_emptying_the_index(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c" / "a.jsonl", RECORDS).parent
    index_dir = tmp_path / "index"
    reindex([corpus], index_dir)
    (corpus / "a.jsonl").rename(tmp_path / "moved.jsonl")
    corpus.rmdir()
    with pytest.raises(ValueError, match="introuvable"):
        reindex([], index_dir)
    assert SearchEngine(index_dir).stats()["articles"] == 3
