"""Forked workers die with the reindex that forked them, whatever they are doing.

A worker that polls for its parent notices a SIGKILL only between two steps: not while
it finishes a segment, runs the NER model, or waits for the rest of a message that a
sibling's inherited copy of the pipe keeps from ever ending (issue 13: two writers alive
20 minutes after a killed reindex). On Linux the kernel does it instead:
``prctl(PR_SET_PDEATHSIG, SIGKILL)`` kills the child the moment the thread that forked
it is gone. Elsewhere a watch thread checks once a second.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import threading
import time

_PR_SET_PDEATHSIG = 1


def _pdeathsig(sig: int) -> bool:
    """Asks the kernel to send ``sig`` to this process when its parent dies."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, sig, 0, 0, 0) == 0
    except (OSError, AttributeError):  # not Linux
        return False


def _watch(parent: int) -> None:
    def run() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=run, daemon=True, name="loupe-parent-watch").start()


def cores() -> int:
    """The cores this process may run on (its affinity on Linux): the default number of
    extraction workers, writers and serving processes."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def die_with_parent(parent: int) -> None:
    """Call first thing in a forked child: it is killed as soon as ``parent`` dies
    (already dead by now: it exits at once)."""
    if not _pdeathsig(signal.SIGKILL):
        _watch(parent)
    if os.getppid() != parent:  # the parent died before the kernel was asked
        os._exit(1)
