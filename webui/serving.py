"""``loupe serve`` on every core: waitress processes sharing one listening socket.

Searching is Python work, so one process serves one request at a time however many
threads it has (the GIL): under 16 concurrent clients on 2 cores, one process left
the slowest 1 % of requests waiting 350 ms. Forked processes, each with its own
``SearchEngine`` (per-generation data is read once per process), accept connections
from the same socket. A child dies with its parent
(``search.lifetime.die_with_parent``: SIGTERM, SIGKILL); Ctrl-C stops them all.

Two things waitress does not do, measured at a million articles under 16 keep-alive
clients (docs/performance.md, issue 11):

- **Connections spread evenly.** Left to the kernel, whichever process woke first
  accepted: splits of 11/5, 12/4 and 15/1 connections were seen, one process queueing
  three times the other's requests. A process here accepts only while it holds no more
  busy connections than any other (``Share``), counted in memory the processes share.
- **Cheap requests first, none starving** (``CheapestFirst``). A keep-alive connection
  stays with one process, and its requests queue there behind the others'; waitress
  serves them in arrival order, so a 5 ms search waited behind 150 ms ones. The queue
  here gives the cheapest waiting request first, by the work budget's estimate of its
  search (``search.find.budget``, computed before anything is read), except that a
  request already passed by ``max_passed`` younger ones goes next. A heavy search
  therefore waits at most ``max_passed`` requests more than in arrival order;
  ``max_passed`` 0 is arrival order.
"""

from __future__ import annotations

import mmap
import os
import signal
import socket
import time
from collections.abc import Callable
from urllib.parse import parse_qs

from search.find.request import clean_text
from search.lifetime import cores, die_with_parent

MAX_PROCESSES = 4
# How many younger, cheaper requests may be served before a waiting one: what a heavy
# search may wait beyond arrival order. Chosen by a simulation of 16 closed-loop clients on
# 2 processes with the measured costs of the million's 180 queries, then measured
# (docs/performance.md, issue 11).
DEFAULT_MAX_PASSED = 12
# A connection counts as busy for the balance while it has a request, or had one in the
# last BUSY_SECONDS: a browser's idle keep-alive connection does not.
BUSY_SECONDS = 2.0
# How often an idle process looks again whether it may accept (waitress's loop wakes on
# any socket event, or after this).
LOOP_TIMEOUT = 0.1
# A process's count not written for this long is a dead process's.
STALE_SECONDS = 2.0

# Cost of a request: lower is served first. (path, query string) -> estimated work.
Cost = Callable[[str, str], float]


def default_processes() -> int:
    return max(1, min(MAX_PROCESSES, cores()))


class CheapestFirst:
    """The task queue of waitress's dispatcher (which calls ``append``, ``popleft`` and
    ``len`` under its lock), served cheapest first with a bound on waiting.

    ``popleft`` gives the task of least ``cost`` (ties: the oldest), unless the oldest
    has already been passed by ``max_passed`` younger ones: then the oldest. A bound in
    requests rather than milliseconds holds the same under any load (a machine twice as
    busy makes every wait twice as long, and a bound in time would then order nothing).
    A task's cost is asked only when there is a choice to make, once, in the request
    thread that pops it (the thread that runs the search: its index readers are open)."""

    def __init__(self, cost: Callable[[object], float], max_passed: int) -> None:
        self._cost = cost
        self.max_passed = max_passed
        self._items: list[list] = []  # [cost or None, times passed, task], oldest first

    def append(self, task) -> None:
        self._items.append([None, 0, task])

    def __len__(self) -> int:
        return len(self._items)

    def popleft(self):
        items = self._items
        # The oldest has been passed at least as often as any other: each pass of a
        # younger one passed it too.
        if len(items) == 1 or items[0][1] >= self.max_passed:
            return items.pop(0)[2]
        best = 0
        for i, entry in enumerate(items):
            if entry[0] is None:
                entry[0] = self._cost(entry[2])
            if entry[0] < items[best][0]:
                best = i
        for entry in items[:best]:
            entry[1] += 1
        return items.pop(best)[2]


def request_cost(cost: Cost) -> Callable[[object], float]:
    """The cost of a waitress task (a channel with its next request): ``cost(path,
    query string)``; a task with no request, or a cost that fails, costs 0 (it is
    answered soon, with its error if it has one)."""

    def of(task) -> float:
        requests = getattr(task, "requests", None)
        if not requests:
            return 0.0
        try:
            return float(cost(requests[0].path or "", requests[0].query or ""))
        except Exception:  # noqa: BLE001 - the request itself will say what is wrong
            return 0.0

    return of


