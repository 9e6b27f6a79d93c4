"""Updates that cost what changed: shared segment files, the SQLite manifest, files skipped
by their signature, ``since``."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest
from whoosh import index as whoosh_index

from search.find.searcher import SearchEngine, SearchRequest
from search.index import storage
from search.index.indexer import MANIFEST_VERSION, StrictAbort, reindex
from search.index.manifest import JSON, SQLITE
from search.index.people import FILE as PERSONS
from tests.conftest import SAMPLES, write_jsonl

SAMPLE = SAMPLES / "orangesum" / "orangesum-sample.jsonl"


def _records() -> list[dict]:
    with open(SAMPLE, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def _corpus(root: Path, parts: int = 4) -> list[Path]:
    """The 320 samples in ``parts`` files."""
    records = _records()
    size = -(-len(records) // parts)
    return [
        write_jsonl(root / f"part-{i}.jsonl", records[i * size : (i + 1) * size])
        for i in range(parts)
    ]


def _ids(index_dir: Path, q: str) -> set[str]:
    response = SearchEngine(index_dir, cache_size=0).search(SearchRequest(q=q, per_page=100))
    return {r["id"] for r in response.results}


def _segment_files(gen: Path) -> dict[str, Path]:
    ix = whoosh_index.open_dir(str(gen))
    prefixes = [s.segment_id() for s in ix._segments()]
    return {p.name: p for p in gen.iterdir() if any(p.name.startswith(s) for s in prefixes)}


def test_a_new_generation_links_the_segments_it_keeps(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    index_dir = tmp_path / "index"
    first = reindex([corpus], index_dir, writers=1)
    gen1 = index_dir / first.generation
    before = _segment_files(gen1)
    assert before
    # A sidecar another module may keep beside a segment, named after its id.
    (segment,) = whoosh_index.open_dir(str(gen1))._segments()
    sidecar = gen1 / f"{segment.segment_id()}.sidecar.npy"
    sidecar.write_bytes(b"per-segment data")
    new = dict(_records()[0], id="nouveau-1", title="Un article tout nouveau sur les huîtres")
    write_jsonl(corpus / "feed.jsonl", [new])
    second = reindex([corpus], index_dir)
    assert (second.indexed, second.total) == (1, 321)
    gen2 = index_dir / second.generation
    after = _segment_files(gen2)
    for name, path in before.items():
        assert name in after
        assert os.path.samefile(path, after[name]), name  # the same file, not a copy
    assert os.path.samefile(sidecar, gen2 / sidecar.name)
    assert len(after) > len(before)  # plus the new segment
    # The previous generation is untouched and still answers as it did.
    assert "nouveau-1" in _ids(index_dir, "huîtres")
    old = whoosh_index.open_dir(str(gen1))
    assert old.doc_count() == 320


def test_unchanged_files_are_not_read_again(tmp_path: Path) -> None:
    """A file with the size, change time and inode of the last run is skipped without
    being read; rewritten in place behind Loupe's back, even with its modification time
    put back, it is read again (its change time moved)."""
    corpus = tmp_path / "corpus"
    files = _corpus(corpus)
    index_dir = tmp_path / "index"
    reindex([corpus], index_dir, writers=1)
    target = files[1]
    st = target.stat()
    text = target.read_text(encoding="utf-8")
    first = json.loads(text.splitlines()[0])
    title = "Zorglub" + " " * (len(first["title"].encode()) - 7)
    swapped = text.replace(first["title"], title, 1)
    assert len(swapped.encode()) == len(text.encode())
    with open(target, "r+b") as fh:  # same inode, same size
        fh.write(swapped.encode())
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    seen = reindex([corpus], index_dir)
    assert (seen.indexed, seen.unchanged, seen.total) == (1, 319, 320)
    assert seen.files_read == 1
    assert _ids(index_dir, "Zorglub") == {first["id"]}
    same = reindex([corpus], index_dir)
    assert (same.indexed, same.unchanged, same.total, same.files_read) == (0, 320, 320, 0)
    assert not same.changed


def test_the_json_manifest_of_an_older_index_is_migrated(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    index_dir = tmp_path / "index"
    gen = index_dir / reindex([corpus], index_dir, writers=1).generation
    # Turn it into what the previous version wrote: one JSON document of every id.
    with sqlite3.connect(index_dir / SQLITE) as db:
        rows = db.execute("SELECT id, hash, path FROM articles").fetchall()
        roots = json.loads(db.execute("SELECT value FROM meta WHERE key='roots'").fetchone()[0])
    os.remove(index_dir / SQLITE)
    os.remove(gen / storage.CHECKSUMS_FILE)  # written since
    articles = {i: [h, p] for i, h, p in rows}
    manifest = {"version": MANIFEST_VERSION, "roots": roots, "articles": articles}
    (gen / JSON).write_text(json.dumps(manifest), encoding="utf-8")
    files = sorted(corpus.glob("*.jsonl"))
    write_jsonl(files[0], _records()[:80][1:])  # one article removed from the first file
    migrated = reindex([], index_dir)
    assert (migrated.indexed, migrated.unchanged, migrated.removed) == (0, 319, 1)
    gen = index_dir / migrated.generation
    assert storage.read_stamp(index_dir / SQLITE) == gen.name and not (gen / JSON).exists()
    again = reindex([], index_dir)  # now files are known by their signature
    assert (again.indexed, again.unchanged, again.removed, again.total) == (0, 319, 0, 319)
    assert not again.changed


def test_since_reads_only_recent_files_and_removes_nothing(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    files = _corpus(corpus)
    index_dir = tmp_path / "index"
    reindex([corpus], index_dir, writers=1)
    two_days_ago = time.time() - 2 * 86400
    records = _records()
    # An old file changed (dated two days back) and another one gone: not looked at.
    write_jsonl(files[0], [dict(records[0], title="Titre changé : xylophonistes")])
    os.utime(files[0], (two_days_ago, two_days_ago))
    files[3].unlink()
    latest = dict(records[0], id="dernier", title="Dépêche zanzibarophile")
    write_jsonl(corpus / "feed.jsonl", [latest])
    result = reindex([corpus], index_dir, since=time.time() - 86400)
    assert (result.indexed, result.removed, result.total) == (1, 0, 321)
    assert _ids(index_dir, "zanzibarophile") == {"dernier"}
    assert _ids(index_dir, "xylophonistes") == set()
    full = reindex([corpus], index_dir)  # without since: everything is looked at
    assert full.removed == 80 + 79


def test_a_file_that_cannot_be_read_keeps_its_articles(tmp_path: Path) -> None:
    """Bad input loses nothing: a file that turned into garbage is reported and skipped,
    and the articles it held stay searchable until it is fixed or removed."""
    corpus = tmp_path / "corpus"
    files = _corpus(corpus)
    index_dir = tmp_path / "index"
    reindex([corpus], index_dir, writers=1)
    held = json.loads(files[1].read_text(encoding="utf-8").splitlines()[0])["id"]
    files[1].write_bytes(b"\x00\xff\xfe" * 200)
    broken = reindex([corpus], index_dir)
    assert broken.skipped and any(str(files[1]) in str(p) for p in broken.skipped)
    assert (broken.removed, broken.total) == (0, 320)
    again = reindex([corpus], index_dir)  # named again on the next run, still kept
    assert again.skipped and (again.removed, again.total) == (0, 320)
    engine = SearchEngine(index_dir, cache_size=0)
    assert engine.article(held, "") is not None
    files[1].unlink()
    gone = reindex([corpus], index_dir)
    assert (gone.removed, gone.total) == (80, 240)


def _articles_listed(index_dir: Path) -> int:
    with sqlite3.connect(index_dir / SQLITE) as db:
        return db.execute("SELECT count(*) FROM articles").fetchone()[0]


def test_an_update_changes_the_index_manifest_and_persons_in_place(tmp_path: Path) -> None:
    """Issue 11: each update copied manifest.sqlite and persons.sqlite whole into the new
    generation (a cost growing with the archive). They are the index's, changed in place
    (same files), stamped with the generation they describe, and in no generation."""
    corpus = tmp_path / "corpus"
    files = _corpus(corpus)
    index_dir = tmp_path / "index"
    reindex([corpus], index_dir, writers=1, ner=False)
    shared = [index_dir / SQLITE, index_dir / PERSONS]
    inodes = [p.stat().st_ino for p in shared]
    records = _records()
    write_jsonl(files[0], [dict(records[0], title="Xylophonistes à Brest")] + records[1:80])
    update = reindex([corpus], index_dir, ner=False)
    assert (update.indexed, update.unchanged, update.total) == (1, 319, 320)
    gen = index_dir / update.generation
    assert not (gen / SQLITE).exists() and not (gen / PERSONS).exists()
    assert [p.stat().st_ino for p in shared] == inodes
    assert [storage.read_stamp(p) for p in shared] == [gen.name, gen.name]
    assert _ids(index_dir, "xylophonistes") == {records[0]["id"]}
    assert storage.verify_generation(gen, storage.FULL) == []


def test_a_failed_update_leaves_the_index_manifest_as_it_was(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    files = _corpus(corpus)
    index_dir = tmp_path / "index"
    first = reindex([corpus], index_dir, writers=1, ner=False)
    files[3].unlink()  # 80 articles to remove...
    (corpus / "bad.jsonl").write_text("{pas du json\n", encoding="utf-8")  # ...and a bad file
    with pytest.raises(StrictAbort):
        reindex([corpus], index_dir, strict=True, ner=False)
    assert storage.read_stamp(index_dir / SQLITE) == first.generation
    assert storage.read_stamp(index_dir / PERSONS) == first.generation
    assert _articles_listed(index_dir) == 320  # the removals were undone
    again = reindex([corpus], index_dir, ner=False)  # incremental: nothing read again
    assert (again.indexed, again.unchanged, again.removed, again.total) == (0, 240, 80, 240)
    assert _articles_listed(index_dir) == 240


def test_a_manifest_committed_for_an_unpublished_generation_is_not_trusted(
    tmp_path: Path,
) -> None:
    """A crash between the manifest's commit and the publish leaves it stamped with a
    generation that CURRENT does not name: the next run rebuilds in full."""
    corpus = tmp_path / "corpus"
    _corpus(corpus)
    index_dir = tmp_path / "index"
    reindex([corpus], index_dir, writers=1, ner=False)
    with sqlite3.connect(index_dir / SQLITE) as db:
        db.execute("UPDATE meta SET value = ? WHERE key = 'generation'", ('"gen-999999"',))
        db.execute("DELETE FROM articles WHERE rowid % 2 = 0")  # what the lost run changed
    rebuilt = reindex([], index_dir, ner=False)  # the roots are still known
    assert (rebuilt.indexed, rebuilt.unchanged, rebuilt.total) == (320, 0, 320)
    assert storage.read_stamp(index_dir / SQLITE) == rebuilt.generation
    assert _articles_listed(index_dir) == 320
