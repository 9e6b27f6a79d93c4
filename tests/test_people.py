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


def _person_sums_from_rows(db) -> tuple[dict, dict]:
    """What a person's page counts, from the rows of ``mention`` themselves: per person
    (folded key) its months (an article once, whatever spellings it uses) and, per
    (spelling, name), its articles and mentions."""
    from search.index.people import _by_month

    months = {}
    for (key,) in db.execute("SELECT DISTINCT fkey FROM mention").fetchall():
        rows = db.execute(
            "SELECT day, SUM(mentions) FROM mention WHERE fkey = ? AND day > 0 GROUP BY article",
            (key,),
        ).fetchall()
        if rows:
            months[key] = _by_month(rows)
    names = {
        (k, c, n): (a, m)
        for k, c, n, a, m in db.execute(
            "SELECT fkey, canonical, name, COUNT(DISTINCT article), SUM(mentions) FROM mention "
            "GROUP BY fkey, canonical, name"
        )
    }
    return months, names


def _person_sums(db) -> tuple[dict, dict]:
    """The sums ``reindex`` keeps (``person_month``, ``person_name``), in the same shape."""
    months: dict[str, list] = {}
    for key, month, a, n in db.execute(
        "SELECT fkey, month, articles, mentions FROM person_month ORDER BY fkey, month"
    ):
        months.setdefault(key, []).append({"month": month, "articles": a, "mentions": n})
    names = {
        (k, c, n): (a, m)
        for k, c, n, a, m in db.execute(
            "SELECT fkey, canonical, name, articles, mentions FROM person_name"
        )
    }
    return months, names


def _as_older_table(samples_index: Path, folder: Path) -> Path:
    """The samples' person table as a Loupe before the sums wrote it."""
    import shutil
    import sqlite3

    shutil.copy(samples_index / "persons.sqlite", folder / "persons.sqlite")
    with sqlite3.connect(folder / "persons.sqlite") as db:
        for name in ("person_month", "person_name", "country_month"):
            db.execute(f"DROP TABLE {name}")
    return folder / "persons.sqlite"


def test_person_sums_are_kept_through_removals_readditions_and_spellings(
    samples_index: Path, tmp_path: Path
) -> None:
    """A person's chart, mentions and aliases read sums that ``reindex`` keeps; they equal
    what the rows of ``mention`` give, when articles go, come back, and when one article
    names the person under two spellings (counted once in the month)."""
    from search.index.people import Resolved, name_key

    _as_older_table(samples_index, tmp_path)
    table = PersonTable(tmp_path)  # as a reindex opens it: the sums are counted once
    try:
        assert table.filled
        months, names = _person_sums(table.db)
        assert months["emmanuel macron"] and (months, names) == _person_sums_from_rows(table.db)
        gone = table.db.execute(
            "SELECT DISTINCT article FROM mention WHERE fkey = 'emmanuel macron' AND day > 0 "
            "LIMIT 30"
        ).fetchall()
        kept = {
            a: table.db.execute(
                "SELECT day, name, canonical, why, mentions FROM mention WHERE article = ?",
                (a,),
            ).fetchall()
            for (a,) in gone
        }
        before = table.person_months("Emmanuel Macron")
        mentions = table.person_mentions("Emmanuel Macron")
        table.remove(list(kept))
        assert table.person_months("Emmanuel Macron") != before
        assert table.person_mentions("Emmanuel Macron") < mentions
        assert _person_sums(table.db) == _person_sums_from_rows(table.db)
        for article, rows in kept.items():
            people = [Resolved(n, c, m, w) for _day, n, c, w, m in rows]
            table.add(article, rows[0][0], people)
        assert table.person_months("Emmanuel Macron") == before
        assert table.person_mentions("Emmanuel Macron") == mentions
        assert _person_sums(table.db) == _person_sums_from_rows(table.db)

        # One article, two spellings of one person: its month counts it once.
        spellings = [c for c in table.variants("Édouard Philippe") if c]
        assert len(spellings) >= 2, spellings
        article, day = table.db.execute(
            "SELECT article, day FROM mention WHERE fkey = ? AND day > 0 LIMIT 1",
            (name_key(spellings[0]),),
        ).fetchone()
        chart = {m["month"]: m for m in table.person_months(spellings[0])}
        other = next(c for c in spellings if table.db.execute(
            "SELECT 1 FROM mention WHERE article = ? AND canonical = ?", (article, c)
        ).fetchone() is None)
        table.add(article, day, [Resolved(other, other, 2)])  # the other spelling, added
        after = {m["month"]: m for m in table.person_months(spellings[0])}
        month = next(m for m in after if after[m] != chart[m])
        assert after[month]["articles"] == chart[month]["articles"]
        assert after[month]["mentions"] == chart[month]["mentions"] + 2
        assert _person_sums(table.db) == _person_sums_from_rows(table.db)
        # the same article and name written again replaces its row: no double count
        table.add(article, day, [Resolved(other, other, 5)])
        assert _person_sums(table.db) == _person_sums_from_rows(table.db)
        table.remove([article])
        assert _person_sums(table.db) == _person_sums_from_rows(table.db)
    finally:
        table.close()


