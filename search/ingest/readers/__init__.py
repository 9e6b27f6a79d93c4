"""Readers: files on disk (or stdin) to `Article`s, never raising on bad input.

Formats are chosen by suffix (case-insensitive): `.jsonl`, `.jsonl.gz`, `.json` (see
`jsonl`), `.txt` (page dump or plain text, see `pagedump` and `plaintext`) and `.html`, `.htm`
and their `.gz` (saved web pages, see `html`). Anything wrong
with one record or file becomes a `Problem` passed to `report` and reading goes on, because
one bad file in an archive of thousands must not stop an indexing run.

`read_file`, `read_paths` and `read_stream` take an optional `stats` dict; the JSON readers
count records flagged as duplicates in `stats["duplicates"]` (they are neither articles nor
problems).

Nothing is read unbounded: a file's size is checked before it is read and again while it is
(a sparse 1 GB `.txt` is refused by its size, never read); JSON Lines are read a line at a
time and gzip is decompressed as a stream, with a cap per record and per file, so memory
does not grow with the file, and one bad file never costs the others.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import os
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from search.ingest.articles import Article, nfc, relative_path, shown
from search.ingest.readers.decode import (
    BINARY_SNIFF,
    Problem,
    Report,
    cp1252,
    decode_text,
    load_text,
)
from search.ingest.readers.html import decode_html, parse_html_page
from search.ingest.readers.jsonl import MAX_RECORD_CHARS, parse_json, parse_jsonl, parse_jsonl_lines
from search.ingest.readers.plaintext import read_txt

__all__ = [
    "SUFFIXES",
    "Problem",
    "Report",
    "decode_text",
    "iter_files",
    "read_file",
    "read_paths",
    "read_stream",
]

SUFFIXES: tuple[str, ...] = (
    ".jsonl",
    ".jsonl.gz",
    ".json",
    ".txt",
    ".html",
    ".htm",
    ".html.gz",
    ".htm.gz",
)
# Longest first, so that ".jsonl.gz" is matched before any shorter form could be.
_BY_LENGTH = sorted(SUFFIXES, key=len, reverse=True)
STREAM_FORMATS = ("jsonl", "json", "txt", "html")
_KINDS = {
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl",
    ".json": "json",
    ".txt": "txt",
    ".html": "html",
    ".htm": "html",
    ".html.gz": "html",
    ".htm.gz": "html",
}
_GZIP_MAGIC = b"\x1f\x8b"


def suffix_of(name: str) -> str | None:
    """The supported suffix `name` ends with (lower-cased), or None."""
    low = name.lower()
    return next((s for s in _BY_LENGTH if low.endswith(s)), None)


# Repository/corpus boilerplate that shares the ".txt" suffix with articles (the OrangeSum
# folder ships a LICENSE.txt). Skipped inside folders only; naming one explicitly reads it.
_BOILERPLATE = frozenset(
    {"license", "licence", "copying", "readme", "notice", "authors", "changelog", "changes"}
)


def _ignored_in_folder(name: str) -> bool:
    if name.startswith("."):  # hidden: .git, .DS_Store, editor swap files
        return True
    return name.split(".", 1)[0].lower() in _BOILERPLATE


# A Loupe index folder holds these; one found inside a corpus folder is never read (its own
# files are not articles, and reading them while they are written would be a loop).
_INDEX_MARKERS = ("reindex.lock", "CURRENT")


def _is_index(names: set[str]) -> bool:
    return any(m in names for m in _INDEX_MARKERS) and any(
        n.startswith(("gen-", "tmp-")) for n in names
    )


def _unreadable(where: str, what: str, err: OSError) -> Problem:
    """A path that is there but cannot be read keeps its articles (``Problem.unreadable``);
    one that is gone (ENOENT) does not."""
    return Problem(
        where, f"{what} : {err.strerror or err}", unreadable=not isinstance(err, FileNotFoundError)
    )


class _Walk:
    """Depth-first walk in name order (deterministic) of the folders given, which a
    symbolic link may not leave unless ``follow_links``."""

    def __init__(self, report: Report, roots: list[Path], follow_links: bool) -> None:
        self.report = report
        self.roots = roots
        self.follow_links = follow_links
        self.seen_dirs: set[Path] = set()

    def leaves(self, path: Path) -> bool:
        """A link resolving outside every folder given is skipped and named: `ln -s /etc`
        must not put /etc/passwd in the index."""
        if self.follow_links:
            return False
        target = path.resolve()
        if any(target.is_relative_to(root) for root in self.roots):
            return False
        self.report(
            Problem(
                str(path),
                f"lien symbolique vers {shown(str(target))}, hors des dossiers indexés : "
                "ignoré (--follow-links pour le suivre)",
            )
        )
        return True

    def walk(self, directory: Path) -> Iterator[Path]:
        try:
            real = directory.resolve()
            if real in self.seen_dirs:  # a symlink loop, or the same folder reached twice
                return
            self.seen_dirs.add(real)
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as err:
            self.report(_unreadable(str(directory), "dossier illisible", err))
            return
        if _is_index({e.name for e in entries}):
            self.report(Problem(str(directory), "index de Loupe : dossier ignoré", skipped=False))
            return
        for entry in entries:
            if _ignored_in_folder(entry.name):
                continue
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir()
                is_file = not is_dir and entry.is_file()
                if (is_dir or is_file) and entry.is_symlink() and self.leaves(path):
                    continue
            except OSError as err:
                self.report(_unreadable(str(path), "chemin illisible", err))
                continue
            if is_dir:
                yield from self.walk(path)
            elif is_file and suffix_of(entry.name):
                yield path
            elif is_file:  # images, archives, office files: said once, not an error
                self.report(
                    Problem(str(path), "type de fichier non pris en charge : passé", skipped=False)
                )


def iter_files(
    paths: Iterable[str | Path], report: Report, *, follow_links: bool = False
) -> Iterator[tuple[Path, Path]]:
    """(file, root) pairs for the given files and folders; root is the folder given (for a
    file given directly, its parent), which makes ids relative and stable.

    Inside folders, hidden entries and LICENSE/README-style files are skipped silently,
    other unsupported files (images, archives...) with a warning, and so is a Loupe index
    folder; symbolic links resolving outside the folders given are skipped and named unless
    ``follow_links``. A path given explicitly that is missing or unsupported is reported.
    A file reached twice (e.g. `samples samples/seed`) is read once, so its ids are not
    duplicated.
    """
    paths = list(paths)
    seen_files: set[Path] = set()
    walk = _Walk(report, [Path(p).resolve() for p in paths], follow_links)

    def first_time(path: Path) -> bool:
        real = path.resolve()
        if real in seen_files:
            return False
        seen_files.add(real)
        return True

    for given in paths:
        path = Path(given)
        try:
            if path.is_dir():
                for found in walk.walk(path):
                    if first_time(found):
                        yield found, path
            elif path.is_file():
                if suffix_of(path.name) is None:
                    report(
                        Problem(
                            str(given),
                            "format non pris en charge (extensions acceptées : "
                            + ", ".join(SUFFIXES)
                            + ")",
                        )
                    )
                elif first_time(path):
                    yield path, path.parent
            elif path.exists():
                report(Problem(str(given), "pas un fichier ordinaire ni un dossier"))
            else:
                report(Problem(str(given), "chemin introuvable"))
        except OSError as err:
            report(_unreadable(str(given), "chemin illisible", err))


# One article is at most a few hundred kilobytes; a bigger single-article file is a log, a
# dump or a mistake, and analysing it would stall a reindex for minutes.
MAX_ARTICLE_BYTES = 5_000_000
# A `.json` file is parsed whole (a list has to be); larger exports belong in JSON Lines,
# which are read a line at a time, whatever their size.
MAX_JSON_FILE_BYTES = 200_000_000
# Decompression stops past GZIP_RATIO times the archive's own size (news text packs 3 to 10
# times; a bomb a thousand times), once past GZIP_FLOOR bytes.
GZIP_RATIO = 100
GZIP_FLOOR = 256_000_000
_BLOCK = 1 << 16
_GZIP_ERRORS = (EOFError, zlib.error, gzip.BadGzipFile)


def _gzip_cap(packed_size: int) -> int:
    return max(GZIP_FLOOR, GZIP_RATIO * packed_size)


def _too_big(size: float, limit: int) -> str:
    what = "fichier trop volumineux" + (" pour un article" if limit == MAX_ARTICLE_BYTES else "")
    return f"{what} ({size / 1e6:.0f} Mo, {limit / 1e6:.0f} Mo au plus)"


def _gzip_problem(err: Exception, where: str, partial: bool) -> Problem:
    """A truncated archive keeps what it held (its broken last line is lost); a damaged
    one too, with a warning."""
    if isinstance(err, EOFError):
        if partial:
            return Problem(where, "archive gzip tronquée : lecture partielle", skipped=False)
        return Problem(where, "archive gzip vide ou tronquée")
    if partial:
        return Problem(where, f"archive gzip abîmée : lecture partielle ({err})", skipped=False)
    return Problem(where, f"archive gzip illisible : {err}")


def _read_capped(
    stream: BinaryIO, limit: int, where: str, report: Report, *, gz: bool
) -> bytes | None:
    """At most ``limit`` bytes of ``stream`` (decompressed as it is read when ``gz``);
    None, after reporting why, when there is more or the archive is unreadable."""
    if gz:
        stream = gzip.GzipFile(fileobj=stream, mode="rb")
    out = bytearray()
    try:
        while len(out) <= limit:
            block = stream.read(min(_BLOCK << 4, limit + 1 - len(out)))
            if not block:
                break
            out += block
    except _GZIP_ERRORS as err:
        report(_gzip_problem(err, where, bool(out)))
        if not out:
            return None
    if len(out) > limit:
        what = "archive trop volumineuse une fois décompressée" if gz else "fichier trop volumineux"
        report(Problem(where, f"{what} (plus de {limit / 1e6:.0f} Mo) : ignoré"))
        return None
    return bytes(out)


def _gunzip(data: bytes, where: str, report: Report) -> bytes | None:
    """Decompress all gzip members (`cat a.gz b.gz` is valid gzip), keeping what a truncated
    archive still holds, up to the cap for an archive of this size."""
    return _read_capped(io.BytesIO(data), _gzip_cap(len(data)), where, report, gz=True)


class _PastCap(Exception):
    """An archive decompressed past its cap, at this line."""

    def problem(self, where: str) -> Problem:
        number, cap = self.args
        return Problem(
            where,
            f"archive trop volumineuse une fois décompressée (plus de {cap / 1e6:.0f} Mo, "
            f"{GZIP_RATIO} fois sa taille) : suite ignorée",
            number,
        )


def _raw_lines(stream: BinaryIO, cap: int | None) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) of a byte stream, a line at a time; None for a line longer
    than a record may be, skipped without being kept. Past ``cap`` bytes: `_PastCap`."""
    total = number = 0
    limit = MAX_RECORD_CHARS + 1
    while True:
        raw = stream.readline(limit)
        if not raw:
            return
        total += len(raw)
        number += 1
        if len(raw) == limit and not raw.endswith(b"\n"):  # too long: skip to its end
            while raw and not raw.endswith(b"\n") and (cap is None or total <= cap):
                raw = stream.readline(_BLOCK)
                total += len(raw)
            raw = None
        if cap is not None and total > cap:
            raise _PastCap(number, cap)
        yield number, raw


