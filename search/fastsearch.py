"""BM25F match sets and top-k with numpy: Whoosh's own numbers, without its per-document loop.

Whoosh finds the documents a query matches, and ranks them, by stepping matchers through
the postings one document at a time in Python: ~20 ms for a common word at 5,000
articles, several times that at the full corpus, and Loupe needs both the whole match
set (facet counts) and the top results. Here each (field, term) posting list is read
once per index generation, block by block, into numpy arrays of document numbers and
BM25F scores (the same formula, parameters, idf and quantised field lengths as Whoosh's
``BM25F``), and a query tree of terms, AND, OR, AND NOT, AND MAYBE and REQUIRE is
evaluated as dense score vectors. Any other node (phrases, prefixes, ranges, NOT,
coordination-scaled OR) is handed to Whoosh's own matcher for that subtree, so every
query still gets Whoosh's answer; ``tests/test_fastsearch.py`` checks match sets and
top-k scores against ``Searcher.search`` and ``docs_for_query``.
"""

from __future__ import annotations

import itertools
import os
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN
from whoosh.columns import NumericColumn
from whoosh.util.numeric import byte_to_length, length_to_byte

from . import budget, postings_mmap

# byte -> field length, as Whoosh decodes its one-byte length column
BYTE_TO_LENGTH = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)
DEFAULT_POSTINGS_MB = 256  # posting cache per process: 4 serving processes fit in 8 GB at 1M


def budget_from_env() -> int:
    """The posting-cache budget in bytes: ``LOUPE_POSTINGS_MB`` (default 256; 0 caches none)."""
    try:
        mb = float(os.environ.get("LOUPE_POSTINGS_MB", DEFAULT_POSTINGS_MB))
    except ValueError:
        mb = DEFAULT_POSTINGS_MB
    return max(0, int(mb * 1024 * 1024))


class _Pool:
    """Every cached posting list of the process, in least-recently-used order, within one
    budget: a generation being swapped out shares it with the new one (its lists are the
    least recently used, so they go first) and drops the rest when it is closed."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.lock = threading.Lock()
        self.entries: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()
        self.size = 0
        self.hits = self.misses = self.evictions = 0

    def get(self, key):
        with self.lock:
            found = self.entries.get(key)
            if found is None:
                self.misses += 1
            else:
                self.hits += 1
                self.entries.move_to_end(key)
            return found

    def put(self, key, value: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
        nbytes = value[0].nbytes + value[1].nbytes
        with self.lock:
            if key in self.entries:  # another thread read it meanwhile
                return self.entries[key]
            if nbytes > self.budget:  # larger than the whole budget: used once, not kept
                return value
            self.entries[key] = value
            self.size += nbytes
            while self.size > self.budget:
                _k, (docs, scores) = self.entries.popitem(last=False)
                self.size -= docs.nbytes + scores.nbytes
                self.evictions += 1
        return value

    def forget(self, serial: int) -> None:
        with self.lock:
            for key in [k for k in self.entries if k[0] == serial]:
                docs, scores = self.entries.pop(key)
                self.size -= docs.nbytes + scores.nbytes

    def resize(self, budget: int) -> None:
        with self.lock:
            self.budget = budget
            while self.size > budget and self.entries:
                _k, (docs, scores) = self.entries.popitem(last=False)
                self.size -= docs.nbytes + scores.nbytes
                self.evictions += 1


POOL = _Pool(budget_from_env())
_serials = itertools.count()


def set_postings_budget(mb: float) -> None:
    """Changes the process's posting-cache budget (evicting at once if it shrinks)."""
    POOL.resize(max(0, int(mb * 1024 * 1024)))


@dataclass
class Scored:
    """A match set as dense vectors over the generation's document numbers."""

    mask: np.ndarray  # bool, n_docs
    scores: np.ndarray  # float64, n_docs (0 where not matched)


