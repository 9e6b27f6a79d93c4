"""One opened index generation: what a searching process reads once per generation."""

from __future__ import annotations

import itertools
import os
import threading
from pathlib import Path

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from search.find import budget, fastsearch
from search.find.facets import FacetTable
from search.find.snippets import SnippetCache
from search.find.spelling import Lexicon
from search.index import storage


def open_index(path: Path):
    """A generation's Whoosh index, for searching, its segments read through their files:
    with a memory map (``LOUPE_MMAP=1``) Whoosh copies each mapped compound segment's
    postings, columns and term index into every reader (``BufferFile`` wraps the map in a
    ``BytesIO``), so a process would hold them once per request thread (README "Memory and
    first-time searches"); without it, none of them, for some CPU per query."""
    if os.environ.get("LOUPE_MMAP", "0").strip() == "1":
        return whoosh_index.open_dir(str(path))
    return FileStorage(str(path), supports_mmap=False).open_index()


class Generation:
    """One opened index generation and what is read once for it: its Whoosh index, facet
    table (``facets``), posting arrays shared by every thread (``postings``), the words
    respelling looks among (``lexicon``), and a searcher per thread."""

    _opened = itertools.count()

    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self.serial = next(self._opened)  # unique even if a wiped folder reuses a name
        self.ix = open_index(path)
        self.schema = self.ix.schema  # FileIndex.schema re-reads the TOC file on each access
        self.damage = ""  # set once a search found the files damaged
        self.files = storage.read_checksums(path)  # for /healthz
        self._local = threading.local()
        self.spare: list = []  # searchers opened ahead for threads that have none yet
        with self.ix.searcher() as s:
            self.facets = FacetTable(s.reader())
            self.postings = fastsearch.PostingCache(s)
        self.lexicon = Lexicon()
        self.snippets = SnippetCache()

    def searcher(self):
        s = getattr(self._local, "searcher", None)
        if s is None:
            try:  # one opened ahead by ``SearchEngine.warm`` (list.pop is atomic)
                s = self.spare.pop()
            except IndexError:
                s = self.ix.searcher()  # reads the index files: 0.1-0.3 s
            budget.watch(s.reader())  # its work is counted and time-limited (budget.Meter)
            self._local.searcher = s
        return s