def _jsonl_lines(
    stream: BinaryIO, where: str, report: Report, cap: int | None
) -> Iterator[tuple[int, str | None]]:
    """Decoded lines of a JSON Lines stream, with `load_text`'s checks made line by line:
    a UTF-8 BOM dropped, CRLF and lone CR as line ends, cp1252 lines decoded with one
    warning naming the first, NUL bytes removed with a warning, NFC."""
    fallback = 0
    first_bad: int | None = None
    nul_seen = False
    shift = 0  # lone CRs split a line: later numbers move down
    for number, raw in _raw_lines(stream, cap):
        if raw is None:
            yield number + shift, None
            continue
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw = raw[len(codecs.BOM_UTF8) :]
        raw = raw.rstrip(b"\n").removesuffix(b"\r")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = cp1252(raw)
            fallback += 1
            first_bad = first_bad or number + shift
        if "\x00" in text:
            text = text.replace("\x00", "")
            if not nul_seen:
                nul_seen = True
                report(Problem(where, "octets NUL retirés du texte", number + shift, skipped=False))
        parts = text.split("\r")
        for i, part in enumerate(parts):
            yield number + shift + i, nfc(part)
        shift += len(parts) - 1
    if fallback:
        report(
            Problem(
                where,
                f"texte non UTF-8 : décodé en cp1252 (windows-1252) "
                f"({fallback} ligne(s), la première ici)",
                line=first_bad,
                skipped=False,
            )
        )


