"""``loupe serve``'s serving layer (``webui.serving``, issue 11) on real servers over the
samples index: connections spread evenly over the processes, and a process serves its
waiting requests cheapest first, a request passed at most ``max_passed`` times.

No timing is asserted: the order of service is read from the server itself (a WSGI layer
recording each request as its thread starts it), and the requests are queued one by one,
each seen in the dispatcher's queue before the next is sent.
"""

from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from waitress import wasyncore
from waitress.server import create_server

from search.find import budget
from search.find.searcher import SearchEngine, SearchRequest
from tests.conftest import parent_pid
from tests.test_hostile import _many_prefixes
from webui import create_app
from webui.serving import MAX_PROCESSES, dispatcher, search_cost

# A headline of common words with quoted phrases (the kind that costs 100+ ms at a million
# articles) and a single rare word.
HEAVY = ('"gilets jaunes" : la police dénonce "les tentatives de récupération" de la '
         "réforme des retraites en France")
CHEAP = "Kazakhstan"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_estimate_ranks_a_headline_of_phrases_above_a_rare_word(samples_index: Path) -> None:
    engine = SearchEngine(samples_index)
    assert engine.estimated_cost(HEAVY) > 10 * engine.estimated_cost(CHEAP) > 0
    assert engine.estimated_cost("") == 0


def test_a_search_estimated_first_answers_as_one_that_was_not(samples_index: Path) -> None:
    """A served request is estimated, then searched in the same thread with the estimate's
    parse and work (not done twice): the answers are the same to the character, and a
    query over the work budget is still refused."""
    plain, estimated = SearchEngine(samples_index, 0), SearchEngine(samples_index, 0)
    queries = [HEAVY, CHEAP, "retraites", "gouv*", "Macron -Philippe", '"réforme des"', "",
               "retrraites", "date:[2019 to 2019-12] police", "p*"]
    for q in queries:
        estimated.estimated_cost(q)
        expected = plain.search(SearchRequest(q=q)).to_dict()
        expected.pop("took_ms")
        got = estimated.search(SearchRequest(q=q)).to_dict()
        got.pop("took_ms")
        assert got == expected, q
    over = _many_prefixes(samples_index)
    assert estimated.estimated_cost(over) > estimated.estimated_cost(CHEAP)
    with pytest.raises(budget.TooCostly):
        estimated.search(SearchRequest(q=over))


class Recorder:
    """WSGI layer: the first request waits for ``gate``; every request's query string is
    recorded as its thread starts it (the order the dispatcher gave)."""

    def __init__(self, app) -> None:
        self.app = app
        self.gate = threading.Event()
        self.started: list[str] = []

    def __call__(self, environ, start_response):
        first = not self.started
        self.started.append(environ.get("QUERY_STRING", ""))
        if first:
            self.gate.wait(60)
        return self.app(environ, start_response)


