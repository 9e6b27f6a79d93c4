"""Build only the SQLite FTS5 peer of ``bench/compare.py`` for one archive (issue 11's
"index <= 2x FTS5's size" at a million articles), timed, in bounded memory.

    python bench/fts5_build.py ARCHIVE_DIR OUT.sqlite

The same schema (``compare.FTS_SCHEMA``), the same rows in the same order, the same
``optimize`` and ``VACUUM`` as ``compare.build_sqlite``; only the rows are inserted in
batches of 10,000 instead of one list of the whole archive (a million bodies held as
Python strings would take ~5 GB). Written to ``OUT.sqlite.part`` and renamed when
complete, so a stopped run never leaves a database that looks finished.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import compare  # noqa: E402

BATCH = 10_000


def build(corpus: Path, db: Path) -> int:
    db.unlink(missing_ok=True)
    conn = sqlite3.connect(db)
    conn.executescript(compare.FTS_SCHEMA)
    n = 0
    with conn:
        rows, tag_rows = [], []
        for n, line in enumerate(compare.corpus_lines(corpus), 1):
            rec = json.loads(line)
            date = rec.get("date") or ""
            tags = rec.get("tags") or []
            rows.append((n, rec["id"], rec["title"], rec.get("summary") or "",
                         rec.get("body") or "",
                         rec.get("section_label") or rec.get("section") or "",
                         date, date[:7], json.dumps(tags, ensure_ascii=False)))
            tag_rows.extend((n, t) for t in tags)
            if len(rows) >= BATCH:
                conn.executemany("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?)", rows)
                conn.executemany("INSERT INTO article_tags VALUES (?,?)", tag_rows)
                rows, tag_rows = [], []
        conn.executemany("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?)", rows)
        conn.executemany("INSERT INTO article_tags VALUES (?,?)", tag_rows)
        conn.execute("INSERT INTO articles_fts(rowid, title, summary, body) "
                     "SELECT rowid, title, summary, body FROM articles")
        conn.execute("CREATE INDEX article_tags_article ON article_tags(article)")
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
    conn.execute("VACUUM")
    conn.close()
    return n


def main() -> int:
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    corpus, out = Path(sys.argv[1]), Path(sys.argv[2])
    part = out.with_name(out.name + ".part")
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    n = build(corpus, part)
    os.replace(part, out)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    size = out.stat().st_size
    print(json.dumps({"docs": n, "seconds": round(seconds, 1), "cpu_s": round(cpu, 1),
                      "docs_per_s": round(n / seconds, 1), "size_bytes": size,
                      "size_mb": round(size / 1e6, 1), "load_average": os.getloadavg()[0]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
