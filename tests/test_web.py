"""The web UI and JSON API, through Flask's test client over real indexes (no mocks).

The sample index is built once per module; a second tiny index holds hostile text to
check that nothing a record or a query contains can become markup.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from search.indexer import reindex
from webui import CONTENT_SECURITY_POLICY, create_app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


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
        rf'<section class="facet-group" data-facet="{facet}">(.*?)</section>', html, re.S
    )
    assert match, f"no {facet} facet on the page"
    return links(match.group(1), "facet")


@pytest.fixture(scope="module")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    index_dir = tmp_path_factory.mktemp("web") / "index"
    result = reindex([SAMPLES], index_dir)
    assert result.total > 300
    return index_dir


@pytest.fixture(scope="module")
def app(sample_index: Path):
    return create_app({"INDEX_DIR": str(sample_index), "TESTING": True})


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
    assert facet_links(html, "year")


def test_facet_link_narrows_and_is_selected(client) -> None:
    html = client.get("/?q=retraites").get_data(as_text=True)
    total = total_of(html)
    link = next(a for a in facet_links(html, "section") if int(a["text"].split()[-1]) < total)
    count = int(link["text"].split()[-1])
    assert parse_qs(urlsplit(link["href"]).query)["q"] == ["retraites"]

    narrowed = client.get(link["href"]).get_data(as_text=True)
    assert total_of(narrowed) == count < total
    selected = [a for a in facet_links(narrowed, "section") if "is-selected" in a["class"]]
    assert [a["data-value"] for a in selected] == [link["data-value"]]
    # The active filter is a chip whose link removes it again.
    chips = links(narrowed, "chip-remove")
    assert len(chips) == 1 and link["data-value"] in chips[0]["text"]
    assert total_of(client.get(chips[0]["href"]).get_data(as_text=True)) == total
    # The facet link of a selected value removes it too.
    assert total_of(client.get(selected[0]["href"]).get_data(as_text=True)) == total


def test_year_facet_filters_by_date(client) -> None:
    html = client.get("/?q=retraites").get_data(as_text=True)
    year = next(a for a in facet_links(html, "year") if a["data-value"] == "2020")
    narrowed = client.get(year["href"])
    assert total_of(narrowed.get_data(as_text=True)) == int(year["text"].split()[-1])
    data = client.get("/api/search?" + urlsplit(year["href"]).query).get_json()
    assert data["results"] and all(r["date"].startswith("2020") for r in data["results"])


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
        "query", "total", "page", "per_page", "took_ms", "results", "facets", "did_you_mean"
    }  # fmt: skip
    assert data["query"] == "retraites" and isinstance(data["total"], int)
    assert data["page"] == 1 and data["per_page"] == 10
    assert isinstance(data["took_ms"], (int, float))
    assert len(data["results"]) == 10
    for result in data["results"]:
        assert set(result) == {
            "id", "title", "date", "section", "source", "url", "snippet", "score",
            "countries", "persons",
        }  # fmt: skip
        assert isinstance(result["id"], str) and isinstance(result["title"], str)
        assert isinstance(result["score"], float)
        assert isinstance(result["countries"], list) and isinstance(result["persons"], list)
    assert set(data["facets"]) == {"country", "person", "month", "year", "day", "section"}
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
    assert parse_qs(urlsplit(person["href"]).query) == {"personne": ['Jean "<b>" Dupont']}

    results = hostile_client.get("/?q=piégé").get_data(as_text=True)
    assert total_of(results) == 1
    assert "&lt;script&gt;" in results and HOSTILE not in results and "<b>" not in results
    chips = links(results, "chip-country") + links(results, "chip-person")
    assert {a["text"] for a in chips} == {"France", 'Jean "<b>" Dupont'}
    narrowed = hostile_client.get(next(a["href"] for a in chips if a["text"] == "France"))
    assert total_of(narrowed.get_data(as_text=True)) == 1


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