def test_an_older_tables_sums_are_counted_once_and_survive_a_failed_run(
    samples_index: Path, tmp_path: Path
) -> None:
    """Opened for a reindex, a table without the sums gains them from its rows; a run that
    fails leaves none (the next counts them again), a committed one keeps them (the next
    does not count them twice)."""
    _as_older_table(samples_index, tmp_path)
    with PersonTable(tmp_path) as table:
        expected = _person_sums_from_rows(table.db)
        country = table.country_months("FR")
        assert table.filled and _person_sums(table.db) == expected
    # closed without a commit, as a run that failed: nothing of the sums is left half-made
    with PersonTable(tmp_path) as table:
        assert table.filled and _person_sums(table.db) == expected
        assert table.country_months("FR") == country
        table.db.execute("COMMIT")
    with PersonTable(tmp_path) as table:  # counted once: opened again, still the rows' sums
        assert not table.filled and _person_sums(table.db) == expected
        assert table.country_months("FR") == country
    with PersonTable(tmp_path, readonly=True) as table:
        assert table.person_months("Emmanuel Macron") == expected[0]["emmanuel macron"]


def test_reindex_with_nothing_new_keeps_an_older_tables_sums(tmp_path: Path) -> None:
    """An index whose person table an older Loupe wrote gains the sums on the next
    ``reindex``, even one that finds nothing new."""
    import sqlite3

    records = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", records[:80])
    index = tmp_path / "index"
    reindex([folder], index, workers=1, ner=False)
    with sqlite3.connect(index / "persons.sqlite") as db:
        expected = _person_sums(db)
        assert expected[0] and expected == _person_sums_from_rows(db)
        db.execute("DROP TABLE person_month")
        db.execute("DROP TABLE person_name")
    result = reindex([], index, workers=1, ner=False)
    assert result.indexed == 0
    with table_of(index) as table:
        assert _person_sums(table.db) == expected


def test_person_page_is_the_same_read_from_the_sums_or_from_the_rows(
    samples_index: Path, tmp_path: Path
) -> None:
    """The page's document (chart, mentions, aliases, co-mentions) is the same whether the
    table has the sums or, written by an older Loupe, only the rows."""
    import shutil

    older = tmp_path / "index"
    shutil.copytree(samples_index, older)
    _as_older_table(samples_index, older)
    new, old = SearchEngine(samples_index), SearchEngine(older)
    stats = new.stats(top=15)
    names = [p["value"] for p in stats["persons"]] + ["Édouard Philippe", "Macron", "Poutine"]
    seen = 0
    for name in names:
        page = entitypage.person(new, name)
        before = entitypage.person(old, name)
        assert page is not None and before is not None, name
        page.pop("took_ms"), before.pop("took_ms")
        assert json.dumps(page, sort_keys=True) == json.dumps(before, sort_keys=True), name
        seen += bool(page["months"] and page["aliases"])
    assert seen >= 3


def test_person_chart_bars_lead_to_that_months_articles(client) -> None:
    """Each bar of the articles chart links to the person's search that month, which finds
    as many articles as the bar says; the mentions chart links to the same searches."""
    import html as markup

    page = client.get("/personne/Emmanuel Macron").get_data(as_text=True)
    bars = [
        (markup.unescape(href), title)
        for href, title in re.findall(r'<a href="([^"]+)"><title>([^<]+)</title>', page)
    ]
    articles = {href: int(title.split(" : ")[1].split()[0]) for href, title in bars
                if title.endswith(("article", "articles"))}
    mentions = {href for href, title in bars if "mention" in title}
    assert len(articles) >= 5 and mentions == set(articles)
    for href, count in articles.items():
        assert href.startswith("/?q=") and "depuis=" in href
        found = client.get("/api/search" + href[1:]).get_json()
        assert found["total"] == count, href