def _read_jsonl(
    stream: BinaryIO, size: int, *, gz: bool, relpath: str, where: str, report: Report, stats
) -> Iterator[Article]:
    """A JSON Lines file (or archive) read as a stream: memory stays that of one record."""
    if gz:
        stream = gzip.GzipFile(fileobj=stream, mode="rb")
    read_some = False
    try:
        head = stream.peek(BINARY_SNIFF)[:BINARY_SNIFF]
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            # UTF-16 has no byte-wise lines: read whole, as other formats are.
            data = _read_capped(stream, MAX_JSON_FILE_BYTES, where, report, gz=False)
            text = load_text(data, where, report) if data is not None else None
            if text is not None:
                yield from parse_jsonl(
                    text, relpath=relpath, where=where, report=report, stats=stats
                )
            return
        if b"\x00" in head:
            report(Problem(where, "fichier binaire (octets NUL) : ignoré"))
            return
        lines = _jsonl_lines(stream, where, report, _gzip_cap(size) if gz else None)

        def counted() -> Iterator[tuple[int, str | None]]:
            nonlocal read_some
            for number, line in lines:
                if line is None or line.strip():
                    read_some = True
                yield number, line

        yield from parse_jsonl_lines(
            counted(), relpath=relpath, where=where, report=report, stats=stats
        )
    except _GZIP_ERRORS as err:
        report(_gzip_problem(err, where, read_some))
        return
    except _PastCap as past:
        report(past.problem(where))
        return
    if not read_some:
        report(Problem(where, "fichier vide"))


