"""A Whoosh segment writer that writes the same bytes as Whoosh's, several times faster.

Whoosh's ``SegmentWriter`` spends most of a fresh build in per-token and per-posting
Python calls: Token objects and generators from the analyzer through ``Format.word_values``,
a 5-tuple per posting in the ``PostingPool`` (sorted at commit), then for each posting
``start_term``/``add``/``finish_term`` and ``W3PostingsWriter.add_posting`` with its
asserts. ``FastSegmentWriter`` gets the French text views' terms straight from
``analysis.recall_positions``/``exact_counts`` (plain dicts), keeps each field's postings
flat in arrays as they come (a few C-level ``extend`` calls a document), and at commit
groups them by term with one stable numpy sort (document numbers only grow, so each term's
postings stay in order), computes every block's statistics with numpy, and pickles and
compresses each block as ``W3PostingsWriter`` does; term-info rows are ``W3TermInfo``'s.
The schema and its stored pickle do not change, and the segment is an ordinary W3 segment
that stock Whoosh reads: ``tests/test_fastwrite.py`` compares the files byte for byte.

Anything this writer does not know (merging other segments into it, term vectors, spelling
fields, another codec, boosts, pre-split values, more postings than ``limitmb``) goes
through Whoosh's own path, postings already gathered included.

With ``flushmb`` the writer streams: once the postings it gathered outgrow that budget it
writes them out as a finished segment and starts a new one (``flushed``), so its memory
stays bounded whatever the number of documents; ``commit`` lists every segment in the
TOC. Each flushed segment is written exactly as a writer given only its documents would
write it.
"""

from __future__ import annotations

import heapq
import struct
import zlib
from array import array
from hashlib import md5
from itertools import accumulate, chain, groupby, islice, pairwise, repeat
from operator import itemgetter
from pickle import dumps

import numpy as np
from whoosh import formats
from whoosh.codec.whoosh3 import (
    WHOOSH3_HEADER_MAGIC,
    W3FieldWriter,
    W3TermsReader,
)
from whoosh.columns import TranslatingColumnReader
from whoosh.filedb.filetables import md5_hash
from whoosh.system import emptybytes, pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import PostingPool, SegmentWriter

from search.analysis import FastFrenchAnalyzer, exact_counts, recall_positions
from search.index import blockcopy, postings_mmap, sidecar_build, w3
from search.index.sidecar_build import (
    Layouts,
    MergePlan,
    SidecarFiles,
    excl_sum,
    positioned_fields,
    spans,
)
from search.index.w3 import BYTE_TO_LENGTH, length_bytes

_pack_uint = struct.Struct("!I").pack
_TERMINFO = w3.pack_terminfo
_HASH_LENGTHS = struct.Struct("!ii").pack  # filetables.HashWriter's key and value lengths

# How a field's postings are gathered: by the fused analyzer (positions or frequencies) or
# by Whoosh's ``field.index`` (every other field).
_POSITIONS, _FREQUENCY, _GENERIC = 1, 2, 3

# pack_uint(1) + dumps([pos], 2): the value of a term seen once, by far the most common
# (shared objects are fine here: values are copied into the field's bytearray, and cut
# back out as distinct bytes objects, as pickle's memo must see them to match Whoosh)
_ONE_POSITION: dict[int, bytes] = {}


def _encode_positions(poslist: list[int]) -> bytes:
    """``formats.Positions.encode``: the count, then the pickled position deltas."""
    if len(poslist) == 1:
        pos = poslist[0]
        value = _ONE_POSITION.get(pos)
        if value is None:
            value = _ONE_POSITION[pos] = _pack_uint(1) + dumps([pos], 2)
        return value
    deltas = [b - a for a, b in pairwise(chain((0,), poslist))]
    return _pack_uint(len(deltas)) + dumps(deltas, 2)


_PENDING = 1 << 20  # positions gathered before they are encoded in bulk (~40 MB of numpy)
_BATCH = 1000  # pickle's APPENDS batch (``_pickle.c``: a list of more items is cut)
_K, _M, _J = ord("K"), ord("M"), ord("J")  # BININT1, BININT2, BININT
# pack_uint(count) | PROTO 2, EMPTY_LIST, BINPUT 0 | MARK | ... | APPENDS or APPEND | STOP
_HEAD = 9


