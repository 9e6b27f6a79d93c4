"""The HTML reader on real saved pages (OrangeSum, see tests/data/html/README.md).

Each page is checked against the OrangeSum record of the same id (what the JSON Lines reader
gives), and variants of the real pages are made here to test metadata precedence, pages
without an article and other encodings.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import main
from search.ingest.articles import Article
from search.ingest.readers import SUFFIXES, Problem, read_paths, read_stream
from search.ingest.readers.html import (
    declared_encoding,
    decode_html,
    marked_lead,
    parse_html,
    read_html,
    split_lead,
)
from search.ingest.readers.jsonl import record_to_article
from webui import create_app

DATA = Path(__file__).parent / "data" / "html"
PAGES = DATA / "pages"
IDS = ["orangesum-10404", "orangesum-1225", "orangesum-131", "orangesum-14131", "orangesum-15803"]


class Collect(list):
    def __call__(self, problem: Problem) -> None:
        self.append(problem)


def reference() -> dict[str, Article]:
    """The JSON Lines records of the sample pages, read by the JSON Lines reader."""
    out = {}
    lines = (DATA / "reference.jsonl").read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines, start=1):
        art = record_to_article(
            json.loads(line), relpath="reference.jsonl", line=number, where="", report=print
        )
        out[art.id] = art
    return out


def page(page_id: str) -> str:
    return (PAGES / f"{page_id}.html").read_text(encoding="utf-8")


def read_text(text: str, name: str = "page.html") -> tuple[Article | None, Collect]:
    report = Collect()
    return read_html(text, relpath=name, where=name, report=report), report


def read_bytes(data: bytes, name: str = "page.html") -> tuple[list[Article], Collect]:
    report = Collect()
    return list(read_stream(data, name, report, fmt="html")), report


@pytest.fixture(scope="module")
def folder() -> tuple[list[Article], Collect]:
    report = Collect()
    return list(read_paths([PAGES], report)), report


# --- the real pages read as their records ---------------------------------------------------


def test_pages_read_as_their_json_lines_records(folder: tuple[list[Article], Collect]) -> None:
    articles, report = folder
    assert report == []
    assert [a.id for a in articles] == IDS  # "orangesum-131.html" -> "orangesum-131"
    refs = reference()
    for art in articles:
        ref = refs[art.id]
        for name in ("title", "date", "published", "section", "url", "source", "tags"):
            assert getattr(art, name) == getattr(ref, name), (art.id, name)
        assert art.summary == ref.summary, art.id
        assert art.body == ref.body, art.id
        assert art.date_source == "metadata"
        assert art.path == f"{art.id}.html"


def test_chrome_left_out_and_lead_apart(folder: tuple[list[Article], Collect]) -> None:
    art = {a.id: a for a in folder[0]}["orangesum-131"]
    assert art.published == "2020-07-02T11:00:00+02:00" and art.date == dt.date(2020, 7, 2)
    assert art.summary.startswith("Emmanuel Macron accorde ce jeudi une interview")
    assert art.body.startswith("Dernière ligne droite avant le grand chamboulement")
    assert art.summary not in art.body
    paragraphs = art.body.split("\n\n")
    assert len(paragraphs) == 6 and 'Déterminer "les priorité essentielles"' in paragraphs
    html = page("orangesum-131")
    chrome = [
        "publié le jeudi 02 juillet 2020",  # dateline
        "Richard Ferrand en appelle",  # "A lire aussi" box
        "tuera En Marche",  # the embedded video's title
        "Toutes les news Politique",  # breadcrumb
        "Emmanuel Macron nomme Jean Castex",  # "alerte info" strip
        "Réagir",  # comment button
    ]
    for text in chrome:
        assert text in html  # the page does hold it...
        assert text not in art.body and text not in art.summary  # ...the article does not


def test_sentence_cut_by_an_inline_link_is_glued_back(
    folder: tuple[list[Article], Collect],
) -> None:
    art = {a.id: a for a in folder[0]}["orangesum-10404"]
    assert (
        "la municipalité centriste avait décidé que les écoles maternelles et les crèches"
        in art.body
    )
    assert all(p[:1].isupper() or p[:1] in '"«' for p in art.body.split("\n\n"))


# --- metadata precedence ----------------------------------------------------------------------


def test_page_metadata_wins_over_the_markup() -> None:
    art, report = read_text(page("orangesum-1225"))
    assert report == []
    # og:url, not the <link rel="canonical"> of another section's copy
    assert art.url.startswith("https://actu.orange.fr/societe/sante/rebond-du-virus")
    canonical = re.search(r'<link href="([^"]+)" rel="canonical"/>', page("orangesum-1225"))
    assert canonical.group(1).startswith("https://actu.orange.fr/monde/rebond-du-virus")
    assert art.section == "Sante"  # article:section, not the URL's "societe"
    assert art.title == "Rebond du virus à Pékin: de nouveaux quartiers confinés"

    # Another og:title than the headline on the page: the page's statement wins.
    changed = page("orangesum-1225").replace(
        'content="Rebond du virus à Pékin: de nouveaux quartiers confinés" property="og:title"',
        'content="Pékin reconfine des quartiers" property="og:title"',
    )
    art, _ = read_text(changed)
    assert art.title == "Pékin reconfine des quartiers"


def _strip_metadata(html: str) -> str:
    """The page without og:/article:/twitter: metas, microdata dates and canonical link."""
    value = r"""(?:"[^"]*"|'[^']*')"""
    html = re.sub(rf'<meta content={value} property="(?:og|article|twitter):[^"]*"/>', "", html)
    html = re.sub(rf'<meta content={value} itemprop="date\w+"/>', "", html)
    return re.sub(r'<link href="[^"]*" rel="(?:canonical|amphtml)"/>', "", html)


