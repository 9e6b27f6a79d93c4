"""On-disk layout of an index folder, and the atomic swap between generations.

::

    index/
      CURRENT          name of the generation in use ("gen-000003"), replaced atomically
      gen-000003/      a complete Whoosh index; its segment files are hard links shared
                       with the generation before
      gen-000002/      the previous one, kept so open searchers can finish
      tmp-000004/      a reindex under way (or a dead one, removed by the next reindex)
      manifest.sqlite  what the index holds (``manifest.Manifest``), stamped with the
                       generation it describes
      persons.sqlite   the archive's person names (``people.PersonTable``), stamped too
      reindex.lock     held (flock) by the one reindex allowed at a time
      cache/           kept across generations: ner.sqlite, the NER results by text hash

Readers only ever open what CURRENT names, and CURRENT only ever names a finished
generation, so a crash at any point leaves the served index whole.

The two SQLite files are the index's, not a generation's (an update used to copy them
whole into each new generation: a cost that grew with the archive). An incremental run
changes them in place inside one transaction (rollback journal: a crash undoes it), a
fresh build writes new ones in its build folder and renames them into place; either is
committed with the new generation's name just before ``publish``. A run that fails
before then leaves them as they were; a crash between the two leaves a stamp that is not
CURRENT's, and the next run rebuilds in full instead of trusting them.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import shutil
import sqlite3
import zlib
from collections.abc import Iterator
from pathlib import Path

CURRENT = "CURRENT"
MANIFEST = "manifest.json"
LOCK = "reindex.lock"
KEEP_GENERATIONS = 2  # the current one and the one it replaced


class IndexProblem(Exception):
    """Base for index problems that are shown to the user as one clear sentence."""


class IndexNotFound(IndexProblem):
    pass


class IndexLocked(IndexProblem):
    pass


class IndexDamaged(IndexProblem):
    """The generation in use cannot be read as written (a damaged disk, a hand edit)."""

    def __init__(self, index_dir: Path, detail: str) -> None:
        super().__init__(
            f"L'index {index_dir} est endommagé ({detail}) : reconstruisez-le avec "
            f"« loupe reindex --full --index {index_dir} »."
        )
        self.detail = detail


_GEN_NAME = re.compile(r"gen-\d{6,}")


def read_current(index_dir: Path) -> Path | None:
    """The folder ``CURRENT`` names; None when there is no ``CURRENT`` (nothing indexed
    yet); ``IndexDamaged`` when it holds anything but the name of a generation folder
    beside it (garbage, ``../other``, a folder that is gone)."""
    try:
        raw = (index_dir / CURRENT).read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexDamaged(index_dir, f"{CURRENT} illisible : {exc.strerror or exc}") from None
    try:
        name = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        name = "\x00"
    if not _GEN_NAME.fullmatch(name):
        shown = name[:40] if name.isprintable() else repr(raw[:40])
        raise IndexDamaged(index_dir, f"{CURRENT} ne nomme pas une génération : « {shown} »")
    gen = index_dir / name
    if not gen.is_dir():
        raise IndexDamaged(index_dir, f"la génération {name} que nomme {CURRENT} n'existe pas")
    return gen


def current_generation(index_dir: Path) -> Path | None:
    """The folder of the generation in use, or None when nothing was indexed yet (or
    ``CURRENT`` is damaged: see ``read_current``)."""
    try:
        return read_current(index_dir)
    except IndexDamaged:
        return None


def require_generation(index_dir: Path) -> Path:
    gen = read_current(index_dir)
    if gen is None:
        raise IndexNotFound(
            f"Aucun index dans {index_dir} : lancez d'abord « loupe reindex DOSSIER »."
        )
    return gen


def _number(name: str) -> int:
    try:
        return int(name.split("-", 1)[1])
    except (IndexError, ValueError):
        return 0


def generations(index_dir: Path) -> list[Path]:
    """Finished generations, oldest first."""
    if not index_dir.is_dir():
        return []
    gens = [p for p in index_dir.iterdir() if p.is_dir() and p.name.startswith("gen-")]
    return sorted(gens, key=lambda p: _number(p.name))


def new_build_dir(index_dir: Path) -> Path:
    """A fresh temporary folder for the next generation."""
    numbers = [_number(p.name) for p in index_dir.iterdir() if p.name.startswith(("gen-", "tmp-"))]
    build = index_dir / f"tmp-{max(numbers, default=0) + 1:06d}"
    build.mkdir()
    return build


def remove_dead_builds(index_dir: Path) -> list[Path]:
    """Removes what a killed reindex left behind (only ever called under the lock): its
    build folder, and a generation renamed into place whose CURRENT was never written.
    With a damaged ``CURRENT`` no generation is touched (the next publish replaces them)."""
    try:
        current = read_current(index_dir)
        damaged = False
    except IndexDamaged:
        current, damaged = None, True
    newest = _number(current.name) if current else 0
    dead = [
        p
        for p in index_dir.iterdir()
        if p.name.startswith("tmp-")
        or (not damaged and p.name.startswith("gen-") and _number(p.name) > newest)
    ]
    for p in dead:
        shutil.rmtree(p, ignore_errors=True)
    stale = index_dir / (CURRENT + ".tmp")
    if stale.exists():
        stale.unlink()
    return dead


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def publish(index_dir: Path, build: Path) -> Path:
    """Turns a finished build into the current generation in one atomic rename.

    The generation it replaces is kept (searchers may still be reading it); older
    ones are removed.
    """
    previous = current_generation(index_dir)
    gen = index_dir / generation_name(build)
    os.replace(build, gen)
    tmp = index_dir / (CURRENT + ".tmp")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(gen.name + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / CURRENT)
    _fsync_dir(index_dir)
    keep = {gen, previous}
    for old in generations(index_dir):
        if old not in keep:
            shutil.rmtree(old, ignore_errors=True)
    return gen


@contextlib.contextmanager
def reindex_lock(index_dir: Path) -> Iterator[None]:
    """One reindex at a time; a second one is refused with a clear message.

    Processes forked while it is held (NER workers, index writers) close their copy of the
    lock at once (``_forget_locks_in_child``): if the reindex is killed, the lock goes
    with it, even while a worker is still finishing.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    fh = open(index_dir / LOCK, "a+")
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.EAGAIN, errno.EACCES):
                raise IndexLocked(
                    f"Une autre réindexation de {index_dir} est en cours ; réessayez quand elle "
                    "sera terminée."
                ) from None
            raise
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        _HELD_LOCKS.add(fh.fileno())
        yield
    finally:
        _HELD_LOCKS.discard(fh.fileno())
        fh.close()


