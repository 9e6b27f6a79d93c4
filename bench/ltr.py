"""Would a learned ranker lift Loupe's ranking? A measurement before building (issue 12).

    python bench/ltr.py collect [--k 100] [--quick]
    python bench/ltr.py run [--depths 30,100] [--families trees,linear,residual]
                            [--drop loupe|FEATURE,...] [--small] [--json FILE] [--quick]

``collect`` runs Loupe's own ranking in process over ``bench/relevance.py``'s cached
collections, halves and indexes (as ``bench/semantic.py collect`` does) and keeps, for
each query, the best ``--k`` candidates of each ranking call with their final scores, and
each candidate's score split into its parts by Loupe's own ``explain`` (BM25F per field of
each view, proximity, date cue); the page is rebuilt from them and checked.

``run`` computes features for every (query, candidate) from Loupe's evidence only (no
peer's ranking): the final score, its rank and its share of the best; the explain parts
per field (recall and exact views), proximity and date; the share of the query's recall
terms and of their idf the candidate holds (anywhere, in its title); a one-field BM25
over the whole article (Lucene's layout: b 0.75, k1 1.2, the analysis' folded stems);
the article's and its title's lengths; the first position of a query word in its body;
the share of its title's words the query holds; how many of the best 30 share its title;
the query's length in content words, whether it is a question, how many articles it
matched. It trains LightGBM's LambdaMART (``lambdarank``; ``residual``: the same boosted
from Loupe's score) and a linear model (logistic regression on per-query standardised
features, in numpy) on the **tuning halves** of
PIAF, the summaries and the three known-item sets together (one model, not told the set),
chooses their size / regularisation by 5-fold cross-validation over the tuning queries
(mean over sets of MRR@10), then re-ranks the best K (30, 100) of the ranking call that
makes each page, the rest kept as Loupe builds it, and reports MRR@10, R@10, nDCG@10 and
Loupe / best peer (``bench/.work/relevance.json``) for both halves of every set, accent
precision, a bootstrap interval (95 %, over queries) of the held-out change, and the
features the trees leaned on (gain). ``--drop loupe`` holds Loupe's final score and what
derives from it at zero (an ablation). Numbers in docs/analysis.md ("learning to rank").
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import time
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import relevance  # noqa: E402  (collections, halves, cached indexes, metrics)
import semantic  # noqa: E402  (words, content words, page_of)

OUT = relevance.WORK.parent / "ltr"
PAGE = 10
DEPTHS = (30, 100)
TRAIN_SETS = ("piaf", "orangesum", "title", "title_folded", "rare_words")
PART_FIELDS = ("title", "summary", "body", "caption",
               "title_exact", "summary_exact", "body_exact")
RECALL = ("title", "summary", "body", "caption")


# -- collect -----------------------------------------------------------------------------


def _parts_summary(parts: list[dict]) -> dict:
    """One candidate's explain parts as sums per field, proximity, date, and its recall
    terms with their idf."""
    fields: dict[str, float] = {}
    terms: dict[str, float] = {}
    title_terms: set[str] = set()
    prox = date = other = 0.0
    for p in parts:
        score = float(p["score"])
        if p["term"] == "(proximité)":
            prox += score
        elif p["term"] == "(date)":
            date += score
        elif p["field"] in PART_FIELDS:
            fields[p["field"]] = fields.get(p["field"], 0.0) + score
            if p["field"] in RECALL and p["idf"] is not None:
                terms[p["term"]] = max(terms.get(p["term"], 0.0), float(p["idf"]))
                if p["field"] == "title":
                    title_terms.add(p["term"])
        else:
            other += score
    return {"fields": fields, "prox": prox, "date": date, "other": other, "terms": terms,
            "title_terms": title_terms}


def collect(quick: bool, k: int, seed: int) -> dict:
    """{collection: {"docs": {id: doc}, "sets": {set: [half, half]}}}; each half a list of
    {"q", "target", "page", "calls": [(ids, scores, total)], "parts": [{id: summary}]}."""
    return semantic.collect(quick, k, seed, _parts_summary)


# -- features ----------------------------------------------------------------------------


class Texts:
    """A collection's articles as folded stems (title, whole), and its one-field stats."""

    def __init__(self, docs: dict[str, dict]):
        from search.analysis import fold_stem

        self.stem = fold_stem
        self.title: dict[str, list[str]] = {}
        self.body: dict[str, list[str]] = {}
        self.tf: dict[str, Counter] = {}
        df: Counter = Counter()
        for doc_id, d in docs.items():
            title = [fold_stem(w.lower()) for w in semantic.words(d.get("title") or "")]
            rest = [fold_stem(w.lower()) for w in semantic.words(
                " ".join(d.get(k) or "" for k in ("summary", "body", "caption")))]
            self.title[doc_id] = title
            self.body[doc_id] = rest
            tf = Counter(title + rest)
            self.tf[doc_id] = tf
            df.update(tf.keys())
        self.n = len(docs)
        self.avg = sum(sum(t.values()) for t in self.tf.values()) / max(1, self.n)
        self.idf = {w: math.log(1 + (self.n - c + 0.5) / (c + 0.5)) for w, c in df.items()}
        self.first: dict[tuple[str, str], int] = {}

    def one_field(self, qstems: list[str], doc_id: str) -> float:
        """BM25 with every field as one (Lucene's one-field layout), k1 1.2, b 0.75."""
        tf = self.tf[doc_id]
        length = sum(tf.values())
        norm = 1.2 * (0.25 + 0.75 * length / self.avg)
        return sum(self.idf.get(s, 0.0) * tf[s] * 2.2 / (tf[s] + norm)
                   for s in qstems if tf.get(s))

    def first_position(self, qstems: set[str], doc_id: str) -> int:
        for i, s in enumerate(self.body[doc_id]):
            if s in qstems:
                return i
        return len(self.body[doc_id]) + 1


