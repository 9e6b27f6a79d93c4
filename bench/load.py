"""Bounded load test of `loupe serve` on 127.0.0.1, with a reindex swapping in mid-test.

    python bench/load.py [--articles N] [--clients 16] [--requests 2000]

Builds (or reuses) an index of the first N clean OrangeSum articles, starts `loupe serve`
on a free loopback port, and runs CLIENTS threads for a fixed number of requests in all:
plain queries, faceted and filtered queries, paged and date-sorted queries, article
pages and API calls. While they run, `loupe reindex` adds a file of new articles, so a
new generation is published under load. Prints requests/s, p50/p95/p99 latency per kind,
and the error count (it must be 0). Every address is on this machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

# The same corpus reading as the side-by-side benchmark (this folder is on sys.path).
from compare import CORPUS, clean_records

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def loupe(*args: str) -> list[str]:
    return [sys.executable, "-m", "search", *args]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def build_requests(records: list[dict], n: int, seed: int = 7) -> list[tuple[str, str]]:
    """A deterministic mix of (kind, path) requests drawn from the corpus itself."""
    rng = random.Random(seed)
    words = [w for r in records[:2000] for w in r["title"].split() if len(w) > 5 and w.isalpha()]
    sections = sorted({r.get("section_label") or r["section"] for r in records})
    out: list[tuple[str, str]] = []
    for _ in range(n):
        roll = rng.random()
        q = " ".join(rng.sample(words, rng.choice([1, 1, 2, 3])))
        if roll < 0.35:
            out.append(("search", "/?" + urlencode({"q": q})))
        elif roll < 0.55:
            out.append(("api", "/api/search?" + urlencode({"q": q})))
        elif roll < 0.70:
            params = [("q", q), ("rubrique", rng.choice(sections)), ("depuis", "2018")]
            out.append(("faceted", "/api/search?" + urlencode(params)))
        elif roll < 0.80:
            params = {"q": q, "tri": "date", "page": rng.randint(1, 5)}
            out.append(("sorted", "/?" + urlencode(params)))
        elif roll < 0.95:
            out.append(("article", f"/article/{rng.choice(records)['id']}?" + urlencode({"q": q})))
        else:
            out.append(("browse", "/?" + urlencode({"tri": "date"})))
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--articles", type=int, default=40_000, help="clean articles (all: 40000)")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--threads", type=int, default=4, help="waitress threads per process")
    args = ap.parse_args()
    if not CORPUS.is_dir():
        print(f"corpus not found: {CORPUS}", file=sys.stderr)
        return 2

    records = clean_records(args.articles)
    work = WORK / f"load-{len(records)}"
    corpus, extra, index = work / "corpus", work / "corpus" / "extra.jsonl", work / "index"
    corpus.mkdir(parents=True, exist_ok=True)
    extra.unlink(missing_ok=True)
    main_file = corpus / "articles.jsonl"
    if not main_file.exists():
        with open(main_file, "w", encoding="utf-8") as fh:
            for rec in records:
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    started = time.perf_counter()
    subprocess.run(loupe("reindex", str(corpus), "--index", str(index), "-q"), check=True)
    print(f"index of {len(records)} articles ready in {time.perf_counter() - started:.1f} s")

    port = free_port()
    server = subprocess.Popen(
        loupe("serve", "--index", str(index), "--port", str(port), "--threads", str(args.threads)),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            print("server did not start", file=sys.stderr)
            return 1

        plan = build_requests(records, args.requests)
        latencies: dict[str, list[float]] = {}
        errors: list[str] = []
        lock = threading.Lock()
        cursor = iter(enumerate(plan))

        def client() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            while True:
                with lock:
                    item = next(cursor, None)
                if item is None:
                    return
                _i, (kind, path) = item
                t0 = time.perf_counter()
                try:
                    conn.request("GET", path)
                    resp = conn.getresponse()
                    resp.read()
                    status = resp.status
                except OSError as exc:
                    status = f"{type(exc).__name__}"
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                took = (time.perf_counter() - t0) * 1000
                with lock:
                    latencies.setdefault(kind, []).append(took)
                    if status != 200:
                        errors.append(f"{status} {path}")

        def reindex_under_load() -> None:
            time.sleep(1.0)
            with open(extra, "w", encoding="utf-8") as fh:
                for i in range(50):
                    rec = dict(records[i], id=f"load-extra-{i}", title=f"Article ajouté {i}")
                    fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
            subprocess.run(loupe("reindex", "--index", str(index), "-q"), check=True)

        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        reindexer = threading.Thread(target=reindex_under_load)
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        reindexer.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - t0
        reindexer.join()

        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/api/search?" + urlencode({"q": "Article ajouté"}))
        swapped = json.loads(conn.getresponse().read())["total"] >= 50
    finally:
        server.terminate()
        server.wait(10)

    every = [x for values in latencies.values() for x in values]
    print(
        f"\n{len(every)} requests, {args.clients} clients, {args.threads} server threads, "
        f"{len(records)} articles, a reindex published during the run: "
        f"{'yes' if swapped else 'NO'}"
    )
    print(f"{'kind':10} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind in sorted(latencies) + ["all"]:
        values = every if kind == "all" else latencies[kind]
        print(
            f"{kind:10} {len(values):6d} {statistics.median(values):8.1f} "
            f"{percentile(values, 95):8.1f} {percentile(values, 99):8.1f}"
        )
    print(f"\nthroughput: {len(every) / elapsed:.1f} requests/s; errors: {len(errors)}")
    for line in errors[:10]:
        print("  error:", line)
    return 1 if errors or not swapped else 0


if __name__ == "__main__":
    sys.exit(main())