def _parse(
    text: str, kind: str, *, relpath: str, where: str, report: Report, stats: dict | None
) -> Iterator[Article]:
    if kind == "txt":
        article = read_txt(text, relpath=relpath)
        if article is None:
            report(Problem(where, "aucun texte d'article (seulement de la navigation ?)"))
        else:
            yield article
    elif kind == "json":
        yield from parse_json(text, relpath=relpath, where=where, report=report, stats=stats)
    else:
        yield from parse_jsonl(text, relpath=relpath, where=where, report=report, stats=stats)


def _read_bytes(
    data: bytes, kind: str, *, relpath: str, where: str, report: Report, stats: dict | None
) -> Iterator[Article]:
    """Shared tail of read_file/read_stream: decode, check, parse; nothing escapes."""
    if kind not in ("jsonl", "json") and len(data) > MAX_ARTICLE_BYTES:
        report(
            Problem(
                where,
                f"fichier trop volumineux pour un article ({len(data) / 1e6:.0f} Mo, "
                f"{MAX_ARTICLE_BYTES / 1e6:.0f} Mo au plus)",
            )
        )
        return
    try:
        if kind == "html":
            yield from _read_html(data, relpath=relpath, where=where, report=report)
            return
        text = load_text(data, where, report)
        if text is not None:
            yield from _parse(text, kind, relpath=relpath, where=where, report=report, stats=stats)
    except Exception as err:  # a reader bug must cost one file, not the whole run
        report(Problem(where, f"erreur inattendue : {type(err).__name__}: {err}"))


