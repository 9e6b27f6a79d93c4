"""The web UI, JSON API and feeds, through Flask's test client over real indexes (no mocks).

The sample index is the session's (``conftest.samples_index``); small indexes hold what
the samples lack: hostile text, to check that nothing a record or a query contains can
become markup, and persons and countries for those facets.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import pytest

from search.index.indexer import reindex
from tests.conftest import SAMPLES, write_jsonl
from webui import CONTENT_SECURITY_POLICY, create_app

ATOM = "{http://www.w3.org/2005/Atom}"
OPENSEARCH = "{http://a9.com/-/spec/opensearch/1.1/}"


class Links(HTMLParser):
    """Every <a> of a page: its attributes and its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict] = []
        self._open: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            link = {**{k: v or "" for k, v in attrs}, "text": ""}
            self.links.append(link)
            self._open.append(link)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for link in self._open:
            link["text"] += data


def links(html: str, css_class: str | None = None) -> list[dict]:
    parser = Links()
    parser.feed(html)
    found = parser.links
    if css_class:
        found = [a for a in found if css_class in a.get("class", "").split()]
    return found


def total_of(html: str) -> int:
    match = re.search(r'data-total="(\d+)"', html)
    assert match, "no results count on the page"
    return int(match.group(1))


def result_hrefs(html: str) -> list[str]:
    return re.findall(r'<h2 class="result-title"><a href="([^"]+)"', html)


def facet_links(html: str, facet: str) -> list[dict]:
    """The links of one sidebar group (``data-facet="section"``)."""
    match = re.search(
        rf'<section [^>]*class="facet-group" data-facet="{facet}">(.*?)</section>', html, re.S
    )
    assert match, f"no {facet} facet on the page"
    return links(match.group(1), "facet")


def bars(html: str, chart: str) -> list[dict]:
    """The bar links of one date histogram (``data-histogram="year"``)."""
    match = re.search(rf'<figure class="histogram" data-histogram="{chart}">(.*?)</figure>',
                      html, re.S)  # fmt: skip
    assert match, f"no {chart} histogram on the page"
    return links(match.group(1), "bar-link")


def query_of(href: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(href).query)


@pytest.fixture(scope="module")
def app(samples_index: Path):
    return create_app({"INDEX_DIR": str(samples_index), "TESTING": True})


@pytest.fixture()
def client(app):
    return app.test_client()


HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def hostile_client(tmp_path_factory: pytest.TempPathFactory):
    """An index of two records whose every field tries to inject markup."""
    folder = tmp_path_factory.mktemp("hostile")
    records = [
        {
            "id": "piege-1",
            "title": f"Titre {HOSTILE} piégé",
            "summary": f"Chapeau {HOSTILE} avec <b>gras</b>",
            "body": f"Premier paragraphe {HOSTILE} piégé.\n\n"
            "Second paragraphe <img src=x onerror=alert(2)>.",
            "caption": f"Légende {HOSTILE}",
            "date": "2021-03-04",
            "section_label": f"Rubrique {HOSTILE}",
            "source": f"Source {HOSTILE}",
            "source_url": "javascript:alert(3)",
            "tags": [f"tag {HOSTILE}"],
            "countries": ["FR"],
            "persons": ['Jean "<b>" Dupont'],
        },
        {
            "id": "sage-2",
            "title": "Un article ordinaire sur les retraites",
            "body": "Les retraites, encore les retraites.",
            "date": "2021-03-05",
            "section_label": "France",
            "source_url": "https://exemple.fr/article",
        },
    ]
    (folder / "piege.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", encoding="utf-8"
    )
    index_dir = folder / "index"
    assert reindex([folder / "piege.jsonl"], index_dir).total == 2
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True}).test_client()


# -- pages ------------------------------------------------------------------------------


def test_home_shows_corpus_size_and_sections(client, app) -> None:
    stats = app.extensions["loupe"].stats()
    page = client.get("/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert '<html lang="fr">' in html
    assert 'name="q"' in html and 'method="get"' in html
    assert f"{stats['articles']} articles" in html
    assert "2016" in html and "2020" in html  # the date range
    top = stats["sections"][0]["value"]
    assert any(a["href"] == f"/?rubrique={top}" for a in links(html))
    assert 'class="result"' not in html


def test_query_shows_ranked_results_with_marks(client) -> None:
    page = client.get("/?q=retraites")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert total_of(html) > 10
    assert "<mark>" in html
    hrefs = result_hrefs(html)
    assert len(hrefs) == 10
    assert all(h.startswith("/article/") and h.endswith("?q=retraites") for h in hrefs)
    assert 'value="retraites"' in html  # the box keeps the query


def test_facets_are_shown_with_counts(client) -> None:
    html = client.get("/?q=retraites").get_data(as_text=True)
    sections = facet_links(html, "section")
    assert sections
    for link in sections:
        assert re.search(r"\d+\s*$", link["text"].strip()), link
        assert "is-selected" not in link["class"]
    assert bars(html, "year")


def charts_of(html: str) -> list[str]:
    return re.findall(r'<figure class="histogram" data-histogram="(\w+)">', html)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ("q=retraites", ["year"]),  # five years of articles: 60 months would be 4 units wide
        ("depuis=2019-01&jusqu_au=2020-06", ["year", "month"]),  # 18 months
        ("depuis=2020-01&jusqu_au=2020-05", ["year", "month", "week"]),  # 22 weeks
        ("depuis=2020-03&jusqu_au=2020-03", ["year", "month", "day"]),  # 31 days
    ],
)
def test_histogram_bins_follow_the_period(client, params: str, expected: list[str]) -> None:
    """Bins follow the period in view and no chart has more than 31 bars (8 px each at
    least in the 240 px sidebar); every period between the first and the last is a bar."""
    html = client.get("/?" + params).get_data(as_text=True)
    assert charts_of(html) == expected
    for chart in expected:
        figure = re.search(rf'data-histogram="{chart}">(.*?)</figure>', html, re.S).group(1)
        slots = re.findall(r'<rect class="bar-hit" x="[\d.]+" y="0" width="([\d.]+)"', figure)
        assert 1 <= len(slots) <= 31 and min(float(w) for w in slots) >= 7.7
        # The y scale says the top count; ticks are labelled; a table lists every count.
        counts = [int(c) for c in re.findall(r'data-count="(\d+)"', figure)]
        assert f"(max. {max(counts)})" in figure
        assert re.search(r"<text [^>]*>[^<]+</text>", figure)
        rows = re.findall(r"<tr[^>]*><th scope=\"row\">", figure)
        assert len(rows) == len(slots)
    if "week" in expected:
        weeks = bars(html, "week")
        week = max(weeks, key=lambda a: int(a["data-count"]))
        start, end = query_of(week["href"])["depuis"][0], query_of(week["href"])["jusqu_au"][0]
        assert dt.date.fromisoformat(start).weekday() == 0
        assert (dt.date.fromisoformat(end) - dt.date.fromisoformat(start)).days == 6
        narrowed = client.get(week["href"]).get_data(as_text=True)
        assert total_of(narrowed) == int(week["data-count"])


