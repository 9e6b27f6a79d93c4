"""Language models and divergence from randomness as re-rankers of Loupe's best K (issue 12).

    python bench/ltr.py collect              # once: Loupe's best 100 per query (cached)
    python bench/lm.py sweep [--models ql,plm,...] [--json FILE]  # the grid, tuning halves
    python bench/lm.py report [--json FILE]  # the chosen settings, both halves, by length
    python bench/lm.py cost --model inl2 --setting "c 7" --depth 30  # CPU a query, in process

Why: every ranking measured on the relevance bench (sessions 7-17) was BM25 or built on
it; query likelihood and DFR, the families Indri and Terrier made standard and often
better than BM25 on long, verbose queries (a pasted summary is one), were not. This
scores Loupe's own candidates (``bench/ltr.py collect``: the best 100 of the ranking call
that makes each page, the page rebuilt and checked) with, from the collection's own
statistics over **every** article (recall-view terms, ``search.analysis.recall_positions``:
folded, stemmed, stop words out; collection frequencies over the whole collection, not
over the candidates):

* ``ql``: query likelihood, Dirichlet smoothing (mu), one field (title + lead + body,
  captions with the body);
* ``two``: two-stage smoothing (Zhai and Lafferty: Dirichlet mu, then Jelinek-Mercer
  lambda with the collection);
* ``mix``: a fielded mixture of per-field Dirichlet language models (Ogilvie and Callan:
  weights for title / lead / body, mu per field, each field smoothed by its own
  collection model);
* ``dph`` (parameter-free), ``pl2`` and ``inl2`` (c): DFR as Terrier defines them (its
  ``DPH``, ``PL2``, ``InL2`` classes; query term frequency as key frequency);
* ``plm``: Lv and Zhai's positional language model (Gaussian kernel sigma, Dirichlet mu,
  the best position; the best 30 only);
* ``bm25``: the control, one-field BM25 (k1 1.2, b 0.75) on the same terms and statistics.

Each model re-ranks the best K (30, 100) alone (ties in Loupe's order), or mixed with
Loupe's score: per-query z-scores ``z(loupe) + w * z(model)`` (``z``), or for DFR
``score / best + w * model / best`` (``best``). The rest of the page is kept as Loupe
builds it. ``sweep`` prints every setting's tuning-half MRR@10 (PIAF, summaries, the three
known-item sets, accent precision) and chooses, per model and way of using it, the setting
with the best mean of the PIAF and summaries tuning halves among those that leave the
known-item sets and accent precision where Loupe has them (no fall past 0.002); ``report``
then gives both halves of every set for the chosen settings, the held-out change with a
bootstrap interval over queries and the queries ranked higher / lower, and the change per
query-length bucket (content words). Numbers in docs/analysis.md ("language models and
DFR").
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ltr  # noqa: E402  (candidates, page call, metrics, bootstrap, peers)
import relevance  # noqa: E402
import semantic  # noqa: E402  (words, content words)

PAGE = 10
FIELDS = ("title", "lead", "body")
NATURAL = ("piaf", "orangesum")
GUARDED = ("title", "title_folded", "rare_words", "accent")
BUCKETS = ((0, 3), (4, 7), (8, 11), (12, 15), (16, 10_000))
LOG2 = math.log(2)


# -- statistics ----------------------------------------------------------------------------


class Stats:
    """A collection's recall-view term counts per field, and its collection statistics."""

    def __init__(self, docs: dict[str, dict]):
        from search.analysis import recall_positions

        self.tf: dict[str, dict[str, tuple[int, int, int]]] = {}
        self.length: dict[str, tuple[int, int, int]] = {}
        cf: dict[str, list[int]] = {}
        df: dict[str, int] = {}
        total = [0, 0, 0]
        for doc_id, d in docs.items():
            texts = (d.get("title") or "", d.get("summary") or "",
                     " ".join(d.get(k) or "" for k in ("body", "caption")))
            counts = [{t: len(p) for t, p in recall_positions(x).items()} for x in texts]
            merged: dict[str, list[int]] = {}
            for f, c in enumerate(counts):
                for t, n in c.items():
                    merged.setdefault(t, [0, 0, 0])[f] = n
            self.tf[doc_id] = {t: tuple(v) for t, v in merged.items()}
            lengths = tuple(sum(c.values()) for c in counts)
            self.length[doc_id] = lengths
            for f in range(3):
                total[f] += lengths[f]
            for t, v in merged.items():
                got = cf.setdefault(t, [0, 0, 0])
                for f in range(3):
                    got[f] += v[f]
                df[t] = df.get(t, 0) + 1
        self.docs = docs
        self.cf = cf
        self.df = df
        self.total = total
        self.n = len(docs)
        self.avg = sum(total) / max(1, self.n)


    def positions(self, doc_id: str) -> dict[str, list[int]]:
        """The article's recall-view positions, its fields as one text (title, lead, body,
        captions), for the positional model."""
        from search.analysis import recall_positions

        d = self.docs[doc_id]
        return recall_positions(" ".join(d.get(k) or "" for k in (
            "title", "summary", "body", "caption")))


