"""``loupe serve`` on every core: waitress processes sharing one listening socket.

Searching is Python work, so one process serves one request at a time however many
threads it has (the GIL): under 16 concurrent clients on 2 cores, one process left
the slowest 1 % of requests waiting 350 ms. Forked processes, each with its own
``SearchEngine`` (per-generation data is read once per process), accept connections
from the same socket, so the kernel spreads them. A child dies with its parent
(``search.lifetime.die_with_parent``: SIGTERM, SIGKILL); Ctrl-C stops them all.
"""

from __future__ import annotations

import os
import signal
import socket

from search.lifetime import cores, die_with_parent

MAX_PROCESSES = 4


def default_processes() -> int:
    return max(1, min(MAX_PROCESSES, cores()))


def serve(app, host: str, port: int, threads: int, processes: int = 1, warm=None) -> None:
    """Serves ``app`` until interrupted, with ``processes`` waitress processes; ``warm()``
    runs in each process before it takes requests (opening the index there, not in the
    parent: forked processes must not share open files)."""
    from waitress import serve as waitress_serve

    def prepare() -> None:
        if warm is not None:
            try:
                warm()
            except Exception:  # noqa: BLE001 - no index yet: the first request will say so
                pass

    if processes <= 1 or not hasattr(os, "fork"):
        prepare()
        waitress_serve(app, host=host, port=port, threads=threads, ident="Loupe")
        return
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.create_server((host, port), family=family, backlog=1024)
    parent = os.getpid()
    children: list[int] = []
    for _ in range(processes - 1):
        pid = os.fork()
        if pid == 0:
            die_with_parent(parent)
            try:
                prepare()
                waitress_serve(app, sockets=[sock], threads=threads, ident="Loupe")
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
        waitress_serve(app, sockets=[sock], threads=threads, ident="Loupe")
    finally:
        for child in children:
            try:
                os.kill(child, signal.SIGTERM)
                os.waitpid(child, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
