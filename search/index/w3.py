"""Whoosh's internals, behind one door: everything the fast paths read or call that Whoosh
does not publish (its W3 codec's blocks, length bytes and term-info rows, the segment
writer's steps of a commit, a prefix's expansion).

The fast paths (``fastsearch``, ``fastwrite``, ``parallel``, ``postings_mmap``) were written
for, and are proven equal to Whoosh's own answers on, one version of Whoosh: the one
``pyproject.toml`` pins. Any other version may lay out these private names differently,
so importing this module with another one is an error that says so, rather than wrong
scores or damaged segments later. Each function names what it does, so a newer Whoosh
means changing this file only.
"""

from __future__ import annotations

import io
import os
import pickle
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterator

import numpy as np
import whoosh
from isal import isal_zlib
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    STORED_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3TermInfo,
    W3TermsReader,
)
from whoosh.columns import CompressedBytesColumn, NumericColumn, PickleColumn
from whoosh.filedb.compound import SubFile
from whoosh.util.numeric import byte_to_length, length_to_byte

WRITTEN_FOR = (2, 7, 5)  # whoosh-reloaded, as pinned in pyproject.toml


class WhooshVersionError(ImportError):
    """The installed Whoosh is not the one the fast paths were written for."""


def check_version(found: tuple = tuple(whoosh.__version__)) -> None:
    if tuple(found[:3]) != WRITTEN_FOR:
        wanted = ".".join(map(str, WRITTEN_FOR))
        raise WhooshVersionError(
            f"Loupe lit les structures internes de Whoosh {wanted} (whoosh-reloaded=={wanted}) ; "
            f"la version installée est {'.'.join(map(str, found))}. Installez "
            f"whoosh-reloaded=={wanted} (pip install -e . le fait)."
        )


check_version()

# -- reading: term blocks, length bytes --------------------------------------------------


def is_w3_matcher(m) -> bool:
    """A plain W3 posting matcher (block by block), not a wrapper or another codec's."""
    return type(m) is W3LeafMatcher


def term_matcher(leaf, fieldname: str, btext: bytes):
    """The raw matcher of one term in one segment, deleted documents included."""
    return leaf._terms.matcher(fieldname, btext, leaf.schema[fieldname].format)


def postings_reader(leaf, terminfo, fieldname: str, btext: bytes):
    """A matcher over a term's postings from its term info (no lookup in the term index)."""
    terms = leaf._terms
    fmt = leaf.schema[fieldname].format
    return leaf._codec.postings_reader(terms._postfile, terminfo, fmt, term=(fieldname, btext))


def blocks(m, values: bool = False) -> Iterator[tuple[list, list, list | None]]:
    """A W3 matcher's postings block by block: (ids, weights, values or None), as the
    codec decoded them, without a Python call per posting."""
    while m.is_active():
        m._read_ids()
        m._read_weights()
        if values:
            m._read_values()
        yield m._ids, m._weights, (m._values if values else None)
        m._next_block()  # after the last block the matcher is no longer active


def _length_reader(leaf, fieldname: str):
    try:
        return leaf._perdoc._cached_reader(f"_{fieldname}_len", LENGTHS_COLUMN)
    except AttributeError:  # not a W3 segment reader
        return None


def length_column(leaf, fieldname: str) -> tuple[int, bytes] | None:
    """(documents stored, their length bytes) of a segment's one-byte field-length column
    as the W3 codec writes it; None when the segment has no such column to read at once."""
    column = _length_reader(leaf, fieldname)
    if column is None or not isinstance(column, NumericColumn.Reader):
        return None
    return column._count, column._dbfile.get(column._basepos, column._count)


def lacks_length_column(leaf, fieldname: str) -> bool:
    """A W3 segment where no document has the field (every length is 0)."""
    return hasattr(leaf, "_perdoc") and _length_reader(leaf, fieldname) is None


