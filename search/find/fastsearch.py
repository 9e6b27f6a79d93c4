"""Match sets and top-k with numpy: real BM25F for plain words, Whoosh's own numbers for
the rest, without Whoosh's per-document loop.

Plain words (``query.Words``: a headline, a question, a pasted sentence) are ranked with
BM25F as Robertson and Zaragoza define it: per view (recall, exact), a word's frequencies
in the fields are weighted and length-normalised per field, summed, then saturated once,
with one idf per word; the exact view's score is added at a lower weight, and a document
needs ``minmatch`` of the words. ``explain`` splits a score into those parts, and
``proximity`` re-ranks the best few by how close the query's words stand.

Whoosh finds the documents a query matches, and ranks them, by stepping matchers through
the postings one document at a time in Python: ~20 ms for a common word at 5,000
articles, several times that at the full corpus, and Loupe needs both the whole match
set (facet counts) and the top results. Here each (field, term) posting list is read
once per index generation, block by block, into numpy arrays of document numbers and
scores (for a single term, the formula, parameters, idf and quantised field lengths of
Whoosh's ``BM25F``), and a query tree of words, terms, AND, OR, AND NOT, AND MAYBE and
REQUIRE is evaluated as dense score vectors. Any other node (phrases, prefixes, ranges,
NOT, coordination-scaled OR) is handed to Whoosh's own matcher for that subtree;
``tests/test_fastsearch.py`` checks match sets against ``docs_for_query``, the scores of
queries with syntax against ``Searcher.search``, and those of plain words against BM25F
recomputed from the stored text.
"""

from __future__ import annotations

import itertools
import os
import threading
import weakref
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from math import log

import numpy as np
from whoosh import query as wq
from whoosh import scoring

from search.find import budget, matchset
from search.find.matchset import Matches
from search.find.matchset import merge as _union  # a query's lists merged, not counted
from search.find.query import Words
from search.index import postings_mmap
from search.index.w3 import BYTE_TO_LENGTH, length_bytes

# byte -> field length, as Whoosh decodes its one-byte length column
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

    def peek(self, key):
        """``get`` for a caller that can do without: no miss counted, nothing reordered."""
        with self.lock:
            return self.entries.get(key)

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

# BM25F (Robertson & Zaragoza, "The Probabilistic Relevance Framework", 2009, section 3.2)
# for plain words (``query.Words``): saturation K1 and per-field length normalisation B.
K1 = 1.2
B: dict[str, float] = {"title": 0.5, "title_exact": 0.5}
DEFAULT_B = 0.75


class Scored:
    """A match set and its scores, in whichever form it was made: sparse (the matched
    documents ascending and their scores: work in proportion to the matches, issue 11) or
    dense (a mask and a score for each of the generation's documents, 0 where not
    matched). The other form is made on demand, once: a consumer that needs the dense
    vectors still gets them, one that reads ``docs`` and ``values`` never pays for them."""

    __slots__ = ("n", "_mask", "_scores", "_docs", "_values")

    def __init__(self, mask: np.ndarray | None = None, scores: np.ndarray | None = None,
                 docs: np.ndarray | None = None, values: np.ndarray | None = None,
                 n: int | None = None) -> None:
        self._mask, self._scores, self._docs, self._values = mask, scores, docs, values
        self.n = int(mask.size if n is None else n)

    @classmethod
    def sparse(cls, docs: np.ndarray, values: np.ndarray, n: int) -> Scored:
        """The matches ``docs`` (ascending, distinct) with their scores ``values``."""
        return cls(None, None, docs, values, n)

    @classmethod
    def empty(cls, n: int) -> Scored:
        return cls(None, None, _EMPTY_DOCS, _EMPTY_WEIGHTS, n)

    @property
    def is_sparse(self) -> bool:
        """Whether the matches are known without a pass over every document."""
        return self._docs is not None and self._values is not None

    @property
    def mask(self) -> np.ndarray:
        if self._mask is None:
            self._mask = matchset.mask_of(self._docs, self.n)
        return self._mask

    @property
    def scores(self) -> np.ndarray:
        if self._scores is None:
            scores = np.zeros(self.n)
            scores[self._docs] = self.values
            self._scores = scores
        return self._scores

    @property
    def docs(self) -> np.ndarray:
        """The matched documents, ascending."""
        if self._docs is None:
            self._docs = np.flatnonzero(self._mask)
        return self._docs

    @property
    def values(self) -> np.ndarray:
        """The scores of ``docs``, in their order."""
        if self._values is None:
            self._values = self.scores[self.docs]
        return self._values

    def within(self, allowed) -> tuple[np.ndarray, np.ndarray]:
        """(documents, scores) of the matches that ``allowed`` keeps: a bool mask over the
        generation, or ``matchset.Matches`` (documents ascending); by the matches alone
        when they are sparse, else one pass over the dense vectors, as before."""
        if self.is_sparse:
            docs = self.docs
            if isinstance(allowed, Matches):
                if allowed.docs.size == docs.size and np.array_equal(allowed.docs, docs):
                    # the matches themselves (no article deleted, no filter): one
                    # comparison, not a binary search of each match (twice a search)
                    return docs, self.values
                keep = allowed.holds(docs)
            else:
                keep = allowed[docs]
            return docs[keep], self.values[keep]
        docs = np.flatnonzero(self.mask & (allowed.mask if isinstance(allowed, Matches)
                                           else allowed))
        return docs, self.scores[docs]


