"""Merging segments by copying their posting blocks: the cheap merge of a fresh build.

Decoding every block of every term, renumbering each posting and encoding it all again
made merging a document cost more than analysing and writing it (issue 11: 4.6 CPU ms a
merged document against 2.35 to write one). With nothing deleted, a merge only moves each
segment's documents up by the documents before it, and in Whoosh's W3 posting blocks that
touches two numbers a block: the block's last document (in its uncompressed info tuple)
and its first one (the only absolute id of the delta-coded ids, the first integer of the
block's pickle, patched in place). So ``merge_terms``:

- reads each source's term file and posting file front to back in large pieces (a term's
  postings lie in term order), and merges the sources' terms in order (``heapq.merge``);
- copies the first source's blocks as they are, patches the others' (one zlib round trip a
  block, no Python object per posting), and sets the sign of each block's length so only
  the merged list's last block is marked last;
- writes a short list (at most one block's worth in all, most terms of an archive) as the
  one block a one-segment build writes: each source's block decoded, one encoded (cheaper
  than patching each, and as small as a fresh build's);
- adds up the term statistics from the sources' term-info rows (weights are whole
  frequencies, so the float32 sums are exact).

The merged segment holds exactly the postings a one-segment build holds (in a longer list
the block boundaries fall where the sources' did: a block may hold fewer than 128
postings), so Whoosh reads it, and scores are the same. Sources with deleted documents,
or written by a codec that inlines short posting lists in the term rows, are left to the
decoding path.
"""

from __future__ import annotations

import heapq
import io
import pickle
import struct
import zlib
from itertools import groupby
from operator import itemgetter

from search.index import w3

_ROW = struct.Struct("!ii")  # a term row's key and value lengths
_INFO = struct.Struct("!BfIBBfIIqi")  # W3TermInfo's row + postings offset and length
_INT = struct.Struct("!i")
_CHUNK = 1 << 20  # bytes read from a source file at a time
_NO_LENGTH = 256


class _Sequential:
    """Reads ranges of a Whoosh file that come mostly in order, from a 1 MB buffer."""

    def __init__(self, structfile) -> None:
        self._file = structfile
        self._start = 0
        self._buf = b""

    def read(self, pos: int, length: int) -> bytes:
        offset = pos - self._start
        if offset < 0 or offset + length > len(self._buf):
            self._start = pos
            self._buf = self._file.get(pos, max(length, _CHUNK))
            offset = 0
        return self._buf[offset : offset + length]


def _rows(leaf, source: int):
    """(field name, term bytes, source, term-info row) of one segment, in key order."""
    dbfile, start, end, fieldnames = w3.term_rows(leaf)
    reader = _Sequential(dbfile)
    pos = start
    size = _ROW.size
    while pos < end:
        keylen, vallen = _ROW.unpack(reader.read(pos, size))
        row = reader.read(pos + size, keylen + vallen)
        fieldid = int.from_bytes(row[:2], "big")
        yield fieldnames[fieldid], row[2:keylen], source, row[keylen:]
        pos += size + keylen + vallen


def _shift_ids(data: bytes, shift: int) -> bytes:
    """A block's pickled ``(ids, weights, values)`` with its first (absolute) document
    number moved by ``shift``: the integer's opcode rewritten as pickle writes it."""
    at = 3 if data[2] == 0x28 else 2  # MARK before a tuple of more than 3 ids
    op = data[at]
    if op == 0x4B:  # BININT1
        value, size = data[at + 1], 1
    elif op == 0x4D:  # BININT2
        value, size = int.from_bytes(data[at + 1 : at + 3], "little"), 2
    elif op == 0x4A:  # BININT
        value, size = int.from_bytes(data[at + 1 : at + 5], "little", signed=True), 4
    else:  # not the layout W3 writes: the slow, sure way
        ids, weights, values = pickle.loads(data)
        return pickle.dumps(((ids[0] + shift, *ids[1:]), weights, values), 2)
    value += shift
    if value < 0x100:
        encoded = b"K" + value.to_bytes(1, "little")
    elif value < 0x10000:
        encoded = b"M" + value.to_bytes(2, "little")
    else:
        encoded = b"J" + value.to_bytes(4, "little", signed=True)
    return data[:at] + encoded + data[at + 1 + size :]


def _shift_block(block: bytes, shift: int) -> bytes:
    """One block (info tuple then data) with its document numbers moved by ``shift``."""
    stream = io.BytesIO(block)
    count, last, maxweight, comp, minlen, maxlen = pickle.load(stream)
    data = block[stream.tell() :]
    info = pickle.dumps((count, last + shift, maxweight, comp, minlen, maxlen), 2)
    if comp:
        data = zlib.compress(_shift_ids(zlib.decompress(data), shift), comp)
    else:
        data = _shift_ids(data, shift)
    return info + data


def _append_blocks(out: list, raw: bytes, shift: int, last: bool) -> int:
    """Appends the blocks of one source's posting list (``raw``, after its 4-byte magic)
    to ``out``; returns the bytes appended."""
    if not shift and last:
        out.append(raw[4:])
        return len(raw) - 4
    total = 0
    pos = 4
    end = len(raw)
    while pos < end:
        length = _INT.unpack_from(raw, pos)[0]
        size = -length if length < 0 else length
        block = raw[pos + 4 : pos + 4 + size]
        pos += 4 + size
        if shift:
            block = _shift_block(block, shift)
        tail = last and pos >= end
        out += (_INT.pack(-len(block) if tail else len(block)), block)
        total += 4 + len(block)
    return total


