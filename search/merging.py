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
document), so its cost stays bounded: the segments of a fresh build, each written at that
budget, are never merged again, and their number grows with the archive (one per budget's
worth of postings per writer).
"""

from __future__ import annotations

import math

from whoosh.reading import SegmentReader

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
