"""A build on Dask ``distributed`` answers every search exactly as an in-process build.

One 2-worker ``LocalCluster`` for the module (its start-up takes seconds); the reindex
reaches it as an existing cluster (``scheduler=``), as ``--scheduler`` does.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest
from whoosh import index as whoosh_index

from search.find.searcher import SearchEngine, SearchRequest
from search.index import distributed, merging, postings_mmap, storage
from search.index.indexer import reindex
from tests.conftest import ROOT, SAMPLES

SAMPLE = SAMPLES / "orangesum" / "orangesum-sample.jsonl"
QUERIES = [
    SearchRequest(q=""),
    SearchRequest(q="Macron"),
    SearchRequest(q="réforme des retraites"),
    SearchRequest(q="police OR gendarmes"),
    SearchRequest(q='"gilets jaunes"'),
    SearchRequest(q="gouv*"),
    SearchRequest(q="rubrique:politique"),
    SearchRequest(q="pêche -mer"),
    SearchRequest(q="coronavirus", sort="date"),
    SearchRequest(q="élection", countries=["FR"]),
    SearchRequest(q="président", persons=["Emmanuel Macron"]),
    SearchRequest(q="football", page=2),
    SearchRequest(q="Trump", date_from=dt.date(2019, 1, 1)),
    SearchRequest(q="grève SNCF"),
    SearchRequest(q="incendie forêt"),
]


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
        host="127.0.0.1",
    ) as running:
        yield running


@pytest.fixture(scope="module")
def built(tmp_path_factory, cluster) -> tuple[Path, Path]:
    """The samples indexed in-process and on the cluster, read in ranges of 100 kB and
    written in segments of 100 documents."""
    root = tmp_path_factory.mktemp("dask")
    one = reindex([SAMPLE], root / "one", writers=1)
    saved = distributed.MIN_ARTICLES, distributed.WRITE_CHUNKS, distributed.RANGE_BYTES
    distributed.MIN_ARTICLES, distributed.WRITE_CHUNKS = 100, (100,)
    distributed.RANGE_BYTES = 100_000
    before = {prefix: _done(cluster, prefix) for prefix in
              ("read_range", "extract", "write", "sidecars_of", "sidecar")}
    try:
        many = reindex([SAMPLE], root / "many", scheduler=cluster.scheduler_address)
    finally:
        distributed.MIN_ARTICLES, distributed.WRITE_CHUNKS, distributed.RANGE_BYTES = saved
    assert one.total == many.total == 320 and many.indexed == 320
    # The workers read the file (9 ranges), extracted and wrote.
    done = {prefix: _done(cluster, prefix) - count for prefix, count in before.items()}
    assert done["read_range"] >= 9 and done["extract"] and done["write"]
    # Four segment tasks, fewer than a merge needs: each one's posting map is written by
    # a task that follows it, not after the last one.
    assert done["sidecars_of"] == 4 and not done["sidecar"]
    return root / "one", root / "many"


def _answer(engine: SearchEngine, request: SearchRequest) -> tuple:
    page = engine.search(SearchRequest(**{**request.__dict__, "per_page": 100}))
    return (
        page.total,
        [(r["id"], r["score"]) for r in page.results],
        {name: [(f["value"], f["count"]) for f in values] for name, values in page.facets.items()},
    )


def test_workers_wrote_the_segments(built, tmp_path: Path) -> None:
    _one, many = built
    gen = storage.require_generation(many)
    ix = whoosh_index.open_dir(str(gen))
    assert [seg.doc_count() for seg in ix._segments()] == [100, 100, 100, 20]
    assert not list(gen.glob("*.tmp"))
    # The workers wrote the posting maps too, as the coordinator would have.
    again = tmp_path / "again"
    shutil.copytree(gen, again)
    for sidecar in again.glob("*" + postings_mmap.SUFFIX):
        sidecar.unlink()
    assert len(postings_mmap.write_missing(again)) == 4
    assert {p.name: p.read_bytes() for p in gen.glob("*" + postings_mmap.SUFFIX)} == {
        p.name: p.read_bytes() for p in again.glob("*" + postings_mmap.SUFFIX)}


@pytest.mark.parametrize("request_", QUERIES, ids=lambda r: r.q or "(tout)")
def test_every_search_answers_the_same(built, request_: SearchRequest) -> None:
    one, many = (SearchEngine(p, cache_size=0) for p in built)
    expected = _answer(one, request_)
    assert expected[0] > 0
    got = _answer(many, request_)
    if "*" in request_.q:
        # Whoosh drops a prefix's boost in a segment where it expands to one term only
        # (as ``test_parallel`` notes), so prefix scores depend on the segments: the same
        # matches and facet counts only.
        assert (got[0], sorted(i for i, _s in got[1]), got[2]) == (
            expected[0], sorted(i for i, _s in expected[1]), expected[2])
    else:
        assert got == expected


def test_same_stored_fields_in_the_same_order(built) -> None:
    """Document numbers too: the nth stored document of both indexes is the same article."""
    stored = []
    for path in built:
        ix = whoosh_index.open_dir(str(storage.require_generation(path)))
        with ix.searcher() as searcher:
            stored.append(list(searcher.all_stored_fields()))
    assert len(stored[0]) == 320 and stored[0] == stored[1]


def test_a_dask_build_merges_its_segments_by_tiers(tmp_path: Path, cluster, built,
                                                  monkeypatch) -> None:
    """A Dask build wrote one segment per task and kept them all (11 at 36k articles,
    where the in-process build merges its own by tiers): merged the same way before the
    TOC, with every answer the in-process build's."""
    monkeypatch.setattr(merging, "FACTOR", 3)
    monkeypatch.setattr(distributed, "MIN_ARTICLES", 100)
    monkeypatch.setattr(distributed, "WRITE_CHUNKS", (50,))  # 7 tasks: 6 x 50, 20
    merges = _done(cluster, "merge_group")
    many = reindex([SAMPLE], tmp_path / "many", scheduler=cluster.scheduler_address)
    assert many.indexed == 320
    assert _done(cluster, "merge_group") > merges  # merged by the workers
    gen = storage.require_generation(tmp_path / "many")
    segments = whoosh_index.open_dir(str(gen))._segments()
    assert sum(s.doc_count() for s in segments) == 320
    assert len(segments) <= 2, [s.doc_count() for s in segments]
    assert not merging.fresh_groups(segments)
    listed = {s.segment_id() for s in segments}
    assert {p.name.split(".")[0] for p in gen.glob("*.seg")} == listed  # the rest deleted
    one, merged = SearchEngine(built[0], cache_size=0), SearchEngine(tmp_path / "many",
                                                                      cache_size=0)
    for request_ in QUERIES:
        expected, got = _answer(one, request_), _answer(merged, request_)
        assert (got[0], got[2]) == (expected[0], expected[2]), request_.q
        if "*" in request_.q:  # the prefix quirk of test_every_search_answers_the_same
            continue
        # Documents are numbered per segment: equal scores may come in another order.
        assert sorted(s or 0 for _i, s in got[1]) == pytest.approx(
            sorted(s or 0 for _i, s in expected[1]), rel=1e-9), request_.q
        if expected[0] <= 100:
            assert sorted(i for i, _s in got[1]) == sorted(i for i, _s in expected[1])