_HELD_LOCKS: set[int] = set()  # descriptors of the reindex locks this process holds


def _forget_locks_in_child() -> None:
    """In a forked child: close the inherited lock descriptors (the parent's stay locked;
    a flock is released when the last descriptor of it is closed)."""
    for fd in list(_HELD_LOCKS):
        try:
            os.close(fd)
        except OSError:
            pass
    _HELD_LOCKS.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_locks_in_child)


def share_segments(current: Path, build: Path, segment_ids: list[str]) -> int:
    """Starts a build from the current generation without copying it: every file of a
    segment the current TOC lists (named after the segment id: Whoosh's own files and any
    sidecar file beside them) is hard-linked, the TOC copied. A segment is never written
    again once finished and its deletions live in the TOC, so both generations can share
    its files; the files of segments a merge drops are only unlinked from the build.
    Falls back to a copy where links are refused (another file system). Returns the
    bytes linked."""
    linked = 0
    for path in current.iterdir():
        name = path.name
        if not path.is_file():
            continue
        if any(name.startswith(seg) for seg in segment_ids):
            try:
                os.link(path, build / name)
            except OSError:
                shutil.copy2(path, build / name)
            linked += path.stat().st_size
        elif name.endswith(".toc"):
            shutil.copy2(path, build / name)
    return linked


STAMP_KEY = "generation"
# The index's own SQLite files: a fresh build writes them in its folder, then moves them out.
SHARED_FILES = ("manifest.sqlite", "persons.sqlite")


def generation_name(build: Path) -> str:
    """The name ``publish`` will give the build folder ``build``."""
    return "gen-" + build.name.split("-", 1)[1]