NAMES = (
    ["score", "score_rel", "score_gap", "log_rank", "strict_call", "log_total",
     "n_content", "question", "n_cands"]
    + [f"part_{f}" for f in PART_FIELDS] + [f"rel_{f}" for f in PART_FIELDS]
    + ["prox", "date", "other", "share_terms", "share_idf", "title_share_idf",
       "missing_terms", "one_field", "one_field_rel", "log_len", "title_len", "log_first",
       "title_covered", "same_title_top30", "title_rank", "share_content_stems"]
)


def query_features(texts: Texts, row: dict, call_index: int) -> tuple[list[str], np.ndarray]:
    """(candidate ids, features matrix) of one ranking call of one query."""
    from search.find.query import QUESTION_WORDS

    ids, scores, total = row["calls"][call_index]
    parts = row["parts"][call_index]
    q = row["q"]
    ws = semantic.words(q)
    content = list(dict.fromkeys(w.lower() for w in semantic.content(ws)))
    qstems = list(dict.fromkeys(texts.stem(w) for w in content))
    qset = set(qstems)
    question = float(q.rstrip().endswith("?")
                     or any(w.lower() in QUESTION_WORDS for w in ws[:3]))
    all_terms: dict[str, float] = {}
    for summary in parts.values():
        for t, idf in summary["terms"].items():
            all_terms[t] = max(all_terms.get(t, 0.0), idf)
    total_idf = sum(all_terms.values()) or 1.0
    best = scores[0] if scores and scores[0] else 1.0
    titles = [" ".join(texts.title[d]) for d in ids]
    top_titles = Counter(titles[:30])
    seen: Counter = Counter()
    out = []
    for rank, (d, sc) in enumerate(zip(ids, scores, strict=True)):
        p = parts.get(d) or {"fields": {}, "prox": 0.0, "date": 0.0, "other": 0.0,
                             "terms": {}, "title_terms": set()}
        f = p["fields"]
        held = p["terms"]
        one = texts.one_field(qstems, d)
        title = texts.title[d]
        tstems = set(title)
        seen[titles[rank]] += 1
        row_f = [sc, sc / best, best - sc, math.log1p(rank),
                 float(call_index == 0), math.log1p(total),
                 len(content), question, len(ids)]
        row_f += [f.get(name, 0.0) for name in PART_FIELDS]
        row_f += [f.get(name, 0.0) / best for name in PART_FIELDS]
        row_f += [p["prox"], p["date"], p["other"],
                  len(held) / max(1, len(all_terms)),
                  sum(held.values()) / total_idf,
                  sum(all_terms[t] for t in p["title_terms"] if t in all_terms) / total_idf,
                  len(all_terms) - len(held),
                  one, 0.0,
                  math.log1p(len(texts.body[d]) + len(title)), len(title),
                  math.log1p(texts.first_position(qset, d)),
                  len(tstems & qset) / max(1, len(tstems)),
                  top_titles[titles[rank]] if rank < 30 else 0,
                  seen[titles[rank]],
                  len(qset & set(texts.tf[d])) / max(1, len(qset))]
        out.append(row_f)
    x = np.asarray(out, dtype=np.float64).reshape(len(ids), len(NAMES))
    if len(ids):
        col = NAMES.index("one_field")
        x[:, col + 1] = x[:, col] / (x[:, col].max() or 1.0)
    return ids, x