def _done(cluster, prefix: str) -> int:
    """How many tasks named ``prefix`` the cluster ran to the end."""
    found = cluster.scheduler.task_prefixes.get(prefix)
    return found.state_counts["memory"] if found is not None else 0


def test_a_run_ending_on_a_task_boundary_commits(tmp_path: Path, cluster, built,
                                                 monkeypatch) -> None:
    """320 articles in segment tasks of 160: nothing is left for the commit's last tasks
    (an empty tail once failed the build: ``range()`` with a step of 0)."""
    monkeypatch.setattr(distributed, "MIN_ARTICLES", 100)
    monkeypatch.setattr(distributed, "WRITE_CHUNKS", (160,))
    many = reindex([SAMPLE], tmp_path / "many", scheduler=cluster.scheduler_address)
    assert many.indexed == 320
    ix = whoosh_index.open_dir(str(storage.require_generation(tmp_path / "many")))
    assert [seg.doc_count() for seg in ix._segments()] == [160, 160]
    with ix.searcher() as searcher:
        assert [f["id"] for f in searcher.all_stored_fields()] == [
            f["id"] for f in whoosh_index.open_dir(
                str(storage.require_generation(built[0]))).searcher().all_stored_fields()]


def test_a_dask_read_reports_as_an_in_process_read(tmp_path: Path, cluster,
                                                   monkeypatch) -> None:
    """Files read by Dask tasks (small ones together, a big one by ranges): the same
    articles and ids (made from line numbers for records without one), the same problems
    in the same order, as an in-process run."""
    from tests.test_ranges import _awkward

    folder = tmp_path / "in"
    folder.mkdir()
    _awkward(folder)
    (folder / "b.jsonl").write_text('{"title": "court", "body": "b"}\n{"x": 1}\n')
    (folder / "c.json").write_text('{"title": "un objet", "body": "c"}')
    (folder / "d.jsonl").write_text("\n\n")
    one = reindex([folder], tmp_path / "one", ner=False)
    monkeypatch.setattr(distributed, "MIN_ARTICLES", 100)
    monkeypatch.setattr(distributed, "RANGE_BYTES", 100_000)
    ranges = _done(cluster, "read_range")
    many = reindex([folder], tmp_path / "many", ner=False, scheduler=cluster.scheduler_address)
    assert _done(cluster, "read_range") >= ranges + 9 and _done(cluster, "read_files")
    assert (many.indexed, many.files, many.duplicates) == (one.indexed, one.files,
                                                            one.duplicates)
    assert [str(p) for p in many.skipped] == [str(p) for p in one.skipped]
    assert [str(p) for p in many.warnings] == [str(p) for p in one.warnings]
    assert any("fichier vide" in str(p) for p in one.skipped)
    ids = []
    for path in (tmp_path / "one", tmp_path / "many"):
        ix = whoosh_index.open_dir(str(storage.require_generation(path)))
        with ix.searcher() as searcher:
            ids.append(sorted(f["id"] for f in searcher.all_stored_fields()))
    assert len(ids[0]) == 324 and ids[0] == ids[1]


