"""A reindex whose parallel work runs on Dask ``distributed``: extraction and segment writing.

Process management (start-up, lost workers, retries, clean shutdown) is what a distributed
engine already does well, and a newspaper that outgrows one machine points ``--scheduler``
at its cluster instead of changing search engine. The coordinator (``loupe reindex``) keeps
what must stay in one place and in order: reading the files against the manifest, the
archive-level person table (each article is resolved against those before it), the NER
cache, the one table of contents and the atomic swap. Dask workers run the rest:

* ``_extract``: the NER model on the texts the cache does not hold, then the cheap rules
  (gazetteer, person linking, date). The coordinator looks the cache up and sends the spans
  it holds with the articles, and writes the spans the workers return: one SQLite file per
  index, written by one process, never read across a network file system.
* ``_write``: a run of consecutive documents written as a complete segment into the build
  folder (shared storage for a remote cluster). The table of contents lists the segments in
  the order of their documents, so documents are numbered as a one-process build numbers
  them and every search answers the same (``tests/test_distributed.py``). Before the
  commit the segments are merged by tiers, as an in-process build's (``merging``).

A worker lost mid-task has its task run again elsewhere by Dask (a segment a dead worker
left half-written is in no table of contents; the commit deletes it), or the build fails
and nothing is published. A ``LocalCluster``'s worker processes exit when the reindex
that started them dies, whatever it is doing (Dask's parent pipe, and ``lifetime``'s
parent-death signal): ``bench/dask_build.py --kill`` counts what is left after kills.

A build of fewer than ``MIN_ARTICLES`` new articles starts no cluster and runs in-process.
"""

from __future__ import annotations

import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator

from distributed import Client, KilledWorker, LocalCluster, WorkerPlugin
from whoosh import index as whoosh_index

from search.index import merging
from search.index.fastwrite import FastSegmentWriter
from search.index.indexer import ClusterError
from search.ingest.articles import Article
from search.ingest.entities import Extractor, Facets, NerCache, analyse, article_text, text_key
from search.ingest.entities.persons import Span, ner
from search.lifetime import die_with_parent

# Below this many new articles a cluster's start-up (seconds) costs more than it saves.
MIN_ARTICLES = 1_000
EXTRACT_BATCH = 64  # articles per extraction task
# Documents per segment task: the first ones small so that workers start early, then
# larger, so that a big build is not left with hundreds of segments.
WRITE_CHUNKS = (500, 1_000, 2_000)
# Extraction tasks in flight per worker: enough that while one worker writes a segment
# the others never wait for the coordinator, which takes results in order.
AHEAD = 8
# Extraction before writing on a worker that has both waiting: the coordinator waits for
# the former, the latter only at the commit.
EXTRACT_PRIORITY = 1


class Session:
    """A Dask client for one reindex: an existing scheduler, or a ``LocalCluster`` of
    ``workers`` processes (one thread each: the work holds the GIL) started on first use
    and closed with the reindex."""

    def __init__(self, scheduler: str | None, workers: int, memory_mb: int | None = None) -> None:
        self.scheduler = scheduler
        self.workers = max(1, workers)
        self.memory_mb = memory_mb
        self._client = None
        self._cluster = None

    @property
    def started(self) -> bool:
        return self._client is not None

    def client(self):
        if self._client is None:
            try:
                self._start()
            except OSError as exc:  # TimeoutError included
                self.close()
                where = self.scheduler or "LocalCluster"
                raise ClusterError(
                    f"cluster Dask injoignable ({where} : {exc}) ; l'index en service est inchangé"
                ) from exc
        return self._client

    def _start(self) -> None:
        if self.scheduler:
            self._client = Client(self.scheduler, set_as_default=False)
        else:
            memory = f"{self.memory_mb // self.workers}MB" if self.memory_mb else "auto"
            self._cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address="127.0.0.1:0",
                memory_limit=memory,
                silence_logs=logging.ERROR,
                host="127.0.0.1",
            )
            self._client = Client(self._cluster, set_as_default=False)
            # Its workers die with the reindex that started them.
            self._client.register_plugin(_DieWithParent(), name="loupe-die-with-parent")

    @staticmethod
    def result(future):
        """A task's result; a task whose workers kept dying fails the build."""
        try:
            return future.result()
        except KilledWorker as exc:
            raise ClusterError(
                f"tâche Dask perdue avec ses workers ({exc}) ; rien n'est publié"
            ) from exc

    def nworkers(self) -> int:
        if self._client is None:
            return self.workers
        return max(1, len(self._client.scheduler_info(n_workers=-1)["workers"]))

    def extractor(self, cache: NerCache | None = None, **kwargs) -> DaskExtractor:
        return DaskExtractor(self, cache, **kwargs)

    def writer(self, ix, **kwargs) -> DaskWriter:
        return DaskWriter(ix, self, **kwargs)

    def close(self) -> None:
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()


