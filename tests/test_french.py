"""French formatting (``search.french``) and the environment variables' names."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from search import french
from search.find.searcher import SearchEngine
from search.index import storage
from search.ingest.entities.dates import date_in_text


def test_month_ends_and_labels() -> None:
    assert french.month_end(2020, 2) == dt.date(2020, 2, 29)
    assert french.month_end(2019, 2) == dt.date(2019, 2, 28)
    assert french.month_end(2020, 12) == dt.date(2020, 12, 31)
    assert french.is_whole_month(dt.date(2020, 4, 1), dt.date(2020, 4, 30))
    assert not french.is_whole_month(dt.date(2020, 4, 1), dt.date(2020, 5, 31))
    assert french.month_label(2020, 8) == "août 2020"
    assert french.format_date(dt.date(2020, 3, 1)) == "1er mars 2020"
    assert french.format_date(dt.date(2020, 3, 15)) == "15 mars 2020"
    assert french.format_number(33922) == "33\u202f922"


def test_every_reader_knows_the_same_month_names() -> None:
    """The text-date rules read each French month, accents typed or not."""
    for name, number in french.MONTH_NUMBERS.items():
        assert date_in_text(f"Paris, le 8 {name} 2022 (AFP)") == dt.date(2022, number, 8)


def test_response_cache_size_from_either_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("LOUPE_RESPONSE_CACHE", raising=False)
    monkeypatch.setenv("LOUPE_CACHE", "7")
    assert SearchEngine(tmp_path).cache_size == 7  # the older name still works
    monkeypatch.setenv("LOUPE_RESPONSE_CACHE", "3")
    assert SearchEngine(tmp_path).cache_size == 3  # the clearer one wins


def test_ner_cache_dir_from_either_name(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("LOUPE_NER_CACHE_DIR", raising=False)
    monkeypatch.setenv("LOUPE_CACHE_DIR", str(tmp_path / "old"))
    assert storage.cache_dir(tmp_path / "index") == tmp_path / "old"
    monkeypatch.setenv("LOUPE_NER_CACHE_DIR", str(tmp_path / "new"))
    assert storage.cache_dir(tmp_path / "index") == tmp_path / "new"