def test_json_ld_news_article_used_when_there_are_no_open_graph_tags() -> None:
    bare = _strip_metadata(page("orangesum-14131"))
    assert "og:title" not in bare and "article:published_time" not in bare
    ld = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "name": "Orange Actualités"},
            {
                "@type": "NewsArticle",
                "headline": "Un ministre brésilien insulte Brigitte et Emmanuel Macron",
                "datePublished": "2019-09-03T08:15:00Z",
                "articleSection": ["Monde", "Amérique latine"],
                "author": [{"@type": "Person", "name": "Jeanne Martin"}],
                "url": "https://example.org/monde/bresil-macron.html",
                "keywords": "Brésil, France",
            },
        ],
    }
    script = f'<script type="application/ld+json">{json.dumps(ld)}</script></head>'
    art, _ = read_text(bare.replace("</head>", script, 1))
    assert art.title == "Un ministre brésilien insulte Brigitte et Emmanuel Macron"
    assert art.published == "2019-09-03T08:15:00+00:00"
    assert art.date == dt.date(2019, 9, 3) and art.date_source == "metadata"
    assert art.section == "Monde"
    assert art.url == "https://example.org/monde/bresil-macron.html"
    assert art.tags == ["Brésil", "France"]
    # JSON-LD's author comes before the page's microdata byline ("6Medias")
    assert art.source == "Jeanne Martin"


def test_without_metadata_the_dateline_then_the_library_fill_in() -> None:
    bare = _strip_metadata(page("orangesum-14131"))
    art, report = read_text(bare)
    ref = reference()["orangesum-14131"]
    assert report == []
    assert art.title == ref.title  # trafilatura's title: the <title> of the page
    # "6Medias, publié le mardi 03 septembre 2019 à 13h00": the visible dateline, no offset
    assert (art.date, art.date_source) == (ref.date, "dateline")
    assert art.published == "2019-09-03T13:00:00" and ref.published.startswith(art.published)
    assert art.body == ref.body and art.summary == ref.summary  # text does not need metadata
    assert art.source == "6Medias"  # the microdata byline is still there
    assert art.url == "" and art.section == ""  # no URL stated: no section from it either

    # Without the dateline, htmldate finds the only date left: the "dateModified" meta.
    undated = bare.replace("publié le mardi 03 septembre 2019 à 13h00", "")
    art, _ = read_text(undated)
    assert (art.date, art.date_source) == (dt.date(2019, 9, 4), "htmldate")
    assert art.published == ""


