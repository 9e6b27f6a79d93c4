"""The present stage: the dicts a search, an export and an article page answer.

Built from a document's stored fields and the generation's facet table (a person's name
is the archive's most frequent spelling, a section its facet label), so that a result, an
exported record and an article say the same things the same way.
"""

from __future__ import annotations

import re

from search.find.facets import FacetTable
from search.find.snippets import (
    PagePositions,
    SnippetCache,
    located_spans,
    mark_all,
    snippet,
)
from search.index.layouts import LAYOUT_FIELDS
from search.ingest.labels import country_label

SNIPPET_FIELDS = ("body", "summary", "caption")  # a snippet comes from the first that matches


def metadata(doc: dict, table: FacetTable) -> dict:
    """The fields a result and an exported record share, in the API's order."""
    date = doc.get("date")
    return {
        "id": doc["id"],
        "title": doc.get("title", ""),
        "date": date.date().isoformat() if date else None,
        "published": doc.get("published") or None,
        "section": table.columns["section"].label(doc.get("section")),
        "source": doc.get("source") or None,
        "url": doc.get("url") or None,
    }


def result(
    doc: dict,
    table: FacetTable,
    score: float | None,
    terms: set[str],
    docnum: int = -1,
    snippets: SnippetCache | None = None,
    reader=None,
    page: PagePositions | None = None,
) -> dict:
    """One result of a page: its metadata, a snippet with ``terms`` marked, its score.
    ``snippets`` keeps the generation's recent snippets by (``docnum``, words); with the
    index's ``reader``, the texts' tokens come from its sidecars where they keep them
    (``page``: the terms' positions read for the whole page, ``page_positions``)."""

    def spans_of(i: int):
        name = SNIPPET_FIELDS[i]
        if name not in LAYOUT_FIELDS:
            return None
        return located_spans(reader, docnum, name, frozenset(terms), page,
                             doc.get(name) or "")

    def make() -> str:
        return snippet(
            [doc.get(name, "") for name in SNIPPET_FIELDS], terms,
            spans_of=spans_of if reader is not None and docnum >= 0 else None,
        )

    return {
        **metadata(doc, table),
        "snippet": snippets.get(docnum, terms, make) if snippets is not None else make(),
        "score": score,
        "countries": [
            {"value": c, "label": country_label(c)} for c in doc.get("country") or []
        ],
        "persons": persons(table, doc),
        "missing": [],  # words of the query it lacks (filled when ``dropped`` is not empty)
    }


def page_positions(reader, docnums: list[int], terms: set[str]) -> PagePositions:
    """The positions of ``terms`` in a page's documents, read for all of them at once
    (when a snippet needs them: a kept snippet reads nothing); a later field of
    ``SNIPPET_FIELDS`` only for those whose fields before it have no match."""
    return PagePositions(reader, docnums, frozenset(terms), SNIPPET_FIELDS)


def record(doc: dict, table: FacetTable, score: float | None) -> dict:
    """One exported record (CSV, JSON Lines): the metadata, the codes and names, the summary."""
    return {
        **metadata(doc, table),
        "score": score,
        "countries": list(doc.get("country") or []),
        "persons": [p["value"] for p in persons(table, doc)],
        "summary": doc.get("summary", ""),
    }


def article(doc: dict, table: FacetTable, terms: set[str]) -> dict:
    """An article with all its text, ``terms`` marked in its HTML versions."""
    date = doc.get("date")
    return {
        "id": doc["id"],
        "title": doc.get("title", ""),
        "title_html": mark_all(doc.get("title", ""), terms),
        "date": date.date().isoformat() if date else None,
        "date_source": doc.get("date_source") or None,
        "published": doc.get("published") or None,
        "section": doc.get("section") or None,
        "source": doc.get("source") or None,
        "url": doc.get("url") or None,
        "path": doc.get("path") or None,
        "summary": doc.get("summary", ""),
        "summary_html": mark_all(doc.get("summary", ""), terms),
        "caption": doc.get("caption", ""),
        "body": doc.get("body", ""),
        "body_html": [mark_all(p, terms) for p in paragraphs(doc.get("body", ""))],
        "tags": doc.get("tags") or [],
        "countries": [
            {"value": c, "label": country_label(c)} for c in doc.get("country") or []
        ],
        "persons": persons(table, doc),
    }


def persons(table: FacetTable, doc: dict) -> list[dict]:
    """A result's persons under the corpus-wide canonical spelling (the facet's label)."""
    column = table.columns["person"]
    names = [column.label(p) or p for p in doc.get("person") or []]
    return [{"value": n, "label": n} for n in dict.fromkeys(names)]


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text or "") if p.strip()]
