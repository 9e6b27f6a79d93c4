"""The HTML pages: home, search results and article.

Every interaction is a plain link or a GET form whose URL carries the whole search
(``SearchRequest.to_params``), so the pages work without JavaScript, can be bookmarked
and shared, and the back button behaves. The templates only lay out the view models
built here.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, current_app, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from search.facets import MONTHS_FR, facet_key
from search.labels import country_label
from search.searcher import MAX_PAGE, RequestError, SearchEngine, SearchRequest, SearchResponse

from . import ArticleNotFound

bp = Blueprint("views", __name__)

Params = list[tuple[str, str]]

# Facet name -> (URL parameter, SearchRequest attribute, chip prefix).
FACETS: dict[str, tuple[str, str, str]] = {
    "section": ("rubrique", "sections", "Rubrique"),
    "country": ("pays", "countries", "Pays"),
    "person": ("personne", "persons", "Personne"),
}
# The sidebar, in this order (years and months are drawn as histograms).
FACET_GROUPS = (
    ("section", "Rubriques"),
    ("country", "Pays"),
    ("person", "Personnes"),
)
FACETS_SHOWN = 8  # per group before "Afficher plus" (a <details>, so no JavaScript needed)
MONTHS_SHORT = "janv. févr. mars avr. mai juin juil. août sept. oct. nov. déc.".split()
# Histogram geometry, in SVG user units (the CSS stretches it to the sidebar's width).
CHART_WIDTH = 240
CHART_HEIGHT = 60
MAX_TICKS = 8  # a label under every bar up to this many bars
MAX_ALTERNATIVES = 4  # filters whose removal is counted on an empty results page
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


def article_url(article_id: str, req: SearchRequest | None = None) -> str:
    """The article page, carrying the search it was found by (for the words to highlight
    and a way back to the same page of the same results, filters included)."""
    url = url_for("views.article", article_id=article_id)
    params = req.to_params() if req is not None else []
    return url + ("?" + urlencode(params) if params else "")


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


@bp.app_template_filter("heure")
def format_time(published: str | None) -> str:
    """``2020-07-02T11:05:00+02:00`` → ``11 h 05`` (the source's local time), or ""."""
    if not published or "T" not in published:
        return ""
    try:
        stamp = dt.datetime.fromisoformat(published)
    except ValueError:
        return ""
    return f"{stamp.hour} h {stamp.minute:02d}"


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


def added(req: SearchRequest, facet: str, value: str) -> str:
    """A result chip: narrow the current search to this value (a no-op when already there)."""
    param, attr = FACETS[facet][:2]
    current: list[str] = getattr(req, attr)
    if facet_key(value) in {facet_key(v) for v in current}:
        return search_url(req.to_params(page=""))
    return search_url(req.to_params(**{param: [*current, value], "page": ""}))


def _toggled(req: SearchRequest, facet: str, value: str, selected: bool) -> Params:
    """The search with one facet value added or removed (back to page 1).

    Years, months and days set the date range to themselves, or clear it when it is
    already theirs. The person filter box is emptied: its job is done once a name is picked.
    """
    if facet in ("year", "month", "day"):
        if selected:
            return req.to_params(depuis="", jusqu_au="", page="", personne_filtre="")
        return req.to_params(depuis=value, jusqu_au=value, page="", personne_filtre="")
    param, attr = FACETS[facet][:2]
    current: list[str] = getattr(req, attr)
    key = facet_key(value)
    kept = [v for v in current if facet_key(v) != key]
    if not selected and len(kept) == len(current):
        kept.append(value)
    return req.to_params(**{param: kept, "page": "", "personne_filtre": ""})


def facet_groups(req: SearchRequest, facets: dict[str, list[dict]]) -> list[dict]:
    """The sidebar: one group per facet with a toggle link per value; empty groups hidden
    (the person group stays while its filter box is in use, to say nothing matched)."""
    groups = []
    for name, title in FACET_GROUPS:
        links = [
            {
                **item,
                "href": search_url(_toggled(req, name, item["value"], item["selected"])),
            }
            for item in facets.get(name) or []
        ]
        filtering = name == "person" and bool(req.person_filter)
        if links or filtering:
            groups.append(
                {
                    "name": name,
                    "title": title,
                    "items": links[:FACETS_SHOWN],
                    "more": links[FACETS_SHOWN:],
                    "filter": filtering,
                }
            )
    return groups


def _bars(
    req: SearchRequest, facet: str, items: list[dict], short_label: Callable[[dict], str]
) -> dict | None:
    """One SVG histogram: a bar per period, each a link that sets (or clears) the range."""
    if not items or not any(i["count"] for i in items):
        return None
    top = max(i["count"] for i in items)
    # A handful of periods get bars of a sixth of the width, centred, not giant blocks.
    step = min(CHART_WIDTH / len(items), CHART_WIDTH / 6)
    left = (CHART_WIDTH - step * len(items)) / 2
    gap = min(2.0, step * 0.25)
    ranged = bool(req.date_from or req.date_to)
    bars = []
    for n, item in enumerate(items):
        height = 0.0
        if item["count"]:
            height = max(2.0, round(item["count"] / top * CHART_HEIGHT, 2))
        start, end = item["start"], item["end"]
        inside = (not req.date_from or end >= req.date_from) and (
            not req.date_to or start <= req.date_to
        )
        articles = f"{format_number(item['count'])} article{'s' if item['count'] > 1 else ''}"
        bars.append(
            {
                **item,
                "x": round(left + n * step + gap / 2, 2),
                "middle": round(left + (n + 0.5) * step, 2),
                "width": round(step - gap, 2),
                "y": round(CHART_HEIGHT - height, 2),
                "height": height,
                "title": f"{item['label']} : {articles}",
                "href": search_url(_toggled(req, facet, item["value"], item["selected"]))
                if item["count"] or item["selected"]
                else None,
                "state": "is-selected"
                if item["selected"]
                else ("in-range" if ranged and inside else ""),
            }
        )
    return {
        "facet": facet,
        "bars": bars,
        # A few bars get a label each; many get the first and the last only.
        "ticks": [
            {"x": bar["middle"], "label": short_label(bar), "anchor": "middle"} for bar in bars
        ]
        if len(items) <= MAX_TICKS
        else [
            {"x": 0, "label": short_label(items[0]), "anchor": "start"},
            {"x": CHART_WIDTH, "label": short_label(items[-1]), "anchor": "end"},
        ],
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "ranged": ranged,
    }


def histograms(req: SearchRequest, facets: dict[str, list[dict]]) -> list[dict]:
    """Articles per year and per month, every period between the first and the last shown
    (empty ones too, so the time axis is true). The months are those of the selected
    years when a range is set, else all of them."""
    by_year = {int(i["value"]): i for i in facets.get("year") or []}
    by_month = {i["value"]: i for i in facets.get("month") or []}
    if not by_year:
        return []
    first, last = min(by_year), max(by_year)
    years = []
    for year in range(first, last + 1):
        item = by_year.get(year) or {
            "value": str(year),
            "label": str(year),
            "count": 0,
            "selected": False,
        }
        years.append({**item, "start": dt.date(year, 1, 1), "end": dt.date(year, 12, 31)})
    lo, hi = first, last
    if req.date_from:
        lo = min(max(lo, req.date_from.year), hi)
    if req.date_to:
        hi = max(min(hi, req.date_to.year), lo)
    months = []
    for year in range(lo, hi + 1):
        for month in range(1, 13):
            key = f"{year:04d}-{month:02d}"
            item = by_month.get(key) or {
                "value": key,
                "label": f"{MONTHS_FR[month - 1]} {year}",
                "count": 0,
                "selected": False,
            }
            end = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
            months.append({**item, "start": dt.date(year, month, 1), "end": end})
    if not (req.date_from or req.date_to):
        # Trim the empty months before the first article and after the last one; the
        # months of a chosen period are all shown, empty or not.
        while months and not months[0]["count"]:
            months.pop(0)
        while months and not months[-1]["count"]:
            months.pop()

    def month_label(item: dict) -> str:
        return f"{MONTHS_SHORT[item['start'].month - 1]} {item['start'].year}"

    charts = [
        _bars(req, "year", years, lambda i: i["value"]),
        _bars(req, "month", months, month_label),
        _bars(req, "day", _days(req, facets.get("day") or []), lambda i: str(i["start"].day)),
    ]
    titles = {"year": "Par année", "month": "Par mois", "day": "Par jour"}
    return [{**c, "title": titles[c["facet"]]} for c in charts if c]


def _days(req: SearchRequest, facet: list[dict]) -> list[dict]:
    """Every day of a chosen range of a few weeks (or between the first and the last
    match), empty ones too: the engine gives days only when they are that few."""
    by_day = {dt.date.fromisoformat(i["value"]): i for i in facet}
    if not by_day:
        return []
    first = req.date_from if req.date_from and req.date_to else min(by_day)
    last = req.date_to if req.date_from and req.date_to else max(by_day)
    days = []
    for n in range((last - first).days + 1):
        day = first + dt.timedelta(days=n)
        item = by_day.get(day) or {
            "value": day.isoformat(),
            "label": format_date(day),
            "count": 0,
            "selected": False,
        }
        days.append({**item, "label": format_date(day), "start": day, "end": day})
    return days


def _period_label(req: SearchRequest) -> str | None:
    """``Année 2019`` or ``Mars 2019`` when the range is exactly one year or one month."""
    start, end = req.date_from, req.date_to
    if not (start and end) or start.day != 1:
        return None
    if (start.month, end.month, end.day) == (1, 12, 31) and start.year == end.year:
        return f"Année {start.year}"
    month_end = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
    if end == month_end - dt.timedelta(days=1):
        return capitalise(f"{MONTHS_FR[start.month - 1]} {start.year}")
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
                    "params": _toggled(req, name, value, selected=True),
                }
            )
    period = _period_label(req)
    dates = []
    if period:
        dates.append((period, req.to_params(depuis="", jusqu_au="", page="")))
    else:
        if req.date_from:
            dates.append(
                (f"Depuis le {format_date(req.date_from)}", req.to_params(depuis="", page=""))
            )
        if req.date_to:
            dates.append(
                (f"Jusqu'au {format_date(req.date_to)}", req.to_params(jusqu_au="", page=""))
            )
    chips += [{"label": label, "href": search_url(p), "params": p} for label, p in dates]
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
                "href": article_url(r["id"], req),
                "section_href": added(req, "section", r["section"]) if r["section"] else None,
                "countries": [
                    {**c, "href": added(req, "country", c["value"])} for c in r["countries"]
                ],
                "persons": [{**p, "href": added(req, "person", p["value"])} for p in r["persons"]],
            }
        )
    return out


