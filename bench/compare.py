"""Loupe side by side with Datasette, SQLite FTS5 and tantivy, in one run (issue 5).

    python bench/compare.py [--sizes 5000,10000,all] [--queries 200] [--repeat 3]
                            [--engines loupe,fts5,datasette,tantivy] [--serve] [--json FILE]
                            [--baseline ../main]

For each size (the first N clean OrangeSum articles: records flagged
``orangesum_duplicate`` or carrying ``duplicate_of`` are left out, as Loupe's reader does),
every engine indexes the same JSON Lines file and answers the same queries, one engine
after another, each in its own child process (so peak memory is its own):

* **Loupe**: ``search.index.indexer.reindex`` (text only: ``entities=False``, what ``loupe
  reindex --no-entities`` does), ``SearchEngine.search`` for the top 10 (title, snippet)
  and for the top 10 + every facet count (country, person, section, month, year) over all
  matches. Extra rows index with entity extraction (the NER model, no cache) on 1 and 2
  workers.
* **FTS5**: plain SQLite, ``tokenize="unicode61 remove_diacritics 2"``, ranked by
  ``bm25(title 2, summary 1, body 1)``, snippet() for the top 10, facets (section, month,
  tags) by GROUP BY over the matched rowids joined to the articles and tags tables.
* **Datasette**: the same database as FTS5, queried through Datasette's own JSON API in
  process (``/db/articles.json?_search=…&_facet=section&_facet=month``, suggested facets
  off). Its search keeps rowid order: it does not rank.
* **tantivy**: the PyPI binding, lowercase + ASCII folding + French Snowball stemmer, title
  boosted 2, all words required, the snippet generator for the top 10, a terms aggregation
  for the facets; indexed on 1 thread and on tantivy's default threads.

Three known-item query sets are drawn deterministically from each size: the title as
written, the title lower-cased without accents, and the three rarest words of the summary
(by document frequency in that corpus). The target is the article itself; MRR@10 and
recall@10 are over the top 10. Latency: one warm-up pass, then ``--repeat`` passes; each
query's median, then p50/p95 over the queries.

``--serve`` also starts ``loupe serve`` and ``datasette serve`` on loopback (sizes of
10,000 and more) and sends the same faceted requests to both over HTTP, first from one
client (each query to Loupe, then to Datasette: both see the same load from other jobs),
then from 16 concurrent clients (a bounded number of requests). Loupe's response
cache is off in every timing here (``LOUPE_CACHE=0``), so no query is answered from memory.

``--baseline DIR`` adds a row for the Loupe checked out in DIR (say the main branch before
these changes), measured the same way in the same run.

Prints one table per size and the ratios Loupe/peer. Every address is on this machine.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import inspect
import json
import math
import os
import random
import re
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "orangesum"
WORK = ROOT / "bench" / ".work" / "compare"
WORD = re.compile(r"\w+")
QUERY_SETS = ("title", "title_folded", "rare_words")


# -- corpus and query sets ---------------------------------------------------------------


def clean_records(limit: int | None) -> list[dict]:
    """The first ``limit`` clean OrangeSum records (all when None), in file order."""
    out: list[dict] = []
    for part in sorted(CORPUS.glob("articles-part-*.jsonl")):
        with open(part, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                if rec.get("orangesum_duplicate") or "duplicate_of" in rec:
                    continue
                out.append(rec)
                if limit is not None and len(out) >= limit:
                    return out
    return out


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def build_query_sets(records: list[dict], n: int, seed: int = 5) -> dict[str, list[list[str]]]:
    """{set name: [[query, target id], ...]}, the same for every engine and every run."""
    df: Counter[str] = Counter()
    for rec in records:
        text = " ".join(rec.get(k) or "" for k in ("title", "summary", "body"))
        df.update({w.lower() for w in WORD.findall(text)})
    rng = random.Random(seed)
    picked = rng.sample(records, min(n, len(records)))
    sets: dict[str, list[list[str]]] = {name: [] for name in QUERY_SETS}
    for rec in picked:
        title = " ".join(rec["title"].split())
        sets["title"].append([title, rec["id"]])
        sets["title_folded"].append([strip_accents(title).lower(), rec["id"]])
    for rec in rng.sample(records, len(records)):
        if len(sets["rare_words"]) >= len(picked):
            break
        seen: dict[str, None] = {}
        for w in WORD.findall(rec.get("summary") or ""):
            if len(w) > 2 and not w.isdigit():
                seen.setdefault(w, None)
        if len(seen) < 3:
            continue
        rare = sorted(seen, key=lambda w: (df[w.lower()], w))[:3]
        sets["rare_words"].append([" ".join(rare), rec["id"]])
    return sets


def words(query: str) -> list[str]:
    """The plain words of a query, for the peers' query syntaxes."""
    return WORD.findall(query)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))
    return ordered[k]


