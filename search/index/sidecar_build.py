"""Posting sidecars written from what the build already holds, not read back from Whoosh.

``postings_mmap.write_sidecar`` reads a finished segment again: it decodes every Whoosh
posting block (pickles, zlib) and splits every stored text a second time for the token
layouts. At 100,000 articles that pass was 40 % of a fresh build's CPU (issue 11). The
fast writer (``fastwrite``) has each segment's postings in flat arrays when it writes the
segment, and the texts as they are added; a merge has its sources' sidecars. So:

- ``Layouts`` keeps each added document's token layout (``layouts.layout``) while a segment
  is being written; ``SidecarFiles`` takes a field's terms and postings as the writer
  writes them, and ``finish`` assembles the sidecar beside the segment;
- ``write_merged`` builds a merged segment's sidecar from its sources' sidecars, following
  the merge's order of terms (``MergePlan``, recorded by the merge as it goes), documents
  renumbered by the merge's mapping, deleted ones dropped.

Both feed ``postings_mmap.assemble`` the scratch files ``write_sidecar`` would have
written, so the bytes are the same (``tests/test_sidecar_build.py`` compares them byte for
byte). Any segment these paths cannot vouch for (written by Whoosh's own writer, merged
from a source without a current sidecar) is left to ``postings_mmap.write_missing``.
"""

from __future__ import annotations

import hashlib
from array import array
from pathlib import Path

import numpy as np
from whoosh import formats

from search.index import layouts, postings_mmap
from search.index.postings_mmap import Terms, Totals

_NO_POSITIONS = postings_mmap._NO_POSITIONS
_CHUNK = 1 << 20  # postings of a merge handled at a time


def positioned_fields(schema) -> set[str]:
    """The fields whose positions a sidecar keeps (as ``write_sidecar`` decides)."""
    return {n for n in postings_mmap.POSITION_FIELDS
            if n in schema and type(schema[n].format) is formats.Positions}


def laid_fields(schema) -> list[str]:
    """The ``layouts.LAYOUT_FIELDS`` a sidecar keeps token layouts of."""
    return [n for n in layouts.LAYOUT_FIELDS if n in schema and schema[n].stored
            and type(schema[n].format) is formats.Positions]


def excl_sum(counts: np.ndarray) -> np.ndarray:
    """Exclusive running sum (where each of ``counts``' runs starts), int64."""
    out = np.zeros(counts.size, np.int64)
    if counts.size > 1:
        np.cumsum(counts[:-1], out=out[1:])
    return out


