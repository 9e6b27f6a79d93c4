"""Two versions of Loupe and Datasette answering the same first-time queries side by side:
a before/after of a change to the served search on a shared machine.

    python bench/serve_ab.py --before /tmp/loupe-base [--workdir bench/.work/compare/size-10000]
                             [--rounds 3]

``--before`` is a checkout of the older code (``git archive COMMIT | tar -x -C DIR``). Each
round starts fresh servers (``loupe serve`` of each version, one process each, and
``datasette serve``) on the same index and database, then sends every faceted query of
``compare.py`` once, to the three servers in turn from one client (as ``compare.py``'s cold
pass does), so that the three see the same load from other jobs; it prints wall-clock
p50 and each server's CPU time per query (from ``/proc``, the steadier number), and
checks that both versions answered each query with the same document (``took_ms`` aside).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import QUERY_SETS, datasette_path, free_port, tree_cpu_s, wait_http  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def fetch(conn: http.client.HTTPConnection, path: str) -> tuple[float, bytes]:
    t0 = time.perf_counter()
    conn.request("GET", path)
    body = conn.getresponse().read()
    return (time.perf_counter() - t0) * 1000, body


def same_answer(a: bytes, b: bytes) -> bool:
    x, y = json.loads(a), json.loads(b)
    for doc in (x, y):
        doc.pop("took_ms", None)
    return x == y


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, required=True)
    ap.add_argument("--workdir", type=Path, default=ROOT / "bench/.work/compare/size-10000")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    sets = json.loads((args.workdir / "queries.json").read_text(encoding="utf-8"))
    queries = [q for name in QUERY_SETS for q, _ in sets[name]]
    index, db = args.workdir / "loupe-index", args.workdir / "articles.db"
    env = dict(os.environ, LOUPE_CACHE="0")
    names = ["before", "after", "datasette"]
    wall: dict[str, list[float]] = {n: [] for n in names}
    cpu: dict[str, list[float]] = {n: [] for n in names}
    differ = 0
    for _round in range(args.rounds):
        ports = {n: free_port() for n in names}
        servers = {
            name: subprocess.Popen(
                [sys.executable, "-m", "search", "serve", "--index", str(index.resolve()),
                 "--port", str(ports[name]), "--processes", "1"],
                cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for name, root in (("before", args.before), ("after", ROOT))
        }
        servers["datasette"] = subprocess.Popen(
            [sys.executable, "-m", "datasette", "serve", str(db), "--host", "127.0.0.1",
             "--port", str(ports["datasette"]), "--setting", "suggest_facets", "off"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for name in names:
                probe = "/articles.json" if name == "datasette" else "/healthz"
                if not wait_http(ports[name], probe, 300):
                    print(f"{name} did not start", file=sys.stderr)
                    return 3
            time.sleep(1)
            conns = {n: http.client.HTTPConnection("127.0.0.1", ports[n], timeout=60)
                     for n in names}
            start = {n: tree_cpu_s(servers[n].pid) for n in names}
            for q in queries:
                bodies = {}
                for name in names:
                    path = (datasette_path(q, True) if name == "datasette"
                            else "/api/search?" + urlencode({"q": q}))
                    took, bodies[name] = fetch(conns[name], path)
                    wall[name].append(took)
                differ += not same_answer(bodies["before"], bodies["after"])
            for name in names:
                cpu[name].append((tree_cpu_s(servers[name].pid) - start[name]) * 1000
                                 / len(queries))
        finally:
            for server in servers.values():
                server.terminate()
                server.wait(10)
    print(f"{len(queries)} first-time queries x {args.rounds} rounds of fresh servers, "
          f"load average {os.getloadavg()[0]:.1f} at the end; answers differing: {differ}")
    print("| server | p50 ms | CPU ms per query (each round) | mean CPU |")
    print("|---|---|---|---|")
    for name in names:
        print(f"| {name} | {statistics.median(wall[name]):.2f} | "
              + ", ".join(f"{c:.2f}" for c in cpu[name])
              + f" | {statistics.mean(cpu[name]):.2f} |")
    return 0 if not differ else 1


if __name__ == "__main__":
    sys.exit(main())
