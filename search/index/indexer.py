"""``loupe reindex``: diff articles by content hash, write a new generation, swap it in.

The new generation is built in a temporary folder beside the served one (a copy of
it for an incremental run) and published by one atomic rename, so a crash or a bad
file never leaves a half-built index in use.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import index as whoosh_index

from search.index import merging, postings_mmap, storage, w3
from search.index.fastwrite import FastSegmentWriter
from search.index.manifest import Manifest, Signature, path_key, read_meta, signature
from search.index.parallel import ParallelWriter, default_writers
from search.index.people import FILE as PERSONS_FILE
from search.index.people import PersonTable
from search.index.phases import Phase, Timeline
from search.index.schema import SEPARATOR, build_schema
from search.ingest.articles import Article
from search.ingest.entities import Extractor, Facets, NerCache, default_workers, fingerprint
from search.ingest.readers import Problem, iter_files, read_file
from search.ingest.readers.decode import Throttle

# Version 2: country names resolved in the facet analyzer and entity facets extracted;
# version 3: the publication timestamp stored; 4: its instant as a sort column. An index
# written by an older version is rebuilt in full, since its stored schema predates it.
# 5: persons.sqlite (archive-level person names) and the source column; 6: the source
# indexed as a keyword (``-source:AFP``).
# 7: manifest.sqlite and persons.sqlite are the index's, stamped, no longer in each generation.
MANIFEST_VERSION = 7

# What a build may use in all (its processes together), in MB: sized for a 2-core, 8 GB
# machine that also serves searches. ``LOUPE_BUILD_MEMORY_MB`` or ``--memory-mb`` change it.
DEFAULT_MEMORY_MB = 2048
# A writer's resident memory is about this many times the postings it gathered, at its
# peak (the commit's sort and block arrays): 2.3 measured on 4,000 OrangeSum articles.
POSTINGS_OVERHEAD = 2.5
BASE_MB = 200  # a process with Loupe and its libraries loaded (RSS, shared pages counted)


def memory_budget(memory_mb: int | None = None) -> int:
    """The build's memory budget in MB: the argument, else ``LOUPE_BUILD_MEMORY_MB``, else
    ``DEFAULT_MEMORY_MB``."""
    if memory_mb:
        return memory_mb
    value = os.environ.get("LOUPE_BUILD_MEMORY_MB", "")
    return int(value) if value.strip().isdigit() and int(value) > 0 else DEFAULT_MEMORY_MB


def flush_mb(memory_mb: int, writers: int) -> float:
    """Postings each writer process gathers before it writes a segment out, so that the
    reading process and ``writers`` writers stay within ``memory_mb`` together."""
    spare = max(memory_mb - BASE_MB * (writers + 1), 32 * writers)
    return spare / writers / POSTINGS_OVERHEAD


@dataclass
class ReindexResult:
    """The closing summary of a reindex."""

    indexed: int = 0
    unchanged: int = 0
    files_read: int = 0  # files opened this run (the others were unchanged)
    removed: int = 0
    duplicates: int = 0
    files: int = 0
    total: int = 0
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    elapsed: float = 0.0
    generation: str = ""
    changed: bool = False
    ner_runs: int = 0  # texts the NER model analysed
    ner_cached: int = 0  # articles whose NER spans came from the cache
    kept: int = 0  # articles kept as they were because their file or folder was unreadable
    # Wall and CPU time of each phase of the run (``phases``; ``loupe reindex --timings``).
    phases: list[Phase] = field(default_factory=list)
    # The first few problems of each file are listed, the others counted (a file of 3
    # million bad lines must not hold 3 million Problems).
    throttle: Throttle = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.throttle = Throttle(self._keep)

    def _keep(self, problem: Problem) -> None:
        (self.skipped if problem.skipped else self.warnings).append(problem)

    def report(self, problem: Problem) -> None:
        self.throttle(problem)

    @property
    def skipped_count(self) -> int:
        """Records and files skipped, those not listed included."""
        return len(self.skipped) + self.throttle.hidden_skipped


class BadPaths(ValueError):
    """No folder to index, or one given is missing: a usage error (exit 2), index unchanged."""


class ClusterError(RuntimeError):
    """The Dask cluster could not be reached or lost the build's work: nothing published."""