def page_call(row: dict) -> int:
    """The ranking call that makes the page (``semantic.page_of``): the strict call, or
    the looser one when the strict matches do not fill a page."""
    calls = row["calls"]
    return 0 if len(calls) == 1 or calls[0][2] >= PAGE else 1


def build(data: dict) -> dict:
    """{(set, half): [{"q", "target", "ids", "x", "call"}]} for every set."""
    out: dict = {}
    for cname, coll in data.items():
        t0 = time.process_time()
        texts = Texts(coll["docs"])
        print(f"  {cname}: texts {time.process_time() - t0:.0f} s CPU", file=sys.stderr)
        for sname, halves in coll["sets"].items():
            t0 = time.process_time()
            for h, half in enumerate(halves):
                rows = []
                for row in half:
                    if not row["calls"]:
                        rows.append({"row": row, "ids": [], "x": np.zeros((0, len(NAMES))),
                                     "call": -1})
                        continue
                    call = page_call(row)
                    ids, x = query_features(texts, row, call)
                    rows.append({"row": row, "ids": ids, "x": x, "call": call})
                out[(sname, h)] = rows
            n = sum(len(h) for h in halves)
            print(f"  {sname}: features {1000 * (time.process_time() - t0) / n:.1f} ms CPU "
                  f"a query", file=sys.stderr)
        if "accent" in coll["sets"]:
            out["_accent_texts"] = {
                d["id"]: set(relevance.TOKEN.findall(
                    " ".join(d.get(k) or "" for k in ("title", "summary", "body")).lower()))
                for d in coll["docs"].values()
            }
    return out


# -- models ------------------------------------------------------------------------------


def labels(item: dict) -> np.ndarray:
    target = item["row"]["target"]
    relevant = {target} if isinstance(target, str) else set(target)
    return np.asarray([1.0 if d in relevant else 0.0 for d in item["ids"]])


