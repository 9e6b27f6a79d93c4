"""Readers on real text: the seed page dump, real OrangeSum lines, and broken files on disk."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import shutil
import unicodedata
from pathlib import Path

import pytest

from search.ingest.articles import Article, make_id
from search.ingest.readers import (
    SUFFIXES,
    Problem,
    decode_text,
    iter_files,
    read_file,
    read_paths,
    read_stream,
)

DATA = Path(__file__).parent / "data" / "readers"
SEED = DATA / "seed" / "000_c1a1735c7d8c97a1.txt"
ORANGESUM = DATA / "orangesum-few.jsonl"

LEAD = (
    'La Russie a qualifié samedi de "grossières" les critiques émises la veille par les '
    "Etats-Unis sur la présence de troupes de Moscou au Kazakhstan"
)
TEASER = "Vendredi, le chef de la diplomatie américaine, Anthony Blinken, avait mis en garde"


class Collect(list):
    """A `report` callback that keeps the problems for assertions."""

    def __call__(self, problem: Problem) -> None:
        self.append(problem)

    @property
    def skipped(self) -> list[Problem]:
        return [p for p in self if p.skipped]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self if not p.skipped]


def read_all(*paths: str | Path, stats: dict | None = None) -> tuple[list[Article], Collect]:
    report = Collect()
    return list(read_paths(paths, report, stats=stats)), report


def one(path: Path) -> tuple[Article, Collect]:
    articles, report = read_all(path)
    assert len(articles) == 1, report
    return articles[0], report


def orangesum_lines() -> list[dict]:
    return [json.loads(line) for line in ORANGESUM.read_text(encoding="utf-8").splitlines()]


def write_jsonl(path: Path, records: list[dict | str]) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# --- page dump (the seed file) -------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> Article:
    report = Collect()
    articles = list(read_file(SEED, DATA, report))
    assert report == []
    assert len(articles) == 1
    return articles[0]


def test_seed_header(seed: Article) -> None:
    assert seed.title == (
        "Moscou rejette les critiques américaines sur le déploiement russe au Kazakhstan"
    )
    assert seed.section == "Conflit"
    assert "Photo" in seed.caption
    assert seed.caption.startswith("Le ministre russe des Affaires étrangères")
    assert seed.id == make_id("seed/000_c1a1735c7d8c97a1")
    assert seed.path == "seed/000_c1a1735c7d8c97a1.txt"
    assert seed.date is None and seed.date_source == ""


def test_seed_lead_is_summary_once(seed: Article) -> None:
    assert seed.summary.startswith("La Russie a qualifié samedi")
    assert not seed.summary[0].isspace()  # the NBSP + space indent is gone
    assert seed.summary.count(LEAD) == 1
    assert seed.body.count(LEAD) == 0


def test_seed_body_has_no_trailing_teaser_nor_navigation(seed: Article) -> None:
    body = seed.body
    assert "Almaty" in body
    assert body.startswith(TEASER)
    assert body.count(TEASER) == 1
    assert not body.endswith(("...", "…"))
    assert body.endswith("ne devrait pas dépasser 5.000 membres au total.")
    assert "Rechercher" not in body
    assert "Dernières Infos" not in body
    assert seed.title not in body
    assert seed.caption not in body
    assert len(body.split("\n\n")) == 3


def test_pagedump_rules_are_general(tmp_path: Path) -> None:
    """A dump built from a real OrangeSum article, with other nav words, a breadcrumb-style
    section, an agency-only credit, an unindented lead and a "…" teaser."""
    rec = orangesum_lines()[1]  # orangesum-4, Delevoye
    paragraphs = rec["body"].split("\n\n")
    teaser = paragraphs[0][:70].rstrip() + "…"
    text = "\r\n".join(
        [
            "Menu",
            "Accueil",
            "Actualités – Politique",
            "",
            rec["title"],
            rec["title"],
            "Jean-Paul Delevoye à Paris, le 10 décembre 2019. Ludovic Marin / AFP",
            "",
            rec["summary"],
            "",
            *[p + "\r\n" for p in paragraphs],
            "Partager",
            rec["summary"],
            teaser,
        ]
    )
    (tmp_path / "dump.txt").write_text(text, encoding="utf-8")
    art, report = one(tmp_path / "dump.txt")
    assert report == []
    assert art.title == rec["title"]
    assert art.section == "Politique"
    assert art.caption.endswith("Ludovic Marin / AFP")
    assert art.summary == rec["summary"]
    assert art.body == rec["body"]


def test_plain_txt_title_and_body(tmp_path: Path) -> None:
    rec = orangesum_lines()[0]
    path = tmp_path / "Veran.TXT"  # suffixes match case-insensitively
    path.write_text(f"\n{rec['title']}\n\n{rec['body']}\n\n\n", encoding="utf-8")
    art, report = one(path)
    assert report == []
    assert art.title == rec["title"]
    assert art.body == rec["body"]  # paragraph breaks kept
    assert art.summary == "" and art.section == ""
    assert art.id == make_id("Veran") and art.path == "Veran.TXT"


# --- JSON Lines -----------------------------------------------------------------------------


def test_orangesum_fields_mapped_and_duplicates_counted() -> None:
    stats: dict = {}
    articles, report = read_all(ORANGESUM, stats=stats)
    assert report == []
    assert [a.id for a in articles] == ["orangesum-2", "orangesum-4", "orangesum-113"]
    assert stats == {"duplicates": 2}  # orangesum-6 and orangesum-16 are flagged
    raw = {r["id"]: r for r in orangesum_lines()}
    veran, delevoye, remaniement = articles
    assert veran.title == raw["orangesum-2"]["title"]
    assert veran.summary == raw["orangesum-2"]["summary"]
    assert veran.body == raw["orangesum-2"]["body"]
    assert veran.date == dt.date(2020, 7, 2) and isinstance(veran.date, dt.date)
    assert veran.date_source == "metadata"
    assert veran.section == "France"
    assert veran.source == "Orange avec Media Services"
    assert veran.url == raw["orangesum-2"]["source_url"]
    assert veran.path == "orangesum-few.jsonl"
    assert delevoye.tags == ["enquête", "police", "gouvernement", "retraite"]
    assert delevoye.section == "Politique"
    assert remaniement.section == "Politique"  # section_label is null: URL segment, capitalised


def test_malformed_and_odd_lines_reported_with_line_numbers(tmp_path: Path) -> None:
    good = orangesum_lines()[0]
    path = write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            good,
            '{"id": "x", "title": "Coupé" "body": "..."}',
            "",
            '["une", "liste"]',
            {"id": "vide", "summary": "Un chapeau sans titre ni corps"},
            {"title": "Sans id", "body": "Texte."},
        ],
    )
    articles, report = read_all(path)
    assert [a.id for a in articles] == ["orangesum-2", make_id("mixed.jsonl", "L6")]
    assert [(p.line, p.skipped) for p in report] == [(2, True), (4, True), (5, True)]
    assert report[0].reason.startswith("JSON invalide : Expecting ',' delimiter (colonne")
    assert str(report[0]).startswith(f"{path}:2: JSON invalide")
    assert "objet" in report[1].reason


def test_invalid_dates_warn_and_fall_back(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "dates.jsonl",
        [
            {"id": "a", "title": "Février", "body": "x", "date": "2021-02-31"},
            {"id": "b", "title": "Nombre", "body": "x", "date": 20210201},
            {"id": "c", "title": "Repli", "body": "x", "date": "31/01/2021",
             "published": "2021-01-31T23:30:00-05:00"},
            {"id": "d", "title": "Publié", "body": "x", "published": "2020-09-27T08:00:00Z"},
        ],
    )  # fmt: skip
    articles, report = read_all(path)
    dates = {a.id: (a.date, a.date_source) for a in articles}
    assert dates == {
        "a": (None, ""),
        "b": (None, ""),
        "c": (dt.date(2021, 1, 31), "metadata"),  # the date as published, not shifted to UTC
        "d": (dt.date(2020, 9, 27), "metadata"),
    }
    assert [(p.line, p.skipped) for p in report] == [(1, False), (2, False), (3, False)]
    assert "2021-02-31" in report[0].reason


def test_wrong_types_coerced_or_reported(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "types.jsonl",
        [
            {"id": 42, "title": 1984, "text": ["Premier paragraphe.", "Second."],
             "tags": "Chine, USA ,, santé", "section": {"nom": "Monde"}, "lead": "Chapeau",
             "countries": ["FR", None], "persons": ["Emmanuel Macron"], "url": "https://x.fr/a"},
        ],
    )  # fmt: skip
    (art,), report = read_all(path)
    assert art.id == "42" and art.title == "1984"
    assert art.body == "Premier paragraphe.\n\nSecond."
    assert art.summary == "Chapeau"
    assert art.tags == ["Chine", "USA", "santé"]
    assert art.section == ""
    assert art.countries == ["FR"] and art.persons == ["Emmanuel Macron"]
    assert art.url == "https://x.fr/a"
    assert report and all(not p.skipped and p.line == 1 for p in report)


def test_line_separator_inside_a_string_does_not_split_the_record(tmp_path: Path) -> None:
    path = tmp_path / "u2028.jsonl"
    rec = {"id": "s", "title": "Séparateur", "body": "Avant\u2028après\x85fin"}
    path.write_bytes(json.dumps(rec, ensure_ascii=False).encode("utf-8") + b"\n")
    (art,), report = read_all(path)
    assert report == [] and art.body == "Avant\u2028après\x85fin"


def test_cp1252_file_decoded_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "ancien.jsonl"
    path.write_bytes(
        '{"id": "c", "title": "Élection à Besançon", "body": "Les électeurs… « oui »"}\n'.encode(
            "cp1252"
        )
    )
    (art,), report = read_all(path)
    assert art.title == "Élection à Besançon"
    assert art.body == "Les électeurs… « oui »"
    (warning,) = report
    assert not warning.skipped and warning.path == str(path)
    assert "cp1252" in warning.reason


def test_mixed_encodings_keep_utf8_lines_intact() -> None:
    data = "Première ligne\n".encode() + "Deuxième ligne\n".encode("cp1252") + b"\x81\x9d"
    report = Collect()
    assert decode_text(data, "mix.txt", report) == "Première ligne\nDeuxième ligne\n\x81\x9d"
    assert [(p.line, p.skipped) for p in report] == [(2, False)]


def test_bom_crlf_and_nfd_become_clean_nfc(tmp_path: Path) -> None:
    nfd = unicodedata.normalize("NFD", "Sécurité à l'Élysée")
    raw = json.dumps({"id": "n", "title": nfd, "body": "é\r\nfin"}, ensure_ascii=False)
    escaped = json.dumps({"id": "e", "title": nfd, "body": "x"})  # NFD as \u escapes
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + f"{raw}\r\n{escaped}\r\n".encode())
    articles, report = read_all(path)
    assert report == []
    assert [a.title for a in articles] == ["Sécurité à l'Élysée"] * 2
    assert all(unicodedata.is_normalized("NFC", a.title) for a in articles)
    assert articles[0].body == "é\nfin"


def test_jsonl_gz_and_truncated_gz(tmp_path: Path) -> None:
    data = ORANGESUM.read_bytes()
    (tmp_path / "ok.jsonl.gz").write_bytes(gzip.compress(data))
    stats: dict = {}
    articles, report = read_all(tmp_path / "ok.jsonl.gz", stats=stats)
    assert report == [] and len(articles) == 3 and stats == {"duplicates": 2}
    assert articles[0].path == "ok.jsonl.gz"

    packed = gzip.compress(data * 20)
    (tmp_path / "cut.JSONL.GZ").write_bytes(packed[: len(packed) // 2])
    articles, report = read_all(tmp_path / "cut.JSONL.GZ")
    assert articles and report
    assert any(not p.skipped and "tronquée" in p.reason for p in report)


def test_json_list_object_and_lines(tmp_path: Path) -> None:
    recs = orangesum_lines()
    (tmp_path / "list.json").write_text(json.dumps(recs, ensure_ascii=False, indent=2), "utf-8")
    stats: dict = {}
    articles, report = read_all(tmp_path / "list.json", stats=stats)
    assert report == [] and stats == {"duplicates": 2}
    assert [a.id for a in articles] == ["orangesum-2", "orangesum-4", "orangesum-113"]

    (tmp_path / "one.json").write_text(json.dumps({"title": "Seul", "body": "Texte"}), "utf-8")
    (art,), report = read_all(tmp_path / "one.json")
    assert report == [] and art.title == "Seul" and art.id == make_id("one.json", "L1")

    shutil.copy(ORANGESUM, tmp_path / "lines.json")
    articles, report = read_all(tmp_path / "lines.json")
    assert report == [] and len(articles) == 3


def test_broken_json_list_keeps_what_came_before(tmp_path: Path) -> None:
    text = '[\n  {"title": "Un", "body": "1"},\n  {"title": "Deux", "body": "2"}\n  {"title"'
    (tmp_path / "broken.json").write_text(text, encoding="utf-8")
    articles, report = read_all(tmp_path / "broken.json")
    assert [a.title for a in articles] == ["Un", "Deux"]
    assert [a.id for a in articles] == [make_id("broken.json", "L2"), make_id("broken.json", "L3")]
    (problem,) = report
    assert problem.skipped and problem.line == 4 and "JSON invalide" in problem.reason


# --- files and folders ----------------------------------------------------------------------


def test_folder_walk_is_sorted_and_skips_noise(tmp_path: Path) -> None:
    root = tmp_path / "corpus"
    (root / "b").mkdir(parents=True)
    (root / "a").mkdir()
    (root / ".cache").mkdir()
    shutil.copy(SEED, root / "b" / "seed.txt")
    shutil.copy(ORANGESUM, root / "a" / "z.jsonl")
    (root / "a" / "plain.txt").write_text("Titre\n\nCorps.", encoding="utf-8")
    (root / "README.md").write_text("# Corpus\n", encoding="utf-8")
    (root / "LICENSE.txt").write_text("CC BY-SA 4.0\n", encoding="utf-8")
    (root / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    (root / ".hidden.txt").write_text("Caché\n\nNon.", encoding="utf-8")
    (root / ".cache" / "x.jsonl").write_text('{"title": "Non", "body": "Non"}', "utf-8")

    report = Collect()
    pairs = list(iter_files([root], report))
    # The image is named (a warning, not a skip); README, LICENSE and hidden files are not.
    assert [(Path(p.path).name, p.skipped) for p in report] == [("photo.jpg", False)]
    assert [f.relative_to(root).as_posix() for f, _ in pairs] == [
        "a/plain.txt",
        "a/z.jsonl",
        "b/seed.txt",
    ]
    assert all(r == root for _, r in pairs)

    articles, report = read_all(root, root / "b")  # b/seed.txt reached twice, read once
    assert [p.skipped for p in report] == [False]  # the photo again
    assert [a.path for a in articles] == ["a/plain.txt"] + ["a/z.jsonl"] * 3 + ["b/seed.txt"]
    assert articles[-1].id == make_id("b/seed")


def test_explicit_missing_or_unsupported_paths_reported(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("# Notes", encoding="utf-8")
    articles, report = read_all(tmp_path / "absent.jsonl", tmp_path / "notes.md", SEED)
    assert len(articles) == 1 and articles[0].path == SEED.name
    assert [(p.path, p.skipped) for p in report] == [
        (str(tmp_path / "absent.jsonl"), True),
        (str(tmp_path / "notes.md"), True),
    ]
    assert "introuvable" in report[0].reason
    assert ".jsonl.gz" in report[1].reason and set(SUFFIXES) >= {".jsonl", ".txt"}


def test_binary_and_empty_files_skipped(tmp_path: Path) -> None:
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"\xef\xbb\xbf \r\n\t\n")
    articles, report = read_all(tmp_path)
    assert articles == []
    assert [(Path(p.path).name, p.reason, p.skipped) for p in report] == [
        ("blank.txt", "fichier vide", True),
        ("empty.jsonl", "fichier vide", True),
        ("image.txt", "fichier binaire (octets NUL) : ignoré", True),
    ]


def test_navigation_only_dump_reported(tmp_path: Path) -> None:
    (tmp_path / "nav.txt").write_text("Rechercher\nRechercher\n\nMenu\n", encoding="utf-8")
    articles, report = read_all(tmp_path / "nav.txt")
    assert articles == [] and len(report) == 1 and report[0].skipped


def test_read_stream_guesses_format() -> None:
    report = Collect()
    stats: dict = {}
    jsonl = list(read_stream(b"\n  " + ORANGESUM.read_bytes(), "-", report, stats=stats))
    assert [a.id for a in jsonl] == ["orangesum-2", "orangesum-4", "orangesum-113"]
    assert stats == {"duplicates": 2}

    (seed,) = read_stream(SEED.read_bytes(), "stdin.txt", report)
    assert seed.section == "Conflit" and seed.id == make_id("stdin")

    (video,) = read_stream("[Vidéo] Un titre\n\nLe corps.".encode(), "-", report)
    assert video.title == "[Vidéo] Un titre" and video.body == "Le corps."

    (forced,) = read_stream(b'{"title": "Pas du JSON"', "-", report, fmt="txt")
    assert forced.title == '{"title": "Pas du JSON"'

    packed = list(read_stream(gzip.compress(ORANGESUM.read_bytes()), "-", report))
    assert len(packed) == 3
    assert report == []

    assert list(read_stream(b"x", "-", report, fmt="xml")) == []
    assert len(report) == 1 and report[0].skipped


def test_problem_str() -> None:
    assert str(Problem("a.jsonl", "JSON invalide", 3)) == "a.jsonl:3: JSON invalide"
    assert str(Problem("b.txt", "fichier vide")) == "b.txt: fichier vide"
    assert Problem("b.txt", "x").skipped is True
