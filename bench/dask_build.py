"""A reindex on a 2-worker Dask ``LocalCluster`` against today's in-process ``--workers 2``.

Build mode: the first N articles of OrangeSum (flagged duplicates skipped) copied to one
JSON Lines file, then fresh builds (no NER cache) with entities and text only
(``--no-entities``), in-process and ``--dask`` alternately (other jobs on the machine weigh
on both alike), ``rounds`` times each. Each build runs ``loupe reindex`` in a subprocess;
the resident memory of every process of its tree is sampled every 0.1 s (psutil), and the
line gives articles/s and the peak of the largest process other than the coordinator (a
writer, NER or Dask worker)::

    python bench/dask_build.py --articles 5000 [--rounds 1] [--skip-entities]

Kill mode: ``loupe reindex --dask`` killed (SIGKILL or SIGINT, in turn) at a random moment
of its run (cluster start-up, extraction and writing, commit), then the processes of its
session still alive 10 s later are counted; the target is none in any try::

    python bench/dask_build.py --kill 20 [--articles 2000] [--within SECONDS]
        [--phase any|commit|mixed]

``--within`` draws the kill moments from 0.3 s to SECONDS instead of over a timed run.
``--phase commit`` aims at the commit: every worker's segment is written (and merged, a
build of tens of thousands of articles) and the coordinator commits (the posting maps
written by the workers, the table of contents, checksums, the person and article tables,
the swap). The commit is seen beginning when the build folder (``tmp-*``) gets its first
posting map file (``*.lpm*``, a poll every 5 ms); a timed run measures how long it lasts,
and each kill comes at a random moment of that length after it begins.

``--phase mixed`` (the 20-try run of issue 15) aims tries in turn over the whole run and
at its commit, each with SIGKILL then SIGINT: one timed run gives both lengths.

Each try also checks that nothing was half published: either no ``CURRENT``, or the
generation it names opens with every article.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus" / "orangesum"
LOUPE = [sys.executable, "-m", "search"]


def write_corpus(dest: Path, count: int) -> Path:
    """The first ``count`` OrangeSum records not flagged as duplicates, as one file."""
    out = dest / "articles.jsonl"
    written = 0
    with open(out, "w", encoding="utf-8") as fh:
        for part in sorted(CORPUS.glob("articles-part-*.jsonl")):
            for line in open(part, encoding="utf-8"):
                rec = json.loads(line)
                if rec.get("duplicate_of") or rec.get("orangesum_duplicate"):
                    continue
                fh.write(line)
                written += 1
                if written >= count:
                    return out
    return out


class Sampler(threading.Thread):
    """Peak resident memory and CPU seconds of each process of ``pid``'s tree, every 0.1 s
    (CPU: the last reading of each; a machine shared with other jobs stretches wall time
    more than CPU time)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peaks: dict[int, int] = {}
        self.cpu: dict[int, float] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            try:
                procs = [self.root] + self.root.children(recursive=True)
            except psutil.NoSuchProcess:
                return
            for proc in procs:
                try:
                    with proc.oneshot():
                        rss = proc.memory_info().rss
                        times = proc.cpu_times()
                except psutil.Error:
                    continue
                self.peaks[proc.pid] = max(self.peaks.get(proc.pid, 0), rss)
                self.cpu[proc.pid] = times.user + times.system
            time.sleep(0.1)


def build(
    corpus: Path, index: Path, dask: bool, entities: bool
) -> tuple[float, int, int, tuple[float, float]]:
    """Seconds, peak RSS (MB) of the largest non-coordinator process, how many there were,
    and the CPU seconds of the coordinator and of every process of the build."""
    shutil.rmtree(index, ignore_errors=True)
    args = [*LOUPE, "reindex", str(corpus), "--index", str(index), "--workers", "2", "-q"]
    args += ["--dask"] if dask else []
    args += [] if entities else ["--no-entities"]
    env = {k: v for k, v in os.environ.items() if k != "LOUPE_CACHE_DIR"}
    started = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, env=env)
    sampler = Sampler(proc.pid)
    sampler.start()
    code = proc.wait()
    elapsed = time.perf_counter() - started
    sampler.stop.set()
    sampler.join()
    if code != 0:
        raise SystemExit(f"reindex failed ({code}): {' '.join(args)}")
    others = [rss for pid, rss in sampler.peaks.items() if pid != proc.pid]
    cpu = sampler.cpu.get(proc.pid, 0.0), sum(sampler.cpu.values())
    return elapsed, max(others, default=0) >> 20, len(others), cpu


