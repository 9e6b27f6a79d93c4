"""Loupe at archive sizes, beside SQLite FTS5, Datasette and tantivy (issue 11).

    python bench/scale.py [--sizes 100000,300000,1000000] [--queries 200] [--repeat 2]
                          [--engines loupe,fts5,tantivy] [--no-serve] [--json FILE]

For each size, a synthetic archive of that many articles (``bench/synth.py``'s
``write_corpus``: OrangeSum copied over and over with ids suffixed, dates moved back by
5-year steps and the text changed a little per copy, seeded; ``synthetic_corpus`` below
when that module is absent) is written as JSON Lines files under
``bench/.work/scale/size-N/corpus/``, then, each in its own process so its peak memory is
its own (``bench/compare.py``'s workers and servers, reused, not copied):

1. **Loupe**: a fresh text-only build (``reindex(..., entities=False)``, what ``loupe
   reindex --no-entities`` does): docs/s, peak memory of its largest process, index size
   (and how much of it is the posting sidecars); then in process, the 600 known-item
   queries of ``compare.py`` (drawn from the first copy, which every size holds), faceted,
   the first time each is asked in that process ("first-time": the posting cache is
   empty) and again (top 10 alone and faceted, median of ``--repeat`` passes);
2. **SQLite FTS5** and **tantivy** (1 thread) build the same archive and answer the same
   queries, in process;
3. **updates**, right after Loupe's build (below);
4. **served** (unless ``--no-serve``): ``loupe serve`` (default processes) and
   ``datasette serve`` over the FTS5 database on loopback: the first-time pass (each query
   once, one client, fresh servers; also on a copy of Loupe's index without its posting
   sidecars, as an older Loupe left it), with the CPU time each server spent per query,
   one client warm, then 16 concurrent clients; the resident memory of each serving
   process after the run;
5. **updates**: 1,000 new articles (a copy no size uses) dropped in the folder, then
   ``loupe reindex DIR --no-entities`` timed (wall clock and peak memory of the command and
   its children); then the same command again with nothing changed.

Prints one table per size and a growth table over the sizes. ``--sizes`` at a million
needs the memory the issue's targets allow; on a shared machine start with 100000.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import compare  # noqa: E402  (bench/compare.py: workers, servers, query sets, reporting)

ROOT = BENCH.parent
WORK = BENCH / ".work" / "scale"
SEED = 11  # the fallback generator's seed (bench/synth.py has its own)
EXTRA_COPY = 40  # the copy the +1,000 articles come from: no size up to 1M reaches it,
# and its dates (200 years back) stay after 1800, which the readers require
EXTRA = 1_000


# -- the synthetic archive ----------------------------------------------------------------


def synthetic_corpus(out: Path, n: int, seed: int = SEED, first_copy: int = 0) -> list[Path]:
    """Used only when ``bench/synth.py`` is absent: ``n`` articles as copies of OrangeSum.

    Copy ``k`` of record ``r``: id ``r-ck``; ``date``/``published`` moved ``5 * k`` years
    back; three body words dropped and, so that the vocabulary grows with the archive as a
    real one does, three words taken from the same position of another random article's
    body put in their place (``random.Random(f"{seed}:{k}:{id}")``: the same arguments,
    the same bytes). Written as files of 5,000 articles, as a feed would deliver them.
    """
    base = compare.clean_records(None)
    files: list[Path] = []
    copy, done = first_copy, 0
    while done < n:
        chunk = base[: n - done]
        for start in range(0, len(chunk), 5_000):
            path = out / f"copy-{copy:02d}" / f"part-{start // 5_000:03d}.jsonl"
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "w", encoding="utf-8") as fh:
                for rec in chunk[start : start + 5_000]:
                    fh.write(json.dumps(_variant(rec, copy, base, seed), ensure_ascii=False))
                    fh.write("\n")
            files.append(path)
        done += len(chunk)
        copy += 1
    return files


def _variant(rec: dict, copy: int, base: list[dict], seed: int) -> dict:
    if copy == 0:
        return rec
    rng = random.Random(f"{seed}:{copy}:{rec['id']}")
    out = dict(rec, id=f"{rec['id']}-c{copy}")
    for key in ("date", "published"):
        value = rec.get(key)
        if value and len(value) >= 10:
            day = dt.date.fromisoformat(value[:10])
            try:
                moved = day.replace(year=day.year - 5 * copy)
            except ValueError:  # 29 February
                moved = day.replace(year=day.year - 5 * copy, day=28)
            out[key] = moved.isoformat() + value[10:]
    words = (rec.get("body") or "").split(" ")
    other = (rng.choice(base).get("body") or "").split(" ")
    if len(words) > 20:
        for _ in range(3):
            del words[rng.randrange(len(words))]
        for _ in range(3):
            i = rng.randrange(len(words))
            words[i] = other[i % len(other)] if other else words[i]
        out["body"] = " ".join(words)
    return out


def link_or_write_archive(out: Path, n: int) -> None:
    """``out`` links to the archive ``bench/scale_write.py`` (or ``python bench/synth.py``
    with its ``done`` marker) already wrote for ``n`` articles with the default seed,
    under ``bench/out/synth-N-SEED/archive``; otherwise the archive is written there. A
    million articles take minutes to write: it can be done beforehand, while other runs go."""
    try:
        import synth
    except ImportError:
        synth = None
    cached = BENCH / "out" / f"synth-{n}-{synth.SEED}" if synth else None
    if cached is not None and (cached / "done").exists():
        out.parent.mkdir(parents=True, exist_ok=True)
        out.symlink_to(cached / "archive", target_is_directory=True)
    else:
        write_archive(out, n)


def write_archive(out: Path, n: int, first_copy: int = 0) -> list[Path]:
    try:
        import synth  # bench/synth.py (issue 11's write side), when this checkout has it
    except ImportError:
        return synthetic_corpus(out, n, first_copy=first_copy)
    return synth.write_corpus(out, n, first_copy=first_copy)


# -- measuring a command ------------------------------------------------------------------


def run_measured(cmd: list[str], env: dict) -> dict:
    """Wall time and memory of a command: peak of its largest process (ru_maxrss of the
    waited-for children) and the peak of its whole process tree, sampled every 0.2 s."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak_tree = 0.0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak_tree
        while not done.wait(0.2):
            peak_tree = max(peak_tree, sum(compare.tree_rss_mb(proc.pid)))

    sampler = threading.Thread(target=sample)
    sampler.start()
    stdout, stderr = proc.communicate()
    done.set()
    sampler.join()
    seconds = time.perf_counter() - t0
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "seconds": seconds,
        "exit": proc.returncode,
        # ru_maxrss of children is the largest ever waited for: only meaningful if it grew
        "largest_mb": largest / 1024 if largest > before else None,
        "tree_peak_mb": peak_tree,
        "tail": (stderr or stdout).strip().splitlines()[-3:],
    }