def query_terms(q: str) -> dict[str, int]:
    """The query's recall-view terms (content words only: stop and question words out) and
    their frequencies in it."""
    from search.analysis import recall_positions

    kept = " ".join(semantic.content(semantic.words(q)))
    return {t: len(p) for t, p in recall_positions(kept).items()}


def arrays(stats: Stats, q: str, ids: list[str], positional: int = 0) -> dict:
    """What every model needs for one query's candidates: term frequencies per field
    [K, T, 3], lengths [K, 3], and the terms' collection statistics."""
    terms = {t: n for t, n in query_terms(q).items() if t in stats.cf}
    names = list(terms)
    tf = np.zeros((len(ids), len(names), 3))
    for i, d in enumerate(ids):
        held = stats.tf[d]
        for j, t in enumerate(names):
            got = held.get(t)
            if got:
                tf[i, j] = got
    occ = []
    for d in ids[:positional]:  # the first few candidates' query-term positions
        pos = stats.positions(d)
        got = [(j, p) for j, t in enumerate(names) for p in pos.get(t, ())]
        occ.append((np.asarray([g[0] for g in got], dtype=np.int64),
                    np.asarray([g[1] for g in got], dtype=np.float64)))
    return {
        "occ": occ,
        "tf": tf,
        "len": np.asarray([stats.length[d] for d in ids], dtype=np.float64).reshape(-1, 3),
        "qtf": np.asarray([terms[t] for t in names], dtype=np.float64),
        "cf": np.asarray([stats.cf[t] for t in names], dtype=np.float64).reshape(-1, 3),
        "df": np.asarray([stats.df[t] for t in names], dtype=np.float64),
        "total": np.asarray(stats.total, dtype=np.float64),
        "n": stats.n, "avg": stats.avg,
    }


# -- models --------------------------------------------------------------------------------


def ql(a: dict, mu: float, lam: float = 0.0, distinct: bool = False) -> np.ndarray:
    """log p(q|d), Dirichlet (then Jelinek-Mercer ``lam`` with the collection: two-stage);
    ``distinct``: each query term once, however often the query repeats it."""
    tf = a["tf"].sum(axis=2)
    length = a["len"].sum(axis=1)[:, None]
    pc = a["cf"].sum(axis=1) / a["total"].sum()
    p = (tf + mu * pc) / (length + mu)
    if lam:
        p = (1 - lam) * p + lam * pc
    return np.log(p) @ (np.minimum(a["qtf"], 1.0) if distinct else a["qtf"])


def mix(a: dict, weights: tuple[float, float, float], mus: tuple[float, float, float]
        ) -> np.ndarray:
    """Ogilvie and Callan's mixture of per-field Dirichlet models; a field the whole
    collection never has (the summaries' articles have no lead) takes the collection's
    model and the weight stays."""
    pall = a["cf"].sum(axis=1) / a["total"].sum()
    p = 0.0
    for f in range(3):
        pc = a["cf"][:, f] / a["total"][f] if a["total"][f] else pall
        p = p + weights[f] * (a["tf"][:, :, f] + mus[f] * pc) / (a["len"][:, f:f + 1] + mus[f])
    return np.log(np.maximum(p, 1e-300)) @ a["qtf"]


