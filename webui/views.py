"""The HTML pages: home, search results and article.

Every interaction is a plain link or a GET form whose URL carries the whole search
(``SearchRequest.to_params``), so the pages work without JavaScript, can be bookmarked
and shared, and the back button behaves. The templates only lay out the view models
built here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, current_app, render_template, request, url_for

from search.facets import MONTHS_FR, facet_key
from search.labels import country_label
from search.searcher import MAX_PAGE, SearchEngine, SearchRequest

from . import ArticleNotFound

bp = Blueprint("views", __name__)

Params = list[tuple[str, str]]

# Facet name -> (URL parameter, SearchRequest attribute, chip prefix).
FACETS: dict[str, tuple[str, str, str]] = {
    "section": ("rubrique", "sections", "Rubrique"),
    "country": ("pays", "countries", "Pays"),
    "person": ("personne", "persons", "Personne"),
}
# The sidebar, in this order (month is left to the histogram).
FACET_GROUPS = (
    ("section", "Rubriques"),
    ("country", "Pays"),
    ("person", "Personnes"),
    ("year", "Années"),
)
FACETS_SHOWN = 8  # per group before "Afficher plus" (a <details>, so no JavaScript needed)
SORT_OPTIONS = (("pertinence", "Pertinence"), ("date", "Plus récents"), ("ancien", "Plus anciens"))
SORT_PARAM = {"relevance": "pertinence", "newest": "date", "oldest": "ancien"}
NNBSP = "\u202f"  # French thousands separator


def engine() -> SearchEngine:
    return current_app.extensions["loupe"]


# -- URLs ---------------------------------------------------------------------------


def search_url(params: Iterable[tuple[str, str]]) -> str:
    """The results page for these parameters (a list, since filters repeat)."""
    query = urlencode(list(params))
    return url_for("views.index") + ("?" + query if query else "")


def article_url(article_id: str, q: str = "") -> str:
    return url_for("views.article", article_id=article_id, **({"q": q} if q else {}))


def safe_url(url: str | None) -> str | None:
    """Only http(s) links to originals: a ``javascript:`` URL in a record must not be a link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in ("http", "https") else None


def tag_query(tag: str) -> str:
    """The query-language filter for one tag (tags have no URL parameter of their own)."""
    return 'tag:"' + " ".join(tag.replace('"', " ").split()) + '"'


# -- French formatting (template filters) ---------------------------------------------


@bp.app_template_filter("nombre")
def format_number(value: int) -> str:
    """``33922`` → ``33 922`` with a narrow no-break space, as French typography wants."""
    return f"{int(value):,}".replace(",", NNBSP)


@bp.app_template_filter("date_fr")
def format_date(value: str | dt.date | None) -> str:
    """``2020-03-01`` → ``1er mars 2020``."""
    if not value:
        return ""
    day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    first = "1er" if day.day == 1 else str(day.day)
    return f"{first} {MONTHS_FR[day.month - 1]} {day.year}"


@bp.app_template_filter("duree")
def format_duration(ms: float) -> str:
    """Milliseconds with a French decimal comma: ``0,8 ms``, ``12 ms``."""
    text = f"{ms:.1f}".replace(".", ",") if ms < 10 else f"{ms:.0f}"
    return f"{text}{NNBSP}ms"


@bp.app_template_filter("initiale")
def capitalise(value: str) -> str:
    """Section names come in both cases from the sources; show ``politique`` as ``Politique``."""
    return value[:1].upper() + value[1:] if value else ""


@bp.app_template_filter("articles")
def count_articles(n: int) -> str:
    """``Aucun article``, ``1 article``, ``12 articles``."""
    if n == 0:
        return "Aucun article"
    return f"{format_number(n)} article{'s' if n > 1 else ''}"


# -- view models ------------------------------------------------------------------------


def has_search(req: SearchRequest) -> bool:
    """Results are shown for words, filters, or an explicit sort/page (browsing by date)."""
    return bool(
        req.q
        or req.countries
        or req.persons
        or req.sections
        or req.date_from
        or req.date_to
        or request.args.get("tri")
        or request.args.get("page")
    )


def hidden_fields(req: SearchRequest, *drop: str) -> Params:
    """The current search as hidden inputs of a form that changes only ``drop``."""
    return [(k, v) for k, v in req.to_params(page="") if k not in drop]


def _toggled(req: SearchRequest, facet: str, value: str, selected: bool) -> Params:
    """The search with one facet value added or removed (back to page 1)."""
    if facet == "year":
        if selected:
            return req.to_params(depuis="", jusqu_au="", page="")
        return req.to_params(depuis=value, jusqu_au=value, page="")
    param, attr = FACETS[facet][:2]
    current: list[str] = getattr(req, attr)
    key = facet_key(value)
    kept = [v for v in current if facet_key(v) != key]
    if not selected and len(kept) == len(current):
        kept.append(value)
    return req.to_params(**{param: kept, "page": ""})


def added(req: SearchRequest, facet: str, value: str) -> str:
    """A result chip: narrow the current search to this value (a no-op when already there)."""
    param, attr = FACETS[facet][:2]
    current: list[str] = getattr(req, attr)
    if facet_key(value) in {facet_key(v) for v in current}:
        return search_url(req.to_params(page=""))
    return search_url(req.to_params(**{param: [*current, value], "page": ""}))


