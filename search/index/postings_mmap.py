"""Posting lists as flat arrays numpy maps from disk: the cold path of a search.

Whoosh keeps each posting list as pickled, zlib-compressed blocks; decoding a term that is
not cached yet costs a Python loop per block, and with a bounded posting cache (issue 11)
that cold path is what users feel. So each segment gets one sidecar file beside Whoosh's,
``<segment id>.lpm`` (``MAIN_abc123.lpm``), written once when the segment is published and
never changed afterwards (segments are immutable; deletions live in Whoosh's TOC and are
masked by the caller, as for Whoosh's own postings):

- a 64-byte header: magic, format version, term and posting counts, the segment's document
  count and the weights' dtype; then each layout field's token count, and (format 6) the
  count of high-bit runs and each layout field's escaped gaps;
- the term dictionary: 64-bit BLAKE2b hashes of ``field NUL term`` sorted, with, in the same
  order, 32 more bits of the hash as a check, the first posting and the count of each term.
  No keys (they would double the dictionary): a segment where two terms share the 64-bit
  hash gets no sidecar, and a term the segment lacks is taken for one it holds only if
  both hashes agree by chance, about one lookup in 2^96 / terms (10^22 at a million terms);
- the document numbers (relative to the segment), each list in Whoosh's own order, as
  their low 16 bits (uint16) and the runs of their high bits (where each run starts, its
  high bits): a list is ascending, so a long list changes high bits once per 65,536
  documents, and a number costs 2 bytes where uint32 cost 4 (format 6; 1.3 GB of the 9.3
  of a million articles); then the weights (uint8 or uint16 when every weight is a small
  whole number, as term frequencies are, else float32, the type Whoosh itself stores);
- the positions of the recall view's title, summary and body (``POSITION_FIELDS``, the
  words the proximity re-ranking measures): per term, its first positioned posting (or
  none) and where its positions start, a mark of where the positions start every
  ``_MARK_EVERY`` positioned postings, and the positions themselves (uint16, or uint32
  when one is 65,536 or more), decoded from Whoosh's pickled values a whole batch at a
  time when the sidecar is written, so a search reads the positions of its best documents
  as slices instead of stepping Whoosh's matchers. A posting's weight is its count of
  positions (checked when written: else no sidecar), so where its positions lie is the
  nearest mark plus fewer than ``_MARK_EVERY`` weights: format 5 kept a uint32 bound per
  positioned posting instead (0.6 GB at a million articles);
- per document and field of ``layouts.LAYOUT_FIELDS`` (body, summary), its stored text's
  tokens (``layouts``: a gap and a length per token, stop words flagged) and the position
  of its first word: a snippet is cut around the positions of its terms with no analysis
  at query time. A gap takes one byte (format 6; two before): most are one space, and one
  of ``_ESCAPE`` characters or more is kept apart with its token's number.

A sidecar of an older format is not read (its segment is searched Whoosh's way, the same
results, slower): ``write_missing`` rewrites it, which ``loupe reindex`` does before it
publishes, and also on a run that found nothing new (``outdated``), once.

A lookup is a binary search over the mapped hashes and two slices: no decompression, no
Python loop. The name matches Whoosh's segment file pattern, so Whoosh's own clean-up deletes
a sidecar with its segment, and ``Segment.list_files`` lists it with the segment's files.
A segment without a sidecar (an index written before this format, a write that failed) is
read Whoosh's way: ``decode_matcher`` is that path, and ``tests/test_postings_mmap.py``
checks that both give the same arrays for every term.
"""

from __future__ import annotations

import functools
import hashlib
import mmap
import os
import pickle
import struct
import threading
import weakref
from array import array
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from itertools import chain
from operator import itemgetter
from pathlib import Path

import numpy as np
from whoosh import formats
from whoosh.matching.wrappers import FilterMatcher

from search.index import layouts, w3

SUFFIX = ".lpm"
MAGIC = b"LOUPEPM1"
VERSION = 6  # an older sidecar is not read: the next ``loupe reindex`` rewrites it
# magic, version, weights' dtype code, terms, postings, documents, (unused since format 6),
# positioned postings, positions, positions' dtype code
_HEADER = struct.Struct("<8sIIQQQIQQB3x")
# the tokens of each ``layouts.LAYOUT_FIELDS`` field
_LAYOUT_COUNTS = struct.Struct("<" + "Q" * len(layouts.LAYOUT_FIELDS))
# format 6: the runs of the document numbers' high bits, each layout field's escaped gaps
_COUNTS_6 = struct.Struct("<Q" + "Q" * len(layouts.LAYOUT_FIELDS))
_MARK_EVERY = 64  # positioned postings between two marks of where their positions start
_ONE_SUM = 8192  # hits this close in a list: their bounds from one running sum
_DENSE = 32  # or hits at least one in this many postings: one running sum too
_SEEN_KEPT = 64  # terms whose last ``positions`` answer a sidecar reader remembers,
_SEEN_DOCS = 64  # when it was for this many documents or fewer (proximity asks 30)
_SHORT = 64  # a list this short is walked in plain Python (numpy's per-call cost dominates)
# this many documents or fewer: each found by ``bisect`` (``_positions_few``); a segment's
# share of proximity's 30 best documents always is (at 10,000 articles in two segments,
# about 15 each: 0.40-0.42 ms of positions and pairs a query against 0.44-0.47 with 8)
_FEW = 32
# ``postings_at``: a list at most this many times longer than the candidates is read whole
# and masked by them (a few ns a posting) rather than searched (50-100 ns a candidate)
_READ_WHOLE = 8
_BLOCK_PER_DOC = 128  # ``_slices``: positions read in one piece when this close per document
_ESCAPE = 0xFF  # a layout gap of this many characters or more is kept apart
# Fields whose positions the sidecar keeps: the recall view's, read by the proximity
# re-ranking (``fastsearch.PROXIMITY_FIELDS``).
POSITION_FIELDS = ("title", "summary", "body")
_NO_POSITIONS = np.iinfo(np.uint64).max  # a term whose field keeps no positions
_COUNTS_KEPT = 50_000  # terms looked up remembered per reader (a few MB)
_RUNS_KEPT = 4_096  # lists whose runs a sidecar reader remembers (``_runs``: ~1 MB at most)
_WEIGHT_TYPES = {0: np.uint8, 1: np.uint16, 2: np.float32}
_CHUNK = 1 << 20  # postings copied at a time when the file is assembled
_VALUES_CHUNK = 1 << 17  # positioned postings decoded at a time (a few tens of MB of objects)


DEFAULT_MAPPED_MB = 1024  # sidecar pages one process keeps mapped (LOUPE_MAPPED_MB)
_OPEN: weakref.WeakSet = weakref.WeakSet()  # every sidecar this process has mapped
_PAGE = os.sysconf("SC_PAGE_SIZE")


def mapped_budget() -> int:
    """``LOUPE_MAPPED_MB`` in bytes (default 1,024; 0: no limit): how much of the mapped
    index files a process may keep resident before it lets go of the sidecars' pages."""
    try:
        mb = float(os.environ.get("LOUPE_MAPPED_MB", DEFAULT_MAPPED_MB))
    except ValueError:
        mb = DEFAULT_MAPPED_MB
    return max(0, int(mb * 1024 * 1024))


_STATM: list = [-1, -1]  # (process id, descriptor of its /proc/self/statm)
_STATM_LOCK = threading.Lock()