class PostingCache:
    """Per-generation posting arrays and field lengths, shared by every request thread;
    the arrays live in the process-wide ``POOL`` under its budget."""

    def __init__(self, searcher) -> None:
        self.n_docs = searcher.doc_count_all()
        self._lengths: dict[str, np.ndarray] = {}
        self._averages: dict[str, float] = {}
        self._serial = next(_serials)
        self._here = threading.local()  # ``_shares``' last answer, per request thread
        self._asked: dict[tuple[str, bytes], int] = {}  # ``postings_at``'s terms seen once
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

    def average_length(self, searcher, fieldname: str) -> float:
        """``searcher.avg_field_length(fieldname) or 1.0``, once per generation (Whoosh
        adds up every segment's total at each call: once per word and field)."""
        found = self._averages.get(fieldname)
        if found is None:
            found = self._averages[fieldname] = searcher.avg_field_length(fieldname) or 1.0
        return found

    def postings(self, searcher, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, term frequencies) of one term, from the process's posting
        pool (``POOL``, within its budget) or the index."""
        btext = searcher.schema[fieldname].to_bytes(text)
        key = (self._serial, "tf", fieldname, btext)
        found = POOL.get(key)
        if found is not None:
            return found
        return POOL.put(key, _read_postings(searcher, fieldname, btext))

    def postings_at(self, searcher, fieldname: str, text,
                    at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``postings`` restricted to the documents ``at`` (ascending): from the whole list
        when the pool holds it, else each document looked up by a binary search into the
        segment's mapped list (``SidecarReader.postings_at``), which reads the pages
        holding those documents, not the list (or, for a list at most 8 times longer
        than the candidates, reads it whole and masks it): what a common word costs
        (``_words``). ``at``'s share of each segment is found once for all the terms
        asked at it (``_shares``)."""
        btext = searcher.schema[fieldname].to_bytes(text)
        recalled = self._recalled(fieldname, btext, at)
        if recalled is not None:
            return recalled
        with POOL.lock:
            cached = POOL.entries.get((self._serial, "tf", fieldname, btext))
            compact = POOL.entries.get((self._serial, "at", fieldname, btext))
        if cached is None and compact is None and self._again(searcher, fieldname, text,
                                                              btext, at.size):
            # asked before, and short beside the candidates: read whole once (what the
            # segments' ``_READ_WHOLE`` would read of it anyway) and kept, compact, in the
            # pool, so the next searches filter it by the candidates' mask at once instead
            # of once per segment (a common word's title and lead, issue 11)
            compact = POOL.put((self._serial, "at", fieldname, btext),
                               _compact(*_read_postings(searcher, fieldname, btext)))
        whole = cached if cached is not None else compact
        if whole is not None:
            if whole[0].size <= postings_mmap._READ_WHOLE * at.size:
                # the list is short beside the candidates: each of its postings looked up
                # in their mask (a few ns each) rather than a binary search per candidate
                keep = self._mask_of(at)[whole[0]]
                return whole[0][keep].astype(np.int64), whole[1][keep].astype(np.float64)
            return _at_compact(whole[0], whole[1], at)
        shares, lists, looked_up = self._shares(searcher, at)
        if lists:
            budget.opened(looked_up, lists)  # one binary search per candidate
        all_docs: list[np.ndarray] = []
        all_weights: list[np.ndarray] = []
        for leaf, offset, sidecar, local in shares:
            if sidecar is not None:
                docs, weights = sidecar.postings_at(fieldname, btext, local)
            else:
                docs, weights = _at(*leaf_postings(leaf, fieldname, btext), local.docs)
            if docs.size:
                all_docs.append(docs + offset if offset else docs)
                all_weights.append(weights)
        if not all_docs:
            found = _EMPTY_DOCS, _EMPTY_WEIGHTS
        elif len(all_docs) == 1:
            found = all_docs[0], all_weights[0]
        else:
            found = np.concatenate(all_docs), np.concatenate(all_weights)
        self._remember(at, fieldname, btext, found)
        return found

    def _remember(self, at: np.ndarray, fieldname: str, btext: bytes,
                  found: tuple[np.ndarray, np.ndarray]) -> None:
        """Keeps, per thread, the lists looked up at the last candidate set ``at`` (a
        query's common words): the title bonus then asks its common title words at the
        matches, a subset of those candidates (``_recalled``)."""
        memo = getattr(self._here, "looked", None)
        if memo is None or memo[0] is not at:
            memo = self._here.looked = (at, {})
        memo[1][(fieldname, btext)] = found

    def _recalled(self, fieldname: str, btext: bytes,
                  at: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """``postings_at`` of a term this thread looked up at other candidates holding all
        of ``at``: those of its postings in ``at`` (a posting is a document's own, so the
        same as looking them up at ``at``); None otherwise."""
        memo = getattr(self._here, "looked", None)
        if memo is None:
            return None
        base, lists = memo
        found = lists.get((fieldname, btext))
        if found is None or base is at:  # the same candidates asked again: as before (the
            return None  # pool reads a list asked twice whole, ``_again``)
        within = getattr(self._here, "within", None)
        if within is None or within[0] is not at or within[1] is not base:
            inside = at.size <= base.size and bool(matchset.member(base, at).all())
            within = self._here.within = (at, base, inside)
        if not within[2]:
            return None
        keep = matchset.member(at, found[0])
        return found[0][keep], found[1][keep]

    def _mask_of(self, at: np.ndarray) -> np.ndarray:
        """A bool per document of the generation, true at ``at``: made once per candidate
        set and thread (every field and common word of a query asks it at the same ``at``
        object)."""
        memo = getattr(self._here, "mask", None)
        if memo is not None and memo[0] is at:
            return memo[1]
        mask = matchset.mask_of(at, self.n_docs)
        self._here.mask = (at, mask)
        return mask

    def _again(self, searcher, fieldname: str, text, btext: bytes, candidates: int) -> bool:
        """Whether ``postings_at`` should read a term's list whole and pool it: asked
        before (by an earlier search, or earlier in this one; a word asked once is only
        looked up), no longer than ``POOL_AT_MAX`` postings nor ``_READ_WHOLE`` times the
        candidates (so reading it costs what the segments' look-ups would read of it),
        and small beside the pool's budget."""
        key = (fieldname, btext)
        if not self._asked.get(key):
            if len(self._asked) >= _ASKED_KEPT:
                self._asked.clear()
            self._asked[key] = 1
            return False
        count = postings_mmap.doc_frequency(searcher.reader(), fieldname, text)
        # (a term the field lacks is not kept: an entry of no bytes the budget never evicts)
        return (0 < count <= POOL_AT_MAX and count <= postings_mmap._READ_WHOLE * candidates
                and count * _COMPACT_BYTES * 64 <= POOL.budget)

    def _shares(self, searcher, at: np.ndarray) -> tuple[list[tuple], int, int]:
        """Each segment's share of the documents ``at`` (leaf, offset, its sidecar or None,
        a ``postings_mmap.Wanted`` of the segment's numbers), with the count of segments
        read through a sidecar and of the documents looked up in them. The last answer is
        kept per thread for the same ``at`` object and reader: a common word asks it for
        each of its fields and views, and every common word of a query asks it at the
        same candidates."""
        reader = searcher.reader()
        memo = getattr(self._here, "shares", None)
        if memo is not None and memo[0] is at and memo[1] is reader:
            return memo[2]
        shares = []
        lists = looked_up = 0
        leaves = reader.leaf_readers()
        offsets = [offset for _leaf, offset in leaves]
        ends = [offset + leaf.doc_count_all() for leaf, offset in leaves]
        cuts = np.searchsorted(at, offsets + ends).tolist()
        for k, (leaf, offset) in enumerate(leaves):
            lo, hi = cuts[k], cuts[len(leaves) + k]
            if lo == hi:
                continue
            local = at[lo:hi] - offset if offset else at[lo:hi]
            sidecar = postings_mmap.sidecar_of(leaf)
            if sidecar is not None:
                lists += 1
                looked_up += hi - lo
            shares.append((leaf, offset, sidecar,
                           postings_mmap.Wanted(np.asarray(local, dtype=np.int64))))
        found = (shares, lists, looked_up)
        self._here.shares = (at, reader, found)
        return found

    def term(self, searcher, fieldname: str, text) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, unboosted scores) of one term, from the cache or the index."""
        field = searcher.schema[fieldname]
        btext = field.to_bytes(text)
        key = (self._serial, fieldname, btext)
        found = POOL.get(key)
        if found is not None:
            return found
        docs, weights = self.postings(searcher, fieldname, text)
        return POOL.put(key, (docs, self._scores(searcher, fieldname, btext, docs, weights)))

    def term_at(self, searcher, fieldname: str, text,
                at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``term`` restricted to the documents ``at`` (ascending): the same numbers, from
        the pooled scores when the pool holds them, else from ``postings_at`` (the pages
        holding those documents, not the list): a quoted phrase's words at its matches."""
        btext = searcher.schema[fieldname].to_bytes(text)
        with POOL.lock:  # as ``postings_at``: no hit or miss counted, nothing reordered
            found = POOL.entries.get((self._serial, fieldname, btext))
        if found is not None:
            return _at(found[0], found[1], at)
        docs, weights = self.postings_at(searcher, fieldname, text, at)
        return docs, self._scores(searcher, fieldname, btext, docs, weights)

    def _scores(self, searcher, fieldname: str, btext: bytes, docs: np.ndarray,
                weights: np.ndarray) -> np.ndarray:
        """Whoosh's ``BM25FScorer`` of a term at ``docs`` (its formula and operations, in
        its order: the same numbers to the bit), or the weight of an unscored field."""
        if not searcher.schema[fieldname].scorable or not docs.size:
            return weights  # Whoosh's WeightScorer: the posting weight itself
        weighting = searcher.weighting
        b = getattr(weighting, "_field_B", {}).get(fieldname, weighting.B)
        k1 = weighting.K1
        idf = _idf(searcher, fieldname, btext)
        avgfl = self.average_length(searcher, fieldname)  # Whoosh sums the segments per call
        lengths = self.lengths(searcher, fieldname)[docs]
        return idf * ((weights * (k1 + 1)) / (weights + k1 * ((1 - b) + b * lengths / avgfl)))


def _idf(searcher, fieldname: str, btext: bytes) -> float:
    """``searcher.idf``, Whoosh's formula, with the document frequency counted from the
    sidecars' dictionaries (``postings_mmap.doc_frequency``: the same count, without a
    probe of Whoosh's on-disk term table per segment); a weighting of its own idf asks it."""
    if type(searcher.weighting).idf is not scoring.WeightingModel.idf:
        return searcher.idf(fieldname, btext)
    parent = searcher.get_parent()
    n = postings_mmap.doc_frequency(parent.reader(), fieldname, btext)
    return log(parent.doc_count_all() / (n + 1)) + 1


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


_EMPTY_DOCS = np.zeros(0, dtype=np.int64)
_EMPTY_WEIGHTS = np.zeros(0, dtype=np.float64)


