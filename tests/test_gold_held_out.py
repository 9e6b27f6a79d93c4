"""The held-out gold stays held out: no test, doc or shipped list names one of its articles or
quotes its text. A rule written from a test article would score that article as if blind; the
articles a helper read to write a rule are left out of later draws (``sample_more.LEFT_OUT``),
and this catches what such lists miss (round 22 held an article a session 18 test quotes)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "bench" / "gold"
# The test half, its second annotation, the rounds held out from every rule (bench/gold/README.md).
HELD_OUT = [
    "entities-test.jsonl",
    "entities-test-a2.jsonl",
    "entities-round22.jsonl",
    "entities-round23.jsonl",
]
SHINGLE = 12  # words: long enough that a common phrase ("dans la nuit de samedi à") never matches
ID = re.compile(r"\b(?:orangesum|wikinews)[-_][0-9a-z]+")


def _words(text: str) -> list[str]:
    text = unicodedata.normalize("NFKD", text.casefold())
    return re.findall(r"\w+", "".join(c for c in text if not unicodedata.combining(c)))


def _shingles(words: list[str]) -> set[str]:
    return {" ".join(words[i : i + SHINGLE]) for i in range(len(words) - SHINGLE + 1)}


def _held_out() -> list[dict]:
    return [
        json.loads(line)
        for name in HELD_OUT
        for line in open(GOLD / name, encoding="utf-8")
        if line.strip()
    ]


def _sources() -> list[Path]:
    """What is written from articles: tests, docs, the library's code and data."""
    files = [*ROOT.glob("tests/*.py"), *ROOT.glob("docs/*.md"), ROOT / "README.md"]
    files += [p for p in (ROOT / "search").rglob("*") if p.is_file() and p.suffix != ".pyc"]
    return [p for p in files if p.resolve() != Path(__file__).resolve()]


@pytest.fixture(scope="module")
def sources() -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8", errors="replace") for p in _sources()}


def test_no_held_out_article_is_named(sources: dict[Path, str]) -> None:
    ids = {rec["id"] for rec in _held_out()}
    named = {
        f"{path.relative_to(ROOT)}: {found}"
        for path, text in sources.items()
        for found in ID.findall(text)
        if found in ids
    }
    assert not named


def test_no_held_out_sentence_is_quoted(sources: dict[Path, str]) -> None:
    owner = {}
    for rec in _held_out():
        text = " ".join(str(rec.get(k, "")) for k in ("title", "summary", "body"))
        for shingle in _shingles(_words(text)):
            owner.setdefault(shingle, rec["id"])
    quoted = {
        f"{path.relative_to(ROOT)}: {owner[s]}"
        for path, text in sources.items()
        for s in _shingles(_words(text))
        if s in owner
    }
    assert not quoted


def test_the_check_sees_a_quote_through_case_accents_and_line_breaks() -> None:
    rec = _held_out()[0]
    words = _words(" ".join(str(rec.get(k, "")) for k in ("title", "summary", "body")))
    head, tail = " ".join(words[:6]).upper(), " ".join(words[6 : SHINGLE + 2])
    assert _shingles(_words(f'"{head} "\n    "{tail}"')) & _shingles(words)


def _section(text: str, title: str) -> str:
    start = text.index(title)
    end = text.find("\n## ", start + len(title))
    return text[start : end if end > 0 else None]


def test_the_docs_name_the_held_out_files_with_their_sizes() -> None:
    from search.ingest.entities import EXTRACTOR_VERSION

    facets = _section((ROOT / "docs" / "facets.md").read_text(), "## How good the facets are")
    named = dict(re.findall(r"`(entities-[\w-]+\.jsonl)` \((\d+)\s+articles\)", facets))
    scored = [name for name in HELD_OUT if name != "entities-test-a2.jsonl"]
    assert sorted(named) == sorted(scored)
    for name, size in named.items():
        assert int(size) == sum(1 for line in open(GOLD / name) if line.strip())
    assert f"EXTRACTOR_VERSION {EXTRACTOR_VERSION})" in " ".join(facets.split())
    readme = (GOLD / "README.md").read_text()
    held = _section(readme, "## Which files are tuning, which are held out").split("**Held out**")[
        1
    ]
    assert sorted(set(re.findall(r"`(entities-[\w-]+\.jsonl)`", held))) == sorted(HELD_OUT)


def test_no_held_out_article_was_read_by_a_helper() -> None:
    lines = (GOLD / "read-ids.txt").read_text(encoding="utf-8").splitlines()
    read = {line.strip() for line in lines if line.strip() and not line.startswith("#")}
    assert len(read) > 4000  # the lists of sessions 19 and 20
    assert not read & {rec["id"] for rec in _held_out()}


@pytest.mark.skipif(
    not (ROOT.parent / "shared" / "corpus" / "orangesum").is_dir(), reason="needs ../shared"
)
@pytest.mark.parametrize("round_", [22, 23])
def test_the_held_out_rounds_replay_as_drawn(round_: int) -> None:
    # An article taken out of round 22 after the draw of round 23 must still count as taken
    # when round 23 is replayed (sample_more.TAKEN_OUT), or the draw shifts.
    drawn = subprocess.run(
        [sys.executable, str(GOLD / "sample_more.py"), str(round_)],
        cwd=GOLD,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    ids = [json.loads(line)["id"] for line in drawn.splitlines() if line.strip()]
    path = GOLD / f"entities-round{round_}.jsonl"
    assert ids == [json.loads(line)["id"] for line in open(path, encoding="utf-8")]
