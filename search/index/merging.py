"""The merge policy of an incremental run: few segments, and no dead documents kept.

Whoosh's ``MERGE_SMALL`` merges segments by a Fibonacci rule on their document counts,
deleted documents included, so an archive updated by small batches piles up segments
whose documents were all replaced: 20 add/remove cycles of the same 150 articles doubled
the index. ``tiered`` is a merge policy in Whoosh's form (``policy(writer, segments)``
returns the segments kept; the others are read into the writer's new segment, by
``FastSegmentWriter.add_reader``, block by block):

- a segment with every document deleted is dropped, without reading it;
- a segment with more than ``MAX_DELETED`` of its documents deleted is merged (rewritten
  without them);
- segments are grouped in tiers by live documents (``FLOOR`` and up, ``FACTOR`` times more
  for each tier), and the ``FACTOR`` smallest of a tier that holds ``FACTOR`` or more are
  merged into one.

A run merges at most what the writer's memory budget holds (``BYTES_PER_DOC`` a
document), so its cost stays bounded. The segments of a fresh build, each written at that
budget, are merged at its end by ``merge_fresh`` instead: the same tiers, merged by
``FastSegmentWriter.merge_readers``, which streams term by term (memory: one batch of
terms, whatever the segments' size), one group per process, so a million articles end in
a handful of segments rather than one per budget's worth of postings per writer.
"""

from __future__ import annotations

import ctypes
import math
import multiprocessing
import os
import traceback

from whoosh.filedb.filestore import FileStorage
from whoosh.reading import SegmentReader

from search.index import postings_mmap
from search.index.fastwrite import FastSegmentWriter
from search.index.phases import Timeline
from search.lifetime import die_with_parent

FACTOR = 10
FLOOR = 1_000
MAX_DELETED = 0.3
BYTES_PER_DOC = 16 * 1024  # postings gathered per OrangeSum-like article (about 13 KiB)
DEFAULT_MAX_DOCS = 50_000  # without a budget


def _tier(live: int) -> int:
    return int(math.log(max(live, FLOOR) / FLOOR, FACTOR))


def tiered(writer, segments: list) -> list:
    """Whoosh merge policy: returns the segments kept as they are; merges the others into
    ``writer``."""
    budget = getattr(writer, "_flush_bytes", None)
    room = budget // BYTES_PER_DOC if budget else DEFAULT_MAX_DOCS
    kept, merge = [], []
    for segment in sorted(segments, key=lambda s: s.doc_count()):
        total, live = segment.doc_count_all(), segment.doc_count()
        if live == 0:
            continue
        if total - live > MAX_DELETED * total and live <= room:
            merge.append(segment)
            room -= live
        else:
            kept.append(segment)
    tiers: dict[int, list] = {}
    for segment in kept:
        tiers.setdefault(_tier(segment.doc_count()), []).append(segment)
    for members in tiers.values():
        if len(members) >= FACTOR:
            smallest = members[:FACTOR]  # kept is sorted by size
            size = sum(s.doc_count() for s in smallest)
            if size <= room:
                merge += smallest
                room -= size
    chosen = {id(s) for s in merge}
    for segment in merge:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        try:
            writer.add_reader(reader)
        finally:
            reader.close()
    return [s for s in segments if s.doc_count() and id(s) not in chosen]


def fresh_groups(segments: list) -> list[list]:
    """The groups of segments to merge, ``FACTOR`` of one tier each (every full group of
    every tier), smallest first."""
    tiers: dict[int, list] = {}
    for segment in sorted(segments, key=lambda s: s.doc_count()):
        tiers.setdefault(_tier(segment.doc_count()), []).append(segment)
    groups = []
    for members in tiers.values():
        for start in range(0, len(members) - FACTOR + 1, FACTOR):
            groups.append(members[start : start + FACTOR])
    return groups


def merge_fresh(ix, segments: list, processes: int = 1, timeline: Timeline | None = None) -> list:
    """The segments of a fresh build, merged by tiers until no tier holds ``FACTOR``:
    returns the segments to list in the TOC (the merged ones' files go with the commit's
    clean-up). Each group is merged in its own forked process, ``processes`` at a time;
    each round is a lap of ``timeline``."""
    segments = [s for s in segments if s.doc_count_all()]
    rounds = 0
    while True:
        groups = fresh_groups(segments)
        if not groups:
            return segments
        merged = _run_groups(ix.storage.folder, groups, max(1, processes))
        rounds += 1
        if timeline is not None:
            docs = sum(s.doc_count_all() for group in groups for s in group)
            timeline.lap(
                f"merge round {rounds}: {len(groups)} group(s) of {FACTOR}, {docs:,} articles"
            )
        chosen = {id(s) for group in groups for s in group}
        segments = [s for s in segments if id(s) not in chosen] + merged