def test_a_small_run_starts_no_cluster(tmp_path: Path) -> None:
    """Fewer new articles than ``MIN_ARTICLES``: extraction and writing in-process."""
    session = distributed.Session(None, 2)
    extractor = session.extractor(None, use_ner=False)
    articles = [a for a, _f in extractor.iter_extract(_articles(10))]
    assert len(articles) == 10 and not session.started


def test_text_only_the_coordinator_does_not_wait_for_the_cluster(monkeypatch) -> None:
    """Text only (nothing to extract), the coordinator makes its documents while its
    ``LocalCluster`` starts instead of waiting for it (the writer keeps them until the
    cluster is ready, then gives each worker a consecutive part)."""
    monkeypatch.setattr(distributed, "MIN_ARTICLES", 100)
    session = distributed.Session(None, 1)
    try:
        extractor = session.extractor(None, enabled=False)
        stream = extractor.iter_extract(_articles(320))
        first, _facets = next(stream)
        assert session.started and not session.ready()
        assert [first] + [a for a, _f in stream] == _articles(320)
    finally:
        session.close()


def test_text_only_the_documents_held_during_start_up_are_bounded(tmp_path: Path,
                                                                  monkeypatch) -> None:
    """Past ``HOLD_MAX`` documents made while its cluster starts, the coordinator waits
    for the cluster and gives them to a segment task (which writes them while the rest
    come): it never holds more, and the build is whole."""
    monkeypatch.setattr(distributed, "MIN_ARTICLES", 100)
    monkeypatch.setattr(distributed, "HOLD_MAX", 30)
    starting: list[int] = []  # documents held at each hand-over before the cluster was up
    pump = distributed.DaskWriter._pump

    def watched(self, final: bool = False) -> None:
        if not self.session.ready():
            starting.append(len(self._docs))
        pump(self, final)

    monkeypatch.setattr(distributed.DaskWriter, "_pump", watched)
    result = reindex([SAMPLE], tmp_path / "many", dask=True, workers=2, entities=False)
    assert result.indexed == 320
    # It waited for the cluster once it held HOLD_MAX, and never held more.
    assert starting and starting[0] == distributed.HOLD_MAX
    assert max(starting) <= distributed.HOLD_MAX
    gen = storage.require_generation(tmp_path / "many")
    counts = [seg.doc_count() for seg in whoosh_index.open_dir(str(gen))._segments()]
    assert counts == [160, 160], counts