def updates(workdir: Path) -> dict:
    """+1,000 new articles, then a run with nothing changed, by ``loupe reindex``."""
    index = workdir / "loupe-index"
    corpus = workdir / "corpus"
    extra = corpus / f"copy-{EXTRA_COPY:02d}"
    shutil.rmtree(extra, ignore_errors=True)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, "-m", "search", "reindex", str(corpus), "--index", str(index),
           "--no-entities", "--quiet"]
    # The no-change run first, so both runs see the same state of the folder before them.
    same = run_measured(cmd, env)
    write_archive(corpus, EXTRA, first_copy=EXTRA_COPY)  # into corpus/copy-40/
    added = run_measured(cmd, env)
    again = run_measured(cmd, env)
    shutil.rmtree(extra, ignore_errors=True)
    return {"nothing_changed": same, "added_1000": added, "nothing_changed_after": again}


# -- report -------------------------------------------------------------------------------


def print_size(n: int, rows: dict, serve: dict | None, upd: dict | None) -> None:
    f = compare.fmt
    print(f"\n### {n:,} articles\n")
    print("| engine | build s | docs/s | peak MB (largest process) | index MB | top-10 p50 | "
          "p95 | +facets p50 | p95 | first-time +facets p50 | p95 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, r in rows.items():
        if "error" in r:
            print(f"| {compare.ROW_NAMES.get(name, name)} | error: {r['error']} |")
            continue
        print(
            f"| {compare.ROW_NAMES.get(name, name)} | {f(r.get('index_s'), 0)} | "
            f"{f(r.get('docs_per_s'), 0)} | {f(r.get('peak_mb'), 0)} | {f(r.get('size_mb'))} | "
            f"{f(r.get('top10_p50'), 2)} | {f(r.get('top10_p95'), 2)} | "
            f"{f(r.get('facets_p50'), 2)} | {f(r.get('facets_p95'), 2)} | "
            f"{f(r.get('cold_facets_p50'), 2)} | {f(r.get('cold_facets_p95'), 2)} |"
        )
    loupe = rows.get("loupe", {})
    if "refused" in loupe:
        rss = loupe.get("rss_mb", {})
        print(f"\nLoupe in process: {loupe['refused']} of the queries refused by the work "
              f"budget, {loupe.get('timeouts', 0)} searches ended by the time limit; "
              f"{f(rss.get('VmRSS'), 0)} MB resident after them "
              f"({f(rss.get('RssAnon'), 0)} anonymous, {f(rss.get('RssFile'), 0)} mapped "
              "files).")
    if rows.get("loupe", {}).get("phases"):
        from search.index.phases import Phase, table

        print("\nLoupe's build by phase:\n")
        print(table([Phase(**p) for p in rows["loupe"]["phases"]]))
    if "sidecar_mb" in rows.get("loupe", {}):
        print(f"\nLoupe's index includes {rows['loupe']['sidecar_mb']:.1f} MB of posting sidecars.")
    if serve:
        print("\nServed on loopback, faceted (`/api/search`; Datasette `articles.json?_search=…"
              "&_facet=section&_facet=month`):\n")
        if "error" in serve:
            print(f"error: {serve['error']}")
        else:
            print("| server | first-time p50 ms | p95 | CPU ms/query | p50, 1 client | p95 | "
                  "p50, 16 clients | p99, 16 clients | RSS per process MB | errors | "
                  "refused (400) |")
            print("|---|---|---|---|---|---|---|---|---|---|---|")
            for name, s in serve.items():
                rss = " + ".join(f"{m:,.0f}" for m in s.get("rss_mb", [])) or "–"
                print(
                    f"| {name} | {f(s.get('cold_p50'), 2)} | {f(s.get('cold_p95'), 2)} | "
                    f"{f(s.get('cold_cpu_ms'), 2)} | {f(s.get('p50'), 2)} | {f(s.get('p95'), 2)} | "
                    f"{f(s.get('c16_p50'), 1)} | "
                    f"{f(s.get('c16_p99'), 1)} | {rss} | {s.get('errors', s.get('error'))} | "
                    f"{s.get('refused', '–')} |"
                )
    if upd:
        print("\n`loupe reindex DIR --no-entities` on the built index:\n")
        print("| run | seconds | peak MB, largest process | peak MB, all its processes | exit |")
        print("|---|---|---|---|---|")
        for key, label in (("nothing_changed", "nothing changed"),
                           ("added_1000", f"+{EXTRA:,} articles"),
                           ("nothing_changed_after", "nothing changed, again")):
            u = upd[key]
            print(f"| {label} | {u['seconds']:.1f} | {f(u['largest_mb'], 0)} | "
                  f"{u['tree_peak_mb']:,.0f} | {u['exit']} |")


def print_growth(everything: dict) -> None:
    if len(everything) < 2:
        return
    f = compare.fmt
    print("\n### Growth\n")
    print("| articles | Loupe docs/s | peak MB | index MB | FTS5 MB | +facets p50 | "
          "first-time p50 | served first-time p50 | Datasette first-time p50 | "
          "16 clients p50 / p99 | +1,000 s | nothing changed s |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n, data in everything.items():
        lo = data["rows"].get("loupe", {})
        fts = data["rows"].get("fts5", {})
        sv = data.get("serve") or {}
        ls, ds = sv.get("loupe", {}), sv.get("datasette", {})
        up = data.get("updates") or {}
        print(
            f"| {int(n):,} | {f(lo.get('docs_per_s'), 0)} | {f(lo.get('peak_mb'), 0)} | "
            f"{f(lo.get('size_mb'))} | {f(fts.get('size_mb'))} | {f(lo.get('facets_p50'), 2)} | "
            f"{f(lo.get('cold_facets_p50'), 2)} | {f(ls.get('cold_p50'), 2)} | "
            f"{f(ds.get('cold_p50'), 2)} | {f(ls.get('c16_p50'), 1)} / {f(ls.get('c16_p99'), 1)} | "
            f"{f(up.get('added_1000', {}).get('seconds'), 1)} | "
            f"{f(up.get('nothing_changed_after', {}).get('seconds'), 1)} |"
        )


def reuse(args, sets: dict) -> int:
    """``--reuse-index``: the query side alone on an index built before (a million articles
    take half an hour to build): the in-process rows (first-time and repeated, queries the
    work budget refuses counted), then the servers (first-time pass, 16 clients, RSS per
    serving process), beside Datasette when ``--fts5-db`` names the same archive's
    database. The folder is only linked to, never written."""
    index = args.reuse_index.resolve()
    if not (index / "CURRENT").exists():
        print(f"not a Loupe index: {index}", file=sys.stderr)
        return 2
    workdir = WORK / f"reuse-{index.name}"
    for link in ("loupe-index", "articles.db"):
        (workdir / link).unlink(missing_ok=True)  # links: what they point to stays
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    (workdir / "queries.json").write_text(json.dumps(sets, ensure_ascii=False))
    (workdir / "loupe-index").symlink_to(index)
    if args.fts5_db and args.fts5_db.exists():
        (workdir / "articles.db").symlink_to(args.fts5_db.resolve())
    else:
        print(f"no FTS5 database ({args.fts5_db or 'no --fts5-db'}): Datasette skipped",
              file=sys.stderr, flush=True)
    rows = {"loupe": compare.run_worker("loupe-existing", workdir, args.repeat)}
    print(f"  in process: {json.dumps(rows['loupe'])}", file=sys.stderr, flush=True)
    serve = None
    if not args.no_serve:
        serve = compare.serve_compare(workdir, sets, args.concurrent)
        print(f"  served: {json.dumps(serve)}", file=sys.stderr, flush=True)
    print_size(int(rows["loupe"].get("docs") or 0), rows, serve, None)
    if args.json:
        args.json.write_text(json.dumps({"reuse": str(index), "rows": rows, "serve": serve},
                                        indent=1))
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="100000,300000,1000000")
    ap.add_argument("--queries", type=int, default=200, help="queries per set (3 sets)")
    ap.add_argument("--repeat", type=int, default=2, help="timed passes after the first")
    ap.add_argument("--engines", default="loupe,fts5,tantivy")
    ap.add_argument("--no-serve", action="store_true", help="skip the loopback servers")
    ap.add_argument("--no-cold-baseline", action="store_true",
                    help="skip the first-time pass on a copy of the index without sidecars")
    ap.add_argument("--concurrent", type=int, default=800, help="requests from 16 clients")
    ap.add_argument("--keep", action="store_true", help="keep each size's folder afterwards")
    ap.add_argument("--json", type=Path, help="write every measurement to this file")
    ap.add_argument("--reuse-index", type=Path, metavar="DIR",
                    help="only the query side, on this existing Loupe index (nothing built "
                         "or written): in process, then served unless --no-serve")
    ap.add_argument("--fts5-db", type=Path, metavar="PATH",
                    help="with --reuse-index: the FTS5 database of the same archive, served "
                         "by Datasette beside Loupe (skipped when absent)")
    args = ap.parse_args()
    if not compare.CORPUS.is_dir():
        print(f"corpus not found: {compare.CORPUS}", file=sys.stderr)
        return 2
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    generator = "bench/synth.py" if (BENCH / "synth.py").exists() else "scale.synthetic_corpus"
    print(f"# bench/scale.py, {time.strftime('%Y-%m-%d %H:%M')} UTC, {os.cpu_count()} cores, "
          f"Python {sys.version.split()[0]}, corpus from {generator}, "
          f"{args.queries} queries x 3 sets, {args.repeat} timed passes; "
          f"load average {os.getloadavg()[0]:.1f}")
    # Known items from the first copy, which every size holds in full.
    sets = compare.build_query_sets(compare.clean_records(None), args.queries)
    if args.reuse_index:
        return reuse(args, sets)
    everything: dict = {}
    for size_text in args.sizes.split(","):
        n = int(size_text)
        workdir = WORK / f"size-{n}"
        shutil.rmtree(workdir, ignore_errors=True)
        t0 = time.perf_counter()
        link_or_write_archive(workdir / "corpus", n)
        (workdir / "queries.json").write_text(json.dumps(sets, ensure_ascii=False))
        print(f"  {n} articles written in {time.perf_counter() - t0:.0f} s", file=sys.stderr,
              flush=True)
        rows: dict[str, dict] = {}
        data = everything[n] = {"rows": rows, "serve": None, "updates": None}

        def save() -> None:  # after each step: a run stopped halfway keeps what it measured
            if args.json:
                args.json.write_text(json.dumps(everything, indent=1))

        for engine in engines:
            t0 = time.perf_counter()
            rows[engine] = compare.run_worker(engine, workdir, args.repeat)
            print(f"  {n} articles, {engine}: {time.perf_counter() - t0:.0f} s "
                  f"{json.dumps(rows[engine])}", file=sys.stderr, flush=True)
            save()
            if engine == "loupe" and "error" not in rows["loupe"]:
                gens = sorted((workdir / "loupe-index").glob("gen-*"))
                sidecars = sum(p.stat().st_size for p in gens[-1].glob("*.lpm"))
                rows["loupe"]["sidecar_mb"] = sidecars / 1e6
                rows["loupe"]["segments"] = len(list(gens[-1].glob("*.seg")))
                # The updates right after the build (the servers below then see the
                # 1,000 more articles of copy 40 in Loupe's index, not in FTS5's).
                t0 = time.perf_counter()
                data["updates"] = updates(workdir)
                print(f"  {n} articles, updates: {time.perf_counter() - t0:.0f} s "
                      f"{json.dumps(data['updates'])}", file=sys.stderr, flush=True)
                save()
        if not args.no_serve and "loupe" in rows and "fts5" in rows:
            data["serve"] = compare.serve_compare(workdir, sets, args.concurrent,
                                                  cold_baseline=not args.no_cold_baseline)
            print(f"  {n} articles, served: {json.dumps(data['serve'])}", file=sys.stderr,
                  flush=True)
        serve, upd = data["serve"], data["updates"]
        print_size(n, rows, serve, upd)
        sys.stdout.flush()
        save()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print_growth(everything)
    return 0


if __name__ == "__main__":
    sys.exit(main())