def corpus_lines(corpus: Path) -> Iterator[str]:
    """The JSON lines of a corpus file, or of every ``*.jsonl`` under a folder in name order
    (``bench/scale.py``'s synthetic archives come as many files)."""
    paths = [corpus] if corpus.is_file() else sorted(corpus.rglob("*.jsonl"))
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            yield from fh


def dir_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def peak_mb() -> float:
    """Peak resident memory of the largest process of this engine (this one or a writer
    it forked), in MB. VmHWM, not ru_maxrss: ru_maxrss survives exec, so it would count
    the benchmark's own copy of the corpus."""
    own = 0
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    own = int(line.split()[1])
    except OSError:
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, kids) / 1024


# -- timing ------------------------------------------------------------------------------


def time_queries(
    run: Callable[[str], list[str]], sets: dict, repeat: int, cold: list[float] | None = None
) -> tuple[list[float], dict[str, list[list[str]]]]:
    """Per-query median latency (ms) over ``repeat`` passes after a warm-up, and each set's
    ranked ids from the first pass; the warm-up's own latencies go into ``cold``."""
    queries = [q for name in QUERY_SETS for q, _ in sets[name]]
    ranked: dict[str, list[list[str]]] = {}
    for name in QUERY_SETS:  # warm-up: each query for the first time
        ranked[name] = []
        for q, _ in sets[name]:
            t0 = time.perf_counter()
            ranked[name].append(run(q))
            if cold is not None:
                cold.append((time.perf_counter() - t0) * 1000)
    timings: list[list[float]] = [[] for _ in queries]
    for _ in range(repeat):
        for i, q in enumerate(queries):
            t0 = time.perf_counter()
            run(q)
            timings[i].append((time.perf_counter() - t0) * 1000)
    return [statistics.median(t) for t in timings], ranked


def relevance(sets: dict, ranked: dict) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for name in QUERY_SETS:
        rr = found = 0.0
        for (_q, target), ids in zip(sets[name], ranked[name], strict=True):
            if target in ids[:10]:
                rr += 1 / (ids.index(target) + 1)
                found += 1
        n = max(1, len(sets[name]))
        out[name] = {"mrr": rr / n, "recall": found / n}
    return out


def measure(top10, faceted, sets: dict, repeat: int) -> dict:
    """Latency of the top 10 alone and with facet counts; relevance from the top 10. The
    faceted queries go first, so their warm-up pass is each query's first time in this
    process (``cold_``: what a posting cache under a budget leaves users to wait for)."""
    cold: list[float] = []
    facet_ms, _ = time_queries(faceted, sets, repeat, cold)
    top_ms, ranked = time_queries(top10, sets, repeat)
    return {
        "cold_facets_p50": statistics.median(cold),
        "cold_facets_p95": percentile(cold, 95),
        "top10_p50": statistics.median(top_ms),
        "top10_p95": percentile(top_ms, 95),
        "facets_p50": statistics.median(facet_ms),
        "facets_p95": percentile(facet_ms, 95),
        "relevance": relevance(sets, ranked),
    }


# -- engines (each runs in its own child process: `compare.py --worker ENGINE ...`) ------


def run_loupe(corpus: Path, work: Path, sets: dict, repeat: int, workers: int = 0) -> dict:
    """Loupe text-only (``workers`` 0) or with entity extraction on ``workers`` processes."""
    os.environ["LOUPE_CACHE"] = "0"
    from search.index.indexer import reindex

    baseline = os.environ.get("LOUPE_BENCH_ROW") == "loupe-baseline"
    name = "loupe-baseline" if baseline else "loupe-index"
    index = work / (name if not workers else f"loupe-entities-{workers}")
    shutil.rmtree(index, ignore_errors=True)
    kwargs: dict = {}
    params = inspect.signature(reindex).parameters
    if workers:
        if "workers" not in params:
            return {"error": "reindex() takes no workers= argument on this branch"}
        kwargs["workers"] = workers
    elif "entities" in params:
        kwargs["entities"] = False  # text only: no entity extraction at all
    elif "ner" in params:
        kwargs["ner"] = False
    t0 = time.perf_counter()
    result = reindex([corpus], index, full=True, **kwargs)
    seconds = time.perf_counter() - t0
    out = {
        "docs": result.total,
        "index_s": seconds,
        "docs_per_s": result.total / seconds,
        "size_mb": dir_size(index) / 1e6,
    }
    if getattr(result, "phases", None):  # wall and CPU time by phase of the build
        out["phases"] = [vars(p) for p in result.phases]
    if workers:  # the extraction rows report throughput only
        out["peak_mb"] = peak_mb()
        return out
    out.update(loupe_queries(index, sets, repeat))
    return out