def mapped_resident() -> int:
    """Bytes of file-backed memory resident in this process (``/proc/self/statm``'s shared
    pages: mapped files, the sidecars first among them). Asked after every search: the
    file is opened once per process and read again with ``pread`` (1 µs, where opening it
    each time cost 10); a forked process opens its own ("self" is named at open)."""
    try:
        pid, fd = _STATM
        if pid != os.getpid():
            with _STATM_LOCK:
                if _STATM[0] != os.getpid():
                    statm = os.open("/proc/self/statm", os.O_RDONLY | os.O_CLOEXEC)
                    _STATM[:] = [os.getpid(), statm]
                fd = _STATM[1]
        return int(os.pread(fd, 256, 0).split()[2]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def hold_mapped(budget: int | None = None) -> bool:
    """Keeps the process's resident mapped pages within ``budget`` (``mapped_budget()``):
    past it, every sidecar's pages are let go (``MADV_DONTNEED``). They stay in the OS's page
    cache, shared by every process, and come back at the next touch as minor faults: the
    resident size of a serving process follows what its recent searches read, not every
    page of an index of gigabytes that its searches ever touched. True when it let go."""
    limit = mapped_budget() if budget is None else budget
    if not limit or mapped_resident() <= limit:
        return False
    for reader in list(_OPEN):
        reader.release()
    return True


def sidecar_path(folder: Path, segment) -> Path:
    return Path(folder) / segment.make_filename(SUFFIX)


@functools.lru_cache(maxsize=1 << 16)
def term_hash(fieldname: str, btext: bytes) -> tuple[int, int]:
    """A term's 64-bit key in the dictionary and an independent 32-bit check (the last
    65,536 remembered: a word is looked up in every segment)."""
    digest = hashlib.blake2b(fieldname.encode("utf-8") + b"\x00" + btext, digest_size=12).digest()
    return int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:], "little")


def raw_matcher(leaf, fieldname: str, btext: bytes):
    """A segment's matcher for a term without Whoosh's deleted-document filter, which would
    skip the deleted documents at the front (the caller masks them with the live set)."""
    return w3.term_matcher(leaf, fieldname, btext)


def decode_matcher(m) -> tuple[np.ndarray, np.ndarray]:
    """(segment document numbers, weights) of one posting list, Whoosh's blocks decoded one
    at a time: the path for segments without a sidecar, and what a sidecar is written from."""
    if isinstance(m, FilterMatcher):  # deleted documents: masked out by the caller
        m = m.child
    docs: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    if w3.is_w3_matcher(m):
        for ids, ws, _values in w3.blocks(m):
            docs.append(np.asarray(ids, dtype=np.int64))
            weights.append(np.asarray(ws, dtype=np.float64))
    else:  # postings stored inline with the term (a single document)
        ids, ws = [], []
        while m.is_active():
            ids.append(m.id())
            ws.append(m.weight())
            m.next()
        docs.append(np.asarray(ids, dtype=np.int64))
        weights.append(np.asarray(ws, dtype=np.float64))
    if not docs:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    return np.concatenate(docs), np.concatenate(weights)


_NO_DOCS = np.zeros(0, dtype=np.int64)
_NO_WEIGHTS = np.zeros(0, dtype=np.float64)


class Wanted:
    """Segment document numbers (int64, ascending) to look up in many posting lists of one
    segment (``SidecarReader.postings_at``: a common word's fields and views at the
    candidates of rarer words), split once by their high 16 bits into the lists' own
    uint16 type, instead of once per list and run."""

    __slots__ = ("docs", "groups", "low", "_listed", "_mask")

    def __init__(self, docs: np.ndarray) -> None:
        self.docs = docs
        self._listed: list[int] | None = None
        self._mask: np.ndarray | None = None
        # {high 16 bits: (first, end, the low 16 bits of docs[first:end] as uint16)}
        self.groups: dict[int, tuple[int, int, np.ndarray]] = {}
        self.low = not docs.size or int(docs[-1]) <= 0xFFFF  # every number below 65,536
        if self.low:
            self.groups[0] = (0, docs.size, docs.astype(np.uint16))
            return
        highs = docs >> 16
        cuts = [0, *(np.flatnonzero(highs[1:] != highs[:-1]) + 1).tolist(), docs.size]
        for a, b in zip(cuts, cuts[1:], strict=False):
            self.groups[int(highs[a])] = (a, b, (docs[a:b] & 0xFFFF).astype(np.uint16))

    def mask(self, n: int) -> np.ndarray:
        """A bool per document of a segment of ``n`` (``docs`` all below it), true at
        ``docs``, made once."""
        if self._mask is None or self._mask.size != n:
            mask = np.zeros(n, dtype=bool)
            mask[self.docs] = True
            self._mask = mask
        return self._mask

    @property
    def listed(self) -> list[int]:
        """``docs`` as a list of Python ints, made once."""
        if self._listed is None:
            self._listed = self.docs.tolist()
        return self._listed


