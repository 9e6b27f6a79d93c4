"""Loupe's library: index French news articles, then search them.

The front door, as ``sqlite_utils/__init__.py`` is one::

    from search import reindex, SearchEngine, SearchRequest

    reindex(["corpus/"], "index")
    response = SearchEngine("index").search(SearchRequest(q="retraites", countries=["FR"]))

Each name is imported when first used (PEP 562), so that ``import search.french`` or a
forked worker does not pay for Whoosh, numpy and the entity extractor it does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Public name -> module that defines it.
_EXPORTS = {
    "reindex": "search.index.indexer",
    "ReindexResult": "search.index.indexer",
    "SearchEngine": "search.find.searcher",
    "SearchRequest": "search.find.request",
    "SearchResponse": "search.find.request",
    "RequestError": "search.find.request",
    "QueryError": "search.find.query",
    "Article": "search.ingest.articles",
    "read_file": "search.ingest.readers",
    "extract": "search.ingest.entities",
    "Facet": "search.find.facets",
    "FACETS": "search.find.facets",
    "IndexProblem": "search.index.storage",
}

__all__ = [
    "FACETS",
    "Article",
    "Facet",
    "IndexProblem",
    "QueryError",
    "ReindexResult",
    "RequestError",
    "SearchEngine",
    "SearchRequest",
    "SearchResponse",
    "extract",
    "read_file",
    "reindex",
]

if TYPE_CHECKING:  # for type checkers and editors: the same names, imported eagerly
    from search.find.facets import FACETS, Facet
    from search.find.query import QueryError
    from search.find.request import RequestError, SearchRequest, SearchResponse
    from search.find.searcher import SearchEngine
    from search.index.indexer import ReindexResult, reindex
    from search.index.storage import IndexProblem
    from search.ingest.articles import Article
    from search.ingest.entities import extract
    from search.ingest.readers import read_file


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # found directly next time
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