class PostingCache:
    """Per-generation posting arrays and field lengths, shared by every request thread;
    the arrays live in the process-wide ``POOL`` under its budget."""

    def __init__(self, searcher) -> None:
        self.n_docs = searcher.doc_count_all()
        self._lengths: dict[str, np.ndarray] = {}
        self._serial = next(_serials)
        weakref.finalize(self, POOL.forget, self._serial)

    def stats(self) -> dict:
        """What this process holds: the pool (shared by generations) and the field lengths."""
        with POOL.lock:
            mine = [v for k, v in POOL.entries.items() if k[0] == self._serial]
            return {
                "budget_bytes": POOL.budget,
                "cached_bytes": sum(d.nbytes + s.nbytes for d, s in mine),
                "cached_terms": len(mine),
                "pool_bytes": POOL.size,
                "hits": POOL.hits,
                "misses": POOL.misses,
                "evictions": POOL.evictions,
                "lengths_bytes": sum(a.nbytes for a in self._lengths.values()),
            }

    # -- reading -------------------------------------------------------------------------

    def lengths(self, searcher, fieldname: str) -> np.ndarray:
        """Every document's length in ``fieldname``, decoded as Whoosh decodes it."""
        found = self._lengths.get(fieldname)
        if found is not None:
            return found
        out = np.zeros(self.n_docs, dtype=np.float64)
        for leaf, offset in searcher.reader().leaf_readers():
            count = leaf.doc_count_all()
            out[offset : offset + count] = BYTE_TO_LENGTH[length_bytes(leaf, fieldname, count)]
        self._lengths[fieldname] = out
        return out

    def term(self, searcher, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, unboosted scores) of one term, from the cache or the index."""
        field = searcher.schema[fieldname]
        btext = field.to_bytes(text)
        key = (self._serial, fieldname, btext)
        found = POOL.get(key)
        if found is not None:
            return found
        docs, weights = _read_postings(searcher, fieldname, btext)
        if field.scorable and docs.size:
            weighting = searcher.weighting
            b = getattr(weighting, "_field_B", {}).get(fieldname, weighting.B)
            k1 = weighting.K1
            idf = searcher.idf(fieldname, btext)
            avgfl = searcher.avg_field_length(fieldname) or 1
            lengths = self.lengths(searcher, fieldname)[docs]
            scores = idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / avgfl)))
        else:  # Whoosh's WeightScorer: the posting weight itself
            scores = weights
        return POOL.put(key, (docs, scores))


def length_bytes(leaf, fieldname: str, count: int) -> np.ndarray:
    """One segment's one-byte length column, read in one piece (W3 codec), else per doc."""
    raw = np.zeros(count, dtype=np.uint8)
    try:
        column = leaf._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    except AttributeError:
        column = None
    if column is not None and isinstance(column, NumericColumn.Reader):
        stored = min(column._count, count)
        raw[:stored] = np.frombuffer(column._dbfile.get(column._basepos, stored), np.uint8)
        return raw
    if column is None and hasattr(leaf, "_perdoc"):
        return raw  # no document has this field
    for docnum in range(count):
        length = leaf.doc_field_length(docnum, fieldname) or 0
        raw[docnum] = length_to_byte(length)
    return raw


def _read_postings(searcher, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """All postings of a term over every segment: from the segment's memory-mapped sidecar
    (``postings_mmap``) when it has one, else Whoosh's blocks decoded one at a time."""
    all_docs: list[np.ndarray] = []
    all_weights: list[np.ndarray] = []
    for leaf, offset in searcher.reader().leaf_readers():
        docs, weights = leaf_postings(leaf, fieldname, btext)
        if docs.size:
            all_docs.append(docs + offset if offset else docs)
            all_weights.append(weights)
    if not all_docs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    if len(all_docs) == 1:
        return all_docs[0], all_weights[0]
    return np.concatenate(all_docs), np.concatenate(all_weights)


_NO_SIDECAR = object()
_EMPTY_DOCS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float64)


