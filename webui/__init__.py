"""Loupe's web interface: HTML pages, a JSON API and a health check over one ``SearchEngine``.

``create_app`` is a Flask app factory so that ``loupe serve``, the tests and any WSGI
server each build their own app around their own index folder.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from flask.json.provider import DefaultJSONProvider
from flask_compress import Compress
from werkzeug.exceptions import HTTPException

from search.find.budget import SearchTimeout
from search.find.query import QueryError
from search.find.request import RequestError, clean_text
from search.find.searcher import SearchEngine
from search.index.storage import IndexProblem

# Strict enough that an injected tag could do nothing: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}

COMPRESSED = [
    "text/html", "text/css", "text/plain", "text/csv", "text/javascript", "application/javascript",
    "application/json", "application/x-ndjson", "application/atom+xml", "image/svg+xml",
    "application/opensearchdescription+xml",
]  # fmt: skip

# French titles of the HTTP errors a user can run into.
ERROR_TITLES = {
    400: "Requête invalide",
    404: "Page introuvable",
    405: "Méthode non autorisée",
    500: "Erreur interne",
    503: "Index indisponible",
}
ERROR_MESSAGES = {
    404: "Cette page n'existe pas.",
    405: "Cette adresse ne répond pas à cette méthode.",
    500: "Une erreur inattendue s'est produite ; elle a été enregistrée.",
}


class ArticleNotFound(LookupError):
    """An article id that is not in the index; the message (in French) goes with the 404."""

    def __init__(self, article_id: str) -> None:
        super().__init__(f"Aucun article n'a l'identifiant « {article_id} ».")


class StrictJSONProvider(DefaultJSONProvider):
    """Standard JSON only: a NaN or an infinity is an error here (a 500 that is logged)
    rather than ``Infinity`` in a document every strict parser rejects (issue 13)."""

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        kwargs.setdefault("allow_nan", False)
        return super().dumps(obj, **kwargs)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """A Loupe app serving the index in ``config["INDEX_DIR"]`` (default ``index``)."""
    app = Flask(__name__)
    app.json = StrictJSONProvider(app)
    app.config.update(INDEX_DIR="index", BASE_URL=None)
    if config:
        app.config.update(config)
    # French text stays readable in the API ("é", not "\u00e9"), key order as produced.
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]

    app.extensions["loupe"] = SearchEngine(app.config["INDEX_DIR"])
    # Text responses compressed (gzip, or Brotli/zstd when the client prefers them): a page
    # of 100 results is 213 KB of HTML. Flask-Compress handles Accept-Encoding, Vary,
    # streamed exports and the small responses not worth it; hand-written gzip would not.
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED)
    app.config.setdefault("COMPRESS_ALGORITHM_STREAMING", ["zstd", "br", "gzip", "deflate"])
    Compress(app)

    from .api import bp as api_bp
    from .entities import bp as entities_bp
    from .exports import bp as exports_bp
    from .feeds import bp as feeds_bp
    from .views import bp as views_bp

    app.register_blueprint(views_bp)
    app.register_blueprint(api_bp)
    app.register_blueprint(feeds_bp)
    app.register_blueprint(exports_bp)
    app.register_blueprint(entities_bp)
    _register_errors(app)

    @app.after_request
    def security_headers(response: Response) -> Response:
        """``response.headers.setdefault`` of each header (one a view set is kept), the
        same headers in the same order: the names present looked at once, then each
        missing one added, 5 µs a response instead of 17 (Werkzeug's ``setdefault``
        searches the list twice per header)."""
        headers = response.headers
        present = {name.lower() for name, _value in headers.items()}
        for name, value in SECURITY_HEADERS.items():
            if name.lower() not in present:
                headers.add(name, value)
        return response

    return app


def wants_json() -> bool:
    """API clients get JSON errors, browsers get a French page."""
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(
    status: int, message: str, title: str | None = None
) -> tuple[Response | str, int]:
    """One error, as ``{"error": message}`` for the API or as an HTML page."""
    if wants_json():
        return jsonify(error=message), status
    html = render_template(
        "error.html",
        status=status,
        title=title or ERROR_TITLES.get(status, "Erreur"),
        message=message,
        q=clean_text(request.args.get("q", ""))[:1000] if request.method == "GET" else "",
    )
    return html, status


def _register_errors(app: Flask) -> None:
    """Bad input is a 400 with its French message, a missing index a 503: never a 500."""

    @app.errorhandler(RequestError)
    @app.errorhandler(QueryError)
    def bad_request(exc: ValueError):
        return error_response(400, str(exc))

    @app.errorhandler(ArticleNotFound)
    def unknown_article(exc: ArticleNotFound):
        return error_response(404, str(exc), title="Article introuvable")

    @app.errorhandler(IndexProblem)
    def no_index(exc: IndexProblem):
        return error_response(503, str(exc))

    @app.errorhandler(SearchTimeout)
    def too_slow(exc: SearchTimeout):
        return error_response(503, str(exc), title="Serveur surchargé")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        message = ERROR_MESSAGES.get(status) or ERROR_TITLES.get(status) or "Erreur."
        response = app.make_response(error_response(status, message))
        if exc.response is None and status == 405:
            allow = dict(exc.get_headers()).get("Allow")  # still say which methods work
            if allow:
                response.headers["Allow"] = allow
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("Erreur inattendue sur %s", request.path)
        return error_response(500, ERROR_MESSAGES[500])
