"""The fork server a reindex's ``LocalCluster`` starts its Dask workers from.

Spawned, each worker process starts a fresh interpreter and imports Dask, Whoosh, numpy
and Loupe (0.45 CPU s), then loads the NER model (2.8 CPU s, +130 MB) for itself. Forked
from a server that did both once, the workers start with them done and share the model's
pages, as the in-process build's NER processes share the coordinator's (issue 15).

The chain that kills a worker with the reindex stays the kernel's: the server is started
from the coordinator's main thread (a thread's exit is what ``PR_SET_PDEATHSIG`` watches)
and dies with it (``lifetime.die_with_parent``, done on import, below); each worker dies
with the server (``distributed._die_with_parent``, a worker preload). Its environment is
the one a nanny gives a spawned worker before it starts (``pre-spawn-environ``: one BLAS
thread, no ``MALLOC_TRIM_THRESHOLD_``), set while the server starts.

Importing this module does nothing, except in a server started by ``start`` (its
environment names the coordinator): there it does the preloading.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from multiprocessing import forkserver

# In the server's environment: the coordinator's pid, then ":model" to load the model.
ENV = "LOUPE_FORKSERVER"


def start(model: bool, environ: dict[str, str]) -> bool:
    """Starts this process's fork server with Loupe (and the NER model with ``model``)
    preloaded, unless one runs already; False where there is no fork server. Call from
    the main thread, with Dask's multiprocessing method set to ``forkserver``."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return False
    from distributed.utils import get_mp_context

    get_mp_context()  # Dask's own preload list, set once, extended here
    server = forkserver._forkserver
    # This module first: the server dies with the coordinator before its imports.
    preload = list(dict.fromkeys([__name__, *server._preload_modules]))
    forkserver.set_forkserver_preload(preload)
    saved = {k: os.environ.get(k) for k in [*environ, ENV]}
    os.environ.update(environ)
    os.environ[ENV] = f"{os.getpid()}{':model' if model else ''}"
    try:
        server.ensure_running()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return True


def stop() -> None:
    """Stops this process's fork server (and the model it holds), once the workers it
    forked are gone: killed (they hold its "alive" pipe, so it would not end by itself
    while one remains), then waited for."""
    server = forkserver._forkserver
    pid = getattr(server, "_forkserver_pid", None)
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
    stopping = getattr(server, "_stop", None)
    if stopping is not None:
        stopping()


def _preload() -> None:
    """In the fork server only: dies with the coordinator, imports what a worker runs,
    loads the model when asked."""
    wanted = os.environ.get(ENV, "")
    parent, _sep, what = wanted.partition(":")
    if multiprocessing.parent_process() is not None or parent != str(os.getppid()):
        return
    from search.lifetime import die_with_parent

    die_with_parent(os.getppid())
    import search.index.distributed  # noqa: F401 - imported once, for every worker

    if what == "model":
        from search.ingest.entities.persons import load_model

        try:
            load_model()
        except Exception:  # noqa: BLE001 - each worker loads it then, and raises there
            pass


_preload()
