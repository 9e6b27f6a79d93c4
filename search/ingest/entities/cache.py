"""The NER cache: raw spaCy spans by hash of the analysed text, in one SQLite file.

It lives beside the index generations (``INDEX_DIR/cache/ner.sqlite``), so it survives the
atomic swap, and an incremental or full reindex never runs the model again on a text it has
seen. SQLite's transactions keep it whole if a reindex is killed mid-way; only the one
reindex holding the index lock writes to it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from pathlib import Path

from search.ingest.entities.persons import Span


class NerCache:
    """key (text hash) → list of (start, end, label)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(self.path))
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS ner (key TEXT PRIMARY KEY, spans TEXT)")
        self._db.commit()
        self.used: set[str] = set()

    def get_many(self, keys: list[str]) -> dict[str, list[Span]]:
        found: dict[str, list[Span]] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for key, spans in self._db.execute(
                f"SELECT key, spans FROM ner WHERE key IN ({marks})", chunk
            ):
                found[key] = [tuple(s) for s in json.loads(spans)]  # type: ignore[misc]
        self.used.update(keys)
        return found

    def put_many(self, items: Iterable[tuple[str, list[Span]]]) -> None:
        rows = [(key, json.dumps(spans, ensure_ascii=False)) for key, spans in items]
        self.used.update(key for key, _ in rows)
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO ner (key, spans) VALUES (?, ?)", rows)

    def prune(self) -> int:
        """Drops entries no article of this run asked for (after a full reindex)."""
        with self._db:
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
            self._db.execute("DELETE FROM keep")
            self._db.executemany("INSERT OR IGNORE INTO keep VALUES (?)", ((k,) for k in self.used))
            cur = self._db.execute("DELETE FROM ner WHERE key NOT IN (SELECT key FROM keep)")
        return cur.rowcount

    def __len__(self) -> int:
        return self._db.execute("SELECT COUNT(*) FROM ner").fetchone()[0]

    def close(self) -> None:
        self._db.close()