def read_stamp(path: Path) -> str | None:
    """The generation a shared SQLite file (``manifest.sqlite``, ``persons.sqlite``) was
    last committed for; None when it is missing, unreadable or unstamped. Opened
    read-write so that a transaction a crash left half done is rolled back first."""
    if not path.exists():
        return None
    try:
        db = sqlite3.connect(path, timeout=60)
        try:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (STAMP_KEY,)).fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        return None
    try:
        return json.loads(row[0]) if row else None
    except (TypeError, ValueError):
        return None


def open_shared(path: Path):
    """A connection to one of the index's SQLite files for a run's changes: rollback
    journal (a crash rolls the run back), synchronous commits, a cache big enough that
    the run's changes are not spilled into the file before it commits (which would lock
    out the servers reading it), and an explicit transaction."""
    db = sqlite3.connect(path, isolation_level=None, timeout=60, check_same_thread=False)
    db.execute("PRAGMA journal_mode=DELETE")
    db.execute("PRAGMA synchronous=FULL")
    db.execute("PRAGMA cache_size=-262144")  # up to 256 MB, only as the run needs it
    return db


def commit_shared(db, path: Path, generation: str, index_dir: Path) -> Path:
    """Stamps ``generation`` in the open transaction of ``db`` (a file at ``path``),
    commits it durably and, when ``path`` is a build's new file, renames it into
    ``index_dir`` in place of the index's (a journal the old one left goes first: it
    would be played into the new file). Closes ``db``; returns where the file now is."""
    db.execute(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)", (STAMP_KEY, json.dumps(generation))
    )
    db.execute("COMMIT")
    db.close()
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    target = index_dir / path.name
    if path != target:
        for suffix in ("-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(str(target) + suffix)
        os.replace(path, target)
        _fsync_dir(index_dir)
    return target


def read_manifest(gen: Path | None) -> dict:
    """What a generation holds: {"roots": [...], "articles": {id: [hash, path]}}."""
    if gen is None:
        return {"roots": [], "articles": {}}
    try:
        with open(gen / MANIFEST, encoding="utf-8") as fh:
            data = json.load(fh)
        if not isinstance(data, dict):
            raise ValueError(MANIFEST)
    except (OSError, ValueError):  # missing or damaged: verify_generation says which
        return {"roots": [], "articles": {}}
    data.setdefault("roots", [])
    data.setdefault("articles", {})
    return data


def write_manifest(gen: Path, manifest: dict) -> None:
    """Writes a JSON manifest (the kind before ``manifest.sqlite``: tests build old indexes)."""
    with open(gen / MANIFEST, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())


CHECKSUMS_FILE = "checksums.json"


def write_checksums(gen: Path, previous: Path | None = None) -> None:
    """Records the size and CRC-32 of every file of a finished build in ``checksums.json``,
    so that ``verify_generation`` can tell a damaged file from a sound one. A file shared
    with ``previous`` by a hard link (a segment an update kept) takes its recorded checksum
    instead of being read again: the cost is the files this run wrote, not the archive."""
    before = read_checksums(previous) if previous is not None else {}
    listed: dict[str, list[int]] = {}
    for path in _files(gen):
        size = path.stat().st_size
        known = before.get(path.name)
        if known and known[0] == size and _same_file(path, previous / path.name):
            listed[path.name] = list(known)
        else:
            listed[path.name] = [size, _crc32(path)]
    with open(gen / CHECKSUMS_FILE, "w", encoding="utf-8") as fh:
        json.dump(listed, fh)
        fh.flush()
        os.fsync(fh.fileno())


def read_checksums(gen: Path | None) -> dict[str, list[int]]:
    """{file name: [size, CRC-32]} of a generation; {} for one written without them."""
    if gen is None:
        return {}
    try:
        with open(gen / CHECKSUMS_FILE, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        return {}
    except (OSError, ValueError):
        return {CHECKSUMS_FILE: [-1, -1]}  # unreadable: reported as a damaged file
    return data if isinstance(data, dict) else {CHECKSUMS_FILE: [-1, -1]}


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _files(gen: Path) -> Iterator[Path]:
    """The index files of a generation whose bytes are checked. Posting sidecars (``.lpm``)
    are left out: they are a cache the reader validates itself, and a damaged one is
    ignored (``postings_mmap``), not a damaged index."""
    for path in sorted(gen.iterdir()):
        if (
            path.name in (MANIFEST, CHECKSUMS_FILE, *SHARED_FILES)
            or path.name.endswith(("WRITELOCK", ".lpm", "-journal", "-wal", "-shm"))
            or not path.is_file()
        ):
            continue
        yield path


def _crc32(path: Path) -> int:
    crc = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            crc = zlib.crc32(block, crc)
    return crc


QUICK, CHECKSUMS, FULL = "quick", "checksums", "full"


def verify_generation(gen: Path, level: str = FULL) -> list[str]:
    """What is wrong with a generation, in French sentences; [] when it is sound.

    ``quick``: every file ``checksums.json`` lists is there with its size (a few ``stat``
    calls, for ``/healthz``); ``checksums``: and the CRC-32 of every file modified after
    the checksums were recorded matches (a file rewritten in place; what a server checks
    when it opens a generation and an update before it builds on one: a stat per file,
    whatever the archive's size); ``full`` (``loupe check``): every file's CRC-32, and
    Whoosh opens the generation, every segment's stored documents, terms and postings read
    back, and the live documents are as many as the manifest's articles. An index written
    before checksums were kept is checked by reading it (``full``) only.
    """
    from search.index.manifest import article_count

    listed = read_checksums(gen)
    since = None
    if level == CHECKSUMS:
        try:
            since = (gen / CHECKSUMS_FILE).stat().st_mtime_ns
        except OSError:
            since = None
    problems = check_files(gen, listed, checksums=level != QUICK, modified_after=since)
    if problems or level != FULL:
        return problems
    articles = article_count(gen)
    if articles is None:
        return [f"manifeste absent ou illisible dans {gen.name}"]
    return _read_everything(gen, articles)


def check_files(
    gen: Path, listed: dict, checksums: bool = False, modified_after: int | None = None
) -> list[str]:
    """Files of ``listed`` (``read_checksums``) missing, of another size, or (with
    ``checksums``) with other bytes than when they were written; with ``modified_after``
    (nanoseconds), only the files modified since then are read."""
    problems: list[str] = []
    for name, (size, crc) in listed.items():
        path = gen / name
        try:
            st = path.stat()
        except OSError:
            problems.append(f"fichier {name} absent")
            continue
        if st.st_size != size:
            problems.append(f"fichier {name} de {st.st_size} octets au lieu de {size}")
        elif (
            checksums
            and (modified_after is None or st.st_mtime_ns > modified_after)
            and _crc32(path) != crc
        ):
            problems.append(f"fichier {name} altéré (somme de contrôle différente)")
    return problems


def _read_everything(gen: Path, articles: int) -> list[str]:
    """Opens the generation with Whoosh and reads every segment back."""
    from whoosh import index as whoosh_index

    try:
        ix = whoosh_index.open_dir(str(gen))
        reader = ix.reader()
    except Exception as exc:  # noqa: BLE001 - whatever a damaged table of segments raises
        return [f"table des segments illisible : {type(exc).__name__}: {exc}"[:300]]
    problems: list[str] = []
    try:
        for leaf, _offset in reader.leaf_readers():
            segment = getattr(leaf, "segment", lambda: None)()
            name = segment.segment_id() if segment is not None else "?"
            try:
                for _docnum, _fields in leaf.iter_docs():
                    pass
                for fieldname in leaf.indexed_field_names():
                    if fieldname not in leaf.schema:
                        continue
                    for btext in leaf.lexicon(fieldname):
                        leaf.postings(fieldname, btext).all_ids()
            except Exception as exc:  # noqa: BLE001 - damaged bytes raise anything
                problems.append(f"segment {name} illisible : {type(exc).__name__}: {exc}"[:300])
        if not problems and reader.doc_count() != articles:
            problems.append(
                f"{reader.doc_count()} articles dans l'index, {articles} dans le manifeste"
            )
    finally:
        reader.close()
    return problems


def cache_dir(index_dir: Path) -> Path:
    """Data kept across generations (the NER cache): never swapped, never removed.

    ``LOUPE_NER_CACHE_DIR`` (or its older name ``LOUPE_CACHE_DIR``) puts it elsewhere, e.g.
    to share it between several indexes of the same archive (the test suite does, so the
    samples go through the model once).
    """
    shared = os.environ.get("LOUPE_NER_CACHE_DIR") or os.environ.get("LOUPE_CACHE_DIR")
    return Path(shared) if shared else index_dir / "cache"


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