def test_text_only_segment_tasks_take_their_documents_as_they_come(
    tmp_path: Path, cluster, monkeypatch
) -> None:
    """Text only, each worker's segment task starts with the first documents and is
    given the rest through batch files of the build folder (not through the scheduler):
    one segment a worker, documents in the order of a one-process build, the same answers,
    and no batch file left."""
    monkeypatch.setattr(distributed, "MIN_ARTICLES", 100)
    monkeypatch.setattr(distributed, "SPOOL_BATCH", 40)
    one = reindex([SAMPLE], tmp_path / "one", writers=1, entities=False)
    spools = _done(cluster, "write_spool")
    many = reindex([SAMPLE], tmp_path / "many", entities=False,
                   scheduler=cluster.scheduler_address)
    assert one.indexed == many.indexed == 320
    assert _done(cluster, "write_spool") == spools + 2
    gens = [storage.require_generation(tmp_path / name) for name in ("one", "many")]
    ix = whoosh_index.open_dir(str(gens[1]))
    assert [seg.doc_count() for seg in ix._segments()] == [160, 160]
    assert not (gens[1] / "spool").exists() and not list(gens[1].rglob("*.pkl"))
    stored = []
    for gen in gens:
        with whoosh_index.open_dir(str(gen)).searcher() as searcher:
            stored.append(list(searcher.all_stored_fields()))
    assert len(stored[0]) == 320 and stored[0] == stored[1]
    engines = [SearchEngine(tmp_path / name, cache_size=0) for name in ("one", "many")]
    for request_ in QUERIES:
        expected, got = _answer(engines[0], request_), _answer(engines[1], request_)
        if "*" in request_.q:  # the prefix quirk of test_every_search_answers_the_same
            assert (got[0], got[2]) == (expected[0], expected[2])
        else:
            assert got == expected, request_.q


def test_text_only_streamed_tasks_in_flight_are_bounded(tmp_path: Path, cluster,
                                                        monkeypatch) -> None:
    """The coordinator makes documents faster than the workers write them: past
    ``STREAMS_AHEAD`` unfinished segment tasks a worker it waits for the oldest, so the
    batch files waiting in the build folder stay bounded. Eight tasks of 40 documents,
    at most two in flight on two workers, written in order."""
    monkeypatch.setattr(distributed, "MIN_ARTICLES", 100)
    monkeypatch.setattr(distributed, "WRITE_CHUNKS", (40,))
    monkeypatch.setattr(distributed, "SPOOL_BATCH", 20)
    monkeypatch.setattr(distributed, "STREAMS_AHEAD", 1)
    monkeypatch.setattr(merging, "FACTOR", 1000)  # no merge: the segments as written
    in_flight: list[int] = []
    opening = distributed.DaskWriter._open

    def watched(self):
        stream = opening(self)
        in_flight.append(sum(1 for future in self._futures if not future.done()))
        return stream

    monkeypatch.setattr(distributed.DaskWriter, "_open", watched)
    one = reindex([SAMPLE], tmp_path / "one", writers=1, entities=False)
    many = reindex([SAMPLE], tmp_path / "many", entities=False,
                   scheduler=cluster.scheduler_address)
    assert one.indexed == many.indexed == 320
    assert len(in_flight) == 8 and max(in_flight) <= 2, in_flight
    gens = [storage.require_generation(tmp_path / name) for name in ("one", "many")]
    ix = whoosh_index.open_dir(str(gens[1]))
    assert [seg.doc_count() for seg in ix._segments()] == [40] * 8
    stored = []
    for gen in gens:
        with whoosh_index.open_dir(str(gen)).searcher() as searcher:
            stored.append(list(searcher.all_stored_fields()))
    assert stored[0] == stored[1]


def test_local_workers_keep_the_sliding_mmap_threshold(monkeypatch) -> None:
    """A ``LocalCluster`` of the reindex starts its workers without Dask's
    ``MALLOC_TRIM_THRESHOLD_``, which cost the NER model 38 % more CPU (the page faults of
    its arrays); Dask's one BLAS thread a worker stays."""
    # As in ``loupe reindex``'s own environment (another cluster's nanny in this process,
    # the module's, set it here: a nanny exports what it gives its workers).
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    session = distributed.Session(None, 1)
    try:
        seen = session.client().run(
            lambda: (os.environ.get("MALLOC_TRIM_THRESHOLD_"), os.environ.get("OMP_NUM_THREADS"))
        )
    finally:
        session.close()
    assert list(seen.values()) == [(None, "1")]


