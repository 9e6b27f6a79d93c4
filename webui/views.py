"""The HTML pages: home, search results and article.

Every interaction is a plain link or a GET form whose URL carries the whole search
(``SearchRequest.to_params``), so the pages work without JavaScript, can be bookmarked
and shared, and the back button behaves. The templates only lay out the view models
built here.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, current_app, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from search import french
from search.find.facets import FACET_BY_NAME, FACET_BY_PARAM, FACETS, facet_key
from search.find.request import MAX_PAGE, RequestError, SearchRequest, SearchResponse
from search.find.searcher import SearchEngine

from . import ArticleNotFound
from .exports import EXPORT_MAX

bp = Blueprint("views", __name__)

Params = list[tuple[str, str]]

# The facet lists' search boxes emptied: a link that changes the search leaves them.
NO_BOXES = {f.filter_param: "" for f in FACETS}
FACETS_SHOWN = 8  # per group before "Afficher plus" (a <details>, so no JavaScript needed)
# Histogram geometry, in SVG user units (the CSS stretches it to the sidebar's width).
CHART_WIDTH = 240
CHART_HEIGHT = 60
MAX_BARS = 30  # per chart: 8 units each at least (a finer period gets its own chart)
MAX_DAY_BARS = 31  # a whole month of days
MAX_LABELS = 6  # tick labels under a chart, evenly spaced
MAX_ALTERNATIVES = 4  # filters whose removal is counted on an empty results page
SORT_OPTIONS = (("pertinence", "Pertinence"), ("date", "Plus récents"), ("ancien", "Plus anciens"))
SORT_PARAM = {"relevance": "pertinence", "newest": "date", "oldest": "ancien"}


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
    return french.format_number(value)


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
    return french.format_date(day)


@bp.app_template_filter("duree")
def format_duration(ms: float) -> str:
    """Milliseconds with a French decimal comma: ``0,8 ms``, ``12 ms``."""
    text = f"{ms:.1f}".replace(".", ",") if ms < 10 else f"{ms:.0f}"
    return f"{text}{french.NNBSP}ms"


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
        or any(req.selected(f.name) for f in FACETS)
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
    current = req.selected(facet)
    if facet_key(value) in {facet_key(v) for v in current}:
        return search_url(req.to_params(page=""))
    return search_url(req.to_params(**{FACET_BY_NAME[facet].param: [*current, value], "page": ""}))


def _toggled(req: SearchRequest, facet: str, value: str, selected: bool) -> Params:
    """The search with one facet value added or removed (back to page 1).

    Years, months and days set the date range to themselves, or clear it when it is
    already theirs. The lists' search boxes are emptied: their job is done once a value is
    picked.
    """
    if facet in ("year", "month", "day"):
        if selected:
            return req.to_params(depuis="", jusqu_au="", page="", **NO_BOXES)
        return req.to_params(depuis=value, jusqu_au=value, page="", **NO_BOXES)
    current = req.selected(facet)
    key = facet_key(value)
    kept = [v for v in current if facet_key(v) != key]
    if not selected and len(kept) == len(current):
        kept.append(value)
    return req.to_params(**{FACET_BY_NAME[facet].param: kept, "page": "", **NO_BOXES})


def excluded(req: SearchRequest, facet: str, value: str) -> str:
    """The "sauf" action: the search with ``-pays:US`` (or ``-personne:"…"``) added to its
    words, the query language's own exclusion, so the URL and the box say what it does."""
    words = f"{req.q} {FACET_BY_NAME[facet].exclusion(value)}".strip()
    return search_url(req.to_params(q=words, page="", **NO_BOXES)) + f"#f-{facet}"