def run_loupe_existing(corpus: Path, work: Path, sets: dict, repeat: int) -> dict:
    """The query side alone, on the index ``work/loupe-index`` already holds (``bench/
    scale.py --reuse-index``): nothing is built or written."""
    os.environ["LOUPE_CACHE"] = "0"
    return loupe_queries(work / "loupe-index", sets, repeat)


def loupe_queries(index: Path, sets: dict, repeat: int) -> dict:
    """Loupe's in-process rows: opening, first-time and repeated queries, peak memory. A
    query refused by the work budget counts as ``refused`` (no results), not a failure."""
    from search.find.searcher import SearchEngine, SearchRequest

    try:
        from search.find.budget import SearchTimeout, TooCostly
    except ImportError:  # a Loupe from before the work budget (--baseline)
        TooCostly = SearchTimeout = ValueError  # noqa: N806
    engine = SearchEngine(index)
    t0 = time.perf_counter()
    try:  # opening the generation (facet table, lengths) happens here
        engine.search(SearchRequest(q="premier"))
    except SearchTimeout:
        pass
    out: dict = {"open_ms": (time.perf_counter() - t0) * 1000,
                 "docs": engine.count(SearchRequest(q=""))}
    refused: set[str] = set()
    timeouts: list[str] = []

    def guarded(search) -> Callable[[str], list[str]]:
        """A query refused by the work budget, or ended by the time limit on a loaded
        machine, is counted (``refused``, ``timeouts``) with no results, not fatal."""
        def run(q: str) -> list[str]:
            try:
                return [r["id"] for r in search(q).results]
            except TooCostly:
                refused.add(q)
            except SearchTimeout:
                timeouts.append(q)
            return []
        return run

    def top10(q: str):
        try:
            return engine.search(SearchRequest(q=q), facets=False)
        except TypeError:  # a Loupe from before facets=False (--baseline): facets included
            return engine.search(SearchRequest(q=q))

    out.update(measure(guarded(top10),
                       guarded(lambda q: engine.search(SearchRequest(q=q))), sets, repeat))
    out["refused"] = len(refused)
    out["timeouts"] = len(timeouts)
    out["peak_mb"] = peak_mb()
    out["rss_mb"] = rss_mb()
    return out


def rss_mb() -> dict[str, float]:
    """This process's resident memory now (MB): in all, anonymous, file-backed (mapped
    index files, whose pages the OS shares between processes)."""
    out: dict[str, float] = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "RssAnon", "RssFile"):
            out[key] = int(value.split()[0]) / 1024
    return out


FTS_SCHEMA = """
CREATE TABLE articles (
    rowid INTEGER PRIMARY KEY, id TEXT, title TEXT, summary TEXT, body TEXT,
    section TEXT, date TEXT, month TEXT, tags TEXT
);
CREATE TABLE article_tags (article INTEGER, tag TEXT);
CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, summary, body, content="articles", content_rowid="rowid",
    tokenize="unicode61 remove_diacritics 2"
);
"""


def build_sqlite(corpus: Path, db: Path) -> int:
    """The database Datasette would serve: articles, their tags, an FTS5 index over them."""
    db.unlink(missing_ok=True)
    conn = sqlite3.connect(db)
    conn.executescript(FTS_SCHEMA)
    n = 0
    with conn:
        rows, tag_rows = [], []
        for n, line in enumerate(corpus_lines(corpus), 1):
            rec = json.loads(line)
            date = rec.get("date") or ""
            tags = rec.get("tags") or []
            rows.append(
                (
                    n,
                    rec["id"],
                    rec["title"],
                    rec.get("summary") or "",
                    rec.get("body") or "",
                    rec.get("section_label") or rec.get("section") or "",
                    date,
                    date[:7],
                    json.dumps(tags, ensure_ascii=False),
                )
            )
            tag_rows.extend((n, t) for t in tags)
        conn.executemany("INSERT INTO articles VALUES (?,?,?,?,?,?,?,?,?)", rows)
        conn.executemany("INSERT INTO article_tags VALUES (?,?)", tag_rows)
        conn.execute(
            "INSERT INTO articles_fts(rowid, title, summary, body) "
            "SELECT rowid, title, summary, body FROM articles"
        )
        conn.execute("CREATE INDEX article_tags_article ON article_tags(article)")
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
    conn.execute("VACUUM")
    conn.close()
    return n


def fts_match(query: str, any_word: bool = False) -> str:
    """All the words (or, with ``any_word``, any of them), each quoted (what Datasette's
    escaped search does too)."""
    return (" OR " if any_word else " ").join('"' + w + '"' for w in words(query))


