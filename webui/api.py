"""The JSON API: the same ``SearchEngine`` answers as the pages, serialised as they are.

``/api/search`` takes exactly the URL parameters of ``/``, so any results page can be
fetched as JSON by changing its path. Errors are ``{"error": "…"}`` in French (see
``create_app``).
"""

from __future__ import annotations

from flask import Blueprint, Response, current_app, jsonify, request

from search.find.request import SearchRequest
from search.find.searcher import SearchEngine

from . import ArticleNotFound

bp = Blueprint("api", __name__)


def engine() -> SearchEngine:
    return current_app.extensions["loupe"]


@bp.get("/api/search")
def search() -> Response:
    """``SearchResponse.to_dict()``; a bad parameter or query is a 400."""
    req = SearchRequest.from_params(request.args)
    return jsonify(engine().search(req).to_dict())


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