def facet_groups(req: SearchRequest, facets: dict[str, list[dict]]) -> list[dict]:
    """The sidebar: one group per facet with a toggle link per value; empty groups hidden
    (a group stays while its search box is in use, to say nothing matched). A group with
    more values than shown, or a box in use, gets the box: a GET form asking the server,
    which looks at every value of the facet for this search, not only those listed."""
    groups = []
    for facet in FACETS:
        name = facet.name
        links = [
            {
                **item,
                "href": search_url(_toggled(req, name, item["value"], item["selected"]))
                + f"#f-{name}",
                "exclude": None if item["selected"] else excluded(req, name, item["value"]),
            }
            for item in facets.get(name) or []
        ]
        box = req.value_filters.get(name, "")
        if links or box:
            groups.append(
                {
                    "name": name,
                    "title": facet.title,
                    "items": links[:FACETS_SHOWN],
                    "more": links[FACETS_SHOWN:],
                    "filter": box,
                    "filter_param": facet.filter_param,
                    "filter_fields": hidden_fields(req, facet.filter_param),
                    "filter_clear": search_url(req.to_params(**{facet.filter_param: ""}))
                    + f"#f-{name}",
                }
            )
    return groups


def _bars(
    req: SearchRequest, facet: str, items: list[dict], short_label: Callable[[int, dict], str]
) -> dict | None:
    """One SVG histogram: a bar per period, each a link that sets (or clears) the range.

    Every bar carries its first and last day (``data-start``/``data-end``) so that a drag
    across bars (loupe.js) can pick any range; the same counts are listed in a table for
    keyboard, touch and screen-reader users.
    """
    if not items or not any(i["count"] for i in items):
        return None
    top = max(i["count"] for i in items)
    # A handful of periods get bars of a sixth of the width, centred, not giant blocks.
    step = min(CHART_WIDTH / len(items), CHART_WIDTH / 6)
    left = (CHART_WIDTH - step * len(items)) / 2
    gap = min(2.0, step * 0.15)
    ranged = bool(req.date_from or req.date_to)
    every = max(1, math.ceil(len(items) / MAX_LABELS))
    bars, ticks = [], []
    for n, item in enumerate(items):
        height = 0.0
        if item["count"]:
            height = max(2.0, round(item["count"] / top * CHART_HEIGHT, 2))
        start, end = item["start"], item["end"]
        inside = (not req.date_from or end >= req.date_from) and (
            not req.date_to or start <= req.date_to
        )
        selected = item["selected"] or (req.date_from == start and req.date_to == end)
        if facet == "week":  # no value of its own: the week's first and last days
            params = (
                req.to_params(depuis="", jusqu_au="", page="", **NO_BOXES)
                if selected
                else req.to_params(
                    depuis=start.isoformat(), jusqu_au=end.isoformat(), page="", **NO_BOXES
                )
            )
        else:
            params = _toggled(req, facet, item["value"], selected)
        articles = f"{format_number(item['count'])} article{'s' if item['count'] > 1 else ''}"
        middle = round(left + (n + 0.5) * step, 2)
        label = short_label(n, item)
        if label:
            ticks.append({"x": middle, "label": label, "anchor": "middle"})
        bars.append(
            {
                **item,
                "selected": selected,
                "x": round(left + n * step + gap / 2, 2),
                "slot": round(left + n * step, 2),
                "step": round(step, 2),
                "middle": middle,
                "width": round(step - gap, 2),
                "y": round(CHART_HEIGHT - height, 2),
                "height": height,
                "title": f"{item['label']} : {articles}",
                "href": search_url(params) + "#f-date"
                if item["count"] or selected
                else None,
                "state": "is-selected" if selected else ("in-range" if ranged and inside else ""),
            }
        )
    if ticks and every > 1:
        ticks[0]["anchor"] = "start" if ticks[0]["x"] < 12 else "middle"
    return {
        "facet": facet,
        "bars": bars,
        "ticks": ticks,
        "every": every,
        "top": top,
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
        "ranged": ranged,
    }


def _span(req: SearchRequest, months: list[dict]) -> tuple[dt.date, dt.date] | None:
    """The period the finer charts cover: the chosen range, bounded by the first and the
    last month with matches when a side is open."""
    counted = [m for m in months if m["count"]]
    if not counted:
        return None
    first = req.date_from or counted[0]["start"]
    last = req.date_to or counted[-1]["end"]
    if not (req.date_from and req.date_to):
        first = max(first, counted[0]["start"])
        last = min(last, counted[-1]["end"])
    return (first, last) if first <= last else None