# -- routes -----------------------------------------------------------------------------


def feed_url(req: SearchRequest | None = None) -> str:
    """The Atom feed of a search: same filters, always newest first, from the first page."""
    params = req.to_params(tri="", page="", par_page="", personne_filtre="") if req else []
    query = urlencode(params)
    return url_for("feeds.feed") + ("?" + query if query else "")


def home_links(stats: dict) -> dict[str, list[dict]]:
    """The entry points of the home page; an empty list hides its block."""

    def link(params: Params) -> str:
        return search_url(params)

    return {
        "countries": [{**c, "href": link([("pays", c["value"])])} for c in stats["countries"]],
        "persons": [{**p, "href": link([("personne", p["value"])])} for p in stats["persons"]],
        "sections": [{**c, "href": link([("rubrique", c["value"])])} for c in stats["sections"]],
        "years": [
            {**y, "href": link([("depuis", y["value"]), ("jusqu_au", y["value"])])}
            for y in reversed(stats["years"])
        ],
    }


def alternatives(chips: list[dict]) -> list[dict]:
    """For an empty page: how many articles each search would find without one filter."""
    out = []
    for chip in chips[:MAX_ALTERNATIVES]:
        other = SearchRequest.from_params(MultiDict(chip["params"]))
        found = engine().count(other)
        if found:
            out.append({"label": chip["label"], "href": chip["href"], "count": found})
    return out


