"""Posting lists as flat arrays numpy maps from disk: the cold path of a search.

Whoosh keeps each posting list as pickled, zlib-compressed blocks; decoding a term that is
not cached yet costs a Python loop per block, and with a bounded posting cache (issue 11)
that cold path is what users feel. So each segment gets one sidecar file beside Whoosh's,
``<segment id>.lpm`` (``MAIN_abc123.lpm``), written once when the segment is published and
never changed afterwards (segments are immutable; deletions live in Whoosh's TOC and are
masked by the caller, as for Whoosh's own postings):

- a 64-byte header: magic, format version, term and posting counts, the segment's document
  count and the weights' dtype;
- the term dictionary: 64-bit BLAKE2b hashes of ``field NUL term`` sorted, with, in the same
  order, 32 more bits of the hash as a check, the first posting and the count of each term.
  No keys (they would double the dictionary): a segment where two terms share the 64-bit
  hash gets no sidecar, and a term the segment lacks is taken for one it holds only if
  both hashes agree by chance, about one lookup in 2^96 / terms (10^22 at a million terms);
- the document numbers (relative to the segment: uint16 when it holds at most 65,536
  documents, as the segments of a parallel build of a few tens of thousands do, else
  uint32) and the weights (uint8 or uint16
  when every weight is a small whole number, as term frequencies are, else float32, the
  type Whoosh itself stores), each list in Whoosh's own order.

A lookup is a binary search over the mapped hashes and two slices: no decompression, no
Python loop. The name matches Whoosh's segment file pattern, so Whoosh's own clean-up deletes
a sidecar with its segment, and ``Segment.list_files`` lists it with the segment's files.
A segment without a sidecar (an index written before this format, a write that failed) is
read Whoosh's way: ``decode_matcher`` is that path, and ``tests/test_postings_mmap.py``
checks that both give the same arrays for every term.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import struct
from array import array
from pathlib import Path

import numpy as np
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching.wrappers import FilterMatcher

SUFFIX = ".lpm"
MAGIC = b"LOUPEPM1"
VERSION = 3
# magic, version, weights' dtype code, terms, postings, documents, documents' dtype code
_HEADER = struct.Struct("<8sIIQQQI20x")
_WEIGHT_TYPES = {0: np.uint8, 1: np.uint16, 2: np.float32}
_CHUNK = 1 << 20  # postings copied at a time when the file is assembled


def sidecar_path(folder: Path, segment) -> Path:
    return Path(folder) / segment.make_filename(SUFFIX)


def term_hash(fieldname: str, btext: bytes) -> tuple[int, int]:
    """A term's 64-bit key in the dictionary and an independent 32-bit check."""
    digest = hashlib.blake2b(fieldname.encode("utf-8") + b"\x00" + btext, digest_size=12).digest()
    return int.from_bytes(digest[:8], "little"), int.from_bytes(digest[8:], "little")


def raw_matcher(leaf, fieldname: str, btext: bytes):
    """A segment's matcher for a term without Whoosh's deleted-document filter, which would
    skip the deleted documents at the front (the caller masks them with the live set)."""
    return leaf._terms.matcher(fieldname, btext, leaf.schema[fieldname].format)


def decode_matcher(m) -> tuple[np.ndarray, np.ndarray]:
    """(segment document numbers, weights) of one posting list, Whoosh's blocks decoded one
    at a time: the path for segments without a sidecar, and what a sidecar is written from."""
    if isinstance(m, FilterMatcher):  # deleted documents: masked out by the caller
        m = m.child
    docs: list[np.ndarray] = []
    weights: list[np.ndarray] = []
    if isinstance(m, W3LeafMatcher):
        while m.is_active():
            m._read_ids()
            m._read_weights()
            docs.append(np.asarray(m._ids, dtype=np.int64))
            weights.append(np.asarray(m._weights, dtype=np.float64))
            m._next_block()
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


