"""A Whoosh segment writer that writes the same bytes as Whoosh's, several times faster.

Whoosh's ``SegmentWriter`` spends most of a fresh build in per-token and per-posting
Python calls: Token objects and generators from the analyzer through ``Format.word_values``,
a 5-tuple per posting in the ``PostingPool`` (sorted at commit), then for each posting
``start_term``/``add``/``finish_term`` and ``W3PostingsWriter.add_posting`` with its
asserts. ``FastSegmentWriter`` keeps the postings grouped by field and term as they come
(document numbers only grow, so each list is already in order), gets the French text views'
terms straight from ``analysis.recall_positions``/``exact_counts``, and at commit writes
each term's blocks from slices of those lists. Block and term-info bytes are built as
``W3PostingsWriter``/``W3TermInfo`` build them, so the segment is an ordinary W3 segment
that Whoosh reads: ``tests/test_fastwrite.py`` compares the files byte for byte.

Anything this writer does not know (merging other segments into it, term vectors, spelling
fields, another codec, field boosts) goes through Whoosh's own path.
"""

from __future__ import annotations

import struct
import zlib
from array import array
from itertools import chain, pairwise
from pickle import dumps

import numpy as np
from whoosh import formats
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC, W3FieldWriter, W3TermInfo
from whoosh.system import emptybytes, pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

from .analysis import FastFrenchAnalyzer, exact_counts, recall_positions
from .fastsearch import BYTE_TO_LENGTH, length_bytes

_pack_uint = struct.Struct("!I").pack
_TERMINFO = W3TermInfo._struct.pack

# How a field's postings are gathered: by the fused analyzer (positions or frequencies) or
# by Whoosh's ``field.index`` (every other field).
_POSITIONS, _FREQUENCY, _GENERIC = 1, 2, 3

# pack_uint(1) + dumps([pos], 2): the value of a term seen once, by far the most common
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


class FastSegmentWriter(SegmentWriter):
    """``SegmentWriter`` with postings grouped per term in memory and written in bulk."""

    def __init__(self, ix, **kwargs) -> None:
        super().__init__(ix, **kwargs)
        schema = self.schema
        self._fast = isinstance(self.fieldwriter, W3FieldWriter) and not any(
            field.vector or field.separate_spelling() for _name, field in schema.items()
        )
        self._plans = {name: _plan(field) for name, field in schema.items() if field.indexed}
        # field -> term -> postings: [docnums, frequencies, values, value ends] for the
        # fused fields (values as one bytearray per term), [docnums, weights, values] else
        self._postings: dict[str, dict] = {name: {} for name in self._plans}
        # field -> length byte of each document (0: no length), as the length column holds
        self._lengths: dict[str, bytearray] = {}

    # -- adding documents ------------------------------------------------------------------

    def add_document(self, **fields) -> None:
        if self._fast and not self._fusable(fields):
            # Boosts or pre-split values: from here on, Whoosh's own path.
            self._spill_to_pool()
            self._fast = False
        if not self._fast:
            super().add_document(**fields)
            return
        self._check_state()
        schema = self.schema
        docnum = self.docnum
        perdocwriter = self.perdocwriter
        docboost = self._doc_boost(fields)
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
                    boost = self._field_boost(fields, fieldname, docboost)
                    length = self._index(fieldname, field, value, boost, docnum)
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
        self._added = True
        self.docnum += 1

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

    def _index(self, fieldname: str, field, value, boost: float, docnum: int) -> int:
        """Adds one field value's postings; returns the sum of its term frequencies."""
        plan = self._plans[fieldname]
        terms = self._postings[fieldname]
        if plan != _GENERIC:
            if plan == _POSITIONS:
                length = 0
                for text, poslist in recall_positions(value).items():
                    entry = terms.get(text)
                    if entry is None:
                        entry = terms[text] = [array("I"), array("I"), bytearray(), array("I")]
                    freq = len(poslist)
                    length += freq
                    entry[0].append(docnum)
                    entry[1].append(freq)
                    blob = entry[2]
                    blob += _encode_positions(poslist)
                    entry[3].append(len(blob))
                return length
            counts = exact_counts(value)
            for text, freq in counts.items():
                entry = terms.get(text)
                if entry is None:
                    entry = terms[text] = [array("I"), array("I")]
                entry[0].append(docnum)
                entry[1].append(freq)
            return sum(counts.values())
        length = 0
        for tbytes, freq, weight, vbytes in field.index(value):
            entry = terms.get(tbytes)
            if entry is None:
                entry = terms[tbytes] = [array("I"), [], []]
            entry[0].append(docnum)
            entry[1].append(weight * boost)
            entry[2].append(vbytes)
            length += freq
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
        blocklimit = self.codec._blocklimit
        compression = self.codec._compression
        for fieldname in sorted(self._postings):
            terms = self._postings[fieldname]
            if not terms:
                continue
            field = self.schema[fieldname]
            fieldwriter.start_field(fieldname, field)
            writer = _TermWriter(
                fieldwriter,
                self._lengths.get(fieldname, bytearray()),
                field.format.fixed_value_size(),
                blocklimit,
                compression,
            )
            plan = self._plans[fieldname]
            for key in sorted(terms):
                entry = terms[key]
                if plan == _GENERIC:
                    writer.write(key, entry[0], entry[1], entry[2])
                elif plan == _POSITIONS:
                    writer.write_fused(key.encode("utf-8"), entry[0], entry[1], entry[2], entry[3])
                else:
                    writer.write_fused(key.encode("utf-8"), entry[0], entry[1], None, None)
            fieldwriter.finish_field()
        fieldwriter.close()
        self._postings = {name: {} for name in self._plans}

    def _spill_to_pool(self) -> None:
        """Our postings as Whoosh's pool items, for Whoosh's own commit path."""
        add = self.pool.add
        for fieldname, terms in self._postings.items():
            plan = self._plans[fieldname]
            for key, entry in terms.items():
                if plan == _GENERIC:
                    for docnum, weight, value in zip(*entry, strict=True):
                        add((fieldname, key, docnum, weight, value))
                    continue
                tbytes = key.encode("utf-8")
                values = _fused_values(entry)
                for docnum, freq, value in zip(entry[0], entry[1], values, strict=True):
                    add((fieldname, tbytes, docnum, float(freq), value))
        self._postings = {name: {} for name in self._plans}

    def per_document_reader(self):
        # Only Whoosh's commit path asks for it: read the lengths in bulk there too.
        return _Lengths(super().per_document_reader())


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
    """Lets ``fastsearch.length_bytes`` read a per-document reader's columns."""

    def __init__(self, perdoc) -> None:
        self._perdoc = perdoc