def suggestion(req: SearchRequest, response: SearchResponse) -> dict | None:
    """The "did you mean" link: the respelled words, the same filters."""
    if not response.did_you_mean:
        return None
    params = req.to_params(q=response.did_you_mean, page="", personne_filtre="")
    return {"text": response.did_you_mean, "href": search_url(params)}


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
            links=home_links(stats),
            browse_href=search_url([("tri", "date")]),
            feed_href=feed_url(),
            feed_title="Loupe : les derniers articles",
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
        form_fields=hidden_fields(req, "q", "personne_filtre"),
        response=response,
        results=decorate_results(req, response.results),
        facet_groups=facet_groups(req, response.facets),
        histograms=histograms(req, response.facets),
        chips=chips,
        clear_filters=search_url([("q", req.q)] if req.q else []) if chips else None,
        alternatives=alternatives(chips) if not response.total else [],
        did_you_mean=suggestion(req, response),
        pagination=pagination(req, response.total),
        sort=sort,
        sort_options=SORT_OPTIONS if req.q else SORT_OPTIONS[1:],
        sort_fields=hidden_fields(req, "tri"),
        date_fields=hidden_fields(req, "depuis", "jusqu_au", "personne_filtre"),
        person_filter_fields=hidden_fields(req, "personne_filtre"),
        person_filter_clear=search_url(req.to_params(personne_filtre="")),
        first_shown=(req.page - 1) * req.per_page + 1,
        last_shown=(req.page - 1) * req.per_page + len(response.results),
        feed_href=feed_url(req),
        feed_title=f"Loupe : {req.q}" if req.q else "Loupe : recherche",
    )


@bp.get("/article/<path:article_id>")
def article(article_id: str) -> str:
    """One article in full, with the words of ``q`` highlighted."""
    q = request.args.get("q", "").strip()
    try:
        found_by = SearchRequest.from_params(request.args)
    except RequestError:  # a hand-edited link: the article is still worth showing
        found_by = SearchRequest(q=q)
    doc = engine().article(article_id, q)
    if doc is None:
        raise ArticleNotFound(article_id)
    return render_template(
        "article.html",
        doc=doc,
        q=q,
        original_url=safe_url(doc.get("url")),
        back_href=search_url(found_by.to_params()) if has_search(found_by) else None,
        section_href=search_url([("rubrique", doc["section"])]) if doc.get("section") else None,
        countries=[
            {**c, "href": url_for("entities.country", code=c["value"])}
            for c in doc.get("countries") or []
        ],
        persons=[
            {**p, "href": url_for("entities.person", nom=p["value"])}
            for p in doc.get("persons") or []
        ],
        tags=[
            {"label": t, "href": search_url([("q", tag_query(t))])} for t in doc.get("tags") or []
        ],
    )
