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
    "reindex": "search.indexer",
    "ReindexResult": "search.indexer",
    "SearchEngine": "search.searcher",
    "SearchRequest": "search.request",
    "SearchResponse": "search.request",
    "RequestError": "search.request",
    "QueryError": "search.query",
    "Article": "search.articles",
    "read_file": "search.readers",
    "extract": "search.entities",
    "Facet": "search.facets",
    "FACETS": "search.facets",
    "IndexProblem": "search.storage",
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
    from search.articles import Article
    from search.entities import extract
    from search.facets import FACETS, Facet
    from search.indexer import ReindexResult, reindex
    from search.query import QueryError
    from search.readers import read_file
    from search.request import RequestError, SearchRequest, SearchResponse
    from search.searcher import SearchEngine
    from search.storage import IndexProblem


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'search' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # found directly next time
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