# A length byte's decoded length (Whoosh stores field lengths in one lossy byte).
BYTE_TO_LENGTH = np.array([byte_to_length(i) for i in range(256)], dtype=np.float64)


def length_bytes(leaf, fieldname: str, count: int) -> np.ndarray:
    """One segment's one-byte length column, read in one piece (W3 codec), else per doc."""
    raw = np.zeros(count, dtype=np.uint8)
    column = length_column(leaf, fieldname)
    if column is not None:
        stored = min(column[0], count)
        raw[:stored] = np.frombuffer(column[1], np.uint8, stored)
        return raw
    if lacks_length_column(leaf, fieldname):
        return raw  # no document has this field
    for docnum in range(count):
        length = leaf.doc_field_length(docnum, fieldname) or 0
        raw[docnum] = length_to_byte(length)
    return raw


# -- reading: stored fields -----------------------------------------------------------


def stored_fields(reader) -> Callable[[int], dict]:
    """``reader.stored_fields`` as a function of the document number, made once per reader:
    for W3 segments, the document's bytes read from the stored column and unpickled here,
    without Whoosh's five layers of Python per call (the multi-reader's segment look-up,
    the segment's and column readers' checks, the per-field schema test); the same dict,
    in the same order (``tests/test_w3.py``). Any other kind of segment: Whoosh's own."""
    found = getattr(reader, "_loupe_stored", None)
    if found is None:
        found = reader._loupe_stored = _stored_fields(reader)
    return found


def _stored_fields(reader) -> Callable[[int], dict]:
    leaves = reader.leaf_readers()
    schema = reader.schema
    if getattr(schema, "_dyn_fields", True) or not leaves:  # a glob field: Whoosh's test
        return reader.stored_fields
    names = frozenset(schema._fields)
    columns = []
    for leaf, _offset in leaves:
        perdoc = getattr(leaf, "_perdoc", None)
        column = (perdoc._cached_reader("_stored", STORED_COLUMN)
                  if perdoc is not None and leaf.schema is schema else None)
        raw = getattr(column, "_child", None)
        if (type(column) is not PickleColumn.Reader
                or type(raw) is not CompressedBytesColumn.Reader
                or raw._decompress is not zlib.decompress):
            return reader.stored_fields
        columns.append((raw._lengths, raw._offsets, raw._basepos,
                        _pread_of(raw._dbfile) or raw._dbfile.get))
    starts = [offset for _leaf, offset in leaves]
    # ISA-L's inflate: the same bytes as zlib's (a stream decodes one way), a 5 KB
    # document in 21 µs instead of 33; ten per page of results.
    loads, decompress = pickle.loads, isal_zlib.decompress

    def get(docnum: int) -> dict:
        i = bisect_right(starts, docnum) - 1
        lengths, offsets, base, read = columns[i]
        local = docnum - starts[i]
        length = lengths[local]
        if not length:
            return {}
        blob = decompress(read(base + offsets[local], length))
        stored = loads(blob) if blob else None
        if not stored:
            return {}
        if stored.keys() <= names:  # a fresh dict: every field known, kept as it is
            return stored
        return {k: v for k, v in stored.items() if k in names}

    return get


def _pread_of(dbfile) -> Callable[[int, int], bytes] | None:
    """``dbfile.get(position, length)`` as one ``os.pread`` on the segment file's
    descriptor (a document's bytes in 1.5 µs instead of 6: Whoosh seeks and reads through
    its sub-file of the compound segment and a buffered reader); None when the column is
    not read from a file (a memory map, RAM), for Whoosh's own ``get``."""
    inner, base = getattr(dbfile, "file", None), 0
    if type(inner) is SubFile:
        inner, base = inner._file, inner._offset
    try:
        fd = inner.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    pread = os.pread

    def get(position: int, length: int) -> bytes:
        if inner.closed:  # as Whoosh's read would: never another file's bytes
            raise ValueError("read of closed file")
        return pread(fd, length, base + position)

    return get