def bench(count: int, rounds: int, modes: list[bool]) -> None:
    with tempfile.TemporaryDirectory(prefix="dask-bench-") as tmp:
        corpus = write_corpus(Path(tmp), count)
        print(f"{count} articles, 2 cores shared with other jobs; {rounds} round(s), alternating")
        for entities in modes:
            label = "with entities" if entities else "text only (--no-entities)"
            times: dict[bool, list[float]] = {False: [], True: []}
            for _ in range(rounds):
                for dask in (False, True):
                    load = os.getloadavg()[0]
                    secs, peak, procs, (mine, cpu) = build(
                        corpus, Path(tmp) / "index", dask, entities
                    )
                    times[dask].append(secs)
                    name = "dask LocalCluster 2 workers" if dask else "in-process --workers 2"
                    print(
                        f"  {label:28} {name:28} {count / secs:7.1f} articles/s  "
                        f"{secs:6.1f} s  CPU {1000 * cpu / count:5.1f} ms/article "
                        f"(coordinator {1000 * mine / count:4.1f})  "
                        f"peak worker RSS {peak:5d} MB ({procs} processes)  "
                        f"load {load:4.1f} -> {os.getloadavg()[0]:4.1f}",
                        flush=True,
                    )
            ratio = min(times[False]) / min(times[True])
            pairs = [f"{a / b:.2f}" for a, b in zip(times[False], times[True], strict=True)]
            print(f"  {label:28} dask / in-process speed ratio (best of each): {ratio:.2f}; "
                  f"round by round: {', '.join(pairs)} (above 1: Dask faster)")