class SidecarReader:
    """One segment's sidecar, memory-mapped; the pages a lookup touches come from the OS's
    page cache, shared by every serving process and counted in none of their budgets."""

    def __init__(self, path: Path) -> None:
        with open(path, "rb") as fh:
            self._mm = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
        magic, version, wcode, n_terms, n_post, n_docs, dcode = _HEADER.unpack_from(self._mm, 0)
        if magic != MAGIC or version != VERSION or wcode not in _WEIGHT_TYPES or dcode > 1:
            raise ValueError(f"{path}: not a Loupe posting sidecar of version {VERSION}")
        self.doc_count = n_docs
        self.size = len(self._mm)
        pos = _HEADER.size
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
        self._docs = take(np.uint16 if dcode == 0 else np.uint32, n_post)
        self._weights = take(_WEIGHT_TYPES[wcode], n_post)
        if pos > len(buf):
            raise ValueError(f"{path}: truncated")

    def postings(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """(segment document numbers int64, weights float64), or None when the segment does
        not hold the term."""
        h, check = term_hash(fieldname, btext)
        i = int(self._hashes.searchsorted(np.uint64(h)))
        if i == self._hashes.size or int(self._hashes[i]) != h or int(self._checks[i]) != check:
            return None
        start = int(self._starts[i])
        end = start + int(self._counts[i])
        return self._docs[start:end].astype(np.int64), self._weights[start:end].astype(np.float64)

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


def _folder(leaf) -> Path:
    """The index folder of a segment reader (a compound segment reads through an overlay)."""
    storage = leaf._storage
    return Path(getattr(storage, "folder", None) or storage.b.folder)


def write_sidecar(folder: Path, leaf) -> Path:
    """Writes one segment's sidecar from its Whoosh postings (cost: that segment's postings).

    Document numbers and weights are streamed to scratch files term by term, so memory
    holds only the term dictionary; the file appears under its final name by one rename.
    """
    folder = Path(folder)
    final = sidecar_path(folder, leaf.segment())
    tmp = final.with_name(final.name + ".tmp")
    docs_tmp = final.with_name(final.name + ".docs.tmp")
    weights_tmp = final.with_name(final.name + ".weights.tmp")
    hashes, checks, starts, counts = array("Q"), array("I"), array("Q"), array("I")
    total = 0
    whole, top = True, 0.0
    terms = leaf._terms
    schema = leaf.schema
    docs_buf, weights_buf = array("I"), array("f")  # Whoosh's own types: no conversion
    digest = hashlib.blake2b

    def flush(fd, fw) -> None:
        nonlocal whole, top
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
        with open(docs_tmp, "wb") as fd, open(weights_tmp, "wb") as fw:
            for (fieldname, btext), info in terms.items():
                m = leaf._codec.postings_reader(
                    terms._postfile, info, schema[fieldname].format, term=(fieldname, btext)
                )
                before = len(docs_buf)
                if type(m) is W3LeafMatcher:  # the common case, whole blocks, no numpy per term
                    while m.is_active():
                        m._read_ids()
                        m._read_weights()
                        ids, ws = m._ids, m._weights
                        docs_buf.extend(
                            ids if type(ids) is array and ids.typecode == "I" else array("I", ids)
                        )
                        weights_buf.extend(
                            ws
                            if type(ws) is array and ws.typecode == "f"
                            else _float32s(ws, fieldname, btext)
                        )
                        m._next_block()
                else:
                    ids, ws = decode_matcher(m)
                    docs_buf.extend(array("I", ids.tolist()))
                    weights_buf.extend(_float32s(ws.tolist(), fieldname, btext))
                count = len(docs_buf) - before
                d = digest(fieldname.encode("utf-8") + b"\x00" + btext, digest_size=12).digest()
                hashes.append(int.from_bytes(d[:8], "little"))
                checks.append(int.from_bytes(d[8:], "little"))
                starts.append(total)
                counts.append(count)
                total += count
                if len(docs_buf) >= _CHUNK:
                    flush(fd, fw)
            flush(fd, fw)
        wcode = 2 if not whole else (0 if top < 256 else 1 if top < 65536 else 2)
        all_hashes = np.frombuffer(hashes, dtype=np.uint64)
        order = np.argsort(all_hashes, kind="stable")
        if np.any(np.diff(all_hashes[order]) == 0):
            # Two terms of this segment share a hash (odds ~1e-8 at a million terms): no
            # sidecar, so the segment is read Whoosh's way and never gives wrong postings.
            raise ValueError("two terms share a hash")
        with open(tmp, "wb") as out:
            n_docs = leaf.doc_count_all()
            dcode = 0 if n_docs <= 65536 else 1
            out.write(_HEADER.pack(MAGIC, VERSION, wcode, len(hashes), total, n_docs, dcode))
            _section(out, np.frombuffer(hashes, dtype=np.uint64)[order])
            _section(out, np.frombuffer(checks, dtype=np.uint32)[order])
            _section(out, np.frombuffer(starts, dtype=np.uint64)[order])
            _section(out, np.frombuffer(counts, dtype=np.uint32)[order])
            _copy(out, docs_tmp, np.uint32, np.uint16 if dcode == 0 else np.uint32)
            _copy(out, weights_tmp, np.float32, _WEIGHT_TYPES[wcode])
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, final)
    finally:
        for scratch in (tmp, docs_tmp, weights_tmp):
            scratch.unlink(missing_ok=True)
    return final


def _float32s(values, fieldname: str, btext: bytes) -> array:
    """Weights as float32, the type Whoosh stores them in; refuses one float32 would change."""
    out = array("f", values)
    if list(out) != [float(v) for v in values]:
        raise ValueError(f"{fieldname}:{btext!r}: a weight float32 cannot hold")
    return out


def _section(out, data: np.ndarray) -> None:
    out.write(data.tobytes())
    out.write(b"\x00" * (-data.nbytes % 8))


def _copy(out, path: Path, src, dst) -> None:
    """Appends a scratch file's values converted to ``dst``, a chunk at a time."""
    written = 0
    with open(path, "rb") as fh:
        while True:
            chunk = np.frombuffer(fh.read(_CHUNK * np.dtype(src).itemsize), dtype=src)
            if not chunk.size:
                break
            data = chunk.astype(dst)
            out.write(data.tobytes())
            written += data.nbytes
    out.write(b"\x00" * (-written % 8))


def write_missing(folder: Path) -> list[Path]:
    """Sidecars for the segments of the Whoosh index in ``folder`` that lack one: called
    before a generation is published, so the work is that of the new segments only."""
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
            if open_sidecar(leaf) is None:
                try:
                    written.append(write_sidecar(folder, leaf))
                except ValueError:
                    continue  # weights we cannot hold exactly: this segment is read Whoosh's way
    return written


def sidecar_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in Path(folder).glob("*" + SUFFIX))