def test_rfc_2822_date_read_and_an_unreadable_date_reported() -> None:
    html = page("orangesum-1225")
    stamp = 'content="2020-06-15T17:01:25+02:00" property="article:published_time"'
    assert stamp in html
    art, report = read_text(
        html.replace(
            stamp, 'content="Mon, 15 Jun 2020 17:01:25 +0200" property="article:published_time"'
        )
    )
    assert report == [] and art.published == "2020-06-15T17:01:25+02:00"

    art, report = read_text(
        html.replace(stamp, 'content="hier soir" property="article:published_time"')
    )
    assert [(p.skipped, p.reason) for p in report] == [
        (False, "date de la page illisible ou invraisemblable : 'hier soir'")
    ]
    art, report = read_text(html.replace(stamp, stamp.replace("2020-06-15", "0001-01-01")))
    assert "invraisemblable" in report[0].reason and art.date_source == "dateline"
    # the dateline "AFP, publié le lundi 15 juin 2020 à 17h01" still dates it
    assert (art.date, art.date_source, art.published) == (
        dt.date(2020, 6, 15),
        "dateline",
        "2020-06-15T17:01:00",
    )


def test_lead_marked_by_a_class_inside_the_article_only() -> None:
    lead = reference()["orangesum-1225"].summary
    html = page("orangesum-1225").replace(
        "<article ",
        '<aside><p class="intro">Un autre texte, dans la colonne, qui présente un autre article'
        " du site.</p></aside><article ",
        1,
    )
    assert marked_lead(parse_html(html)) == ""  # the aside's "intro" is not the article's
    start = html.index(">", html.index("<article ")) + 1
    marked = html[:start] + f'<p class="article__chapo">Le chapô : {lead}</p>' + html[start:]
    assert marked_lead(parse_html(marked)) == f"Le chapô : {lead}"
    # a marked lead the extracted text lacks is kept as the lead; the body loses nothing
    paras = ["Premier paragraphe du texte, assez long pour être un chapô.", "Second."]
    assert split_lead(paras, "Un chapô que le texte extrait n'a pas gardé.") == (
        "Un chapô que le texte extrait n'a pas gardé.",
        paras,
    )
    assert split_lead(paras) == (paras[0], paras[1:])  # unmarked: the first paragraph
    assert split_lead(paras[:1]) == ("", paras[:1])  # a lone paragraph stays the body


# --- pages that are not articles ------------------------------------------------------------


def test_page_without_an_article_is_skipped_with_its_reason() -> None:
    html = page("orangesum-131")
    start, end = html.index("<article"), html.index("</article>") + len("</article>")
    index_like = html[:start] + html[end:]  # menus, carousels of headlines, footer: no article
    art, report = read_text(index_like, "sans-article.html")
    assert art is None
    (problem,) = report
    assert problem.skipped and problem.path == "sans-article.html"
    assert problem.reason.startswith("pas d'article dans la page")


def test_video_page_is_skipped() -> None:
    html = page("orangesum-10404").replace(
        'content="article" property="og:type"', 'content="video.other" property="og:type"'
    )
    start = html.index("<!-- TEXTE -->")
    embed = html.index('<div class="ms-embed')
    end = html.index("</div><!-- articleBody -->")
    video = html[:start] + html[embed : html.index("</div></div>", embed) + 12] + html[end:]
    art, report = read_text(video, "video.html")
    assert art is None
    assert [p.reason.split(" (")[0] for p in report] == ["page vidéo"]


def test_empty_and_broken_pages() -> None:
    articles, report = read_bytes(b"<!DOCTYPE html><html><head></head><body></body></html>")
    assert articles == [] and report[0].skipped and "aucun texte" in report[0].reason
    articles, report = read_bytes(b"  \n", "blank.html")
    assert articles == [] and report[0].reason == "fichier vide"
    articles, report = read_bytes(b"<html>\x00\x00binary", "image.html")
    assert articles == [] and "binaire" in report[0].reason


# --- encodings ------------------------------------------------------------------------------


def _reencoded(page_id: str, encoding: str, label: str) -> bytes:
    html = page(page_id)
    assert '<meta charset="utf-8"/>' in html
    return html.replace('<meta charset="utf-8"/>', f'<meta charset="{label}"/>').encode(encoding)