def _encode_positions_bulk(counts: np.ndarray, positions: np.ndarray) -> tuple[bytes, np.ndarray]:
    """``_encode_positions`` of many position lists at once, end to end: (the values'
    bytes, each value's length). ``counts`` (int64) says how many of ``positions`` (int64,
    list after list) each holds. The bytes are ``pickle.dumps(deltas, 2)``'s, laid out by
    numpy: a call a list cost a third of the writer's time spent gathering postings."""
    n = counts.size
    if not n:
        return b"", np.zeros(0, np.int64)
    ends = np.cumsum(counts)
    firsts = ends - counts
    deltas = positions.copy()
    deltas[1:] -= positions[:-1]
    deltas[firsts] = positions[firsts]
    sizes = np.where(deltas < 256, 2, np.where(deltas < 65536, 3, 5))
    owner = np.repeat(np.arange(n), counts)  # the list of each position
    rank = np.arange(deltas.size) - firsts[owner]  # its place in its list
    many = counts > 1
    chunks = np.where(many, (counts + _BATCH - 1) // _BATCH, 0)
    item_bytes = np.add.reduceat(sizes, firsts)
    lengths = _HEAD + item_bytes + np.where(many, 2 * chunks, 1) + 1
    starts = np.cumsum(lengths) - lengths
    out = np.zeros(int(lengths.sum()), np.uint8)
    for shift, at in ((24, 0), (16, 1), (8, 2), (0, 3)):  # the count, big-endian
        out[starts + at] = (counts >> shift) & 255
    out[starts + 4], out[starts + 5], out[starts + 6] = 0x80, 2, ord("]")
    out[starts + 7], out[starts + 8] = ord("q"), 0
    before = np.cumsum(sizes) - sizes - (np.cumsum(item_bytes) - item_bytes)[owner]
    chunk = rank // _BATCH
    at = starts[owner] + _HEAD + before + np.where(many[owner], 2 * chunk + 1, 0)
    out[at] = np.where(sizes == 2, _K, np.where(sizes == 3, _M, _J))
    for shift, k, least in ((0, 1, 2), (8, 2, 3), (16, 3, 5), (24, 4, 5)):
        sel = sizes >= least
        out[at[sel] + k] = (deltas[sel] >> shift) & 255
    opens = many[owner] & (rank % _BATCH == 0)
    out[at[opens] - 1] = ord("(")
    closes = many[owner] & ((rank % _BATCH == _BATCH - 1) | (rank == counts[owner] - 1))
    out[at[closes] + sizes[closes]] = ord("e")
    single = ~many[owner]
    out[at[single] + sizes[single]] = ord("a")
    out[starts + lengths - 1] = ord(".")
    return out.tobytes(), lengths


def _plan(field) -> int:
    """Which way a field's postings are gathered (the fused analyzer only where it gives
    exactly what Whoosh's format would)."""
    analyzer = getattr(field, "analyzer", None)
    fmt = field.format
    if isinstance(analyzer, FastFrenchAnalyzer) and fmt.field_boost == 1.0:
        if type(fmt) is formats.Positions and not analyzer.exact:
            return _POSITIONS
        if type(fmt) is formats.Frequency and analyzer.exact:
            return _FREQUENCY
    return _GENERIC


class _Fused:
    """One fused field's postings, flat in arrival order: term numbers, documents,
    frequencies and, with positions, the encoded values end to end in one bytearray.

    A few bytes a posting and a handful of C-level ``extend`` calls a document; grouping
    by term waits for the commit (one stable numpy sort)."""

    def __init__(self, positions: bool, keep: bool = False) -> None:
        self.positions = positions
        # the positions themselves, list after list, for the segment's sidecar (``keep``)
        self.raw: array | None = array("I") if positions and keep else None
        self.ids: dict[str, int] = {}
        self.terms: list[str] = []
        self.tids = array("I")
        self.docs = array("I")
        self.freqs = array("I")
        self.blob = bytearray()
        self.ends = array("Q", [0])  # value i is blob[ends[i]:ends[i + 1]]
        # positions of the postings past those in ``blob``, list after list, encoded in
        # bulk once ``_PENDING`` of them are gathered (``_encode_positions_bulk``)
        self.pending = array("I")

    def __len__(self) -> int:
        return len(self.tids)

    def nbytes(self) -> int:
        """About the memory the postings take (arrays, values, the term table)."""
        raw = 4 * len(self.raw) if self.raw is not None else 0
        return (20 * len(self.tids) + len(self.blob) + 4 * len(self.pending) + raw
                + 120 * len(self.terms))

    def add(self, docnum: int, postings: dict) -> int:
        """Adds one document's term -> positions (or frequency); returns the field length."""
        n = len(postings)
        if not n:
            return 0
        ids = self.ids
        found = list(map(ids.get, postings))
        if None in found:
            terms = self.terms
            for i, term in enumerate(postings):
                if found[i] is None:
                    found[i] = ids[term] = len(terms)
                    terms.append(term)
        self.tids.extend(found)
        self.docs.extend(repeat(docnum, n))
        if self.positions:
            lists = postings.values()
            freqs = list(map(len, lists))
            self.freqs.extend(freqs)
            self.pending.extend(chain.from_iterable(lists))
            if len(self.pending) >= _PENDING:
                self.encode_pending()
        else:
            freqs = list(postings.values())
            self.freqs.extend(freqs)
        return sum(freqs)

    def encode_pending(self) -> None:
        """The positions gathered since the last call, encoded as Whoosh's values into
        ``blob`` (``_encode_positions_bulk``)."""
        done = len(self.ends) - 1
        if done == len(self.freqs):
            return
        counts = np.frombuffer(self.freqs, np.uint32)[done:].astype(np.int64)
        positions = np.frombuffer(self.pending, np.uint32).astype(np.int64)
        data, lengths = _encode_positions_bulk(counts, positions)
        del counts, positions  # no view may hold the arrays while they are resized
        ends = np.cumsum(lengths) + len(self.blob)
        self.ends.frombytes(ends.astype(np.uint64).tobytes())
        self.blob += data
        if self.raw is not None:
            self.raw.extend(self.pending)
        del self.pending[:]

    def extend(self, term: str, docs: np.ndarray, weights: list, values: list) -> None:
        """Adds one term's postings of a merged segment (documents in order, after every
        document already added for that term)."""
        tid = self.ids.get(term)
        if tid is None:
            tid = self.ids[term] = len(self.terms)
            self.terms.append(term)
        if self.positions:
            self.encode_pending()  # values stay in arrival order
        self.raw = None  # merged postings come encoded: no sidecar from memory
        n = len(docs)
        self.tids.extend(repeat(tid, n))
        self.docs.extend(docs.tolist())
        self.freqs.extend(map(int, weights))
        if self.positions:
            blob = self.blob
            self.ends.extend(islice(accumulate(map(len, values), initial=len(blob)), 1, None))
            blob += emptybytes.join(values)

    def values(self) -> list[bytes]:
        """Every posting's value, in arrival order."""
        if self.positions:
            self.encode_pending()
            blob = bytes(self.blob)
            return list(map(blob.__getitem__, map(slice, self.ends[:-1], self.ends[1:])))
        return list(map(_pack_uint, self.freqs))


class FastSegmentWriter(SegmentWriter):
    """``SegmentWriter`` with postings gathered flat in memory and written in bulk."""

    def __init__(self, ix, flushmb: float | None = None, sidecars: bool | None = None,
                 **kwargs) -> None:
        super().__init__(ix, **kwargs)
        # the segments' posting sidecars written from memory (``sidecar_build``)
        self._sidecars = SIDECARS if sidecars is None else sidecars
        self._positioned = positioned_fields(self.schema)
        self._limitmb = kwargs.get("limitmb", 128)
        self._flush_bytes = int(flushmb * 1024 * 1024) if flushmb else None
        self.flushed: list = []  # segments written out at the budget, in order
        schema = self.schema
        self._fast = isinstance(self.fieldwriter, W3FieldWriter) and not any(
            field.vector or field.separate_spelling() for _name, field in schema.items()
        )
        self._plans = {name: _plan(field) for name, field in schema.items() if field.indexed}
        self._reset_postings()
        self._start_sidecar()
        # field -> length byte of each document (0: no length), as the length column holds
        self._lengths: dict[str, bytearray] = {}

    def _reset_postings(self) -> None:
        # the fused fields' flat postings; term -> [docnums, weights, values] for the others
        self._fused = {
            name: _Fused(plan == _POSITIONS, self._sidecars and name in self._positioned)
            for name, plan in self._plans.items()
            if plan != _GENERIC
        }
        self._generic: dict[str, dict] = {
            name: {} for name, plan in self._plans.items() if plan == _GENERIC
        }
        self._generic_count = 0  # postings in ``_generic``

    def _start_sidecar(self) -> None:
        """A new segment: its sidecar is gathered as documents come, until something the
        in-memory path cannot follow happens (``_no_sidecar``)."""
        self._sidecar_ok = self._sidecars and self._fast
        self._layouts = Layouts(self.schema) if self._sidecar_ok else None
        self._merge_plan: MergePlan | None = None
        self._merge_sources: list = []

    def _no_sidecar(self) -> None:
        """This segment's sidecar is left to ``postings_mmap.write_missing``."""
        self._sidecar_ok = False
        self._layouts = None

    # -- adding documents ------------------------------------------------------------------

    def add_document(self, **fields) -> None:
        if self._flush_bytes and self._added and self._fast and self._over(self._flush_bytes):
            if not self._pool_used():
                self._roll()
        # With a flush budget, segments are written out instead of spilling to the pool.
        too_big = not self._flush_bytes and self._too_big()
        if self._fast and (not self._fusable(fields) or too_big):
            # Boosts or pre-split values, or more postings than ``limitmb`` allows: from
            # here on, Whoosh's own path (its pool spills sorted runs to disk).
            self._spill_to_pool()
            self._fast = False
        if not self._fast:
            self._no_sidecar()
            super().add_document(**fields)
            return
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        perdocwriter = self.perdocwriter
        fieldnames = sorted(name for name in fields if not name.startswith("_"))
        self._check_fields(schema, fieldnames)

        perdocwriter.start_doc(docnum)
        try:
            for fieldname in fieldnames:
                value = fields[fieldname]
                if value is None:
                    continue
                field = schema[fieldname]
                length = 0
                if field.indexed:
                    length = self._index(fieldname, field, value, docnum)
                    if not field.scorable:
                        length = 0
                    if length:
                        lengths = self._lengths.get(fieldname)
                        if lengths is None:
                            lengths = self._lengths[fieldname] = bytearray()
                        if len(lengths) < docnum:
                            lengths.extend(bytes(docnum - len(lengths)))
                        lengths.append(length_to_byte(length))
                customval = fields.get("_stored_" + fieldname, value)
                perdocwriter.add_field(
                    fieldname, field, customval if field.stored else None, length
                )
                column = field.column_type
                if column and customval is not None:
                    perdocwriter.add_column_value(
                        fieldname, column, field.to_column_value(customval)
                    )
        except Exception:
            perdocwriter.cancel_doc()
            raise
        perdocwriter.finish_doc()
        if self._layouts is not None:
            self._layouts.add(fields)
        self._added = True
        self.docnum += 1

    def add_reader(self, reader) -> None:
        """Merges a segment's live documents into the one being written (what a merge
        policy asks for): stored fields and columns by Whoosh's per-document copy, the
        postings read a whole block at a time into the flat arrays, so they are written at
        commit by the same bulk path as new documents, instead of one pool item a posting
        (Whoosh's merge is slower than indexing the text again). Loupe writes no boosts, so
        a posting's weight is its frequency."""
        terms = getattr(reader, "_terms", None)
        self._no_sidecar()  # merged postings come encoded (``write_missing`` writes it)
        if not self._fast or self._pool_used() or not isinstance(terms, W3TermsReader):
            super().add_reader(reader)
            return
        self._check_state()
        schema = self.schema
        basedoc = self.docnum
        count = reader.doc_count_all()
        indexed = [name for name in reader.indexed_field_names() if name in schema]
        mapping = self._copy_per_doc(reader, indexed)  # old document -> new, -1: deleted
        live = np.flatnonzero(mapping[:count] >= 0)
        for fieldname in indexed:
            field = schema[fieldname]
            if field.scorable:
                raw = length_bytes(reader, fieldname, count)[live]
                if raw.any():
                    lengths = self._lengths.setdefault(fieldname, bytearray())
                    if len(lengths) < basedoc:
                        lengths.extend(bytes(basedoc - len(lengths)))
                    lengths.extend(raw.tobytes())
            self._merge_postings(reader, fieldname, field, mapping)
        self._added = True

    def _merge_postings(self, reader, fieldname: str, field, mapping: np.ndarray) -> None:
        """One field's postings of a merged segment, block by block, renumbered."""
        fused = self._fused.get(fieldname)
        generic = self._generic.get(fieldname)
        if fused is None and generic is None:
            return
        for btext in reader.lexicon(fieldname):
            found = _term_postings(reader, fieldname, btext, field.format, mapping)
            if found is None:
                continue
            new, weights, values = found
            if fused is not None:
                fused.extend(btext.decode("utf-8"), new, weights, values)
            else:
                entry = generic.get(btext)
                if entry is None:
                    entry = generic[btext] = [array("I"), [], []]
                entry[0].extend(new.tolist())
                entry[1].extend(weights)
                entry[2].extend(values)
                self._generic_count += len(new)

    def merge_readers(self, readers: list) -> None:
        """Writes the live documents of ``readers``, in that order, as this (empty)
        writer's segment, streaming: the stored fields first, then each field's terms in
        order with every reader's postings of a term read and written at once, so memory
        holds one batch of terms (``_CHUNK`` postings), not the segments' postings as
        ``add_reader`` would. What merges a fresh build's segments at the end."""
        fast = all(isinstance(getattr(r, "_terms", None), W3TermsReader) for r in readers)
        if not (fast and self._fast) or self._added or self._pool_used():
            for reader in readers:
                self.add_reader(reader)
            return
        self._check_state()
        schema = self.schema
        mappings = []
        plan = MergePlan(len(readers)) if self._sidecar_ok else None
        self._layouts = None
        for reader in readers:
            basedoc = self.docnum
            count = reader.doc_count_all()
            indexed = [name for name in reader.indexed_field_names() if name in schema]
            mapping = self._copy_per_doc(reader, indexed)
            live = np.flatnonzero(mapping[:count] >= 0)
            for fieldname in indexed:
                if schema[fieldname].scorable:
                    raw = length_bytes(reader, fieldname, count)[live]
                    lengths = self._lengths.setdefault(fieldname, bytearray())
                    lengths.extend(bytes(max(0, basedoc - len(lengths))))
                    lengths.extend(raw.tobytes())
            mappings.append((reader, mapping, set(indexed)))
            self._merge_sources.append((reader.segment(), mapping))
        self._added = True
        self._merge_plan = plan
        fieldwriter = self.fieldwriter
        if BLOCK_COPY and all(w3.copyable(r) and _offset_only(m) for r, m, _n in mappings):
            # Nothing deleted: each source's blocks copied, renumbered by its offset.
            writer = _TermWriter(fieldwriter, b"", 0, 0)
            sources = [(r, int(m[0]) if len(m) > 1 else 0) for r, m, _n in mappings]
            blockcopy.merge_terms(
                fieldwriter, self.schema, sources, writer.add_key, w3.block_limit(self.codec),
                plan,
            )
            writer.close()
            return
        for fieldname in sorted(self._plans):
            sources = [(i, r, m) for i, (r, m, names) in enumerate(mappings) if fieldname in names]
            if sources:
                self._stream_field(fieldwriter, fieldname, sources, plan)

    def _copy_per_doc(self, reader, indexed: list[str]) -> np.ndarray:
        """Stored fields and columns of ``reader`` (Whoosh's per-document copy); returns
        old document -> new (-1: deleted)."""
        basedoc = self.docnum
        count = reader.doc_count_all()
        totals = getattr(self.perdocwriter, "_fieldlengths", None)
        before = dict(totals) if totals is not None else {}
        fieldnames = set(self.schema.names()) | set(indexed)
        if self._fast and not reader.has_deletions():
            docmap = self._copy_docs(fieldnames, reader)
        else:
            docmap = self.write_per_doc(fieldnames, reader)
        if totals is not None and docmap is None:
            # Whoosh's copy adds each document's length as its length byte decodes it (a
            # rounding of up to a few percent), which moves the field's average length and
            # so every BM25 score: with nothing deleted, the segment's exact totals.
            for fieldname in indexed:
                totals[fieldname] = before.get(fieldname, 0) + reader.field_length(fieldname)
        mapping = np.full(count + 1, -1, np.int64)
        if docmap is None:
            mapping[:count] = np.arange(basedoc, basedoc + count)
        else:
            old = np.fromiter(docmap.keys(), np.int64, len(docmap))
            mapping[old] = np.fromiter(docmap.values(), np.int64, len(docmap))
        return mapping

    def _copy_docs(self, fieldnames: set, reader) -> None:
        """``write_per_doc`` for a segment with nothing deleted (and no term vectors), with
        each field's lengths read once rather than one column lookup a document and field
        (a file-exists check each, for a field without lengths)."""
        schema = self.schema
        count = reader.doc_count_all()
        lengths = {
            name: BYTE_TO_LENGTH[length_bytes(reader, name, count)].astype(np.int64).tolist()
            for name in fieldnames
            if name in schema and schema[name].indexed
        }
        columns = {}
        for name in fieldnames:
            coltype = schema[name].column_type
            if coltype and reader.has_column(name):
                creader = reader.column_reader(name, coltype)
                if isinstance(creader, TranslatingColumnReader):
                    creader = creader.raw_column()
                columns[name] = (coltype, creader)
        pdw = self.perdocwriter
        nolength = [0] * count
        for docnum, stored in reader.iter_docs():
            pdw.start_doc(self.docnum)
            for name in fieldnames | {s for s in stored if s in schema}:
                length = lengths.get(name, nolength)[docnum]
                pdw.add_field(name, schema[name], stored.get(name), length)
                if name in columns:
                    coltype, creader = columns[name]
                    pdw.add_column_value(name, coltype, creader[docnum])
            pdw.finish_doc()
            self.docnum += 1

    def _stream_field(self, fieldwriter, fieldname: str, sources: list,
                      record: MergePlan | None = None) -> None:
        """One field of ``merge_readers``: the readers' lexicons merged in term order
        (``sources``: (reader's number, reader, mapping)); ``record`` notes which readers
        held each term."""
        field = self.schema[fieldname]
        plan = self._plans[fieldname]
        lengths = self._lengths.get(fieldname, bytearray())
        lengths = bytes(lengths) + bytes(max(0, self.docnum - len(lengths)))
        fmt, fixedsize = field.format, field.format.fixed_value_size()
        batch = _Fused(plan == _POSITIONS) if plan != _GENERIC else None
        writer = None
        lexicons = [zip(r.lexicon(fieldname), repeat(i)) for i, (_n, r, _m) in enumerate(sources)]
        for btext, group in groupby(heapq.merge(*lexicons), key=itemgetter(0)):
            group = [i for _t, i in group]
            if record is not None:
                record.add([sources[i][0] for i in group])
            parts = [
                _term_postings(sources[i][1], fieldname, btext, fmt, sources[i][2])
                for i in group
            ]
            parts = [p for p in parts if p is not None]
            if not parts:
                continue
            if writer is None:
                fieldwriter.start_field(fieldname, field)
                codec = self.codec
                writer = _TermWriter(fieldwriter, lengths, codec._blocklimit, codec._compression)
            docs = np.concatenate([p[0] for p in parts])
            weights = [w for p in parts for w in p[1]]
            values = [v for p in parts for v in p[2]]
            if batch is None:
                writer.write(btext, docs.tolist(), weights, values, fixedsize)
                continue
            batch.extend(btext.decode("utf-8"), docs, weights, values)
            if len(batch) >= _CHUNK:
                writer.write_fused(batch)
                batch = _Fused(batch.positions)
        if writer is not None:
            if batch is not None and len(batch):
                writer.write_fused(batch)
            writer.close()
            fieldwriter.finish_field()

    def _too_big(self) -> bool:
        """Whether the postings gathered outgrew ``limitmb`` (checked every 32 documents)."""
        return self._over(self.pool.limit)

    def _over(self, limit: int) -> bool:
        """Whether the postings gathered take more than ``limit`` bytes (checked every 32
        documents)."""
        if self.docnum % 32:
            return False
        used = sum(f.nbytes() for f in self._fused.values())
        used += 150 * self._generic_count
        if self._layouts is not None:
            used += self._layouts.nbytes()
        return used > limit

    def _roll(self) -> None:
        """Writes the documents gathered so far out as a finished segment and starts a new,
        empty one: what bounds a streaming build's memory."""
        self.flushed.append(self._finalize_segment())
        self._start_sidecar()
        codec, storage = self.codec, self.storage
        self.newsegment = codec.new_segment(storage, self.indexname)
        self.pool = PostingPool(self._tempstorage, self.newsegment, limitmb=self._limitmb)
        self.perdocwriter = codec.per_document_writer(storage, self.newsegment)
        self.fieldwriter = codec.field_writer(storage, self.newsegment)
        self.docnum = self.docbase
        self._lengths = {}
        self._added = False

    def commit(self, mergetype=None, optimize=None, merge=None) -> None:
        """``SegmentWriter.commit``, with the segments flushed on the way listed too."""
        self._check_state()
        final = self._merge_segments(mergetype, optimize, merge) + self.flushed
        if self._added:
            final.append(self._finalize_segment())
        else:
            self._close_segment()
        self._commit_toc(final)
        self._finish()

    def _fusable(self, fields: dict) -> bool:
        """Whether the fused analysis gives exactly what Whoosh's path would for this
        document: no boosts, and plain strings in the fused fields."""
        plans = self._plans
        for name, value in fields.items():
            if name.startswith("_"):
                if name.endswith("_boost"):
                    return False
            elif plans.get(name, _GENERIC) != _GENERIC and not isinstance(value, str | None):
                return False
        return True

    def _index(self, fieldname: str, field, value, docnum: int) -> int:
        """Adds one field value's postings; returns the sum of its term frequencies."""
        plan = self._plans[fieldname]
        if plan == _POSITIONS:
            return self._fused[fieldname].add(docnum, recall_positions(value))
        if plan == _FREQUENCY:
            return self._fused[fieldname].add(docnum, exact_counts(value))
        terms = self._generic[fieldname]
        length = 0
        for tbytes, freq, weight, vbytes in field.index(value):
            entry = terms.get(tbytes)
            if entry is None:
                entry = terms[tbytes] = [array("I"), [], []]
            entry[0].append(docnum)
            entry[1].append(weight)
            entry[2].append(vbytes)
            length += freq
            self._generic_count += 1
        return length

    # -- commit ----------------------------------------------------------------------------

    def _pool_used(self) -> bool:
        pool = self.pool
        return bool(pool.current or pool.runs)

    def _flush_segment(self) -> None:
        if not self._fast or self._pool_used():
            # Postings merged in from other segments sit in Whoosh's pool: put ours there
            # too and let Whoosh write them all.
            self._spill_to_pool()
            super()._flush_segment()
            return
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        codec = self.codec
        sidecar = self._new_sidecar() if self._merge_plan is None else None
        for fieldname in sorted(self._plans):
            fused = self._fused.get(fieldname)
            generic = self._generic.get(fieldname)
            if not (fused or generic):
                continue
            field = self.schema[fieldname]
            fieldwriter.start_field(fieldname, field)
            lengths = self._lengths.get(fieldname, bytearray())
            lengths = lengths + bytes(max(0, self.docnum - len(lengths)))
            writer = _TermWriter(fieldwriter, lengths, w3.block_limit(codec), w3.compression(codec))
            if fused:
                feed = None
                if sidecar is not None:
                    feed = _SidecarFeed(sidecar, fieldname, fieldname in self._positioned)
                writer.write_fused(fused, feed)
                if feed is not None and feed.failed:
                    sidecar.discard()
                    sidecar = None
                self._fused[fieldname] = _Fused(fused.positions)  # let it go
            else:
                fixedsize = field.format.fixed_value_size()
                keys = sorted(generic)
                for key in keys:
                    writer.write(key, *generic[key], fixedsize)
                if sidecar is not None and not _feed_generic(sidecar, fieldname, keys, generic,
                                                             fieldname in self._positioned):
                    sidecar.discard()
                    sidecar = None
            writer.close()
            fieldwriter.finish_field()
        fieldwriter.close()
        self._reset_postings()
        self._sidecar_files = sidecar

    def _finalize_segment(self):
        """Whoosh's, then the segment's sidecar: after the segment's files are packed into
        its compound file, which takes every file named after the segment."""
        self._sidecar_files = None
        segment = super()._finalize_segment()
        self._write_sidecar(self._sidecar_files)
        return segment

    def _new_sidecar(self) -> SidecarFiles | None:
        """The scratch files of this segment's sidecar, when it is written from memory."""
        folder = getattr(self.storage, "folder", None)
        if not (self._sidecar_ok and self._layouts is not None and folder):
            return None
        return SidecarFiles(postings_mmap.sidecar_path(folder, self.newsegment))

    def _write_sidecar(self, sidecar: SidecarFiles | None) -> None:
        """The segment's sidecar, from memory or (a merge) from its sources' sidecars; a
        segment neither can vouch for is left to ``postings_mmap.write_missing``."""
        folder = getattr(self.storage, "folder", None)
        if self._merge_plan is not None and folder and self._sidecar_ok:
            sidecar_build.write_merged(folder, self.newsegment, self._merge_sources,
                                       self._merge_plan)
            return
        if sidecar is None or self.docnum == 0:
            if sidecar is not None:
                sidecar.discard()
            return
        layouts = self._layouts
        try:
            sidecar.finish(self.docnum, lambda scratch: layouts.write(scratch, self.docnum))
        except ValueError:  # as ``write_missing``: a segment a sidecar cannot hold
            pass

    def _spill_to_pool(self) -> None:
        """Our postings as Whoosh's pool items, for Whoosh's own commit path."""
        self._no_sidecar()
        add = self.pool.add
        for fieldname, terms in self._generic.items():
            for key, entry in terms.items():
                for docnum, weight, value in zip(*entry, strict=True):
                    add((fieldname, key, docnum, weight, value))
        for fieldname, fused in self._fused.items():
            tbytes = [term.encode("utf-8") for term in fused.terms]
            postings = zip(fused.tids, fused.docs, fused.freqs, fused.values(), strict=True)
            for tid, docnum, freq, value in postings:
                add((fieldname, tbytes[tid], docnum, float(freq), value))
        self._reset_postings()

    def per_document_reader(self):
        # Only Whoosh's commit path asks for it: read the lengths in bulk there too.
        return _Lengths(super().per_document_reader())


def _offset_only(mapping: np.ndarray) -> bool:
    """Whether a merge's old -> new document map only adds an offset (nothing deleted)."""
    docs = mapping[:-1]
    return not len(docs) or bool(docs[0] >= 0 and (docs == docs[0] + np.arange(len(docs))).all())


def _term_postings(reader, fieldname: str, btext: bytes, fmt, mapping: np.ndarray):
    """A term's postings in a segment, block by block, renumbered by ``mapping``
    (documents mapped to -1 left out): (documents, weights, values), or None if none is
    left."""
    m = w3.terms_of(reader).matcher(fieldname, btext, fmt)
    ids: list = []
    weights: list = []
    values: list = []
    for block_ids, block_weights, block_values in w3.blocks(m, values=True):
        ids += block_ids
        weights += block_weights
        values += block_values
    new = mapping[np.fromiter(ids, np.int64, len(ids))]
    keep = np.flatnonzero(new >= 0)
    if not len(keep):
        return None
    if len(keep) < len(ids):
        kept = keep.tolist()
        weights = [weights[i] for i in kept]
        values = [values[i] for i in kept]
        new = new[keep]
    return new, weights, values


class _Lengths:
    """The per-document reader a segment's commit asks for each posting's field length:
    Whoosh's reads one byte from the file per posting (a tenth of the write time), this
    reads each length column once."""

    def __init__(self, reader) -> None:
        self._reader = reader
        self._count = reader.doc_count_all()
        self._fields: dict[str, list] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default=0):
        lengths = self._fields.get(fieldname)
        if lengths is None:
            raw = length_bytes(_Leaf(self._reader), fieldname, self._count)
            decoded = np.where(raw > 0, BYTE_TO_LENGTH[raw], np.nan)
            lengths = self._fields[fieldname] = [
                None if v != v else int(v) for v in decoded.tolist()
            ]
        return lengths[docnum]

    def close(self) -> None:
        self._reader.close()

    def __getattr__(self, name: str):
        return getattr(self._reader, name)