def leaf_postings(leaf, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """One segment's (document numbers, weights) of a term, deleted documents included."""
    sidecar = getattr(leaf, "_loupe_sidecar", None)
    if sidecar is None:  # looked up once per segment reader, kept as long as it lives
        sidecar = postings_mmap.open_sidecar(leaf) or _NO_SIDECAR
        leaf._loupe_sidecar = sidecar
    if sidecar is not _NO_SIDECAR:
        found = sidecar.postings(fieldname, btext)
        found = found if found is not None else (_EMPTY_DOCS, _EMPTY_WEIGHTS)
    elif (fieldname, btext) not in leaf:
        found = _EMPTY_DOCS, _EMPTY_WEIGHTS
    else:
        found = postings_mmap.decode_matcher(postings_mmap.raw_matcher(leaf, fieldname, btext))
    budget.opened(found[0].size)  # counted and time-limited like Whoosh's own lists
    return found


_OR_TYPES = (wq.Or,)


def evaluate(searcher, q, cache: PostingCache, restrict: np.ndarray | None = None) -> Scored:
    """The documents ``q`` matches (deleted ones included: mask with the live set) and
    their scores, equal to Whoosh's up to float rounding.

    With ``restrict``, only the documents in it need to be right (the caller intersects
    with it): an AND evaluates its plain-term children first and hands what they leave to
    the children Whoosh has to step through (a phrase), so a quoted phrase among other
    words is checked on a handful of candidates instead of every document holding its words.
    """
    n = cache.n_docs
    t = type(q)
    if q is wq.NullQuery or t is wq.NullQuery.__class__:
        return Scored(np.zeros(n, dtype=bool), np.zeros(n))
    if t is wq.Term:
        if q.fieldname not in searcher.schema:
            return Scored(np.zeros(n, dtype=bool), np.zeros(n))
        try:
            docs, scores = cache.term(searcher, q.fieldname, q.text)
        except ValueError:  # a text the field cannot hold (Whoosh matches nothing)
            return Scored(np.zeros(n, dtype=bool), np.zeros(n))
        mask = np.zeros(n, dtype=bool)
        mask[docs] = True
        dense = np.bincount(docs, weights=scores * q.boost, minlength=n)
        return Scored(mask, dense)
    if isinstance(q, _OR_TYPES) and not q.scale and not q.minmatch:
        children = q.subqueries
        if all(type(c) is wq.Term for c in children):
            return _or_of_terms(searcher, children, cache, q.boost)
        parts = [evaluate(searcher, c, cache, restrict) for c in children]
        mask = np.logical_or.reduce([p.mask for p in parts]) if parts else np.zeros(n, bool)
        scores = np.sum([p.scores for p in parts], axis=0) if parts else np.zeros(n)
        return Scored(mask, scores * q.boost if q.boost != 1.0 else scores)
    if type(q) is wq.And and not any(isinstance(c, wq.Not) for c in q.subqueries):
        children = sorted(q.subqueries, key=lambda c: not _native(c))  # stable: natives first
        mask = np.ones(n, dtype=bool) if restrict is None else restrict.copy()
        scores = np.zeros(n)
        for child in children:
            part = evaluate(searcher, child, cache, None if _native(child) else mask)
            mask &= part.mask
            scores += part.scores
        scores = np.where(mask, scores, 0.0)
        return Scored(mask, scores * q.boost if q.boost != 1.0 else scores)
    if t is wq.AndNot:
        a = evaluate(searcher, q.a, cache, restrict)
        b = evaluate(searcher, q.b, cache, a.mask)
        mask = a.mask & ~b.mask
        return Scored(mask, np.where(mask, a.scores, 0.0))
    if t is wq.Require:
        a = evaluate(searcher, q.a, cache, restrict)
        b = evaluate(searcher, q.b, cache, a.mask)
        mask = a.mask & b.mask
        return Scored(mask, np.where(mask, a.scores, 0.0))
    if t is wq.AndMaybe:
        a = evaluate(searcher, q.a, cache, restrict)
        b = evaluate(searcher, q.b, cache, a.mask)
        return Scored(a.mask, np.where(a.mask, a.scores + np.where(b.mask, b.scores, 0.0), 0.0))
    return _whoosh(searcher, q, n, restrict)


def _native(q) -> bool:
    """Whether ``evaluate`` computes ``q`` with numpy alone (no Whoosh matcher loop)."""
    t = type(q)
    if q is wq.NullQuery or t is wq.NullQuery.__class__ or t is wq.Term:
        return True
    if isinstance(q, _OR_TYPES):
        return not q.scale and not q.minmatch and all(_native(c) for c in q.subqueries)
    if t is wq.And:
        return not any(isinstance(c, wq.Not) for c in q.subqueries) and all(
            _native(c) for c in q.subqueries
        )
    if t in (wq.AndNot, wq.Require, wq.AndMaybe):
        return _native(q.a) and _native(q.b)
    return False


def _or_of_terms(searcher, terms, cache: PostingCache, boost: float) -> Scored:
    """One word over all its fields: the common case, two bincounts."""
    n = cache.n_docs
    docs_parts, score_parts = [], []
    for term in terms:
        if term.fieldname not in searcher.schema:
            continue
        try:
            docs, scores = cache.term(searcher, term.fieldname, term.text)
        except ValueError:
            continue
        docs_parts.append(docs)
        score_parts.append(scores * (term.boost * boost))
    if not docs_parts:
        return Scored(np.zeros(n, dtype=bool), np.zeros(n))
    docs = np.concatenate(docs_parts)
    mask = np.zeros(n, dtype=bool)
    mask[docs] = True
    return Scored(mask, np.bincount(docs, weights=np.concatenate(score_parts), minlength=n))


def _whoosh(searcher, q, n: int, restrict: np.ndarray | None = None) -> Scored:
    """Any other query node, scored by Whoosh's own matchers (one Python step per match,
    or, with ``restrict``, one ``skip_to`` per candidate)."""
    mask = np.zeros(n, dtype=bool)
    scores = np.zeros(n)
    context = searcher.context()
    for sub, offset in searcher.leaf_searchers():
        m = q.matcher(sub, context)
        if restrict is None:
            while m.is_active():
                d = m.id() + offset
                mask[d] = True
                scores[d] = m.score()
                m.next()
            continue
        count = sub.reader().doc_count_all()
        for d in np.flatnonzero(restrict[offset : offset + count]).tolist():
            if not m.is_active():
                break
            if m.id() < d:
                m.skip_to(d)
                if not m.is_active():
                    break
            if m.id() == d:
                mask[d + offset] = True
                scores[d + offset] = m.score()
    return Scored(mask, scores)


def top(scored: Scored, allowed: np.ndarray, start: int, end: int) -> list[tuple[int, float]]:
    """Ranks ``start:end`` among the allowed matches: score descending, then document
    number ascending (Whoosh's order for equal scores)."""
    docs = np.flatnonzero(scored.mask & allowed)
    if docs.size == 0 or start >= docs.size:
        return []
    scores = scored.scores[docs]
    if docs.size > end * 4 and end < docs.size:
        # Only the candidates at or above the end-th best score need sorting.
        kth = np.partition(scores, docs.size - end)[docs.size - end]
        keep = scores >= kth
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))[start:end]
    return [(int(docs[i]), float(scores[i])) for i in order]