def test_year_bar_filters_by_date(client) -> None:
    html = client.get("/?q=retraites").get_data(as_text=True)
    year = next(a for a in bars(html, "year") if a["data-value"] == "2020")
    assert query_of(year["href"]) == {"q": ["retraites"], "depuis": ["2020"], "jusqu_au": ["2020"]}
    narrowed = client.get(year["href"]).get_data(as_text=True)
    assert total_of(narrowed) == int(year["data-count"])
    data = client.get("/api/search?" + urlsplit(year["href"]).query).get_json()
    assert data["results"] and all(r["date"].startswith("2020") for r in data["results"])
    # The bar is now selected and removes the range; the chip says which year.
    selected = [a for a in bars(narrowed, "year") if "is-selected" in a["class"]]
    assert [a["data-value"] for a in selected] == ["2020"]
    assert query_of(selected[0]["href"]) == {"q": ["retraites"]}
    assert [a["text"].strip() for a in links(narrowed, "chip-remove")][0].startswith("Année 2020")
    # The months shown are those of the chosen year, all twelve.
    months = re.findall(r'data-histogram="month".*?</figure>', narrowed, re.S)[0]
    assert "janvier 2020" in months and "décembre 2020" in months


def test_month_bar_filters_by_month(client) -> None:
    html = client.get("/?q=retraites&depuis=2019&jusqu_au=2019").get_data(as_text=True)
    month = max(bars(html, "month"), key=lambda a: int(a["data-count"]))
    assert query_of(month["href"])["depuis"] == [month["data-value"]]
    narrowed = client.get(month["href"]).get_data(as_text=True)
    assert total_of(narrowed) == int(month["data-count"])
    chip = links(narrowed, "chip-remove")[0]["text"]
    assert re.match(r"(Janvier|Février|Mars|Avril|Mai|Juin|Juillet|Août|Septembre|Octobre|"
                    r"Novembre|Décembre) 2019", chip.strip())  # fmt: skip


def test_a_month_shows_its_days_and_a_day_bar_narrows_to_it(client) -> None:
    months = client.get("/api/search").get_json()["facets"]["month"]
    busiest = max(months, key=lambda m: m["count"])
    html = client.get(f"/?depuis={busiest['value']}&jusqu_au={busiest['value']}").get_data(
        as_text=True
    )
    days = bars(html, "day")
    assert days and sum(int(d["data-count"]) for d in days) == busiest["count"]
    assert all(d["data-value"].startswith(busiest["value"]) for d in days)
    day = max(days, key=lambda d: int(d["data-count"]))
    assert query_of(day["href"])["depuis"] == query_of(day["href"])["jusqu_au"] == [
        day["data-value"]
    ]
    narrowed = client.get(day["href"].replace("&amp;", "&")).get_data(as_text=True)
    assert total_of(narrowed) == int(day["data-count"])
    assert "Par jour" not in client.get("/").get_data(as_text=True)  # years of articles: no days


def test_histograms_are_svg_links_with_titles(client) -> None:
    html = client.get("/?q=retraites").get_data(as_text=True)
    figure = re.findall(r'data-histogram="year">(.*?)</figure>', html, re.S)[0]
    assert "<svg" in figure and 'viewBox="0 0 240 60"' in figure
    assert re.search(r"<title>2019 : \d+ articles</title>", figure)
    counts = {a["data-value"]: int(a["data-count"]) for a in bars(html, "year")}
    api = client.get("/api/search?q=retraites").get_json()["facets"]["year"]
    assert counts == {y["value"]: y["count"] for y in api}
    # The range form is there too, for any period.
    assert 'name="depuis"' in html and 'name="jusqu_au"' in html


def test_date_range_form(client) -> None:
    html = client.get("/?q=retraites&depuis=2019-06&jusqu_au=15/01/2020").get_data(as_text=True)
    assert 'value="2019-06-01"' in html and 'value="2020-01-15"' in html
    chips = [a["text"].strip() for a in links(html, "chip-remove")]
    assert any(c.startswith("Depuis le 1er juin 2019") for c in chips)
    assert any(c.startswith("Jusqu'au 15 janvier 2020") for c in chips)
    data = client.get("/api/search?q=retraites&depuis=2019-06&jusqu_au=15/01/2020&par_page=100")
    dates = [r["date"] for r in data.get_json()["results"]]
    assert dates and all("2019-06-01" <= d <= "2020-01-15" for d in dates)


def test_pagination_keeps_params_and_changes_page(client) -> None:
    html = client.get("/?q=retraites&tri=date").get_data(as_text=True)
    nxt = next(a for a in links(html) if a.get("rel") == "next")
    params = parse_qs(urlsplit(nxt["href"]).query)
    assert params == {"q": ["retraites"], "tri": ["date"], "page": ["2"]}
    page2 = client.get(nxt["href"]).get_data(as_text=True)
    assert result_hrefs(page2)
    assert not set(result_hrefs(page2)) & set(result_hrefs(html))
    prev = next(a for a in links(page2) if a.get("rel") == "prev")
    assert result_hrefs(client.get(prev["href"]).get_data(as_text=True)) == result_hrefs(html)


def test_sort_by_date(client) -> None:
    newest = client.get("/api/search?q=retraites&tri=date&par_page=50").get_json()
    dates = [r["date"] for r in newest["results"] if r["date"]]
    assert len(dates) > 10 and dates == sorted(dates, reverse=True)
    oldest = client.get("/api/search?q=retraites&tri=ancien&par_page=50").get_json()
    dates = [r["date"] for r in oldest["results"] if r["date"]]
    assert dates == sorted(dates)
    html = client.get("/?q=retraites&tri=date").get_data(as_text=True)
    assert '<option value="date" selected>' in html


def test_browsing_without_words(client) -> None:
    html = client.get("/?tri=date").get_data(as_text=True)
    assert total_of(html) > 300
    assert len(result_hrefs(html)) == 10


def test_no_results_explains_in_french(client) -> None:
    html = client.get("/?q=retraites&rubrique=Insolite&depuis=2016&jusqu_au=2016").get_data(
        as_text=True
    )
    assert total_of(html) == 0
    assert "Aucun article ne correspond" in html
    assert "retirez tous les filtres" in html


def test_article_page_highlights_query(client) -> None:
    first = client.get("/api/search?q=retraites").get_json()["results"][0]
    page = client.get(f"/article/{first['id']}?q=retraites")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    body = html.split('<div class="article-body">', 1)[1]
    assert "<mark>" in body
    assert first["url"] in html and "Lire l'article original" in html
    section = next(a for a in links(html, "section"))
    assert section["href"].startswith("/?rubrique=")


def test_sorting_by_date_orders_a_day_by_the_source_time(client) -> None:
    def order(sort: str) -> list[tuple[str, float]]:
        results = api(client, tri=sort, par_page=100)["results"]
        return [(r["date"], dt.datetime.fromisoformat(r["published"]).timestamp()) for r in results]

    newest = order("date")
    assert newest == sorted(newest, reverse=True)
    oldest = order("ancien")
    assert oldest == sorted(oldest)
    days = [day for day, _instant in newest]
    assert len(days) > len(set(days))  # the samples do have days with several articles


def test_article_page_leads_back_to_the_same_results(client) -> None:
    search = "/?q=gouvernement&rubrique=Politique&depuis=2019&tri=date&page=2"
    html = client.get(search).get_data(as_text=True)
    href = result_hrefs(html)[0].replace("&amp;", "&")
    carried = parse_qs(urlsplit(href).query)
    assert carried["rubrique"] == ["Politique"] and carried["page"] == ["2"]
    page = client.get(href).get_data(as_text=True)
    back = next(a for a in links(page) if a["text"].startswith("← Résultats pour"))
    assert parse_qs(urlsplit(back["href"]).query) == parse_qs(urlsplit(search).query) | {
        "depuis": ["2019-01-01"]
    }
    assert "<mark>" in page.split('<div class="article-body">', 1)[1]
    # Filters alone lead back too; a broken parameter still shows the article.
    browse = client.get(href.replace("q=gouvernement&", "")).get_data(as_text=True)
    assert any(a["text"] == "← Retour aux résultats" for a in links(browse))
    broken = client.get(href + "&depuis=hier")
    assert broken.status_code == 200