def _cut(blob: bytearray, ends) -> list[bytes]:
    """The values a term's blob holds (one new bytes object each, as Whoosh has them)."""
    data = bytes(blob)
    return [data[a:b] for a, b in pairwise(chain((0,), ends))]


def _fused_values(entry: list) -> list[bytes]:
    """A fused term's values as Whoosh's formats encode them."""
    if len(entry) == 4:
        return _cut(entry[2], entry[3])
    return [_pack_uint(f) for f in entry[1]]


class _TermWriter:
    """Writes one field's terms: ``W3PostingsWriter`` blocks and ``W3TermInfo`` rows."""

    def __init__(
        self,
        fieldwriter: W3FieldWriter,
        lengths: bytearray,
        fixedsize: int | None,
        blocklimit: int,
        compression: int,
    ) -> None:
        self._postfile = fieldwriter._postfile
        self._tindex = fieldwriter._tindex
        self._prefix = pack_ushort(fieldwriter._fieldid)
        self._lengths = lengths
        self._nlengths = len(lengths)
        self._fixedsize = fixedsize
        self._blocklimit = blocklimit
        self._compression = compression

    def _length_bytes(self, ids) -> tuple[int, int]:
        """(minimum, maximum) length byte of the documents, as the block statistics store
        them (documents without a length are left out; (0, 0) when none has one)."""
        lengths = self._lengths
        n = self._nlengths
        found = [lengths[d] for d in ids if d < n]
        found = [b for b in found if b]
        if not found:
            return 0, 0
        return min(found), max(found)

    def write_fused(self, tbytes: bytes, docs, freqs, blob, ends) -> None:
        """A term of a fused field: weights are the frequencies, values the encoded
        positions (``blob`` cut at ``ends``) or the packed frequencies."""
        values = _cut(blob, ends) if blob is not None else None
        self._write(tbytes, docs, freqs, values, True)

    def write(self, tbytes: bytes, docs, weights, values) -> None:
        self._write(tbytes, docs, weights, values, False)

    def _write(self, tbytes: bytes, docs, weights, values, fused: bool) -> None:  # noqa: PLR0912, PLR0915 - one block loop, kept flat for speed
        postfile = self._postfile
        start = postfile.tell()
        limit = self._blocklimit
        comp = self._compression
        fixedsize = self._fixedsize
        chunks = [WHOOSH3_HEADER_MAGIC]
        total = len(docs)
        term_weight = 0
        term_min = None  # minimum length (as a length, like W3TermInfo) or None
        term_max = 0
        term_maxweight = 0
        for i in range(0, total, limit):
            ids = docs[i : i + limit]
            ws = weights[i : i + limit]
            if fused:
                fws = array("f", ws)
                top = max(ws)
                maxweight = float(top)
                vals = values[i : i + limit] if values is not None else None
                if vals is None:
                    minivalues = struct.pack(f"!{len(ws)}I", *ws)
                else:
                    minivalues = tuple(vals)
            else:
                fws = array("f", ws)
                maxweight = 0
                for w in ws:
                    if w > maxweight:
                        maxweight = w
                vals = [v for v in values[i : i + limit] if v]
                if fixedsize is None or fixedsize < 0:
                    minivalues = tuple(vals)
                elif fixedsize == 0:
                    minivalues = None
                else:
                    minivalues = emptybytes.join(vals)
            # W3PostingsWriter._mini_weights
            first = fws[0]
            if all(w == 1.0 for w in fws):
                miniweights = None
            elif all(w == first for w in fws):
                miniweights = first
            else:
                miniweights = tuple(fws)
            miniids = tuple(b - a for a, b in pairwise(chain((0,), ids)))
            databytes = zlib.compress(dumps((miniids, miniweights, minivalues), 2), comp)
            minb, maxb = self._length_bytes(ids)
            infobytes = dumps((len(ids), ids[-1], maxweight, comp, minb, maxb), 2)
            blocklength = len(infobytes) + len(databytes)
            if i + limit >= total:
                blocklength = -blocklength
            chunks.append(pack_int(blocklength))
            chunks.append(infobytes)
            chunks.append(databytes)
            # W3TermInfo.add_block
            term_weight += sum(fws)
            block_min = byte_to_length(minb) if minb else None
            if term_min is None:
                term_min = block_min
            else:
                term_min = min(term_min, block_min)
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
        self._tindex.add(self._prefix + tbytes, info + pack_long(start) + pack_int(len(body)))