def _one_block(parts: list[tuple[bytes, int]]) -> bytes | None:
    """The posting lists ``parts`` (``(raw, shift)``, each a single block) as one block,
    as a one-segment build writes it; None if a part holds more than one block. Only the
    first id of each part's deltas changes; weights are spelt out only when they differ."""
    deltas: list[int] = []
    kinds: list = []  # each part's weights as stored: None (all 1), one float, or a tuple
    counts: list[int] = []
    values = None
    last = 0
    minlen, maxlen, maxweight, comp = _NO_LENGTH, 0, 0.0, 0
    for raw, shift in parts:
        if _INT.unpack_from(raw, 4)[0] >= 0:
            return None  # not its last block: more than one
        stream = io.BytesIO(raw)
        stream.seek(8)
        count, blocklast, blockweight, comp, blockmin, blockmax = pickle.load(stream)
        data = raw[stream.tell() :]
        ids, miniweights, minivalues = pickle.loads(zlib.decompress(data) if comp else data)
        deltas.append(ids[0] + shift - last)
        deltas += ids[1:]
        last = blocklast + shift
        kinds.append(miniweights)
        counts.append(count)
        values = minivalues if values is None else values + minivalues
        if blockmin:
            minlen = min(minlen, blockmin)
        maxlen = max(maxlen, blockmax)
        maxweight = max(maxweight, blockweight)
    if all(kind is None for kind in kinds):
        miniweights = None
    elif all(isinstance(kind, float) for kind in kinds) and len(set(kinds)) == 1:
        miniweights = kinds[0]
    else:
        weights: list[float] = []
        for kind, count in zip(kinds, counts, strict=True):
            if kind is None:
                weights += [1.0] * count
            elif isinstance(kind, float):
                weights += [kind] * count
            else:
                weights += kind
        miniweights = tuple(weights)
    data = pickle.dumps((tuple(deltas), miniweights, values), 2)
    if comp:
        data = zlib.compress(data, comp)
    lengths = (0 if minlen == _NO_LENGTH else minlen, maxlen)
    info = pickle.dumps((len(deltas), last, maxweight, comp, *lengths), 2)
    return w3.BLOCKS_MAGIC + _INT.pack(-(len(info) + len(data))) + info + data


def merge_terms(fieldwriter, schema, sources: list, add_key, limit: int, plan=None) -> None:
    """Writes the merged terms of ``sources`` (``(segment reader, first new document)``,
    none with deleted documents, written by a codec that inlines no postings:
    ``w3.copyable``) into ``fieldwriter``'s term and posting files; ``add_key(key, info)``
    writes one term row (``key``: the field id, then the term). ``plan``
    (``sidecar_build.MergePlan``) records which sources held each term written."""
    postings = [_Sequential(w3.postings_file(reader)) for reader, _base in sources]
    bases = [base for _reader, base in sources]
    postfile = w3.new_postings_file(fieldwriter)
    streams = [_rows(reader, i) for i, (reader, _base) in enumerate(sources)]
    field = None
    for (fieldname, tbytes), group in groupby(heapq.merge(*streams), key=itemgetter(0, 1)):
        if fieldname not in schema:
            if plan is not None:
                plan.complete = False
            continue
        if fieldname != field:
            if field is not None:
                fieldwriter.finish_field()
            fieldwriter.start_field(fieldname, schema[fieldname])
            field = fieldname
            prefix = w3.field_id(fieldwriter).to_bytes(2, "big")
        parts = [(_INFO.unpack(row[: _INFO.size]), i) for _f, _t, i, row in group]
        if plan is not None:
            plan.add([i for _info, i in parts])
        if any(info[0] for info, _i in parts):
            raise ValueError(f"postings inlined in a term row: {fieldname}:{tbytes!r}")
        start = postfile.tell()
        if len(parts) > 1 and sum(info[2] for info, _i in parts) <= limit:
            # A short list (most terms): one block, as a one-segment build writes it.
            block = _one_block(
                [(postings[i].read(info[8], info[9]), bases[i]) for info, i in parts]
            )
        else:
            block = None
        out = [w3.BLOCKS_MAGIC] if block is None else [block]
        size = 4 if block is None else len(block)
        weight = 0.0
        count = 0
        minlen, maxlen, maxweight = _NO_LENGTH, 0, 0.0
        for n, (
            (_flags, tweight, df, tmin, tmax, tmaxw, _first, _last, offset, length),
            i,
        ) in enumerate(parts):
            if block is None:
                raw = postings[i].read(offset, length)
                size += _append_blocks(out, raw, bases[i], n == len(parts) - 1)
            weight += tweight
            count += df
            if tmin:
                minlen = min(minlen, tmin)
            maxlen = max(maxlen, tmax)
            maxweight = max(maxweight, tmaxw)
        postfile.write(b"".join(out))
        (first_info, first), (last_info, last) = parts[0], parts[-1]
        info = _INFO.pack(
            0,
            weight,
            count,
            0 if minlen == _NO_LENGTH else minlen,
            maxlen,
            maxweight,
            first_info[6] + bases[first],
            last_info[7] + bases[last],
            start,
            size,
        )
        add_key(prefix + tbytes, info)
    if field is not None:
        fieldwriter.finish_field()