def spans(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The indices ``starts[i] .. starts[i] + lengths[i]`` end to end (int64)."""
    total = int(lengths.sum())
    if not total:
        return np.zeros(0, np.int64)
    return np.repeat(starts - excl_sum(lengths), lengths) + np.arange(total)


class Layouts:
    """The token layouts of a segment's documents as they are added (``layouts.layout`` of
    each stored text of ``laid_fields``): 3 bytes a token, kept until the segment is
    written. Computed ``BATCH`` documents at a time (``layouts.Batch``), from the word
    split the analysis of the same text made."""

    BATCH = 256

    def __init__(self, schema) -> None:
        self.names = laid_fields(schema)
        self._firsts = {n: array("I") for n in self.names}
        self._tokens = {n: array("Q") for n in self.names}  # tokens per document
        self._gaps = {n: array("H") for n in self.names}
        self._lengths = {n: bytearray() for n in self.names}
        self._pending = {n: layouts.Batch() for n in self.names}

    def add(self, fields: dict) -> None:
        """One document, as ``add_document`` receives it (``_stored_<name>`` stands for the
        stored text); a field it lacks has an empty layout, as its stored value would."""
        for name in self.names:
            value = fields.get(name)
            if value is not None:
                value = fields.get("_stored_" + name, value)
            batch = self._pending[name]
            batch.add(value if value and isinstance(value, str) else "")
            if len(batch) >= self.BATCH:
                self._compute(name)

    def _compute(self, name: str) -> None:
        firsts, counts, gaps, lengths = self._pending[name].compute()
        self._firsts[name].frombytes(firsts.astype(np.uint32).tobytes())
        self._tokens[name].frombytes(counts.astype(np.uint64).tobytes())
        self._gaps[name].frombytes(gaps.tobytes())
        self._lengths[name] += lengths.tobytes()

    def nbytes(self) -> int:
        return sum(3 * len(g) + 12 * len(self._firsts[n]) + self._pending[n].nbytes()
                   for n, g in self._gaps.items())

    def write(self, scratch: dict[str, Path], n_docs: int) -> dict:
        """Writes the layout scratch files; {field: (token bounds, first positions)} for
        ``postings_mmap.assemble``."""
        out = {}
        for name in self.names:
            if len(self._pending[name]):
                self._compute(name)
        for name in layouts.LAYOUT_FIELDS:
            bounds = np.zeros(n_docs + 1, dtype=np.uint64)
            firsts = np.full(n_docs, layouts.NONE, dtype=np.uint32)
            gaps, lengths = b"", b""
            if name in self._firsts:
                if len(self._firsts[name]) != n_docs:
                    raise ValueError("documents added without their layout")
                np.cumsum(np.frombuffer(self._tokens[name], np.uint64), out=bounds[1:])
                firsts[:] = np.frombuffer(self._firsts[name], np.uint32)
                gaps, lengths = self._gaps[name].tobytes(), bytes(self._lengths[name])
            scratch[f"{name}.gaps"].write_bytes(gaps)
            scratch[f"{name}.lengths"].write_bytes(lengths)
            out[name] = (bounds, firsts)
        return out


class SidecarFiles:
    """One sidecar's scratch files, filled term by term in the segment's term order."""

    def __init__(self, final: Path) -> None:
        self.final = final
        self.scratch = postings_mmap.scratch_paths(final)
        self._files = {k: open(self.scratch[k], "wb") for k in ("docs", "weights", "pos", "ends")}
        self.terms = Terms(array("Q"), array("I"), array("Q"), array("I"), array("Q"))
        self.totals = Totals(0, 0, 0, True, 0.0, 0)

    @staticmethod
    def hashes(fieldname: str, btexts: list[bytes]) -> tuple[np.ndarray, np.ndarray]:
        """``postings_mmap.term_hash`` of many terms of one field: (hashes, checks)."""
        prefix = fieldname.encode("utf-8") + b"\x00"
        blake = hashlib.blake2b
        raw = b"".join(blake(prefix + b, digest_size=12).digest() for b in btexts)
        table = np.frombuffer(raw, np.uint8).reshape(-1, 12)
        return (np.ascontiguousarray(table[:, :8]).view("<u8").ravel(),
                np.ascontiguousarray(table[:, 8:]).view("<u4").ravel())

    def add(self, hashes: np.ndarray, checks: np.ndarray, counts: np.ndarray,
            positioned: np.ndarray, docs: np.ndarray, weights: np.ndarray,
            positions: np.ndarray | None) -> None:
        """Terms in the segment's order with their postings end to end: ``positioned``
        (bool, per term) says whose positions are kept, ``positions`` holds those postings'
        positions end to end (a posting's weight is its count of positions)."""
        t = self.totals
        counts = np.asarray(counts, np.int64)
        terms = self.terms
        terms.hashes.frombytes(np.asarray(hashes, np.uint64).tobytes())
        terms.checks.frombytes(np.asarray(checks, np.uint32).tobytes())
        terms.starts.frombytes((excl_sum(counts) + t.postings).astype(np.uint64).tobytes())
        terms.counts.frombytes(counts.astype(np.uint32).tobytes())
        pcounts = np.where(positioned, counts, 0)
        pstarts = (excl_sum(pcounts) + t.positioned).astype(np.uint64)
        terms.pstarts.frombytes(np.where(positioned, pstarts, np.uint64(_NO_POSITIONS))
                                .astype(np.uint64).tobytes())
        w = np.asarray(weights, np.float32)
        if w.size:
            if t.whole:
                t.whole = bool(np.all(w == np.floor(w))) and float(w.min()) >= 0
                t.top = max(t.top, float(w.max()))
            self._files["docs"].write(np.asarray(docs, np.uint32).tobytes())
            self._files["weights"].write(w.tobytes())
        t.postings += int(counts.sum())
        n_pposts = int(pcounts.sum())
        if n_pposts:
            kept = np.repeat(positioned, counts)
            lengths = w[kept].astype(np.int64)
            if positions is None or positions.size != int(lengths.sum()):
                raise ValueError("a weight is not its posting's count of positions")
            if positions.size:
                t.pos_top = max(t.pos_top, int(positions.max()))
            self._files["pos"].write(np.asarray(positions, np.uint32).tobytes())
            self._files["ends"].write((np.cumsum(lengths) + t.positions).astype(np.uint64)
                                      .tobytes())
            t.positions += int(positions.size)
            t.positioned += n_pposts

    def finish(self, n_docs: int, laid) -> Path:
        """The sidecar under its final name (``laid(scratch)``: the layouts, as
        ``Layouts.write`` gives them); the scratch files are removed, whatever happens."""
        try:
            self.close()
            return postings_mmap.assemble(self.final, self.scratch, self.terms, self.totals,
                                          n_docs, lambda: laid(self.scratch))
        finally:
            self.discard()

    def close(self) -> None:
        for fh in self._files.values():
            fh.close()

    def discard(self) -> None:
        self.close()
        for path in self.scratch.values():
            path.unlink(missing_ok=True)


class MergePlan:
    """The order in which a merge wrote its terms: for each merged term, which sources held
    it (each source's terms come in its own term order, so the k-th part of a source is
    its k-th term). ``complete`` goes False if a source term was left out (a field no
    longer in the schema): the merged sidecar is then written Whoosh's way."""

    def __init__(self, sources: int) -> None:
        self.parts = array("H")  # parts per merged term
        self.sources = array("H")  # the source of each part, term after term
        self.count = sources
        self.complete = True

    def add(self, sources: list[int]) -> None:
        self.parts.append(len(sources))
        self.sources.extend(sources)


def write_merged(folder: Path, segment, sources: list, plan: MergePlan) -> Path | None:
    """The sidecar of a merged ``segment`` from its ``sources`` ((source segment, mapping
    old -> new document, -1 for deleted)), in ``plan``'s term order: what ``write_sidecar``
    would write from the merged segment, without decoding it. None when a source has no
    current sidecar or the plan is incomplete (``write_missing`` writes it then)."""
    folder = Path(folder)
    if not plan.complete:
        return None
    readers = []
    for source, mapping in sources:
        try:
            reader = postings_mmap.SidecarReader(postings_mmap.sidecar_path(folder, source))
        except (OSError, ValueError):
            return None
        if reader.doc_count != source.doc_count_all():
            return None
        readers.append((reader, np.asarray(mapping, np.int64)))
    part_src = np.frombuffer(plan.sources, np.uint16).astype(np.int64)
    n_parts = np.frombuffer(plan.parts, np.uint16).astype(np.int64)
    # each part's dictionary row in its source (its k-th part is its k-th term)
    rows = np.zeros(part_src.size, np.int64)
    for s, (reader, _m) in enumerate(readers):
        mine = np.flatnonzero(part_src == s)
        if mine.size != reader._hashes.size:
            return None  # a source term the merge did not write
        rows[mine] = np.argsort(reader._starts, kind="stable")  # its rows in term order
    out = SidecarFiles(postings_mmap.sidecar_path(folder, segment))
    try:
        _merge_postings(out, readers, part_src, n_parts, rows)
        n_docs = segment.doc_count_all()
        return out.finish(n_docs, lambda scratch: _merge_layouts(readers, scratch, n_docs))
    except ValueError:
        return None
    finally:
        out.discard()


def _merge_postings(out: SidecarFiles, readers: list, part_src: np.ndarray,
                    n_parts: np.ndarray, rows: np.ndarray) -> None:
    """The merged terms' postings, a chunk of terms at a time: each source's share of a
    chunk is one slice of its arrays (its terms come in order), renumbered, then laid in
    the merged order."""
    n_terms = n_parts.size
    term_first = excl_sum(n_parts)  # first part of each merged term
    counts_all = np.zeros(part_src.size, np.int64)
    for s, (reader, _m) in enumerate(readers):
        mine = part_src == s
        counts_all[mine] = reader._counts[rows[mine]]
    term_postings = np.add.reduceat(counts_all, term_first) if n_terms else counts_all[:0]
    bounds = np.cumsum(term_postings)
    t0 = 0
    while t0 < n_terms:
        t1 = int(np.searchsorted(bounds, (bounds[t0 - 1] if t0 else 0) + _CHUNK, "right"))
        t1 = max(t1, t0 + 1)
        p0 = int(term_first[t0])
        p1 = int(term_first[t1]) if t1 < n_terms else part_src.size
        _merge_chunk(out, readers, part_src[p0:p1], rows[p0:p1], n_parts[t0:t1])
        t0 = t1


def _merge_chunk(out: SidecarFiles, readers: list, src: np.ndarray, rows: np.ndarray,
                 n_parts: np.ndarray) -> None:
    """One chunk of merged terms (``n_parts`` each; their parts' sources and rows)."""
    n_terms = n_parts.size
    part_term = np.repeat(np.arange(n_terms), n_parts)
    kept_counts = np.zeros(src.size, np.int64)
    pieces = []  # per source: (its parts, docs, weights, kept, positioned per posting, positions)
    hashes = np.zeros(n_terms, np.uint64)
    checks = np.zeros(n_terms, np.uint32)
    positioned = np.zeros(n_terms, bool)
    first_part = excl_sum(n_parts)
    for s, (reader, mapping) in enumerate(readers):
        mine = np.flatnonzero(src == s)
        if not mine.size:
            continue
        r = rows[mine]
        starts = reader._starts[r].astype(np.int64)
        counts = reader._counts[r].astype(np.int64)
        a, b = int(starts[0]), int(starts[-1] + counts[-1])
        docs = reader._docs(a, b)
        weights = reader._weights[a:b].astype(np.float32)
        new = mapping[docs]
        keep = new >= 0
        is_pos = reader._pstarts[r] != _NO_POSITIONS
        post_pos = np.repeat(is_pos, counts)
        pos_lengths = weights[post_pos].astype(np.int64)
        positions = None
        if pos_lengths.size:
            p0 = int(reader._pfirsts[r[np.argmax(is_pos)]])
            src_pos = np.asarray(reader._positions[p0 : p0 + int(pos_lengths.sum())])
            positions = src_pos[np.repeat(keep[post_pos], pos_lengths)]
        kept_counts[mine] = np.add.reduceat(keep.astype(np.int64), excl_sum(counts))
        pieces.append((mine, new[keep], weights[keep], np.repeat(mine, counts)[keep],
                       post_pos[keep], positions))
        hashes[part_term[mine]] = reader._hashes[r]  # a term's hash is the same everywhere
        checks[part_term[mine]] = reader._checks[r]
        positioned[part_term[mine]] = is_pos
    # where each part's kept postings go in the merged order
    part_out = excl_sum(kept_counts)
    total = int(kept_counts.sum())
    docs = np.zeros(total, np.int64)
    weights = np.zeros(total, np.float32)
    is_pos_out = np.zeros(total, bool)
    pos_owner = []  # (output posting index, positions) of each source's positioned postings
    for mine, new, w, owner, post_pos, positions in pieces:
        firsts = excl_sum(kept_counts[mine])[np.searchsorted(mine, owner)]
        within = np.arange(owner.size) - firsts
        at = part_out[owner] + within
        docs[at] = new
        weights[at] = w
        is_pos_out[at] = post_pos
        if positions is not None:
            pos_owner.append((at[post_pos], w[post_pos].astype(np.int64), positions))
    term_counts = np.add.reduceat(kept_counts, first_part) if n_terms else kept_counts[:0]
    merged_positions = None
    if pos_owner:
        # the positioned postings' positions, laid in the merged order
        out_at = np.concatenate([p[0] for p in pos_owner])
        lens = np.concatenate([p[1] for p in pos_owner])
        flat = np.concatenate([p[2] for p in pos_owner])
        src_start = excl_sum(lens)
        order = np.argsort(out_at, kind="stable")
        merged_positions = flat[spans(src_start[order], lens[order])]
    live = term_counts > 0  # a term whose every posting was deleted is not written
    if not live.all():
        positioned = positioned[live]
        hashes, checks, term_counts = hashes[live], checks[live], term_counts[live]
    out.add(hashes, checks, term_counts, positioned, docs, weights,
            merged_positions if merged_positions is not None else np.zeros(0, np.uint32))


def _merge_layouts(readers: list, scratch: dict[str, Path], n_docs: int) -> dict:
    """The merged documents' token layouts, from the sources' (deleted documents dropped,
    every document's tokens as its source kept them)."""
    out = {}
    for name in layouts.LAYOUT_FIELDS:
        bounds = np.zeros(n_docs + 1, np.uint64)
        firsts = np.full(n_docs, layouts.NONE, np.uint32)
        with open(scratch[f"{name}.gaps"], "wb") as fg, \
                open(scratch[f"{name}.lengths"], "wb") as fl:
            for reader, mapping in readers:
                found = reader._layouts.get(name)
                if found is None:
                    continue
                doc_bounds, doc_firsts, gaps8, lengths, escaped_at, escaped = found
                count = doc_firsts.size
                new = mapping[:count]
                keep = new >= 0
                gaps = gaps8.astype(np.uint16)
                gaps[escaped_at.astype(np.int64)] = escaped
                ntok = np.diff(doc_bounds.astype(np.int64))
                tokens = np.repeat(keep, ntok)
                fg.write(gaps[tokens].tobytes())
                fl.write(np.asarray(lengths)[tokens].tobytes())
                firsts[new[keep]] = doc_firsts[keep]
                bounds[new[keep] + 1] = ntok[keep].astype(np.uint64)
        np.cumsum(bounds, out=bounds)
        out[name] = (bounds, firsts)
    return out