def facet_groups(req: SearchRequest, facets: dict[str, list[dict]]) -> list[dict]:
    """The sidebar: one group per facet with a toggle link per value; empty groups hidden."""
    groups = []
    for name, title in FACET_GROUPS:
        items = facets.get(name) or []
        if name == "year":
            items = sorted(items, key=lambda i: i["value"], reverse=True)
        links = [
            {
                **item,
                "href": search_url(_toggled(req, name, item["value"], item["selected"])),
            }
            for item in items
        ]
        if links:
            groups.append(
                {
                    "name": name,
                    "title": title,
                    "items": links[:FACETS_SHOWN],
                    "more": links[FACETS_SHOWN:],
                }
            )
    return groups


def _whole_year(req: SearchRequest) -> int | None:
    start, end = req.date_from, req.date_to
    if start and end and start.year == end.year:
        if (start.month, start.day, end.month, end.day) == (1, 1, 12, 31):
            return start.year
    return None


def active_filters(req: SearchRequest) -> list[dict]:
    """The filters in force, each as a chip whose link removes it."""
    chips = []
    for name, (_param, attr, prefix) in FACETS.items():
        for value in getattr(req, attr):
            label = country_label(value) if name == "country" else value
            chips.append(
                {
                    "label": f"{prefix} : {label}",
                    "href": search_url(_toggled(req, name, value, selected=True)),
                }
            )
    year = _whole_year(req)
    if year:
        chips.append(
            {
                "label": f"Année {year}",
                "href": search_url(req.to_params(depuis="", jusqu_au="", page="")),
            }
        )
    else:
        if req.date_from:
            chips.append(
                {
                    "label": f"Depuis le {format_date(req.date_from)}",
                    "href": search_url(req.to_params(depuis="", page="")),
                }
            )
        if req.date_to:
            chips.append(
                {
                    "label": f"Jusqu'au {format_date(req.date_to)}",
                    "href": search_url(req.to_params(jusqu_au="", page="")),
                }
            )
    return chips


def pagination(req: SearchRequest, total: int) -> dict | None:
    """Previous/next and a window of page numbers around the current one, with gaps."""
    last = min(max(1, math.ceil(total / req.per_page)), MAX_PAGE)
    if last == 1 and req.page == 1:
        return None
    page = req.page

    def href(n: int) -> str:
        return search_url(req.to_params(page=n if n > 1 else ""))  # page 1 has no parameter

    numbers = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    pages: list[dict[str, Any] | None] = []
    previous = 0
    for n in numbers:
        if n - previous > 1:
            pages.append(None)  # an ellipsis
        pages.append({"number": n, "href": href(n), "current": n == page})
        previous = n
    return {
        "pages": pages,
        "previous": href(page - 1) if page > 1 else None,
        "next": href(page + 1) if page < last else None,
        "first": href(1),
        "beyond": page > last,
    }


def decorate_results(req: SearchRequest, results: list[dict]) -> list[dict]:
    """Adds the links each result needs: its article page and its facet chips."""
    out = []
    for r in results:
        out.append(
            {
                **r,
                "href": article_url(r["id"], req.q),
                "section_href": added(req, "section", r["section"]) if r["section"] else None,
                "countries": [
                    {**c, "href": added(req, "country", c["value"])} for c in r["countries"]
                ],
                "persons": [{**p, "href": added(req, "person", p["value"])} for p in r["persons"]],
            }
        )
    return out


# -- routes -----------------------------------------------------------------------------


@bp.get("/")
def index() -> str:
    """The home page (corpus overview) or, as soon as a search is asked for, its results."""
    req = SearchRequest.from_params(request.args)
    if not has_search(req):
        stats = engine().stats(top=12)
        return render_template(
            "home.html",
            q="",
            stats=stats,
            section_links=[
                {**s, "href": search_url([("rubrique", s["value"])])} for s in stats["sections"]
            ],
            year_links=[
                {**y, "href": search_url([("depuis", y["value"]), ("jusqu_au", y["value"])])}
                for y in reversed(stats["years"])
            ],
            browse_href=search_url([("tri", "date")]),
        )

    response = engine().search(req)
    sort = SORT_PARAM[req.sort]
    if not req.q and sort == "pertinence":
        sort = "date"  # without words there is nothing to rank: results come newest first
    chips = active_filters(req)
    return render_template(
        "results.html",
        req=req,
        q=req.q,
        form_fields=hidden_fields(req, "q"),
        response=response,
        results=decorate_results(req, response.results),
        facet_groups=facet_groups(req, response.facets),
        chips=chips,
        clear_filters=search_url([("q", req.q)] if req.q else []) if chips else None,
        pagination=pagination(req, response.total),
        sort=sort,
        sort_options=SORT_OPTIONS if req.q else SORT_OPTIONS[1:],
        sort_fields=hidden_fields(req, "tri"),
        date_fields=hidden_fields(req, "depuis", "jusqu_au"),
        first_shown=(req.page - 1) * req.per_page + 1,
        last_shown=(req.page - 1) * req.per_page + len(response.results),
    )


@bp.get("/article/<path:article_id>")
def article(article_id: str) -> str:
    """One article in full, with the words of ``q`` highlighted."""
    q = request.args.get("q", "").strip()
    doc = engine().article(article_id, q)
    if doc is None:
        raise ArticleNotFound(article_id)
    return render_template(
        "article.html",
        doc=doc,
        q=q,
        original_url=safe_url(doc.get("url")),
        back_href=search_url([("q", q)]) if q else None,
        section_href=search_url([("rubrique", doc["section"])]) if doc.get("section") else None,
        countries=[
            {**c, "href": search_url([("pays", c["value"])])} for c in doc.get("countries") or []
        ],
        persons=[
            {**p, "href": search_url([("personne", p["value"])])} for p in doc.get("persons") or []
        ],
        tags=[
            {"label": t, "href": search_url([("q", tag_query(t))])} for t in doc.get("tags") or []
        ],
    )
