"""CPU per faceted ``/api/search`` once its postings are cached: what 16 clients replaying
the same queries cost each serving process (issue 11's 16-client target).

In one fresh process, opened as ``loupe serve`` opens it (``warm``), the app answers each
query of ``bench/compare.py``'s ``queries.json`` through Flask's test client (the API's
JSON, the response cache off): ``--passes`` passes (the first is every query's first time,
the next ones fill the posting cache as the served benchmark's warm-up passes do), then a
timed pass, in CPU time (``time.process_time``: on a shared machine, the work, not the
wait for a core). It prints the p50, mean, p90, p99 and max, the mean of the heaviest tenth
of the requests, the heaviest queries, and a digest of every answer (the full JSON,
``took_ms`` left out) to compare two checkouts:

    .venv/bin/python bench/warm_cpu.py INDEX --queries QUERIES [--baseline DIR] [--rounds N]

``--baseline DIR`` runs the same passes with another checkout's code (``PYTHONPATH``), the
two alternated ``--rounds`` times; ``--profile N`` prints cProfile's N heaviest functions
of the timed pass (this checkout only); ``--per-set N`` keeps the first N queries of each
set (``bench/scale.py --queries 60`` serves the first 60 of its own sets).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], p: float) -> float:
    ranked = sorted(values)
    return ranked[min(len(ranked) - 1, int(round(p / 100 * (len(ranked) - 1))))]


def child(index: str, queries_file: str, passes: int, per_set: int, profile: int,
          dump: str | None) -> dict:
    """The passes in this process; the timed one's CPU per query and the answers' digest."""
    os.environ["LOUPE_RESPONSE_CACHE"] = "0"
    os.environ["LOUPE_CACHE"] = "0"
    os.environ["LOUPE_TIME_LIMIT"] = "0"  # a loaded machine must not end one code's search
    from webui import create_app

    sets = json.loads(Path(queries_file).read_text(encoding="utf-8"))
    order = [name for name in ("title", "title_folded", "rare_words") if name in sets]
    queries = [q for name in order for q, _id in sets[name][:per_set or None]]
    app = create_app({"INDEX_DIR": index, "TESTING": True})
    engine = app.extensions["loupe"]
    engine.warm(threads=1)
    client = app.test_client()
    paths = ["/api/search?" + urlencode({"q": q}) for q in queries]
    for _ in range(passes):
        for path in paths:
            client.get(path)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
    times: list[float] = []
    digest = hashlib.sha256()
    answers = []
    for path in paths:
        if profiler is not None:
            profiler.enable()
        t = time.process_time()
        resp = client.get(path)
        times.append((time.process_time() - t) * 1000)
        if profiler is not None:
            profiler.disable()
        page = resp.get_json(silent=True) or {"status": resp.status_code}
        page.pop("took_ms", None)
        text = json.dumps(page, sort_keys=True, ensure_ascii=False)
        digest.update(text.encode())
        answers.append(text)
    if dump:
        Path(dump).write_text("\n".join(answers) + "\n", encoding="utf-8")
    out = {
        "queries": len(queries),
        "p50": statistics.median(times),
        "mean": statistics.mean(times),
        "p90": percentile(times, 90),
        "p99": percentile(times, 99),
        "max": max(times),
        # the mean of the heaviest tenth of the requests (quoted headlines of common words)
        "heavy10": statistics.mean(sorted(times)[-max(1, len(times) // 10):]),
        "heaviest": sorted(zip(times, queries, strict=True), reverse=True)[:8],
        "answers": digest.hexdigest()[:16],
    }
    try:  # the posting cache after the passes (a checkout without it: left out)
        from search.find.fastsearch import POOL

        out["pool"] = {"mb": round(POOL.size / 2**20, 1), "evictions": POOL.evictions}
    except ImportError:
        pass
    if profiler is not None:
        import io
        import pstats

        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(profile)
        out["profile"] = text.getvalue()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("index")
    ap.add_argument("--queries", required=True, help="bench/compare.py's queries.json")
    ap.add_argument("--per-set", type=int, default=0, help="the first N queries of each set")
    ap.add_argument("--passes", type=int, default=3, help="untimed passes before the timed one")
    ap.add_argument("--baseline", type=Path, help="another checkout, run alternately")
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--profile", type=int, default=0, help="cProfile's N heaviest functions")
    ap.add_argument("--dump", help="write each answer's JSON (one a line) to this file")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print("RESULT " + json.dumps(child(args.index, args.queries, args.passes, args.per_set,
                                           args.profile, args.dump)))
        return
    sources = {"this checkout": ROOT}
    if args.baseline:
        sources = {"baseline": args.baseline.resolve(), **sources}
    rows: dict[str, list[dict]] = {}
    loads = [os.getloadavg()[0]]
    for _ in range(args.rounds):
        for name, source in sources.items():
            cmd = [sys.executable, str(Path(__file__).resolve()),
                   str(Path(args.index).resolve()), "--queries",
                   str(Path(args.queries).resolve()), "--per-set", str(args.per_set),
                   "--passes", str(args.passes), "--child"]
            if args.profile and name == "this checkout":
                cmd += ["--profile", str(args.profile)]
            if args.dump:
                cmd += ["--dump", f"{args.dump}.{name.replace(' ', '-')}"]
            env = dict(os.environ, PYTHONPATH=str(source))
            done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=source)
            found = [ln for ln in done.stdout.splitlines() if ln.startswith("RESULT ")]
            if not found:
                sys.exit(f"{name}: {done.stderr.strip()[-2000:]}")
            rows.setdefault(name, []).append(json.loads(found[-1][7:]))
            loads.append(os.getloadavg()[0])
    print(f"# bench/warm_cpu.py, {time.strftime('%Y-%m-%d %H:%M')}, load average "
          f"{min(loads):.1f}-{max(loads):.1f}; CPU ms per warm faceted /api/search, "
          f"median of {args.rounds} run(s)")
    print("| code | queries | p50 | mean | p90 | p99 | max | heaviest 10 % | answers |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, runs in rows.items():
        cells = [statistics.median(r.get(k, float("nan")) for r in runs)
                 for k in ("p50", "mean", "p90", "p99", "max", "heavy10")]
        answers = ",".join(sorted({r["answers"] for r in runs}))
        answers += f" (pool {runs[-1].get('pool')})"
        print(f"| {name} | {runs[0]['queries']} | " + " | ".join(f"{c:.2f}" for c in cells)
              + f" | {answers} |")
    for name, runs in rows.items():
        print(f"\nheaviest ({name}, last run):")
        for ms, q in runs[-1]["heaviest"]:
            print(f"  {ms:8.2f} ms  {q}")
        if runs[-1].get("profile"):
            print(runs[-1]["profile"])
    if len(rows) == 2:
        same = len({r["answers"] for runs in rows.values() for r in runs}) == 1
        print("answers identical" if same else "ANSWERS DIFFER")


if __name__ == "__main__":
    main()
