"""The JSON API: the same ``SearchEngine`` answers as the pages, serialised as they are.

``/api/search`` takes exactly the URL parameters of ``/``, so any results page can be
fetched as JSON by changing its path. Errors are ``{"error": "…"}`` in French (see
``create_app``).
"""

from __future__ import annotations

import math

import orjson
from flask import Blueprint, Response, current_app, jsonify, request

from search.find.request import SearchRequest, SearchResponse
from search.find.searcher import SearchEngine

from . import ArticleNotFound

bp = Blueprint("api", __name__)


def engine() -> SearchEngine:
    return current_app.extensions["loupe"]


@bp.get("/api/search")
def search() -> Response:
    """``SearchResponse.to_dict()``; a bad parameter or query is a 400."""
    req = SearchRequest.from_params(request.args)
    return search_json(engine().search(req))


_ORJSON = orjson.OPT_APPEND_NEWLINE | orjson.OPT_SERIALIZE_NUMPY


def search_json(response: SearchResponse) -> Response:
    """``jsonify(response.to_dict())``, the same bytes, encoded by orjson: a 15 KB answer
    in 0.03 ms instead of 0.29 (``json.dumps``, then a str encoded again), the largest
    single cost of the HTTP layer of a search. orjson writes a NaN or an infinity as
    ``null`` where the app's provider refuses them (issue 13): the only floats of a search
    answer are ``took_ms`` and the results' scores, checked here; an answer with ``explain``
    parts (more floats), or one in debug mode (indented), goes through the provider."""
    doc = response.to_dict()
    results = response.results
    if current_app.debug or any("explain" in r for r in results):  # indented, or explained
        return jsonify(doc)
    scores = [r["score"] for r in results if r["score"] is not None]
    if not math.isfinite(response.took_ms) or not all(map(math.isfinite, scores)):
        raise ValueError("Out of range float values are not JSON compliant")
    return current_app.response_class(orjson.dumps(doc, option=_ORJSON),
                                      mimetype="application/json")


@bp.get("/api/articles/<path:article_id>")
def article(article_id: str) -> Response:
    """One article with all its text (``*_html`` fields marked for ``q``)."""
    doc = engine().article(article_id, request.args.get("q", "").strip())
    if doc is None:
        raise ArticleNotFound(article_id)
    return jsonify(doc)


@bp.get("/healthz")
def healthz() -> Response | tuple[Response, int]:
    """For load balancers: 200 with the generation in use, 503 while there is no index or
    it is damaged (the error says how to rebuild it)."""
    health = engine().health()
    return jsonify(health), (200 if health["status"] == "ok" else 503)