class StrictAbort(Exception):
    """``--strict``: some input was skipped, so nothing was published."""

    def __init__(self, result: ReindexResult) -> None:
        super().__init__(f"{result.skipped_count} entrée(s) ignorée(s) : index inchangé (--strict)")
        self.result = result


# Called after each file with (files done, files in all, articles read so far).
Progress = Callable[[int, int, int], None]


def _clean_values(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        v = " ".join(str(v).replace(",", " ").split())
        if v:
            seen.setdefault(v, None)
    return list(seen)


def _instant(published: str, date) -> int:
    """Unix seconds of a publication timestamp of the article's own day (a time without an
    offset read as UTC), 0 when there is none."""
    if not published or date is None or not published.startswith(date.isoformat()):
        return 0
    try:
        stamp = dt.datetime.fromisoformat(published)
    except ValueError:
        return 0
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.timezone.utc)
    return int(stamp.timestamp())


def document(article: Article, content_hash: str, facets: Facets | None = None) -> dict:
    """The Whoosh document for an article: both text views, stored fields, facet columns.

    Facet values are the record's own (``countries``, ``persons``) followed by what the
    extractor found; the date is the record's, else the one the extractor found.
    """
    facets = facets or Facets()
    countries = _clean_values(
        [c.upper() for c in article.countries] + [c for c, _n in facets.countries]
    )
    persons = _clean_values(list(article.persons) + [p for p, _n in facets.persons])
    tags = _clean_values(article.tags)
    section = " ".join(article.section.replace(",", " ").split())
    date = article.date or facets.date
    date_source = article.date_source if article.date else facets.date_source
    day = date.toordinal() if date else 0
    published = article.published if article.date else ""
    doc = {
        "id": article.id,
        "title": article.title,
        "title_exact": article.title,
        "summary": article.summary,
        "summary_exact": article.summary,
        "body": article.body,
        "body_exact": article.body,
        "caption": article.caption,
        "url": article.url,
        "source": " ".join(article.source.split()),
        "path": article.path,
        "content_hash": content_hash,
        "date_source": date_source if date else "",
        "published": published,
        "col_country": SEPARATOR.join(countries).encode("utf-8"),
        "col_person": SEPARATOR.join(persons).encode("utf-8"),
        "col_section": section.encode("utf-8"),
        "col_source": " ".join(article.source.split()).encode("utf-8"),
        "col_day": day,
        "col_instant": _instant(published, date),
    }
    if section:
        doc["section"] = section
    if countries:
        doc["country"] = ",".join(countries)
        doc["_stored_country"] = countries
    if persons:
        doc["person"] = ",".join(persons)
        doc["_stored_person"] = persons
    if tags:
        doc["tags"] = ",".join(tags)
        doc["_stored_tags"] = tags
    if date:
        doc["date"] = dt.datetime.combine(date, dt.time())
    return doc


