"""Ranking on real articles: what the field weights and the title bonus are for."""

from __future__ import annotations

import json
import shutil
import unicodedata
from pathlib import Path

import pytest

from search.find.searcher import SearchEngine, SearchRequest
from search.index.indexer import reindex
from tests.conftest import ROOT, SAMPLES, write_jsonl

SHARED = ROOT.parent / "shared" / "corpus" / "orangesum"
# Two OrangeSum weather reports: the first is the one its headline names; the second has a
# shorter headline with fewer of those words but a short lead and body holding the rest.
PAIR = ("orangesum-30856", "orangesum-17338")


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _records(ids: tuple[str, ...]) -> list[dict]:
    found: dict[str, dict] = {}
    for part in sorted(SHARED.glob("articles-part-*.jsonl")):
        with open(part, encoding="utf-8") as fh:
            for line in fh:
                if any(f'"{i}"' in line for i in ids):
                    record = json.loads(line)
                    if record["id"] in ids:
                        found[record["id"]] = record
    return [found[i] for i in ids]


@pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/corpus is not here")
def test_headline_typed_without_accents_finds_its_article_first(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLES / "orangesum", corpus / "samples")
    target, rival = _records(PAIR)
    write_jsonl(corpus / "pair.jsonl", [target, rival])
    reindex([corpus], tmp_path / "index", ner=False)
    engine = SearchEngine(tmp_path / "index")
    for q in (target["title"], _folded(target["title"])):
        ids = [r["id"] for r in engine.search(SearchRequest(q=q)).results]
        # The rival matches too (and, with minimum-should-match, so may other articles
        # holding some of the words), but below the article its headline names.
        assert ids[0] == target["id"] and rival["id"] in ids[1:], q
