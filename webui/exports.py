"""Exports of a whole search: CSV and JSON Lines of every match, not one page.

``/export.csv`` and ``/export.jsonl`` take the URL parameters of ``/`` (the same filters,
the same order) and stream the records as they are read, so memory does not grow with the
export; at most ``EXPORT_MAX`` of them (the ``X-Loupe-Total`` header says how many matched,
``X-Loupe-Truncated`` whether some were left out).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator

from flask import Blueprint, Response, current_app, request, stream_with_context

from search.find.request import SearchRequest
from search.find.searcher import SearchEngine

bp = Blueprint("exports", __name__)

EXPORT_MAX = 10_000  # records per export: about 3 MB of CSV, a second of work
CSV_COLUMNS = (
    "id", "date", "published", "title", "section", "source", "url", "score", "countries",
    "persons", "summary",
)  # fmt: skip
# A cell starting with one of these is a formula to a spreadsheet ("=HYPERLINK(…)").
_FORMULA = re.compile(r"^[=+\-@\t\r]")


def engine() -> SearchEngine:
    return current_app.extensions["loupe"]


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = "; ".join(value)
    text = str(value)
    return "'" + text if _FORMULA.match(text) else text


def _filename(req: SearchRequest, extension: str) -> str:
    words = re.sub(r"[^\w]+", "-", req.q.lower(), flags=re.ASCII).strip("-")[:40]
    return f"loupe-{words or 'articles'}.{extension}"


def _export(kind: str) -> Response:
    req = SearchRequest.from_params(request.args)
    total, records = engine().export(req, EXPORT_MAX)

    def csv_lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for record in records:
            writer.writerow([_cell(record[c]) for c in CSV_COLUMNS])
            if buffer.tell() > 16_384:
                yield buffer.getvalue()
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue()

    def json_lines() -> Iterator[str]:
        for record in records:
            yield json.dumps(record, ensure_ascii=False) + "\n"

    if kind == "csv":
        # A byte-order mark so that spreadsheets read the accents as UTF-8.
        body, mimetype, extension = ("\ufeff", csv_lines()), "text/csv", "csv"
    else:
        body, mimetype, extension = ("", json_lines()), "application/x-ndjson", "jsonl"
    prefix, lines = body

    def stream() -> Iterator[str]:
        yield prefix
        yield from lines

    response = Response(stream_with_context(stream()), mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{_filename(req, extension)}"'
    )
    response.headers["X-Loupe-Total"] = str(total)
    response.headers["X-Loupe-Truncated"] = "true" if total > EXPORT_MAX else "false"
    return response


@bp.get("/export.csv")
def export_csv() -> Response:
    """Every match as CSV (UTF-8 with a BOM; lists joined by "; ")."""
    return _export("csv")


@bp.get("/export.jsonl")
def export_jsonl() -> Response:
    """Every match as JSON Lines: one object per line, the fields of the CSV."""
    return _export("jsonl")
