"""Archive-level person names and the page per entity, on the bundled samples' index:
the resolution table, ``loupe extract --index``, ``loupe stats --personne``, and
``/personne/…``, ``/pays/…`` and their JSON twins through Flask's test client."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import main
from search.find import entitypage
from search.find.searcher import SearchEngine
from search.index import storage
from search.index.indexer import reindex
from search.index.people import PersonTable
from tests.conftest import SAMPLES, write_jsonl
from webui import CONTENT_SECURITY_POLICY, create_app

SAMPLE = SAMPLES / "orangesum" / "orangesum-sample.jsonl"


def table_of(index: Path) -> PersonTable:
    return PersonTable.open_existing(storage.current_generation(index))


# -- the resolution table -------------------------------------------------------------


def test_partial_names_and_spellings_resolve_to_the_archives_full_name(
    samples_index: Path,
) -> None:
    with table_of(samples_index) as table:
        # a surname alone, a given name alone: the full name that dominates the archive
        assert table.canonical("Macron")[0] == "Emmanuel Macron"
        name, why = table.canonical("Emmanuel")
        assert name == "Emmanuel Macron" and why.startswith("nom seul")
        # initials, and a spelling without the accent
        assert table.canonical("E. Macron")[0] == "Emmanuel Macron"
        assert table.canonical("Emmanuel MACRON")[0] == "Emmanuel Macron"
        # a surname the archive gives to no one keeps its own name
        assert table.canonical("Zyxwvu") == ("Zyxwvu", "")
        # one person, two spellings across articles: one canonical name, the other an alias
        canonical = table.canonical("Édouard Philippe")[0]
        assert canonical == table.canonical("Edouard Philippe")[0]
        other = ({"Edouard Philippe", "Édouard Philippe"} - {canonical}).pop()
        assert other in {a["name"] for a in table.aliases(canonical)}


def test_indexed_facets_carry_the_archive_name(samples_index: Path) -> None:
    engine = SearchEngine(samples_index)
    with table_of(samples_index) as table:
        resolved = table.db.execute(
            "SELECT article, name, canonical FROM mention WHERE why LIKE 'nom seul%' LIMIT 5"
        ).fetchall()
    assert resolved
    for article_id, name, canonical in resolved:
        persons = {p["value"] for p in engine.article(article_id)["persons"]}
        assert canonical in persons and name not in persons


def test_reindex_updates_the_table_with_the_new_articles_only(tmp_path: Path) -> None:
    records = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", records[:200])
    index = tmp_path / "index"
    reindex([folder], index, workers=1)
    with table_of(index) as table:
        first = dict(table.db.execute("SELECT article, COUNT(*) FROM mention GROUP BY article"))
    write_jsonl(folder / "b.jsonl", records[200:])
    (folder / "a.jsonl").write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in records[:150]) + "\n",
        encoding="utf-8",
    )
    result = reindex([], index, workers=1)
    assert result.indexed == len(records) - 200 and result.removed == 50
    with table_of(index) as table:
        after = dict(table.db.execute("SELECT article, COUNT(*) FROM mention GROUP BY article"))
    removed = {r["id"] for r in records[150:200]}
    assert not removed & set(after)  # rows of removed articles are gone
    kept = {r["id"] for r in records[:150]}
    assert {a: n for a, n in after.items() if a in kept} == {
        a: n for a, n in first.items() if a in kept
    }
    assert {r["id"] for r in records[200:]} & set(after)  # the new articles are in


# -- the command line -------------------------------------------------------------------


def test_extract_shows_what_the_archive_resolved_and_why(samples_index: Path, tmp_path) -> None:
    text = (
        "Macron en visite à Lyon\n\nLe chef de l'État a rencontré les élus. "
        "M. Macron a promis des moyens."
    )
    path = tmp_path / "x.txt"
    path.write_text(text, encoding="utf-8")
    out = CliRunner().invoke(main, ["extract", str(path), "--index", str(samples_index), "--json"])
    assert out.exit_code == 0, out.output
    record = json.loads(out.output)
    [person] = record["persons"]
    # the contract: name and mentions as before (what gold/score.py reads), fields added
    assert person["name"] == "Macron" and person["mentions"] >= 1
    assert person["canonical"] == "Emmanuel Macron"
    assert "domine" in person["why"]
    plain = CliRunner().invoke(main, ["extract", str(path), "--index", str(samples_index)])
    assert "Macron → Emmanuel Macron (nom seul" in plain.output
    # without an index, nothing is resolved
    alone = CliRunner().invoke(
        main, ["extract", str(path), "--index", str(tmp_path / "rien"), "--json"]
    )
    assert json.loads(alone.output)["persons"][0]["canonical"] == "Macron"


def test_stats_personne_and_pays(samples_index: Path) -> None:
    out = CliRunner().invoke(main, ["stats", "--index", str(samples_index), "--personne", "Macron"])
    assert out.exit_code == 0, out.output
    assert out.output.startswith("Emmanuel Macron\n")
    assert "Personnes citées avec :" in out.output and "Derniers articles :" in out.output
    data = json.loads(
        CliRunner()
        .invoke(main, ["stats", "--index", str(samples_index), "--pays", "Russie", "--json"])
        .output
    )
    assert data["code"] == "RU" and data["articles"] > 0 and data["mentions"] >= data["articles"]
    assert all(c["code"] != "RU" for c in data["countries"])
    none = CliRunner().invoke(
        main, ["stats", "--index", str(samples_index), "--personne", "Personne Inconnue"]
    )
    assert none.exit_code == 0 and "Aucun article" in none.output


# -- the pages ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(samples_index: Path):
    return create_app({"INDEX_DIR": str(samples_index), "TESTING": True}).test_client()


def test_person_page_counts_match_the_search(client, samples_index: Path) -> None:
    data = client.get("/api/entities/person/Emmanuel Macron").get_json()
    search = client.get('/api/search?q=personne:"Emmanuel Macron"').get_json()
    assert data["articles"] == search["total"] > 0
    assert data["mentions"] >= data["articles"]
    assert sum(m["articles"] for m in data["months"]) <= data["articles"]
    assert [r["id"] for r in data["latest"]] == [
        r["id"]
        for r in client.get('/api/search?q=personne:"Emmanuel Macron"&tri=date').get_json()[
            "results"
        ]
    ]
    co = data["persons"][0]
    both = client.get("/api/search?" + f"q={co['q']}").get_json()
    assert both["total"] == co["articles"]  # the co-mention count is the search of both
    assert {a["name"] for a in data["aliases"]} >= {"Macron"}


def test_person_page_html_is_escaped_linked_and_csp_clean(client) -> None:
    page = client.get("/personne/Macron")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert page.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "<h1 class=\"entity-title\">Emmanuel Macron" in html
    assert "<svg class=\"histogram-chart\"" in html
    assert "style=" not in html and "<script>" not in html and "onclick" not in html
    assert 'href="/pays/FR"' in html  # co-mentioned countries link to their pages
    assert re.search(r'href="/\?q=personne%3A%22Emmanuel\+Macron%22\+pays%3AFR"', html)
    # a name with markup in it is shown as text, never as markup
    hostile = client.get("/personne/<script>alert(1)</script>")
    assert hostile.status_code == 404
    assert "<script>alert(1)</script>" not in hostile.get_data(as_text=True)


def test_country_page_and_unknowns(client) -> None:
    page = client.get("/pays/RU")
    assert page.status_code == 200
    assert "Russie" in page.get_data(as_text=True)
    assert client.get("/pays/Russie").status_code == 200  # a French name works too
    assert client.get("/pays/ZZ").status_code == 404
    missing = client.get("/api/entities/person/Personne Inconnue")
    assert missing.status_code == 404 and "error" in missing.get_json()


def test_chips_link_to_the_entity_pages(client) -> None:
    html = client.get("/?q=retraites").get_data(as_text=True)
    assert 'class="chip chip-person" href="/personne/' in html
    assert 'class="chip chip-country" href="/pays/' in html
    article = client.get("/article/orangesum-24").get_data(as_text=True)
    assert 'href="/personne/Emmanuel%20Macron"' in article


def test_entity_page_reads_the_same_engine(samples_index: Path) -> None:
    engine = SearchEngine(samples_index)
    page = entitypage.person(engine, "Vladimir Poutine")
    assert page is not None and page["name"] == "Vladimir Poutine"
    assert any(c["code"] == "RU" for c in page["countries"])


def test_co_mentions_of_a_person_with_two_spellings(client) -> None:
    data = client.get("/api/entities/person/Édouard Philippe").get_json()
    assert len(data["aliases"]) >= 1  # the other spelling
    for co in data["persons"][:3]:
        both = client.get("/api/search", query_string={"q": co["q"]}).get_json()
        assert both["total"] == co["articles"]


def test_country_months_are_kept_summed_and_follow_removals(
    samples_index: Path, tmp_path: Path
) -> None:
    """The country chart reads monthly sums that ``reindex`` keeps (one look-up per month),
    equal to summing the country's article rows, before and after articles go and come back."""
    import shutil
    import sqlite3

    from search.index.people import _by_month

    shutil.copy(samples_index / "persons.sqlite", tmp_path / "persons.sqlite")
    # As a table written before the sums: they are counted once, when a reindex opens it.
    with sqlite3.connect(tmp_path / "persons.sqlite") as db:
        db.execute("DROP TABLE country_month")
    table = PersonTable(tmp_path)
    try:

        def from_rows(code: str) -> list[dict]:
            rows = table.db.execute(
                "SELECT day, mentions FROM country_mention WHERE code = ? AND day > 0", (code,)
            ).fetchall()
            return _by_month(rows)

        codes = [c for (c,) in table.db.execute("SELECT DISTINCT code FROM country_mention")]
        assert "FR" in codes and table.country_months("FR")
        assert all(table.country_months(c) == from_rows(c) for c in codes)
        gone = table.db.execute(
            "SELECT article, day FROM country_mention WHERE code = 'FR' AND day > 0 LIMIT 40"
        ).fetchall()
        kept = {
            a: table.db.execute(
                "SELECT code, mentions FROM country_mention WHERE article = ?", (a,)
            ).fetchall()
            for a, _day in gone
        }
        before = table.country_months("FR")
        table.remove([a for a, _day in gone])
        assert table.country_months("FR") != before
        assert all(table.country_months(c) == from_rows(c) for c in codes)
        for article, day in gone:
            table.add_countries(article, day, kept[article])
        assert table.country_months("FR") == before
    finally:
        table.close()