def test_local_workers_are_forked_from_one_server_holding_the_model() -> None:
    """The reindex's ``LocalCluster`` workers are forked from one fork server that loaded
    the NER model before them (one copy, its pages shared, as the in-process build's NER
    processes share theirs), not spawned to load it each; the server goes with the
    session."""
    from search.ingest.entities import persons

    session = distributed.Session(None, 2, preload=True)
    try:
        session.start_soon()

        def model_calls() -> tuple[int, int, int]:
            distributed._model_loaded()  # the worker's own preloading call, done
            info = persons.load_model.cache_info()
            return os.getppid(), info.misses, info.hits

        seen = session.client().run(model_calls)
        server = psutil.Process(next(iter(seen.values()))[0])
        assert server.ppid() == os.getpid()  # the server is this process's child
    finally:
        session.close()
    parents = {parent for parent, _misses, _hits in seen.values()}
    assert len(seen) == 2 and len(parents) == 1 and parents != {os.getpid()}
    # Loaded once, by the server (the one miss each worker inherits): the worker's own
    # preloading call found it there (a hit) instead of loading it (a second miss).
    assert [(misses, hits) for _p, misses, hits in seen.values()] == [(1, 1), (1, 1)]
    assert not server.is_running()


def test_the_local_cluster_turns_dasks_upkeep_down_for_itself_only() -> None:
    """The reindex's own ``LocalCluster`` runs without Dask's profiler and with a slow
    system monitor (its upkeep: 0.5 CPU s a worker every 20 s idle with the defaults), its
    HTTP routes on loopback; the settings stay scoped to it: this process's config (a user's
    ``--scheduler`` cluster, a client of theirs) keeps Dask's defaults."""
    import dask

    session = distributed.Session(None, 1)
    try:
        client = session.client()
        seen = client.run(lambda: (
            dask.config.get("distributed.worker.profile.enabled"),
            dask.config.get("distributed.admin.system-monitor.interval"),
        ))
        http = session._cluster.scheduler.http_server.address
    finally:
        session.close()
    assert list(seen.values()) == [(False, "2s")]
    assert http == "127.0.0.1"
    assert dask.config.get("distributed.worker.profile.enabled") is True
    assert dask.config.get("distributed.admin.system-monitor.interval") == "500ms"


def _articles(count: int):
    from search.ingest.readers import read_file

    return list(read_file(SAMPLE, SAMPLES, lambda problem: None))[:count]


# -- a worker killed mid-task ------------------------------------------------------------------


def _kill_a_busy_worker(address: str, killed: list) -> None:
    """SIGKILLs the process of the first worker seen running one of the build's tasks."""
    from distributed import Client

    with Client(address, set_as_default=False) as client:
        pids = client.run(os.getpid)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            for worker, keys in client.processing().items():
                busy = [k for k in keys if "_extract" in str(k) or "_write" in str(k)]
                if busy and worker in pids:
                    os.kill(pids[worker], signal.SIGKILL)
                    killed.append(busy[0])
                    return
            time.sleep(0.01)