def leaf_postings(leaf, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """One segment's (document numbers, weights) of a term, deleted documents included."""
    sidecar = postings_mmap.sidecar_of(leaf)
    if sidecar is not None:
        found = sidecar.postings(fieldname, btext)
        found = found if found is not None else (_EMPTY_DOCS, _EMPTY_WEIGHTS)
    elif (fieldname, btext) not in leaf:
        found = _EMPTY_DOCS, _EMPTY_WEIGHTS
    else:
        found = postings_mmap.decode_matcher(postings_mmap.raw_matcher(leaf, fieldname, btext))
    budget.opened(found[0].size)  # counted and time-limited like Whoosh's own lists
    return found


def _at(docs: np.ndarray, weights: np.ndarray, wanted: np.ndarray):
    """The (documents, weights) of a posting list (ascending) that are in ``wanted``."""
    if not docs.size or not wanted.size:
        return _EMPTY_DOCS, _EMPTY_WEIGHTS
    i = np.minimum(np.searchsorted(docs, wanted), docs.size - 1)
    hit = docs[i] == wanted
    return wanted[hit].astype(np.int64), weights[i[hit]].astype(np.float64)


# ``PostingCache.postings_at``: a list asked again, of at most this many postings (and at
# most ``postings_mmap._READ_WHOLE`` times the candidates), is kept whole in the pool,
# compact (``_compact``: about 6 bytes a posting, 0.4 MB at most); a term asked once only
# is looked up, never read whole.
POOL_AT_MAX = 65_536
_COMPACT_BYTES = 6
_ASKED_KEPT = 100_000  # terms ``postings_at`` remembers having seen (a few MB)


def _compact(docs: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A posting list in fewer bytes for the pool: document numbers as uint32, weights
    as the smallest type holding them exactly (uint8 or uint16 for term frequencies,
    float32 or float64 otherwise); ``_at_compact`` gives back the same numbers."""
    small = docs.astype(np.uint32) if docs.size and int(docs[-1]) < 2**32 else docs
    for kind in (np.uint8, np.uint16, np.float32):
        narrow = weights.astype(kind)
        if np.array_equal(narrow.astype(np.float64), weights):
            return small, narrow
    return small, weights


def _at_compact(docs: np.ndarray, weights: np.ndarray, wanted: np.ndarray):
    """``_at`` over a ``_compact`` list: the same (documents int64, weights float64)."""
    if not docs.size or not wanted.size:
        return _EMPTY_DOCS, _EMPTY_WEIGHTS
    key = wanted.astype(docs.dtype) if int(wanted[-1]) < 2**32 else wanted
    i = np.minimum(np.searchsorted(docs, key), docs.size - 1)
    hit = docs[i] == key
    return wanted[hit].astype(np.int64), weights[i[hit]].astype(np.float64)


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
        return Scored.empty(n)
    if t is Words:
        return _words(searcher, q, cache)
    if t is wq.Term:
        if q.fieldname not in searcher.schema:
            return Scored.empty(n)
        try:
            docs, scores = cache.term(searcher, q.fieldname, q.text)
        except ValueError:  # a text the field cannot hold (Whoosh matches nothing)
            return Scored.empty(n)
        return Scored.sparse(docs, scores * q.boost, n)  # a posting list: distinct docs
    if isinstance(q, _OR_TYPES) and not q.scale and not q.minmatch:
        children = q.subqueries
        if all(type(c) is wq.Term for c in children):
            return _or_of_terms(searcher, children, cache, q.boost)
        parts = [evaluate(searcher, c, cache, restrict) for c in children]
        if any(p.is_sparse for p in parts):  # a phrase over its fields
            # the children's lists merged (a dense child's matches found once), each
            # document's scores added in the children's order: the same numbers as the sum
            # of the dense vectors below, without stacking them (a vector per field)
            _held, _count, summed = matchset.union(
                np.concatenate([p.docs for p in parts]),
                np.concatenate([p.values for p in parts]), n)
            return Scored.sparse(_held, summed * q.boost if q.boost != 1.0 else summed, n)
        mask = np.logical_or.reduce([p.mask for p in parts]) if parts else np.zeros(n, bool)
        scores = np.sum([p.scores for p in parts], axis=0) if parts else np.zeros(n)
        return Scored(mask, scores * q.boost if q.boost != 1.0 else scores)
    if type(q) is wq.And and not any(isinstance(c, wq.Not) for c in q.subqueries):
        if restrict is not None and q.subqueries and all(type(c) is wq.Term
                                                         for c in q.subqueries):
            return _terms_at(searcher, q, cache, np.flatnonzero(restrict))
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
        if not a.is_sparse:
            b = evaluate(searcher, q.b, cache, a.mask)
            return Scored(a.mask, np.where(a.mask, a.scores + np.where(b.mask, b.scores, 0.0),
                                           0.0))
        # a's matches alone: b evaluated at them (a headline's title bonus: ``_terms_at``)
        # and added where it holds; adding b's 0 elsewhere changed nothing, so these are
        # the same numbers as the dense form above
        if type(q.b) is wq.And and q.b.subqueries and all(type(c) is wq.Term
                                                           for c in q.b.subqueries):
            b = _terms_at(searcher, q.b, cache, a.docs)
        else:
            b = evaluate(searcher, q.b, cache, a.mask)
        held, bonus = b.within(Matches(a.docs, n))
        values = a.values.copy()
        values[np.searchsorted(a.docs, held)] += bonus
        return Scored.sparse(a.docs, values, n)
    if t is wq.Phrase:
        found = _phrase_candidates(searcher, q, n, restrict)
        if found is not None:
            return _phrase_scores(searcher, q, cache, found)
    return _whoosh(searcher, q, n, restrict)


def _terms_at(searcher, q: wq.And, cache: PostingCache, at: np.ndarray) -> Scored:
    """An AND of terms where only the documents ``at`` (ascending) matter (the bonus for a
    headline's words all in the title, ``AndMaybe``'s second half): each term's scores at
    those documents, its list read whole (and pooled) when it is no longer than the
    candidates, else looked up at them (``term_at``), so a common title word costs
    what the candidates cost, not its list over the archive, and nothing runs over every
    document. The same additions in the same order as the dense AND: the same numbers."""
    n = cache.n_docs
    count = np.zeros(at.size, dtype=np.int64)
    summed = np.zeros(at.size)
    reader = searcher.reader()
    for term in q.subqueries:
        if term.fieldname not in searcher.schema:
            return Scored.empty(n)
        try:
            btext = searcher.schema[term.fieldname].to_bytes(term.text)
            with POOL.lock:
                pooled = (cache._serial, term.fieldname, btext) in POOL.entries
            if pooled or postings_mmap.doc_frequency(reader, term.fieldname, btext) <= at.size:
                docs, scores = cache.term(searcher, term.fieldname, term.text)
                i = np.minimum(np.searchsorted(at, docs), max(at.size - 1, 0))
                hit = at[i] == docs if at.size else np.zeros(docs.size, dtype=bool)
                docs, scores = docs[hit], scores[hit]
            else:
                docs, scores = cache.term_at(searcher, term.fieldname, term.text, at)
        except ValueError:  # a text the field cannot hold: the term matches nothing
            return Scored.empty(n)
        where = np.searchsorted(at, docs)
        count[where] += 1
        summed[where] += scores * term.boost
    keep = count == len(q.subqueries)
    found = summed[keep] * q.boost if q.boost != 1.0 else summed[keep]
    return Scored.sparse(at[keep], found, n)


def _phrase_scores(searcher, q: wq.Phrase, cache: PostingCache, found: np.ndarray) -> Scored:
    """A phrase's documents (``found``, ascending) scored as Whoosh's ``SpanNear2`` matcher scores
    them, without stepping it through each: the sum of its words' term scores at the
    document, added in the matcher's binary tree of intersections (``make_binary_tree``),
    times the phrase's boost. Work in proportion to the phrase's matches, in numpy."""
    docs = found
    parts = []
    for word in q.words:
        tdocs, tscores = cache.term_at(searcher, q.fieldname, word, docs)
        if tdocs.size != docs.size:  # cannot happen: every match holds every word
            return _whoosh(searcher, q, cache.n_docs, Matches(docs, cache.n_docs).mask)
        parts.append(tscores)

    def tree(scores: list[np.ndarray]) -> np.ndarray:
        if len(scores) == 1:
            return scores[0]
        half = len(scores) // 2
        return tree(scores[:half]) + tree(scores[half:])

    summed = tree(parts) if parts else np.zeros(docs.size)
    if q.boost != 1.0:  # Whoosh's WrappingMatcher: the child's score times the boost
        summed = summed * q.boost
    return Scored.sparse(docs, summed, cache.n_docs)


def _phrase_candidates(searcher, q, n: int, restrict: np.ndarray | None) -> np.ndarray | None:
    """The documents (of ``restrict``, ascending) holding a phrase's words one after the other, from
    the sidecars' postings and positions: Whoosh's matcher then scores only those, and is
    not built at all for a segment holding none. None when a segment has no sidecar or
    the phrase is not a plain one (slop 1) of a field whose positions they keep."""
    if q.slop != 1 or q.fieldname not in PROXIMITY_FIELDS or q.fieldname not in searcher.schema:
        return None
    field = searcher.schema[q.fieldname]
    try:
        words = [field.to_bytes(w) for w in q.words]
    except ValueError:
        return None
    if not words:
        return None
    out: list[np.ndarray] = []
    for leaf, offset in searcher.reader().leaf_readers():
        sidecar = postings_mmap.sidecar_of(leaf)
        if sidecar is None:
            return None
        count = leaf.doc_count_all()
        docs = None if restrict is None else np.flatnonzero(restrict[offset : offset + count])
        # the rarest word's list (or the candidates), the others looked up at those only
        for w in sorted(words, key=lambda w: sidecar.count(q.fieldname, w)):
            if docs is None:
                docs, _weights = leaf_postings(leaf, q.fieldname, w)
            else:
                budget.opened(int(docs.size))
                docs, _weights = sidecar.postings_at(q.fieldname, w, docs)
            if not docs.size:
                break
        if docs is not None and docs.size and leaf.has_deletions():
            # Whoosh's matchers skip deleted documents; the sidecars keep their postings
            deleted = np.fromiter(leaf.segment().deleted_docs(), dtype=np.int64)
            docs = docs[~np.isin(docs, deleted)]
        if docs is None or not docs.size:
            continue
        # where the k-th word stands at the phrase's start + k, as (document, start) keys
        # intersected in numpy: no Python step per document. The keys come ascending and
        # distinct (documents ascending, a posting's positions ascending), so each word's
        # are kept by a binary search into the next's (``_common_sorted``), not sorted
        # again; and the next word's positions are read only in the documents still held
        starts = None
        for k, w in enumerate(words):
            found = sidecar.position_arrays(q.fieldname, w, docs)
            if found is None:
                return None
            held, places = found
            keep = places >= k
            keys = (held[keep] << 32) | (places[keep] - k)
            starts = keys if starts is None else _common_sorted(starts, keys)
            if not starts.size:
                break
            docs = _distinct_sorted(starts >> 32)
        if starts is not None and starts.size:
            out.append(docs + offset)
    return np.concatenate(out) if out else _EMPTY_DOCS


def _common_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The values in both ``a`` and ``b`` (each ascending and distinct), ascending: a
    binary search of the shorter into the longer, where ``np.intersect1d`` would sort
    both again (a phrase of common words at a million articles: tens of thousands of
    (document, position) keys per word and segment)."""
    if a.size > b.size:
        a, b = b, a
    if not b.size:
        return b
    return a[b.take(np.searchsorted(b, a), mode="clip") == a]


def _distinct_sorted(values: np.ndarray) -> np.ndarray:
    """``np.unique`` of ascending ``values``: each run's first, no sort."""
    if not values.size:
        return values
    first = np.empty(values.size, dtype=bool)
    first[0] = True
    np.not_equal(values[1:], values[:-1], out=first[1:])
    return values[first]


def _native(q) -> bool:
    """Whether ``evaluate`` computes ``q`` with numpy alone (no Whoosh matcher loop)."""
    t = type(q)
    if q is wq.NullQuery or t is wq.NullQuery.__class__ or t is wq.Term or t is Words:
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


# -- BM25F for plain words -----------------------------------------------------------


@dataclass
class Unit:
    """One word in one view over that view's fields: its BM25F parts, dense."""

    text: str
    fields: list[tuple[str, float, np.ndarray, np.ndarray, np.ndarray]]  # field, weight, docs,
    # tf, weighted normalised tf (w * tf / (1 - b + b * len / avglen))
    mask: np.ndarray
    pseudo_tf: np.ndarray  # the field-weighted sum, before saturation
    idf: float
    boost: float
    scores: np.ndarray


def _unit(searcher, terms: list, cache: PostingCache, boost: float) -> Unit:
    """BM25F of one term over its fields: frequencies weighted and length-normalised per
    field, summed, then saturated once; one idf, from the documents holding it anywhere
    (Lucene's idf, never negative)."""
    n = cache.n_docs
    pseudo = np.zeros(n)
    fields = _field_parts(searcher, terms, cache)
    for _name, _weight, docs, _tf, part in fields:
        pseudo += np.bincount(docs, weights=part, minlength=n)
    mask = pseudo > 0
    df = int(mask.sum())
    idf = float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
    scores = boost * idf * pseudo * (K1 + 1) / (pseudo + K1)
    text = terms[0].text if terms else ""
    return Unit(text, fields, mask, pseudo, idf, boost, scores)


def _field_parts(searcher, terms: list, cache: PostingCache,
                 at: np.ndarray | None = None) -> list[tuple]:
    """(field, weight, documents, tf, weighted normalised tf) of one term in each of its
    fields that holds it: ``w * tf / (1 - b + b * len / avglen)``; with ``at``, in those
    documents only (``PostingCache.postings_at``)."""
    fields = []
    for term in terms:
        name = term.fieldname
        if name not in searcher.schema:
            continue
        try:
            docs, tf = (cache.postings(searcher, name, term.text) if at is None
                        else cache.postings_at(searcher, name, term.text, at))
        except ValueError:
            continue
        if not docs.size:
            continue
        b = B.get(name, DEFAULT_B)
        avg = cache.average_length(searcher, name)
        # ``term.boost * tf / ((1 - b) + b * lengths / avg)``, the same operations in the
        # same order, in place on the gathered lengths (no temporary per operation)
        norm = cache.lengths(searcher, name)[docs]
        norm *= b
        norm /= avg
        norm += 1 - b
        part = term.boost * tf
        part /= norm
        fields.append((name, term.boost, docs, tf, part))
    return fields


def _is_unit(node) -> bool:
    """Whether ``node`` is one BM25F unit: a term, or an OR of terms of one text (a word
    over a view's fields). Asked several times per word and search: a loop that stops at
    the first other child, without a generator and a set per call."""
    t = type(node)
    if t is wq.Term:
        return True
    if t is not wq.Or:
        return False
    kids = node.subqueries
    if not kids:
        return False
    text = kids[0].text if type(kids[0]) is wq.Term else None
    for c in kids:
        if type(c) is not wq.Term or c.text != text:
            return False
    return True


def _word(searcher, node, cache: PostingCache, units: list[Unit] | None = None) -> Scored:
    """One word of ``Words``: BM25F units (a term over a view's fields) joined as the
    word's tree says (a compound's pieces all present, either view)."""
    if _is_unit(node):
        terms = [node] if type(node) is wq.Term else list(node.subqueries)
        boost = 1.0 if type(node) is wq.Term else node.boost
        unit = _unit(searcher, terms, cache, boost)
        if units is not None:
            units.append(unit)
        return Scored(unit.mask, unit.scores)
    if type(node) in (wq.And, wq.Or):
        parts = [_word(searcher, c, cache, units) for c in node.subqueries]
        combine = np.logical_and if type(node) is wq.And else np.logical_or
        mask = combine.reduce([p.mask for p in parts])
        scores = np.sum([p.scores for p in parts], axis=0) * node.boost
        return Scored(mask, np.where(mask, scores, 0.0))
    return evaluate(searcher, node, cache)


def _words(searcher, q: Words, cache: PostingCache) -> Scored:
    """Documents holding at least ``q.minmatch`` of the words, scored by the sum of the
    words' BM25F (both views): each word computed over the documents holding it
    (``_sparse_word``), added up once over the whole collection. The same numbers as
    ``_words_dense`` to the bit (the same additions in the same order; adding a word's 0
    where it is absent changes nothing), a few times fewer operations over every document.

    Common words (in more than ``budget.common_cutoff()`` articles, Lucene's *common terms*
    / ``cutoff_frequency``) do not select documents when the query has rarer ones: the
    rare words pick the candidates (those that can still reach ``minmatch``), and the
    common words only score them, looked up at the candidates (``_common_words``), so the
    work follows the rare words' lists, not the archive. A query of common words only
    needs all of them (the all-words rule), its candidates picked by the rarest."""
    n = cache.n_docs
    words = q.subqueries
    if q.minmatch < 1 or not words:
        return _words_dense(searcher, q, cache)
    common = _common_words(searcher, q)
    if common:
        return _words_common(searcher, q, cache, common)
    if not all(_sparse_shape(w) for w in words):
        return _words_dense(searcher, q, cache)
    parts = [_sparse_word(searcher, word, cache) for word in words]
    return _at_least(parts, q.minmatch, q.boost, n)


def _at_least(parts: list[tuple[np.ndarray, np.ndarray]], minmatch: int, boost: float,
              n: int) -> Scored:
    """The documents in at least ``minmatch`` of the words' (documents, scores), scored by
    the sum of their scores (added in the words' order) times ``boost``: the lists merged
    (``matchset.union``), not counted over every document; the same numbers as
    ``np.where(count >= minmatch, bincount(...) * boost, 0.0)`` over the archive."""
    docs = np.concatenate([d for d, _s in parts]) if parts else _EMPTY_DOCS
    scores = np.concatenate([s for _d, s in parts]) if parts else _EMPTY_WEIGHTS
    held, count, summed = matchset.union(docs, scores, n)
    keep = count >= minmatch
    return Scored.sparse(held[keep], summed[keep] * boost, n)


def holding(searcher, q, cache: PostingCache, docs: np.ndarray) -> np.ndarray:
    """Which of ``docs`` (ascending) ``q`` matches: plain words looked up at those
    documents only (``_sparse_word`` at them), anything else through ``evaluate``."""
    if type(q) is Words and q.minmatch >= 1 and all(_sparse_shape(w) for w in q.subqueries):
        count = np.zeros(docs.size, dtype=np.int64)
        for word in q.subqueries:
            whole = _pooled_word(word, cache)
            if whole is not None:  # the search just computed it: where it is, not again
                at = np.minimum(np.searchsorted(whole, docs), max(whole.size - 1, 0))
                count += whole[at] == docs if whole.size else 0
                continue
            held = _held_at_candidates(word, cache, docs)
            if held is not None:
                count += held
                continue
            found, _scores = _sparse_word(searcher, word, cache, docs)
            count[np.searchsorted(docs, found)] += 1
        return count >= q.minmatch
    found = evaluate(searcher, q, cache)
    return matchset.member(found.docs, docs) if found.is_sparse else found.mask[docs]


def _pooled_word(node, cache: PostingCache) -> np.ndarray | None:
    """The documents (ascending) of a word ``_sparse_word`` has kept in the pool, or None
    (not computed, or a word it does not keep): a membership test reads them instead of
    computing the word again at a few documents (``holding``)."""
    if _is_unit(node):
        terms = [node] if type(node) is wq.Term else list(node.subqueries)
        boost = 1.0 if type(node) is wq.Term else node.boost
        found = POOL.peek(_unit_key(cache, terms, boost))
    elif type(node) in (wq.And, wq.Or) and node.subqueries:
        found = POOL.peek((cache._serial, "word", node))
    else:
        return None
    return None if found is None else found[0]


def _common_words(searcher, q: Words) -> list[int]:
    """The positions in ``q`` of its common plain words (``budget.common_words``)."""
    return budget.common_words(q, searcher.reader())


def _words_common(searcher, q: Words, cache: PostingCache, common: list[int]) -> Scored:
    """``_words`` when some words are common: rare words select, common words score."""
    n = cache.n_docs
    words = q.subqueries
    minmatch = q.minmatch
    rare = [i for i in range(len(words)) if i not in common]
    if not rare:  # common words only: all of them, the rarest picks the candidates
        reader = searcher.reader()
        minmatch = len(words)
        rare = [min(common, key=lambda i: budget.word_frequency(words[i], reader))]
        common = [i for i in common if i != rare[0]]
    need = max(1, minmatch - len(common))
    parts: dict[int, tuple[np.ndarray, np.ndarray]] = {
        i: _selecting(searcher, words[i], cache) for i in rare
    }
    if len(parts) == 1:  # one list: its documents, each once
        at = next(iter(parts.values()))[0] if need <= 1 else _EMPTY_DOCS
    else:
        picked, count, _summed = matchset.union(
            np.concatenate([d for d, _s in parts.values()]), None, n)
        at = picked[count >= need]
    for i in common:
        parts[i] = _sparse_word(searcher, words[i], cache, at)
    # which candidates hold each common word, for ``holding`` (the words each shown result
    # lacks: the shown results are among these candidates), kept per thread for the last
    # few queries
    kept = getattr(cache._here, "common_at", None)
    if kept is None:
        kept = cache._here.common_at = []
    kept.insert(0, (at, [(words[i], parts[i][0]) for i in common]))
    del kept[_COMMON_AT_KEPT:]
    return _at_least([parts[i] for i in range(len(words))], minmatch, q.boost, n)


_COMMON_AT_KEPT = 4  # queries whose common words' candidates ``holding`` looks among


def _held_at_candidates(word, cache: PostingCache, docs: np.ndarray) -> np.ndarray | None:
    """Which of ``docs`` hold ``word``, when a recent search of this thread looked this
    common word up at candidates including all of ``docs`` (``_words_common``): the same
    answer as looking it up again at ``docs`` (a document of the candidates is in the
    word's answer exactly when it holds the word), without its lists read again; None
    otherwise."""
    for at, found in getattr(cache._here, "common_at", None) or ():
        for node, held in found:
            if node == word and matchset.member(at, docs).all():
                return matchset.member(held, docs)
    return None


def _selecting(searcher, word, cache: PostingCache) -> tuple[np.ndarray, np.ndarray]:
    """A word that selects candidates, as (documents, scores): a quoted phrase among the
    words is evaluated whole (``evaluate``), a plain word over its own lists."""
    if _sparse_shape(word):
        return _sparse_word(searcher, word, cache)
    scored = evaluate(searcher, word, cache)
    return scored.docs, scored.values


def _sparse_shape(node) -> bool:
    """Whether ``_sparse_word`` can compute ``node``: BM25F units and quoted phrases
    (evaluated whole, ``evaluate``) joined by AND and OR. A headline quoting a phrase is
    a word ``Or(Phrase(title), Phrase(summary), …)`` among plain words: sparse too, not
    a dense vector per field and word of the query (``_words_dense``)."""
    if _is_unit(node) or type(node) is wq.Phrase:
        return True
    kids = getattr(node, "subqueries", None)
    return type(node) in (wq.And, wq.Or) and bool(kids) and all(_sparse_shape(c) for c in kids)


def _sparse_word(
    searcher, node, cache: PostingCache, at: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray] | None:
    """``_word`` as (documents ascending, scores) over the documents it matches, for a word
    made of BM25F units joined by AND and OR; None for anything else (``_words_dense``).
    With ``at`` (ascending document numbers), over those documents only (a common word
    scoring the candidates of rarer ones: not kept in the pool)."""
    if _is_unit(node):
        terms = [node] if type(node) is wq.Term else list(node.subqueries)
        boost = 1.0 if type(node) is wq.Term else node.boost
        if at is not None:
            return _sparse_unit_scores(searcher, terms, cache, boost, at)
        return _sparse_unit(searcher, terms, cache, boost)
    if type(node) is wq.Phrase:  # a quoted phrase among the words: ``_word`` evaluates it
        found = evaluate(searcher, node, cache)
        if at is None:
            return found.docs, found.values
        keep = matchset.member(at, found.docs)  # only those of ``at``, as for a unit
        return found.docs[keep], found.values[keep]
    if type(node) not in (wq.And, wq.Or) or not node.subqueries:
        return None
    if at is not None:
        return _sparse_join(searcher, node, cache, at)
    key = (cache._serial, "word", node)
    found = POOL.get(key)
    if found is None:
        found = _sparse_join(searcher, node, cache)
        if found is not None:
            found = POOL.put(key, found)
    return found


def _sparse_join(
    searcher, node, cache: PostingCache, at: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray] | None:
    """The AND or OR of a word's parts (the recall and exact views, a compound's pieces)."""
    parts = [_sparse_word(searcher, c, cache, at) for c in node.subqueries]
    if any(p is None for p in parts):
        return None
    docs, inverse = _union(np.concatenate([d for d, _s in parts]))
    summed = matchset.summed(inverse, np.concatenate([s for _d, s in parts]), docs.size)
    if type(node) is wq.And:
        keep = np.bincount(inverse, minlength=docs.size) == len(parts)
        docs, summed = docs[keep], summed[keep]
    return docs, summed * node.boost


def _sparse_unit(searcher, terms: list, cache: PostingCache, boost: float):
    """``_unit``'s documents and scores, over the documents holding the term only; kept in
    the posting pool (under its budget) like a term's postings."""
    key = _unit_key(cache, terms, boost)
    found = POOL.get(key)
    if found is None:
        found = POOL.put(key, _sparse_unit_scores(searcher, terms, cache, boost))
    return found


def _unit_key(cache: PostingCache, terms: list, boost: float) -> tuple:
    return (cache._serial, "unit", boost, tuple((t.fieldname, t.text, t.boost) for t in terms))


def _sparse_unit_scores(searcher, terms: list, cache: PostingCache, boost: float,
                        at: np.ndarray | None = None):
    """A unit's (documents, BM25F scores); with ``at``, at those documents only, the idf
    then from the document frequency of the unit's most frequent field (the sidecars'
    counts, no list read whole): for a word in more than ``budget.common_cutoff()``
    articles the idf is nearly flat, and the candidates are ranked by the rarer words."""
    n = cache.n_docs
    fields = _field_parts(searcher, terms, cache, at)
    docs_parts = [docs for _n, _w, docs, _tf, _p in fields]
    weight_parts = [part for _n, _w, _d, _tf, part in fields]
    if not docs_parts:
        return _EMPTY_DOCS, _EMPTY_WEIGHTS
    if len(docs_parts) == 1:
        docs, pseudo = docs_parts[0], weight_parts[0] + 0.0
    else:
        docs, inverse = _union(np.concatenate(docs_parts))
        pseudo = matchset.summed(inverse, np.concatenate(weight_parts), docs.size)
    keep = pseudo > 0
    docs, pseudo = docs[keep], pseudo[keep]
    if at is None:
        df = int(docs.size)
    else:
        reader = searcher.reader()
        df = max(postings_mmap.doc_frequency(reader, t.fieldname, t.text) for t in terms
                 if t.fieldname in searcher.schema)
    idf = float(np.log(1 + (n - df + 0.5) / (df + 0.5)))
    return docs, boost * idf * pseudo * (K1 + 1) / (pseudo + K1)


def _words_dense(searcher, q: Words, cache: PostingCache) -> Scored:
    """``_words`` over dense vectors, word by word: any word shape, and the reference
    ``tests/test_fastsearch.py`` compares the sparse path with."""
    n = cache.n_docs
    count = np.zeros(n, dtype=np.int32)
    scores = np.zeros(n)
    for word in q.subqueries:
        part = _word(searcher, word, cache)
        count += part.mask
        scores += np.where(part.mask, part.scores, 0.0)
    mask = count >= q.minmatch
    return Scored(mask, np.where(mask, scores * q.boost, 0.0))


# -- explain ---------------------------------------------------------------------------


def explain(searcher, q, cache: PostingCache, docs: list[int]) -> dict[int, list[dict]]:
    """Each document's score as a list of parts (field, term, tf, idf, boost, score) that
    add up to it, as ``evaluate`` computes it: a BM25F word's score is shared among its
    fields in proportion to their weighted, normalised frequencies."""
    out: dict[int, list[dict]] = {d: [] for d in docs}
    _explain(searcher, q, cache, docs, 1.0, out)
    return out


def _explain(searcher, q, cache, docs, mult: float, out) -> None:
    t = type(q)
    if t is Words:
        mask = _words(searcher, q, cache).mask
        hit = [d for d in docs if mask[d]]
        for word in q.subqueries:
            _explain_word(searcher, word, cache, hit, mult * q.boost, out)
        return
    if t is wq.Term:
        try:
            tdocs, scores = cache.term(searcher, q.fieldname, q.text)
            _pdocs, tf = cache.postings(searcher, q.fieldname, q.text)
        except (ValueError, KeyError):
            return
        field = searcher.schema[q.fieldname]
        idf = searcher.idf(q.fieldname, field.to_bytes(q.text)) if field.scorable else 0.0
        for d in docs:
            i = np.searchsorted(tdocs, d)
            if i < tdocs.size and tdocs[i] == d:
                out[d].append({
                    "field": q.fieldname, "term": q.text, "tf": float(tf[i]),
                    "idf": round(float(idf), 6), "boost": q.boost * mult,
                    "score": float(scores[i]) * q.boost * mult,
                })
        return
    if _native(q) and t in (wq.And, wq.Or) or isinstance(q, _OR_TYPES) and _native(q):
        for child in q.subqueries:
            matched = evaluate(searcher, child, cache).mask
            hit = [d for d in docs if matched[d]]
            if hit:
                _explain(searcher, child, cache, hit, mult * q.boost, out)
        return
    if t in (wq.AndNot, wq.Require) and _native(q):
        _explain(searcher, q.a, cache, docs, mult, out)
        return
    if t is wq.AndMaybe and _native(q):
        _explain(searcher, q.a, cache, docs, mult, out)
        matched = evaluate(searcher, q.b, cache).mask
        hit = [d for d in docs if matched[d]]
        if hit:
            _explain(searcher, q.b, cache, hit, mult, out)
        return
    scored = evaluate(searcher, q, cache)
    for d in docs:
        if scored.mask[d]:
            out[d].append({"field": None, "term": str(q), "tf": None, "idf": None,
                           "boost": mult, "score": float(scored.scores[d]) * mult})


def _explain_word(searcher, node, cache, docs, mult: float, out) -> None:
    """The parts of one word of ``Words`` (see ``_word``) in the documents it matches."""
    if not docs:
        return
    if _is_unit(node):
        terms = [node] if type(node) is wq.Term else list(node.subqueries)
        boost = 1.0 if type(node) is wq.Term else node.boost
        unit = _unit(searcher, terms, cache, boost)
        for d in docs:
            if not unit.mask[d]:
                continue
            for name, weight, fdocs, tf, normed in unit.fields:
                i = np.searchsorted(fdocs, d)
                if i < fdocs.size and fdocs[i] == d:
                    out[d].append({
                        "field": name,
                        "term": unit.text,
                        "tf": float(tf[i]),
                        "idf": round(unit.idf, 6),
                        "boost": weight * boost * mult,
                        "score": float(unit.scores[d]) * mult * normed[i] / unit.pseudo_tf[d],
                    })
        return
    if type(node) in (wq.And, wq.Or):
        mask = _word(searcher, node, cache).mask
        hit = [d for d in docs if mask[d]]
        for child in node.subqueries:
            _explain_word(searcher, child, cache, hit, mult * node.boost, out)
        return
    _explain(searcher, node, cache, docs, mult, out)


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
    return Scored(mask, matchset.summed(docs, np.concatenate(score_parts), n))


def _whoosh(searcher, q, n: int, restrict: np.ndarray | None = None) -> Scored:
    """Any other query node, scored by Whoosh's own matchers (one Python step per match,
    or, with ``restrict``, one ``skip_to`` per candidate)."""
    mask = np.zeros(n, dtype=bool)
    scores = np.zeros(n)
    context = searcher.context()
    for sub, offset in searcher.leaf_searchers():
        if restrict is None:
            m = q.matcher(sub, context)
            while m.is_active():
                d = m.id() + offset
                mask[d] = True
                scores[d] = m.score()
                m.next()
            continue
        count = sub.reader().doc_count_all()
        wanted = np.flatnonzero(restrict[offset : offset + count]).tolist()
        if not wanted:  # no candidate in this segment: its matcher is not even built
            continue
        m = q.matcher(sub, context)
        for d in _matched(m, wanted):
            mask[d + offset] = True
            scores[d + offset] = m.score()
    return Scored(mask, scores)


def _matched(m, docs: list[int]) -> Iterator[int]:
    """The documents of ``docs`` (ascending, segment numbers) that matcher ``m`` matches,
    reached by ``skip_to``; ``m`` stands on each one when it is yielded."""
    for d in docs:
        if not m.is_active():
            return
        if m.id() < d:
            m.skip_to(d)
            if not m.is_active():
                return
        if m.id() == d:
            yield d


# Proximity: the best PROXIMITY_DEPTH documents gain, for each pair of query words next to
# each other in the query (any two words of a short query, below), PROXIMITY * the smaller
# idf / the words' distance in the text (positions of the recall view's body, summary and
# title).
# Tuning halves, MRR@10 at 0 / 0.5 / 1.5 / 4: PIAF 0.788 / 0.789 / 0.787 / 0.785, OrangeSum
# summaries 0.875 / 0.880 / 0.873 / 0.851.
PROXIMITY = 0.5
PROXIMITY_DEPTH = 30
# A query of at most this many words (a question, a headline) counts every pair of its
# words, not only neighbours: a question puts its words in another order than the text
# that answers it ("Où a été créée la colonie fondée par Pierre Dugua de Mons ?"). Tuning
# halves, MRR@10 PIAF / summaries (issue 12, s10): neighbours only 0.8037 / 0.8127; up to
# 5 words 0.8050 / 0.8127, 8 0.8053 / 0.8126, 12 0.8058 / 0.8127; every query 0.8058 /
# 0.8048 (all pairs of a 30-word summary reward any article dense in its words). Pairs
# that are not neighbours at 0.25 instead of PROXIMITY (8 words) 0.8050 / 0.8127; at 1.0
# (12 words) 0.8055 / 0.8140. One weight keeps a short query's proximity the same in any
# word order. A question's answer-type words left out of the pairs (below): 0.8061 /
# 0.8128 (weighing a pair as its lighter word 0.8056, as both words 0.8056; neighbours
# only, answer-type words left out, 0.8037 / 0.8127). 0 turns it off.
PROXIMITY_ALL_PAIRS = 12
PROXIMITY_FIELDS = postings_mmap.POSITION_FIELDS  # the sidecars keep these fields' positions


def proximity(searcher, q, scored: Scored, allowed, cache: PostingCache) -> Scored:
    """``scored`` with the proximity bonus added to its best documents (a re-ranking of
    the top only: positions are read for PROXIMITY_DEPTH documents, not the match set)."""
    words = q.a if type(q) is wq.AndMaybe else q
    if type(words) is wq.And and words.subqueries and type(words.subqueries[-1]) is Words:
        words = words.subqueries[-1]
    if not PROXIMITY or type(words) is not Words or len(words.subqueries) < 2:
        return scored
    terms = []
    for word in words.subqueries:
        found = [t.text for t in word.leaves() if type(t) is wq.Term and t.fieldname == "title"]
        # A word weighed down (a question's answer-type word, ``query.ANSWER_TYPE_WEIGHT``)
        # pairs with none: the text answering "le nom du maire de Lyon" rarely holds "nom".
        terms.append(found[0] if found and word.boost >= 1 else None)
    pairs = _pairs(terms)
    if not pairs:  # no two words to measure: nothing can gain
        return scored
    best = top(scored, allowed, 0, PROXIMITY_DEPTH)
    if not best:
        return scored
    docs = sorted(d for d, _ in best)
    texts = list(dict.fromkeys(t for pair in pairs for t in pair))
    reader = searcher.reader()
    idf = {
        t: float(np.log(1 + cache.n_docs / (1 + postings_mmap.doc_frequency(reader, "body", t))))
        for t in texts
    }
    leaves = _position_leaves(searcher, docs)
    bonus = _pair_bonus(searcher, texts, pairs, docs, leaves, idf)
    held = bonus != 0.0  # only the best few documents can gain
    gained = np.asarray(docs, dtype=np.int64)[held]
    if not scored.is_sparse:
        scores = scored.scores.copy()
        scores[gained] += bonus[held]
        return Scored(scored.mask, scores)
    # the best documents are matches: their scores plus the bonus, the others unchanged
    # (the dense form added 0.0 to them), so the same numbers as over every document
    values = scored.values.copy()
    values[np.searchsorted(scored.docs, gained)] += bonus[held]
    return Scored.sparse(scored.docs, values, scored.n)


def _pair_bonus(searcher, texts: list[str], pairs: list[tuple[str, str]], docs: list[int],
                leaves: list[tuple], idf: dict[str, float]) -> np.ndarray:
    """Each of ``docs``' proximity bonus (in ``docs``' order): for each pair of words in
    turn, ``PROXIMITY * the smaller idf / the smallest distance`` between a position of
    one and a position of the other in any proximity field, where both are and the
    distance is not 0. In numpy for every pair, document and field at once: the closest
    two positions of two words are neighbours once both words' positions are sorted
    together, so each (pair, document)'s distances are those of its neighbours with
    different words. The same numbers as ``_pair_bonus_loop`` (a merge walk per pair,
    document and field, in Python), to the bit: the same divisions, added in the same
    order."""
    n_pairs, n_docs = len(pairs), len(docs)
    row = {t: i for i, t in enumerate(texts)}
    fields = [f for f in PROXIMITY_FIELDS if f in searcher.schema]
    # every word's positions, word after word (then field, then segment), gathered by C
    # loops (``extend``, ``map``, ``chain``): a document, a field and a list per answer
    found_docs: list[int] = []
    lists: list[list[int]] = []
    per_answer: list[int] = []  # how many documents each answer holds
    shift: list[int] = []  # its segment's first document number
    field_of: list[int] = []
    bounds = [0]  # each word's answers
    for text in texts:
        for k, field in enumerate(fields):
            btext = searcher.schema[field].to_bytes(text)
            for leaf, offset, local, sidecar in leaves:
                found = sidecar.positions(field, btext, local) if sidecar is not None else None
                if found is None:
                    found = _matcher_positions(leaf, field, btext, local.listed)
                if found:
                    found_docs.extend(found)
                    lists.extend(found.values())
                    per_answer.append(len(found))
                    shift.append(offset)
                    field_of.append(k)
        bounds.append(len(lists))
    if n_pairs <= _FEW_PAIRS:  # a short query: the walks cost less than numpy's calls
        pos: dict[str, dict[int, dict[str, list[int]]]] = {t: {} for t in texts}
        at = 0
        for field, offset, count in zip(field_of, shift, per_answer, strict=True):
            text = texts[bisect_right(bounds, at) - 1]
            name = fields[field]
            for d, held in zip(found_docs[at : at + count], lists[at : at + count],
                               strict=True):
                pos[text].setdefault(d + offset, {})[name] = held
            at += count
        return _pair_bonus_loop(pos, pairs, docs, idf)
    nearest = np.full(n_pairs * n_docs, np.inf)
    if lists:
        sizes = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        place = np.fromiter(itertools.chain.from_iterable(lists), dtype=np.int64)
        listed = np.asarray(found_docs, dtype=np.int64) + np.repeat(shift, per_answer)
        doc_of = np.repeat(np.searchsorted(np.asarray(docs, dtype=np.int64), listed), sizes)
        field = np.repeat(np.repeat(np.asarray(field_of, dtype=np.int64), per_answer), sizes)
        ends = np.concatenate(([0], np.cumsum(sizes)))[np.asarray(bounds)]  # each word's
        first = np.array([row[a] for a, _b in pairs])
        second = np.array([row[b] for _a, b in pairs])
        if len(texts) * place.size <= _FILL_MAX:
            _nearest_by_fill(nearest, place, doc_of, field, ends, first, second, n_docs,
                             len(fields))
            return _bonus_of(nearest, pairs, n_docs, idf)
        # for each pair, its first word's positions (label 0) then its second's (1)
        starts = np.stack([ends[first], ends[second]], axis=1).ravel()
        lengths = np.stack([ends[first + 1] - ends[first], ends[second + 1] - ends[second]],
                           axis=1).ravel()
        total = int(lengths.sum())
        if total:
            stops = np.cumsum(lengths)
            index = np.repeat(starts - (stops - lengths), lengths) + np.arange(total)
            label = np.repeat(np.tile(np.array([0, 1], dtype=np.int64), n_pairs), lengths)
            pair = np.repeat(np.arange(n_pairs, dtype=np.int64),
                             lengths.reshape(-1, 2).sum(axis=1))
            span = int(place.max()) + 1
            group = (pair * n_docs + doc_of[index]) * len(fields) + field[index]
            key = np.sort((group * span + place[index]) * 2 + label)
            label, rest = key & 1, key >> 1
            group, at = rest // span, rest % span
            next_to = (group[1:] == group[:-1]) & (label[1:] != label[:-1])
            np.minimum.at(nearest, group[:-1][next_to] // len(fields),
                          (at[1:] - at[:-1])[next_to])
    return _bonus_of(nearest, pairs, n_docs, idf)


def _bonus_of(nearest: np.ndarray, pairs: list[tuple[str, str]], n_docs: int,
              idf: dict[str, float]) -> np.ndarray:
    """Each document's bonus from each (pair, document)'s smallest distance (inf where a
    word is absent): ``PROXIMITY * the smaller idf / distance``, added pair after pair."""
    nearest = nearest.reshape(len(pairs), n_docs)
    weight = PROXIMITY * np.minimum(np.array([idf[a] for a, _b in pairs]),
                                    np.array([idf[b] for _a, b in pairs]))
    parts = np.zeros((len(pairs), n_docs))
    np.divide(weight[:, None], nearest, out=parts,
              where=np.isfinite(nearest) & (nearest > 0))
    return np.add.accumulate(parts, axis=0)[-1]  # pair after pair, as the loop adds them


def _nearest_by_fill(nearest: np.ndarray, place: np.ndarray, doc_of: np.ndarray,
                     field: np.ndarray, ends: np.ndarray, first: np.ndarray,
                     second: np.ndarray, n_docs: int, n_fields: int) -> None:
    """``_pair_bonus``'s smallest distances (into ``nearest``, per pair and document) with
    one sort of every word's positions instead of one per pair (a headline of 12 words
    has 66 pairs, each word's positions sorted again with each of its 11 partners): with
    all positions sorted by (document, field, position), each word's last position at or
    before every place and its first at or after it (running maxima and minima, a row
    per word); a pair's smallest distance is then, over the positions of its word having
    fewer, the distance to the other word's nearest on either side within the same
    document and field. The same integer distances as the sort per pair."""
    n_words = ends.size - 1
    span = int(place.max()) + 1
    key = (doc_of * n_fields + field) * span + place
    order = np.argsort(key, kind="stable")
    ranked = key[order]
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)  # where each position went in the sort
    word = np.repeat(np.arange(n_words), np.diff(ends))[order]
    held = word[None, :] == np.arange(n_words)[:, None]  # a row per word
    before = np.where(held, ranked, -1)
    np.maximum.accumulate(before, axis=1, out=before)
    after = np.where(held, ranked, np.iinfo(np.int64).max)[:, ::-1]
    after = np.minimum.accumulate(after, axis=1)[:, ::-1]
    counts = np.diff(ends)
    # each pair walks the positions of its word having fewer, looking for the other's
    swap = counts[second] < counts[first]
    walked = np.where(swap, second, first)
    other = np.where(swap, first, second)
    lengths = counts[walked]
    total = int(lengths.sum())
    if not total:
        return
    stops = np.cumsum(lengths)
    at = rank[np.repeat(ends[walked] - (stops - lengths), lengths) + np.arange(total)]
    look = np.repeat(other, lengths)
    mine = ranked[at]
    group = mine // span
    left, right = before[look, at], after[look, at]
    big = np.iinfo(np.int64).max
    gap = np.where((left >= 0) & (left // span == group), mine - left, big)
    gap = np.minimum(gap, np.where((right != big) & (right // span == group), right - mine,
                                   big))
    found = gap != big
    pair = np.repeat(np.arange(first.size, dtype=np.int64), lengths)
    np.minimum.at(nearest, (pair * n_docs + group // n_fields)[found],
                  gap[found].astype(np.float64))


_FEW_PAIRS = 3  # at most this many pairs: ``_pair_bonus_loop`` (the same numbers)
# ``_nearest_by_fill``'s rows (words x positions) at most: beyond, a sort per pair
_FILL_MAX = 1_000_000


def _pair_bonus_loop(pos: dict[str, dict[int, dict[str, list[int]]]],
                     pairs: list[tuple[str, str]], docs: list[int],
                     idf: dict[str, float]) -> np.ndarray:
    """``_pair_bonus`` in Python from ``positions``' answers (``pos``: each word's): the
    reference the tests compare it with."""
    bonus = dict.fromkeys(docs, 0.0)
    for a, b in pairs:
        for d in docs:
            nearest = None
            in_a, in_b = pos[a].get(d), pos[b].get(d)
            if in_a is None or in_b is None:
                continue
            for field in PROXIMITY_FIELDS:
                pa = in_a.get(field)
                pb = in_b.get(field)
                if pa is None or pb is None:
                    continue
                gap = _gap(pa, pb)
                nearest = gap if nearest is None else min(nearest, gap)
            if nearest:
                bonus[d] += PROXIMITY * min(idf[a], idf[b]) / nearest
    return np.array([bonus[d] for d in docs])


def _pairs(terms: list[str | None]) -> list[tuple[str, str]]:
    """The pairs of a query's recall terms that proximity rewards: every pair of a query of
    at most ``PROXIMITY_ALL_PAIRS`` words (a question's order is not its answer's), else
    the words next to each other in the query."""
    if PROXIMITY_ALL_PAIRS and len(terms) <= PROXIMITY_ALL_PAIRS:
        distinct = list(dict.fromkeys(t for t in terms if t))
        return list(itertools.combinations(distinct, 2))
    return [(a, b) for a, b in zip(terms, terms[1:], strict=False) if a and b and a != b]


def _gap(pa: list[int], pb: list[int]) -> int:
    """The smallest distance between a position of ``pa`` and one of ``pb`` (both
    ascending), by one merge walk: the lists hold a few positions each."""
    i = j = 0
    best = None
    while i < len(pa) and j < len(pb):
        d = pa[i] - pb[j]
        if d == 0:
            return 0
        if d > 0:
            best = d if best is None or d < best else best
            j += 1
        else:
            best = -d if best is None or -d < best else best
            i += 1
    return best


def positions(
    searcher, text: str, docs: list[int], sidecars: bool = True, leaves: list | None = None
) -> dict[int, dict[str, list[int]]]:
    """Each of ``docs``' positions of ``text`` in the proximity fields: from the segments'
    sidecars (two slices per document), else (a segment without one, or ``sidecars``
    false: the reference the tests compare with) stepped to through Whoosh's matchers.
    ``leaves``: ``_position_leaves(searcher, docs, sidecars)``, found once for every word
    of a query."""
    out: dict[int, dict[str, list[int]]] = {}
    if leaves is None:
        leaves = _position_leaves(searcher, docs, sidecars)
    for field in PROXIMITY_FIELDS:
        if field not in searcher.schema:
            continue
        btext = searcher.schema[field].to_bytes(text)
        for leaf, offset, local, sidecar in leaves:
            found = sidecar.positions(field, btext, local) if sidecar is not None else None
            if found is None:
                found = _matcher_positions(leaf, field, btext, local.listed)
            for d, held in found.items():
                out.setdefault(d + offset, {})[field] = held
    return out


def _position_leaves(searcher, docs: list[int], sidecars: bool = True) -> list[tuple]:
    """Each segment holding some of ``docs`` (ascending): (leaf, offset, its share as
    segment numbers in a ``postings_mmap.Wanted``, its sidecar or None)."""
    wanted = np.asarray(docs, dtype=np.int64)
    leaves = []
    for leaf, offset in searcher.reader().leaf_readers():
        count = leaf.doc_count_all()
        local = wanted[(wanted >= offset) & (wanted < offset + count)] - offset
        if local.size:
            sidecar = postings_mmap.sidecar_of(leaf) if sidecars else None
            leaves.append((leaf, offset, postings_mmap.Wanted(local), sidecar))
    return leaves


def _matcher_positions(leaf, field: str, btext: bytes, local: list[int]) -> dict[int, list[int]]:
    """One segment's positions of a term in ``local`` documents, through Whoosh's matcher."""
    if (field, btext) not in leaf:
        return {}
    m = leaf.postings(field, btext)
    return {d: list(m.value_as("positions")) for d in _matched(m, local)}


def top(scored: Scored, allowed, start: int, end: int) -> list[tuple[int, float]]:
    """Ranks ``start:end`` among the allowed matches (``allowed``: a mask or
    ``matchset.Matches``): score descending, then document number ascending (Whoosh's
    order for equal scores); an argpartition over the matches only when they are sparse."""
    docs, scores = scored.within(allowed)
    if docs.size == 0 or start >= docs.size:
        return []
    if docs.size > end * 4 and end < docs.size:
        # Only the candidates at or above the end-th best score need sorting.
        kth = np.partition(scores, docs.size - end)[docs.size - end]
        keep = scores >= kth
        docs, scores = docs[keep], scores[keep]
    order = np.lexsort((docs, -scores))[start:end]
    return [(int(docs[i]), float(scores[i])) for i in order]