def _served_order(index: Path, queries: list[str], max_passed: int) -> list[str]:
    """The order one process with one request thread serves ``queries``, sent while a first
    request holds the thread: each is in the queue before the next is sent."""
    engine_app = create_app({"INDEX_DIR": str(index)})
    engine = engine_app.extensions["loupe"]
    engine.warm(1)
    recorder = Recorder(engine_app)
    tasks = dispatcher(1, search_cost(engine.estimated_cost, heavy=2e6, unknown=1e5),
                       max_passed)
    server = create_server(recorder, host="127.0.0.1", port=0, threads=1, _dispatcher=tasks)
    port = server.effective_port
    runner = threading.Thread(target=server.run, daemon=True)
    runner.start()
    answers: list[int] = []

    def get(q: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", "/api/search?" + urlencode({"q": q}))
        answers.append(conn.getresponse().status)
        conn.close()

    clients = [threading.Thread(target=get, args=("hold",))]
    clients[0].start()
    deadline = time.monotonic() + 30
    while not recorder.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        for waiting, q in enumerate(queries, start=1):
            clients.append(threading.Thread(target=get, args=(q,)))
            clients[-1].start()
            while len(tasks.queue) < waiting and time.monotonic() < deadline:
                time.sleep(0.01)
            assert len(tasks.queue) == waiting
    finally:
        recorder.gate.set()
        for client in clients:
            client.join(60)
        # Closed by the server's own loop thread (through its trigger), not from here: a
        # select() of that loop would otherwise meet a descriptor closed under it (EBADF,
        # an unhandled thread exception); with every socket closed, the loop ends.
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        runner.join(10)
        tasks.shutdown()
    assert not runner.is_alive()
    assert answers == [200] * (len(queries) + 1)
    return [urlencode({"q": q}) for q in queries], recorder.started[1:]


def test_a_cheap_request_queued_behind_heavy_ones_is_served_first(samples_index: Path) -> None:
    sent, served = _served_order(samples_index, [HEAVY, HEAVY + " Macron", CHEAP], 12)
    assert served == [sent[2], sent[0], sent[1]]


def test_a_heavy_request_is_passed_at_most_max_passed_times(samples_index: Path) -> None:
    """The heavy request arrived first; 5 cheap ones after it: it is served third, after
    exactly 2 of them (``max_passed`` 2), before the other 3."""
    cheap = [CHEAP, "Kazakhstan Tokaïev", "Astana", "Almaty", "Noursoultan"]
    sent, served = _served_order(samples_index, [HEAVY, *cheap], 2)
    assert served[2] == sent[0]
    assert sorted(served[:2] + served[3:]) == sorted(sent[1:])


def test_max_passed_0_serves_in_arrival_order(samples_index: Path) -> None:
    sent, served = _served_order(samples_index, [HEAVY, HEAVY + " Macron", CHEAP], 0)
    assert served == sent


def _connections_of(pid: int, port: int) -> int:
    """Established TCP connections to ``port`` whose socket ``pid`` holds (/proc)."""
    inodes = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        with open(table) as fh:
            for line in fh.readlines()[1:]:
                fields = line.split()
                local_port = int(fields[1].rsplit(":", 1)[1], 16)
                if local_port == port and fields[3] == "01" and fields[9] in inodes:
                    count += 1
    return count


def _holder(pids: list[int], port: int) -> int | None:
    """Which of ``pids`` holds the one connection to ``port`` open now."""
    held = [pid for pid in pids if _connections_of(pid, port)]
    return held[0] if len(held) == 1 else None


def _started(index: Path, port: int) -> tuple[subprocess.Popen, list[int]]:
    """``loupe serve --processes 2`` on the samples, once each process has answered (a
    process still opening its index is not counted by the others, and accepts nothing)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "search", "serve", "--index", str(index),
         "--port", str(port), "--processes", "2"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 90
        pids: list[int] = [proc.pid]
        answered: set[int] = set()
        # Both processes seen, and each has answered: the list of processes is read before the
        # request, which a loaded machine can hold in the listening socket's queue while the
        # parent forks its worker; the parent's answer alone then matched a list of one.
        while len(pids) < 2 or answered != set(pids):
            assert time.monotonic() < deadline, "the server did not start"
            pids = [proc.pid] + [int(p) for p in os.listdir("/proc")
                                 if p.isdigit() and parent_pid(int(p)) == proc.pid]
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                response = conn.getresponse()
                response.read()
                holder = _holder(pids, port) if response.status == 200 else None
                conn.close()
            except OSError:
                holder = None
            if holder is None:
                time.sleep(0.2)
            else:
                answered.add(holder)
        assert len(pids) == 2
    except BaseException:  # a start that failed leaves no server behind
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
        raise
    return proc, pids


def _burst(port: int, conns: list[http.client.HTTPConnection], wait: float = 30) -> list[int]:
    """16 keep-alive clients connecting at once, as the benchmark's do, each answered once
    (or given up after ``wait`` seconds without an answer) and kept open in ``conns``;
    their statuses."""
    statuses: list[int] = []
    ready = threading.Barrier(16)

    def client(i: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=wait)
        conns.append(conn)
        ready.wait(30)
        conn.request("GET", "/api/search?" + urlencode({"q": f"police {i}"}))
        response = conn.getresponse()
        response.read()
        statuses.append(response.status)

    clients = [threading.Thread(target=client, args=(i,)) for i in range(16)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join(60)
    return statuses


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="reads /proc")
def test_two_processes_each_hold_half_of_16_keep_alive_clients(samples_index: Path) -> None:
    """16 clients connecting at once (whichever process woke first accepted them: 11/5,
    12/4 and 15/1 splits were seen at a million articles): 8 connections in each process."""
    assert MAX_PROCESSES >= 2
    port = free_port()
    proc, pids = _started(samples_index, port)
    conns: list[http.client.HTTPConnection] = []
    try:
        assert _burst(port, conns) == [200] * 16
        assert sorted(_connections_of(pid, port) for pid in pids) == [8, 8]
    finally:
        for conn in conns:
            conn.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="reads /proc")
def test_a_dead_worker_does_not_keep_the_other_from_accepting(samples_index: Path) -> None:
    """The forked worker killed: the parent serves all 16 clients (the dead worker's
    count, no longer written, is not counted: left as it was, it held the parent to one
    busy connection at a time)."""
    port = free_port()
    proc, pids = _started(samples_index, port)
    conns: list[http.client.HTTPConnection] = []
    try:
        os.kill(pids[1], signal.SIGKILL)
        time.sleep(2.5)  # the dead worker's count goes stale (STALE_SECONDS)
        # 16 searches of the samples take well under a second; one accepted every 2 s
        # (each time the parent's last connection has been idle that long) take 30
        assert _burst(port, conns, wait=10) == [200] * 16
        assert _connections_of(proc.pid, port) == 16
    finally:
        for conn in conns:
            conn.close()
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
