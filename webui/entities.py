"""A page per person and per country (``/personne/<nom>``, ``/pays/<code>``) and the same
documents in JSON (``/api/entities/person/<nom>``, ``/api/entities/country/<code>``).

The page is ``search.find.entitypage``'s document laid out: a chart of articles and mentions per
month (inline SVG, the histograms' classes, no inline style or script: CSP), the persons
and countries named with it (each a link to the search of both), its sections, its
aliases and its latest articles.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, url_for

from search.find import entitypage
from search.find.searcher import SearchEngine
from search.french import month_label

bp = Blueprint("entities", __name__)

CHART_WIDTH = 480
CHART_HEIGHT = 60
MAX_NAME = 200  # a person's name in a URL; longer is no one


class EntityNotFound(LookupError):
    pass


def engine() -> SearchEngine:
    return current_app.extensions["loupe"]


def person_url(name: str) -> str:
    return url_for("entities.person", nom=name)


def country_url(code: str) -> str:
    return url_for("entities.country", code=code)


def _search(q: str, **extra: str) -> str:
    params = [("q", q)] + [(k, v) for k, v in extra.items() if v]
    return url_for("views.index") + "?" + urlencode(params)


def _person_page(name: str) -> dict:
    if len(name) > MAX_NAME:
        abort(404)
    page = entitypage.person(engine(), name)
    if page is None:
        abort(404)
    return page


def _country_page(code: str) -> dict:
    if len(code) > MAX_NAME:
        abort(404)
    page = entitypage.country(engine(), code)
    if page is None:
        abort(404)
    return page


@bp.get("/api/entities/person/<path:nom>")
def api_person(nom: str) -> Response:
    """The person's document; 404 (JSON) when no article names that person."""
    return jsonify(_person_page(nom))


@bp.get("/api/entities/country/<code>")
def api_country(code: str) -> Response:
    return jsonify(_country_page(code))


@bp.get("/personne/<path:nom>")
def person(nom: str) -> str:
    return _render(_person_page(nom))


@bp.get("/pays/<code>")
def country(code: str) -> str:
    return _render(_country_page(code))


def _render(page: dict) -> str:
    for p in page["persons"]:
        p["href"] = person_url(p["name"])
        p["both_href"] = _search(p["q"])
    for c in page["countries"]:
        c["href"] = country_url(c["code"])
        c["both_href"] = _search(c["q"])
    for s in page["sections"]:
        s["href"] = _search(page["q"], rubrique=s["name"])
    for r in page["latest"]:
        r["href"] = url_for("views.article", article_id=r["id"])
    return render_template(
        "entity.html",
        page=page,
        all_href=_search(page["q"], tri="date"),
        charts=charts(page),
        given_name_note=entitypage.GIVEN_NAME_ONLY_NOTE,
        q=page["q"],
    )


def _month_link(links: dict[str, str], q: str, key: str) -> str:
    if key not in links:
        links[key] = _search(q, depuis=key, jusqu_au=key)
    return links[key]


def charts(page: dict) -> list[dict]:
    """Articles and mentions per month, every month between the first and the last (empty
    ones too, so the time axis is true); each bar links to the entity's search that month."""
    months = {m["month"]: m for m in page["months"]}
    if not months:
        return []
    first, last = min(months), max(months)
    y, m = int(first[:4]), int(first[5:])
    keys = []
    while f"{y:04d}-{m:02d}" <= last:
        keys.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    links: dict[str, str] = {}  # a month's search, made once for both charts
    out = []
    for field, title in (("articles", "Articles par mois"), ("mentions", "Mentions par mois")):
        values = [(months.get(k) or {}).get(field) or 0 for k in keys]
        if not any(values):
            continue
        top = max(values)
        step = min(CHART_WIDTH / len(keys), CHART_WIDTH / 6)
        left = (CHART_WIDTH - step * len(keys)) / 2
        gap = min(2.0, step * 0.25)
        bars = []
        for n, (key, value) in enumerate(zip(keys, values, strict=True)):
            height = max(2.0, round(value / top * CHART_HEIGHT, 2)) if value else 0.0
            label = month_label(int(key[:4]), int(key[5:]))
            unit = field[:-1] if value == 1 else field
            bars.append(
                {
                    "x": round(left + n * step + gap / 2, 2),
                    "width": round(step - gap, 2),
                    "y": round(CHART_HEIGHT - height, 2),
                    "height": height,
                    "title": f"{label} : {value} {unit}",
                    "href": _month_link(links, page["q"], key) if value else None,
                }
            )
        ticks = [
            {"x": 0, "label": keys[0], "anchor": "start"},
            {"x": CHART_WIDTH, "label": keys[-1], "anchor": "end"},
        ]
        out.append(
            {
                "title": title,
                "bars": bars,
                "ticks": ticks,
                "width": CHART_WIDTH,
                "height": CHART_HEIGHT,
                "total": sum(values),
            }
        )
    return out