def reindex(
    paths: Iterable[str | Path],
    index_dir: str | Path,
    full: bool = False,
    progress: Progress | None = None,
    strict: bool = False,
    workers: int | None = None,
    writers: int | None = None,
    ner: bool = True,
    entities: bool = True,
    follow_links: bool = False,
    memory_mb: int | None = None,
    since: float | None = None,
    dask: bool = False,
    scheduler: str | None = None,
) -> ReindexResult:
    """Makes the index at ``index_dir`` mirror the articles found under ``paths``.

    Incremental by default: unchanged articles (same content hash) are kept as they
    are, changed ones re-analysed, those no longer found removed. With no paths, the
    folders of the previous run are read again. Raises ``storage.IndexLocked`` when
    another reindex holds the index, and ``StrictAbort`` (publishing nothing) when
    ``strict`` and some input was skipped. A build from scratch of more than a few
    thousand articles is written by ``writers`` processes (default: one per core, at
    most 4; see ``parallel.ParallelWriter``).

    New and changed articles go through entity extraction; the NER model's output is cached
    by text hash in ``index_dir/cache/``, so unchanged text is never analysed twice, and a
    large batch runs in ``workers`` processes (default: one per core). ``ner=False`` skips
    the model (persons by rules only, several times faster); ``entities=False`` looks for
    no facet in the text at all (text indexing alone: dates, countries and persons only as
    the records give them). Articles written either way are marked so that the next full
    run analyses them.

    ``dask`` (a ``LocalCluster`` of ``workers`` processes) or ``scheduler`` (an existing
    cluster) runs extraction and, for a build from scratch, segment writing on Dask
    ``distributed`` (``distributed``); a run of few new articles stays in-process.

    Symbolic links resolving outside ``paths`` are skipped unless ``follow_links``. A file
    or folder that is there but unreadable keeps its articles as they were (an incremental
    run); only a file that is gone removes them.
    """
    started = time.perf_counter()
    timeline = Timeline()
    index_dir = Path(index_dir)
    result = ReindexResult(phases=timeline.phases)
    with storage.reindex_lock(index_dir):
        storage.remove_dead_builds(index_dir)
        current, damage = _served_generation(index_dir)
        old = read_meta(current or _newest(index_dir))
        given = [str(Path(p).resolve()) for p in paths]
        roots = given or list(old["roots"])
        # A run without paths reads the previous run's folders the way it read them.
        follow_links = follow_links or (not given and bool(old.get("follow_links")))
        if not roots:
            raise BadPaths("Aucun dossier à indexer : donnez au moins un chemin.")
        missing = [r for r in roots if not Path(r).exists()]
        if missing:
            # A moved or unmounted folder must not empty the index.
            raise BadPaths(f"Chemin introuvable : {', '.join(missing)} ; l'index est inchangé.")
        incremental = (
            current is not None
            and not full
            and old.get("version") == MANIFEST_VERSION
            # The index's person table goes with the same generation as its manifest.
            and storage.read_stamp(index_dir / PERSONS_FILE) == current.name
        )
        if incremental and current is not None:
            # Sizes, and the bytes of any file modified since it was published: a stat per
            # file, not a read of the archive (``loupe check`` reads everything).
            damage = damage or storage.verify_generation(current, storage.CHECKSUMS)
        if damage:  # never build on damaged files: rebuild everything, and say so
            incremental = False
            result.report(
                Problem(
                    str(index_dir),
                    f"index endommagé ({damage[0]}) : reconstruction complète",
                    skipped=False,
                )
            )
        budget = memory_budget(memory_mb)

        build = storage.new_build_dir(index_dir)
        session = _dask_session(dask, scheduler, workers, budget, ner and entities)
        try:
            if incremental:
                # The new generation shares the current one's segment files (hard links:
                # a segment never changes once written; deletions live in the TOC).
                ix = whoosh_index.open_dir(str(current))
                storage.share_segments(
                    current, build, [seg.segment_id() for seg in w3.segments(ix)]
                )
                ix = whoosh_index.open_dir(str(build))
                writer = FastSegmentWriter(ix, limitmb=256, flushmb=flush_mb(budget, 1))
                writer.mergetype = merging.tiered
                manifest = Manifest.for_build(current, build)
            else:
                ix = whoosh_index.create_in(str(build), build_schema())
                count = default_writers() if writers is None else writers
                # A big pool: spilling sorted runs to disk and merging them back
                # costs a third of a large build.
                if session is not None:
                    writer = session.writer(ix, limitmb=1024, flushmb=flush_mb(budget, count))
                else:
                    writer = ParallelWriter(
                        ix, count, limitmb=1024, flushmb=flush_mb(budget, count),
                        timeline=timeline,
                    )
                manifest = Manifest.for_build(None, build)
            cache = NerCache(storage.cache_dir(index_dir) / "ner.sqlite")
            # The index's manifest and person table are changed in place (one transaction
            # each, committed just before the publish) by an incremental run; a fresh build
            # writes new ones (``storage``).
            people = PersonTable.for_build(current if incremental else None, build)
            extractor = (session.extractor if session is not None else Extractor)(
                cache,
                workers=workers or default_workers(),
                use_ner=ner,
                enabled=entities,
                archive=people,  # the type vote counts the archive's own articles
            )
            timeline.lap("opening the index")
            try:
                read_again = _write_articles(
                    roots, writer, manifest, result, progress, extractor, people,
                    incremental, since, follow_links, session,
                )
                if strict and result.skipped:
                    raise StrictAbort(result)
                result.kept = manifest.keep_under(
                    [path_key(p.path) for p in result.skipped if p.unreadable]
                )
                removed = manifest.remove_missing(everywhere=since is None)
                for article_id in removed:
                    writer.delete_by_term("id", article_id)
                people.remove(removed)
                result.removed = len(removed)
                result.changed = bool(result.indexed or result.removed or not incremental)
                if result.changed:
                    writer.commit()
                else:
                    writer.cancel()
                    # Sidecars of an older format are not read: a run with nothing new
                    # publishes the same segments with them rewritten (once).
                    result.changed = postings_mmap.outdated(build)
                # A ParallelWriter's commit lapped its own phases.
                parallel = isinstance(writer, ParallelWriter)
                timeline.lap("commit" if parallel else "reading, writing, committing")
                if not incremental and ner and entities:
                    cache.prune()  # a full run asked for every text there is
            except BaseException:
                writer.cancel()
                manifest.close()
                people.close()
                raise
            finally:
                extractor.close()
                cache.close()
                result.ner_runs, result.ner_cached = extractor.ner_runs, extractor.cache_hits
            result.total = manifest.count()
            # Files read again with nothing new in them (touched, or a first run after the
            # JSON manifest) are recorded too, so that the next run can skip them.
            result.files_read = read_again
            try:
                if result.changed:
                    manifest.set_meta(MANIFEST_VERSION, roots, _salt(extractor), follow_links)
                    # Posting arrays numpy maps, for the segments this run wrote
                    # (postings_mmap), then the size and CRC-32 of every file (those it
                    # shares with the current generation keep theirs).
                    postings_mmap.write_missing(build)
                    timeline.lap("posting sidecars left to write")
                    storage.write_checksums(build, current if incremental else None)
                    timeline.lap("checksums")
                    name = storage.generation_name(build)
                    people.commit(name, index_dir)
                    manifest.commit(name, index_dir)  # from here the next run trusts them
                    gen = storage.publish(index_dir, build)
                    timeline.lap("manifest, person table, publish")
                else:
                    if read_again or roots != old["roots"]:  # the index's manifest, in place
                        manifest.set_meta(MANIFEST_VERSION, roots, _salt(extractor), follow_links)
                        manifest.commit(current.name, index_dir)
                    if people.filled and people.path.parent == index_dir:
                        # An older table's sums, counted once from its rows (``people``).
                        people.commit(current.name, index_dir)
                    shutil.rmtree(build, ignore_errors=True)
                    gen = current
            finally:
                manifest.close()
                people.close()
            result.generation = gen.name if gen else ""
        except BaseException:
            if session is not None:  # its workers stop writing before the folder goes
                session.abort()
            shutil.rmtree(build, ignore_errors=True)
            raise
        finally:
            if session is not None:
                session.close()
    result.elapsed = time.perf_counter() - started
    return result