def _one(a: dict) -> tuple[np.ndarray, np.ndarray]:
    tf = a["tf"].sum(axis=2)
    length = np.maximum(a["len"].sum(axis=1)[:, None], 1.0)
    return tf, length


def dph(a: dict) -> np.ndarray:
    """Terrier's DPH (parameter-free hypergeometric DFR, Popper's normalisation)."""
    tf, length = _one(a)
    big_f = a["cf"].sum(axis=1)  # the term's frequency in the collection
    f = np.minimum(tf / length, 0.999999)
    norm = (1 - f) ** 2 / (tf + 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = norm * (tf * np.log2((tf * a["avg"] / length) * (a["n"] / big_f))
                    + 0.5 * np.log2(2 * math.pi * tf * (1 - f)))
    s = np.where(tf > 0, s, 0.0)
    return s @ a["qtf"]


def _tfn(a: dict, c: float) -> np.ndarray:
    tf, length = _one(a)
    return tf * np.log2(1 + c * a["avg"] / length)  # normalisation 2


def pl2(a: dict, c: float) -> np.ndarray:
    """Terrier's PL2: Poisson, Laplace's after-effect, normalisation 2 (c)."""
    tfn = _tfn(a, c)
    lam = a["cf"].sum(axis=1) / a["n"]
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (tfn * np.log2(1 / lam) + lam / LOG2 + 0.5 * np.log2(2 * math.pi * tfn)
             + tfn * (np.log2(tfn) - 1 / LOG2)) / (tfn + 1)
    s = np.where(tfn > 0, s, 0.0)
    return s @ a["qtf"]


def inl2(a: dict, c: float) -> np.ndarray:
    """Terrier's InL2: inverse document frequency, Laplace, normalisation 2 (c)."""
    tfn = _tfn(a, c)
    idf = np.log2((a["n"] + 1) / (a["df"] + 0.5))
    s = tfn / (tfn + 1) * idf
    return s @ a["qtf"]


def bm25(a: dict, k1: float = 1.2, b: float = 0.75) -> np.ndarray:
    """The control: one-field BM25 over the same terms and statistics (Lucene's layout and
    defaults, as ``bench/ltr.py``'s feature)."""
    tf, length = _one(a)
    idf = np.log(1 + (a["n"] - a["df"] + 0.5) / (a["df"] + 0.5))
    s = idf * tf * (k1 + 1) / (tf + k1 * (1 - b + b * length / a["avg"]))
    return s @ a["qtf"]


def plm(a: dict, sigma: float, mu: float) -> np.ndarray:
    """Lv and Zhai's positional language model, Gaussian kernel (sigma), Dirichlet (mu), the
    best position's query likelihood; the positions tried are the query terms' own (an
    article holding none scores as an empty window). Counts propagated across the whole
    article (its fields as one text)."""
    pc = a["cf"].sum(axis=1) / a["total"].sum()
    qtf = a["qtf"]
    full = math.sqrt(2 * math.pi) * sigma
    out = np.empty(len(a["occ"]))
    for n, (term, pos) in enumerate(a["occ"]):
        length = max(1.0, float(a["len"][n].sum()))
        if not len(pos):
            out[n] = np.log(mu * pc / (full + mu)) @ qtf
            continue
        k = np.exp(-((pos[:, None] - pos[None, :]) ** 2) / (2 * sigma * sigma))
        counts = np.zeros((len(pos), len(qtf)))
        np.add.at(counts.T, term, k)  # counts[i, w]: w's propagated count at position i
        # the kernel's mass inside the article at each position (its borders cut it)
        z = np.asarray([full / 2 * (math.erf((length - p) / (sigma * math.sqrt(2)))
                                    + math.erf(p / (sigma * math.sqrt(2)))) for p in pos])
        s = np.log((counts + mu * pc) / (z[:, None] + mu)) @ qtf
        out[n] = s.max()
    return out


PLM_DEPTH = 30  # positions are gathered for the best 30 only


def settings() -> dict[str, list[tuple[str, object]]]:
    """{model: [(label, scorer)]}: the grid swept on the tuning halves."""
    out: dict[str, list] = {"ql": [], "two": [], "mix": [], "dph": [], "pl2": [], "inl2": [],
                            "bm25": [("k1 1.2 b 0.75", bm25)], "plm": []}
    for sigma in (25, 75, 200):
        for mu in (300, 1000):
            out["plm"].append((f"sigma {sigma} mu {mu}",
                               lambda a, sigma=sigma, mu=mu: plm(a, sigma, mu)))
    for mu in (100, 300, 600, 1000, 1500, 2500, 4000):
        out["ql"].append((f"mu {mu}", lambda a, mu=mu: ql(a, mu)))
        out["ql"].append((f"mu {mu} distinct", lambda a, mu=mu: ql(a, mu, distinct=True)))
    for mu in (300, 1000, 2500):
        for lam in (0.1, 0.3, 0.5, 0.7):
            out["two"].append((f"mu {mu} lambda {lam}", lambda a, mu=mu, lam=lam: ql(a, mu, lam)))
    for wt in (0.1, 0.2, 0.35, 0.5):
        for wl in (0.0, 0.2):
            wb = round(1 - wt - wl, 2)
            for mt in (10, 50):
                for mb in (500, 1500):
                    w = (wt, wl, wb)
                    m = (mt, 100, mb)
                    out["mix"].append((f"w {wt}/{wl}/{wb} mu {mt}/100/{mb}",
                                       lambda a, w=w, m=m: mix(a, w, m)))
    out["dph"].append(("", dph))
    for c in (0.5, 1, 2, 4, 7, 10):
        out["pl2"].append((f"c {c}", lambda a, c=c: pl2(a, c)))
        out["inl2"].append((f"c {c}", lambda a, c=c: inl2(a, c)))
    return out


DFR = ("dph", "pl2", "inl2", "bm25")  # scores >= 0: ``best`` applies
MODES = [("alone", 0.0)] + [("z", w) for w in (0.05, 0.1, 0.2, 0.35, 0.5, 1.0)] + [
    ("best", w) for w in (0.05, 0.1, 0.25, 0.5, 1.0)]
DEPTHS = (30, 100)
GATES = (0, 8, 16)  # re-rank only the queries of at least this many content words
TOLERANCE = 0.005  # a known-item set may fall by one query from 1st to 2nd, no more


# -- re-ranking and measuring --------------------------------------------------------------


def _z(x: np.ndarray) -> np.ndarray:
    if len(x) < 2:
        return np.zeros_like(x)
    spread = x.std()
    return (x - x.mean()) / spread if spread > 0 else np.zeros_like(x)


def order(loupe: np.ndarray, model: np.ndarray, mode: str, w: float) -> np.ndarray:
    """The head's new order (indexes), ties in Loupe's order."""
    if mode == "alone":
        key = model
    elif mode == "z":
        key = _z(loupe) + w * _z(model)
    else:
        best = loupe[0] if len(loupe) and loupe[0] > 0 else 1.0
        top = model.max() if len(model) and model.max() > 0 else 1.0
        key = loupe / best + w * model / top
    return np.lexsort((np.arange(len(key)), -key))


def load(quick: bool, seed: int, positional: bool = True) -> dict:
    """{(set, half): [item]}, each item the page call's candidates with the models' inputs,
    and "_accent_texts"."""
    path = ltr.OUT / f"candidates-{'quick' if quick else 'full'}-{seed}.pkl"
    if not path.exists():
        raise SystemExit(f"{path} missing: run python bench/ltr.py collect first")
    import pickle

    data = pickle.loads(path.read_bytes())
    out: dict = {}
    for cname, coll in data.items():
        t0 = time.process_time()
        stats = Stats(coll["docs"])
        print(f"  {cname}: statistics {time.process_time() - t0:.0f} s CPU", file=sys.stderr)
        for sname, halves in coll["sets"].items():
            for h, half in enumerate(halves):
                items = []
                for row in half:
                    item = {"row": row, "call": -1, "ids": [], "n_content": len(
                        semantic.content(semantic.words(row["q"])))}
                    if row["calls"]:
                        call = ltr.page_call(row)
                        ids, scores, _total = row["calls"][call]
                        item.update(call=call, ids=list(ids),
                                    loupe=np.asarray(scores, dtype=np.float64),
                                    a=arrays(stats, row["q"], list(ids)[:max(DEPTHS)],
                                             PLM_DEPTH if positional else 0))
                    items.append(item)
                out[(sname, h)] = items
        if "accent" in coll["sets"]:
            out["_accent_texts"] = {
                d["id"]: set(relevance.TOKEN.findall(
                    " ".join(d.get(k) or "" for k in ("title", "summary", "body")).lower()))
                for d in coll["docs"].values()}
    for key, items in out.items():  # the page is Loupe's own
        if key == "_accent_texts":
            continue
        bad = sum(i["ids"][:PAGE] != i["row"]["page"][:PAGE] for i in items if i["call"] >= 0)
        if bad:
            print(f"  {key}: {bad} pages not rebuilt", file=sys.stderr)
    return out


def pages(items: list[dict], scores: list | None, mode: str, w: float, depth: int,
          gate: int = 0) -> list[list[str]]:
    out = []
    for n, i in enumerate(items):
        if i["call"] < 0:
            out.append([])
            continue
        ids = i["ids"]
        if scores is not None and depth and i["n_content"] >= gate:
            head = ids[:depth]
            o = order(i["loupe"][:len(head)], scores[n][:len(head)], mode, w)
            ids = [head[k] for k in o] + ids[depth:]
        out.append(ids[:PAGE])
    return out


def model_scores(items: list[dict], scorer, depth: int) -> list:
    out = []
    for i in items:
        if i["call"] < 0:
            out.append(None)
            continue
        a = i["a"]
        if depth < len(i["ids"]):
            a = dict(a, tf=a["tf"][:depth], len=a["len"][:depth], occ=a["occ"][:depth])
        out.append(scorer(a) if a["qtf"].size else np.zeros(len(a["tf"])))
    return out


def value(sname: str, items: list[dict], got: list[list[str]], accent_texts) -> float:
    m = ltr.measure(sname, items, got, accent_texts)
    return m["precision"] if sname == "accent" else m["mrr"]


def sweep(feats: dict, models: list[str]) -> dict:
    """Every (model, setting, mode, w, K) on the tuning halves; the chosen one per model
    and way (alone, z, best)."""
    accent_texts = feats["_accent_texts"]
    sets = [s for s in relevance.SETS if (s, 0) in feats]
    base = {s: value(s, feats[(s, 0)], pages(feats[(s, 0)], None, "", 0, 0), accent_texts)
            for s in sets}
    print("Loupe, tuning halves: " + ", ".join(f"{s} {v:.4f}" for s, v in base.items()))
    rows = []
    for model, grid in settings().items():
        if model not in models:
            continue
        depths = (PLM_DEPTH,) if model == "plm" else DEPTHS
        t0 = time.process_time()
        for label, scorer in grid:
            scores = {s: model_scores(feats[(s, 0)], scorer, max(depths)) for s in sets}
            for mode, w in MODES:
                if mode == "best" and model not in DFR:
                    continue
                for depth in depths:
                    for gate in GATES if mode != "alone" else (0,):  # alone: every query
                        got = {s: value(s, feats[(s, 0)],
                                        pages(feats[(s, 0)], scores[s], mode, w, depth, gate),
                                        accent_texts) for s in sets}
                        ok = all(got[s] >= base[s] - TOLERANCE for s in GUARDED if s in got)
                        rows.append({"model": model, "setting": label, "mode": mode, "w": w,
                                     "K": depth, "gate": gate, "tune": got, "ok": ok,
                                     "natural": (got["piaf"] + got["orangesum"]) / 2})
        print(f"  {model}: {len(grid)} settings, {time.process_time() - t0:.0f} s CPU",
              file=sys.stderr)
    chosen: dict = {}
    for r in sorted(rows, key=lambda r: -r["natural"]):  # the best guarded, else the best
        way = "alone" if r["mode"] == "alone" else "mixed"
        key = f"{r['model']} {way}"
        if key not in chosen or (r["ok"] and not chosen[key]["ok"]):
            chosen[key] = r
    return {"base": base, "rows": rows, "chosen": chosen}


def print_sweep(result: dict) -> None:
    print("model | setting | mode w | K | gate | " + " | ".join(result["base"]) + " | guard")
    for r in sorted(result["rows"], key=lambda r: -r["natural"])[:60]:
        print(f"{r['model']} | {r['setting']} | {r['mode']} {r['w']} | {r['K']} | {r['gate']} | "
              + " | ".join(f"{r['tune'][s]:.4f}" for s in result["base"])
              + f" | {'ok' if r['ok'] else 'falls'}")
    print("\nbest of each model and way (alone / mixed), every setting's tuning mean:")
    best: dict = {}
    for r in result["rows"]:
        key = (r["model"], "alone" if r["mode"] == "alone" else "mixed")
        if key not in best or r["natural"] > best[key]["natural"]:
            best[key] = r
    for key, r in best.items():
        falls = [s for s in GUARDED
                 if s in r["tune"] and r["tune"][s] < result["base"][s] - TOLERANCE]
        print(f"  {key[0]} {key[1]} (unguarded): {r['setting']} {r['mode']} {r['w']} K {r['K']}"
              f" gate {r['gate']}"
              f": PIAF {r['tune']['piaf']:.4f} summaries {r['tune']['orangesum']:.4f}"
              f" {'falls on ' + ', '.join(falls) if falls else 'ok'}")
    print("\nchosen (guarded):")
    for key, r in result["chosen"].items():
        print(f"  {key}{'' if r['ok'] else ' (falls)'}: {r['setting']} {r['mode']} {r['w']}"
              f" K {r['K']} gate {r['gate']}: "
              + ", ".join(f"{s} {v:.4f}" for s, v in r["tune"].items()))


def scorer_of(model: str, setting: str):
    for label, scorer in settings()[model]:
        if label == setting:
            return scorer
    raise KeyError((model, setting))


def bucket_of(n: int) -> str:
    for lo, hi in BUCKETS:
        if lo <= n <= hi:
            return f"{lo}-{hi}" if hi < 10_000 else f"{lo}+"
    return "?"


def report(feats: dict, chosen: dict) -> dict:
    accent_texts = feats["_accent_texts"]
    sets = [s for s in relevance.SETS if (s, 0) in feats]
    peer = ltr.peers()
    out: dict = {}
    base_pages = {(s, h): pages(feats[(s, h)], None, "", 0, 0) for s in sets for h in (0, 1)}
    for key, r in chosen.items():
        scorer = scorer_of(r["model"], r["setting"])
        res: dict = {"setting": f"{r['setting']} {r['mode']} {r['w']} K {r['K']} gate "
                                f"{r['gate']}" + ("" if r["ok"] else " (falls)"), "sets": {}}
        for s in sets:
            halves = []
            for h in (0, 1):
                items = feats[(s, h)]
                sc = model_scores(items, scorer, r["K"])
                got = pages(items, sc, r["mode"], r["w"], r["K"], r["gate"])
                v = value(s, items, got, accent_texts)
                entry = {"value": v, "loupe": value(s, items, base_pages[(s, h)], accent_texts)}
                if s != "accent":
                    a = ltr.reciprocal(items, base_pages[(s, h)])
                    b = ltr.reciprocal(items, got)
                    entry["ci"] = ltr.bootstrap(a, b)
                    entry["up_down"] = [int((b > a).sum()), int((b < a).sum())]
                    if peer.get(s):
                        entry["ratio"] = v / peer[s][h]
                    if s in NATURAL:
                        by: dict = {}
                        for i, x, y in zip(items, a, b, strict=True):
                            by.setdefault(bucket_of(i["n_content"]), []).append((x, y))
                        entry["buckets"] = {
                            k: [len(v), float(np.mean([p[0] for p in v])),
                                float(np.mean([p[1] - p[0] for p in v]))]
                            for k, v in sorted(by.items(), key=lambda kv: int(
                                kv[0].split("-")[0].rstrip("+")))}
                halves.append(entry)
            res["sets"][s] = halves
        out[key] = res
    return out


def print_report(rep: dict) -> None:
    peer = ltr.peers()
    for key, res in rep.items():
        print(f"\n{key}: {res['setting']}")
        for s, halves in res["sets"].items():
            line = f"  {s:<13}"
            for h, e in zip(("tuning", "held-out"), halves, strict=True):
                line += f" {h} {e['loupe']:.4f} -> {e['value']:.4f}"
                if "ratio" in e:
                    line += f" ({e['ratio']:.3f}x)"
                if "ci" in e:
                    ci = e["ci"]
                    line += (f" [{ci[0]:+.4f} {ci[1]:+.4f}..{ci[2]:+.4f},"
                             f" {e['up_down'][0]} up {e['up_down'][1]} down]")
                line += " |"
            print(line)
            for h, e in zip(("tuning", "held-out"), halves, strict=True):
                if "buckets" in e:
                    print(f"      {h} by content words: " + "; ".join(
                        f"{k}: n {n} {m:.3f} {d:+.4f}" for k, (n, m, d) in e["buckets"].items()))
    if peer:
        print("\nbest peer (tuning / held-out): " + ", ".join(
            f"{s} {v[0]:.4f} / {v[1]:.4f}" for s, v in peer.items()))


def cost(quick: bool, seed: int, model: str, setting: str, depth: int, n: int) -> None:
    """CPU per query of the re-rank in process: the candidates' statistics gathered from
    per-article term tables and the model computed over the best ``depth``."""
    import pickle

    data = pickle.loads((ltr.OUT / f"candidates-{'quick' if quick else 'full'}-{seed}.pkl")
                        .read_bytes())
    scorer = scorer_of(model, setting)
    for cname, sname in (("piaf", "piaf"), ("orangesum", "orangesum")):
        coll = data[cname]
        stats = Stats(coll["docs"])
        rows = [r for r in coll["sets"][sname][0] if r["calls"]][:n]
        for _ in range(2):  # the second run is reported (caches warm)
            t0 = time.process_time()
            for row in rows:
                ids, scores, _ = row["calls"][ltr.page_call(row)]
                a = arrays(stats, row["q"], list(ids)[:depth], depth if model == "plm" else 0)
                m = scorer(a) if a["qtf"].size else np.zeros(len(a["tf"]))
                order(np.asarray(scores[:depth]), m, "z", 0.2)
            spent = time.process_time() - t0
        print(f"{sname}: {1000 * spent / len(rows):.2f} ms CPU a query "
              f"({model} {setting}, K {depth}, {len(rows)} queries)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("step", choices=("sweep", "report", "cost"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--json", default=str(ltr.OUT.parent / "lm" / "sweep.json"),
                    help="sweep writes the chosen settings here, report reads them")
    ap.add_argument("--model", default="dph")
    ap.add_argument("--setting", default="")
    ap.add_argument("--depth", type=int, default=30)
    ap.add_argument("--queries", type=int, default=300)
    ap.add_argument("--models", default=",".join(settings()),
                    help="the models swept (comma-separated)")
    args = ap.parse_args()
    if args.step == "cost":
        cost(args.quick, args.seed, args.model, args.setting, args.depth, args.queries)
        return 0
    t0 = time.process_time()
    models = args.models.split(",")
    feats = load(args.quick, args.seed, "plm" in models)
    print(f"inputs: {time.process_time() - t0:.0f} s CPU", file=sys.stderr)
    path = Path(args.json)
    if args.step == "sweep":
        result = sweep(feats, models)
        print_sweep(result)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists() and set(models) != set(settings()):  # a partial sweep adds to it
            old = json.loads(path.read_text())
            result["rows"] = [r for r in old["rows"] if r["model"] not in models] + result["rows"]
            result["chosen"] = {k: v for k, v in old["chosen"].items()
                                if k.split()[0] not in models} | result["chosen"]
        path.write_text(json.dumps(result, indent=1))
    else:
        chosen = json.loads(path.read_text())["chosen"]
        rep = report(feats, chosen)
        print_report(rep)
        path.with_name("report.json").write_text(json.dumps(rep, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
