"""On-disk layout of an index folder, and the atomic swap between generations.

::

    index/
      CURRENT          name of the generation in use ("gen-000003"), replaced atomically
      gen-000003/      a complete Whoosh index + manifest.sqlite (``manifest.Manifest``);
                       its segment files are hard links shared with the generation before
      gen-000002/      the previous one, kept so open searchers can finish
      tmp-000004/      a reindex under way (or a dead one, removed by the next reindex)
      reindex.lock     held (flock) by the one reindex allowed at a time
      cache/           kept across generations: ner.sqlite, the NER results by text hash

Readers only ever open what CURRENT names, and CURRENT only ever names a finished
generation, so a crash at any point leaves the served index whole.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
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


def current_generation(index_dir: Path) -> Path | None:
    """The folder of the generation in use, or None when nothing was indexed yet."""
    try:
        name = (index_dir / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    gen = index_dir / name
    return gen if name.startswith("gen-") and gen.is_dir() else None


def require_generation(index_dir: Path) -> Path:
    gen = current_generation(index_dir)
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
    build folder, and a generation renamed into place whose CURRENT was never written."""
    current = current_generation(index_dir)
    newest = _number(current.name) if current else 0
    dead = [
        p
        for p in index_dir.iterdir()
        if p.name.startswith("tmp-") or (p.name.startswith("gen-") and _number(p.name) > newest)
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
    gen = index_dir / ("gen-" + build.name.split("-", 1)[1])
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


def read_manifest(gen: Path | None) -> dict:
    """What a generation holds: {"roots": [...], "articles": {id: [hash, path]}}."""
    if gen is None:
        return {"roots": [], "articles": {}}
    try:
        with open(gen / MANIFEST, encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        return {"roots": [], "articles": {}}
    data.setdefault("roots", [])
    data.setdefault("articles", {})
    return data


def write_manifest(gen: Path, manifest: dict) -> None:
    with open(gen / MANIFEST, "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, ensure_ascii=False)
        fh.flush()
        os.fsync(fh.fileno())


def cache_dir(index_dir: Path) -> Path:
    """Data kept across generations (the NER cache): never swapped, never removed.

    ``LOUPE_CACHE_DIR`` puts it elsewhere, e.g. to share it between several indexes of the
    same archive (the test suite does, so the samples go through the model once).
    """
    shared = os.environ.get("LOUPE_CACHE_DIR")
    return Path(shared) if shared else index_dir / "cache"


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
