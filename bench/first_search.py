"""The first searches after a server process starts, with and without ``SearchEngine.warm``.

Each mode runs in a fresh process (nothing cached), opens the index as ``loupe serve`` does
(before: only the generation; now: ``warm(threads=1)``), then times five searches in one
worker thread, as a waitress thread would run them, the response cache off:

    .venv/bin/python bench/first_search.py INDEX_DIR

``--queries FILE`` (``bench/compare.py``'s ``queries.json``) times instead each of its
queries searched for the first time in a process opened as a server's (``warm``), faceted,
in CPU time (``time.process_time``: on a machine shared with other jobs, the work, not the
wait for a core), then the same queries again; ``--baseline DIR`` runs the same pass with
another checkout's code (``PYTHONPATH``), the two alternated ``--rounds`` times, and says
whether both gave the same pages (scores, snippets and facets, to the character):

    .venv/bin/python bench/first_search.py INDEX_DIR --queries QUERIES --baseline ../main

``--baseline-index DIR``: the baseline searches its own index of the same articles (one in
a format it reads, e.g. the same segments with sidecars of the previous format).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

QUERIES = ["gouvernement", "élections municipales", "pays:FR santé", "retraites", "gouvernement"]


def run(index_dir: str, mode: str) -> str:
    from search.find.searcher import SearchEngine, SearchRequest

    engine = SearchEngine(index_dir, cache_size=0)
    started = time.perf_counter()
    if mode == "warm":
        engine.warm(threads=1)
    else:
        engine.generation  # noqa: B018 - what `loupe serve` did before: open the generation
    opened = (time.perf_counter() - started) * 1000
    times: list[float] = []

    def worker() -> None:
        for q in QUERIES:
            t = time.perf_counter()
            engine.search(SearchRequest(q=q))
            times.append((time.perf_counter() - t) * 1000)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    cells = " | ".join(f"{ms:.0f}" for ms in times)
    return f"| {mode} | {opened:.0f} | {cells} |"


def first_time_pass(index_dir: str, queries_file: str) -> dict:
    """Each query once (its first time in this process), then all again: CPU ms per query,
    and a digest of every page (``took_ms`` left out) to compare two checkouts."""
    os.environ["LOUPE_RESPONSE_CACHE"] = "0"
    # no time limit: on a loaded machine it would end a search in one code and not the
    # other, and the pages would differ for that alone
    os.environ["LOUPE_TIME_LIMIT"] = "0"
    from search.find.budget import SearchTimeout, TooCostly
    from search.find.searcher import SearchEngine, SearchRequest

    sets = json.loads(Path(queries_file).read_text(encoding="utf-8"))
    queries = [q for name in sorted(sets) for q, _id in sets[name]]
    engine = SearchEngine(index_dir, cache_size=0)
    engine.warm(threads=1)
    out: dict = {"queries": len(queries)}
    digest = hashlib.sha256()
    for name in ("first", "again"):
        times = []
        for q in queries:
            t = time.process_time()
            try:
                page = engine.search(SearchRequest(q=q)).to_dict()
            except (TooCostly, SearchTimeout) as exc:  # refused: counted, its cost timed
                page = {"refused": type(exc).__name__}
            times.append((time.process_time() - t) * 1000)
            if name == "first":
                page.pop("took_ms", None)
                digest.update(json.dumps(page, sort_keys=True, ensure_ascii=False).encode())
        out[f"{name}_p50"] = statistics.median(times)
        out[f"{name}_mean"] = statistics.mean(times)
    out["pages"] = digest.hexdigest()[:16]
    return out


def compare_passes(args) -> None:
    """The first-time pass with this checkout's code and ``--baseline``'s, alternated."""
    rows: dict[str, list[dict]] = {}
    sources = {"this checkout": (str(Path(__file__).resolve().parent.parent), args.index)}
    if args.baseline:
        sources = {"baseline": (str(args.baseline.resolve()), args.baseline_index or args.index),
                   **sources}
    for _ in range(args.rounds):
        for name, (source, index) in sources.items():
            env = dict(os.environ, PYTHONPATH=source)
            cmd = [sys.executable, __file__, index, "--queries", args.queries, "--child"]
            done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env,
                                  cwd=source)
            rows.setdefault(name, []).append(json.loads(done.stdout.strip().splitlines()[-1]))
    print(f"# bench/first_search.py, {time.strftime('%Y-%m-%d %H:%M')}, load average "
          f"{os.getloadavg()[0]:.1f}; CPU ms per query, median of {args.rounds} runs")
    print("| code | queries | first-time p50 | mean | again p50 | mean | pages |")
    print("|---|---|---|---|---|---|---|")
    for name, runs in rows.items():
        cells = [statistics.median(r[k] for r in runs)
                 for k in ("first_p50", "first_mean", "again_p50", "again_mean")]
        pages = ",".join(sorted({r["pages"] for r in runs}))
        print(f"| {name} | {runs[0]['queries']} | " + " | ".join(f"{c:.2f}" for c in cells)
              + f" | {pages} |")
    if len(rows) == 2:
        same = len({r["pages"] for runs in rows.values() for r in runs}) == 1
        print("pages identical" if same else "PAGES DIFFER")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("index")
    ap.add_argument("mode", nargs="?", help=argparse.SUPPRESS)
    ap.add_argument("--queries", help="bench/compare.py's queries.json: a first-time pass")
    ap.add_argument("--baseline", type=Path, help="another checkout, measured alternately")
    ap.add_argument("--baseline-index", help="the baseline's own index (default: INDEX)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.queries:
        if args.child:
            print(json.dumps(first_time_pass(args.index, args.queries)))
        else:
            compare_passes(args)
        return
    if args.mode:
        print(run(args.index, args.mode))
        return
    index_dir = args.index
    print("| start | before accepting (ms) | " + " | ".join(QUERIES) + " |")
    print("|---" * (len(QUERIES) + 2) + "|")
    for mode in ("cold", "warm", "cold", "warm"):
        out = subprocess.run(
            [sys.executable, __file__, index_dir, mode], capture_output=True, text=True, check=True
        )
        print(out.stdout.strip())


if __name__ == "__main__":
    main()