def standardised(x: np.ndarray) -> np.ndarray:
    """Per query, each feature as z-scores over its candidates (the linear model's input),
    beside the raw query-level ones."""
    if not len(x):
        return x
    spread = x.std(axis=0)
    z = (x - x.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    return np.hstack([z, x[:, [NAMES.index("score_rel"), NAMES.index("log_rank")]]])


class Trees:
    def __init__(self, leaves: int, trees: int, min_child: int, lr: float = 0.05,
                 init: bool = False):
        self.trees = trees
        self.init = init  # boosted from Loupe's own score: the trees learn corrections
        self.params = dict(objective="lambdarank", num_leaves=leaves,
                           min_data_in_leaf=min_child, learning_rate=lr, bagging_fraction=0.8,
                           bagging_freq=1, feature_fraction=0.8, verbose=-1, num_threads=1,
                           seed=12, lambdarank_truncation_level=20, label_gain=[0, 1])
        self.name = (f"trees leaves {leaves}, {trees} trees, min leaf {min_child}"
                     + (", from Loupe's score" if init else ""))

    def fit(self, items: list[dict]) -> Trees:
        import lightgbm

        items = [i for i in items if labels(i).any()]
        x = np.vstack([i["x"] for i in items])
        y = np.concatenate([labels(i) for i in items])
        train = lightgbm.Dataset(x, y, group=[len(i["ids"]) for i in items],
                                 init_score=self._init(x))
        self.model = lightgbm.train(self.params, train, num_boost_round=self.trees)
        return self

    def _init(self, x: np.ndarray) -> np.ndarray | None:
        return x[:, NAMES.index("score")] if self.init else None

    def score(self, x: np.ndarray) -> np.ndarray:
        if not len(x):
            return np.zeros(0)
        return self.model.predict(x) + (self._init(x) if self.init else 0.0)

    def importance(self) -> list[tuple[str, float]]:
        gain = self.model.feature_importance(importance_type="gain")
        total = gain.sum() or 1.0
        return sorted(zip(NAMES, gain / total, strict=True), key=lambda p: -p[1])


class Linear:
    """Logistic regression (L2 ``c``) on per-query z-scores: one weight per feature, what a
    product could evaluate in numpy over the best K."""

    def __init__(self, c: float):
        self.c = c
        self.name = f"linear L2 {c}"

    def fit(self, items: list[dict]) -> Linear:
        items = [i for i in items if labels(i).any()]
        x = np.vstack([standardised(i["x"]) for i in items])
        y = np.concatenate([labels(i) for i in items])
        # each query's one relevant candidate weighs as much as its others together
        w = np.concatenate([np.where(labels(i) > 0, 1.0, 1.0 / max(1, len(i["ids"]) - 1))
                            for i in items])
        x1 = np.hstack([x, np.ones((len(x), 1))])
        beta = np.zeros(x1.shape[1])
        for _ in range(300):  # Newton's method (IRLS)
            p = 1 / (1 + np.exp(-np.clip(x1 @ beta, -30, 30)))
            grad = x1.T @ (w * (p - y)) + self.c * np.r_[beta[:-1], 0]
            hess = (x1 * (w * p * (1 - p))[:, None]).T @ x1 + self.c * np.diag(
                np.r_[np.ones(len(beta) - 1), 0])
            step = np.linalg.solve(hess + 1e-9 * np.eye(len(beta)), grad)
            beta -= step
            if np.abs(step).max() < 1e-8:
                break
        self.beta = beta
        return self

    def score(self, x: np.ndarray) -> np.ndarray:
        return standardised(x) @ self.beta[:-1] if len(x) else np.zeros(0)

    def importance(self) -> list[tuple[str, float]]:
        names = NAMES + ["raw_score_rel", "raw_log_rank"]
        return sorted(zip(names, self.beta[:-1], strict=True), key=lambda p: -abs(p[1]))


def page(item: dict, model, depth: int) -> list[str]:
    """The page with the page call's best ``depth`` re-ranked by ``model`` (None: Loupe's
    own order); candidates past ``depth`` keep their places."""
    if item["call"] < 0:
        return []
    ids = item["ids"]
    if model is not None and depth:
        head = ids[:depth]
        s = model.score(item["x"][:depth])
        order = sorted(range(len(head)), key=lambda i: (-s[i], i))
        ids = [head[i] for i in order] + ids[depth:]
    return ids[:PAGE]


def measure(sname: str, items: list[dict], pages: list[list[str]], texts) -> dict:
    pairs = [[i["row"]["q"], i["row"]["target"]] for i in items]
    if sname == "accent":
        return relevance.accent_metrics(pairs, pages, texts)
    return relevance.ranking_metrics(pairs, pages)


def reciprocal(items: list[dict], pages: list[list[str]]) -> np.ndarray:
    out = []
    for i, p in zip(items, pages, strict=True):
        target = i["row"]["target"]
        relevant = {target} if isinstance(target, str) else set(target)
        ranks = [r + 1 for r, d in enumerate(p[:PAGE]) if d in relevant]
        out.append(1 / ranks[0] if ranks else 0.0)
    return np.asarray(out)


def cross_validate(feats: dict, make, depth: int, folds: int = 5,
                   seed: int = 12) -> tuple[float, dict]:
    """Mean over the training sets of MRR@10 on held-out folds of the tuning queries, and
    each set's."""
    tuning = {s: feats[(s, 0)] for s in TRAIN_SETS}
    fold_of = {}
    rng = random.Random(seed)
    for s, items in tuning.items():
        order = list(range(len(items)))
        rng.shuffle(order)
        for n, i in enumerate(order):
            fold_of[(s, i)] = n % folds
    rr: dict[str, list[float]] = {s: [] for s in TRAIN_SETS}
    for f in range(folds):
        train = [it for s, items in tuning.items() for i, it in enumerate(items)
                 if fold_of[(s, i)] != f]
        model = make().fit(train)
        for s, items in tuning.items():
            test = [it for i, it in enumerate(items) if fold_of[(s, i)] == f]
            rr[s] += list(reciprocal(test, [page(it, model, depth) for it in test]))
    per_set = {s: float(np.mean(v)) for s, v in rr.items()}
    return float(np.mean(list(per_set.values()))), per_set


def bootstrap(a: np.ndarray, b: np.ndarray, n: int = 2000, seed: int = 12) -> tuple:
    rng = np.random.default_rng(seed)
    d = b - a
    means = d[rng.integers(0, len(d), size=(n, len(d)))].mean(axis=1)
    return float(d.mean()), float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def peers() -> dict:
    path = relevance.WORK.parent / "relevance.json"
    if not path.exists():
        return {}
    got = json.loads(path.read_text())["sets"]
    out = {}
    for sname, engines in got.items():
        best = []
        for h in ("tune", "held"):
            key = "precision" if sname == "accent" else "mrr"
            best.append(max(engines[e][h][key] for e in relevance.PEERS if e in engines))
        out[sname] = best
    return out


def run(data: dict, depths: list[int], grids: dict, drop: tuple[str, ...] = ()) -> dict:
    t0 = time.process_time()
    feats = build(data)
    for key, items in feats.items():  # an ablation: these features held at zero
        for item in items if key != "_accent_texts" else ():
            for name in drop:
                item["x"][:, NAMES.index(name)] = 0.0
    print(f"features: {time.process_time() - t0:.0f} s CPU", file=sys.stderr)
    accent_texts = feats.pop("_accent_texts", None)
    sets = sorted({s for s, _ in feats}, key=lambda s: relevance.SETS.index(s))
    best_peer = peers()
    results: dict = {"cv": {}, "cv_sets": {}, "sets": {}, "importance": {}}
    chosen = {}
    for family, makers in grids.items():
        scores = []
        for make in makers:
            t0 = time.process_time()
            cv, per_set = cross_validate(feats, make, max(depths))
            scores.append(cv)
            results["cv"][make().name] = cv
            results["cv_sets"][make().name] = per_set
            print(f"  cv {make().name}: {cv:.4f} ("
                  + ", ".join(f"{s} {v:.4f}" for s, v in per_set.items())
                  + f"; {time.process_time() - t0:.0f} s CPU)", file=sys.stderr)
        chosen[family] = makers[int(np.argmax(scores))]
    base_cv = float(np.mean([reciprocal(feats[(s, 0)], [page(i, None, 0) for i in feats[(s, 0)]])
                             .mean() for s in TRAIN_SETS]))
    results["cv"]["loupe"] = base_cv
    results["cv_sets"]["loupe"] = {
        s: float(reciprocal(feats[(s, 0)], [page(i, None, 0) for i in feats[(s, 0)]]).mean())
        for s in TRAIN_SETS}
    train = [it for s in TRAIN_SETS for it in feats[(s, 0)]]
    models = {family: make().fit(train) for family, make in chosen.items()}
    for family, model in models.items():
        results["importance"][f"{family}: {model.name}"] = model.importance()[:15]
    for s in sets:
        row: dict = {}
        base_pages = [[page(i, None, 0) for i in feats[(s, h)]] for h in (0, 1)]
        for h in (0, 1):  # the pages are Loupe's own
            bad = sum(p != i["row"]["page"][:PAGE]
                      for i, p in zip(feats[(s, h)], base_pages[h], strict=True))
            if bad:
                print(f"  {s}: {bad} pages not rebuilt", file=sys.stderr)
        row["loupe"] = [measure(s, feats[(s, h)], base_pages[h], accent_texts) for h in (0, 1)]
        for family, model in models.items():
            for depth in depths:
                pages = [[page(i, model, depth) for i in feats[(s, h)]] for h in (0, 1)]
                got = [measure(s, feats[(s, h)], pages[h], accent_texts) for h in (0, 1)]
                if s != "accent":
                    for h, name in ((0, "tune_ci"), (1, "held_ci")):
                        got[h][name] = bootstrap(reciprocal(feats[(s, h)], base_pages[h]),
                                                 reciprocal(feats[(s, h)], pages[h]))
                        moved = (reciprocal(feats[(s, h)], pages[h])
                                 - reciprocal(feats[(s, h)], base_pages[h]))
                        got[h]["up_down"] = [int((moved > 0).sum()), int((moved < 0).sum())]
                row[f"{family} K{depth}"] = got
        row["best_peer"] = best_peer.get(s)
        results["sets"][s] = row
    return results


def report(results: dict) -> None:
    print("cross-validation, tuning halves (mean over sets of MRR@10, then each set's):")
    for name, v in results["cv"].items():
        per_set = results.get("cv_sets", {}).get(name, {})
        print(f"  {name}: {v:.4f}  " + ", ".join(f"{s} {x:.4f}" for s, x in per_set.items()))
    print("\nThe chosen models re-trained on every tuning query: the tuning half is their")
    print("training data (in-sample), the held-out half the measurement.")
    for s, row in results["sets"].items():
        peer = row.get("best_peer")
        print(f"\n{s}" + (f" (best peer {peer[0]:.4f} / {peer[1]:.4f})" if peer else ""))
        for name, halves in row.items():
            if name == "best_peer":
                continue
            line = f"  {name:<16}"
            for h, m in enumerate(halves):
                if "precision" in m:
                    line += f"  precision {m['precision']:.4f}"
                    continue
                line += f"  MRR {m['mrr']:.4f} R@10 {m['recall']:.4f} nDCG {m['ndcg']:.4f}"
                if peer:
                    line += f" ({m['mrr'] / peer[h]:.3f}x)"
                ci = m.get("tune_ci" if h == 0 else "held_ci")
                if ci:
                    line += f" [{ci[0]:+.4f} {ci[1]:+.4f}..{ci[2]:+.4f}, {m['up_down'][0]}up" \
                            f" {m['up_down'][1]}down]"
                line += " |"
            print(line)
    for name, imp in results["importance"].items():
        print(f"\n{name}: " + ", ".join(f"{n} {v:.3f}" for n, v in imp))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("step", choices=("collect", "run"))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--seed", type=int, default=12)
    ap.add_argument("--k", type=int, default=max(DEPTHS))
    ap.add_argument("--depths", default=",".join(map(str, DEPTHS)))
    ap.add_argument("--small", action="store_true", help="a smaller grid (a smoke run)")
    ap.add_argument("--families", default="trees,linear,residual")
    ap.add_argument("--drop", default="", help="features held at zero (comma-separated)")
    ap.add_argument("--json", help="also write the numbers to this file")
    args = ap.parse_args()
    data = semantic.candidates(args, OUT, collect)
    if data is None:
        return 0
    if args.small:
        grids = {"trees": [lambda: Trees(15, 100, 50)], "linear": [lambda: Linear(1.0)]}
    else:
        grids = {
            "trees": [lambda lv=lv, n=n, m=m: Trees(lv, n, m)
                      for lv in (7, 31) for n in (100, 300) for m in (20, 100)],
            "linear": [lambda c=c: Linear(c) for c in (0.1, 10.0, 1000.0)],
            "residual": [lambda lv=lv, n=n: Trees(lv, n, 100, init=True)
                         for lv in (7, 31) for n in (50, 200)],
        }
    grids = {f: g for f, g in grids.items() if f in args.families.split(",")}
    drop = tuple(n for n in args.drop.split(",") if n)
    if "loupe" in drop:  # Loupe's final score and everything derived from it
        drop = tuple(n for n in drop if n != "loupe") + (
            "score", "score_rel", "score_gap", "log_rank")
    results = run(data, [int(d) for d in args.depths.split(",")], grids, drop)
    report(results)
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1, default=list))
    return 0


if __name__ == "__main__":
    sys.exit(main())