def _dask_session(
    dask: bool, scheduler: str | None, workers: int | None, budget: int, ner: bool
):
    """The Dask session of a run that asked for one (imported only then); its workers
    load the NER model as they start when the run uses it."""
    if not (dask or scheduler):
        return None
    from search.index.distributed import Session

    return Session(scheduler, workers or default_workers(), budget, preload=ner)


def _served_generation(index_dir: Path) -> tuple[Path | None, list[str]]:
    """The generation in use, or None with what is wrong when ``CURRENT`` is damaged."""
    try:
        return storage.read_current(index_dir), []
    except storage.IndexDamaged as exc:
        return None, [exc.detail]


def _newest(index_dir: Path) -> Path | None:
    """The newest generation: where the folders of the last run are read from when
    ``CURRENT`` is damaged (its articles are not trusted, only its roots)."""
    found = storage.generations(index_dir)
    return found[-1] if found else None


def _salt(extractor: Extractor) -> str:
    """What the content hash mixes in besides the text: the extractor's version and data,
    and how it ran (without NER, or without entities, the next run analyses again)."""
    if not extractor.enabled:
        return f"{fingerprint()}:no-entities"
    return fingerprint() if extractor.use_ner else f"{fingerprint()}:no-ner"


def _read_files(todo: list, report, stats: dict) -> Iterator[Iterator[Article]]:
    """The articles of each file of ``todo`` in turn, read here."""
    for path, root, _sig in todo:
        yield read_file(path, root, report, stats=stats)


