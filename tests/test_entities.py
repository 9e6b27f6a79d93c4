"""Entity facets on real French text: the seed dispatch, the gazetteer and its traps,
persons, dates, the NER cache and the country filters that accept French names."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from search.cli import main
from search.find.facets import MultiColumn
from search.find.searcher import SearchEngine, SearchRequest
from search.index import storage
from search.index.indexer import reindex
from search.index.schema import SEPARATOR
from search.ingest.articles import Article
from search.ingest.entities import Extractor, NerCache, analyse, article_text, countries, extract
from search.ingest.entities.countries import (
    country_label,
    fold_char,
    fold_chars,
    gazetteer,
    inflect,
    resolve_country,
)
from search.ingest.entities.dates import date_in_filename, date_in_text, publication_date
from search.ingest.entities.persons import _UNUSED, MODEL, focus, load_model, ner
from search.ingest.readers import read_paths
from tests.conftest import SAMPLES, write_jsonl

SEED = SAMPLES / "seed" / "000_c1a1735c7d8c97a1.txt"


def codes(text: str) -> set[str]:
    return {m.code for m in gazetteer().find(text)}


def one(text: str, title: str = "Dépêche", **fields) -> Article:
    return Article(id="t", title=title, body=text, **fields)


# -- the seed dispatch ------------------------------------------------------------


def test_seed_dispatch() -> None:
    [article] = list(read_paths([SEED], lambda p: None))
    [facets] = extract([article])
    assert article.section == "Conflit"
    assert {c for c, _n in facets.countries} == {"RU", "US", "KZ"}
    assert {p for p, _n in facets.persons} == {
        "Sergueï Lavrov",
        "Anthony Blinken",
        "Kassym-Jomart Tokaïev",
    }
    assert dict(facets.persons)["Anthony Blinken"] == 3
    assert facets.date is None and facets.date_source == ""


# -- the gazetteer ------------------------------------------------------------------


def test_gazetteer_is_complete() -> None:
    countries = gazetteer().countries
    assert len(countries) == 197  # 193 UN members, the Vatican, Palestine, Kosovo, Taiwan
    assert {"PS", "XK", "TW", "VA", "FR", "RU", "US", "KZ"} <= set(countries)
    for code, c in countries.items():
        assert len(code) == 2 and code.isupper(), code
        assert c.name.lstrip("~"), code
        assert c.adjectives, f"{code} has no adjective"
        assert c.capitals, f"{code} has no capital"


def test_adjectives_have_four_forms() -> None:
    assert inflect("américain") == ["américain", "américaine", "américains", "américaines"]
    assert inflect("russe") == ["russe", "russes"]
    assert inflect("grec/grecque") == ["grec", "grecque", "grecs", "grecques"]
    assert inflect("italien")[1] == "italienne"
    assert inflect("français") == ["français", "française", "françaises"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Les Etats-Unis, les États-Unis, les USA et ETATS-UNIS.", {"US"}),
        ("La Maison Blanche et le Kremlin ont parlé.", {"US", "RU"}),
        ("L'Élysée et Matignon se taisent ; Downing Street aussi.", {"FR", "GB"}),
        ("Des troupes kazakhes, des soldats américains, les Kazakhs.", {"KZ", "US"}),
        ("Almaty, Marseille, la Bretagne et la Californie.", {"KZ", "FR", "US"}),
        ("En Guadeloupe et à la Réunion.", {"FR"}),
        ("La Grande-Bretagne et le Royaume-Uni.", {"GB"}),
        ("Le PDG de la Corée du Sud et la Corée du Nord.", {"KR", "KP"}),
    ],
)
def test_names_adjectives_capitals_places(text: str, expected: set[str]) -> None:
    assert codes(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # Place names inside the names of people and organisations.
        ("Paris Hilton est arrivée hier soir.", set()),
        ("Le Paris Saint-Germain a gagné samedi.", set()),
        ("Denzel Washington joue le rôle principal.", set()),
        # A firm named after the country gives it (round 18's decision, bench/gold/README.md).
        ("Air France annule des vols.", {"FR"}),
        ("Selon Le Parisien, la ministre hésite.", set()),
        ("La ministre l'a confié au Parisien.", set()),
        ("Le Washington Post révèle l'affaire.", set()),
        # Public broadcasters are state institutions (GUIDE.md; dev gold orangesum-26187);
        # a private outlet alone is not (orangesum-30607).
        ("Il regarde France 2 et écoute Radio France.", {"FR"}),
        ("Il lit Le Parisien et regarde BFMTV.", set()),
        ("Un sommet s'ouvre à Washington.", {"US"}),
        # Niger and Nigeria, the two Congos, the Guinées.
        ("Au Niger, puis au Nigeria, les Nigérians votent.", {"NE", "NG"}),
        ("Des soldats nigériens et des pêcheurs sur le fleuve Niger.", {"NE"}),
        ("En République démocratique du Congo, à Kinshasa.", {"CD"}),
        ("Au Congo-Brazzaville, le président congolais.", {"CG"}),
        ("Kinshasa accuse les rebelles ; le gouvernement congolais proteste.", {"CD"}),
        ("Le Congo et les Congolais.", set()),  # which one? no guess
        ("La Guinée, la Guinée-Bissau et la Guinée équatoriale.", {"GN", "GW", "GQ"}),
        ("La Papouasie-Nouvelle-Guinée et le golfe de Guinée.", {"PG"}),
        # Géorgie the country, Georgia the US state.
        ("La Géorgie et sa capitale Tbilissi.", {"GE"}),
        ("La Géorgie, ancienne république soviétique.", {"GE"}),
        ("À Atlanta, en Géorgie, le vote est serré.", {"US"}),
        ("Le gouverneur de Georgia a signé.", {"US"}),
        # Languages are not countries.
        ("Il parle anglais et apprend le russe.", set()),
        ("Un livre traduit en allemand, des cours d'espagnol.", set()),
        ("La traduction allemande est parue.", set()),
        ("Le gouvernement allemand et la presse anglaise.", {"DE", "GB"}),
        # Case matters for proper names, not for adjectives.
        ("Une somme importante ; un chili con carne.", set()),
        ("Dans la Somme, au Chili.", {"FR", "CL"}),
        # Directions and combining forms.
        ("Les pays sud-américains et latino-américains.", set()),
        ("Le couple franco-allemand.", {"FR", "DE"}),
    ],
)
def test_traps(text: str, expected: set[str]) -> None:
    assert codes(text) == expected


def test_peoples_listed_together_are_weak_but_a_single_one_counts() -> None:
    listed = "Il a cité les Amérindiens, les Coréens, les Vietnamiens et les Syriens."
    assert codes(listed) == set()
    assert codes("Parmi eux, les Français sont les plus nombreux.") == {"FR"}


def test_fold_chars_folds_each_character_alone_and_keeps_no_rare_one() -> None:
    """``fold_chars`` (a translate table filled as characters are met) gives what folding
    each character alone gives, on real articles and on every character of the BMP, so
    offsets hold; characters of rare scripts are folded without being kept in the table."""
    texts = [article_text(a) for a in read_paths([SAMPLES / "orangesum"], lambda p: None)]
    texts.append("".join(chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000))
    texts += ["L’État", "İstanbul", "ßæœÆŒ", ""]
    for text in texts:
        folded = fold_chars(text)
        assert len(folded) == len(text)
        assert folded == "".join(fold_char(c) for c in text)
    assert fold_chars("ÉLYSÉE À Genève") == "elysee a geneve"
    kept = max(countries._FOLD)  # the highest character the table keeps
    assert kept < countries._FOLD_KEPT


def test_labels_and_filters_accept_names() -> None:
    assert country_label("RU") == "Russie" and country_label("us") == "États-Unis"
    for value in ("RU", "ru", "Russie", "russie", "RUSSIE", "Fédération de Russie"):
        assert resolve_country(value) == "RU", value
    assert resolve_country("Etats-Unis") == "US" and resolve_country("Côte d'Ivoire") == "CI"
    assert resolve_country("ZZ") == "ZZ"  # unknown values are kept as codes


# -- persons ------------------------------------------------------------------------


def test_persons_are_cleaned_and_merged() -> None:
    text = (
        "Rechercher\n\nPhoto d'archives AFP. Vendredi, le président Emmanuel Macron a reçu "
        "M. Olaf Scholz à l'Élysée. Macron a salué « un ami ». Le chancelier Scholz a "
        "répondu. Le ministre de l'Intérieur, Gérald Darmanin, était présent, comme "
        "Mme Borne. Les élèves du lycée Victor-Hugo ont chanté rue Jean-Jaurès."
    )
    [facets] = extract([one(text)])
    persons = dict(facets.persons)
    # Titles stripped, "Scholz" joined to "Olaf Scholz", no "Photo", "Vendredi", "Victor-Hugo".
    assert set(persons) == {"Emmanuel Macron", "Olaf Scholz", "Gérald Darmanin", "Borne"}
    assert persons["Olaf Scholz"] == 2
    assert {c for c, _n in facets.countries} == {"FR"}


def test_focus_reads_capitalised_words_in_context_and_skips_sentence_openers() -> None:
    text = (
        "Selon le ministère, la situation reste tendue. Cette semaine, rien de neuf. "
        "selon les syndicats, Laurent Berger a quitté la réunion."
    )
    stretches = [text[a:b] for a, b in focus(text, width=2)]
    # "Selon" (also written "selon") and "Cette" (a stop word) open sentences: no reason to
    # read; "Laurent Berger" is read with two words either side.
    assert stretches == ["les syndicats, Laurent Berger a quitté"]


def test_focused_ner_finds_what_the_whole_text_gives() -> None:
    """Reading only the stretches around capitals changes no facet on real articles."""
    articles = list(read_paths([SAMPLES / "orangesum"], lambda p: None))[:40]
    texts = [article_text(a) for a in articles]
    whole = ner(texts, focused=False)
    focused = ner(texts)
    assert sum(len(f) for f in focused) > 100
    for article, text, w, f in zip(articles, texts, whole, focused, strict=True):
        assert all(text[s:e].strip() for s, e, _label in f)  # offsets are the whole text's
        a, b = analyse(article, text, w), analyse(article, text, f)
        assert sorted(a.persons) == sorted(b.persons), article.id
        assert sorted(a.countries) == sorted(b.countries), article.id


def test_ner_skips_the_shared_tok2vec_and_finds_the_same_spans() -> None:
    """The model's shared ``tok2vec`` feeds only the tagger and parser Loupe leaves out; NER
    embeds the tokens with its own layers. Without it the model computes no tensor (its
    most expensive idle work) and finds exactly the spans the pipeline with it finds."""
    import spacy
    from thinc.api import use_ops

    with use_ops("numpy", use_blis=False):  # the same products as ours: only tok2vec differs
        reference = spacy.load(MODEL, exclude=_UNUSED)
    assert "tok2vec" in reference.pipe_names
    articles = list(read_paths([SAMPLES / "orangesum"], lambda p: None))[:40]
    texts = [article_text(a) for a in articles]
    ours = list(load_model().pipe(texts))
    assert all(doc.tensor.size == 0 for doc in ours)  # no tensor nobody reads
    theirs = list(reference.pipe(texts))
    assert all(doc.tensor.size for doc in theirs)
    assert sum(len(doc.ents) for doc in ours) > 500
    for article, a, b in zip(articles, ours, theirs, strict=True):
        spans = [(e.start_char, e.end_char, e.label_) for e in a.ents]
        assert spans == [(e.start_char, e.end_char, e.label_) for e in b.ents], article.id


def test_ner_on_numpys_blas_one_thread_gives_the_same_facets() -> None:
    """The model's products go to numpy's BLAS, not to the BLIS thinc bundles (generic
    kernels on processors it does not know, 3 times slower), on one thread per NER process
    however many the library would use (more would only spin waiting for a core); the
    facets of real articles are those the pipeline as it ships gives."""
    import spacy
    from spacy.language import Language
    from threadpoolctl import ThreadpoolController, threadpool_limits

    nlp = load_model()
    tok2vec = nlp.get_pipe("ner").model.get_ref("tok2vec")  # nearly all of the products
    assert not any(layer.ops.use_blis for layer in tok2vec.walk())
    shipped = spacy.load(MODEL, exclude=_UNUSED)  # thinc's default: BLIS
    assert shipped.get_pipe("ner").model.ops.use_blis

    seen: list[int] = []

    @Language.component("loupe_test_blas_probe")
    def probe(doc):  # how many threads numpy's BLAS may use while the model runs
        info = ThreadpoolController().info()
        seen.extend(lib["num_threads"] for lib in info if lib["user_api"] == "blas")
        return doc

    articles = list(read_paths([SAMPLES / "orangesum"], lambda p: None))[:40]
    texts = [article_text(a) for a in articles]
    nlp.add_pipe("loupe_test_blas_probe", last=True)
    try:
        with threadpool_limits(2, user_api="blas"):
            ours = ner(texts)
    finally:
        nlp.remove_pipe("loupe_test_blas_probe")
    assert seen and set(seen) == {1}
    theirs = ner(texts, nlp=shipped)
    assert sum(len(s) for s in ours) > 300
    for article, text, a, b in zip(articles, texts, ours, theirs, strict=True):
        mine, reference = analyse(article, text, a), analyse(article, text, b)
        assert sorted(mine.persons) == sorted(reference.persons), article.id
        assert sorted(mine.countries) == sorted(reference.countries), article.id


def test_place_in_a_persons_name_is_no_country() -> None:
    text = "La milliardaire Paris Hilton a dîné avec l'acteur Denzel Washington à Londres."
    [facets] = extract([one(text)])
    assert {c for c, _n in facets.countries} == {"GB"}
    assert {"Paris Hilton", "Denzel Washington"} <= {p for p, _n in facets.persons}


# -- dates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Paris, le 8 janvier 2022 (AFP) - Les troupes", dt.date(2022, 1, 8)),
        ("Il est né le 1er mars 2020 à Lyon.", dt.date(2020, 3, 1)),
        ("Mis en ligne le 08/01/2022.", dt.date(2022, 1, 8)),
        ("Version du 2022-01-08, corrigée.", dt.date(2022, 1, 8)),
        ("Le 31/02/2021 n'existe pas, le 3 mars 2021 si.", dt.date(2021, 3, 3)),
        ("Le 11 septembre 2001 ... Publié le 12 mai 2019.", dt.date(2019, 5, 12)),
        ("Vendredi, samedi 8 janvier : pas d'année.", None),
        ("Le 45 mars 2020, le 2020-13-01.", None),
    ],
)
def test_dates_in_text(text: str, expected: dt.date | None) -> None:
    assert date_in_text(text) == expected


def test_date_sources_in_order() -> None:
    meta = dt.date(2020, 1, 2)
    assert publication_date(meta, "metadata", "le 8 janvier 2022", "x.txt") == (meta, "metadata")
    assert publication_date(None, "", "le 8 janvier 2022", "2021-05-06.txt")[1] == "text"
    assert publication_date(None, "", "rien", "a/2021-05-06-kazakh.txt") == (
        dt.date(2021, 5, 6),
        "filename",
    )
    assert date_in_filename("20220108.txt") == dt.date(2022, 1, 8)
    assert date_in_filename("000_c1a1735c7d8c97a1.txt") is None
    assert date_in_filename("20220231.txt") is None
    assert publication_date(None, "", "rien", "depeche.txt") == (None, "")


# -- indexing: cache, facets, filters ------------------------------------------------


RECORDS = [
    {
        "id": "k1",
        "title": "Troupes russes au Kazakhstan",
        "body": "Moscou a envoyé des militaires à Almaty à l'appel de Kassym-Jomart Tokaïev. "
        "Le président Tokaïev a remercié la Russie.",
        "date": "2022-01-08",
    },
    {
        "id": "k2",
        "title": "Washington critique Moscou",
        "body": "Anthony Blinken a mis en garde le Kazakhstan. Blinken cite la Russie.",
    },
    {
        "id": "k3",
        "title": "Réforme des retraites",
        "body": "Le Premier ministre Édouard Philippe a reçu les syndicats à Matignon.",
        "date": "2019-12-05",
    },
]


@pytest.fixture
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """The three records in a folder, and an index whose NER cache no other test shares."""
    monkeypatch.setenv("LOUPE_CACHE_DIR", str(tmp_path / "cache"))
    return write_jsonl(tmp_path / "c" / "a.jsonl", RECORDS).parent, tmp_path / "index"


def test_ner_cache_spares_the_model_on_unchanged_text(own_cache: tuple[Path, Path]) -> None:
    corpus, index_dir = own_cache
    first = reindex([corpus], index_dir, workers=1)
    assert (first.indexed, first.ner_runs, first.ner_cached) == (3, 3, 0)

    full = reindex([corpus], index_dir, full=True, workers=1)
    assert (full.indexed, full.ner_runs, full.ner_cached) == (3, 0, 3)

    changed = [dict(r) for r in RECORDS]
    changed[2]["body"] += " Laurent Berger est sorti mécontent."
    write_jsonl(corpus / "a.jsonl", changed)
    again = reindex([corpus], index_dir, workers=1)
    assert (again.indexed, again.unchanged, again.ner_runs, again.ner_cached) == (1, 2, 1, 0)
    engine = SearchEngine(index_dir)
    assert [r["id"] for r in engine.search(SearchRequest(persons=["Laurent Berger"])).results] == [
        "k3"
    ]


def test_no_ner_run_skips_persons_and_the_next_run_adds_them(
    own_cache: tuple[Path, Path],
) -> None:
    corpus, index_dir = own_cache
    runner = CliRunner()
    fast = runner.invoke(main, ["reindex", str(corpus), "--index", str(index_dir), "--no-ner"])
    assert fast.exit_code == 0, fast.output
    assert "Entités" not in fast.output
    assert len(NerCache(storage.cache_dir(index_dir) / "ner.sqlite")) == 0  # no model run
    engine = SearchEngine(index_dir)
    everything = engine.search(SearchRequest()).facets
    assert {f["value"] for f in everything["country"]} >= {"RU", "US", "KZ", "FR"}

    # The articles written without NER are not "unchanged" for a run with it.
    full = reindex([corpus], index_dir, workers=1)
    assert (full.indexed, full.unchanged, full.ner_runs) == (3, 0, 3)
    engine = SearchEngine(index_dir)
    assert [r["id"] for r in engine.search(SearchRequest(persons=["Anthony Blinken"])).results] == [
        "k2"
    ]


def test_no_entities_indexes_the_text_alone_and_the_next_run_adds_them(tmp_path: Path) -> None:
    records = [dict(r) for r in RECORDS]
    records[1]["countries"] = ["US"]  # a record's own facets still count
    corpus = write_jsonl(tmp_path / "c" / "a.jsonl", records).parent
    index_dir = tmp_path / "index"
    result = CliRunner().invoke(
        main, ["reindex", str(corpus), "--index", str(index_dir), "--no-entities"]
    )
    assert result.exit_code == 0, result.output
    engine = SearchEngine(index_dir)
    everything = engine.search(SearchRequest()).facets
    assert everything["person"] == []
    assert [f["value"] for f in everything["country"]] == ["US"]
    assert [f["value"] for f in everything["day"]] == ["2019-12-05", "2022-01-08"]  # metadata
    assert [r["id"] for r in engine.search(SearchRequest(q="Blinken")).results] == ["k2"]

    again = reindex([corpus], index_dir, workers=1)
    assert (again.indexed, again.unchanged) == (3, 0)
    engine = SearchEngine(index_dir)
    assert {f["value"] for f in engine.search(SearchRequest()).facets["country"]} >= {"RU", "KZ"}


def test_extracted_facets_are_indexed_and_filters_take_names(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c" / "a.jsonl", RECORDS).parent
    reindex([corpus], tmp_path / "index", workers=1)
    engine = SearchEngine(tmp_path / "index")

    def ids(**kw) -> set[str]:
        return {r["id"] for r in engine.search(SearchRequest(per_page=100, **kw)).results}

    assert ids(countries=["Russie"]) == ids(countries=["RU"]) == {"k1", "k2"}
    assert ids(countries=["France"]) == {"k3"}
    assert ids(q="pays:Russie") == ids(q="pays:ru") == {"k1", "k2"}
    assert ids(q='pays:"États-Unis"') == {"k2"}
    assert ids(persons=["anthony blinken"]) == {"k2"}
    result = engine.search(SearchRequest(q="Blinken")).results[0]
    assert {"value": "US", "label": "États-Unis"} in result["countries"]
    assert result["persons"] == [{"value": "Anthony Blinken", "label": "Anthony Blinken"}]
    facets = engine.search(SearchRequest()).facets
    assert {f["value"]: f["label"] for f in facets["country"]}["KZ"] == "Kazakhstan"
    assert [f["value"] for f in facets["day"]] == ["2019-12-05", "2022-01-08"]
    http = SearchRequest.from_params({"pays": ["Russie"], "depuis": ["2022"]})
    assert {r["id"] for r in engine.search(http).results} == {"k1"}


def test_canonical_person_label_is_the_most_frequent_spelling() -> None:
    raw = [
        "Kassym-Jomart Tokaïev".encode(),
        SEPARATOR.join(["KASSYM-JOMART TOKAÏEV", "Anthony Blinken"]).encode(),
        "Kassym-Jomart Tokaïev".encode(),
        b"",
    ]
    column = MultiColumn.from_column(raw)
    assert column.values == ["Kassym-Jomart Tokaïev", "Anthony Blinken"]
    assert column.label("kassym-jomart tokaiev") == "Kassym-Jomart Tokaïev"
    assert column.counts(np.ones(4, dtype=bool)).tolist() == [3, 1]


def test_country_filter_by_name_end_to_end(samples_index: Path) -> None:
    runner = CliRunner()

    def ids(*args: str) -> list[str]:
        result = runner.invoke(
            main, ["query", *args, "--json", "--par-page", "100", "--index", str(samples_index)]
        )
        assert result.exit_code == 0, result.output
        return [r["id"] for r in json.loads(result.output)["results"]]

    by_code = ids("--pays", "RU")
    assert by_code and ids("--pays", "Russie") == by_code == ids("pays:Russie")
    assert any(i.endswith("000_c1a1735c7d8c97a1") for i in by_code)
    text = runner.invoke(main, ["query", "--pays", "Russie", "--index", str(samples_index)])
    assert "Russie (" in text.output  # the facet shows the French label


# -- loupe extract ------------------------------------------------------------------


def test_extract_json_lines(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["extract", str(SEED), "--json"])
    assert result.exit_code == 0, result.output
    [record] = [json.loads(line) for line in result.output.splitlines()]
    assert set(record) == {
        "id",
        "path",
        "title",
        "section",
        "date",
        "date_source",
        "countries",
        "persons",
    }
    assert record["section"] == "Conflit" and record["date"] is None
    assert {c["code"]: c["label"] for c in record["countries"]} == {
        "RU": "Russie",
        "US": "États-Unis",
        "KZ": "Kazakhstan",
    }
    assert all(set(c) == {"code", "label", "mentions"} for c in record["countries"])
    # Fields are added, never renamed: the archive's name and why come after the article's.
    assert all(set(p) == {"name", "mentions", "canonical", "why"} for p in record["persons"])

    corpus = tmp_path / "a.jsonl"
    corpus.write_text(json.dumps(RECORDS[0], ensure_ascii=False) + "\n{broken\n", "utf-8")
    result = runner.invoke(main, ["extract", str(corpus), "--json"])
    assert result.exit_code == 1
    assert "a.jsonl" in result.output and "2" in result.output  # file and line named
    piped = runner.invoke(main, ["extract", "-"], input=json.dumps(RECORDS[1]) + "\n")
    assert piped.exit_code == 0
    assert "personnes : Anthony Blinken" in piped.output and "date : inconnue" in piped.output
    assert "RU Russie (2)" in piped.output


def test_extractor_reports_model_runs() -> None:
    articles = [one("Anthony Blinken à Washington."), one("Anthony Blinken à Washington.")]
    with Extractor() as extractor:
        facets = extractor.extract(articles)
    assert extractor.ner_runs == 1  # the same text twice goes through the model once
    assert facets[0].persons == facets[1].persons == [("Anthony Blinken", 1)]