def test_page_in_cp1252_decoded_from_its_declaration() -> None:
    (utf8,), _ = read_bytes(page("orangesum-15803").encode("utf-8"))
    data = _reencoded("orangesum-15803", "cp1252", "windows-1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # really another encoding
    (art,), report = read_bytes(data)
    assert report == []  # declared, so no warning
    assert art == utf8
    assert "Ports fermés, cœurs ouverts" in art.body


def test_latin1_label_read_as_windows_1252_like_browsers() -> None:
    data = _reencoded("orangesum-15803", "cp1252", "ISO-8859-1")
    assert declared_encoding(data) == "iso-8859-1"
    (art,), report = read_bytes(data)
    assert report == []
    (utf8,), _ = read_bytes(page("orangesum-15803").encode("utf-8"))
    assert art.body == utf8.body  # "’" (0x92) and "œ" (0x9c) are not latin-1 control codes


def test_http_equiv_declaration_and_undeclared_or_wrong_encodings() -> None:
    html = page("orangesum-15803")
    (utf8,), _ = read_bytes(html.encode("utf-8"))
    http_equiv = '<meta http-equiv="Content-Type" content="text/html; charset=windows-1252"/>'
    data = html.replace('<meta charset="utf-8"/>', http_equiv).encode("cp1252")
    (art,), report = read_bytes(data)
    assert report == [] and art.body == utf8.body

    undeclared = html.replace('<meta charset="utf-8"/>', "").encode("cp1252")
    (art,), report = read_bytes(undeclared)
    assert art.body == utf8.body  # the text readers' fallback: cp1252, with a warning
    assert [(p.skipped, "cp1252" in p.reason) for p in report] == [(False, True)]

    resaved = html.replace('<meta charset="utf-8"/>', '<meta charset="iso-8859-1"/>')
    (art,), report = read_bytes(resaved.encode("utf-8"))  # re-saved as UTF-8, old <meta>
    assert art.body == utf8.body and "Ã" not in art.body
    assert len(report) == 1 and not report[0].skipped and "UTF-8" in report[0].reason

    report = Collect()
    text = decode_html(html.replace("utf-8", "klingon-8").encode("utf-8"), "x.html", report)
    assert text == html.replace("utf-8", "klingon-8") and "inconnu" in report[0].reason


# --- files, gzip, stdin, the command line ---------------------------------------------------


def test_html_suffixes_and_gzip(tmp_path: Path) -> None:
    assert {".html", ".htm", ".html.gz"} <= set(SUFFIXES)
    shutil.copy(PAGES / "orangesum-131.html", tmp_path / "a.HTM")
    (tmp_path / "b.html.gz").write_bytes(
        gzip.compress((PAGES / "orangesum-1225.html").read_bytes())
    )
    report = Collect()
    articles = list(read_paths([tmp_path], report))
    assert report == []
    assert [(a.id, a.path) for a in articles] == [("a", "a.HTM"), ("b", "b.html.gz")]
    refs = reference()
    assert articles[1].body == refs["orangesum-1225"].body
    assert articles[0].title == refs["orangesum-131"].title


def test_read_stream_recognises_a_page() -> None:
    report = Collect()
    (art,) = read_stream((PAGES / "orangesum-131.html").read_bytes(), "-", report)  # no fmt
    assert report == [] and art.section == "Politique" and art.url.endswith("CNT000001riC5p.html")


def test_reindex_a_folder_of_pages_then_query_a_body_word(tmp_path: Path) -> None:
    runner = CliRunner()
    index = tmp_path / "index"
    result = runner.invoke(main, ["reindex", str(PAGES), "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert "5 articles dans l'index" in result.output
    # "Xinfadi", the Beijing market, is only in the body of orangesum-1225
    result = runner.invoke(main, ["query", "Xinfadi", "--json", "--index", str(index)])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert [r["id"] for r in doc["results"]] == ["orangesum-1225"]
    assert doc["results"][0]["section"] == "Sante"
    assert doc["results"][0]["date"] == "2020-06-15"
    published = doc["results"][0]["published"]
    pages = {a.id: a for a in read_paths([PAGES], Collect())}
    assert published == pages["orangesum-1225"].published
    assert published.startswith("2020-06-15T")

    # The web UI shows the source's time; the feed uses its instant.
    app = create_app({"INDEX_DIR": str(index), "TESTING": True})
    with app.test_client() as client:
        page = client.get("/article/orangesum-1225").get_data(as_text=True)
        assert f'<time datetime="{published}">' in page
        stamp = dt.datetime.fromisoformat(published)
        assert f"15 juin 2020 à {stamp.hour} h {stamp.minute:02d}</time>" in page
        feed = client.get("/feed?q=Xinfadi").get_data(as_text=True)
        assert f"<published>{published}</published>" in feed