def run_fts5(corpus: Path, work: Path, sets: dict, repeat: int) -> dict:
    db = work / "articles.db"
    t0 = time.perf_counter()
    n = build_sqlite(corpus, db)
    seconds = time.perf_counter() - t0
    out = {"docs": n, "index_s": seconds, "docs_per_s": n / seconds, "size_mb": dir_size(db) / 1e6}
    conn = sqlite3.connect(db, check_same_thread=False)
    top_sql = (
        "SELECT a.id, a.title, snippet(articles_fts, 2, '<mark>', '</mark>', '…', 24) "
        "FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid "
        "WHERE articles_fts MATCH ? ORDER BY bm25(articles_fts, 2.0, 1.0, 1.0) LIMIT 10"
    )
    matched = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
    facet_sql = [
        f"SELECT count(*) FROM articles WHERE rowid IN ({matched})",
        f"SELECT section, count(*) c FROM articles WHERE rowid IN ({matched}) "
        "GROUP BY section ORDER BY c DESC LIMIT 30",
        f"SELECT month, count(*) FROM articles WHERE rowid IN ({matched}) GROUP BY month",
        f"SELECT tag, count(*) c FROM article_tags WHERE article IN ({matched}) "
        "GROUP BY tag ORDER BY c DESC LIMIT 30",
    ]

    def top10(q: str) -> list[str]:
        match = fts_match(q)
        if not match:
            return []
        return [row[0] for row in conn.execute(top_sql, (match,))]

    def faceted(q: str) -> list[str]:
        ids = top10(q)
        match = fts_match(q)
        if match:
            for sql in facet_sql:
                conn.execute(sql, (match,)).fetchall()
        return ids

    out.update(measure(top10, faceted, sets, repeat))
    out["peak_mb"] = peak_mb()
    return out


def datasette_path(q: str, facets: bool) -> str:
    params = [("_search", " ".join(words(q))), ("_size", "10"), ("_col", "id"), ("_col", "title")]
    if facets:
        params += [("_facet", "section"), ("_facet", "month")]
    return "/articles/articles.json?" + urlencode(params)


def run_datasette(corpus: Path, work: Path, sets: dict, repeat: int) -> dict:
    """Datasette's JSON API in process (its ASGI app through its own test client)."""
    from datasette.app import Datasette

    db = work / "articles.db"
    if not db.exists():
        build_sqlite(corpus, db)
    ds = Datasette([str(db)], settings={"suggest_facets": False})
    loop = asyncio.new_event_loop()

    def get(path: str) -> list[str]:
        resp = loop.run_until_complete(ds.client.get(path))
        if resp.status_code != 200:
            raise RuntimeError(f"datasette {resp.status_code}: {path}")
        data = resp.json()
        cols = data["columns"]
        return [row[cols.index("id")] for row in data["rows"]]

    out = {"docs": None, "size_mb": dir_size(db) / 1e6}
    out.update(
        measure(
            lambda q: get(datasette_path(q, False)),
            lambda q: get(datasette_path(q, True)),
            sets,
            repeat,
        )
    )
    out["peak_mb"] = peak_mb()
    return out


def tantivy_index(corpus: Path, path: Path, threads: int = 1):
    """(index, schema, documents): ``corpus`` in tantivy, lowercase + ASCII folding + French
    Snowball stemmer, the title in one field, summary and body in another (also used by
    bench/relevance.py)."""
    import tantivy

    def analyzer():
        return (
            tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stemmer("french"))
            .build()
        )

    sb = tantivy.SchemaBuilder()
    sb.add_text_field("id", stored=True, tokenizer_name="raw")
    sb.add_text_field("title", stored=True, tokenizer_name="fr")
    sb.add_text_field("body", stored=True, tokenizer_name="fr")  # summary + body
    sb.add_text_field("section", fast=True, tokenizer_name="raw")
    sb.add_text_field("month", fast=True, tokenizer_name="raw")
    sb.add_text_field("tags", fast=True, tokenizer_name="raw")
    schema = sb.build()
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    index = tantivy.Index(schema, path=str(path))
    index.register_tokenizer("fr", analyzer())
    writer = index.writer(heap_size=200_000_000 if threads == 0 else 100_000_000,
                          num_threads=threads)
    n = 0
    for line in corpus_lines(corpus):
        n += 1
        rec = json.loads(line)
        doc = tantivy.Document()
        doc.add_text("id", rec["id"])
        doc.add_text("title", rec["title"])
        doc.add_text("body", (rec.get("summary") or "") + "\n\n" + (rec.get("body") or ""))
        doc.add_text("section", rec.get("section_label") or rec.get("section") or "")
        doc.add_text("month", (rec.get("date") or "")[:7])
        for tag in rec.get("tags") or []:
            doc.add_text("tags", tag)
        writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    return index, schema, n


