"""Every rule of the extractor switched off, one at a time, scored on the tuning gold.

usage: python bench/switch_ablation.py [--facet persons|countries] [--gold FILE ...]
                                       [--switch NAME ...] [--workers 2]

``persons.py`` holds about a hundred rules and ``countries.py`` some twenty-five, each behind a
module switch (``KNOWN_MONONYMS = True``). Each was measured when it was written, on the gold of
its day; this measures them all together, as they stand: the model runs once over the gold's
articles, then each switch is set to False in a forked process that extracts every article again
from the same spans and scores the facet strictly (``../shared/gold/score.py``'s matching). A
row says what the rule is worth today: the gold names it finds (``dTP``, negative when switching
it off loses them) and the wrong names it keeps out (``dFP``, positive when switching it off lets
them in), and in how many articles it changes anything. A rule with no effect on any gold article
is not useless (several were written from unlabelled articles), but it is not measured here.
A switch read once at import (into a table) shows no effect: the module is imported already.

By default the gold is every tuning file: ``../shared/gold/entities-dev.jsonl`` and
``bench/gold/entities-*.jsonl`` and ``countries-*.jsonl`` except the held-out files
(``HELD_OUT``; ``bench/gold/README.md``), which no rule may be tuned on; naming one with
``--gold`` is refused.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import multiprocessing
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.ingest.articles import Article  # noqa: E402
from search.ingest.entities import analyse, article_text, countries, ner, persons  # noqa: E402
from search.ingest.readers import read_paths  # noqa: E402

SHARED = ROOT.parent / "shared"
GOLD = ROOT / "bench" / "gold"
# The test half, its second annotation and the rounds held out from every rule.
HELD_OUT = (
    "entities-test.jsonl",
    "entities-test-a2.jsonl",
    "entities-round22.jsonl",
    "entities-round23.jsonl",
)
MODULES = {"persons": persons, "countries": countries}


def tuning_files() -> list[Path]:
    files = [SHARED / "gold" / "entities-dev.jsonl"]
    files += sorted(p for p in GOLD.glob("*.jsonl") if p.name not in HELD_OUT)
    return [p for p in files if p.exists()]


def switches(facet: str) -> list[str]:
    """The module's rule switches, in source order: upper-case names set to True."""
    return [k for k, v in vars(MODULES[facet]).items() if k.isupper() and v is True]


def _score_module():
    """``../shared/gold/score.py``, whose matching (folded names, each gold name used once)
    the rows reuse, so that the base row is ``bench/entities.py``'s score."""
    spec = importlib.util.spec_from_file_location("gold_score", SHARED / "gold" / "score.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def matches(gold: list[str], pred: list[str]) -> int:
    """Strict matches as ``score.py`` counts them: persons by folded name, countries by code."""
    if _FACET == "countries":
        return len(set(gold) & set(pred))
    return _SCORE.match_count(gold, pred, False)


@dataclass
class Case:
    article: Article
    text: str
    gold: list[str]
    spans: list = None


# Set in the parent before the workers fork: each child reads them, none is pickled.
_ARTICLES: list[Case] = []
_FACET = "persons"
_SCORE = None


def _names(facets) -> list[str]:
    pairs = facets.persons if _FACET == "persons" else facets.countries
    return list(dict.fromkeys(name for name, _mentions in pairs))


def score(switch: str | None) -> tuple[str | None, int, int, int, list[tuple[int, int]]]:
    """(switch, tp, predicted, gold, per article (tp, predicted)) with ``switch`` off."""
    if switch:
        setattr(MODULES[_FACET], switch, False)
    tp = npred = ngold = 0
    rows = []
    for a in _ARTICLES:
        pred = _names(analyse(a.article, a.text, a.spans))
        hits = matches(a.gold, pred)
        tp, npred, ngold = tp + hits, npred + len(pred), ngold + len(a.gold)
        rows.append((hits, len(pred)))
    return switch, tp, npred, ngold, rows


def load(files: list[Path], facet: str) -> list[Case]:
    out = []
    for path in files:
        with open(path, encoding="utf-8") as fh:
            golds = {r["id"]: r["gold"] for r in map(json.loads, filter(str.strip, fh))}
        for article in read_paths([path], [].append):
            names = golds[article.id].get(facet)
            if names is None:  # a countries-only file has no persons' gold
                continue
            if facet == "countries":  # as score.py reads them: a set of codes
                names = sorted(
                    {
                        str(n.get("code", "") if isinstance(n, dict) else n).strip().upper()
                        for n in names
                    }
                )
            else:  # a name once, as score.py reads it
                names = list(dict.fromkeys(n["name"] if isinstance(n, dict) else n for n in names))
            out.append(Case(article, article_text(article), names))
    return out


def ablate(
    files: list[Path], facet: str, names: list[str] | None = None, workers: int = 2
) -> list[dict]:
    """The base row first, then one row per switch, as dicts."""
    global _ARTICLES, _FACET, _SCORE
    held = [p for p in files if p.name in HELD_OUT]
    if held:
        raise SystemExit(f"{held[0]}: held out, never a rule's source (bench/gold/README.md)")
    _FACET = facet
    _SCORE = _score_module()
    _ARTICLES = load(files, facet)
    for a, spans in zip(_ARTICLES, ner([a.text for a in _ARTICLES]), strict=True):
        a.spans = spans
    names = switches(facet) if names is None else names
    unknown = [n for n in names if n not in switches(facet)]
    if unknown:
        raise SystemExit(f"{unknown[0]}: no switch of {facet}.py")
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(workers, maxtasksperchild=1) as pool:  # a fresh child per switch
        results = pool.map(score, [None, *names], chunksize=1)
    _, btp, bpred, bgold, brows = results[0]
    out = [{"switch": None, "tp": btp, "predicted": bpred, "gold": bgold, "articles": 0}]
    for switch, tp, npred, ngold, rows in results[1:]:
        changed = sum(1 for a, b in zip(rows, brows, strict=True) if a != b)
        out.append(
            {
                "switch": switch,
                "tp": tp,
                "predicted": npred,
                "gold": ngold,
                "dTP": tp - btp,
                "dFP": (npred - tp) - (bpred - btp),
                "articles": changed,
            }
        )
    return out


def _prf(row: dict) -> tuple[float, float, float]:
    p = row["tp"] / row["predicted"] if row["predicted"] else 1.0
    r = row["tp"] / row["gold"] if row["gold"] else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--facet", choices=sorted(MODULES), default="persons")
    parser.add_argument("--gold", type=Path, action="append", help="gold file (repeatable)")
    parser.add_argument("--switch", action="append", help="only this switch (repeatable)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    files = args.gold or tuning_files()
    rows = ablate(files, args.facet, args.switch, args.workers)
    base = rows[0]
    p, r, f = _prf(base)
    print(
        f"{args.facet}, {len(_ARTICLES)} articles of {len(files)} files, every switch on: "
        f"P {p:.3f} R {r:.3f} F1 {f:.4f} (tp {base['tp']}, predicted {base['predicted']}, "
        f"gold {base['gold']})"
    )
    print(f"{'switch off':32s} {'dTP':>5s} {'dFP':>5s} {'dF1':>8s} {'articles':>8s}")
    for row in sorted(rows[1:], key=lambda row: _prf(row)[2]):
        print(
            f"{row['switch']:32s} {row['dTP']:+5d} {row['dFP']:+5d} "
            f"{_prf(row)[2] - f:+8.4f} {row['articles']:8d}"
        )


if __name__ == "__main__":
    main()