def search_cost(estimate: Callable[[str], float], heavy: float, unknown: float) -> Cost:
    """A ``Cost`` for Loupe's routes: a search (``/``, ``/api/search``, ``/feed``) costs
    ``estimate(q)``; an export ``heavy`` (every match, not a page); a person's or a
    country's page ``unknown`` (a search of its own); anything else (articles, static
    files, ``/healthz``) nothing."""

    def cost(path: str, query: str) -> float:
        if path in ("/", "/api/search", "/feed"):
            # the text the search will read (``SearchRequest.from_params``)
            words = [v.strip() for v in parse_qs(query).get("q", []) if v.strip()]
            return estimate(clean_text(words[0]) if words else "")
        if path.startswith("/export"):
            return heavy
        if path.startswith(("/personne/", "/pays/", "/api/entities/")):
            return unknown
        return 0.0

    return cost


class Share:
    """Busy connections per serving process, in memory shared by the forked processes
    (one slot each, written only by its process, with the time it was written): a process
    may accept a connection while it holds no more than the least loaded one. A live
    process writes its slot at each turn of its loop, at least every ``LOOP_TIMEOUT``; a
    slot not written for ``STALE_SECONDS`` is a dead process's, and is not counted (a
    crashed worker must not keep the others from accepting)."""

    def __init__(self, processes: int) -> None:
        self.slots = memoryview(mmap.mmap(-1, 16 * processes)).cast("d")  # busy, written at

    def may_accept(self, slot: int, busy: int) -> bool:
        now = time.monotonic()  # one clock for every process of the machine
        self.slots[2 * slot], self.slots[2 * slot + 1] = float(busy), now
        least = min((self.slots[i] for i in range(0, len(self.slots), 2)
                     if now - self.slots[i + 1] < STALE_SECONDS), default=busy)
        return busy <= least


def _server_class(share: Share | None, slot: int):
    from waitress.server import TcpWSGIServer
    from waitress.wasyncore import loop

    class Server(TcpWSGIServer):
        """waitress's server, accepting only its share of the connections."""

        def readable(self) -> bool:
            if not super().readable():
                return False
            if share is None:
                return True
            cutoff = time.time() - BUSY_SECONDS
            busy = sum(1 for channel in self.active_channels.values()
                       if channel.requests or channel.last_activity >= cutoff)
            return share.may_accept(slot, busy)

        def run(self) -> None:
            try:
                loop(timeout=LOOP_TIMEOUT, map=self._map, use_poll=self.adj.asyncore_use_poll)
            except (SystemExit, KeyboardInterrupt):
                self.task_dispatcher.shutdown()

    return Server


def dispatcher(threads: int, cost: Cost | None, max_passed: int):
    """waitress's dispatcher of ``threads`` request threads, its queue cheapest first."""
    from waitress.task import ThreadedTaskDispatcher

    tasks = ThreadedTaskDispatcher()
    if cost is not None and max_passed > 0:
        tasks.queue = CheapestFirst(request_cost(cost), max_passed)
    tasks.set_thread_count(threads)
    return tasks


def _run(app, sock: socket.socket, threads: int, cost: Cost | None, max_passed: int,
         share: Share | None, slot: int) -> None:
    """One waitress server on ``sock`` with the balance and the cheapest-first queue."""
    from waitress.adjustments import Adjustments

    tasks = dispatcher(threads, cost, max_passed)
    adj = Adjustments(sockets=[sock], threads=threads, ident="Loupe")
    sockinfo = (sock.family, sock.type, sock.proto, sock.getsockname())
    server = _server_class(share, slot)(
        app, {}, True, sock, dispatcher=tasks, adj=adj, bind_socket=False,
        sockinfo=sockinfo,
    )
    server.print_listen("Serving on http://{}:{}")
    server.run()


def serve(app, host: str, port: int, threads: int, processes: int = 1, warm=None,
          cost: Cost | None = None, max_passed: int = DEFAULT_MAX_PASSED) -> None:
    """Serves ``app`` until interrupted, with ``processes`` waitress processes; ``warm()``
    runs in each process before it takes requests (opening the index there, not in the
    parent: forked processes must not share open files). With ``cost``, each process
    serves its waiting requests cheapest first (``CheapestFirst``, ``max_passed``)."""
    import logging

    logging.basicConfig()  # waitress's warnings on stderr, as waitress.serve does

    def prepare() -> None:
        if warm is not None:
            try:
                warm()
            except Exception:  # noqa: BLE001 - no index yet: the first request will say so
                pass

    if processes <= 1 or not hasattr(os, "fork"):
        from waitress.server import create_server

        prepare()
        server = create_server(app, host=host, port=port, threads=threads, ident="Loupe",
                               _dispatcher=dispatcher(threads, cost, max_passed))
        server.print_listen("Serving on http://{}:{}")
        server.run()
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=1024)
    share = Share(processes)
    parent = os.getpid()
    children: list[int] = []
    for slot in range(1, processes):
        pid = os.fork()
        if pid == 0:
            die_with_parent(parent)
            try:
                prepare()
                _run(app, sock, threads, cost, max_passed, share, slot)
            finally:
                os._exit(0)
        children.append(pid)

    def stop(signum, _frame) -> None:
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
            except ProcessLookupError:
                pass
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, stop)
    prepare()
    try:
        _run(app, sock, threads, cost, max_passed, share, 0)
    finally:
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
                os.waitpid(child, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
