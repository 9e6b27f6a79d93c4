"""A generation's manifest: what it holds, one SQLite row per article and per file.

An incremental run must cost what changed, not what the archive holds: it looks an
article up by id, skips a file whose size, modification time and inode are those of the
last run without reading it, and lists what disappeared with one query, all without
loading the whole manifest. A JSON document of every id (the manifest before) was read
and rewritten whole by every run; it is migrated on the first run that finds it.

Tables: ``meta`` (version, roots, the analysis salt of the last run, the generation it
describes), ``files`` (path, size, mtime_ns, inode, how many articles it gave) and
``articles`` (id, content hash, the path shown, the file it came from).

The manifest is the index's (``index/manifest.sqlite``), not a copy in each generation:
an incremental run changes it in place in one transaction, committed with the new
generation's name just before it is published (``storage.commit_shared``). It describes a
generation only when that stamp is the generation's name. Indexes of manifest version 5
and before kept it inside each generation; it is read there, and they are rebuilt.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
from pathlib import Path

from search.index import storage

SQLITE = "manifest.sqlite"
JSON = "manifest.json"  # the manifest before: migrated when met

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER, mtime_ns INTEGER, inode INTEGER, articles INTEGER
);
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, hash TEXT NOT NULL, path TEXT NOT NULL, file TEXT
);
CREATE INDEX IF NOT EXISTS articles_file ON articles (file);
"""

Signature = tuple[int, int, int]  # size, mtime_ns, inode


def path_key(path) -> str:
    """A file's path as the manifest stores it: SQLite takes UTF-8 only, so a name that is
    not UTF-8 keeps its bytes as ``\\xff`` escapes (the same on every run)."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def signature(st: os.stat_result) -> Signature:
    """Size, change time and inode: the change time (``ctime``) moves on every write,
    ``chmod`` or ``touch``, even one that puts the modification time back, so a file
    rewritten or made unreadable behind Loupe's back is read again."""
    return (st.st_size, max(st.st_mtime_ns, st.st_ctime_ns), st.st_ino)


def _describing(gen: Path) -> Path | None:
    """The SQLite manifest of ``gen``: the index's when stamped with its name, else one
    inside it (version 5 and before), else None."""
    shared = gen.parent / SQLITE
    if shared.exists() and storage.read_stamp(shared) == gen.name:
        return shared
    return gen / SQLITE if (gen / SQLITE).exists() else None


def read_meta(gen: Path | None) -> dict:
    """A generation's version, roots and options, without reading its articles; the
    roots alone (empty) when it has no readable manifest. The index's manifest stamped
    for another generation (a crash between its commit and the publish) gives its roots
    but no version: the run after it rebuilds in full."""
    if gen is None:
        return {"roots": []}
    try:
        found = _describing(gen)
        if found is None and (gen.parent / SQLITE).exists():
            db = sqlite3.connect(gen.parent / SQLITE, timeout=60)
            try:
                row = db.execute("SELECT value FROM meta WHERE key = 'roots'").fetchone()
            finally:
                db.close()
            return {"roots": json.loads(row[0]) if row else []}
        if found is not None:
            db = sqlite3.connect(found, timeout=60)
            try:
                meta = {k: json.loads(v) for k, v in db.execute("SELECT key, value FROM meta")}
            finally:
                db.close()
            return {
                "version": meta.get("version"),
                "roots": meta.get("roots") or [],
                "follow_links": bool(meta.get("follow_links")),
            }
        with open(gen / JSON, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError, sqlite3.Error):  # missing or damaged: a full rebuild
        return {"roots": []}
    if not isinstance(data, dict):
        return {"roots": []}
    return {
        "version": data.get("version"),
        "roots": data.get("roots", []),
        "follow_links": bool(data.get("follow_links")),
    }


def article_count(gen: Path) -> int | None:
    """How many articles a generation's manifest lists; None without a readable one."""
    try:
        found = _describing(gen)
        if found is not None:
            db = sqlite3.connect(f"file:{found}?mode=ro", uri=True)
            try:
                return db.execute("SELECT count(*) FROM articles").fetchone()[0]
            finally:
                db.close()
        with open(gen / JSON, encoding="utf-8") as fh:
            return len(json.load(fh).get("articles") or {})
    except (OSError, ValueError, AttributeError, sqlite3.Error):
        return None


