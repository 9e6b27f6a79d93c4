"""Where a served first-time query spends its CPU: py-spy samples a ``loupe serve`` process
while it answers each of ``bench/compare.py``'s faceted queries once over HTTP.

    python bench/serve_profile.py [--workdir bench/.work/compare/size-10000] [--rounds 5]
                                  [--out bench/out/serve-profile.txt]

Each round starts a fresh one-process server (nothing searched before in it; the response
cache off, as in ``compare.py``), waits for it to warm, then py-spy records it (100 samples
a second, active threads only) while one client sends every query once, the way
``compare.py``'s cold pass does. The collapsed stacks of all rounds are summed, and the share
of samples under each stage (the first matching frame of ``STAGES`` from the leaf up) is
printed, with the server's CPU time per query from ``/proc``. Shares are of wall-clock
samples of threads py-spy found active: a thread in ``send`` or a pipe write counts though
it mostly waits, so the ms column is a guide, and the HTTP layer is best measured alone.
Needs ``py-spy`` (pip) and the right to trace the server (it is our own child).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import QUERY_SETS, free_port, http_latencies, tree_cpu_s, wait_http  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent

# (stage, substring of a collapsed frame "function (file:line)"), the innermost first: a
# sample counts for the first stage whose frame is on its stack, searched from the top of
# the stack (the caller side) down, so that nested stages count for the outer one listed
# later only when no inner one matched.
STAGES = [
    ("snippets", "snippets.py"),
    ("snippets", "highlight.py"),
    ("stored fields", "stored_fields"),
    ("facet counts", "count_facets"),
    ("did you mean", "_did_you_mean"),
    ("missing words", "_word_masks"),
    ("proximity", "proximity ("),
    ("rank and page (BM25F)", "_page ("),
    ("match (parse, postings, mask)", "_text_match"),
    ("highlight terms", "highlight_terms"),
    ("request parsing", "from_params"),
    ("other search", "_search ("),
    ("JSON encoding", "jsonify"),
    ("JSON encoding", "json/"),
    ("response compression", "flask_compress"),
    ("Flask dispatch and the rest of the app", "flask/"),
    ("Flask dispatch and the rest of the app", "werkzeug/"),
    ("waitress (HTTP parsing, writing, sockets)", "waitress/"),
]


# Leaf frames of a thread that waits (py-spy still samples some): not CPU, left out.
WAITING = ("Condition.wait (", "Event.wait (", "select (")


def stage_of(stack: str) -> str:
    frames = stack.split(";")
    if frames[-1].startswith(WAITING):
        return "waiting (not CPU)"
    for name, needle in STAGES:
        if any(needle in frame for frame in frames):
            return name
    return "other"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path, default=ROOT / "bench/.work/compare/size-10000")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--rate", type=int, default=100)
    ap.add_argument("--out", type=Path, default=ROOT / "bench/out/serve-profile.txt")
    args = ap.parse_args()
    import json

    sets = json.loads((args.workdir / "queries.json").read_text(encoding="utf-8"))
    queries = [q for name in QUERY_SETS for q, _ in sets[name]]
    paths = ["/api/search?" + urlencode({"q": q}) for q in queries]
    pyspy = Path(sys.executable).with_name("py-spy")
    stacks: Counter[str] = Counter()
    cpu_ms: list[float] = []
    env = dict(os.environ, LOUPE_CACHE="0")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for r in range(args.rounds):
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "search", "serve", "--index", str(args.workdir / "loupe-index"),
             "--port", str(port), "--processes", "1"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            if not wait_http(port, "/healthz", 300):
                print("the server did not start", file=sys.stderr)
                return 3
            raw = args.out.with_suffix(f".round{r}.folded")
            spy = subprocess.Popen(
                [str(pyspy), "record", "-p", str(server.pid), "-r", str(args.rate), "-f", "raw",
                 "-o", str(raw), "--nonblocking"],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            )
            time.sleep(1.5)  # py-spy attached
            before = tree_cpu_s(server.pid)
            http_latencies(port, paths, 1)
            cpu_ms.append((tree_cpu_s(server.pid) - before) * 1000 / len(paths))
            time.sleep(0.3)
            spy.send_signal(signal.SIGINT)  # py-spy writes its file on Ctrl-C
            _out, err = spy.communicate(timeout=60)
            if not raw.exists():
                print(f"py-spy wrote nothing: {err.decode(errors='replace')}", file=sys.stderr)
                return 3
            for line in raw.read_text().splitlines():
                stack, _, count = line.rpartition(" ")
                stacks[stack] += int(count)
            raw.unlink()
        finally:
            server.terminate()
            server.wait(10)
    total = sum(stacks.values())
    by_stage: Counter[str] = Counter()
    for stack, count in stacks.items():
        by_stage[stage_of(stack)] += count
    mean_cpu = sum(cpu_ms) / len(cpu_ms)
    lines = [f"{len(paths)} first-time queries x {args.rounds} fresh servers, {total} samples; "
             f"server CPU per query {mean_cpu:.2f} ms (rounds: "
             + ", ".join(f"{c:.2f}" for c in cpu_ms) + ")",
             "| stage | share of samples | ~CPU ms per query |", "|---|---|---|"]
    for name, count in by_stage.most_common():
        lines.append(f"| {name} | {100 * count / total:.1f} % | {mean_cpu * count / total:.2f} |")
    print("\n".join(lines))
    args.out.write_text("\n".join(lines) + "\n")
    folded = args.out.with_suffix(".folded")
    folded.write_text("".join(f"{s} {c}\n" for s, c in stacks.most_common()))
    print(f"stacks: {folded}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