def _read_html(data: bytes, *, relpath: str, where: str, report: Report) -> Iterator[Article]:
    """A page is decoded with the encoding it declares (see `html.decode_html`), not by
    `load_text`; the binary and empty checks are the same."""
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if not utf16 and b"\x00" in data[:BINARY_SNIFF]:
        report(Problem(where, "fichier binaire (octets NUL) : ignoré"))
        return
    text = decode_html(data, where, report)
    if not text.strip():
        report(Problem(where, "fichier vide"))
        return
    yield from parse_html_page(text, relpath=relpath, where=where, report=report)


def read_file(
    path: Path, root: Path, report: Report, *, stats: dict | None = None
) -> Iterator[Article]:
    """Articles of one file; `root` makes `Article.path` and derived ids relative.

    The size is checked before reading (from the file system) and while reading (a file
    may grow, a size may lie); a file that cannot be read, is too big or exhausts memory
    is reported and costs nothing else."""
    path = Path(path)
    where = str(path)
    suffix = suffix_of(path.name)
    if suffix is None:
        report(Problem(where, "format non pris en charge"))
        return
    kind = _KINDS[suffix]
    gz = suffix.endswith(".gz")
    limit = MAX_JSON_FILE_BYTES if kind == "json" else MAX_ARTICLE_BYTES
    try:
        relpath = relative_path(path, Path(root))
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if kind == "jsonl":
                yield from _read_jsonl(
                    fh, size, gz=gz, relpath=relpath, where=where, report=report, stats=stats
                )
                return
            if not gz and size > limit:
                report(Problem(where, _too_big(size, limit)))
                return
            data = _read_capped(fh, limit, where, report, gz=gz)
    except OSError as err:
        report(_unreadable(where, "lecture impossible", err))
        return
    except MemoryError:
        report(Problem(where, "mémoire insuffisante pour lire ce fichier : ignoré"))
        return
    if data is None:
        return
    yield from _read_bytes(data, kind, relpath=relpath, where=where, report=report, stats=stats)


def read_paths(
    paths: Iterable[str | Path],
    report: Report,
    *,
    stats: dict | None = None,
    follow_links: bool = False,
) -> Iterator[Article]:
    """Articles of every supported file under `paths`, in a deterministic order."""
    for path, root in iter_files(paths, report, follow_links=follow_links):
        yield from read_file(path, root, report, stats=stats)


def _guess_format(data: bytes) -> str:
    head = data.lstrip()[:1]
    if head == b"{":
        return "jsonl"
    if head == b"<":  # <!DOCTYPE html>, <html>, <?xml ...?> for XHTML
        return "html"
    if head == b"[":
        try:  # a .txt headline may start with "[Vidéo]": only a real JSON array is JSON
            if isinstance(json.loads(decode_text(data, "", lambda _p: None)), list):
                return "json"
        except (ValueError, RecursionError):
            pass
    return "txt"


def read_stream(
    data: bytes,
    name: str,
    report: Report,
    fmt: str | None = None,
    *,
    stats: dict | None = None,
) -> Iterator[Article]:
    """Articles from bytes read elsewhere (stdin for `loupe extract -`).

    `fmt` is "jsonl", "json", "txt" or "html"; None guesses from the first non-space byte ("{"
    means JSON Lines, "<" a web page). Gzipped input is unpacked first. `name` stands for the
    path in ids/problems.
    """
    if data.startswith(_GZIP_MAGIC):
        unpacked = _gunzip(data, name, report)
        if unpacked is None:
            return
        data = unpacked
    if fmt is None:
        fmt = _guess_format(data)
    fmt = fmt.lower().lstrip(".")
    if fmt not in STREAM_FORMATS:
        report(Problem(name, f"format inconnu {fmt!r} (attendu : {', '.join(STREAM_FORMATS)})"))
        return
    yield from _read_bytes(data, fmt, relpath=name, where=name, report=report, stats=stats)
