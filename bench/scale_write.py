"""The write side at scale: a fresh text-only build, +1,000 articles, a run with nothing
changed, on the synthetic archive of ``bench/synth.py``.

For each size it writes the corpus (kept under ``bench/out/synth-N/`` for the next run),
then times ``loupe reindex --no-entities`` in a subprocess while sampling the resident
memory of that process and all its children from ``/proc`` every 0.1 s (the peak of the
sum, and of the largest one), and prints one line per run, then the fresh build's time
by phase (``loupe reindex --timings``: reading and writing segments, each merge round,
sidecars, publish; wall, CPU of the main process and of its children, load average)::

    python bench/scale_write.py --sizes 34000,100000 [--memory-mb 2048]

A size whose archive is already written (``bench/out/synth-N-SEED/done``) is not written
again.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import synth  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
LOUPE = [sys.executable, "-m", "search"]
PAGE = os.sysconf("SC_PAGE_SIZE")
STDERR = [os.devnull]


def _tree(pid: int) -> list[int]:
    """``pid`` and all its descendants."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, ValueError, IndexError):
        return 0


def run(args: list[str]) -> dict:
    """Runs ``loupe`` with ``args``: seconds, peak MB of the tree and of one process."""
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen(LOUPE + [*args, "--timings"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    peak = {"total": 0, "one": 0}
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            sizes = [_rss(p) for p in _tree(proc.pid)]
            peak["total"] = max(peak["total"], sum(sizes))
            peak["one"] = max(peak["one"], max(sizes, default=0))
            done.wait(0.1)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = proc.communicate()
    done.set()
    with open(STDERR[0], "a", encoding="utf-8") as fh:
        fh.write(err)
    thread.join()
    if proc.returncode not in (0, 1):
        raise SystemExit(f"loupe {' '.join(args)} failed ({proc.returncode})")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": time.perf_counter() - started,
        # CPU seconds of the whole tree (writers are waited for, so they count): what a
        # loaded, shared machine changes least.
        "cpu": (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime),
        "peak_mb": peak["total"] / 2**20,
        "largest_mb": peak["one"] / 2**20,
        "summary": out.strip().splitlines()[-1] if out.strip() else "",
        # ``--timings``: wall and CPU time of each phase of the run (a Markdown table)
        "phases": "\n".join(line for line in err.splitlines() if line.startswith("|")),
    }


def _segments(index: Path) -> int:
    from whoosh import index as whoosh_index

    gen = index / (index / "CURRENT").read_text().strip()
    return len(whoosh_index.open_dir(str(gen))._segments())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="34000,100000")
    parser.add_argument("--memory-mb", type=int, default=None)
    parser.add_argument("--seed", type=int, default=synth.SEED)
    parser.add_argument("--keep", action="store_true", help="keep the indexes")
    parser.add_argument("--stderr", default=str(OUT / "scale_write.stderr"),
                        help="where loupe's warnings go")
    opts = parser.parse_args()
    extra = ["--memory-mb", str(opts.memory_mb)] if opts.memory_mb else []
    OUT.mkdir(parents=True, exist_ok=True)
    STDERR[0] = opts.stderr
    print("| articles | run | seconds | docs/s | CPU seconds, all processes | peak MB, all "
          "processes | largest process MB | segments |")
    print("|---|---|---|---|---|---|---|---|")
    for n in (int(s) for s in opts.sizes.split(",")):
        corpus = OUT / f"synth-{n}-{opts.seed}"
        if not (corpus / "done").exists():
            shutil.rmtree(corpus, ignore_errors=True)
            synth.write_corpus(corpus / "archive", n, opts.seed)
            (corpus / "done").write_text("ok")
        index = OUT / f"scale-index-{n}"
        shutil.rmtree(index, ignore_errors=True)
        feed = corpus / "archive" / "feed"
        shutil.rmtree(feed, ignore_errors=True)
        base = ["reindex", "--index", str(index), "--no-entities", "-q", *extra]
        runs = [("fresh build", [*base, "--full", str(corpus / "archive")], n)]
        phases = []
        for label, args, count in runs:
            r = run(args)
            print(f"| {n:,} | {label} | {r['seconds']:.1f} | {count / r['seconds']:,.0f} | "
                  f"{r['cpu']:.1f} | {r['peak_mb']:,.0f} | {r['largest_mb']:,.0f} | "
                  f"{_segments(index)} |", flush=True)
            phases.append((label, r["phases"]))
        # +1,000 new articles in a new file (copy 40: no size here reaches it), then none.
        feed.mkdir(parents=True)
        with open(feed / "new.jsonl", "w", encoding="utf-8") as fh:
            for _copy, rec in synth.articles(1000, opts.seed, first_copy=40):
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        for label, count in (("+1,000 articles", 1000), ("nothing changed", 0)):
            r = run(base)
            rate = f"{count / r['seconds']:,.0f}" if count else "–"
            print(f"| {n:,} | {label} | {r['seconds']:.1f} | {rate} | {r['cpu']:.1f} | "
                  f"{r['peak_mb']:,.0f} | {r['largest_mb']:,.0f} | {_segments(index)} |",
                  flush=True)
        shutil.rmtree(feed, ignore_errors=True)
        for label, table in phases:
            print(f"\n{n:,} articles, {label}, by phase:\n\n{table}\n", flush=True)
        if not opts.keep:
            shutil.rmtree(index, ignore_errors=True)


if __name__ == "__main__":
    main()
