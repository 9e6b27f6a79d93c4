"""The merge policy of an incremental run: few segments, and no dead documents kept.

Whoosh's ``MERGE_SMALL`` merges segments by a Fibonacci rule on their document counts,
deleted documents included, so an archive updated by small batches piles up segments
whose documents were all replaced: 20 add/remove cycles of the same 150 articles doubled
the index. ``tiered`` is a merge policy in Whoosh's form (``policy(writer, segments)``
returns the segments kept; the others are read into the writer's new segment):

- a segment with every document deleted is dropped, without reading it;
- a segment with more than ``MAX_DELETED`` of its documents deleted is merged (rewritten
  without them);
- segments are grouped in tiers by live documents (``FLOOR`` and up, ``FACTOR`` times more
  for each tier), and a tier of ``FACTOR`` or more segments is merged into one.

So a run merges only small segments, or a large one that lost a good part of its
documents: its cost stays near what changed, and the segment count near ``FACTOR`` per
tier. The segments of a fresh build (written at the memory budget, see
``fastwrite.FastSegmentWriter``) are all in one tier, below ``FACTOR`` of them up to
about ten times the budget.
"""

from __future__ import annotations

import math

from whoosh.reading import SegmentReader

FACTOR = 10
FLOOR = 1_000
MAX_DELETED = 0.3


def _tier(live: int) -> int:
    return int(math.log(max(live, FLOOR) / FLOOR, FACTOR))


def tiered(writer, segments: list) -> list:
    """Whoosh merge policy: returns the segments kept as they are; merges the others into
    ``writer``."""
    kept, merge = [], []
    for segment in segments:
        total = segment.doc_count_all()
        live = segment.doc_count()
        if live == 0:
            continue
        (merge if (total - live) > MAX_DELETED * total else kept).append(segment)
    tiers: dict[int, list] = {}
    for segment in kept:
        tiers.setdefault(_tier(segment.doc_count()), []).append(segment)
    for members in tiers.values():
        if len(members) >= FACTOR:
            merge += members
    kept = [s for s in kept if s not in merge]
    for segment in merge:
        reader = SegmentReader(writer.storage, writer.schema, segment)
        try:
            writer.add_reader(reader)
        finally:
            reader.close()
    return kept
