"""Readers: files on disk (or stdin) to `Article`s, never raising on bad input.

Formats are chosen by suffix (case-insensitive): `.jsonl`, `.jsonl.gz`, `.json` (see
`jsonl`), `.txt` (page dump or plain text, see `pagedump` and `plaintext`) and `.html`, `.htm`
and their `.gz` (saved web pages, see `html`). Anything wrong
with one record or file becomes a `Problem` passed to `report` and reading goes on, because
one bad file in an archive of thousands must not stop an indexing run.

`read_file`, `read_paths` and `read_stream` take an optional `stats` dict; the JSON readers
count records flagged as duplicates in `stats["duplicates"]` (they are neither articles nor
problems).
"""

from __future__ import annotations

import json
import os
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from search.articles import Article, relative_path
from search.readers.decode import BINARY_SNIFF, Problem, Report, decode_text, load_text
from search.readers.html import decode_html, parse_html_page
from search.readers.jsonl import parse_json, parse_jsonl
from search.readers.plaintext import read_txt

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


def _walk(directory: Path, report: Report, seen_dirs: set[Path]) -> Iterator[Path]:
    """Supported files under `directory`, depth first in name order (deterministic)."""
    try:
        real = directory.resolve()
        if real in seen_dirs:  # a symlink loop, or the same folder reached twice
            return
        seen_dirs.add(real)
        entries = sorted(os.scandir(directory), key=lambda e: e.name)
    except OSError as err:
        report(Problem(str(directory), f"dossier illisible : {err.strerror or err}"))
        return
    for entry in entries:
        if _ignored_in_folder(entry.name):
            continue
        path = Path(entry.path)
        try:
            is_dir = entry.is_dir()
            is_file = not is_dir and entry.is_file()
        except OSError:
            continue
        if is_dir:
            yield from _walk(path, report, seen_dirs)
        elif is_file and suffix_of(entry.name):
            yield path
        elif is_file:  # images, archives, office files: said once, not an error
            report(Problem(str(path), "type de fichier non pris en charge : passé", skipped=False))


def iter_files(paths: Iterable[str | Path], report: Report) -> Iterator[tuple[Path, Path]]:
    """(file, root) pairs for the given files and folders; root is the folder given (for a
    file given directly, its parent), which makes ids relative and stable.

    Inside folders, hidden entries and LICENSE/README-style files are skipped silently,
    other unsupported files (images, archives...) with a warning; a path given explicitly
    that is missing or unsupported is reported. A file reached twice (e.g. `samples
    samples/seed`) is read once, so its ids are not duplicated.
    """
    seen_files: set[Path] = set()
    seen_dirs: set[Path] = set()

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
                for found in _walk(path, report, seen_dirs):
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
            report(Problem(str(given), f"chemin illisible : {err.strerror or err}"))


def _gunzip(data: bytes, where: str, report: Report) -> bytes | None:
    """Decompress all gzip members (`cat a.gz b.gz` is valid gzip), keeping what a truncated
    archive still holds: its broken last line is then reported by the parser like any other."""
    out = bytearray()
    try:
        while data:
            unpacker = zlib.decompressobj(zlib.MAX_WBITS | 16)
            out += unpacker.decompress(data)
            if not unpacker.eof:
                out += unpacker.flush()
                if not out:
                    report(Problem(where, "archive gzip vide ou tronquée"))
                    return None
                report(Problem(where, "archive gzip tronquée : lecture partielle", skipped=False))
                break
            data = unpacker.unused_data.lstrip(b"\0")  # trailing NUL padding is allowed
    except zlib.error as err:
        if not out:
            report(Problem(where, f"archive gzip illisible : {err}"))
            return None
        report(Problem(where, f"archive gzip abîmée : lecture partielle ({err})", skipped=False))
    return bytes(out)


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


# One article is at most a few hundred kilobytes; a bigger single-article file is a log, a
# dump or a mistake, and analysing it would stall a reindex for minutes.
MAX_ARTICLE_BYTES = 5_000_000


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
    """Articles of one file; `root` makes `Article.path` and derived ids relative."""
    path = Path(path)
    where = str(path)
    try:
        suffix = suffix_of(path.name)
        if suffix is None:
            report(Problem(where, "format non pris en charge"))
            return
        data: bytes | None = path.read_bytes()
        if suffix.endswith(".gz"):
            data = _gunzip(data, where, report)
        relpath = relative_path(path, Path(root))
    except OSError as err:
        report(Problem(where, f"lecture impossible : {err.strerror or err}"))
        return
    if data is None:
        return
    kind = _KINDS[suffix]
    yield from _read_bytes(data, kind, relpath=relpath, where=where, report=report, stats=stats)


def read_paths(
    paths: Iterable[str | Path], report: Report, *, stats: dict | None = None
) -> Iterator[Article]:
    """Articles of every supported file under `paths`, in a deterministic order."""
    for path, root in iter_files(paths, report):
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