@pytest.mark.parametrize("entities", [True, False], ids=["entities", "text-only"])
def test_a_worker_killed_mid_task_is_retried(tmp_path: Path, cluster, built, entities: bool,
                                             monkeypatch) -> None:
    """One worker SIGKILLed while it runs a task of the build (text only: a segment task
    given its documents through batch files, run again from the first batch): Dask runs
    the task again on the other (its nanny restarts the dead one) and the build answers as
    the in-process one; had it failed, nothing would be published, never half an index."""
    monkeypatch.setattr(distributed, "MIN_ARTICLES", 100)
    monkeypatch.setattr(distributed, "WRITE_CHUNKS", (100,))
    monkeypatch.setattr(distributed, "SPOOL_BATCH", 20)
    reference = built[0] if entities else tmp_path / "one"
    if not entities:
        reindex([SAMPLE], reference, writers=1, entities=False)
    killed: list = []
    killer = threading.Thread(
        target=_kill_a_busy_worker, args=(cluster.scheduler_address, killed), daemon=True
    )
    killer.start()
    try:
        result = reindex([SAMPLE], tmp_path / "many", scheduler=cluster.scheduler_address,
                         entities=entities)
    except distributed.ClusterError:
        assert killed
        assert storage.current_generation(tmp_path / "many") is None
        assert not list((tmp_path / "many").glob("gen-*"))
        return
    finally:
        killer.join(130)
    assert killed, "no task of the build was seen running"
    assert (result.total, result.indexed) == (320, 320)
    one, many = (SearchEngine(p, cache_size=0) for p in (reference, tmp_path / "many"))
    for request_ in QUERIES:
        if "*" not in request_.q:  # the prefix quirk: see test_every_search_answers_the_same
            assert _answer(many, request_) == _answer(one, request_), request_.q


def _corpus(folder: Path, copies: int) -> Path:
    """The samples ``copies`` times under other id prefixes (320 articles each)."""
    corpus = folder / "a.jsonl"
    folder.mkdir(parents=True)
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    corpus.write_text(
        "".join(line.replace('"orangesum-', f'"r{i}-') for i in range(copies) for line in lines),
        encoding="utf-8",
    )
    return corpus


def test_a_build_whose_task_dies_with_its_worker_fails_cleanly(tmp_path: Path) -> None:
    """On a cluster that retries no task (``allowed-failures`` 0), a worker SIGKILLed
    mid-task fails ``loupe reindex --scheduler``: exit code 3, no generation published,
    no build folder left."""
    import dask
    from distributed import LocalCluster

    corpus = _corpus(tmp_path / "in", 4)  # 1,280 articles: enough for the cluster
    index = tmp_path / "index"
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}), LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
        host="127.0.0.1",
    ) as strict:
        killed: list = []
        killer = threading.Thread(
            target=_kill_a_busy_worker, args=(strict.scheduler_address, killed), daemon=True
        )
        killer.start()
        proc = subprocess.run(
            [sys.executable, "-m", "search", "reindex", str(corpus.parent), "--index",
             str(index), "--scheduler", strict.scheduler_address, "--no-ner", "-q"],
            cwd=ROOT, capture_output=True, text=True, timeout=300,
        )
        killer.join(130)
    assert killed, "no task of the build was seen running"
    assert proc.returncode == 3, proc.stderr
    assert "rien n'est publié" in proc.stderr
    assert storage.current_generation(index) is None
    assert not list(index.glob("gen-*"))


# -- two servers on one index while a Dask reindex publishes -------------------------------


def _get(port: int, path: str) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, json.loads(response.read())
    finally:
        conn.close()