def test_unknown_article_is_a_french_404(client) -> None:
    page = client.get("/article/pas-un-article")
    assert page.status_code == 404
    html = page.get_data(as_text=True)
    assert "Article introuvable" in html and "pas-un-article" in html
    assert '<html lang="fr">' in html
    assert client.get("/nulle-part").status_code == 404


# -- JSON API ---------------------------------------------------------------------------


def test_api_search_schema(client) -> None:
    page = client.get("/api/search?q=retraites")
    assert page.status_code == 200 and page.mimetype == "application/json"
    data = page.get_json()
    assert set(data) == {
        "query", "total", "page", "per_page", "took_ms", "results", "facets", "did_you_mean",
        "corrected", "dropped", "cached",
        "notice",
    }  # fmt: skip
    assert data["notice"] is None
    assert data["query"] == "retraites" and isinstance(data["total"], int)
    assert data["page"] == 1 and data["per_page"] == 10
    assert isinstance(data["took_ms"], (int, float))
    assert len(data["results"]) == 10
    for result in data["results"]:
        assert set(result) == {
            "id", "title", "date", "published", "section", "source", "url", "snippet", "score",
            "countries", "persons", "missing",
        }  # fmt: skip
        assert isinstance(result["id"], str) and isinstance(result["title"], str)
        assert isinstance(result["score"], float)
        assert isinstance(result["countries"], list) and isinstance(result["persons"], list)
    assert set(data["facets"]) == {
        "country", "person", "month", "year", "day", "section", "source"
    }  # fmt: skip
    for values in data["facets"].values():
        for value in values:
            assert set(value) == {"value", "label", "count", "selected"}
            assert isinstance(value["count"], int) and isinstance(value["selected"], bool)
    # UTF-8, not \u-escaped
    assert "é".encode() in page.data and b"\\u00e9" not in page.data


def test_api_article(client) -> None:
    first = client.get("/api/search?q=retraites").get_json()["results"][0]
    data = client.get(f"/api/articles/{first['id']}?q=retraites").get_json()
    assert data["id"] == first["id"] and data["title"] == first["title"]
    assert isinstance(data["body_html"], list) and data["body_html"]
    assert any("<mark>" in p for p in data["body_html"])
    missing = client.get("/api/articles/pas-un-article")
    assert missing.status_code == 404
    assert "pas-un-article" in missing.get_json()["error"]