def expansions(leaf, reader) -> Iterator[bytes]:
    """The words a prefix or wildcard query stands for in ``reader``, lazily."""
    return leaf._btexts(reader)


def compiled(q, reader):
    """The query Whoosh runs for ``q`` in ``reader`` (a numeric range as its terms)."""
    return q._compile_query(reader)


def segments(ix) -> list:
    """The segments of an index's current table of contents."""
    return ix._segments()


# -- writing: codec parameters, term-info rows, the steps of a commit -------------------

pack_terminfo = W3TermInfo._struct.pack  # one term's row in the term index


def block_limit(codec) -> int:
    """Postings per block (``W3Codec(blocklimit=…)``, 128 by default)."""
    return codec._blocklimit


def compression(codec) -> int:
    """The zlib level of posting blocks (``W3Codec(compression=…)``)."""
    return codec._compression


def is_w3_field_writer(fieldwriter) -> bool:
    return isinstance(fieldwriter, W3FieldWriter)


def is_w3_terms_reader(terms) -> bool:
    return isinstance(terms, W3TermsReader)


def terms_of(reader):
    """A segment reader's term table (``W3TermsReader`` for a W3 segment)."""
    return reader._terms


def has_documents(writer) -> bool:
    """Whether a ``SegmentWriter`` has added any document to its segment."""
    return bool(writer._added)


def finalize_segment(writer):
    """Closes a writer's segment files and returns the segment, ready for a TOC."""
    return writer._finalize_segment()


def close_segment(writer) -> None:
    """Closes a writer's segment files without keeping the segment."""
    writer._close_segment()


def merge_segments(writer) -> list:
    """The segments a writer keeps after its merge policy ran (none merged here)."""
    return writer._merge_segments(None, None, None)


def commit_toc(writer, segments: list) -> None:
    """Writes a new table of contents listing ``segments``, then releases the writer."""
    writer._commit_toc(segments)
    writer._finish()


__all__ = [
    "BYTE_TO_LENGTH",
    "W3Codec",
    "WRITTEN_FOR",
    "WhooshVersionError",
    "block_limit",
    "blocks",
    "check_version",
    "close_segment",
    "commit_toc",
    "compiled",
    "compression",
    "expansions",
    "finalize_segment",
    "has_documents",
    "lacks_length_column",
    "length_bytes",
    "is_w3_field_writer",
    "is_w3_matcher",
    "is_w3_terms_reader",
    "length_column",
    "merge_segments",
    "pack_terminfo",
    "postings_reader",
    "segments",
    "term_matcher",
    "terms_of",
]


# -- copying posting blocks (``blockcopy``) ----------------------------------------------

BLOCKS_MAGIC = WHOOSH3_HEADER_MAGIC  # the 4 bytes before a term's first block


def copyable(leaf) -> bool:
    """A W3 segment whose every term's postings lie in blocks in the posting file (the
    codec inlines none in the term rows: ``inlinelimit`` 1, Whoosh's default)."""
    terms = getattr(leaf, "_terms", None)
    codec = getattr(leaf, "_codec", None)
    return (
        isinstance(terms, W3TermsReader)
        and isinstance(codec, W3Codec)
        and codec._inlinelimit <= 1
    )


def term_rows(leaf) -> tuple:
    """(term file, start and end of its key/value rows, field name of each field id)."""
    terms = leaf._terms
    tindex = terms._tindex
    return tindex.dbfile, tindex.startofdata, tindex.endofdata, terms._fieldunmap


def postings_file(leaf):
    """A segment's posting file (``StructFile``)."""
    return leaf._terms._postfile


def new_postings_file(fieldwriter: W3FieldWriter):
    """The posting file a segment writer is writing."""
    return fieldwriter._postfile


def field_id(fieldwriter: W3FieldWriter) -> int:
    """The id of the field a segment writer is writing (its terms' key prefix)."""
    return fieldwriter._fieldid