class SidecarReader:
    """One segment's sidecar, memory-mapped; the pages a lookup touches come from the OS's
    page cache, shared by every serving process and counted in none of their budgets."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as fh:
            self._mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        _OPEN.add(self)
        magic, version, wcode, n_terms, n_post, n_docs, _dcode, n_pposts, n_pos, pcode = (
            _HEADER.unpack_from(self._mm, 0)
        )
        if magic != MAGIC or version != VERSION or wcode not in _WEIGHT_TYPES or pcode > 1:
            # an older format too: read Whoosh's way until ``write_missing`` rewrites it
            raise ValueError(f"{path}: not a Loupe posting sidecar of version {VERSION}")
        n_tokens = _LAYOUT_COUNTS.unpack_from(self._mm, _HEADER.size)
        n_runs, *n_escaped = _COUNTS_6.unpack_from(self._mm, _HEADER.size + _LAYOUT_COUNTS.size)
        self.doc_count = n_docs
        self.version = version
        self.size = len(self._mm)
        self._rows: dict[tuple[str, bytes], int] = {}
        self._seen: dict[tuple[str, bytes], tuple[frozenset, dict]] = {}  # ``positions``
        self._run_memo: dict[tuple[int, int], list[tuple[int, int, int]]] = {}  # ``_runs``
        pos = _HEADER.size + _LAYOUT_COUNTS.size + _COUNTS_6.size
        buf = self._mm

        def take(dtype, count: int) -> np.ndarray:
            nonlocal pos
            out = np.frombuffer(buf, dtype=dtype, count=count, offset=pos)
            pos += out.nbytes
            pos += -pos % 8  # every section starts 8-byte aligned
            return out

        self._hashes = take(np.uint64, n_terms)
        self._checks = take(np.uint32, n_terms)
        self._starts = take(np.uint64, n_terms)
        self._counts = take(np.uint32, n_terms)
        self._hash_view = memoryview(self._hashes).cast("B").cast("Q")  # Python ints
        self._check_view = memoryview(self._checks).cast("B").cast("I")
        self._lows = take(np.uint16, n_post)  # document numbers' low 16 bits
        self._run_starts = take(np.uint64, n_runs)  # where their high bits change
        self._run_highs = take(np.uint16, n_runs)
        self._run_start_view = memoryview(self._run_starts).cast("B").cast("Q")
        self._run_high_view = memoryview(self._run_highs).cast("B").cast("H")
        self._weights = take(_WEIGHT_TYPES[wcode], n_post)
        self._float_weights = self._weights.dtype.kind == "f"
        self._pstarts = take(np.uint64, n_terms)  # first positioned posting, or none
        self._pfirsts = take(np.uint64, n_terms)  # and where its positions start
        # the dictionary's columns as Python ints (a memoryview item, not a numpy scalar
        # and ``int``: asked a few hundred times per search)
        self._start_of = memoryview(self._starts).cast("B").cast("Q")
        self._count_of = memoryview(self._counts).cast("B").cast("I")
        self._pstart_of = memoryview(self._pstarts).cast("B").cast("Q")
        self._pfirst_of = memoryview(self._pfirsts).cast("B").cast("Q")
        self._marks = take(np.uint64, n_pposts // _MARK_EVERY + 1)
        self._positions = take(np.uint16 if pcode == 0 else np.uint32, n_pos)
        # the same columns as memoryviews of Python ints, for ``_positions_few``
        self._low_view = memoryview(self._lows).cast("B").cast("H")
        self._mark_view = memoryview(self._marks).cast("B").cast("Q")
        self._position_view = memoryview(self._positions).cast("B").cast(
            "H" if pcode == 0 else "I")
        self._weight_view = memoryview(self._weights).cast("B").cast(
            {0: "B", 1: "H", 2: "f"}[wcode])
        # per field: token bounds per document, first position, gaps (1 byte, escaped),
        # lengths, the escaped gaps' token numbers and values (``layouts``)
        self._layouts = {
            name: (take(np.uint64, n_docs + 1), take(np.uint32, n_docs),
                   take(np.uint8, count), take(np.uint8, count),
                   take(np.uint64, escaped), take(np.uint16, escaped))
            for name, count, escaped in zip(layouts.LAYOUT_FIELDS, n_tokens, n_escaped,
                                            strict=True)
        }
        if pos > len(buf):
            raise ValueError(f"{path}: truncated")
        # a segment of at most 65,536 documents has one run: no search per lookup
        self._one_high = int(self._run_highs[0]) if n_runs == 1 else None

    def _runs(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """(first, end, high 16 bits) of the runs of postings ``start:end`` whose document
        numbers share their high bits: one for most terms, a few for a long list."""
        if self._one_high is not None:
            return [(start, end, self._one_high)]
        key = (start, end)
        found = self._run_memo.get(key)
        if found is not None:
            return found
        runs = self._run_start_view  # ``bisect`` over Python ints: no numpy scalar and call
        r0 = bisect_right(runs, start) - 1
        r1 = bisect_left(runs, end)
        bounds = [start, *runs[r0 + 1 : r1].tolist(), end]
        highs = self._run_high_view[r0:r1].tolist()
        found = [(bounds[k], bounds[k + 1], h) for k, h in enumerate(highs)]
        # remembered like the dictionary's rows: proximity asks each of a query's words
        # in each field of a segment of many runs, and the snippets again (two binary
        # searches over every run start of the segment, a few µs, each time)
        if len(self._run_memo) >= _RUNS_KEPT:
            self._run_memo.clear()
        self._run_memo[key] = found
        return found

    def _docs(self, start: int, end: int) -> np.ndarray:
        """Segment document numbers of postings ``start:end`` (int64)."""
        out = self._lows[start:end].astype(np.int64)
        for a, b, high in self._runs(start, end):
            if high:
                out[a - start : b - start] += high << 16
        return out

    def _locate(self, start: int, end: int,
                docs: np.ndarray | Wanted) -> tuple[np.ndarray, np.ndarray]:
        """(which of ``docs`` (int64, ascending, or those of a ``Wanted``) the postings
        ``start:end`` hold, and where in them, meaningful where held): a binary search per
        run over the mapped low bits, so only the pages holding them are read."""
        wanted = docs if isinstance(docs, Wanted) else Wanted(docs)
        groups = wanted.groups
        if self._one_high == 0 and wanted.low:
            held = self._lows[start:end]  # a segment of at most 65,536 documents
            want = groups[0][2]
            # past the end: compared with the last posting (``clip``), never equal
            at = held.searchsorted(want)
            return held.take(at, mode="clip") == want, at
        size = wanted.docs.size
        hit = np.zeros(size, dtype=bool)
        at = np.zeros(size, dtype=np.int64)
        for a, b, high in self._runs(start, end):
            group = groups.get(high)
            if group is None:
                continue
            i, j, want = group
            part = self._lows[a:b]
            k = part.searchsorted(want)
            hit[i:j] = part.take(k, mode="clip") == want
            at[i:j] = k + (a - start)
        return hit, at

    def _bounds(self, i: int, start: int, at: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Where the positions of the term's postings ``at`` (ascending, from its first)
        start and end: the nearest mark (every ``_MARK_EVERY`` positioned postings) or the
        term's first position, plus the weights in between (a weight is the posting's
        count of positions, checked when the sidecar is written)."""
        pstart = self._pstart_of[i]
        low, high = int(at[0]), int(at[-1])
        if high - low <= max(_ONE_SUM, _DENSE * len(at)):
            # hits close together, or many (a phrase's words in most of a long list's
            # documents): one running sum from a mark, instead of a sum per hit of up to
            # ``_MARK_EVERY`` weights each (the same integers)
            ppost = pstart + low
            mark = ppost // _MARK_EVERY * _MARK_EVERY
            if mark >= pstart:
                base, first = int(self._marks[ppost // _MARK_EVERY]), start + mark - pstart
            else:
                base, first = self._pfirst_of[i], start
            summed = np.cumsum(self._weights[first : start + high + 1], dtype=np.int64)
            ends = summed[at + (start - first)] + base
            return ends - self._weights[at + start].astype(np.int64), ends
        ppost = pstart + at
        mark = ppost // _MARK_EVERY
        inside = mark * _MARK_EVERY >= pstart
        base = np.where(inside, self._marks[mark].astype(np.int64), self._pfirst_of[i])
        first = np.where(inside, mark * _MARK_EVERY - pstart, 0) + start  # summed from here
        spans = at + start - first  # fewer than ``_MARK_EVERY``
        total = int(spans.sum())
        ends = np.cumsum(spans)
        if total:
            steps = np.arange(total) - np.repeat(ends - spans, spans)
            summed = np.concatenate(([0], np.cumsum(
                self._weights[np.repeat(first, spans) + steps].astype(np.int64))))
            base = base + summed[ends] - summed[ends - spans]
        return base, base + self._weights[at + start].astype(np.int64)

    def _find(self, fieldname: str, btext: bytes) -> int:
        """The term's row in the dictionary, or -1 when the segment does not hold it; the
        last ``_COUNTS_KEPT`` terms asked are remembered (a search asks each word for its
        frequency, its postings and its positions)."""
        key = (fieldname, btext)
        found = self._rows.get(key)
        if found is None:
            h, check = term_hash(fieldname, btext)
            # ``bisect`` over a memoryview of the mapped hashes: the same search as
            # ``searchsorted``, without a numpy scalar and call (a few µs per word and field)
            hashes, checks = self._hash_view, self._check_view
            i = bisect_left(hashes, h)
            found = -1 if i == len(hashes) or hashes[i] != h or checks[i] != check else i
            if len(self._rows) >= _COUNTS_KEPT:
                self._rows.clear()
            self._rows[key] = found
        return found

    def find_many(self, keys: list[tuple[str, bytes]]) -> list[int]:
        """``_find`` of several terms at once (a query's terms, before it is estimated and
        matched): one ``searchsorted`` over the mapped hashes for all of them instead of a
        ``bisect`` and the calls around it per term; the rows are remembered as ``_find``
        remembers them, so the search's own look-ups find them there."""
        rows = self._rows
        todo = [key for key in dict.fromkeys(keys) if key not in rows]
        if todo:
            hashed = [term_hash(f, b) for f, b in todo]
            wanted = np.fromiter((h for h, _c in hashed), dtype=np.uint64, count=len(hashed))
            at = np.searchsorted(self._hashes, wanted)
            inside = np.minimum(at, max(self._hashes.size - 1, 0))
            if self._hashes.size:
                hit = (at < self._hashes.size) & (self._hashes[inside] == wanted)
                checks = np.fromiter((c for _h, c in hashed), dtype=np.uint32, count=len(hashed))
                hit &= self._checks[inside] == checks
            else:
                hit = np.zeros(len(todo), dtype=bool)
            if len(rows) + len(todo) > _COUNTS_KEPT:
                rows.clear()
            for key, found, i in zip(todo, hit.tolist(), at.tolist(), strict=True):
                rows[key] = i if found else -1
        return [rows[key] if key in rows else self._find(*key) for key in keys]

    def count(self, fieldname: str, btext: bytes) -> int:
        """The term's postings in this segment (Whoosh's ``doc_frequency``: deleted
        documents included), 0 when it does not hold it."""
        i = self._find(fieldname, btext)
        return 0 if i < 0 else self._count_of[i]

    def positions(self, fieldname: str, btext: bytes, docs: np.ndarray | Wanted):
        """{segment document number: its positions of the term (a list)} for those of
        ``docs`` (ascending, or a ``Wanted`` of them made once for every term) that hold
        it; None when the sidecar keeps no positions for ``fieldname`` (the caller asks
        Whoosh). The lists are shared: read-only.

        The last answer per term for a few documents is remembered (``_SEEN_KEPT``
        terms, ``_SEEN_DOCS`` documents; the file never changes): a search's proximity
        pass reads its words' positions in its best 30 documents, and its page of 10,
        most often among those, asks the same words again for its snippets."""
        if fieldname not in POSITION_FIELDS:
            return None
        prepared = docs if isinstance(docs, Wanted) else None
        if prepared is not None:
            docs = prepared.docs
        if len(docs) == 1:  # a snippet's document: plain integers, no arrays of one
            i, start, end = self._positioned(fieldname, btext)
            if i < 0:
                return {} if i == -1 else None
            return self._positions_few(i, start, end, [int(docs[0])])
        wanted = (prepared.listed if prepared is not None
                  else docs.tolist() if isinstance(docs, np.ndarray) else list(docs))
        key = (fieldname, btext)
        seen = self._seen.get(key)
        if seen is not None and seen[0].issuperset(wanted):
            held = seen[1]
            return {d: held[d] for d in wanted if d in held}
        i, start, end = self._positioned(fieldname, btext)
        if i < 0:
            return {} if i == -1 else None
        if end - start <= _SHORT:
            out = self._positions_short(i, start, end, wanted)
        elif len(wanted) <= _FEW:
            out = self._positions_few(i, start, end, wanted)
        else:
            if prepared is None:
                prepared = Wanted(np.asarray(wanted, dtype=np.int64))
            docs = prepared.docs
            hit, at = self._locate(start, end, prepared)
            out = {}
            if hit.any():
                los, his = self._bounds(i, start, at[hit])
                out = self._slices(docs[hit].tolist(), los.tolist(), his.tolist())
        if len(wanted) > _SEEN_DOCS:  # a phrase's candidates: not kept
            return out
        if len(self._seen) >= _SEEN_KEPT:
            self._seen.clear()
        self._seen[key] = (frozenset(wanted), out)
        return dict(out)

    def _slices(self, docs: list[int], los: list[int], his: list[int]) -> dict[int, list[int]]:
        """{document: its positions} from where each document's positions start and end
        (ascending): one read of the positions from the first to the last when they lie
        close together (fewer than ``_BLOCK_PER_DOC`` a document), then Python slices of
        it, rather than a numpy slice and list per document."""
        found = self._positions
        lo0, hi1 = los[0], his[-1]
        if hi1 - lo0 > _BLOCK_PER_DOC * len(docs):  # far apart: each document's own
            return {d: found[lo:hi].tolist() for d, lo, hi in zip(docs, los, his, strict=True)}
        block = found[lo0:hi1].tolist()
        return {d: block[lo - lo0 : hi - lo0] for d, lo, hi in zip(docs, los, his, strict=True)}

    def _positioned(self, fieldname: str, btext: bytes) -> tuple[int, int, int]:
        """(row, first posting, end) of a term with positions; row -1 when the segment
        lacks the term, -2 when it keeps no positions for it."""
        i = self._find(fieldname, btext)
        if i < 0:
            return -1, 0, 0
        if self._pstart_of[i] == _NO_POSITIONS:
            return -2, 0, 0
        start = self._start_of[i]
        return i, start, start + self._count_of[i]

    def _positions_short(self, i: int, start: int, end: int, docs) -> dict[int, list[int]]:
        """``positions`` of a short list in plain integers: the whole list and its
        positions read as two slices and walked once, where ``_locate`` and ``_bounds``
        would cost a dozen numpy calls of a few microseconds each (most query words of a
        first-time search have lists this short)."""
        high = self._one_high
        if high is None:
            held = self._docs(start, end).tolist()
        elif high:
            held = [d + (high << 16) for d in self._lows[start:end].tolist()]
        else:
            held = self._lows[start:end].tolist()
        weights = self._weights[start:end].tolist()
        if self._float_weights:  # float32 weights: whole numbers here (positions counted)
            weights = [int(w) for w in weights]
        wanted = set(docs)
        first = self._pfirst_of[i]  # the term's positions, one list after the other
        found = self._positions[first : first + sum(weights)].tolist()
        out: dict[int, list[int]] = {}
        at = 0
        for d, w in zip(held, weights, strict=True):
            if d in wanted:
                out[d] = found[at : at + w]
            at += w
        return out

    def position_arrays(self, fieldname: str, btext: bytes,
                        docs: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """``positions`` as two flat int64 arrays (the document of each position, the
        position), for a check over many documents in numpy (a phrase's matches); None
        when the sidecar keeps no positions for ``fieldname``."""
        if fieldname not in POSITION_FIELDS:
            return None
        i = self._find(fieldname, btext)
        empty = np.zeros(0, dtype=np.int64)
        if i < 0 or not len(docs):
            return empty, empty
        if self._pstart_of[i] == _NO_POSITIONS:
            return None
        start = self._start_of[i]
        docs = np.asarray(docs, dtype=np.int64)
        hit, at = self._locate(start, start + self._count_of[i], docs)
        if not hit.any():
            return empty, empty
        los, his = self._bounds(i, start, at[hit])
        sizes = his - los
        ends = np.cumsum(sizes)
        where = np.repeat(los - (ends - sizes), sizes) + np.arange(int(ends[-1]))
        return np.repeat(docs[hit], sizes), self._positions[where].astype(np.int64)

    def _positions_few(self, i: int, start: int, end: int,
                       docs: list[int]) -> dict[int, list[int]]:
        """``positions`` of a few documents (ascending) of a long list, in plain integers:
        each found by ``bisect`` over the mapped low bits of its run, its positions by the
        nearest mark plus the weights since (``_bounds`` for one), where ``_locate`` and
        ``_bounds`` cost some twenty numpy calls whatever the count (proximity asks a
        segment for the handful of its 30 best documents it holds, a snippet for one)."""
        spans = {h: (a, b) for a, b, h in self._runs(start, end)}
        lows, weights, marks = self._low_view, self._weight_view, self._mark_view
        found = self._position_view
        pstart = self._pstart_of[i]
        whole = not self._float_weights
        out: dict[int, list[int]] = {}
        for doc in docs:
            span = spans.get(doc >> 16)
            if span is None:
                continue
            low, b = doc & 0xFFFF, span[1]
            at = bisect_left(lows, low, span[0], b)
            if at == b or lows[at] != low:
                continue
            ppost = pstart + at - start
            mark = ppost // _MARK_EVERY * _MARK_EVERY
            if mark >= pstart:
                lo, first = marks[ppost // _MARK_EVERY], start + mark - pstart
            else:
                lo, first = self._pfirst_of[i], start
            if whole:
                lo += sum(weights[first:at])
                out[doc] = found[lo : lo + weights[at]].tolist()
            else:  # float32 weights: whole numbers here (positions counted)
                lo += int(sum(weights[first:at]))
                out[doc] = found[lo : lo + int(weights[at])].tolist()
        return out

    def layout(self, fieldname: str, doc: int) -> tuple[int, np.ndarray, np.ndarray] | None:
        """(first position, gaps, lengths) of a document's tokens in ``fieldname``
        (``layouts``), or None when the sidecar keeps none for it."""
        found = self._layouts.get(fieldname)
        if found is None:
            return None
        bounds, firsts, gaps, lengths, escaped_at, escaped = found
        first = int(firsts[doc])
        if first == layouts.NONE:
            return None
        lo, hi = int(bounds[doc]), int(bounds[doc + 1])
        out = gaps[lo:hi].astype(np.uint16)
        i, j = (int(x) for x in escaped_at.searchsorted(np.array([lo, hi], dtype=np.uint64)))
        if j > i:
            out[(escaped_at[i:j] - np.uint64(lo)).astype(np.int64)] = escaped[i:j]
        return first, out, lengths[lo:hi]

    def layouts_of(self, fieldname: str, docs: np.ndarray):
        """``layout`` of several documents (ascending) at once, for a page's snippets: their
        firsts (``layouts.NONE`` for a text without a layout, which takes no token), every
        token's gap and length one document after the other, and each document's token
        count; None when the sidecar keeps no layout of ``fieldname``. A dozen numpy calls
        for the page instead of a dozen per document."""
        found = self._layouts.get(fieldname)
        if found is None:
            return None
        bounds, firsts, gaps, lengths, escaped_at, escaped = found
        first = firsts[docs]
        lo, hi = bounds[docs], bounds[docs + 1]
        hi = np.where(first == layouts.NONE, lo, hi)
        sizes = (hi - lo).astype(np.int64)
        ends = np.cumsum(sizes)
        index = np.repeat(lo.astype(np.int64) - (ends - sizes), sizes) + np.arange(int(ends[-1]))
        out = gaps[index].astype(np.uint16)
        i, j = escaped_at.searchsorted(lo), escaped_at.searchsorted(hi)
        for k in np.flatnonzero(j > i).tolist():  # gaps of 255 or more: a few per archive
            a, b = int(i[k]), int(j[k])
            at = (escaped_at[a:b] - lo[k]).astype(np.int64) + int(ends[k] - sizes[k])
            out[at] = escaped[a:b]
        return first.tolist(), out, lengths[index], sizes.tolist()

    def postings(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """(segment document numbers int64, weights float64), or None when the segment does
        not hold the term."""
        i = self._find(fieldname, btext)
        if i < 0:
            return None
        start = self._start_of[i]
        end = start + self._count_of[i]
        return self._docs(start, end), self._weights[start:end].astype(np.float64)

    def postings_at(self, fieldname: str, btext: bytes,
                    docs: np.ndarray | Wanted) -> tuple[np.ndarray, np.ndarray]:
        """``postings`` restricted to ``docs`` (segment numbers, ascending, or a ``Wanted``
        made of them once for every term looked up at them): a binary search of each into
        the mapped list, so only the pages holding them are read."""
        wanted = docs if isinstance(docs, Wanted) else Wanted(np.asarray(docs, dtype=np.int64))
        i = self._find(fieldname, btext)
        size = wanted.docs.size
        if i < 0 or not size:
            return _NO_DOCS, _NO_WEIGHTS
        start = self._start_of[i]
        end = start + self._count_of[i]
        if end - start <= _READ_WHOLE * size and int(wanted.docs[-1]) < self.doc_count:
            # the candidates are many for this list: its documents read in order, kept
            # where the candidates' mask says (the same postings, in the same order)
            held = self._docs(start, end)
            keep = wanted.mask(self.doc_count)[held]
            return held[keep], self._weights[start:end][keep].astype(np.float64)
        hit, at = self._locate(start, end, wanted)
        return wanted.docs[hit], self._weights[start:][at[hit]].astype(np.float64)

    def release(self) -> None:
        """Lets go of the resident pages of the map (read again from the page cache when
        next touched); the arrays over it stay valid."""
        try:
            self._mm.madvise(mmap.MADV_DONTNEED)
        except (AttributeError, ValueError, OSError):  # closed, or no madvise here
            pass

    def close(self) -> None:
        self._mm.close()


def open_sidecar(leaf) -> SidecarReader | None:
    """The sidecar of a segment reader, or None (missing, unreadable or not this segment's)."""
    try:
        reader = SidecarReader(sidecar_path(_folder(leaf), leaf.segment()))
    except (OSError, ValueError, AttributeError):
        return None
    if reader.doc_count != leaf.doc_count_all():
        reader.close()
        return None
    return reader


_NO_SIDECAR = object()


def sidecar_of(leaf) -> SidecarReader | None:
    """A segment reader's sidecar, looked up once and kept as long as the reader lives."""
    found = getattr(leaf, "_loupe_sidecar", None)
    if found is None:
        found = open_sidecar(leaf) or _NO_SIDECAR
        leaf._loupe_sidecar = found
    return None if found is _NO_SIDECAR else found


def doc_frequency(reader, fieldname: str, text) -> int:
    """``reader.doc_frequency(fieldname, text)`` (postings written, deleted documents
    included), from the sidecars' dictionaries where the segments have them: a hash and a
    binary search in memory instead of Whoosh's on-disk hash table (a seek and a read per
    probe, since segments are read through their files); the last ``_COUNTS_KEPT`` asked
    are remembered on the reader (a query asks each word in several fields, several
    times; a reader reads one generation)."""
    memo = getattr(reader, "_loupe_frequencies", None)
    if memo is None:
        memo = reader._loupe_frequencies = {}
    key = (fieldname, text)
    found = memo.get(key)
    if found is not None:
        return found
    if fieldname not in reader.schema:
        return reader.doc_frequency(fieldname, text)
    try:
        btext = reader.schema[fieldname].to_bytes(text)
    except Exception:  # Whoosh's own kind for a text a date field cannot read ('')
        return 0  # a text the field cannot hold has no postings
    total = 0
    for leaf, _offset in reader.leaf_readers():
        sidecar = sidecar_of(leaf)
        total += (
            leaf.doc_frequency(fieldname, btext) if sidecar is None
            else sidecar.count(fieldname, btext)
        )
    if len(memo) >= _COUNTS_KEPT:
        memo.clear()
    memo[key] = total
    return total


def doc_frequencies(reader, pairs) -> None:
    """``doc_frequency`` of many (field, text) terms at once, remembered for the calls that
    follow (the work estimate, the common words, the idf, "did you mean", the words to
    mark): each segment's sidecar finds them all in one pass (``SidecarReader.find_many``).
    The same counts as asking them one at a time (``tests/test_first_time.py``)."""
    memo = getattr(reader, "_loupe_frequencies", None)
    if memo is None:
        memo = reader._loupe_frequencies = {}
    schema = reader.schema
    todo: dict[tuple[str, bytes], tuple[str, str]] = {}
    for fieldname, text in pairs:
        if (fieldname, text) in memo or fieldname not in schema:
            continue
        try:
            btext = schema[fieldname].to_bytes(text)
        except Exception:  # noqa: BLE001 - as ``doc_frequency``: asked alone, it says 0
            continue
        todo[(fieldname, btext)] = (fieldname, text)
    if not todo:
        return
    keys = list(todo)
    totals = [0] * len(keys)
    for leaf, _offset in reader.leaf_readers():
        sidecar = sidecar_of(leaf)
        if sidecar is None:
            return  # Whoosh's table, one term at a time, as ``doc_frequency`` does
        counts = sidecar._count_of
        for k, row in enumerate(sidecar.find_many(keys)):
            if row >= 0:
                totals[k] += counts[row]
    if len(memo) + len(keys) > _COUNTS_KEPT:
        memo.clear()
    for key, total in zip(keys, totals, strict=True):
        memo[todo[key]] = total


def _folder(leaf) -> Path:
    """The index folder of a segment reader (a compound segment reads through an overlay)."""
    storage = leaf._storage
    return Path(getattr(storage, "folder", None) or storage.b.folder)


def write_sidecar(folder: Path, leaf) -> Path:
    """Writes one segment's sidecar from its Whoosh postings (cost: that segment's postings).

    Document numbers, weights and positions are streamed to scratch files term by term, so
    memory holds only the term dictionary; the file appears under its final name by one
    rename. Raises ValueError for a segment a sidecar cannot hold exactly (a weight that is
    not its posting's count of positions, two terms of one hash): it is read Whoosh's way.
    """
    folder = Path(folder)
    final = sidecar_path(folder, leaf.segment())
    scratch = scratch_paths(final)
    hashes, checks, starts, counts, pstarts = (array("Q"), array("I"), array("Q"), array("I"),
                                               array("Q"))
    total = 0
    whole, top = True, 0.0
    terms = w3.terms_of(leaf)
    schema = leaf.schema
    positioned = {n for n in POSITION_FIELDS if n in schema
                  and type(schema[n].format) is formats.Positions}
    docs_buf, weights_buf = array("I"), array("f")  # Whoosh's own types: no conversion
    values_buf: list[bytes] = []  # Whoosh's encoded positions, decoded a batch at a time
    pweights_buf = array("f")  # the weights of the postings ``values_buf`` holds
    n_pposts = n_pos = 0
    pos_top = 0
    digest = hashlib.blake2b

    def flush(fd, fw, fp, fe) -> None:
        nonlocal whole, top, n_pos, pos_top
        if values_buf:
            lengths, positions = decode_positions(values_buf)
            # A copy, not ``np.frombuffer``: a view exports the buffer until it is freed,
            # and a sampling profiler holding the frame it was passed to (Dask's, on a
            # worker) kept it alive: ``del pweights_buf[:]`` below then raised BufferError
            # (seen once in tests/test_distributed.py, on a loaded machine).
            if not np.array_equal(lengths, np.array(pweights_buf, dtype=np.float32)):
                # format 6 keeps no position bounds: they are the running sum of the weights
                raise ValueError("a weight is not its posting's count of positions")
            if positions.size:
                pos_top = max(pos_top, int(positions.max()))
            fp.write(positions.astype(np.uint32).tobytes())
            fe.write((np.cumsum(lengths) + n_pos).astype(np.uint64).tobytes())
            n_pos += int(positions.size)
            values_buf.clear()
            del pweights_buf[:]
        if not weights_buf:
            return
        w = np.array(weights_buf, dtype=np.float32)  # a copy: the buffer is emptied below
        if whole:
            whole = bool(np.all(w == np.floor(w))) and float(w.min()) >= 0
            top = max(top, float(w.max()))
        fd.write(docs_buf.tobytes())
        fw.write(weights_buf.tobytes())
        del docs_buf[:], weights_buf[:]

    try:
        with (open(scratch["docs"], "wb") as fd, open(scratch["weights"], "wb") as fw,
              open(scratch["pos"], "wb") as fp, open(scratch["ends"], "wb") as fe):
            for (fieldname, btext), info in terms.items():
                m = w3.postings_reader(leaf, info, fieldname, btext)
                before = len(docs_buf)
                with_positions = fieldname in positioned
                if w3.is_w3_matcher(m):  # the common case, whole blocks, no numpy per term
                    for ids, ws, vals in w3.blocks(m, values=with_positions):
                        docs_buf.extend(
                            ids if type(ids) is array and ids.typecode == "I" else array("I", ids)
                        )
                        weights_buf.extend(
                            ws
                            if type(ws) is array and ws.typecode == "f"
                            else _float32s(ws, fieldname, btext)
                        )
                        if with_positions:
                            values_buf.extend(vals)
                else:
                    if with_positions:
                        values_buf.extend(_values(leaf, fieldname, btext, info))
                    ids, ws = decode_matcher(m)
                    docs_buf.extend(array("I", ids.tolist()))
                    weights_buf.extend(_float32s(ws.tolist(), fieldname, btext))
                count = len(docs_buf) - before
                if with_positions:
                    pweights_buf.extend(weights_buf[before:])
                d = digest(fieldname.encode("utf-8") + b"\x00" + btext, digest_size=12).digest()
                hashes.append(int.from_bytes(d[:8], "little"))
                checks.append(int.from_bytes(d[8:], "little"))
                starts.append(total)
                counts.append(count)
                pstarts.append(n_pposts if with_positions else int(_NO_POSITIONS))
                n_pposts += count if with_positions else 0
                total += count
                if len(docs_buf) >= _CHUNK or len(values_buf) >= _VALUES_CHUNK:
                    flush(fd, fw, fp, fe)
            flush(fd, fw, fp, fe)
        n_docs = leaf.doc_count_all()
        table = Terms(hashes, checks, starts, counts, pstarts)
        assemble(final, scratch, table, Totals(total, n_pposts, n_pos, whole, top, pos_top),
                 n_docs, lambda: _layouts(leaf, n_docs, scratch))
    finally:
        for path in scratch.values():
            path.unlink(missing_ok=True)
    return final


def scratch_paths(final: Path) -> dict[str, Path]:
    """The scratch files a sidecar is assembled from (``assemble``), beside it: document
    numbers (uint32), weights (float32), positions (uint32), where each positioned
    posting's positions end (uint64), and each layout field's gaps (uint16) and lengths
    (uint8), in the segment's term order. Their names start with a dot: a segment being
    written packs every file named after it into its compound file."""
    return {
        n: final.with_name(f".{final.name}.{n}.tmp")
        for n in ("docs", "weights", "pos", "ends",
                  *(f"{f}.{part}" for f in layouts.LAYOUT_FIELDS for part in ("gaps", "lengths")))
    }


@dataclass
class Terms:
    """The term dictionary of a sidecar being written, in the segment's term order: the
    hashes and checks of ``term_hash``, each term's first posting and count, and its first
    positioned posting (``_NO_POSITIONS`` for a field whose positions are not kept)."""

    hashes: array
    checks: array
    starts: array
    counts: array
    pstarts: array


@dataclass
class Totals:
    """What the header says of the postings in the scratch files."""

    postings: int
    positioned: int  # positioned postings
    positions: int
    whole: bool  # every weight a whole number >= 0
    top: float  # the largest weight (meaningful when ``whole``)
    pos_top: int  # the largest position


def assemble(final: Path, scratch: dict[str, Path], terms: Terms, totals: Totals, n_docs: int,
             laid) -> Path:
    """Writes the sidecar ``final`` from its scratch files (``scratch_paths``), whoever
    gathered them: Whoosh's blocks (``write_sidecar``), a segment writer's memory, the
    sidecars of merged segments (``sidecar_build``). ``laid()`` writes the layout scratch
    files and returns {field: (token bounds per document, first positions)}; it is called
    only once the dictionary is known to be usable. The same inputs give the same bytes."""
    whole, top = totals.whole, totals.top
    wcode = 2 if not whole else (0 if top < 256 else 1 if top < 65536 else 2)
    pcode = 0 if totals.pos_top < 65536 else 1
    all_hashes = np.frombuffer(terms.hashes, dtype=np.uint64)
    order = np.argsort(all_hashes, kind="stable")
    if np.any(np.diff(all_hashes[order]) == 0):
        # Two terms of this segment share a hash (odds ~1e-8 at a million terms): no
        # sidecar, so the segment is read Whoosh's way and never gives wrong postings.
        raise ValueError("two terms share a hash")
    n_pposts = totals.positioned
    found = laid()
    tmp = final.with_name(final.name + ".tmp")
    try:
        with open(tmp, "wb") as out:
            head = _HEADER.pack(MAGIC, VERSION, wcode, all_hashes.size, totals.postings, n_docs,
                                0, n_pposts, totals.positions, pcode)
            out.write(b"\x00" * (len(head) + _LAYOUT_COUNTS.size + _COUNTS_6.size))
            _section(out, all_hashes[order])
            _section(out, np.frombuffer(terms.checks, dtype=np.uint32)[order])
            _section(out, np.frombuffer(terms.starts, dtype=np.uint64)[order])
            _section(out, np.frombuffer(terms.counts, dtype=np.uint32)[order])
            n_runs = _write_docs(out, scratch["docs"])
            _copy(out, scratch["weights"], np.float32, _WEIGHT_TYPES[wcode])
            term_pstarts = np.frombuffer(terms.pstarts, dtype=np.uint64)
            _section(out, term_pstarts[order])
            kept = term_pstarts != _NO_POSITIONS
            pfirsts = np.zeros(all_hashes.size, dtype=np.uint64)
            pfirsts[kept] = _bounds_at(scratch["ends"], term_pstarts[kept].astype(np.int64))
            _section(out, pfirsts[order])
            _section(out, _bounds_at(scratch["ends"], np.arange(0, n_pposts + 1, _MARK_EVERY)))
            _copy(out, scratch["pos"], np.uint32, np.uint16 if pcode == 0 else np.uint32)
            escaped = []
            for name, (doc_bounds, firsts) in found.items():
                _section(out, doc_bounds)
                _section(out, firsts)
                at, gaps = _write_gaps(out, scratch[f"{name}.gaps"])
                _copy(out, scratch[f"{name}.lengths"], np.uint8, np.uint8)
                _section(out, at)
                _section(out, gaps)
                escaped.append(at.size)
            out.seek(0)
            out.write(head)
            out.write(_LAYOUT_COUNTS.pack(*(int(b[-1]) for b, _f in found.values())))
            out.write(_COUNTS_6.pack(n_runs, *escaped))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    return final


def _bounds_at(path: Path, at: np.ndarray) -> np.ndarray:
    """Where the positions of the positioned postings ``at`` start, from the scratch file
    of where each ends (read through a map: only the pages asked for)."""
    out = np.zeros(at.size, dtype=np.uint64)
    later = at > 0
    if later.any():
        ends = np.memmap(path, dtype=np.uint64, mode="r")
        out[later] = ends[at[later] - 1]
        del ends
    return out


def _write_docs(out, path: Path) -> int:
    """Appends the document numbers of a scratch file (uint32) as their low 16 bits, then
    the runs of their high bits (where each starts, uint64; its high bits, uint16): a list
    is ascending, so its numbers change high bits at most once per 65,536 documents, and a
    number costs 2 bytes instead of 4. Returns the count of runs."""
    run_starts, run_highs = [], []
    written, last = 0, -1
    with open(path, "rb") as fh:
        while True:
            chunk = np.frombuffer(fh.read(_CHUNK * 4), dtype=np.uint32)
            if not chunk.size:
                break
            highs = (chunk >> 16).astype(np.int64)
            change = np.flatnonzero(np.diff(highs, prepend=last) != 0)
            run_starts.append(change.astype(np.uint64) + np.uint64(written))
            run_highs.append(highs[change].astype(np.uint16))
            last = int(highs[-1])
            out.write((chunk & 0xFFFF).astype(np.uint16).tobytes())
            written += chunk.size
    out.write(b"\x00" * (-written * 2 % 8))
    starts = np.concatenate(run_starts) if run_starts else np.zeros(0, np.uint64)
    _section(out, starts)
    _section(out, np.concatenate(run_highs) if run_highs else np.zeros(0, np.uint16))
    return int(starts.size)


def _write_gaps(out, path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Appends a layout's gaps (uint16 scratch) as one byte each, ``_ESCAPE`` for a gap of
    that many characters or more (a paragraph's indent, a table: rare; most gaps are one
    space); returns the escaped gaps' token numbers and values, kept apart."""
    at, gaps = [], []
    written = 0
    with open(path, "rb") as fh:
        while True:
            chunk = np.frombuffer(fh.read(_CHUNK * 2), dtype=np.uint16)
            if not chunk.size:
                break
            wide = np.flatnonzero(chunk >= _ESCAPE)
            at.append(wide.astype(np.uint64) + np.uint64(written))
            gaps.append(chunk[wide])
            out.write(np.minimum(chunk, _ESCAPE).astype(np.uint8).tobytes())
            written += chunk.size
    out.write(b"\x00" * (-written % 8))
    return (np.concatenate(at) if at else np.zeros(0, np.uint64),
            np.concatenate(gaps) if gaps else np.zeros(0, np.uint16))


def _layouts(leaf, n_docs: int, scratch: dict[str, Path]) -> dict:
    """Each ``layouts.LAYOUT_FIELDS`` field's token layout of every document of the segment
    (deleted ones too: numbers stay the segment's), its gaps and lengths streamed to scratch
    files; {field: (token bounds per document, first positions)}."""
    schema = leaf.schema
    names = [n for n in layouts.LAYOUT_FIELDS if n in schema and schema[n].stored
             and type(schema[n].format) is formats.Positions]
    bounds = {n: np.zeros(n_docs + 1, dtype=np.uint64) for n in layouts.LAYOUT_FIELDS}
    firsts = {n: np.full(n_docs, layouts.NONE, dtype=np.uint32) for n in layouts.LAYOUT_FIELDS}
    handles = {k: open(p, "wb") for k, p in scratch.items() if k.endswith(("gaps", "lengths"))}
    try:
        for doc in range(n_docs if names else 0):
            stored = leaf.stored_fields(doc)
            for name in names:
                text = stored.get(name) or ""
                first, gaps, lengths = layouts.layout(text if isinstance(text, str) else "")
                firsts[name][doc] = first
                handles[f"{name}.gaps"].write(gaps.tobytes())
                handles[f"{name}.lengths"].write(lengths.tobytes())
                bounds[name][doc + 1] = bounds[name][doc] + gaps.size
    finally:
        for fh in handles.values():
            fh.close()
    out = {n: (bounds[n], firsts[n]) for n in layouts.LAYOUT_FIELDS}
    return out


def _values(leaf, fieldname: str, btext: bytes, info) -> list[bytes]:
    """The encoded values of a posting list Whoosh keeps inline with its term."""
    m = leaf._codec.postings_reader(
        leaf._terms._postfile, info, leaf.schema[fieldname].format, term=(fieldname, btext)
    )
    if isinstance(m, FilterMatcher):
        m = m.child
    out = []
    while m.is_active():
        out.append(m.value())
        m.next()
    return out


_COUNT = itemgetter(slice(0, 4))
_PICKLE = itemgetter(slice(4, -1))  # the pickle of the deltas without its STOP opcode


def decode_positions(values: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
    """(positions per value, all positions end to end) of Whoosh ``Positions`` values
    (``pack_uint(count) + pickle.dumps(deltas, 2)``), what ``decode_positions`` gives each.

    The pickles are joined into one list of lists, unpickled at once and delta-decoded
    with numpy; the counts the values carry check the result, and a batch that does not
    match (a value in another encoding) is decoded one value at a time.
    """
    counts = np.frombuffer(b"".join(map(_COUNT, values)), dtype=">u4").astype(np.int64)
    try:
        lists = pickle.loads(b"\x80\x02(" + b"".join(map(_PICKLE, values)) + b"l.")
        lengths = np.fromiter(map(len, lists), dtype=np.int64, count=len(lists))
        ok = lengths.size == counts.size and bool(np.array_equal(lengths, counts))
    except Exception:  # noqa: BLE001 - any other encoding: the slow path below
        ok = False
    if not ok:
        fmt = formats.Positions()
        decoded = [fmt.decode_positions(v) for v in values]
        lengths = np.fromiter(map(len, decoded), dtype=np.int64, count=len(decoded))
        flat = np.fromiter(chain.from_iterable(decoded), dtype=np.int64, count=int(lengths.sum()))
        return lengths, flat
    deltas = np.fromiter(chain.from_iterable(lists), dtype=np.int64, count=int(lengths.sum()))
    summed = np.cumsum(deltas)
    before = np.concatenate(([0], summed))[np.cumsum(lengths) - lengths]
    return lengths, summed - np.repeat(before, lengths)


def _float32s(values, fieldname: str, btext: bytes) -> array:
    """Weights as float32, the type Whoosh stores them in; refuses one float32 would change."""
    out = array("f", values)
    if list(out) != [float(v) for v in values]:
        raise ValueError(f"{fieldname}:{btext!r}: a weight float32 cannot hold")
    return out


def _section(out, data: np.ndarray) -> None:
    out.write(data.tobytes())
    out.write(b"\x00" * (-data.nbytes % 8))


def _copy(out, path: Path, src, dst, lead: int = 0) -> None:
    """Appends a scratch file's values converted to ``dst``, a chunk at a time (``lead``:
    bytes of the section already written, for its padding)."""
    written = lead
    with open(path, "rb") as fh:
        while True:
            chunk = np.frombuffer(fh.read(_CHUNK * np.dtype(src).itemsize), dtype=src)
            if not chunk.size:
                break
            data = chunk.astype(dst)
            out.write(data.tobytes())
            written += data.nbytes
    out.write(b"\x00" * (-written % 8))


def write_segment_sidecar(folder: str, segment) -> Path | None:
    """The sidecar of one segment of the index in ``folder``, from its description (what a
    forked process of a build is given), unless it has a current one already; None for a
    segment whose weights a sidecar cannot hold exactly (read Whoosh's way)."""
    from whoosh.filedb.filestore import FileStorage
    from whoosh.reading import SegmentReader

    storage = FileStorage(str(folder), supports_mmap=False)  # see ``write_missing``
    leaf = SegmentReader(storage, storage.open_index().schema, segment)
    try:
        if not hasattr(leaf, "_terms") or leaf.doc_count_all() == 0:
            return None  # as ``write_missing``: nothing a sidecar could hold
        found = open_sidecar(leaf)
        if found is not None:  # written by the segment's writer (``sidecar_build``)
            del found  # its arrays hold the map open until they go
            return sidecar_path(Path(folder), segment)
        return write_sidecar(Path(folder), leaf)
    except ValueError:
        return None
    finally:
        leaf.close()


def is_current(folder: Path, segment) -> bool:
    """Whether the segment has a sidecar of this format for its documents (its header
    read, nothing mapped)."""
    try:
        with open(sidecar_path(Path(folder), segment), "rb") as fh:
            head = fh.read(_HEADER.size)
        magic, version, _w, _t, _p, n_docs, *_rest = _HEADER.unpack(head)
    except (OSError, struct.error):
        return False
    return magic == MAGIC and version == VERSION and n_docs == segment.doc_count_all()


def write_missing(folder: Path) -> list[Path]:
    """Sidecars for the segments of the Whoosh index in ``folder`` that lack one (or have
    one of an older format): called before a generation is published, so the work is that
    of the new segments only (and, once, of those whose sidecar predates format 5)."""
    from whoosh.filedb.filestore import FileStorage

    folder = Path(folder)
    # Without memory maps: Whoosh copies a mapped segment into each reader, so opening
    # every segment of a large index cost an update about 1 GB at 100,000 articles.
    ix = FileStorage(str(folder), supports_mmap=False).open_index()
    written = []
    with ix.reader() as reader:
        for leaf, _offset in reader.leaf_readers():
            if not hasattr(leaf, "_terms") or leaf.doc_count_all() == 0:
                continue
            found = open_sidecar(leaf)
            if found is not None:
                current = found.version == VERSION
                del found  # its arrays hold the map open until they go
                if current:
                    continue  # else of an older format: rewritten once, with the layouts
            try:
                written.append(write_sidecar(folder, leaf))
            except ValueError:
                continue  # weights we cannot hold exactly: this segment is read Whoosh's way
    return written


def outdated(folder: Path) -> bool:
    """Whether a sidecar in ``folder`` is of an older format (not read: its segment is
    searched Whoosh's way until ``write_missing`` rewrites it). Reads each one's header."""
    for path in Path(folder).glob("*" + SUFFIX):
        try:
            with open(path, "rb") as fh:
                head = fh.read(12)
        except OSError:
            continue
        if head[:8] == MAGIC and int.from_bytes(head[8:12], "little") != VERSION:
            return True
    return False


def sidecar_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).glob("*" + SUFFIX))
