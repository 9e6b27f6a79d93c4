"""Search on real text: ranking, the query language, filters, facets, snippets."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict
from whoosh import index as whoosh_index

from search.analysis import fold
from search.find.query import QueryError
from search.find.searcher import RequestError, SearchEngine, SearchRequest
from search.index import storage
from search.index.indexer import document, reindex
from search.index.schema import build_schema
from search.ingest.articles import Article
from tests.conftest import write_jsonl


@pytest.fixture(scope="module")
def engine(samples_index: Path) -> SearchEngine:
    return SearchEngine(samples_index)


@pytest.fixture(scope="module")
def small(tmp_path_factory) -> SearchEngine:
    """A handful of articles written for the cases the samples do not hold."""
    root = tmp_path_factory.mktemp("small")
    write_jsonl(
        root / "corpus" / "small.jsonl",
        [
            {
                "id": "peche",
                "title": "Les marins inquiets",
                "body": "La pêche en mer du Nord est menacée par les quotas.",
                "date": "2020-02-01",
                "section": "France",
                "countries": ["FR", "GB"],
            },
            {
                "id": "peche-mignon",
                "title": "Les marins gourmands",
                "body": "Le chocolat reste leur péché mignon, en mer comme à terre.",
                "date": "2020-03-01",
                "section": "Société",
            },
            {
                "id": "etat",
                "title": "Le budget adopté",
                "body": "Selon le ministre, l'État tiendra ses engagements <b>envers</b> "
                "les régions.",
                "date": "2019-06-15",
                "section": "Politique",
                "persons": ["Bruno Le Maire"],
                "countries": ["FR"],
            },
            {
                "id": "kazakh",
                "title": "Troupes russes au Kazakhstan",
                "body": "Moscou a envoyé des militaires à Almaty à l'appel de "
                "Kassym-Jomart Tokaïev.",
                "date": "2022-01-08",
                "section": "Monde",
                "countries": ["RU", "KZ"],
                "persons": ["Kassym-Jomart Tokaïev"],
            },
        ],
    )
    reindex([root / "corpus"], root / "index")
    return SearchEngine(root / "index")


def search(engine: SearchEngine, q: str = "", **kw):
    return engine.search(SearchRequest(q=q, **kw))


def result_ids(response) -> list[str]:
    return [r["id"] for r in response.results]


def full_text(engine: SearchEngine, article_id: str) -> str:
    a = engine.article(article_id)
    return fold(" ".join([a["title"], a["summary"], a["body"], a["caption"]])).lower()


def test_exact_accent_ranks_first_and_folded_query_finds_both(small: SearchEngine) -> None:
    assert result_ids(search(small, "pêche"))[0] == "peche"
    assert result_ids(search(small, "péché"))[0] == "peche-mignon"
    assert set(result_ids(search(small, "peche"))) == {"peche", "peche-mignon"}


def test_compounds_match_with_or_without_hyphen_and_accents(small: SearchEngine) -> None:
    for q in ("Kassym-Jomart", "kassym jomart", '"Kassym-Jomart Tokaïev"', "tokaiev"):
        assert result_ids(search(small, q)) == ["kazakh"], q


def test_snippet_marks_the_accented_original_and_escapes_markup(small: SearchEngine) -> None:
    snippet = search(small, "etat").results[0]["snippet"]
    assert "<mark>État</mark>" in snippet
    assert "&lt;b&gt;envers&lt;/b&gt;" in snippet
    assert "<b>" not in snippet


def test_two_words_are_both_required_and_longer_queries_need_some(engine: SearchEngine) -> None:
    """Minimum should match (README "Ranking"): both words of a two-word query, so that
    totals and facet counts mean what a user reads; two of three words otherwise, so that
    one word no article has does not empty the results. A page those do not fill goes on
    with articles holding one of the words, after them, each naming the word it lacks."""
    response = search(engine, "réforme retraites", per_page=100)
    both = [
        "reform" in text and "retrait" in text
        for text in (full_text(engine, r["id"]) for r in response.results)
    ]
    assert sum(both) > 5 and all(both[: response.total]) and not any(both[response.total :])
    assert all(r["missing"] for r in response.results[response.total :])
    three = search(engine, "réforme retraites hydravion", per_page=100)
    assert three.total == response.total
    assert not any("hydravion" in full_text(engine, r["id"]) for r in three.results)


def test_phrase_is_stricter_than_words(engine: SearchEngine) -> None:
    words = search(engine, "réforme retraites").total
    phrase = search(engine, '"réforme des retraites"', per_page=100)
    assert 0 < phrase.total <= words
    for r in phrase.results:
        # Stop words are not indexed and words are stemmed: "réformes des retraites" matches.
        assert re.search(r"reformes?\W+(\w+\W+){0,3}retraites?", full_text(engine, r["id"]))


def test_exclusion_and_or(engine: SearchEngine) -> None:
    both = search(engine, "retraites").total
    without = search(engine, "retraites -grève", per_page=100)
    assert 0 < without.total < both
    for r in without.results:
        assert "greve" not in full_text(engine, r["id"])
    assert search(engine, "Kazakhstan OU Macron").total >= search(engine, "Macron").total


def test_falls_back_to_any_word_when_all_words_find_nothing(engine: SearchEngine) -> None:
    response = search(engine, "Kazakhstan zorglubification")
    assert response.total >= 1
    assert response.results[0]["id"] == "seed-000_c1a1735c7d8c97a1"


def test_field_filters_in_the_query(engine: SearchEngine, small: SearchEngine) -> None:
    assert result_ids(search(engine, "rubrique:conflit")) == ["seed-000_c1a1735c7d8c97a1"]
    march = search(engine, "date:2020-03", per_page=100)
    assert march.total > 0
    assert all(r["date"].startswith("2020-03") for r in march.results)
    titled = search(engine, "titre:retraites", per_page=100)
    assert titled.total > 0
    assert all("retrait" in fold(r["title"]).lower() for r in titled.results)
    assert result_ids(search(small, "pays:KZ")) == ["kazakh"]
    assert result_ids(search(small, 'personne:"Bruno Le Maire"')) == ["etat"]
    assert result_ids(search(small, "rubrique:societe")) == ["peche-mignon"]


def test_facet_counts_cover_all_matches(engine: SearchEngine) -> None:
    response = search(engine, "gouvernement")
    sections = response.facets["section"]
    assert sum(f["count"] for f in sections) == response.total
    years = response.facets["year"]
    months = response.facets["month"]
    assert sum(f["count"] for f in years) == sum(f["count"] for f in months) <= response.total
    assert [m["value"] for m in months] == sorted(m["value"] for m in months)


def test_facet_selection_is_disjunctive(engine: SearchEngine) -> None:
    base = search(engine, "gouvernement")
    first, second = base.facets["section"][0], base.facets["section"][1]
    one = search(engine, "gouvernement", sections=[first["value"]])
    assert one.total == first["count"]
    # The section facet keeps its counts without its own selection, so a second value can be added.
    assert [(f["value"], f["count"]) for f in one.facets["section"]] == [
        (f["value"], f["count"]) for f in base.facets["section"]
    ]
    assert [f["value"] for f in one.facets["section"] if f["selected"]] == [first["value"]]
    two = search(engine, "gouvernement", sections=[first["value"], second["value"]])
    assert two.total == first["count"] + second["count"]
    # Other facets do follow the selection.
    assert sum(f["count"] for f in one.facets["year"]) <= one.total


def test_country_and_person_filters(small: SearchEngine) -> None:
    assert result_ids(search(small, countries=["ru"])) == ["kazakh"]
    assert set(result_ids(search(small, countries=["FR"]))) == {"peche", "etat"}
    assert set(result_ids(search(small, countries=["KZ", "GB"]))) == {"kazakh", "peche"}
    assert result_ids(search(small, persons=["kassym-jomart tokaiev"])) == ["kazakh"]
    facet = {f["value"]: f["count"] for f in search(small).facets["country"]}
    assert facet == {"FR": 2, "GB": 1, "RU": 1, "KZ": 1}


def test_date_range_and_sorting(engine: SearchEngine) -> None:
    ranged = search(
        engine,
        "",
        date_from=dt.date(2019, 1, 1),
        date_to=dt.date(2019, 12, 31),
        sort="date",
        per_page=100,
    )
    assert ranged.total == search(engine, "date:2019").total > 0
    dates = [r["date"] for r in ranged.results]
    assert all(d.startswith("2019") for d in dates)
    assert dates == sorted(dates, reverse=True)
    oldest = search(engine, "", sort="ancien", per_page=5)
    assert [r["date"] for r in oldest.results] == sorted(r["date"] for r in oldest.results)
    # The undated page dump comes last whichever way dates are sorted.
    last_page = search(engine, "", sort="ancien", per_page=100, page=4)
    assert last_page.results[-1]["date"] is None


def test_pagination(engine: SearchEngine) -> None:
    one = search(engine, "gouvernement", per_page=5)
    two = search(engine, "gouvernement", per_page=5, page=2)
    assert one.total == two.total > 10
    assert not set(result_ids(one)) & set(result_ids(two))
    scores = [r["score"] for r in one.results + two.results]
    assert scores == sorted(scores, reverse=True)


def test_bad_requests_get_french_messages() -> None:
    with pytest.raises(RequestError, match="page"):
        SearchRequest(page=0)
    with pytest.raises(RequestError, match="par page"):
        SearchRequest(per_page=1000)
    with pytest.raises(RequestError, match="invalide"):
        SearchRequest.from_params({"depuis": ["31/02/2021"]})
    with pytest.raises(RequestError, match="Tri"):
        SearchRequest(sort="alphabétique")


def test_too_long_query(engine: SearchEngine) -> None:
    with pytest.raises(QueryError, match="trop longue"):
        search(engine, "mot " * 400)


@pytest.mark.parametrize("q", ['"', "(((", "*", "pays:", ")", "-", "OR", "le la les"])
def test_odd_queries_answer(engine: SearchEngine, q: str) -> None:
    response = search(engine, q)
    assert response.total >= 0


def test_params_round_trip() -> None:
    params = {
        "q": ["réforme"],
        "pays": ["FR", "RU"],
        "rubrique": ["Monde"],
        "depuis": ["2019"],
        "jusqu_au": ["2020-03"],
        "tri": ["date"],
        "page": ["2"],
    }
    request = SearchRequest.from_params(params)
    assert request.date_from == dt.date(2019, 1, 1)
    assert request.date_to == dt.date(2020, 3, 31)
    again = {}
    for key, value in request.to_params():
        again.setdefault(key, []).append(value)
    assert SearchRequest.from_params(again) == request
    # as Flask hands them (a Werkzeug MultiDict), absent parameters skipped the same
    assert SearchRequest.from_params(MultiDict(list(request.to_params()))) == request


def test_article_page_data(engine: SearchEngine) -> None:
    article = engine.article("seed-000_c1a1735c7d8c97a1", q="Blinken")
    assert article["section"] == "Conflit"
    assert article["date"] is None
    assert any("<mark>Blinken</mark>" in p for p in article["body_html"])
    assert engine.article("no-such-id") is None


def test_stats(engine: SearchEngine) -> None:
    stats = engine.stats()
    assert stats["articles"] == 321
    assert stats["undated"] == 1
    assert stats["date_min"] < stats["date_max"]
    assert sum(s["count"] for s in stats["sections"]) <= 321


def test_only_exclusions_and_only_stop_words(engine: SearchEngine) -> None:
    everything = search(engine).total
    about = search(engine, "retraites").total
    without = search(engine, "-retraites", per_page=100)
    assert without.total == everything - about
    dates = [r["date"] for r in without.results if r["date"]]
    assert dates == sorted(dates, reverse=True)  # nothing to rank by: newest first
    assert search(engine, "le la les").total == 0


def test_selected_facet_value_matches_whatever_the_accents(small: SearchEngine) -> None:
    response = search(small, sections=["societe"])
    assert response.total == 1
    selected = [f for f in response.facets["section"] if f["selected"]]
    assert [(f["value"], f["count"]) for f in selected] == [("Société", 1)]
    assert response.results[0]["section"] == "Société"


def test_prefix_queries(engine: SearchEngine) -> None:
    prefixed = search(engine, "réform*", per_page=100)
    assert prefixed.total >= search(engine, "réforme").total > 0
    for r in prefixed.results:
        assert "reform" in full_text(engine, r["id"])
    assert search(engine, "*").total == 321  # everything
    assert search(engine, "*éforme").total == 0  # no leading wildcards


# -- "did you mean" -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("retrraites", "retraites"),
        ("gouvernment", "gouvernement"),
        ("Gouvernment", "Gouvernement"),  # the case typed is kept
        ("manifestaton", "manifestation"),
        ("rteraites", "retraites"),  # a swap is one mistake
        ("réforme retrraites", "réforme retraites"),  # even when some words found articles
        ('"réforme des retrraites"', '"réforme des retraites"'),
        ("retrraites -grève", "retraites -grève"),
        ("rubrique:politique gouvernment", "rubrique:politique gouvernement"),
    ],
)
def test_did_you_mean_respells_unknown_words(engine: SearchEngine, typed: str, meant: str) -> None:
    response = search(engine, typed, respell=False)
    assert response.did_you_mean == meant
    right = search(engine, meant)
    assert right.total > 0
    # By default the respelled words' results are shown, when they all match together.
    shown = search(engine, typed)
    if shown.corrected:
        assert shown.corrected == meant and shown.did_you_mean is None
        assert result_ids(shown) == result_ids(right) and shown.total == right.total
    else:
        assert shown.did_you_mean == meant


def test_results_are_the_respelled_ones_only_when_the_typed_words_fail(
    engine: SearchEngine,
) -> None:
    assert search(engine, "retrraites").corrected == "retraites"
    assert search(engine, "retraites").corrected is None
    assert search(engine, "retrraites", respell=False).corrected is None
    assert search(engine, "retrraites", respell=False).total == 0


@pytest.mark.parametrize("q", ["retraites", "reforme", "Macron", "xyzzyqw", "", "-retraites"])
def test_no_suggestion_for_known_or_hopeless_words(engine: SearchEngine, q: str) -> None:
    assert search(engine, q).did_you_mean is None


def test_suggestion_only_if_it_finds_something_with_the_filters(engine: SearchEngine) -> None:
    assert search(engine, "retrraites", respell=False).did_you_mean == "retraites"
    # No article about pensions in 2016: the respelled query would find nothing either.
    assert search(engine, "retraites", date_to=dt.date(2016, 1, 1)).total == 0
    assert search(engine, "retrraites", date_to=dt.date(2016, 1, 1)).did_you_mean is None


def test_did_you_mean_for_a_rare_word_with_few_hits(tmp_path: Path) -> None:
    records = [
        {"id": f"g{i}", "title": "Le gouvernement décide", "body": "Texte.", "date": "2020-01-01"}
        for i in range(6)
    ]
    records.append({"id": "typo", "title": "Le gouvernemnt hésite", "body": "Coquille."})
    write_jsonl(tmp_path / "corpus" / "c.jsonl", records)
    reindex([tmp_path / "corpus"], tmp_path / "index")
    engine = SearchEngine(tmp_path / "index")
    response = search(engine, "gouvernemnt")
    assert response.total == 1 and response.did_you_mean == "gouvernement"
    assert search(engine, "gouvernement").did_you_mean is None


@pytest.mark.parametrize(
    "q",
    [
        "Comment la police a-t-elle réagi ?",  # was "… police actuelle réagi ?"
        "Quand la ministre a-t-elle démissionné ?",
        "Comment les manifestants ont-ils été arrêtés ?",  # was "… manifestants outils …"
    ],
)
def test_words_the_search_ignores_are_never_respelled(engine: SearchEngine, q: str) -> None:
    """Issue 12: an inverted verb (``a-t-elle``, ``ont-ils``) is stop words only, dropped by
    the search; it was taken for an unknown word and the question replaced by a respelled
    one holding a word never typed (``actuelle``, ``outils``)."""
    shown = search(engine, q)
    assert shown.corrected is None and shown.did_you_mean is None
    assert result_ids(shown) == result_ids(search(engine, q, respell=False))
    assert shown.total > 0


def test_question_words_are_never_respelled(tmp_path: Path) -> None:
    """A question word the search ignores (``Comment`` among other words), absent from
    the archive, was respelled ``Comme``, a word the search then required."""
    records = [
        {"id": f"c{i}", "title": "Comme chaque année", "body": "Le carnaval défile.",
         "date": "2020-02-01"} for i in range(6)
    ] + [{"id": "gesualdo", "title": "Carlo Gesualdo", "body": "Le prince compositeur.",
          "date": "2020-02-02"}]
    write_jsonl(tmp_path / "corpus" / "c.jsonl", records)
    reindex([tmp_path / "corpus"], tmp_path / "index")
    engine = SearchEngine(tmp_path / "index")
    shown = search(engine, "Comment s'appelle le prince compositeur ?")
    assert shown.corrected is None and shown.did_you_mean is None
    assert result_ids(shown)[0] == "gesualdo"


def test_malformed_dates_in_the_query_are_searched_as_words(engine: SearchEngine) -> None:
    for q in ("date:demain", "date:2020-13", "date:[2020 to", "date:>x", 'date:""', 'date:"x"'):
        response = search(engine, q)
        assert "Date incomprise" in response.notice and "simples mots" in response.notice
    assert search(engine, "date:2019 Macron").notice is None


def test_person_filter_narrows_the_listed_values(small: SearchEngine) -> None:
    names = [p["value"] for p in search(small).facets["person"]]
    assert len(names) == 2
    found = search(small, person_filter="tokaiev").facets["person"]
    assert [p["value"] for p in found] == ["Kassym-Jomart Tokaïev"]
    # A selected value stays listed whatever the filter.
    kept = search(small, persons=["Bruno Le Maire"], person_filter="tokaiev").facets["person"]
    assert {p["value"] for p in kept} == set(names)
    request = SearchRequest.from_params({"personne_filtre": ["Tok"]})
    assert request.person_filter == "Tok" and ("personne_filtre", "Tok") in request.to_params()


def test_limits_on_filter_values() -> None:
    with pytest.raises(RequestError, match="Trop de valeurs"):
        SearchRequest(countries=[f"C{i}" for i in range(51)])
    with pytest.raises(RequestError, match="trop long"):
        SearchRequest(person_filter="x" * 101)


def test_query_punctuation_and_wildcards(engine: SearchEngine) -> None:
    # "<" and ">" compare only after a field; elsewhere they are punctuation.
    assert search(engine, "<retraites>").total == search(engine, "retraites").total
    assert search(engine, "date:>2020-01-01").total > 0
    # A lone "*" is everything; a prefix standing for too many words is searched as its
    # letters, and the response says why.
    assert search(engine, "*").total == search(engine).total
    assert search(engine, "réform*").total > 0
    assert "trop de mots" in search(engine, "a*").notice
    assert search(engine, "gouv* a*").total == search(engine, "gouv a").total


def test_an_index_written_before_the_time_column_is_still_searched(tmp_path: Path) -> None:
    """An index older than ``col_instant`` answers until the next reindex rebuilds it."""
    index = tmp_path / "index"
    index.mkdir()
    build = storage.new_build_dir(index)
    older = build_schema()
    older.remove("col_instant")
    ix = whoosh_index.create_in(str(build), older)
    article = Article(id="a1", title="Neige en Bretagne", body="Il neige à Brest.",
                      date=dt.date(2021, 2, 3), date_source="metadata")  # fmt: skip
    doc = document(article, "hash")
    del doc["col_instant"]
    with ix.writer() as writer:
        writer.add_document(**doc)
    storage.write_manifest(build, {"version": 3, "roots": [], "articles": {}})
    storage.publish(index, build)
    response = SearchEngine(index).search(SearchRequest(q="neige", sort="newest"))
    assert [r["id"] for r in response.results] == ["a1"]


def test_warm_opens_the_searchers_ahead(samples_index: Path) -> None:
    """After ``warm(threads=2)`` a server thread's first search takes a searcher opened
    ahead instead of reading the index files then (``loupe serve`` warms before listening)."""
    import threading

    engine = SearchEngine(samples_index, cache_size=0)
    engine.warm(threads=2)
    gen = engine._current()
    spares = list(gen.spare)
    assert len(spares) == 2
    used = []

    def first_search() -> None:
        engine.search(SearchRequest(q="retraites"))
        used.append(gen.searcher())

    worker = threading.Thread(target=first_search)
    worker.start()
    worker.join()
    assert used[0] in spares and len(gen.spare) == 1


def test_warm_loads_the_whole_lexicon(samples_index: Path) -> None:
    """``warm`` reads every exact-view word in one pass (not a prefix walk per letter on a
    user's first searches): each letter's words are those the lazy path reads."""
    from search.find.spelling import Lexicon, _exact_words

    engine = SearchEngine(samples_index, cache_size=0)
    engine.warm()
    loaded = engine._current().lexicon
    with whoosh_index.open_dir(str(engine.generation_path())).reader() as reader:
        letters = {w[:1] for w in _exact_words(reader)}
        assert set(loaded._by_letter) == letters and len(letters) > 20  # before any respelling
        lazy = Lexicon()
        for letter in sorted(letters) + ["ж"]:
            assert loaded.starting_with(reader, letter) == lazy.starting_with(reader, letter)
    typo = engine.search(SearchRequest(q="retraittes"))
    assert typo.corrected == "retraites" or typo.did_you_mean == "retraites"


def test_lexicon_keeps_the_most_frequent_words_within_its_budget(
    samples_index: Path, monkeypatch
) -> None:
    """Issue 11: the respelling lexicon is read whole by every serving process; with a
    budget (``LOUPE_LEXICON_MB``) it keeps the most frequent words that fit, and
    misspellings of common words are still corrected. ``loupe stats`` shows the cap."""
    from click.testing import CliRunner

    from search.cli import main
    from search.find.spelling import EXACT_FIELDS, Lexicon

    with whoosh_index.open_dir(str(storage.require_generation(samples_index))).reader() as reader:
        _words, whole = Lexicon.measure(reader)
        budget = whole // 4
        lexicon = Lexicon(budget)
        lexicon.load(reader)
        assert lexicon.capped and 0.9 * budget < lexicon.nbytes <= budget
        kept = {w for words in lexicon._by_letter.values() for w in words}
        assert len(kept) == lexicon.words

        def frequency(word: str) -> int:
            return sum(reader.doc_frequency(f, word) for f in EXACT_FIELDS)

        everything = {w.decode() for f in EXACT_FIELDS for w in reader.lexicon(f)}
        dropped = everything - kept
        assert dropped and min(map(frequency, kept)) >= max(map(frequency, dropped))
        unlimited = Lexicon(0)
        unlimited.load(reader)
        assert unlimited.words == len(everything) and not unlimited.capped
    monkeypatch.setenv("LOUPE_LEXICON_MB", str(budget / 2**20))
    engine = SearchEngine(samples_index, cache_size=0)
    engine.warm()
    assert engine._current().lexicon.nbytes <= budget
    typo = engine.search(SearchRequest(q="retraittes"))
    assert typo.corrected == "retraites" or typo.did_you_mean == "retraites"
    data = json.loads(
        CliRunner().invoke(main, ["stats", "--json", "--index", str(samples_index)]).output
    )["memory"]
    assert data["lexicon_budget_bytes"] == int(budget / 2**20 * 1024 * 1024)
    assert data["lexicon_kept_bytes"] <= data["lexicon_budget_bytes"] < data["lexicon_bytes"]
    shown = CliRunner().invoke(main, ["stats", "--index", str(samples_index)]).output
    assert f"lexique chargé : {data['lexicon_kept_words']} mots" in shown
    assert "LOUPE_LEXICON_MB" in shown