def histograms(req: SearchRequest, facets: dict[str, list[dict]]) -> list[dict]:
    """Articles per year, and per month, week or day depending on the period in view:
    months for up to ``MAX_BARS`` months, weeks for up to ``MAX_BARS`` weeks, days for a
    month, so that no bar is thinner than about 8 px. Every period between the first and
    the last is a bar, empty ones too, so the time axis is true."""
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
                "label": french.month_label(year, month),
                "count": 0,
                "selected": False,
            }
            end = french.month_end(year, month)
            months.append({**item, "start": dt.date(year, month, 1), "end": end})
    span = _span(req, months)
    if span is None:
        return []
    # The months of the period in view, whole months.
    months = [m for m in months if m["end"] >= span[0] and m["start"] <= span[1]]
    days = (span[1] - span[0]).days + 1
    by_day = {dt.date.fromisoformat(i["value"]): i for i in facets.get("day") or []}

    def year_label(n: int, item: dict) -> str:
        return item["value"] if n % max(1, math.ceil(len(years) / MAX_LABELS)) == 0 else ""

    def month_label(n: int, item: dict) -> str:
        month = item["start"].month
        if len(months) > MAX_LABELS * 2:
            return str(item["start"].year) if month == 1 or n == 0 and month < 10 else ""
        if n % math.ceil(len(months) / MAX_LABELS):
            return ""
        short = french.MONTHS_SHORT[month - 1]
        return short + (f" {item['start'].year % 100:02d}" if month == 1 else "")

    charts = [_bars(req, "year", years, year_label)]
    if len(months) <= MAX_BARS:
        charts.append(_bars(req, "month", months, month_label))
    if days <= MAX_DAY_BARS and by_day:
        items = _days(span, by_day)
        charts.append(
            _bars(req, "day", items, lambda n, i: str(i["start"].day) if n % 7 == 0 else "")
        )
    elif days <= MAX_BARS * 7 and by_day:
        items = _weeks(span, by_day)
        charts.append(
            _bars(
                req,
                "week",
                items,
                lambda n, i: f"{i['start'].day}/{i['start'].month}"
                if n % math.ceil(len(items) / MAX_LABELS) == 0
                else "",
            )
        )
    titles = {"year": "Par année", "month": "Par mois", "week": "Par semaine", "day": "Par jour"}
    return [{**c, "title": titles[c["facet"]]} for c in charts if c]


def _days(span: tuple[dt.date, dt.date], by_day: dict[dt.date, dict]) -> list[dict]:
    """Every day of the period, empty ones too (the engine lists days only when few)."""
    first, last = span
    days = []
    for n in range((last - first).days + 1):
        day = first + dt.timedelta(days=n)
        item = by_day.get(day) or {
            "value": day.isoformat(),
            "count": 0,
            "selected": False,
        }
        days.append({**item, "label": format_date(day), "start": day, "end": day})
    return days


def _weeks(span: tuple[dt.date, dt.date], by_day: dict[dt.date, dict]) -> list[dict]:
    """Weeks (Monday to Sunday) of the period, each the sum of its days."""
    monday = span[0] - dt.timedelta(days=span[0].weekday())
    weeks = []
    while monday <= span[1]:
        sunday = monday + dt.timedelta(days=6)
        count = sum(
            by_day[d]["count"]
            for d in (monday + dt.timedelta(days=k) for k in range(7))
            if d in by_day
        )
        weeks.append(
            {
                "value": monday.isoformat(),
                "label": f"Semaine du {format_date(monday)}",
                "count": count,
                "selected": False,
                "start": monday,
                "end": sunday,
            }
        )
        monday += dt.timedelta(days=7)
    return weeks


def _period_label(req: SearchRequest) -> str | None:
    """``Année 2019`` or ``Mars 2019`` when the range is exactly one year or one month."""
    start, end = req.date_from, req.date_to
    if not (start and end) or start.day != 1:
        return None
    if (start.month, end.month, end.day) == (1, 12, 31) and start.year == end.year:
        return f"Année {start.year}"
    if french.is_whole_month(start, end):
        return capitalise(french.month_label(start.year, start.month))
    return None


# An exclusion written in the query ("-pays:US", '-personne:"Emmanuel Macron"').
_EXCLUSION = re.compile(
    r'(?<![^\s(])-(' + "|".join(FACET_BY_PARAM) + r'):("[^"]*"|[^\s()"]+)'
)