class _DieWithParent(WorkerPlugin):
    """A worker plugin: a worker of a local cluster is killed as soon as its parent, the
    reindex, is gone (``lifetime.die_with_parent``), besides Dask's own pipe check."""

    idempotent = True

    def setup(self, worker) -> None:
        import multiprocessing

        if multiprocessing.parent_process() is not None:  # the reindex's child
            die_with_parent(os.getppid())


# -- extraction ------------------------------------------------------------------------------


def _extract(
    articles: list[Article], known: list[list[Span] | None], use_ner: bool
) -> tuple[list[Facets], list[list[Span]]]:
    """On a worker: the facets of each article, and the spans of those ``known`` lacked
    (the texts without spans, each analysed once)."""
    texts = [article_text(a) for a in articles]
    todo = list(dict.fromkeys(t for t, s in zip(texts, known, strict=True) if s is None))
    found = dict(zip(todo, ner(todo), strict=True)) if use_ner and todo else {}
    facets = [
        analyse(a, t, s if s is not None else found.get(t, []))
        for a, t, s in zip(articles, texts, known, strict=True)
    ]
    return facets, [found[t] for t in todo]


class DaskExtractor(Extractor):
    """``Extractor`` whose batches run as Dask tasks once the run holds ``MIN_ARTICLES``
    new articles; a smaller run is extracted in-process (and its pool) as before."""

    def __init__(self, session: Session, cache: NerCache | None = None, **kwargs) -> None:
        super().__init__(cache, **kwargs)
        self.session = session

    def iter_extract(self, articles: Iterable[Article]) -> Iterator[tuple[Article, Facets]]:
        stream = iter(articles)
        held: list[Article] = []
        for article in stream:
            held.append(article)
            if len(held) >= MIN_ARTICLES:
                break
        else:  # a small run: no cluster
            yield from super().iter_extract(held)
            return
        client = self.session.client()  # started for the writer's sake too

        def everything() -> Iterator[Article]:
            yield from held
            yield from stream

        if not self.enabled:
            yield from super().iter_extract(everything())
            return
        ahead = AHEAD * self.session.nworkers()
        pending: deque = deque()
        batch: list[Article] = []
        for article in everything():
            batch.append(article)
            if len(batch) >= EXTRACT_BATCH:
                pending.append(self._send(client, batch))
                batch = []
                while len(pending) > ahead:
                    yield from self._receive(*pending.popleft())
        if batch:
            pending.append(self._send(client, batch))
        while pending:
            yield from self._receive(*pending.popleft())

    def _send(self, client, articles: list[Article]):
        """Looks the texts up in the cache and submits the batch."""
        if not self.use_ner:
            keys: list[str] = []
            known: list[list[Span] | None] = [[] for _ in articles]
        else:
            keys = [text_key(article_text(a)) for a in articles]
            cached = self.cache.get_many(list(dict.fromkeys(keys))) if self.cache else {}
            known = [cached.get(k) for k in keys]
            self.cache_hits += sum(1 for s in known if s is not None)
        future = client.submit(
            _extract, articles, known, self.use_ner, pure=False, priority=EXTRACT_PRIORITY
        )
        return articles, keys, known, future

    def _receive(self, articles, keys, known, future) -> Iterator[tuple[Article, Facets]]:
        facets, spans = Session.result(future)
        if self.use_ner:
            missing = list(dict.fromkeys(k for k, s in zip(keys, known, strict=True) if s is None))
            if self.cache is not None and missing:
                self.cache.put_many(zip(missing, spans, strict=True))
            self.ner_runs += len(missing)
        yield from zip(articles, facets, strict=True)


