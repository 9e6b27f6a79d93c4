"""Entity facets of an article: countries, persons and the publication date.

One entry point: ``extract(articles) -> list[Facets]`` (or an ``Extractor`` when the NER
results should be cached and the model run in worker processes, as ``reindex`` does).

The expensive step is spaCy's NER; its raw spans are cached by a hash of the analysed text
and the model's version. Everything else (the gazetteer, the clean-up and merging rules,
the date) is cheap and recomputed every time, so improving a rule never needs the model.
"""

from __future__ import annotations

import functools
import hashlib
import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field

from search.ingest.articles import Article
from search.ingest.entities import archive_types
from search.ingest.entities.cache import NerCache
from search.ingest.entities.countries import (
    DATA,
    country_label,
    french_context,
    gazetteer,
    resolve_country,
)
from search.ingest.entities.dates import publication_date
from search.ingest.entities.persons import Span, find_persons, load_model, model_id, ner
from search.lifetime import cores, die_with_parent

__all__ = [
    "Extractor",
    "Facets",
    "NerCache",
    "article_text",
    "country_label",
    "default_workers",
    "extract",
    "fingerprint",
    "resolve_country",
]

# Bump when a rule changes how facets are derived (the data files are hashed already).
EXTRACTOR_VERSION = "36"
BATCH_SIZE = 64
# Below this many texts to analyse, worker processes cost more than they save.
MIN_PARALLEL = 16


@dataclass
class Facets:
    """What the extractor found in one article."""

    countries: list[tuple[str, int]] = field(default_factory=list)  # (ISO code, mentions)
    persons: list[tuple[str, int]] = field(default_factory=list)  # (full name, mentions)
    date: object = None  # datetime.date | None
    date_source: str = ""
    # How the model labelled each name (``archive_types.sightings``): the index's table.
    names: dict[str, archive_types.Row] = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "countries": [
                {"code": c, "label": country_label(c), "mentions": n} for c, n in self.countries
            ],
            "persons": [{"name": p, "mentions": n} for p, n in self.persons],
            "date": self.date.isoformat() if self.date else None,  # type: ignore[attr-defined]
            "date_source": self.date_source,
        }


def article_text(article: Article) -> str:
    """Title, lead, caption and body as one text; a lead repeated by the body counts once."""
    summary = article.summary.strip()
    body = article.body.strip()
    if summary and " ".join(body.split()).startswith(" ".join(summary.split())):
        summary = ""
    parts = [article.title.strip(), summary, article.caption.strip(), body]
    return "\n\n".join(p for p in parts if p)


def text_key(text: str) -> str:
    return hashlib.sha1(f"{model_id()}\0{text}".encode()).hexdigest()


def analyse(
    article: Article, text: str, spans: list[Span], archive: archive_types.Archive | None = None
) -> Facets:
    """The facets of one article from its text and raw NER spans (cheap, no model);
    ``archive``: the index's name counts for the type vote (the shipped table alone without)."""
    gaz = gazetteer()
    people = find_persons(text, spans, gaz, archive)
    person_spans = [s for p in people for s in p.spans]
    counts: Counter[str] = Counter(m.code for m in gaz.find(text, person_spans))
    if "FR" not in counts:
        french = french_context(text, len(counts))
        if french:
            counts["FR"] = french
    date, source = publication_date(article.date, article.date_source, text, article.path)
    return Facets(
        countries=list(counts.items()),
        persons=[(p.name, p.mentions) for p in people],
        date=date,
        date_source=source,
        names=archive_types.sightings(text, spans),
    )


def _ner_worker(texts: list[str]) -> list[list[Span]]:
    return ner(texts)


def _exit_with_parent(parent: int) -> None:
    """A NER worker whose reindex was killed dies with it, even in the middle of a batch,
    instead of lingering with the model in memory."""
    die_with_parent(parent)


@dataclass
class _Batch:
    articles: list[Article]
    texts: list[str]
    keys: list[str]
    cached: dict[str, list[Span]]
    missing: list[str]
    done: list[list[Span]] | None = None
    futures: list[Future] = field(default_factory=list)


