"""Bytes to text for every reader, plus the Problem record readers report instead of raising.

Archives of French news come from many tools: most files are UTF-8, some (Windows exports,
old CMS dumps) are cp1252 and a few are UTF-16. Guessing wrong silently would index mojibake
("Ã©"), so a fallback is always reported as a warning naming the file.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable
from dataclasses import dataclass

from search.ingest.articles import nfc, shown

# A NUL byte in the first block is the cheapest reliable sign of a binary file (images, PDFs,
# .docx, gzip saved without its suffix...); real text never contains one.
BINARY_SNIFF = 8192


@dataclass
class Problem:
    """Something a reader could not (fully) read; collected and shown, never raised."""

    path: str  # the file at fault, as given/found
    reason: str  # plain sentence, e.g. "JSON invalide : Expecting ',' delimiter (colonne 12)"
    line: int | None = None
    skipped: bool = True  # True: the record/file was NOT read; False: a warning only
    # The path is there but could not be read (permissions, I/O error): an incremental
    # reindex keeps the articles it had from it instead of removing them.
    unreadable: bool = False

    def __str__(self) -> str:
        path = shown(self.path)  # a name holding a newline must not forge a line
        where = path if self.line is None else f"{path}:{self.line}"
        return f"{where}: {self.reason}"


Report = Callable[[Problem], None]

# Problems shown per file; the rest are counted (3 million bad lines must neither print 3
# million lines nor keep 3 million Problem objects).
SHOWN_PER_FILE = 20


class Throttle:
    """Passes on the first ``per_file`` problems of each file and counts the others.

    ``hidden`` maps a file to [records skipped, warnings] left unsaid, for a closing
    "… et N autres problèmes dans FICHIER"."""

    def __init__(self, report: Report, per_file: int = SHOWN_PER_FILE) -> None:
        self.report = report
        self.per_file = per_file
        self.seen: dict[str, int] = {}
        self.hidden: dict[str, list[int]] = {}

    def __call__(self, problem: Problem) -> None:
        count = self.seen.get(problem.path, 0)
        if count < self.per_file or problem.unreadable:
            self.seen[problem.path] = count + 1
            self.report(problem)
            return
        hidden = self.hidden.setdefault(problem.path, [0, 0])
        hidden[0 if problem.skipped else 1] += 1

    @property
    def hidden_skipped(self) -> int:
        return sum(skipped for skipped, _warnings in self.hidden.values())

    def summaries(self) -> list[str]:
        """One line per file with hidden problems."""
        return [
            f"… et {skipped + warnings} autres problèmes dans {shown(path)} "
            f"({skipped} ignorés, {warnings} avertissements)"
            for path, (skipped, warnings) in self.hidden.items()
        ]


def _latin1_fallback(err: UnicodeError) -> tuple[str, int]:
    """cp1252 leaves 5 bytes (0x81, 0x8D, 0x8F, 0x90, 0x9D) undefined; latin-1 maps them all."""
    if not isinstance(err, UnicodeDecodeError):
        raise err
    return err.object[err.start : err.end].decode("latin-1"), err.end


codecs.register_error("loupe-latin1", _latin1_fallback)


def cp1252(data: bytes) -> str:
    """cp1252, its 5 undefined bytes read as latin-1."""
    return data.decode("cp1252", errors="loupe-latin1")


def decode_text(data: bytes, path: str, report: Report) -> str:
    """Decode a whole file: UTF-8 (BOM stripped), else cp1252 line by line with a warning.

    The fallback works per line so that a file concatenated from a UTF-8 part and a cp1252 part
    (a common accident) keeps its UTF-8 lines intact instead of turning them into mojibake.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        report(Problem(path, "fichier encodé en UTF-16 (décodé comme tel)", skipped=False))
        return nfc(data.decode("utf-16", errors="replace").lstrip("\ufeff"))
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        return nfc(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        first_bad = data.count(b"\n", 0, err.start) + 1
    parts: list[str] = []
    fallback_lines = 0
    for raw in data.split(b"\n"):
        try:
            parts.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            parts.append(cp1252(raw))
            fallback_lines += 1
    report(
        Problem(
            path,
            f"texte non UTF-8 : décodé en cp1252 (windows-1252) "
            f"({fallback_lines} ligne(s), la première ici)",
            line=first_bad,
            skipped=False,
        )
    )
    return nfc("\n".join(parts))


def load_text(data: bytes, path: str, report: Report) -> str | None:
    """The checks every format shares: binary, encoding, empty file, line endings.

    Returns None (after reporting why) when the file must be skipped.
    """
    utf16 = data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if not utf16 and b"\x00" in data[:BINARY_SNIFF]:
        report(Problem(path, "fichier binaire (octets NUL) : ignoré"))
        return None
    text = decode_text(data, path, report)
    # Universal newlines: CRLF (Windows) and lone CR (old Mac) both become "\n".
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:  # stray NULs past the sniffed block: drop them, say so
        line = text.count("\n", 0, text.index("\x00")) + 1
        text = text.replace("\x00", "")
        report(Problem(path, "octets NUL retirés du texte", line, skipped=False))
    if not text.strip():
        report(Problem(path, "fichier vide"))
        return None
    return text