def active_filters(req: SearchRequest) -> list[dict]:
    """The filters in force, each as a chip whose link removes it (exclusions written in
    the query too: "Sauf pays : États-Unis")."""
    chips = []
    for m in _EXCLUSION.finditer(req.q):
        facet = FACET_BY_PARAM[m.group(1)]
        rest = " ".join((req.q[: m.start()] + req.q[m.end() :]).split())
        params = req.to_params(q=rest, page="")
        value = m.group(2).strip('"')
        label = f"Sauf {facet.label.lower()} : {facet.display(value)}"
        chips.append({"label": label, "href": search_url(params), "params": params})
    for facet in FACETS:
        for value in req.selected(facet.name):
            params = _toggled(req, facet.name, value, selected=True)
            chips.append(
                {
                    "label": f"{facet.label} : {facet.display(value)}",
                    "href": search_url(params),
                    "params": params,
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


def describe(req: SearchRequest) -> str:
    """The search in words, for a feed's title: ``« retraites » · Rubrique : Monde · Pays :
    Russie``, so that two subscriptions can be told apart."""
    parts = [f"« {req.q} »"] if req.q else []
    parts += [chip["label"] for chip in active_filters(req)]
    return " · ".join(parts) or "les derniers articles"


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
                "source_href": added(req, "source", r["source"]) if r["source"] else None,
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
    params = req.to_params(tri="", page="", par_page="", **NO_BOXES) if req else []
    query = urlencode(params)
    return url_for("feeds.feed") + ("?" + query if query else "")


def export_links(req: SearchRequest) -> list[dict]:
    """"Exporter": every match of this search (same filters and order), not only the page."""
    query = urlencode(req.to_params(page="", par_page="", **NO_BOXES))
    return [
        {"label": label, "href": url_for(endpoint) + ("?" + query if query else ""), "type": kind}
        for label, endpoint, kind in (
            ("CSV", "exports.export_csv", "text/csv"),
            ("JSON Lines", "exports.export_jsonl", "application/x-ndjson"),
        )
    ]


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
    params = req.to_params(
        q=response.did_you_mean, page="", sans_correction="", **NO_BOXES
    )
    return {"text": response.did_you_mean, "href": search_url(params)}


def as_typed(req: SearchRequest, response: SearchResponse) -> dict | None:
    """When the results are the respelled query's: the link to the words as typed."""
    if not response.corrected:
        return None
    params = req.to_params(page="", sans_correction="1", **NO_BOXES)
    return {"corrected": response.corrected, "typed": req.q, "href": search_url(params)}


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
    ranked = any(r["score"] is not None for r in response.results)
    if sort == "pertinence" and not ranked:
        # Without words to rank by ("", "*", only exclusions) results come newest first.
        sort = "date"
    rankable = ranked or (req.sort != "relevance" and bool(req.q.strip(" *")))
    chips = active_filters(req)
    return render_template(
        "results.html",
        req=req,
        q=req.q,
        form_fields=hidden_fields(req, "q", *NO_BOXES),
        response=response,
        results=decorate_results(req, response.results),
        facet_groups=facet_groups(req, response.facets),
        histograms=histograms(req, response.facets),
        chips=chips,
        clear_filters=search_url([("q", req.q)] if req.q else []) if chips else None,
        alternatives=alternatives(chips) if not response.total else [],
        did_you_mean=suggestion(req, response),
        respelled=as_typed(req, response),
        pagination=pagination(req, response.total),
        sort=sort,
        sort_options=SORT_OPTIONS if rankable else SORT_OPTIONS[1:],
        sort_fields=hidden_fields(req, "tri"),
        date_fields=hidden_fields(req, "depuis", "jusqu_au", *NO_BOXES),
        first_shown=(req.page - 1) * req.per_page + 1,
        last_shown=(req.page - 1) * req.per_page + len(response.results),
        feed_href=feed_url(req),
        feed_title=f"Loupe : {describe(req)}",
        exports=export_links(req) if response.total else [],
        export_max=EXPORT_MAX,
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
        form_fields=hidden_fields(found_by, "q", *NO_BOXES),
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