class Extractor:
    """Runs extraction over many articles: NER cache look-ups, batches, worker processes.

    ``ner_runs`` counts the texts the model analysed and ``cache_hits`` the articles whose
    spans came from the cache, so callers can show that unchanged text is never re-analysed.
    """

    def __init__(
        self,
        cache: NerCache | None = None,
        workers: int = 1,
        batch_size: int = BATCH_SIZE,
        use_ner: bool = True,
        enabled: bool = True,
        archive: archive_types.Archive | None = None,
    ) -> None:
        self.cache = cache
        self.workers = max(1, workers)
        # Without NER (``loupe reindex --no-ner``) persons are not found; countries and
        # dates, which need no model, still are.
        self.use_ner = use_ner and enabled
        # Disabled (``loupe reindex --no-entities``): no facet is looked for in the text;
        # the record's own date, countries and persons still count.
        self.enabled = enabled
        self.batch_size = batch_size
        # The index's name counts, read as each article is analysed (``people``).
        self.archive = archive
        self.ner_runs = 0
        self.cache_hits = 0
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Extractor:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def extract(self, articles: Iterable[Article]) -> list[Facets]:
        return [facets for _article, facets in self.iter_extract(articles)]

    def iter_extract(self, articles: Iterable[Article]) -> Iterator[tuple[Article, Facets]]:
        """(article, facets) in input order; batches overlap so workers never wait."""
        if not self.enabled:
            for article in articles:
                yield article, Facets()
            return
        pending: deque[_Batch] = deque()
        batch: list[Article] = []
        for article in articles:
            batch.append(article)
            if len(batch) >= self.batch_size:
                pending.append(self._submit(batch))
                batch = []
                while len(pending) > self.workers:
                    yield from self._finish(pending.popleft())
        if batch:
            pending.append(self._submit(batch))
        while pending:
            yield from self._finish(pending.popleft())

    def _submit(self, articles: list[Article]) -> _Batch:
        texts = [article_text(a) for a in articles]
        if not self.use_ner:
            return _Batch(articles, texts, [""] * len(texts), {"": []}, [], done=[])
        keys = [text_key(t) for t in texts]
        unique = list(dict.fromkeys(keys))
        cached = self.cache.get_many(unique) if self.cache else {}
        missing = [k for k in unique if k not in cached]
        by_key = dict(zip(keys, texts, strict=True))
        todo = [by_key[k] for k in missing]
        batch = _Batch(articles, texts, keys, cached, missing)
        if not todo:
            batch.done = []
        elif self.workers > 1 and len(todo) >= MIN_PARALLEL:
            pool = self._get_pool()
            size = -(-len(todo) // self.workers)
            batch.futures = [
                pool.submit(_ner_worker, todo[i : i + size]) for i in range(0, len(todo), size)
            ]
        else:
            batch.done = ner(todo)
        return batch

    def _finish(self, batch: _Batch) -> Iterator[tuple[Article, Facets]]:
        done = batch.done
        if done is None:
            done = [spans for f in batch.futures for spans in f.result()]
        new = dict(zip(batch.missing, done, strict=True))
        if self.cache is not None and new:
            self.cache.put_many(new.items())
        self.ner_runs += len(new)
        if self.use_ner:
            self.cache_hits += sum(1 for k in batch.keys if k in batch.cached)
        for article, text, key in zip(batch.articles, batch.texts, batch.keys, strict=True):
            spans = new[key] if key in new else batch.cached[key]
            yield article, analyse(article, text, spans, self.archive)

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            methods = multiprocessing.get_all_start_methods()
            if "fork" in methods:
                # Load the model once here: forked workers share it instead of each
                # spending seconds loading their own copy.
                load_model()
                ctx = multiprocessing.get_context("fork")
                self._pool = ProcessPoolExecutor(
                    self.workers,
                    mp_context=ctx,
                    initializer=_exit_with_parent,
                    initargs=(os.getpid(),),
                )
            else:  # pragma: no cover - macOS/Windows
                self._pool = ProcessPoolExecutor(self.workers, initializer=load_model)
        return self._pool


@functools.lru_cache(maxsize=1)
def fingerprint() -> str:
    """Version of everything extraction depends on: rules, data files and the model."""
    digest = hashlib.sha1(f"{EXTRACTOR_VERSION}:{model_id()}".encode())
    for path in sorted(DATA.iterdir(), key=lambda p: p.name):
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def default_workers() -> int:
    """One worker process per core."""
    return cores()


def extract(articles: Iterable[Article], workers: int = 1) -> list[Facets]:
    """The facets of each article, in order (no cache)."""
    with Extractor(workers=workers) as extractor:
        return extractor.extract(articles)
