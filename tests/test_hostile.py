"""Hostile and odd queries: any string gets results or a clear message, never a 500."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search.cli import EXIT_USAGE, main
from search.query import QueryError
from search.searcher import RequestError, SearchEngine, SearchRequest
from webui import create_app

# Query syntax characters, words from the corpus, field names that exist and do not, and
# the odd Unicode users paste: control characters, emoji, right-to-left text.
PIECES = st.sampled_from(
    [
        '"',
        "(",
        ")",
        "*",
        "?",
        "~",
        "^",
        "-",
        "+",
        ":",
        "[",
        "]",
        "{",
        "}",
        "\\",
        "/",
        " AND ",
        " OR ",
        " NOT ",
        " OU ",
        " ET ",
        " SAUF ",
        "pays:",
        "personne:",
        "rubrique:",
        "date:",
        "titre:",
        "inconnu:",
        "date:[2019 to",
        "date:>",
        "retraites",
        "réforme",
        "Kazakhstan",
        "l'État",
        "jusqu’à",
        "États-Unis",
        "\x00",
        "\x1b[31m",
        "\u202e",
        "مرحبا",
        "שלום",
        "😀",
        "🇫🇷",
        "\ufeff",
        "\t",
        "\n",
        " ",
    ]
)
QUERIES = st.one_of(
    st.text(max_size=200),
    st.lists(PIECES, max_size=25).map("".join),
)
FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture(scope="module")
def engine(samples_index: Path) -> SearchEngine:
    return SearchEngine(samples_index)


@pytest.fixture(scope="module")
def client(samples_index: Path):
    app = create_app({"INDEX_DIR": str(samples_index), "TESTING": True})
    return app.test_client()


@FUZZ
@given(q=QUERIES)
def test_library_answers_or_explains(engine: SearchEngine, q: str) -> None:
    try:
        response = engine.search(SearchRequest(q=q))
    except QueryError as exc:
        assert str(exc)
        return
    assert response.total >= 0
    assert len(response.results) <= response.per_page


@FUZZ
@given(q=QUERIES)
def test_web_and_api_never_fail(client, q: str) -> None:
    api = client.get("/api/search", query_string={"q": q})
    assert api.status_code in (200, 400), api.data[:300]
    body = api.get_json()
    assert ("error" in body) if api.status_code == 400 else ("results" in body)
    page = client.get("/", query_string={"q": q})
    assert page.status_code in (200, 400)
    assert b"<script>" not in page.data.replace(b'<script src="/static/', b"")


@pytest.mark.parametrize(
    "q", ["mot " * 3000, "x" * 10_000, '"' * 500, "(" * 2000, "date:[" * 300, "\x00" * 100]
)
def test_extreme_queries(client, engine: SearchEngine, q: str) -> None:
    response = client.get("/api/search", query_string={"q": q})
    assert response.status_code in (200, 400)
    result = CliRunner().invoke(main, ["query", q, "--json", "--index", str(engine.index_dir)])
    assert result.exit_code in (0, EXIT_USAGE), result.output[-500:]
    if result.exit_code == 0:
        assert "results" in json.loads(result.output)


@pytest.mark.parametrize(
    "params",
    [
        {"page": "-1"},
        {"page": str(10**9)},
        {"page": "1e3"},
        {"par_page": "100000"},
        {"par_page": "0"},
        {"depuis": "2021-02-31"},
        {"depuis": "demain"},
        {"jusqu_au": "31/02/2021"},
        {"tri": "alphabétique"},
        {"depuis": "2021", "jusqu_au": "2019"},
    ],
)
def test_bad_parameters_get_400_in_french(client, params: dict) -> None:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 400
    message = response.get_json()["error"]
    assert message.endswith(".") and "Traceback" not in message  # one French sentence
    with pytest.raises(RequestError):
        SearchRequest.from_params({k: [v] for k, v in params.items()})


def test_unknown_parameters_and_facets_are_ignored(client) -> None:
    response = client.get("/api/search", query_string={"q": "retraites", "couleur": "bleu"})
    assert response.status_code == 200
    response = client.get("/api/search", query_string={"pays": "ZZ", "personne": "<b>x</b>"})
    assert response.status_code == 200
    assert response.get_json()["total"] == 0


@pytest.mark.parametrize(
    "article_id", ["../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%00", "a" * 5000, "<script>"]
)
def test_article_ids_are_never_paths(client, article_id: str) -> None:
    for url in (f"/article/{article_id}", f"/api/articles/{article_id}"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"root:" not in response.data
        if url.startswith("/api/"):
            assert response.mimetype == "application/json"  # never rendered as HTML
        else:
            assert b"<script>" not in response.data