class _Leaf:
    """Lets ``w3.length_bytes`` read a per-document reader's columns."""

    def __init__(self, perdoc) -> None:
        self._perdoc = perdoc


def _md5_low32(key: bytes) -> int:
    """``filetables.md5_hash`` from the digest rather than its hex string."""
    return int.from_bytes(md5(key, usedforsecurity=False).digest()[-4:], "big")


_CHUNK = 1 << 18  # postings turned into Python objects at a time at commit
# Each segment's posting sidecar written by its writer from the postings it holds
# (``sidecar_build``); False leaves them all to ``postings_mmap.write_missing``.
SIDECARS = True
_FEED_CHUNK = 1 << 20  # postings handed to a sidecar at a time


class _SidecarFeed:
    """Hands one fused field's postings, grouped by term as ``write_fused`` groups them,
    to the segment's sidecar (``SidecarFiles``); ``failed`` if it could not take them."""

    def __init__(self, sidecar: SidecarFiles, fieldname: str, positioned: bool) -> None:
        self.sidecar = sidecar
        self.fieldname = fieldname
        self.positioned = positioned
        self.failed = False

    def __call__(self, fused: _Fused, terms: list[str], counts: np.ndarray,
                 tstart: np.ndarray, docs: np.ndarray, freqs: np.ndarray,
                 order: np.ndarray) -> None:
        try:
            self._feed(fused, terms, counts, tstart, docs, freqs, order)
        except ValueError:
            self.failed = True

    def _feed(self, fused, terms, counts, tstart, docs, freqs, order) -> None:
        hashes, checks = SidecarFiles.hashes(self.fieldname, [t.encode("utf-8") for t in terms])
        raw = starts = None
        if self.positioned:
            if fused.raw is None:
                raise ValueError("positions not kept")
            fused.encode_pending()
            raw = np.frombuffer(fused.raw, np.uint32)
            starts = excl_sum(np.frombuffer(fused.freqs, np.uint32).astype(np.int64))
        bounds = tstart[1:]
        t0, n = 0, len(terms)
        while t0 < n:
            t1 = max(t0 + 1, int(np.searchsorted(bounds, tstart[t0] + _FEED_CHUNK, "right")))
            s0, s1 = int(tstart[t0]), int(tstart[t1])
            positions = None
            if raw is not None:
                positions = raw[spans(starts[order[s0:s1]], freqs[s0:s1])]
            self.sidecar.add(hashes[t0:t1], checks[t0:t1], counts[t0:t1],
                             np.full(t1 - t0, self.positioned), docs[s0:s1], freqs[s0:s1],
                             positions)
            t0 = t1


