"""Shared fixtures: a real index of the bundled samples, built once per test session."""

from __future__ import annotations

import importlib.util
import itertools
import json
import os
import sys
from pathlib import Path
from types import ModuleType

import pytest

from search.find.searcher import SearchEngine
from search.index.indexer import reindex

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ORANGESUM_CORPUS = ROOT.parent / "shared" / "corpus" / "orangesum"
BIG_SIZE = 10_000


def parent_pid(pid: int) -> int:
    """The parent of process ``pid`` (-1 once it is gone): how a test sees that a serving or
    worker process was forked by the one it started."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return int(fh.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def bench_module(name: str) -> ModuleType:
    """``bench/<name>.py`` as a module: the bench scripts are scripts, not a package."""
    spec = importlib.util.spec_from_file_location(f"bench_{name}", ROOT / "bench" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # a dataclass of the script looks its module up
    spec.loader.exec_module(module)
    return module


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


def orangesum_records(limit: int) -> list[dict]:
    """The first ``limit`` OrangeSum articles, flagged duplicates left out (as the reader
    does)."""
    lines = (line for path in sorted(ORANGESUM_CORPUS.glob("*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines())
    clean = (r for r in map(json.loads, lines)
             if not (r.get("orangesum_duplicate") or "duplicate_of" in r))
    return list(itertools.islice(clean, limit))


@pytest.fixture(scope="session")
def big(tmp_path_factory) -> tuple[SearchEngine, list[dict]]:
    """10,000 real OrangeSum articles in two segments, and their records: the index of
    ``test_scale_paths`` and ``test_matchset``, built once (45 s on one core)."""
    root = tmp_path_factory.mktemp("ten-thousand")
    records = orangesum_records(BIG_SIZE)
    write_jsonl(root / "corpus" / "a.jsonl", records[: BIG_SIZE // 2])
    reindex([root / "corpus"], root / "index", ner=False, entities=False)
    write_jsonl(root / "corpus" / "b.jsonl", records[BIG_SIZE // 2 :])  # two segments
    reindex([root / "corpus"], root / "index", ner=False, entities=False)
    return SearchEngine(root / "index", cache_size=0), records


# Under pytest-xdist (``make test``: ``-n auto --dist loadgroup``) the tests of one file
# run on one worker, so a module's fixture (an index, a Dask cluster, a browser) is built
# once; files that read the same session fixture share a worker too, so it is built once.
SHARED_WORKER = {"test_scale_paths.py": "big", "test_matchset.py": "big"}
# The groups that take longest (serial seconds of ``pytest --durations=0``, session 14),
# handed out first (with ``--no-loadscope-reorder``), so that no long one starts last
# while the other workers have nothing left: the short files fill in at the end.
SLOW_FIRST = (
    "test_distributed.py",  # 170 s
    "big",  # 130 s: test_scale_paths.py and test_matchset.py
    "test_reliability.py",  # 105 s
    "test_sidecar_build.py",  # 70 s
    "test_merging.py",  # 60 s
    "test_postings_mmap.py",  # 55 s
    "test_ingest_hostile.py",  # 50 s
    "test_fastwrite.py",  # 50 s
    "test_browser.py",  # 45 s
    "test_manifest.py",  # 35 s
    "test_fastsearch.py",  # 35 s
    "test_fast_paths.py",  # 30 s
)


def _group(item: pytest.Item) -> str:
    return SHARED_WORKER.get(item.path.name, item.path.name)


@pytest.hookimpl(tryfirst=True)  # before xdist's own hook reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.pluginmanager.hasplugin("xdist"):
        return
    for item in items:
        item.add_marker(pytest.mark.xdist_group(_group(item)))
    if hasattr(config, "workerinput"):  # a worker's collection: the slow groups first
        rank = {group: i for i, group in enumerate(SLOW_FIRST)}
        items.sort(key=lambda item: rank.get(_group(item), len(rank)))  # stable