def _write_articles(  # noqa: PLR0913 - the run's state, passed down once
    roots: list[str],
    writer,
    manifest: Manifest,
    result: ReindexResult,
    progress: Progress | None,
    extractor: Extractor,
    people: PersonTable,
    incremental: bool,
    since: float | None,
    follow_links: bool = False,
    session=None,
) -> int:
    """Reads new and changed files (on Dask with a ``session``), extracts and writes new or
    changed articles, and records them in ``manifest``; returns how many files were read.

    A file whose size, modification time and inode are those of the last run (analysed
    the same way) is skipped without being read: its articles stay as they are. With
    ``since`` (a Unix time), only files modified since then are read."""
    salt = _salt(extractor)
    files = list(iter_files(roots, result.report, follow_links=follow_links))
    result.files = len(files)
    known = manifest.files() if incremental and manifest.salt == salt else {}
    manifest.start_run()
    manifest.mark_walked(path_key(path) for path, _root in files)
    # First every file's signature, so that an article of a skipped file counts as read
    # first whatever the order.
    todo: list[tuple[Path, Path, Signature | None]] = []
    kept: set[str] = set()
    for path, root in files:
        try:
            st = path.stat()
        except OSError:
            sig = None  # read_file names the problem
        else:
            sig = signature(st)
            before = known.get(path_key(path))
            if (before and before[0] == sig) or (since is not None and st.st_mtime < since):
                kept.add(path_key(path))
                result.unchanged += before[1] if before else 0
                continue
        todo.append((path, root, sig))
    stats: dict[str, int] = {}
    replaced: set[str] = set()
    digests: dict[str, str] = {}

    read = session.read_files if session is not None else _read_files
    sources = read(todo, result.report, stats)

    def changed() -> Iterator[Article]:
        for done, ((path, _root, sig), articles) in enumerate(
            zip(todo, sources, strict=True), 1
        ):
            key = path_key(path)
            count = 0
            problems = len(result.skipped)
            for article in articles:
                previous = manifest.article(article.id)
                # Read earlier in this run, or kept from a file not read again: first wins.
                if not manifest.first_sight(article.id) or (previous and previous[2] in kept):
                    first = previous[1] if previous else "?"
                    result.report(
                        Problem(
                            str(path),
                            f"identifiant « {article.id} » déjà lu dans {first} : article ignoré",
                            article.line,
                        )
                    )
                    continue
                # The extractor's version and data are part of the hash: improving a rule
                # or the gazetteer re-analyses every article on the next run.
                digest = hashlib.sha1(f"{article.content_hash()}:{salt}".encode()).hexdigest()
                manifest.put_article(article.id, digest, article.path or key, key)
                count += 1
                if previous and previous[0] == digest:
                    result.unchanged += 1
                    continue
                if previous:
                    replaced.add(article.id)
                digests[article.id] = digest
                yield article
            # A file with a problem is read again (and the problem named) on every run; one
            # that could not be read at all keeps the articles it had.
            failed = len(result.skipped) > problems
            if count or not failed:
                manifest.mark_read(key)
            manifest.put_file(key, None if failed else sig, count)
            if progress:
                progress(done, len(todo), result.unchanged + len(digests))

    for article, facets in extractor.iter_extract(changed()):
        # Archive-level names: resolved against the articles written so far, then added.
        date = article.date or facets.date
        day = date.toordinal() if date else 0
        if article.id in replaced:
            people.remove([article.id])
        resolved = people.resolve(facets.persons, day)
        people.add(article.id, day, resolved)
        people.add_countries(article.id, day, facets.countries)
        people.add_names(article.id, facets.names)
        facets.persons = [(r.canonical, r.mentions) for r in resolved]
        doc = document(article, digests.pop(article.id), facets)
        if article.id in replaced:
            writer.update_document(**doc)
        else:
            writer.add_document(**doc)
        result.indexed += 1
    result.duplicates = stats.get("duplicates", 0)
    return len(todo)
