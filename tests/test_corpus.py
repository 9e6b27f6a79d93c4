"""The shared corpora, read end to end (skipped where ../shared is not beside the repo)."""

from __future__ import annotations

from pathlib import Path

import pytest

from search.ingest.readers import read_paths
from tests.conftest import ROOT

SHARED = ROOT.parent / "shared" / "corpus"

needs_shared = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared/corpus is not here")


@needs_shared
def test_orangesum_reads_every_clean_article() -> None:
    problems: list = []
    stats: dict = {}
    articles = list(read_paths([SHARED / "orangesum"], problems.append, stats=stats))
    assert problems == []
    assert len(articles) == 33_922
    assert stats["duplicates"] == 2_299
    assert len({a.id for a in articles}) == len(articles)
    assert all(a.title and a.body and a.date for a in articles)


@needs_shared
def test_wikinews_reads(tmp_path: Path) -> None:
    problems: list = []
    articles = list(read_paths([SHARED / "wikinews"], problems.append))
    assert len(articles) == 100
    assert not [p for p in problems if p.skipped]
    assert sum(1 for a in articles if a.date) == 99
