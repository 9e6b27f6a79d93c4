"""Plain `.txt` articles: the first non-empty line is the title, the rest is the body.

A `.txt` that carries page-dump cues (navigation words, a section line, a doubled headline)
goes to `pagedump` instead; `read_txt` makes that choice.
"""

from __future__ import annotations

import re

from search.ingest.articles import Article, make_id, nfc
from search.ingest.readers.pagedump import looks_like_pagedump, parse_pagedump

_BLANK_RUN = re.compile(r"\n{3,}")


def txt_id(relpath: str) -> str:
    """A text file is one article: its id is its relative path without the suffix."""
    stem = relpath[: -len(".txt")] if relpath.lower().endswith(".txt") else relpath
    return make_id(stem)


def parse_plaintext(text: str, *, art_id: str, relpath: str) -> Article | None:
    """Title = first non-empty line; body keeps its blank-line paragraph breaks."""
    lines = [line.rstrip() for line in text.split("\n")]
    for i, line in enumerate(lines):
        if line.strip():
            title = " ".join(line.split())
            body = _BLANK_RUN.sub("\n\n", "\n".join(lines[i + 1 :])).strip()
            return Article(id=art_id, title=nfc(title), body=nfc(body), path=relpath)
    return None


def read_txt(text: str, *, relpath: str) -> Article | None:
    """One article from a `.txt`, parsed as a page dump when it looks like one."""
    art_id = txt_id(relpath)
    if looks_like_pagedump(text):
        return parse_pagedump(text, art_id=art_id, relpath=relpath)
    return parse_plaintext(text, art_id=art_id, relpath=relpath)