# -- writing ---------------------------------------------------------------------------------


def _drop(writer) -> None:
    """Closes a segment writer without ``cancel``, which would delete the temporary folder
    the index's writers share."""
    writer._close_segment()


# Fields that repeat another (the exact-words view of a text): sent once, copied back on
# the worker. The text is most of what goes over the wire, and through the coordinator.
_COPIES = {"title_exact": "title", "summary_exact": "summary", "body_exact": "body"}


def _slim(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if not (k in _COPIES and v is doc.get(_COPIES[k]))}


def _write(index_dir: str, docs: list[dict], writer_args: dict) -> list:
    """On a worker: ``docs`` written as a complete segment (or several, at the memory
    budget) of the index in ``index_dir``; returns their descriptions for the TOC."""
    ix = whoosh_index.open_dir(index_dir)
    writer = FastSegmentWriter(ix, _lk=False, **writer_args)
    try:
        for doc in docs:
            for copy, source in _COPIES.items():
                if copy not in doc and source in doc:
                    doc[copy] = doc[source]
            writer.add_document(**doc)
        segments = list(writer.flushed)
        if writer._added:
            segments.append(writer._finalize_segment())
        else:
            writer._close_segment()
        return segments
    except BaseException:
        _drop(writer)
        raise


class DaskWriter:
    """The writer of a new index whose segments Dask workers write, in runs of consecutive
    documents; the coordinator commits one TOC listing them in order. When the session was
    never started (a small run), documents go to an in-process writer.

    Only ``add_document`` is spread out (builds from scratch, as ``ParallelWriter``)."""

    def __init__(self, ix, session: Session, limitmb: int = 256, flushmb: float | None = None):
        self.ix = ix
        self.session = session
        self.main = FastSegmentWriter(ix, limitmb=limitmb, flushmb=flushmb)
        self._args = {"limitmb": limitmb, "flushmb": flushmb}
        self._docs: list[dict] = []
        self._futures: list = []
        self._closed = False

    def _chunk(self) -> int:
        return WRITE_CHUNKS[min(len(self._futures), len(WRITE_CHUNKS) - 1)]

    def add_document(self, **doc) -> None:
        if not self.session.started:
            self.main.add_document(**doc)
            return
        self._docs.append(_slim(doc))
        if len(self._docs) >= self._chunk():
            self._submit()

    def _submit(self) -> None:
        docs, self._docs = self._docs, []
        client = self.session.client()
        folder = self.ix.storage.folder
        self._futures.append(client.submit(_write, folder, docs, self._args, pure=False))

    def update_document(self, **doc) -> None:  # only builds from scratch come here
        raise NotImplementedError("DaskWriter écrit un nouvel index : pas de mise à jour")

    def delete_by_term(self, fieldname: str, text) -> None:
        raise NotImplementedError("DaskWriter écrit un nouvel index : pas de suppression")

    def commit(self) -> None:
        """Waits for every segment task (a failed or lost one fails the build), merges
        their segments by tiers and commits one TOC that lists them."""
        if not (self._futures or self._docs):  # the session never started: all in-process
            self._closed = True
            self.main.commit()
            return
        try:
            if self._docs:
                self._submit()
            segments = [seg for future in self._futures for seg in Session.result(future)]
            # One segment per task: merged by tiers as an in-process build's are
            # (``merging.merge_fresh``, streamed, in forked processes on the coordinator,
            # which holds the build folder).
            segments = merging.merge_fresh(self.ix, segments, self.session.nworkers())
        except BaseException:
            self.cancel()
            raise
        self._futures = []
        main = self.main
        main._close_segment()
        main._commit_toc(segments)  # also deletes files of segments no TOC lists
        main._finish()
        self._closed = True

    def cancel(self) -> None:
        """Cancels the tasks still running and drops everything written (the build folder
        is deleted by the reindex)."""
        if self._closed:
            return
        self._closed = True
        futures, self._futures = self._futures, []
        if futures and self.session.started:
            try:
                self.session.client().cancel(futures)
            except Exception:  # noqa: BLE001 - the first error is the one to report
                pass
        self.main.cancel()