def tantivy_query(index, q: str, conjunction: bool = True):
    """The query the bench sends tantivy: the plain words, title boosted 2."""
    text = " ".join(w.lower() for w in words(q))
    if not text:
        return None
    return index.parse_query(
        text, ["title", "body"], field_boosts={"title": 2.0}, conjunction_by_default=conjunction
    )


def run_tantivy(corpus: Path, work: Path, sets: dict, repeat: int, threads: int = 1) -> dict:
    import tantivy

    path = work / f"tantivy-{threads}"
    t0 = time.perf_counter()
    index, schema, n = tantivy_index(corpus, path, threads)
    seconds = time.perf_counter() - t0
    out = {
        "docs": n,
        "index_s": seconds,
        "docs_per_s": n / seconds,
        "size_mb": dir_size(path) / 1e6,
        "threads": threads,
    }
    if threads != 1:
        out["peak_mb"] = peak_mb()
        return out
    index.reload()
    searcher = index.searcher()
    aggs = {
        "section": {"terms": {"field": "section", "size": 30}},
        "month": {"terms": {"field": "month", "size": 500}},
        "tags": {"terms": {"field": "tags", "size": 30}},
    }

    def parse(q: str):
        return tantivy_query(index, q)

    def top10(q: str, count: bool = False) -> list[str]:
        query = parse(q)
        if query is None:
            return []
        result = searcher.search(query, 10, count=count)
        snippets = tantivy.SnippetGenerator.create(searcher, query, schema, "body")
        ids = []
        for _score, address in result.hits:
            doc = searcher.doc(address)
            ids.append(doc["id"][0])
            snippets.snippet_from_doc(doc).to_html()
        return ids

    def faceted(q: str) -> list[str]:
        ids = top10(q, count=True)
        query = parse(q)
        if query is not None:
            searcher.aggregate(query, aggs)
        return ids

    out.update(measure(top10, faceted, sets, repeat))
    out["peak_mb"] = peak_mb()
    return out


def entities_available() -> bool:
    try:
        import search.ingest.entities  # noqa: F401
    except ImportError:
        return False
    return True


ENGINES: dict[str, Callable[..., dict]] = {
    "loupe": run_loupe,
    "loupe-existing": run_loupe_existing,
    "loupe-baseline": lambda c, w, s, r: run_loupe(c, w, s, r),
    "loupe-entities-1": lambda c, w, s, r: run_loupe(c, w, s, r, workers=1),
    "loupe-entities-2": lambda c, w, s, r: run_loupe(c, w, s, r, workers=2),
    "fts5": run_fts5,
    "datasette": run_datasette,
    "tantivy": run_tantivy,
    "tantivy-threads": lambda c, w, s, r: run_tantivy(c, w, s, r, threads=0),
}


def worker(engine: str, workdir: Path, repeat: int) -> None:
    sets = json.loads((workdir / "queries.json").read_text(encoding="utf-8"))
    corpus = workdir / "corpus" / "articles.jsonl"
    if not corpus.exists():  # a folder of files (bench/scale.py)
        corpus = corpus.parent
    try:
        out = ENGINES[engine](corpus, workdir, sets, repeat)
    except Exception as exc:  # one engine failing must not lose the others' rows
        out = {"error": f"{type(exc).__name__}: {exc}"}
    print("RESULT " + json.dumps(out))


def run_worker(engine: str, workdir: Path, repeat: int, baseline: str | None = None) -> dict:
    cmd = [sys.executable, __file__, "--worker", engine, "--workdir", str(workdir)]
    cmd += ["--repeat", str(repeat)]
    source = baseline if engine == "loupe-baseline" else str(ROOT)
    env = dict(os.environ, PYTHONPATH=source, LOUPE_CACHE="0", LOUPE_BENCH_ROW=engine)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    return {"error": (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]}


# -- served over loopback ----------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port: int, path: str, seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path)
            if conn.getresponse().status == 200:
                return True
        except OSError:
            time.sleep(0.3)
    return False


REFUSED: Counter[int] = Counter()  # per port: requests the server refused with a 400


def answered(port: int, status: int) -> bool:
    """Whether a response is not an error: a 200, or a 400 (a query the work budget
    refuses, counted in ``REFUSED``)."""
    if status == 400:
        REFUSED[port] += 1
        return True
    return status == 200


def http_latencies(port: int, paths: list[str], clients: int) -> tuple[list[float], int]:
    """Latency (ms) of each GET, sent by ``clients`` threads over keep-alive connections."""
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    cursor = iter(paths)

    def client() -> None:
        nonlocal errors
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                path = next(cursor, None)
            if path is None:
                return
            t0 = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                ok = answered(port, resp.status)
            except OSError:
                ok = False
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            took = (time.perf_counter() - t0) * 1000
            with lock:
                latencies.append(took)
                errors += not ok

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors


def alternated(plans: dict[str, tuple[int, list[str]]]) -> dict[str, tuple[list[float], int]]:
    """One client: the i-th request of every server, then the (i+1)-th…, each server over
    its own keep-alive connection; (latencies in ms, errors) per server."""
    conns = {name: http.client.HTTPConnection("127.0.0.1", port, timeout=60)
             for name, (port, _paths) in plans.items()}
    out: dict[str, tuple[list[float], int]] = {name: ([], 0) for name in plans}
    for requests in zip(*(paths for _port, paths in plans.values()), strict=True):
        for name, path in zip(plans, requests, strict=True):
            t0 = time.perf_counter()
            try:
                conns[name].request("GET", path)
                resp = conns[name].getresponse()
                resp.read()
                ok = answered(plans[name][0], resp.status)
            except OSError:
                ok = False
                conns[name] = http.client.HTTPConnection("127.0.0.1", plans[name][0], timeout=60)
            latencies, errors = out[name]
            latencies.append((time.perf_counter() - t0) * 1000)
            out[name] = (latencies, errors + (not ok))
    for conn in conns.values():
        conn.close()
    return out


def without_sidecars(index: Path, copy: Path) -> Path:
    """A copy of a Loupe index without its posting sidecars: how an index written before
    them is read (Whoosh's blocks decoded in Python), for the cold pass's "before" row."""
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(index, copy)
    for path in copy.glob("gen-*/*.lpm"):
        path.unlink()
    return copy