def _serve(index: Path) -> tuple[subprocess.Popen, int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "search", "serve", "--index", str(index), "--port", str(port),
         "--processes", "1", "--threads", "2"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return proc, port


def _wait_up(port: int) -> dict:
    deadline = time.monotonic() + 60
    while True:
        try:
            status, health = _get(port, "/healthz")
            if status == 200:
                return health
        except OSError:
            if time.monotonic() > deadline:
                raise
        time.sleep(0.2)


def test_two_servers_see_the_new_generation_on_their_next_request(
    tmp_path: Path, cluster
) -> None:
    """Two ``loupe serve`` processes on one folder, searched all along a Dask reindex that
    rebuilds it with more articles: every answer is whole (the old generation or the new
    one), and each server's first request after the swap sees the new one."""
    first = tmp_path / "in" / "first.jsonl"
    first.parent.mkdir()
    lines = SAMPLE.read_text(encoding="utf-8").splitlines(keepends=True)
    first.write_text("".join(lines[:120]), encoding="utf-8")
    index = tmp_path / "index"
    before = reindex([first.parent], index, ner=False).generation
    servers = [_serve(index) for _ in range(2)]
    answers: list[tuple[int, int]] = []
    stop = threading.Event()

    def search_all_along() -> None:
        while not stop.is_set():
            for _proc, port in servers:
                status, page = _get(port, "/api/search?q=&per_page=1")
                answers.append((status, page.get("total", -1)))

    try:
        assert {_wait_up(port)["generation"] for _p, port in servers} == {before}
        watcher = threading.Thread(target=search_all_along, daemon=True)
        watcher.start()
        first.write_text("".join(lines), encoding="utf-8")  # 200 more articles
        saved = distributed.MIN_ARTICLES
        distributed.MIN_ARTICLES = 100
        try:
            after = reindex(
                [first.parent], index, full=True, ner=False, scheduler=cluster.scheduler_address
            ).generation
        finally:
            distributed.MIN_ARTICLES = saved
        assert after != before
        for _proc, port in servers:  # the next request after the swap
            assert _get(port, "/healthz")[1]["generation"] == after
            assert _get(port, "/api/search?q=&per_page=1")[1]["total"] == 320
        stop.set()
        watcher.join(30)
    finally:
        stop.set()
        for proc, _port in servers:
            proc.terminate()
            proc.wait(10)
    assert answers and set(answers) <= {(200, 120), (200, 320)}


# -- nothing outlives a killed reindex --------------------------------------------------------


# Seconds a killed reindex's processes may take to be gone.
GONE_WITHIN = 60.0


def _session_processes(sid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getsid(int(entry)) == sid:
                    found.append(int(entry))
            except OSError:
                continue
    return found


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
@pytest.mark.parametrize(
    ("sig", "phase"),
    [(signal.SIGKILL, "workers"), (signal.SIGINT, "workers"), (signal.SIGKILL, "start"),
     (signal.SIGKILL, "commit"), (signal.SIGINT, "commit")],
)
def test_a_killed_reindex_leaves_no_cluster_process(tmp_path: Path, sig, phase: str) -> None:
    """``loupe reindex --dask`` killed while its cluster starts, while its workers work or
    as it commits: every process of its session (workers, Dask's helpers) is gone (waited
    for up to ``GONE_WITHIN``: a bound for a loaded machine, not a timing), and nothing is
    half published (``bench/dask_build.py --kill 20`` tries it at random moments,
    ``--phase commit`` within the commit)."""
    corpus = _corpus(tmp_path / "in", 4)  # 1,280 articles: enough for a cluster
    index = tmp_path / "index"
    proc = subprocess.Popen(
        [sys.executable, "-m", "search", "reindex", str(corpus.parent), "--index",
         str(index), "--dask", "--workers", "2", "-q",
         *(["--no-ner"] if phase == "commit" else [])],
        cwd=ROOT, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        # SIGINT handled even when the suite runs as a background job (which ignores it).
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        deadline = time.monotonic() + 120
        # "start": as soon as the first worker process exists; "workers": once both have
        # been running a while (the model loaded, tasks under way); "commit": as the
        # workers write the posting maps, once every segment is written.
        wanted, settle = (2, 0.0) if phase == "start" else (3, 5.0)
        if phase == "commit":
            wanted, settle = 0, 0.0
            while not list(index.glob("tmp-*/*.lpm*")) and time.monotonic() < deadline:
                assert proc.poll() is None, "the reindex ended before it could be killed"
                time.sleep(0.005)
        while len(_session_processes(proc.pid)) < wanted and time.monotonic() < deadline:
            assert proc.poll() is None, "the reindex ended before it could be killed"
            time.sleep(0.05)
        time.sleep(settle)
        assert proc.poll() is None, "the reindex ended before it could be killed"
        proc.send_signal(sig)
        killed = time.monotonic()
        # Waited for until they are gone, up to a bound far above what a loaded machine
        # takes (a SIGINT's clean exit took 10 to 30 s at load 11 to 15): a process still
        # there after it is one that outlives the reindex, not a slow exit.
        while _session_processes(proc.pid) and time.monotonic() < killed + GONE_WITHIN:
            proc.poll()
            time.sleep(0.2)
        left = _session_processes(proc.pid)
        assert left == [], f"{len(left)} process(es) alive {GONE_WITHIN:.0f} s after the kill"
    finally:
        for pid in _session_processes(proc.pid):
            os.kill(pid, signal.SIGKILL)
        proc.poll()
    if (index / "CURRENT").exists():  # published before the kill: then all of it
        with whoosh_index.open_dir(str(storage.require_generation(index))).searcher() as s:
            assert s.doc_count() == 1280