class Manifest:
    """The manifest of an update under way: the index's, changed in place in one
    transaction (``shared``), or a new file in the build folder."""

    def __init__(self, path: Path, shared: bool = False) -> None:
        self.path = path
        if shared:
            self.db = storage.open_shared(path)
        else:  # a build's new file: thrown away on failure, fsync'ed once when committed
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=OFF")
            self.db.execute("PRAGMA synchronous=OFF")
        self.db.executescript(_SCHEMA)
        self.db.execute("BEGIN")

    @classmethod
    def for_build(cls, current: Path | None, build: Path) -> Manifest:
        """The manifest of a new build: the index's when it describes ``current`` (the
        run's changes in one transaction), else a new one in ``build`` (migrated from
        the JSON manifest of an older index, if ``current`` has one)."""
        shared = build.parent / SQLITE
        if current is not None and storage.read_stamp(shared) == current.name:
            return cls(shared, shared=True)
        db = cls(build / SQLITE)
        if current is not None and (current / JSON).exists():
            with open(current / JSON, encoding="utf-8") as fh:
                data = json.load(fh)
            db.set_meta(data.get("version"), data.get("roots", []), None)
            db.db.executemany(
                "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, NULL)",
                ((i, h, p) for i, (h, p) in data.get("articles", {}).items()),
            )
        return db

    def __enter__(self) -> Manifest:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Closes it; changes not committed are undone."""
        with contextlib.suppress(sqlite3.ProgrammingError):  # already closed by commit
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
        self.db.close()

    def commit(self, generation: str, index_dir: Path) -> None:
        """Commits the run's changes as the manifest of ``generation`` (the index's file
        from now on) and closes it."""
        self.path = storage.commit_shared(self.db, self.path, generation, index_dir)

    # -- meta ------------------------------------------------------------------------------

    def _meta(self, key: str):
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return json.loads(row[0]) if row else None

    @property
    def version(self) -> int | None:
        return self._meta("version")

    @property
    def roots(self) -> list[str]:
        return self._meta("roots") or []

    @property
    def salt(self) -> str | None:
        return self._meta("salt")

    def set_meta(
        self, version: int | None, roots: list[str], salt: str | None, follow_links: bool = False
    ) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO meta VALUES (?, ?)",
            [(k, json.dumps(v)) for k, v in (("version", version), ("roots", roots),
                                            ("salt", salt), ("follow_links", follow_links))],
        )

    # -- files and articles ----------------------------------------------------------------

    def files(self) -> dict[str, tuple[Signature, int]]:
        """Every file of the last run: its signature and how many articles it gave."""
        rows = self.db.execute("SELECT path, size, mtime_ns, inode, articles FROM files")
        return {p: ((s, m, i), n) for p, s, m, i, n in rows}

    def put_file(self, path: str, sig: Signature | None, articles: int) -> None:
        size, mtime, inode = sig or (None, None, None)
        self.db.execute(
            "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?)",
            (path, size, mtime, inode, articles),
        )

    def article(self, article_id: str) -> tuple[str, str, str | None] | None:
        """(hash, path shown, file) of an article, or None."""
        return self.db.execute(
            "SELECT hash, path, file FROM articles WHERE id = ?", (article_id,)
        ).fetchone()

    def put_article(self, article_id: str, digest: str, path: str, file: str) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?)", (article_id, digest, path, file)
        )

    def count(self) -> int:
        return self.db.execute("SELECT count(*) FROM articles").fetchone()[0]

    def start_run(self) -> None:
        """Temporary tables of what this run saw: ids, files read, files found."""
        db = self.db
        for table, key in (("t_seen", "id"), ("t_read", "path"), ("t_walked", "path")):
            db.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({key} TEXT PRIMARY KEY)")
            db.execute(f"DELETE FROM {table}")

    def first_sight(self, article_id: str) -> bool:
        """Records that this run read ``article_id``; False if it already had."""
        cur = self.db.execute("INSERT OR IGNORE INTO t_seen VALUES (?)", (article_id,))
        return cur.rowcount == 1

    def mark_read(self, path: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO t_read VALUES (?)", (path,))

    def mark_walked(self, paths) -> None:
        self.db.executemany("INSERT OR IGNORE INTO t_walked VALUES (?)", ((p,) for p in paths))

    def keep_under(self, paths: list[str]) -> int:
        """The files at or below ``paths`` (folders or files that could not be read) count
        as found and are not read again: their articles stay as they were. Returns how many
        articles that keeps."""
        kept = 0
        for path in paths:
            rows = self.db.execute(
                "SELECT path FROM files WHERE path = ? OR substr(path, 1, ?) = ?",
                (path, len(path) + 1, path.rstrip("/") + "/"),
            ).fetchall()
            self.mark_walked(r[0] for r in rows)
            for (file,) in rows:
                if self.db.execute("SELECT 1 FROM t_read WHERE path = ?", (file,)).fetchone():
                    continue
                kept += self.db.execute(
                    "SELECT count(*) FROM articles WHERE file = ? "
                    "AND id NOT IN (SELECT id FROM t_seen)",
                    (file,),
                ).fetchone()[0]
        return kept

    def remove_missing(self, everywhere: bool) -> list[str]:
        """Removes, and returns the ids of, the articles of a file read again this run but
        not found there or anywhere else; with ``everywhere``, also those of files no longer
        found (``mark_walked``) or of unknown origin (a migrated manifest), whose file rows
        go too."""
        db = self.db
        where = "file IN (SELECT path FROM t_read)"
        if everywhere:
            where += " OR file IS NULL OR file NOT IN (SELECT path FROM t_walked)"
            db.execute("DELETE FROM files WHERE path NOT IN (SELECT path FROM t_walked)")
        gone = [
            row[0]
            for row in db.execute(
                f"SELECT id FROM articles WHERE ({where}) AND id NOT IN (SELECT id FROM t_seen)"
            )
        ]
        db.executemany("DELETE FROM articles WHERE id = ?", ((i,) for i in gone))
        return gone