def _feed_generic(sidecar: SidecarFiles, fieldname: str, keys: list[bytes], terms: dict,
                  positioned: bool) -> bool:
    """One field gathered by Whoosh's ``field.index`` (``keys`` sorted), into the sidecar;
    False if it cannot hold it."""
    entries = [terms[k] for k in keys]
    counts = np.fromiter((len(e[0]) for e in entries), np.int64, len(entries))
    docs = np.fromiter(chain.from_iterable(e[0] for e in entries), np.int64, int(counts.sum()))
    weights = np.array(list(chain.from_iterable(e[1] for e in entries)), np.float32)
    positions = None
    if positioned:
        values = list(chain.from_iterable(e[2] for e in entries))
        lengths, positions = postings_mmap.decode_positions(values)
        if not np.array_equal(lengths, weights):
            return False
    hashes, checks = SidecarFiles.hashes(fieldname, keys)
    try:
        sidecar.add(hashes, checks, counts, np.full(len(keys), positioned), docs, weights,
                    positions)
    except ValueError:
        return False
    return True
# ``merge_readers`` copies posting blocks when nothing is deleted (``blockcopy``); False
# decodes and encodes every posting again (the former path, kept for ``bench/merge_cost.py``).
BLOCK_COPY = True


class _TermWriter:
    """Writes one field's terms: ``W3PostingsWriter`` blocks, ``W3TermInfo`` rows in the
    term index, the same bytes as Whoosh's writers but with block statistics computed
    by numpy for the whole field at once."""

    def __init__(
        self, fieldwriter: W3FieldWriter, lengths: bytes, blocklimit: int, compression: int
    ) -> None:
        self._postfile = fieldwriter._postfile
        self._tindex = fieldwriter._tindex
        fieldid = fieldwriter._fieldid  # None before the first field: keys come whole
        self._prefix = b"" if fieldid is None else pack_ushort(fieldid)
        self._lengths = lengths
        self._limit = blocklimit
        self._comp = compression
        self._lastkey = None
        self._hash = _md5_low32 if self._tindex.hashfn is md5_hash else self._tindex.hashfn

    def _add_term(self, tbytes: bytes, info: bytes) -> None:
        """``OrderedHashWriter.add`` (keys come sorted: no order check needed)."""
        self.add_key(self._prefix + tbytes, info)

    def add_key(self, key: bytes, info: bytes) -> None:
        """A term row under its whole key (field id and term)."""
        tindex = self._tindex
        dbfile = tindex.dbfile
        pos = dbfile.tell()
        tindex.index.append(pos)
        dbfile.write(_HASH_LENGTHS(len(key), len(info)) + key + info)
        h = self._hash(key)
        tindex.buckets[h & 255].append((h, pos))
        self._lastkey = key

    def close(self) -> None:
        if self._lastkey is not None:
            self._tindex.lastkey = self._lastkey

    def write(self, tbytes: bytes, docs, weights, values, fixedsize: int | None) -> None:
        """A term of any field, block by block as ``W3PostingsWriter`` does it."""
        postfile = self._postfile
        start = postfile.tell()
        limit = self._limit
        comp = self._comp
        lengths = self._lengths
        chunks = [WHOOSH3_HEADER_MAGIC]
        total = len(docs)
        term_weight = 0
        term_min = None  # minimum length (as a length, like W3TermInfo) or None
        term_max = 0
        term_maxweight = 0
        for i in range(0, total, limit):
            ids = docs[i : i + limit]
            fws = array("f", weights[i : i + limit])
            maxweight = 0
            for w in weights[i : i + limit]:
                if w > maxweight:
                    maxweight = w
            vals = [v for v in values[i : i + limit] if v]
            if fixedsize is None or fixedsize < 0:
                minivalues = tuple(vals)
            elif fixedsize == 0:
                minivalues = None
            else:
                minivalues = emptybytes.join(vals)
            first = fws[0]
            if all(w == 1.0 for w in fws):
                miniweights = None
            elif all(w == first for w in fws):
                miniweights = first
            else:
                miniweights = tuple(fws)
            miniids = tuple(b - a for a, b in pairwise(chain((0,), ids)))
            databytes = zlib.compress(dumps((miniids, miniweights, minivalues), 2), comp)
            found = [b for b in map(lengths.__getitem__, ids) if b]
            minb, maxb = (min(found), max(found)) if found else (0, 0)
            infobytes = dumps((len(ids), ids[-1], maxweight, comp, minb, maxb), 2)
            blocklength = len(infobytes) + len(databytes)
            if i + limit >= total:
                blocklength = -blocklength
            chunks += (pack_int(blocklength), infobytes, databytes)
            # W3TermInfo.add_block
            term_weight += sum(fws)
            block_min = byte_to_length(minb) if minb else None
            term_min = block_min if term_min is None else min(term_min, block_min)
            term_max = max(term_max, byte_to_length(maxb) if maxb else 0)
            term_maxweight = max(term_maxweight, maxweight)
        body = emptybytes.join(chunks)
        postfile.write(body)
        info = _TERMINFO(
            False,
            term_weight,
            total,
            0 if term_min is None else length_to_byte(term_min),
            length_to_byte(term_max),
            term_maxweight,
            docs[0],
            docs[-1],
        )
        self._add_term(tbytes, info + pack_long(start) + pack_int(len(body)))

    def write_fused(self, fused: _Fused, feed: _SidecarFeed | None = None) -> None:
        """Every term of a fused field. Weights are the frequencies (whole numbers, so the
        float32 block arrays hold them exactly); values the encoded positions or the
        packed frequencies. ``feed`` gets the same postings for the segment's sidecar."""
        limit = self._limit
        comp = self._comp
        compress = zlib.compress
        terms = sorted(fused.terms)
        nterms = len(terms)
        ids = fused.ids
        # Postings grouped by term in term order, each term's in arrival (document) order.
        rank = np.empty(nterms, np.int64)
        rank[np.fromiter((ids[t] for t in terms), np.int64, nterms)] = np.arange(nterms)
        ranks = rank[np.frombuffer(fused.tids, np.uint32)]
        order = np.argsort(ranks, kind="stable")
        del ranks
        counts = np.bincount(rank[np.frombuffer(fused.tids, np.uint32)], minlength=nterms)
        tstart = np.zeros(nterms + 1, np.int64)
        np.cumsum(counts, out=tstart[1:])
        docs = np.frombuffer(fused.docs, np.uint32)[order].astype(np.int64)
        freqs = np.frombuffer(fused.freqs, np.uint32)[order].astype(np.int64)
        if feed is not None:
            feed(fused, terms, counts, tstart, docs, freqs, order)
        if fused.positions:
            fused.encode_pending()
            ends = np.frombuffer(fused.ends, np.uint64).astype(np.int64)
            vbegin = ends[:-1][order]
            vend = ends[1:][order]
            del ends
            blob = bytes(fused.blob)
            fused.blob = bytearray()
            fbytes = b""
        else:
            vbegin = vend = None
            blob = b""
            fbytes = freqs.astype(">u4").tobytes()  # Frequency values, end to end
        del order
        # Blocks: each term's postings cut every ``limit``.
        nblocks = (counts + limit - 1) // limit
        bterm = np.repeat(np.arange(nterms), nblocks)
        bfirst = np.zeros(nterms + 1, np.int64)
        np.cumsum(nblocks, out=bfirst[1:])
        bstart = tstart[bterm] + (np.arange(len(bterm)) - bfirst[bterm]) * limit
        bend = np.minimum(bstart + limit, tstart[bterm + 1])
        blast = docs[bend - 1]
        lens = np.frombuffer(self._lengths, np.uint8)[docs].astype(np.int64)
        # Documents without a length (0) count in neither statistic, as in Whoosh.
        bminlen = np.minimum.reduceat(np.where(lens == 0, 256, lens), bstart)
        bminlen[bminlen == 256] = 0
        bmaxlen = np.maximum.reduceat(lens, bstart)
        tminlen = np.minimum.reduceat(np.where(lens == 0, 256, lens), tstart[:-1])
        tminlen[tminlen == 256] = 0
        tmaxlen = np.maximum.reduceat(lens, tstart[:-1])
        del lens
        bmaxw = np.maximum.reduceat(freqs, bstart)
        bminw = np.minimum.reduceat(freqs, bstart)
        tweight = np.add.reduceat(freqs, tstart[:-1])
        tmaxw = np.maximum.reduceat(freqs, tstart[:-1])
        deltas = docs.copy()
        deltas[1:] -= docs[:-1]
        deltas[bstart] = docs[bstart]
        # Per-term and per-block numbers as Python lists, for the loop below.
        t_start, t_count = tstart.tolist(), counts.tolist()
        t_weight, t_maxw = tweight.tolist(), tmaxw.tolist()
        t_minlen, t_maxlen = tminlen.tolist(), tmaxlen.tolist()
        t_first, t_last = docs[tstart[:-1]].tolist(), docs[tstart[1:] - 1].tolist()
        b_first = bfirst.tolist()
        b_start, b_end, b_last = bstart.tolist(), bend.tolist(), blast.tolist()
        b_maxw, b_minw = bmaxw.tolist(), bminw.tolist()
        b_minlen, b_maxlen = bminlen.tolist(), bmaxlen.tolist()
        del bstart, bend, blast, bmaxw, bminw, bminlen, bmaxlen

        postfile = self._postfile
        pos = postfile.tell()
        out: list[bytes] = []
        # The term index rows, as OrderedHashWriter.add writes them (keys come sorted).
        tindex = self._tindex
        tfile = tindex.dbfile
        tpos = tfile.tell()
        tout: list[bytes] = []
        index_append = tindex.index.append
        buckets = tindex.buckets
        hashfn = self._hash
        prefix = self._prefix
        key = b""
        c0 = c1 = 0  # the postings [c0, c1) are in the lists below
        dl: list[int] = []
        fl: list[int] = []
        vl: list[bytes] = []
        for t, term in enumerate(terms):
            s, e = t_start[t], t_start[t + 1]
            if e > c1:  # the next chunk of postings as Python objects
                if out:
                    postfile.write(emptybytes.join(out))
                    tfile.write(emptybytes.join(tout))
                    out, tout = [], []
                c0, c1 = s, max(e, s + _CHUNK)
                dl = deltas[c0:c1].tolist()
                fl = freqs[c0:c1].tolist()
                if vbegin is not None:
                    vl = list(
                        map(
                            blob.__getitem__,
                            map(slice, vbegin[c0:c1].tolist(), vend[c0:c1].tolist()),
                        )
                    )
            start = pos
            out.append(WHOOSH3_HEADER_MAGIC)
            pos += 4
            last = b_first[t + 1] - 1
            for b in range(b_first[t], last + 1):
                bs, be = b_start[b] - c0, b_end[b] - c0
                maxw = b_maxw[b]
                if maxw == 1:
                    miniweights = None
                elif b_minw[b] == maxw:
                    miniweights = float(maxw)
                else:
                    miniweights = tuple(map(float, fl[bs:be]))
                if vbegin is not None:
                    minivalues = tuple(vl[bs:be])
                else:
                    minivalues = fbytes[4 * (bs + c0) : 4 * (be + c0)]
                databytes = compress(dumps((tuple(dl[bs:be]), miniweights, minivalues), 2), comp)
                infobytes = dumps(
                    (be - bs, b_last[b], float(maxw), comp, b_minlen[b], b_maxlen[b]), 2
                )
                blocklength = len(infobytes) + len(databytes)
                out += (pack_int(-blocklength if b == last else blocklength), infobytes, databytes)
                pos += 4 + blocklength
            value = (
                _TERMINFO(
                    False,
                    float(t_weight[t]),
                    t_count[t],
                    t_minlen[t],
                    t_maxlen[t],
                    float(t_maxw[t]),
                    t_first[t],
                    t_last[t],
                )
                + pack_long(start)
                + pack_int(pos - start)
            )
            key = prefix + term.encode("utf-8")
            index_append(tpos)
            h = hashfn(key)
            buckets[h & 255].append((h, tpos))
            row = _HASH_LENGTHS(len(key), len(value)) + key + value
            tout.append(row)
            tpos += len(row)
        if out:
            postfile.write(emptybytes.join(out))
            tfile.write(emptybytes.join(tout))
        if key:
            tindex.lastkey = self._lastkey = key