def serve_compare(
    workdir: Path, sets: dict, concurrent: int, cold_baseline: bool = False
) -> dict:
    """`loupe serve` and `datasette serve` on loopback, the same faceted searches to both.

    First a cold pass: every query once, from one client, to servers that have answered
    none yet (each query's first time in that process; Loupe's posting cache is empty),
    then two warm-up passes and the timed ones."""
    index, db = workdir / "loupe-index", workdir / "articles.db"
    if not (index / "CURRENT").exists():
        return {"error": "run the in-process benchmark of this size first"}
    queries = [q for name in QUERY_SETS for q, _ in sets[name]]
    env = dict(os.environ, LOUPE_CACHE="0")
    out: dict = {}
    if not db.exists():  # Loupe alone (bench/scale.py --reuse-index without an FTS5 db)
        print(f"  datasette: skipped, no FTS5 database at {db}", file=sys.stderr, flush=True)
    if cold_baseline:
        old = without_sidecars(index, workdir / "loupe-index-no-sidecars")
        out["loupe (no sidecars)"] = serve_cold(old, queries, env)
        shutil.rmtree(old, ignore_errors=True)
    lp, dp = free_port(), free_port()
    servers = [
        subprocess.Popen(  # default processes: one per core
            [sys.executable, "-m", "search", "serve", "--index", str(index), "--port", str(lp)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ),
    ]
    if db.exists():
        servers.append(subprocess.Popen(
            [sys.executable, "-m", "datasette", "serve", str(db), "--host", "127.0.0.1",
             "--port", str(dp), "--setting", "suggest_facets", "off"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        ))
    try:
        # a million articles: opening the index and its facet table takes a while
        if not (wait_http(lp, "/healthz", 600)
                and (not db.exists() or wait_http(dp, "/articles.json", 600))):
            return {"error": "a server did not start"}
        plans = {"loupe": (lp, ["/api/search?" + urlencode({"q": q}) for q in queries])}
        if db.exists():
            plans["datasette"] = (dp, [datasette_path(q, True) for q in queries])
        # Cold: each query's first time, sent to Loupe then to Datasette in turn, so that
        # both see the same load from other jobs (a shared machine's load swings within
        # minutes); the CPU each server tree spent is its own.
        before = [tree_cpu_s(server.pid) for server in servers]
        colds = alternated(plans)
        cold_cpu = {
            name: (tree_cpu_s(servers[i].pid) - before[i]) * 1000 / len(queries)
            for i, name in enumerate(plans)
        }
        for port, paths in plans.values():
            for _ in range(2):  # warm-up: every query, reaching every server process
                http_latencies(port, paths, 16)
        warm = alternated(plans)  # one client, each query to both servers in turn
        for name, (port, paths) in plans.items():
            one, err1 = warm[name]
            many, err2 = http_latencies(port, (paths * 2)[:concurrent], 16)
            cold, err0 = colds[name]
            server = servers[0 if name == "loupe" else 1]
            out[name] = {
                "rss_mb": tree_rss_mb(server.pid),
                "cold_cpu_ms": cold_cpu[name],
                "cold_p50": statistics.median(cold),
                "cold_p95": percentile(cold, 95),
                "p50": statistics.median(one),
                "p95": percentile(one, 95),
                "c16_p50": statistics.median(many),
                "c16_p99": percentile(many, 99),
                "c16_n": len(many),
                "errors": err0 + err1 + err2,
                "refused": REFUSED[port],  # 400 answers over every pass (work budget)
            }
    finally:
        for server in servers:
            server.terminate()
            try:
                server.wait(10)
            except subprocess.TimeoutExpired:
                server.kill()
    return out


def tree_pids(pid: int) -> list[int]:
    """A process and its descendants (a server's forked workers)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    tree, frontier = [pid], [pid]
    while frontier:
        frontier = [p for p, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) spent so far by a process and its descendants: on a
    machine shared with other jobs, the work a pass costs, whatever the wait for a core."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in tree_pids(pid):
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


def tree_rss_mb(pid: int) -> list[float]:
    """Resident memory (MB) of a process and each of its descendants (a server's workers)."""
    out = []
    for p in tree_pids(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    out.append(int(line.split()[1]) / 1024)
        except OSError:
            continue
    return out


def serve_cold(index: Path, queries: list[str], env: dict) -> dict:
    """The cold pass alone against a fresh ``loupe serve`` of ``index``."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "search", "serve", "--index", str(index), "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        if not wait_http(port, "/healthz"):
            return {"error": "the server did not start"}
        before = tree_cpu_s(server.pid)
        cold, errors = http_latencies(
            port, ["/api/search?" + urlencode({"q": q}) for q in queries], 1
        )
        cpu = (tree_cpu_s(server.pid) - before) * 1000 / len(queries)
        return {"cold_p50": statistics.median(cold), "cold_p95": percentile(cold, 95),
                "cold_cpu_ms": cpu, "errors": errors}
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()


# -- report ------------------------------------------------------------------------------


def fmt(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


ROW_NAMES = {
    "loupe": "Loupe (text only)",
    "loupe-baseline": "Loupe before (--baseline)",
    "loupe-entities-1": "Loupe + entities, 1 worker",
    "loupe-entities-2": "Loupe + entities, 2 workers",
    "fts5": "SQLite FTS5",
    "datasette": "Datasette (FTS5 db, JSON API)",
    "tantivy": "tantivy, 1 thread",
    "tantivy-threads": "tantivy, default threads",
}


def print_table(size: int, rows: dict[str, dict], serve: dict | None) -> None:
    print(f"\n### {size:,} articles\n")
    head = ("engine", "docs/s", "index MB", "top-10 p50", "p95", "+facets p50", "p95",
            "first-time +facets p50", "p95", "peak MB", "MRR title", "folded", "rare",
            "R@10 title", "folded", "rare")
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for name, r in rows.items():
        if "error" in r:
            print(f"| {ROW_NAMES[name]} | error: {r['error']} |")
            continue
        rel = r.get("relevance") or {}
        cells = [
            ROW_NAMES[name],
            fmt(r.get("docs_per_s"), 0),
            fmt(r.get("size_mb")),
            fmt(r.get("top10_p50"), 2),
            fmt(r.get("top10_p95"), 2),
            fmt(r.get("facets_p50"), 2),
            fmt(r.get("facets_p95"), 2),
            fmt(r.get("cold_facets_p50"), 2),
            fmt(r.get("cold_facets_p95"), 2),
            fmt(r.get("peak_mb"), 0),
            *[fmt(rel.get(s, {}).get("mrr"), 3) for s in QUERY_SETS],
            *[fmt(rel.get(s, {}).get("recall"), 3) for s in QUERY_SETS],
        ]
        print("| " + " | ".join(cells) + " |")
    loupe = rows.get("loupe", {})
    if "error" not in loupe:
        print("\nRatios Loupe/peer (time: lower is better; docs/s and MRR: higher is better):\n")
        print(
            "| peer | docs/s | index size | top-10 p50 | +facets p50 | MRR title | folded | rare |"
        )
        print("|---|---|---|---|---|---|---|---|")
        for name in ("fts5", "datasette", "tantivy", "tantivy-threads"):
            peer = rows.get(name)
            if not peer or "error" in peer:
                continue

            def ratio(key: str, p=peer) -> str:
                a, b = loupe.get(key), p.get(key)
                return f"{a / b:.2f}" if a and b else "–"

            def mrr(s: str, p=peer) -> str:
                a = loupe.get("relevance", {}).get(s, {}).get("mrr")
                b = p.get("relevance", {}).get(s, {}).get("mrr")
                return f"{a / b:.3f}" if a and b else "–"

            print(
                f"| {ROW_NAMES[name]} | {ratio('docs_per_s')} | {ratio('size_mb')} | "
                f"{ratio('top10_p50')} | {ratio('facets_p50')} | "
                + " | ".join(mrr(s) for s in QUERY_SETS)
                + " |"
            )
    if serve:
        print("\nServed on loopback, faceted search (Loupe `/api/search`, Datasette "
              "`articles.json?_search=…&_facet=section&_facet=month`):\n")
        if "error" in serve:
            print(f"error: {serve['error']}")
            return
        print("| server | cold p50 ms | cold p95 | cold CPU ms/query | p50 ms, 1 client | p95 | "
              "p50, 16 clients | p99, 16 clients | errors |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, s in serve.items():
            print(
                f"| {name} | {fmt(s.get('cold_p50'), 2)} | {fmt(s.get('cold_p95'), 2)} | "
                f"{fmt(s.get('cold_cpu_ms'), 2)} | "
                f"{fmt(s.get('p50'), 2)} | {fmt(s.get('p95'), 2)} | {fmt(s.get('c16_p50'), 1)} | "
                f"{fmt(s.get('c16_p99'), 1)} | {s.get('errors', s.get('error'))} |"
            )
        if "loupe" in serve and "datasette" in serve:
            print(f"\nLoupe/Datasette p50: {serve['loupe']['p50'] / serve['datasette']['p50']:.2f}"
                  f"; first-time queries (cold): "
                  f"{serve['loupe']['cold_p50'] / serve['datasette']['cold_p50']:.2f}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="5000,10000,all", help="comma-separated; 'all' = every "
                    "clean article")
    ap.add_argument("--ner-sizes", default="5000", help="sizes that also get the "
                    "entity-extraction rows (the NER model costs minutes per size); 'all' too")
    ap.add_argument("--queries", type=int, default=200, help="queries per set")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes (after one warm-up)")
    ap.add_argument("--engines", default="loupe,fts5,datasette,tantivy")
    ap.add_argument("--serve", action="store_true", help="also compare the servers on loopback")
    ap.add_argument("--concurrent", type=int, default=800, help="requests in the 16-client phase")
    ap.add_argument("--cold-baseline", action="store_true", help="with --serve: also the cold "
                    "pass on a copy of Loupe's index without its posting sidecars")
    ap.add_argument("--json", type=Path, help="write every measurement to this file")
    ap.add_argument(
        "--baseline",
        type=Path,
        help="another checkout of Loupe (e.g. the main branch) measured as an extra row",
    )
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args.worker, args.workdir, args.repeat)
        return 0
    if not CORPUS.is_dir():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 2

    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    if "loupe" in engines and entities_available():
        engines[engines.index("loupe") + 1 : engines.index("loupe") + 1] = [
            "loupe-entities-1",
            "loupe-entities-2",
        ]
    if "tantivy" in engines:
        engines.insert(engines.index("tantivy") + 1, "tantivy-threads")
    if args.baseline and "loupe" in engines:
        engines.insert(engines.index("loupe"), "loupe-baseline")
    print(
        f"# bench/compare.py, {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}, {args.queries} queries x 3 sets, "
        f"{args.repeat} timed passes; load average {os.getloadavg()[0]:.1f}"
    )
    if not entities_available():
        print("(search.ingest.entities is not importable here: no entity-extraction rows)")
    everything: dict = {}
    for size_text in args.sizes.split(","):
        limit = None if size_text.strip() == "all" else int(size_text)
        records = clean_records(limit)
        workdir = WORK / f"size-{len(records)}"
        (workdir / "corpus").mkdir(parents=True, exist_ok=True)
        with open(workdir / "corpus" / "articles.jsonl", "w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        sets = build_query_sets(records, args.queries)
        (workdir / "queries.json").write_text(json.dumps(sets, ensure_ascii=False))
        (workdir / "articles.db").unlink(missing_ok=True)
        rows: dict[str, dict] = {}
        ner_sizes = {x.strip() for x in args.ner_sizes.split(",")}
        for engine in engines:
            if engine.startswith("loupe-entities") and size_text.strip() not in ner_sizes:
                continue
            t0 = time.perf_counter()
            baseline = str(args.baseline.resolve()) if args.baseline else None
            rows[engine] = run_worker(engine, workdir, args.repeat, baseline)
            print(f"  {len(records)} articles, {engine}: {time.perf_counter() - t0:.0f} s",
                  file=sys.stderr, flush=True)
        serve = None
        if args.serve and len(records) >= 10_000:
            serve = serve_compare(workdir, sets, args.concurrent, args.cold_baseline)
        print_table(len(records), rows, serve)
        everything[len(records)] = {"rows": rows, "serve": serve}
        sys.stdout.flush()
    if args.json:
        args.json.write_text(json.dumps(everything, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