def _sample_titles(count: int) -> list[str]:
    with (SAMPLES / "orangesum" / "orangesum-sample.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line)["title"] for line in itertools.islice(f, count)]


def test_api_search_bytes_are_the_providers(app) -> None:
    """``/api/search``'s orjson encoding (``api.search_json``) gives the bytes the app's JSON
    provider gives for the same answer (compact, UTF-8 unescaped, keys in order, a newline
    at the end), over sample titles, their words lower-cased, respellings, facets, several
    pages, and text a JSON encoder must escape (quotes, backslashes, control characters,
    U+2028, an emoji, markup)."""
    from flask import jsonify

    from search.find.request import SearchRequest
    from webui.api import search_json

    engine = app.extensions["loupe"]
    texts = _sample_titles(40) + [t.lower() for t in _sample_titles(10)] + [
        "retraites", "retrraites", "", 'Macron "réforme" \\ \x01\x1f\u2028 😀 </script>',
        "États-Unis", "mot^3 élection",
    ]
    compared = 0
    with app.test_request_context():
        for text in texts:
            for page in (1, 2):
                response = engine.search(SearchRequest(q=text, page=page))
                fast = search_json(response)
                assert fast.mimetype == "application/json"
                assert fast.get_data() == jsonify(response.to_dict()).get_data(), text
                compared += bool(response.results)
    assert compared > 60


def test_api_search_refuses_a_non_finite_score(app) -> None:
    """orjson would write a NaN score as ``null``: the answer is refused, as the provider
    refuses it (issue 13), whichever result holds it."""
    from dataclasses import replace

    from search.find.request import SearchRequest
    from webui.api import search_json

    response = app.extensions["loupe"].search(SearchRequest(q="retraites"))
    assert len(response.results) > 2
    with app.test_request_context():
        for bad in (math.nan, math.inf, -math.inf):
            for k in (0, len(response.results) - 1):
                results = [dict(r) for r in response.results]
                results[k]["score"] = bad
                with pytest.raises(ValueError):
                    search_json(replace(response, results=results))
            with pytest.raises(ValueError):
                search_json(replace(response, took_ms=bad))


def test_healthz(client, app) -> None:
    data = client.get("/healthz").get_json()
    assert data == {"status": "ok", "generation": app.extensions["loupe"].generation}


# -- bad input --------------------------------------------------------------------------

BAD_PARAMS = [
    ("page=0", "page"),
    ("page=abc", "nombre entier"),
    ("par_page=1000", "par_page"),
    ("depuis=31/02/2021", "Date"),
    ("tri=foo", "Tri inconnu"),
    ("q=" + "mot " * 500, "trop longue"),
]


@pytest.mark.parametrize(("params", "words"), BAD_PARAMS)
def test_bad_params_are_400_in_french(client, params: str, words: str) -> None:
    page = client.get("/?" + params)
    assert page.status_code == 400
    html = page.get_data(as_text=True)
    assert words in html and "Requête invalide" in html
    api = client.get("/api/search?" + params)
    assert api.status_code == 400
    assert words in api.get_json()["error"]


def test_very_long_query_is_400(client) -> None:
    long = "a" * 2000
    assert client.get(f"/?q={long}").status_code == 400
    assert client.get(f"/api/search?q={long}").status_code == 400
    assert client.get(f"/article/x?q={long}").status_code == 404  # ignored, id unknown


# -- escaping and headers ------------------------------------------------------------------


def test_record_text_is_escaped(hostile_client) -> None:
    html = hostile_client.get("/article/piege-1?q=piégé").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>" in html
    for raw in (HOSTILE, "<b>", "<img"):
        assert raw not in html
    assert "javascript:" not in [a.get("href", "")[:11] for a in links(html)]
    person = next(a for a in links(html, "chip") if "Dupont" in a["text"])
    # The chip leads to the person's page, whose name is text, never markup.
    assert unquote(urlsplit(person["href"]).path) == '/personne/Jean "<b>" Dupont'
    page = hostile_client.get(person["href"]).get_data(as_text=True)
    assert "&lt;b&gt;" in page and "<b>" not in page and HOSTILE not in page

    results = hostile_client.get("/?q=piégé").get_data(as_text=True)
    assert total_of(results) == 1
    assert "&lt;script&gt;" in results and HOSTILE not in results and "<b>" not in results
    chips = links(results, "chip-country") + links(results, "chip-person")
    assert {a["text"] for a in chips} == {"France", 'Jean "<b>" Dupont'}
    france = hostile_client.get(next(a["href"] for a in chips if a["text"] == "France"))
    assert france.status_code == 200 and "1 article" in france.get_data(as_text=True)


def test_query_is_echoed_escaped(hostile_client) -> None:
    html = hostile_client.get("/?q=<script>x</script>").get_data(as_text=True)
    assert "<script>x" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html


@pytest.mark.parametrize(
    "path", ["/", "/?q=retraites", "/api/search?q=retraites", "/?page=0", "/nulle", "/healthz",
             "/static/loupe.css"]
)  # fmt: skip
def test_security_headers(client, path: str) -> None:
    headers = client.get(path).headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_security_headers_are_added_only_where_missing(samples_index: Path) -> None:
    """The security headers a response lacks go after its own, in their order, as
    Werkzeug's ``setdefault`` puts them; a header a view sets itself (in any case) is
    kept, once."""
    from flask import Response
    from werkzeug.datastructures import Headers

    from webui import SECURITY_HEADERS

    app = create_app({"INDEX_DIR": str(samples_index), "TESTING": True})
    hook = next(f for f in app.after_request_funcs[None] if f.__name__ == "security_headers")
    starts = [
        [], [("Content-Type", "text/html; charset=utf-8")],
        [("Content-Type", "application/json"), ("x-content-type-options", "mine")],
        [("Referrer-Policy", "no-referrer"), ("Vary", "Cookie"), ("Vary", "Accept")],
        [(name, "own") for name in SECURITY_HEADERS],
    ]
    for start in starts:
        expected = Headers(start)
        for name, value in SECURITY_HEADERS.items():
            expected.setdefault(name, value)
        response = Response(b"x")
        response.headers = Headers(start)
        assert list(hook(response).headers.items()) == list(expected.items()), start

    @app.get("/own-headers")
    def own_headers():
        return "x", 200, {"x-content-type-options": "mine"}

    kept = app.test_client().get("/own-headers").headers
    assert kept.getlist("X-Content-Type-Options") == ["mine"]
    assert kept["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_no_inline_script_or_style(client) -> None:
    for path in ("/", "/?q=retraites", "/?page=0"):
        html = client.get(path).get_data(as_text=True)
        assert "<style" not in html and " style=" not in html
        assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []


def test_missing_index_is_503_with_a_hint(tmp_path: Path) -> None:
    client = create_app({"INDEX_DIR": str(tmp_path / "vide")}).test_client()
    page = client.get("/")
    assert page.status_code == 503
    html = page.get_data(as_text=True)
    assert "loupe reindex" in html and '<html lang="fr">' in html
    api = client.get("/api/search?q=retraites")
    assert api.status_code == 503 and "loupe reindex" in api.get_json()["error"]
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["status"] == "error"


# -- facet combinations --------------------------------------------------------------------


def api(client, **params) -> dict:
    page = client.get("/api/search?" + urlencode(params, doseq=True))
    assert page.status_code == 200, page.get_data(as_text=True)
    return page.get_json()


def counts(data: dict, facet: str) -> dict[str, int]:
    return {v["value"]: v["count"] for v in data["facets"][facet]}


def test_values_of_one_facet_are_ored_and_counted_disjunctively(client) -> None:
    plain = api(client, q="retraites")
    sections = counts(plain, "section")
    a, b = sorted(sections, key=sections.get, reverse=True)[:2]
    one = api(client, q="retraites", rubrique=[a])
    assert one["total"] == sections[a]
    # The section facet is counted without its own selection: the other values keep
    # their counts and selecting both means either.
    assert counts(one, "section") == sections
    assert [v["value"] for v in one["facets"]["section"] if v["selected"]] == [a]
    both = api(client, q="retraites", rubrique=[a, b])
    assert both["total"] == sections[a] + sections[b]  # one section per article
    assert {v["value"] for v in both["facets"]["section"] if v["selected"]} == {a, b}
    # Other facets are counted with the selection: the years add up to the total.
    assert sum(counts(one, "year").values()) == one["total"]


def test_facets_of_different_kinds_are_anded(client) -> None:
    section = api(client, q="retraites", rubrique=["Politique"])
    year = api(client, q="retraites", depuis="2019", jusqu_au="2019")
    both = api(client, q="retraites", rubrique=["Politique"], depuis="2019", jusqu_au="2019")
    assert 0 < both["total"] < min(section["total"], year["total"])
    assert both["total"] == counts(year, "section")["Politique"]
    assert both["total"] == counts(section, "year")["2019"]
    for r in both["results"]:
        assert r["section"] == "Politique" and r["date"].startswith("2019")
    # The year facet ignores the date range (disjunctive), the section facet does not.
    assert counts(both, "year") == counts(section, "year")
    html = client.get("/?" + urlencode({"q": "retraites", "rubrique": "Politique",
                                        "depuis": "2019", "jusqu_au": "2019"}))  # fmt: skip
    page = html.get_data(as_text=True)
    assert total_of(page) == both["total"]
    assert len(links(page, "chip-remove")) == 2


def test_filters_without_words(client) -> None:
    data = api(client, rubrique=["Politique"])
    assert data["total"] == counts(api(client), "section")["Politique"]
    assert data["results"][0]["score"] is None  # nothing to rank: newest first
    html = client.get("/?rubrique=Politique").get_data(as_text=True)
    assert total_of(html) == data["total"]
    assert '<option value="pertinence"' not in html  # no relevance without words


# -- persons and countries (a small index: the samples have none yet) -----------------------

PEOPLE = [f"Personne {chr(65 + i)}{'é' if i == 1 else ''}" for i in range(12)]


@pytest.fixture(scope="module")
def people_client(tmp_path_factory: pytest.TempPathFactory):
    """Twelve persons (more than the sidebar shows at once) and three countries."""
    folder = tmp_path_factory.mktemp("people")
    records = []
    for i, person in enumerate(PEOPLE):
        for k in range(i + 1):  # Personne L is the most frequent
            records.append(
                {
                    "id": f"p{i}-{k}",
                    "title": f"Rencontre numéro {k}",
                    "body": "Une rencontre diplomatique.",
                    "date": f"20{18 + k % 3}-0{1 + k % 9}-1{k % 9}",
                    "section_label": "Monde",
                    "persons": [person, "Emmanuel Macron"] if k % 4 == 0 else [person],
                    "countries": ["FR", "RU"] if k % 2 else ["KZ"],
                }
            )
    write_jsonl(folder / "corpus" / "people.jsonl", records)
    reindex([folder / "corpus"], folder / "index")
    return create_app({"INDEX_DIR": str(folder / "index"), "TESTING": True}).test_client()


def test_person_facet_with_show_more_and_filter_box(people_client) -> None:
    html = people_client.get("/?q=rencontre").get_data(as_text=True)
    group = re.search(r'data-facet="person">(.*?)</section>', html, re.S).group(1)
    assert "<details" in group and "Afficher plus" in group
    assert 'name="personne_filtre"' in group and 'value="rencontre"' in group
    assert len(links(group, "facet")) == 13  # 8 shown, the others behind "Afficher plus"

    filtered = people_client.get("/?q=rencontre&personne_filtre=personne%20b").get_data(
        as_text=True
    )
    group = re.search(r'data-facet="person">(.*?)</section>', filtered, re.S).group(1)
    names = [a["data-value"] for a in links(group, "facet")]
    assert names == ["Personne Bé"]  # accents and case ignored
    assert "Noms contenant «\u00a0personne b\u00a0»" in group
    # Picking a name empties the filter box; the other facets are untouched.
    assert query_of(links(group, "facet")[0]["href"]) == {
        "q": ["rencontre"], "personne": ["Personne Bé"]
    }  # fmt: skip
    nothing = people_client.get("/?q=rencontre&personne_filtre=zzz").get_data(as_text=True)
    assert "Aucun nom ne contient «\u00a0zzz\u00a0»" in nothing
    assert total_of(nothing) == total_of(html)  # the filter box never filters articles


def test_person_and_country_selection(people_client) -> None:
    data = people_client.get("/api/search?personne=Personne%20L&personne=Personne%20K").get_json()
    assert data["total"] == 12 + 11
    both = people_client.get("/api/search?personne=Personne%20L&pays=RU").get_json()
    assert both["total"] == 6
    assert all("RU" in [c["value"] for c in r["countries"]] for r in both["results"])
    html = people_client.get("/?personne=Personne%20L&pays=RU").get_data(as_text=True)
    chips = {a["text"].split("×")[0].strip() for a in links(html, "chip-remove")}
    assert chips == {"Personne : Personne L", "Pays : Russie"}
    country = [a for a in facet_links(html, "country") if "is-selected" in a["class"]]
    assert [a["data-value"] for a in country] == ["RU"]


def test_home_entry_points(people_client, client) -> None:
    html = people_client.get("/").get_data(as_text=True)
    assert "<h2>Pays</h2>" in html and "<h2>Personnes</h2>" in html
    hrefs = {a["href"] for a in links(html)}
    assert "/?pays=RU" in hrefs and "/?personne=Personne+L" in hrefs
    assert "/?rubrique=Monde" in hrefs and "/?depuis=2019&jusqu_au=2019" in hrefs
    # The samples' entities are extracted from their text: every block is there.
    plain = client.get("/").get_data(as_text=True)
    assert "<h2>Pays</h2>" in plain and "<h2>Personnes</h2>" in plain
    assert "<h2>Rubriques</h2>" in plain and "<h2>Années</h2>" in plain


def test_article_entities_link_to_their_pages(people_client) -> None:
    html = people_client.get("/article/p11-0").get_data(as_text=True)
    hrefs = {a["href"] for a in links(html, "chip")}
    assert {"/personne/Personne%20L", "/personne/Emmanuel%20Macron", "/pays/KZ"} <= hrefs


# -- did you mean, empty and error states -----------------------------------------------------


def test_did_you_mean_link_keeps_the_filters(client) -> None:
    html = client.get("/?q=retrraites&rubrique=Politique&sans_correction=1").get_data(
        as_text=True
    )
    assert total_of(html) == 0
    link = next(a for a in links(html) if "data-did-you-mean" in a)
    assert link["text"] == "retraites"
    assert query_of(link["href"]) == {"q": ["retraites"], "rubrique": ["Politique"]}
    assert total_of(client.get(link["href"]).get_data(as_text=True)) > 0
    assert api(client, q="gouvernment", sans_correction="1")["did_you_mean"] == "gouvernement"
    assert api(client, q="retraites")["did_you_mean"] is None
    assert "Vouliez-vous dire" not in client.get("/?q=retraites").get_data(as_text=True)


def test_empty_page_counts_what_each_filter_hides(client) -> None:
    html = client.get("/?q=retraites&rubrique=Insolite&depuis=2016&jusqu_au=2016").get_data(
        as_text=True
    )
    assert total_of(html) == 0
    block = re.search(r'<ul class="alternatives">(.*?)</ul>', html, re.S).group(1)
    options = links(block)
    assert options, "no way out of an empty page"
    for option in options:
        found = api(client, **{k: v for k, v in query_of(option["href"]).items()})["total"]
        assert found > 0 and f"{found} article" in block


@pytest.mark.parametrize(
    ("q", "words"),
    [
        ("date:demain", "Date incomprise"),
        ("retraites date:[2020 to", "Date incomprise"),
        ("a*", "trop de mots"),
        ("La cote du ministre est en hausse (+4) sur un mois", "Syntaxe non reconnue"),
    ],
)
def test_malformed_query_is_searched_as_words_and_said_so(client, q: str, words: str) -> None:
    """Nothing pasted is refused: what the query language cannot read is searched as
    plain words, and the page and the API say so in one line."""
    page = client.get("/?" + urlencode({"q": q}))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'<p class="notice"[^>]*>[^<]*' + re.escape(words), html)
    assert f'value="{q}"' in html.replace("&#34;", '"')  # the box keeps it, to fix it
    data = client.get("/api/search?" + urlencode({"q": q})).get_json()
    assert words in data["notice"]
    assert client.get("/feed?" + urlencode({"q": q})).status_code == 200
    assert client.get("/api/search?q=retraites").get_json()["notice"] is None



@pytest.mark.parametrize("q", ['"', "(((", ")", "-", "OR", "pays:", "*", "le la les", "'"])
def test_odd_queries_never_fail(client, q: str) -> None:
    for path in ("/", "/api/search", "/feed"):
        assert client.get(path + "?" + urlencode({"q": q})).status_code == 200, (path, q)


MORE_LIMITS = [
    ("page=1001", "page"),
    ("par_page=101", "par_page"),
    ("par_page=0", "par_page"),
    ("depuis=2020&jusqu_au=2019", "postérieure"),
    ("&".join(f"rubrique=r{i}" for i in range(51)), "Trop de valeurs"),
    ("personne_filtre=" + "x" * 101, "trop long"),
]


@pytest.mark.parametrize(("params", "words"), MORE_LIMITS)
def test_more_limits(client, params: str, words: str) -> None:
    for path in ("/", "/api/search", "/feed"):
        page = client.get(f"{path}?{params}")
        assert page.status_code == 400, path
        assert words in page.get_data(as_text=True)


def test_page_beyond_the_results(client) -> None:
    html = client.get("/?q=retraites&page=50").get_data(as_text=True)
    assert "Il n'y a plus de résultats sur cette page" in html
    first = next(a for a in links(html) if a["text"] == "Revenir à la première page")
    assert query_of(first["href"]) == {"q": ["retraites"]}


# -- feed and OpenSearch ---------------------------------------------------------------------


def test_atom_feed_of_a_search(client) -> None:
    page = client.get("/feed?q=retraites&rubrique=Politique&tri=pertinence&page=3")
    assert page.status_code == 200
    assert page.mimetype == "application/atom+xml"
    feed = ET.fromstring(page.data)
    assert feed.tag == f"{ATOM}feed"
    assert "retraites" in feed.findtext(f"{ATOM}title")
    for required in ("id", "updated", "author/" + ATOM + "name"):
        assert feed.find(f"{ATOM}{required}") is not None, required
    self_link = feed.find(f"{ATOM}link[@rel='self']").get("href")
    assert self_link.startswith("/feed?")  # relative: no base URL configured
    assert query_of(self_link) == {"q": ["retraites"], "rubrique": ["Politique"]}
    entries = feed.findall(f"{ATOM}entry")
    expected = api(client, q="retraites", rubrique="Politique", tri="date", par_page=20)
    assert len(entries) == min(20, expected["total"]) > 1
    assert [e.findtext(f"{ATOM}title") for e in entries] == [
        r["title"] for r in expected["results"]
    ]
    stamps = [e.findtext(f"{ATOM}updated") for e in entries]
    days = [s[:10] for s in stamps]
    assert days == sorted(days, reverse=True)  # newest first
    # The source's own instant (OrangeSum gives one, with its UTC offset).
    assert stamps == [r["published"] for r in expected["results"]]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d", s) for s in stamps)
    for entry in entries:
        link = entry.find(f"{ATOM}link[@rel='alternate']").get("href")
        assert link.startswith("/article/")
        assert entry.findtext(f"{ATOM}id") == "urn:loupe:" + link
        assert entry.find(f"{ATOM}category").get("term") == "Politique"
        summary = entry.find(f"{ATOM}summary")
        assert summary.get("type") == "html" and "<mark>" in summary.text
    assert feed.findtext(f"{ATOM}updated") == max(stamps, key=dt.datetime.fromisoformat)


def test_feed_size_and_empty_feed(client) -> None:
    feed = ET.fromstring(client.get("/feed?par_page=5").data)
    assert len(feed.findall(f"{ATOM}entry")) == 5
    empty = ET.fromstring(client.get("/feed?q=zorglubification").data)
    assert empty.findall(f"{ATOM}entry") == [] and empty.findtext(f"{ATOM}updated")


def test_opensearch_description_and_links(client) -> None:
    page = client.get("/opensearch.xml")
    assert page.status_code == 200
    assert page.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(page.data)
    assert root.tag == f"{OPENSEARCH}OpenSearchDescription"
    assert root.findtext(f"{OPENSEARCH}ShortName") == "Loupe"
    assert root.findtext(f"{OPENSEARCH}InputEncoding") == "UTF-8"
    templates = {u.get("type"): u.get("template") for u in root.findall(f"{OPENSEARCH}Url")}
    assert templates["text/html"] == "/?q={searchTerms}"
    assert templates["application/atom+xml"] == "/feed?q={searchTerms}"
    assert templates["application/json"] == "/api/search?q={searchTerms}"
    search_link = (
        '<link rel="search" type="application/opensearchdescription+xml" title="Loupe" '
        'href="/opensearch.xml">'
    )
    for path in ("/", "/?q=retraites", "/article/seed-000_c1a1735c7d8c97a1", "/?page=0"):
        assert search_link in client.get(path).get_data(as_text=True), path
    html = client.get("/?q=retraites&rubrique=Politique&page=2").get_data(as_text=True)
    alternate = re.search(r'<link rel="alternate" type="application/atom\+xml"[^>]*>', html)
    assert alternate and 'href="/feed?q=retraites&amp;rubrique=Politique"' in alternate.group()


@pytest.mark.parametrize("base", [None, "https://loupe.example.org/archives"])
def test_host_header_is_never_reflected(samples_index: Path, base: str | None) -> None:
    """Issue 13: a forged Host header ended up in the feed's and OpenSearch's links."""
    config = {"INDEX_DIR": str(samples_index), "TESTING": True, "BASE_URL": base}
    client = create_app(config).test_client()
    forged = {"Host": "evil.example", "X-Forwarded-Host": "evil.example"}
    feed = client.get("/feed?q=retraites", headers=forged)
    description = client.get("/opensearch.xml", headers=forged)
    for page in (feed, description):
        assert page.status_code == 200
        assert b"evil.example" not in page.data
    root = ET.fromstring(feed.data)
    hrefs = [link.get("href") for link in root.iter(f"{ATOM}link")]
    urls = ET.fromstring(description.data).iter(f"{OPENSEARCH}Url")
    templates = [u.get("template") for u in urls]
    assert len(hrefs) > 2 and len(templates) == 4
    for url in hrefs + templates:
        assert url.startswith(base + "/") if base else url.startswith("/"), url
    ids = [e.text for e in root.iter(f"{ATOM}id")]
    assert all(i.startswith(base + "/") if base else i.startswith("urn:loupe:/") for i in ids)


def test_serve_base_url_option() -> None:
    from search.cli import _base_url

    assert _base_url(None, "127.0.0.1", 8080) == "http://127.0.0.1:8080"
    assert _base_url(None, "::1", 8080) == "http://[::1]:8080"
    assert _base_url(None, "0.0.0.0", 8080) is None
    assert _base_url("https://loupe.example.org/", "0.0.0.0", 80) == "https://loupe.example.org"
    with pytest.raises(SystemExit) as exit_info:
        _base_url("javascript:alert(1)", "127.0.0.1", 8080)
    assert exit_info.value.code == 2


# -- a reindex shows without a restart --------------------------------------------------------


def test_reindex_is_visible_without_restart(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    first = {"id": "a1", "title": "Les retraites", "body": "Texte.", "date": "2020-01-02"}
    write_jsonl(corpus / "a.jsonl", [first])
    index_dir = tmp_path / "index"
    reindex([corpus], index_dir)
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    client = app.test_client()
    before = client.get("/healthz").get_json()["generation"]
    assert api(client, q="ornithorynque")["total"] == 0

    new = {"id": "b2", "title": "Un ornithorynque au zoo", "body": "Texte.", "date": "2020-01-03"}
    write_jsonl(corpus / "a.jsonl", [first, new])
    reindex([corpus], index_dir)
    data = api(client, q="ornithorynque")
    assert [r["id"] for r in data["results"]] == ["b2"]
    assert client.get("/healthz").get_json()["generation"] != before
    assert "ornithorynque" in client.get("/feed").get_data(as_text=True)
    assert "2 articles" in client.get("/").get_data(as_text=True)


def test_feed_escapes_record_text_and_query(hostile_client) -> None:
    page = hostile_client.get("/feed?q=piégé")
    assert HOSTILE.encode() not in page.data and b"<b>" not in page.data
    feed = ET.fromstring(page.data)
    (entry,) = feed.findall(f"{ATOM}entry")
    # Parsed, the title is text again; the summary is HTML in which the tag is still text.
    assert entry.findtext(f"{ATOM}title") == f"Titre {HOSTILE} piégé"
    summary = entry.findtext(f"{ATOM}summary")
    assert "&lt;script&gt;" in summary and "<script>" not in summary
    assert entry.find(f"{ATOM}category").get("term") == f"Rubrique {HOSTILE}"
    asked = hostile_client.get("/feed?" + urlencode({"q": "<script>x</script>"}))
    assert asked.status_code == 200 and b"<script>" not in asked.data
    assert "<script>x</script>" in ET.fromstring(asked.data).findtext(f"{ATOM}title")


def test_hostile_query_in_every_link(hostile_client) -> None:
    q = '"><script>alert(9)</script>'
    html = hostile_client.get("/?" + urlencode({"q": q, "rubrique": "France"})).get_data(
        as_text=True
    )
    assert "<script>alert(9)" not in html
    assert re.findall(r"<script(?![^>]*\bsrc=)", html) == []
    # Suggestions echo the typed text only escaped.
    typo = hostile_client.get("/?" + urlencode({"q": "<i>retrraites</i>"})).get_data(as_text=True)
    assert "<i>" not in typo


def test_a_misspelt_query_shows_the_corrected_results(client) -> None:
    """Nothing has "gouvernment": the page shows the results for "gouvernement" and offers
    the words as typed, which stay as typed once asked for."""
    right = client.get("/api/search?q=gouvernement").get_json()
    data = client.get("/api/search?q=gouvernment").get_json()
    assert right["total"] > 0
    assert data["corrected"] == "gouvernement" and data["did_you_mean"] is None
    assert data["total"] == right["total"] and data["query"] == "gouvernment"
    assert [r["id"] for r in data["results"]] == [r["id"] for r in right["results"]]
    html = client.get("/?q=gouvernment").get_data(as_text=True)
    assert "Résultats pour <strong><em>gouvernement</em></strong>" in html
    typed = re.search(r'<a href="([^"]+)" data-as-typed><em>gouvernment</em></a>', html)
    href = typed.group(1).replace("&amp;", "&")
    assert query_of(href) == {"q": ["gouvernment"], "sans_correction": ["1"]}
    exact = client.get(href).get_data(as_text=True)
    assert total_of(exact) == 0 and "data-as-typed" not in exact
    assert "gouvernement" in exact  # offered as a link instead ("Vouliez-vous dire")
    # A typo next to a word that matches: the respelled words all match, so they win.
    mixed = client.get("/api/search?q=retrraites+réforme").get_json()
    assert mixed["corrected"] == "retraites réforme" and not mixed["dropped"]


def test_words_left_out_by_the_fallback_are_named(client) -> None:
    """No article has both words: the results are those with some, and the page says
    which words each lacks."""
    data = client.get("/api/search?q=retraites+hydravion").get_json()
    alone = client.get("/api/search?q=retraites").get_json()
    assert data["total"] == alone["total"] > 0
    assert data["dropped"] == ["hydravion"]
    assert all(r["missing"] == ["hydravion"] for r in data["results"])
    assert all(r["missing"] == [] for r in alone["results"]) and alone["dropped"] == []
    html = client.get("/?q=retraites+hydravion").get_data(as_text=True)
    assert "Mot absent de certains résultats :\n      <s>hydravion</s>." in html
    assert html.count('<p class="missing">Sans : <s>hydravion</s></p>') == 10


def test_exports_stream_every_match_with_the_same_filters(client) -> None:
    """CSV and JSON Lines hold every match (not the page of 10), in the page's order, with
    its filters; the "Exporter" links of the results page lead there."""
    html = client.get("/?q=retraites&pays=FR").get_data(as_text=True)
    found = api(client, q="retraites", pays="FR", par_page="100")
    assert found["total"] > 10
    hrefs = [a["href"] for a in links(html) if "data-export" in a]
    assert [urlsplit(h).path for h in hrefs] == ["/export.csv", "/export.jsonl"]
    assert all(query_of(h) == {"q": ["retraites"], "pays": ["FR"]} for h in hrefs)

    jsonl = client.get(hrefs[1].replace("&amp;", "&"))
    assert jsonl.status_code == 200 and jsonl.is_streamed
    assert jsonl.mimetype == "application/x-ndjson"
    records = [json.loads(line) for line in jsonl.get_data(as_text=True).splitlines()]
    assert [r["id"] for r in records] == [r["id"] for r in found["results"]]
    assert all("FR" in r["countries"] for r in records)
    assert jsonl.headers["X-Loupe-Total"] == str(found["total"])
    assert jsonl.headers["X-Loupe-Truncated"] == "false"

    table = client.get(hrefs[0].replace("&amp;", "&"))
    assert table.mimetype == "text/csv"
    assert 'filename="loupe-retraites.csv"' in table.headers["Content-Disposition"]
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(table.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    assert rows[0]["title"] == records[0]["title"]
    assert rows[0]["persons"] == "; ".join(records[0]["persons"])


def test_export_is_capped_and_escapes_formulas(client, monkeypatch, tmp_path: Path) -> None:
    from webui import exports

    monkeypatch.setattr(exports, "EXPORT_MAX", 3)
    capped = client.get("/export.jsonl?tri=date")
    assert len(capped.get_data(as_text=True).splitlines()) == 3
    assert capped.headers["X-Loupe-Truncated"] == "true"
    assert int(capped.headers["X-Loupe-Total"]) == api(client)["total"] > 3
    assert client.get("/export.csv?page=0").status_code == 400  # bad input, before streaming

    # A title a spreadsheet would run as a formula is exported as text.
    write_jsonl(
        tmp_path / "corpus" / "f.jsonl",
        [{"id": "f1", "title": '=HYPERLINK("http://x.test","clic")', "body": "Un texte."}],
    )
    reindex([tmp_path / "corpus"], tmp_path / "index")
    other = create_app({"INDEX_DIR": str(tmp_path / "index")}).test_client()
    text = other.get("/export.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text
    line = other.get("/export.jsonl").get_data(as_text=True)
    assert json.loads(line)["title"].startswith("=HYPERLINK")  # JSON keeps the text as is


def test_feed_title_states_the_search_and_reads_as_a_page(client) -> None:
    """Two subscriptions can be told apart by their titles; a browser opening a feed gets
    a stylesheet (CSS: XSLT is on its way out of browsers) with a subscribe hint."""
    page = client.get("/feed?q=retraites&rubrique=Politique&pays=FR&depuis=2019&jusqu_au=2019")
    root = ET.fromstring(page.data)
    assert root.find(f"{ATOM}title").text == (
        "Loupe : « retraites » · Rubrique : Politique · Pays : France · Année 2019"
    )
    assert client.get("/feed").data.count(b"Loupe : les derniers articles") == 1
    head = page.data.split(b"<feed", 1)[0].decode("utf-8")
    stylesheet = re.search(r'<\?xml-stylesheet type="text/css" href="([^"]+)"\?>', head)
    assert stylesheet
    css = client.get(stylesheet.group(1))
    assert css.status_code == 200 and "lecteur de flux" in css.get_data(as_text=True)
    # A browser (HTML first) gets it as XML it renders with the stylesheet; readers, Atom.
    browser = client.get("/feed", headers={"Accept": "text/html,application/xml;q=0.9,*/*;q=0.8"})
    assert browser.mimetype == "application/xml" and "Accept" in browser.headers["Vary"]
    reader = client.get("/feed", headers={"Accept": "application/atom+xml, */*"})
    assert reader.mimetype == "application/atom+xml"
    assert client.get("/feed", headers={"Accept": "*/*"}).mimetype == "application/atom+xml"
    # The results page announces the same title.
    html = client.get("/?q=retraites&rubrique=Politique").get_data(as_text=True)
    assert 'title="Loupe : « retraites » · Rubrique : Politique"' in html


@pytest.mark.parametrize(
    "q",
    [
        "retraites date:[2019 à 2020-06]",
        "retraites date:[2019 au 2020-06]",
        "retraites du 2019 au 2020-06",
    ],
)
def test_french_date_ranges(client, q: str) -> None:
    """The range in French finds what the parameters (and Whoosh's "to") find."""
    english = api(client, q="retraites date:[2019 to 2020-06]", par_page="100")
    by_params = api(client, q="retraites", depuis="2019", jusqu_au="2020-06", par_page="100")
    found = api(client, q=q, par_page="100")
    assert found["total"] == english["total"] == by_params["total"] > 0
    assert [r["id"] for r in found["results"]] == [r["id"] for r in english["results"]]
    assert all("2019-01-01" <= r["date"] <= "2020-06-30" for r in found["results"])


def test_a_facet_value_can_be_excluded(client) -> None:
    """"sauf" next to a facet value adds -pays:FR to the words; a chip takes it away."""
    html = client.get("/?q=retraites").get_data(as_text=True)
    france = next(a for a in links(html, "facet-exclude") if a["data-exclude"] == "FR")
    assert query_of(france["href"]) == {"q": ["retraites -pays:FR"]}
    assert france["href"].endswith("#f-country")
    everything = api(client, q="retraites")["total"]
    in_france = api(client, q="retraites", pays="FR")["total"]
    narrowed = client.get(france["href"]).get_data(as_text=True)
    assert total_of(narrowed) == everything - in_france > 0
    data = api(client, q="retraites -pays:FR", par_page="100")
    assert all("FR" not in [c["value"] for c in r["countries"]] for r in data["results"])
    chip = next(a for a in links(narrowed, "chip-remove") if "Sauf pays" in a["text"])
    assert chip["text"].startswith("Sauf pays : France")
    assert query_of(chip["href"]) == {"q": ["retraites"]}
    # Persons are quoted, so that the whole name is excluded.
    person = next(a for a in links(html, "facet-exclude") if " " in a["data-exclude"])
    words = query_of(person["href"])["q"][0]
    assert words == f'retraites -personne:"{person["data-exclude"]}"'
    assert total_of(client.get(person["href"]).get_data(as_text=True)) < everything


def test_person_and_country_facets_link_to_their_pages(client) -> None:
    """Beside each person and country of the sidebar, a link to its page; the value itself
    still filters the search."""
    html = client.get("/?q=retraites").get_data(as_text=True)
    pages = links(html, "facet-page")
    countries = [a for a in pages if urlsplit(a["href"]).path.startswith("/pays/")]
    persons = [a for a in pages if urlsplit(a["href"]).path.startswith("/personne/")]
    assert "/pays/FR" in {a["href"] for a in countries}
    assert persons and len(pages) == len(countries) + len(persons)
    facet_values = {a["data-value"] for a in links(html, "facet")}
    name = unquote(urlsplit(persons[0]["href"]).path.removeprefix("/personne/"))
    assert name in facet_values  # the page of the value shown, not of another spelling
    page = client.get(persons[0]["href"])
    assert page.status_code == 200 and name in page.get_data(as_text=True)
    facet = next(a for a in links(html, "facet") if a["data-value"] == name)
    assert query_of(facet["href"])["personne"] == [name]


def test_any_long_facet_list_has_a_search_box_that_asks_the_server(client) -> None:
    """Not only persons: any facet with more values than shown gets a box (a GET form, so
    no JavaScript is needed) whose ``<param>_filtre`` the server matches against every value
    of that facet for the search, beyond those listed; the articles are not filtered."""
    everything = api(client, q="*", par_page="100")
    listed = {c["value"] for c in everything["facets"]["country"]}
    assert len(listed) == 30  # the facet's limit: others exist
    cited: dict[str, str] = {}
    for page in range(1, 5):
        for r in api(client, q="*", par_page="100", page=str(page))["results"]:
            cited.update({c["value"]: c["label"] for c in r["countries"]})
    code, label = sorted((c, lab) for c, lab in cited.items() if c not in listed)[0]
    needle = label.lower()[:6]
    found = api(client, q="*", pays_filtre=needle)
    assert found["total"] == everything["total"]
    values = [c["value"] for c in found["facets"]["country"]]
    assert code in values and all(needle in c["label"].lower() for c in found["facets"]["country"])
    # The page: every long group has its form, the other facets' filters kept as hidden fields.
    html = client.get("/?q=*&rubrique=France").get_data(as_text=True)
    for facet, param in (("country", "pays_filtre"), ("person", "personne_filtre")):
        group = re.search(rf'data-facet="{facet}">(.*?)</section>', html, re.S).group(1)
        form = re.search(r'<form class="facet-filter"[^>]*>(.*?)</form>', group, re.S)
        assert form and f'name="{param}"' in form.group(1)
        assert '<input type="hidden" name="rubrique" value="France">' in form.group(1)
    # A source box: only the sources containing the text are listed; a pick empties it.
    boxed = client.get("/?q=*&source_filtre=orange").get_data(as_text=True)
    sources = facet_links(boxed, "source")
    assert len(sources) >= 3 and all("orange" in a["data-value"].lower() for a in sources)
    assert total_of(boxed) == everything["total"]
    assert "Valeurs contenant «\u00a0orange\u00a0»" in boxed
    assert query_of(sources[0]["href"]) == {"q": ["*"], "source": [sources[0]["data-value"]]}
    nothing = client.get("/?q=*&rubrique_filtre=zzz").get_data(as_text=True)
    assert "Aucune valeur ne contient «\u00a0zzz\u00a0»" in nothing


def test_a_source_can_be_excluded(client) -> None:
    """Sources have a "sauf" too: ``-source:"…"`` in the words leaves out that agency's
    articles, as ``-pays:`` does for a country; ``source:`` alone narrows to it."""
    html = client.get("/?q=retraites").get_data(as_text=True)
    group = re.search(r'data-facet="source">(.*?)</section>', html, re.S).group(1)
    top = links(group, "facet")[0]
    count = int(re.search(r"(\d+)\s*$", top["text"].strip()).group(1))
    sauf = next(a for a in links(group, "facet-exclude") if a["data-exclude"] == top["data-value"])
    assert query_of(sauf["href"]) == {"q": [f'retraites -source:"{top["data-value"]}"']}
    assert sauf["href"].endswith("#f-source")
    everything = api(client, q="retraites")["total"]
    narrowed = client.get(sauf["href"]).get_data(as_text=True)
    assert total_of(narrowed) == everything - count > 0
    data = api(client, q=query_of(sauf["href"])["q"][0], par_page="100")
    assert top["data-value"] not in {r["source"] for r in data["results"]}
    chip = next(a for a in links(narrowed, "chip-remove") if "Sauf source" in a["text"])
    assert query_of(chip["href"]) == {"q": ["retraites"]}
    # The query language's source: matches what the facet counted.
    only = api(client, q=f'retraites source:"{top["data-value"]}"')["total"]
    assert only == count


@pytest.mark.parametrize(
    "url",
    ["/?q=retraites&par_page=100", "/api/search?q=retraites", "/feed", "/export.csv?q=retraites"],
)
def test_text_responses_are_compressed(client, url: str) -> None:
    import gzip

    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    packed = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert plain.headers.get("Content-Encoding") is None
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    body = gzip.decompress(packed.get_data())
    assert len(packed.get_data()) < len(body) / 2
    # The same document (the time taken aside).
    took = re.compile(rb'<span class="took">.*?</span>|"took_ms": ?[\d.]+|"cached": ?\w+')
    assert took.sub(b"", body) == took.sub(b"", plain.get_data())


def test_smaller_things(client) -> None:
    # A "*" search is sorted newest first, and says so.
    html = client.get("/?q=*").get_data(as_text=True)
    assert '<option value="date" selected>' in html and 'value="pertinence"' not in html
    words = client.get("/?q=retraites").get_data(as_text=True)
    assert '<option value="pertinence" selected>' in words
    by_date = client.get("/?q=retraites&tri=date").get_data(as_text=True)
    assert '<option value="date" selected>' in by_date and 'value="pertinence"' in by_date
    # An answer kept from an identical search says so instead of "(0,1 ms)".
    client.get("/?q=manifestation")
    again = client.get("/?q=manifestation").get_data(as_text=True)
    assert "(déjà calculé)" in again
    assert client.get("/api/search?q=manifestation").get_json()["cached"] is True
    # Passages never meet with two ellipses.
    data = api(client, q="retraites", par_page="100")
    assert all("… …" not in r["snippet"] for r in data["results"])
    # The header search of an article page keeps the filters it was found with.
    article = result_hrefs(client.get("/?q=retraites&rubrique=Politique").get_data(as_text=True))[0]
    page = client.get(article.replace("&amp;", "&")).get_data(as_text=True)
    header = re.search(r'<form class="search".*?</form>', page, re.S).group(0)
    assert '<input type="hidden" name="rubrique" value="Politique">' in header


def test_source_facet(client) -> None:
    """Every result shows its source; the sources are a facet, and a result's source a link
    that narrows to it."""
    html = client.get("/?q=retraites").get_data(as_text=True)
    sources = facet_links(html, "source")
    assert len(sources) >= 2
    top = sources[0]
    expected = int(re.search(r"(\d+)\s*$", top["text"].strip()).group(1))
    href = top["href"].split("#")[0]
    narrowed = client.get(href).get_data(as_text=True)
    assert query_of(href) == {"q": ["retraites"], "source": [top["data-value"]]}
    assert total_of(narrowed) == expected
    data = api(client, q="retraites", source=top["data-value"], par_page="100")
    assert data["total"] == expected and {r["source"] for r in data["results"]} == {
        top["data-value"]
    }
    assert links(html, "source")[0]["href"].startswith("/?q=retraites&source=")
