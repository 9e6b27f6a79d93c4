"""Shared fixtures: a real index of the bundled samples, built once per test session."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from search.index.indexer import reindex

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"


def parent_pid(pid: int) -> int:
    """The parent of process ``pid`` (-1 once it is gone): how a test sees that a serving or
    worker process was forked by the one it started."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


@pytest.fixture(scope="session", autouse=True)
def shared_ner_cache(tmp_path_factory) -> Path:
    """One NER cache for the whole session: each text goes through the model once."""
    path = tmp_path_factory.mktemp("ner-cache")
    saved = os.environ.get("LOUPE_CACHE_DIR")
    os.environ["LOUPE_CACHE_DIR"] = str(path)
    yield path
    if saved is None:
        os.environ.pop("LOUPE_CACHE_DIR", None)
    else:
        os.environ["LOUPE_CACHE_DIR"] = saved


@pytest.fixture(scope="session")
def samples_index(tmp_path_factory) -> Path:
    """The index `make run` serves: the 320 OrangeSum samples and the seed page dump."""
    index_dir = tmp_path_factory.mktemp("samples") / "index"
    result = reindex([SAMPLES], index_dir)
    assert result.total == 321 and not result.skipped
    return index_dir