def _run_groups(folder: str, groups: list[list], processes: int) -> list:
    """Each group merged into one new segment in a forked process; the new segments, in
    the order of ``groups``."""
    return _run_forked(_merge_group, [(folder, group) for group in groups], processes)


def write_sidecars(ix, segments: list, processes: int = 1) -> None:
    """The posting sidecar (``postings_mmap``) of each of ``segments``, each written in
    its own forked process, ``processes`` at a time, the largest first: at a million
    articles one process writing the four merged segments' took ten minutes of a
    33-minute build, one core idle. ``postings_mmap.write_missing`` then finds them
    written (with one process it writes them itself, as before). Segments whose writer or
    merge wrote theirs (``sidecar_build``) are skipped: this is the fallback."""
    folder = ix.storage.folder
    todo = sorted((s for s in segments if s.doc_count_all()
                   and not postings_mmap.is_current(folder, s)),  # written by their writers
                  key=lambda s: -s.doc_count_all())
    if processes > 1 and len(todo) > 1:
        _run_forked(postings_mmap.write_segment_sidecar, [(folder, s) for s in todo], processes)


def _run_forked(target, tasks: list[tuple], processes: int) -> list:
    """``target(*task)`` for each task, each in its own forked process, ``processes`` at a
    time; the results in the order of ``tasks``. A failure stops the others."""
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:  # no fork: one after the other here
        return [target(*task) for task in tasks]
    results, running = [], []
    todo = list(tasks)
    try:
        while todo or running:
            while todo and len(running) < max(1, processes):
                ours, theirs = context.Pipe(duplex=False)
                process = context.Process(
                    target=_child, args=(target, todo.pop(0), theirs, os.getpid()), daemon=True,
                )
                process.start()
                theirs.close()
                running.append((process, ours))
            process, conn = running.pop(0)
            try:
                status, payload = conn.recv()
            except EOFError:
                status, payload = "error", f"exit code {process.exitcode}"
            process.join()
            if status != "ok":
                raise RuntimeError(f"une fin d'écriture (fusion, postings) a échoué :\n{payload}")
            results.append(payload)
    finally:
        for process, _conn in running:
            process.kill()
            process.join()
    return results


def _child(target, task: tuple, conn, parent: int) -> None:
    die_with_parent(parent)
    _keep_small_allocations_on_the_heap()
    try:
        conn.send(("ok", target(*task)))
    except BaseException:  # noqa: BLE001 - reported to the parent
        conn.send(("error", traceback.format_exc()))


def _keep_small_allocations_on_the_heap() -> None:
    """Each ``zlib.compress`` of a merge (one a patched posting block) allocates and frees
    ~270 KB of state; with glibc's initial thresholds (128 KB) that is an mmap and munmap,
    or a heap trimmed and grown again, a call: compressing a small block cost ~50 µs
    instead of ~4. The merge process raises both thresholds (glibc does it by itself only
    once a larger block is freed)."""
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt(_M_MMAP_THRESHOLD, 4 << 20)
        libc.mallopt(_M_TRIM_THRESHOLD, 64 << 20)
    except (OSError, AttributeError):  # not glibc: nothing to tune
        pass


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's malloc.h


def _merge_group(folder: str, group: list):
    """One new segment holding ``group``'s documents; the old files stay until the TOC
    that leaves them out is written."""
    # Read without memory maps: the segments are read once, start to end, and mapped
    # pages would count in the build's resident memory.
    storage = FileStorage(folder, supports_mmap=False)
    ix = storage.open_index()
    writer = FastSegmentWriter(ix, _lk=False)
    readers = [SegmentReader(storage, ix.schema, segment) for segment in group]
    try:
        writer.merge_readers(readers)
        segment = writer._finalize_segment()
    except BaseException:
        writer._close_segment()
        raise
    finally:
        for reader in readers:
            reader.close()
    return segment
