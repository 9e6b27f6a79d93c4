"""Index writing on several cores: forked writer processes, each building its own segment.

Whoosh analyses and encodes postings in pure Python, one core at a time; on a big first
build that is most of ``loupe reindex``'s time. ``ParallelWriter`` stands where the Whoosh
writer stood: it holds the first ``fork_after`` documents back (a smaller run is written by
the main writer alone) and then forks helper processes and deals them batches of documents,
the held-back ones first, so every writer gets its share of the whole run. Each
helper writes a complete segment of the same index and sends back its description; the
commit publishes every segment in one table of contents, as Whoosh's own ``MpWriter``
does with ``multisegment=True``. Unlike ``MpWriter``, a helper dies with its parent
(Ctrl-C, SIGKILL), whatever it is doing (``lifetime.die_with_parent``), so no process is
left waiting forever.

Documents are numbered per segment, so ties in ranking may order differently from a
one-process build; every score, match and count is the same
(``tests/test_parallel.py``).
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import threading
import traceback
from multiprocessing.reduction import ForkingPickler

from whoosh import index as whoosh_index  # imported here: a forked child must not import

from search.index import merging, w3
from search.index.fastwrite import FastSegmentWriter
from search.index.phases import Timeline
from search.lifetime import cores, die_with_parent

BATCH = 64  # documents per message to a helper
FORK_AFTER = 2_000  # small runs (and the test suite) stay in one process
# The main process's share of the documents against 1.0 for each helper. It also reads and
# parses the files and pickles the batches, so it writes less; at 0 it only deals them out
# and ``writers`` helpers write everything.
MAIN_SHARE = 0.0
# Pickled batches queued for the helpers, in all (MB), before the main process waits for
# one of them: enough to go on feeding the others while one writes out a segment (~15 s
# of a core at the default budget). Within the reading process's ``indexer.BASE_MB``.
AHEAD_MB = 96
_STOP = object()


class _Feeder:
    """Sends one helper its batches from a thread, up to ``limit`` bytes of them ahead.

    A send returns only once the helper has taken the whole batch, that is once it is done
    with the one before; sent in turn from the main thread, every helper would wait for
    the slowest one's batch. Batches still go round in the same order, so which documents
    go to which segment does not depend on timing. The queue is counted in pickled bytes,
    not batches: a helper writing out a segment takes nothing for seconds, and with a few
    batches queued the main process soon waited for it while the other helpers ran dry
    (a core idle through every flush). Batches are pickled here, as ``Connection.send``
    would in the thread."""

    def __init__(self, conn, limit: int) -> None:
        self.conn = conn
        self.error: BaseException | None = None
        self._limit = max(1, limit)
        self._queued = 0  # bytes queued and not yet sent
        self._room = threading.Condition()
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            try:
                self.conn.send_bytes(item)
            except BaseException as exc:  # noqa: BLE001 - reported by the next send()
                self.error = exc
                return
            finally:
                with self._room:
                    self._queued -= len(item)
                    self._room.notify()

    def send(self, item) -> None:
        """Queues ``item`` (a batch, ``"commit"`` or ``None``), waiting while the helper
        is ``limit`` bytes behind (one item always goes)."""
        data = item if item is _STOP else ForkingPickler.dumps(item)
        size = 0 if item is _STOP else len(data)
        with self._room:
            while self._queued and self._queued + size > self._limit:
                if self.error is not None or not self._thread.is_alive():
                    break
                self._room.wait(1.0)
            if self.error is not None or not self._thread.is_alive():
                raise RuntimeError(f"un processus d'écriture ne répond plus : {self.error!r}")
            self._queued += size
        self._queue.put(data)

    def finish(self) -> None:
        """Returns once everything queued was sent."""
        self.send(_STOP)
        self._thread.join()
        if self.error is not None:
            raise RuntimeError(f"un processus d'écriture ne répond plus : {self.error!r}")

    def abandon(self, timeout: float) -> None:
        """Drops what is still queued, sends ``None`` (cancel) and stops the thread."""
        try:
            while True:
                self._queue.get_nowait()
        except queue.Empty:
            pass
        self._queue.put(ForkingPickler.dumps(None))
        self._queue.put(_STOP)
        self._thread.join(timeout)


def default_writers() -> int:
    """One writer per core, at most 4 (the merge of many small segments costs later)."""
    return max(1, min(4, cores()))


def _drop(writer) -> None:
    """Cancels a helper's writer without ``SegmentWriter.cancel``, which would delete the
    temporary folder every writer of the index shares (the main writer's runs too)."""
    w3.close_segment(writer)


def _helper(index_dir: str, conn, parent: int, writer_args: dict) -> None:
    """A forked helper: writes the batches it is sent into its own segment."""
    die_with_parent(parent)
    writer = None
    try:
        ix = whoosh_index.open_dir(index_dir)
        writer = FastSegmentWriter(ix, _lk=False, **writer_args)
        while True:
            if not conn.poll(1.0):
                if os.getppid() != parent:  # the reindex died: leave nothing behind
                    _drop(writer)
                    return
                continue
            batch = conn.recv()
            if batch is None:  # cancelled
                _drop(writer)
                return
            if batch == "commit":
                segments = list(writer.flushed)
                if w3.has_documents(writer):
                    segments.append(w3.finalize_segment(writer))
                else:
                    w3.close_segment(writer)
                conn.send(("ok", segments))
                return
            for doc in batch:
                writer.add_document(**doc)
    except BaseException:
        if writer is not None:
            try:
                _drop(writer)
            except Exception:
                pass
        try:
            conn.send(("error", traceback.format_exc()))
        except OSError:
            pass


class ParallelWriter:
    """A Whoosh writer for a new index whose documents are written by several processes.

    Only ``add_document`` is spread out; deletions and updates are the main writer's,
    so use it for builds from scratch (``reindex`` does).
    """

    def __init__(
        self,
        ix,
        writers: int,
        fork_after: int | None = None,
        limitmb: int = 256,
        flushmb: float | None = None,
        timeline: Timeline | None = None,
    ) -> None:
        self.ix = ix
        self.timeline = timeline or Timeline()
        self.main = FastSegmentWriter(ix, limitmb=limitmb, flushmb=flushmb)
        self._flushmb = flushmb
        self.writers = max(1, writers)
        self.fork_after = FORK_AFTER if fork_after is None else fork_after
        self._limitmb = limitmb
        self._helpers: list[tuple[multiprocessing.Process, object]] = []
        self._feeders: list[_Feeder] = []
        self._batches: list[list[dict]] = []
        self._pending: list[dict] = []  # held back until there are enough to fork
        self._shares: list[float] = []  # writer 0 is the main one, then the helpers
        self._given: list[int] = []
        self._target: int | None = None
        self._count = 0
        self._closed = False

    # -- the writer interface the indexer uses ---------------------------------------------

    def add_document(self, **doc) -> None:
        self._count += 1
        if self.writers == 1:
            self.main.add_document(**doc)
            return
        if not self._helpers:
            self._pending.append(doc)
            if len(self._pending) <= self.fork_after:
                return
            if not self._start_helpers():
                self.writers = 1
                self._write_pending()
                return
            pending, self._pending = self._pending, []
            for held in pending:
                self._deal(held)
            return
        self._deal(doc)

    def _deal(self, doc: dict) -> None:
        """Gives the document to the writer in charge of the current batch; a new batch
        goes to the writer furthest behind its share."""
        target = self._target
        if target is None:
            given, shares = self._given, self._shares
            target = self._target = min(
                (i for i, share in enumerate(shares) if share > 0),
                key=lambda i: (given[i] + BATCH) / shares[i],
            )
        self._given[target] += 1
        if self._given[target] % BATCH == 0:
            self._target = None
        if target == 0:
            self.main.add_document(**doc)
            return
        batch = self._batches[target - 1]
        batch.append(doc)
        if len(batch) >= BATCH:
            self._feeders[target - 1].send(batch)
            self._batches[target - 1] = []

    def _write_pending(self) -> None:
        """The held-back documents go to the main writer (too few to fork for, or a
        deletion or update must see them first)."""
        pending, self._pending = self._pending, []
        for held in pending:
            self.main.add_document(**held)

    def update_document(self, **doc) -> None:
        self._write_pending()
        self.main.update_document(**doc)

    def delete_by_term(self, fieldname: str, text) -> None:
        self._write_pending()
        self.main.delete_by_term(fieldname, text)

    def commit(self) -> None:
        """Every process finishes its segment at the same time; one TOC lists them all."""
        main = self.main
        self._write_pending()
        segments = []
        try:
            for feeder, batch in zip(self._feeders, self._batches, strict=True):
                if batch:
                    feeder.send(batch)
                feeder.send("commit")
            final = w3.merge_segments(main)
            own = w3.finalize_segment(main) if w3.has_documents(main) else None
            for feeder in self._feeders:
                feeder.finish()
            for process, conn in self._helpers:
                status, payload = conn.recv()
                process.join()
                if status != "ok":
                    raise RuntimeError(f"un processus d'écriture a échoué :\n{payload}")
                segments += payload
        except BaseException:
            try:
                self.cancel()
            except Exception:  # noqa: BLE001 - the first error is the one to report
                pass
            raise
        self._helpers = []
        self._feeders = []
        if own is None:
            w3.close_segment(main)
        final += segments + main.flushed + ([own] if own is not None else [])
        timeline = self.timeline
        timeline.lap(f"reading, writing {len(final)} segments")
        # One segment per budget's worth of postings per writer: merged by tiers (streamed,
        # so within the same budget) before the TOC lists them.
        final = merging.merge_fresh(self.ix, final, self.writers, timeline)
        # Their posting sidecars side by side (``write_missing`` would write them one
        # after the other before the publish).
        merging.write_sidecars(self.ix, final, self.writers)
        timeline.lap(f"posting sidecars of {len(final)} segments")
        w3.commit_toc(main, final)
        timeline.lap("table of contents")
        self._closed = True

    def cancel(self) -> None:
        """Stops the helpers and drops everything written; a second call does nothing (the
        indexer cancels after a failed commit, which has already cancelled)."""
        if self._closed:
            return
        self._closed = True
        for feeder in self._feeders:
            feeder.abandon(1.0)
        for process, _conn in self._helpers:
            process.join(5)
            if process.is_alive():
                process.kill()
        self._helpers = []
        self._feeders = []
        self.main.cancel()

    # -- helpers ---------------------------------------------------------------------------

    def _start_helpers(self) -> bool:
        try:
            context = multiprocessing.get_context("fork")
        except ValueError:  # no fork on this platform: one process
            return False
        index_dir = self.ix.storage.folder
        helpers = self.writers if MAIN_SHARE <= 0 else self.writers - 1
        self._shares = [max(0.0, MAIN_SHARE)] + [1.0] * helpers
        self._given = [0] * len(self._shares)
        for _ in range(helpers):
            ours, theirs = context.Pipe()
            process = context.Process(
                target=_helper,
                args=(
                    index_dir,
                    theirs,
                    os.getpid(),
                    {"limitmb": self._limitmb, "flushmb": self._flushmb},
                ),
                daemon=True,
            )
            process.start()
            theirs.close()
            self._helpers.append((process, ours))
            self._feeders.append(_Feeder(ours, (AHEAD_MB << 20) // helpers))
            self._batches.append([])
        return True