def _sigint_back() -> None:
    """In the child: SIGINT handled again. A job a shell starts in the background ignores
    it, and so does what it starts: Python then raises no KeyboardInterrupt, and a SIGINT
    try would time a reindex that ran to its end."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _session_left(sid: int) -> list[str]:
    left = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            if os.getsid(proc.pid) == sid:
                left.append(f"{proc.pid} {' '.join(proc.info['cmdline'] or [])[:80]}")
        except (OSError, psutil.Error):
            continue
    return left


def _commit_started(index: Path) -> bool:
    """Whether the build folder of ``index`` has begun its posting maps, the first thing a
    Dask build writes once every segment is written and merged."""
    return any(index.glob("tmp-*/*.lpm*"))


def _wait_commit(proc: subprocess.Popen, index: Path) -> float | None:
    """Seconds until the commit began (None: the run ended first)."""
    started = time.perf_counter()
    while proc.poll() is None:
        if _commit_started(index):
            return time.perf_counter() - started
        time.sleep(0.005)
    return None


def _half_published(index: Path, count: int) -> str:
    """What is wrong with what ``index`` serves: a ``CURRENT`` naming a generation that
    does not open with ``count`` articles ('' when nothing is served, or all of it)."""
    from whoosh import index as whoosh_index

    if not (index / "CURRENT").exists():
        return ""
    try:
        gen = index / (index / "CURRENT").read_text().strip()
        with whoosh_index.open_dir(str(gen)).searcher() as searcher:
            found = searcher.doc_count()
    except Exception as exc:  # noqa: BLE001 - reported as the failure it is
        return f"CURRENT names a generation that does not open: {exc}"
    return "" if found == count else f"CURRENT serves {found} of {count} articles"


def kill(tries: int, count: int, within: float | None = None, phase: str = "any") -> int:
    """Kills ``loupe reindex --dask`` ``tries`` times, at a moment drawn over the length
    of an uninterrupted run (timed first), or from 0.3 s to ``within`` seconds (no timed
    run: on a loaded machine the timed one may be long, so most kills would come after the
    end), or within its commit (``phase`` "commit"); returns how many tries left a process
    or a half-published index."""
    rng = random.Random(15)
    failures = 0
    # The phase of each try: "mixed" goes any, any, commit, commit (SIGKILL, SIGINT each).
    aims = [phase if phase != "mixed" else ("any", "commit")[(n // 2) % 2] for n in range(tries)]
    with tempfile.TemporaryDirectory(prefix="dask-kill-") as tmp:
        corpus = write_corpus(Path(tmp), count)
        articles = sum(1 for _line in open(corpus, encoding="utf-8"))
        args = [*LOUPE, "reindex", str(corpus), "--workers", "2", "--dask", "-q", "--no-ner"]
        whole = 0.0  # a whole run's length ("mixed": kills over it, or in the commit)
        if phase in ("commit", "mixed"):
            timed = Path(tmp) / "timed"
            started = time.perf_counter()
            proc = subprocess.Popen([*args, "--index", str(timed)], cwd=ROOT)
            begun = _wait_commit(proc, timed)
            proc.wait()
            if begun is None:
                raise SystemExit("the timed run ended before its commit was seen")
            whole = time.perf_counter() - started
            length = whole - begun
            print(f"a run's commit begins at {begun:.1f} s and lasts {length:.2f} s; "
                  f"kills drawn over that length after it begins"
                  + (f" (commit tries) or over the whole {whole:.1f} s (the others)"
                     if phase == "mixed" else ""))
        elif within is not None:
            length = within
            print(f"kills drawn from 0.3 s to {length:.1f} s (--within)")
        else:
            started = time.perf_counter()
            subprocess.run([*args, "--index", str(Path(tmp) / "timed")], cwd=ROOT, check=True)
            length = time.perf_counter() - started
            print(f"an uninterrupted run takes {length:.1f} s; kills drawn from 0.3 s to that")
        for attempt in range(tries):
            index = Path(tmp) / f"index-{attempt}"
            sig = signal.SIGKILL if attempt % 2 == 0 else signal.SIGINT
            aim = aims[attempt]
            if aim == "commit":
                delay = rng.uniform(0.0, length)
            else:
                delay = rng.uniform(0.3, whole if phase == "mixed" else length)
            proc = subprocess.Popen(
                [*args, "--index", str(index)], cwd=ROOT, start_new_session=True,
                stdout=subprocess.DEVNULL, stderr=open(Path(tmp) / f"stderr-{attempt}", "wb"),
                preexec_fn=_sigint_back,
            )
            begun = _wait_commit(proc, index) if aim == "commit" else 0.0
            time.sleep(delay)
            ended = proc.poll() is not None
            procs = len(psutil.Process(proc.pid).children(recursive=True)) if not ended else 0
            if not ended:
                proc.send_signal(sig)
            killed = time.monotonic()
            left = _session_left(proc.pid)
            while left and time.monotonic() < killed + 10:
                time.sleep(0.5)
                proc.poll()
                left = _session_left(proc.pid)
            if proc.poll() is None:
                left.append(f"{proc.pid} (the coordinator itself)")
            if left:  # how much longer they last (up to 60 s more), to tell slow from stuck
                while _session_left(proc.pid) and time.monotonic() < killed + 70:
                    time.sleep(0.5)
                    proc.poll()
                print(f"  (the processes left were gone {time.monotonic() - killed:.0f} s after "
                      f"the kill)" if not _session_left(proc.pid) else
                      "  (still there 70 s after the kill)", flush=True)
            half = _half_published(index, articles)
            failures += bool(left or half)
            what = "finished before the kill" if ended else f"{signal.Signals(sig).name}"
            if ended and proc.returncode:  # a run that failed on its own: say how
                said = (Path(tmp) / f"stderr-{attempt}").read_text(errors="replace").strip()
                what = f"failed by itself ({proc.returncode}: {said.splitlines()[-1:]})"
            if begun is None:  # it ended before its commit was seen
                begun, delay = float("nan"), 0.0
            when = (f"{delay:5.2f} s into the commit (at {begun:.1f} s)" if aim == "commit"
                    else f"at {delay:5.1f} s = {delay / (whole or length):4.0%} of "
                    f"{'the window' if within else 'a run'}")
            served = "served: " + ("nothing" if not (index / "CURRENT").exists() else "all")
            print(
                f"  try {attempt + 1:2}: {what:24} {when} ({procs} children) -> "
                f"{len(left)} process(es) left {left if left else ''}; {half or served}",
                flush=True,
            )
            for line in left:  # leave the machine clean for the next try
                try:
                    os.kill(int(line.split()[0]), signal.SIGKILL)
                except (OSError, ValueError):
                    pass
    print(f"{failures} of {tries} tries left a process behind or half an index published")
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--skip-entities", action="store_true")
    parser.add_argument("--kill", type=int, default=0, metavar="TRIES")
    parser.add_argument(
        "--within", type=float, default=None, metavar="SECONDS",
        help="with --kill: kill moments drawn from 0.3 s to SECONDS instead of a timed run",
    )
    parser.add_argument(
        "--phase", choices=("any", "commit", "mixed"), default="any",
        help="with --kill: 'commit' kills within the commit (after every segment is written); "
        "'mixed' aims in turn over a whole run and at the commit",
    )
    args = parser.parse_args()
    if args.within is not None and (not args.kill or args.within <= 0.3):
        parser.error("--within SECONDS (> 0.3) goes with --kill")
    if args.phase != "any" and (not args.kill or args.within is not None):
        parser.error("--phase goes with --kill, without --within")
    if args.kill:
        sys.exit(1 if kill(args.kill, args.articles, args.within, args.phase) else 0)
    bench(args.articles, args.rounds, [False] if args.skip_entities else [True, False])


if __name__ == "__main__":
    main()
