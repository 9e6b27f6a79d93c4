"""The persons facet as a user sees it: its most frequent values, judged by hand.

Why: the entity benches (``bench/entities.py``) score the extractor article by article on
gold files, but a user meets the persons facet, where the archive's resolution has merged
the articles' names (a surname alone to the full name it stands for, spellings together).
A value there can be wrong although every article's name is right by the guide (a given
name alone merging several people), and one wrong value at the top weighs hundreds of
articles. Session 20 audited the top 300 values of a 30,050-article index by hand
(``docs/facets.md``, "Session 20, the archive's most frequent persons"); this tool makes
that audit repeatable on any index, with the judgments kept in a file
(``bench/gold/persons-facet-verdicts.tsv``) and never guessed.

How:

    python bench/facet_audit.py top --index DIR [--n 300] [--contexts 3] [--seed 2961] \\
        --out bench/out/facet-top.json
    python bench/facet_audit.py score bench/out/facet-top.json \\
        [--verdicts bench/gold/persons-facet-verdicts.tsv] [--cuts 50 100] [--json]

``top`` asks the index what the product serves (``SearchEngine.stats()``, the facet's
values by article count, canonical names after the archive's resolution) and writes the
first N, each with its article count, the spellings the articles give it and, for a human
to judge, the sentence naming it in up to ``--contexts`` of its articles
(``random.Random(seed)``, articles from the index's ``persons.sqlite``, text from the index).
``score`` reads the verdicts file (``value<TAB>verdict<TAB>note``, verdict ``a`` a person in
the right form, ``b`` a person in a partial or wrong form, ``c`` not a person, by
``../shared/gold/GUIDE.md``) and prints the precision of the top 50, 100 and N, unweighted and
weighted by article count, the (b) and (c) values, and the values with no verdict as *to
judge*: a new extractor or corpus brings new values, and this tool never judges them. With
values to judge, the precision is given over the judged values, with the bounds it would
have if they all turned out wrong or all right. The index is only read.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from search.find.searcher import SearchEngine  # noqa: E402
from search.index.people import PersonTable, name_key  # noqa: E402

VERDICTS = ROOT / "bench" / "gold" / "persons-facet-verdicts.tsv"
CLASSES = ("a", "b", "c")
SENTENCE = re.compile(r"(?<=[.!?\n])\s+")
WIDTH = 240  # characters of a context around the name


def sentence(text: str, name: str) -> str:
    """The first sentence of ``text`` naming ``name`` (else its last word), cut to about
    WIDTH characters around the name; '' when the text does not hold it."""
    sentences = SENTENCE.split(text)
    for needle in (name, name.split()[-1]):
        for s in sentences:
            i = s.find(needle)
            if i >= 0:
                start = max(0, i - (WIDTH - len(needle)) // 2)
                return " ".join(s[start : start + WIDTH].split())
    return ""


def facet_top(engine: SearchEngine, n: int) -> tuple[dict, list[dict]]:
    """The persons facet's first ``n`` values as ``SearchEngine.stats()`` serves them."""
    stats = engine.stats(top=n)
    values = [{"value": p["label"], "count": p["count"]} for p in stats["persons"]]
    head = {"index": stats["index"], "generation": stats["generation"]}
    return {**head, "articles": stats["articles"]}, values


def top(index: Path, n: int, contexts: int, seed: int) -> dict:
    """The document ``top`` writes: the values in the facet's order, each with contexts."""
    engine = SearchEngine(index)
    head, values = facet_top(engine, n)
    table = PersonTable(index, readonly=True)
    rng = random.Random(seed)
    out = []
    try:
        for rank, item in enumerate(values, 1):
            rows = table.db.execute(
                "SELECT article, name, why FROM mention WHERE fkey = ? ORDER BY article, name",
                (name_key(item["value"]),),
            ).fetchall()
            forms: dict[str, int] = {}
            by_article: dict[str, list[tuple[str, str]]] = {}
            for article, name, why in rows:
                forms[name] = forms.get(name, 0) + 1
                by_article.setdefault(article, []).append((name, why))
            articles = sorted(by_article)
            picked = rng.sample(articles, min(contexts, len(articles)))
            shown = []
            for article in picked:
                # the value's own spelling when the article writes it, else its longest name
                names = by_article[article]
                name, why = max(names, key=lambda nw: (nw[0] == item["value"], len(nw[0]), nw[0]))
                doc = engine.article(article) or {}
                text = "\n".join(doc.get(k) or "" for k in ("title", "summary", "body"))
                shown.append(
                    {"article": article, "name": name, "why": why, "sentence": sentence(text, name)}
                )
            out.append(
                {
                    "rank": rank,
                    "value": item["value"],
                    "count": item["count"],
                    "forms": dict(sorted(forms.items(), key=lambda kv: (-kv[1], kv[0]))),
                    "contexts": shown,
                }
            )
    finally:
        table.db.close()
    return {**head, "facet": "person", "n": n, "seed": seed, "values": out}


def read_verdicts(path: Path) -> dict[str, tuple[str, str]]:
    """``value -> (verdict, note)``; lines starting with ``#`` are comments."""
    verdicts: dict[str, tuple[str, str]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        value, verdict, *note = line.split("\t")
        if verdict not in CLASSES:
            raise ValueError(f"{path}:{number}: verdict {verdict!r} is not one of {CLASSES}")
        if value in verdicts:
            raise ValueError(f"{path}:{number}: {value!r} judged twice")
        verdicts[value] = (verdict, note[0] if note else "")
    return verdicts


def read_values(path: Path) -> list[dict]:
    """The values of a ``top`` file (or of a plain list of ``{value, count}``)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return data["values"] if isinstance(data, dict) else data


def score(
    values: list[dict], verdicts: dict[str, tuple[str, str]], cuts: tuple[int, ...] = (50, 100)
) -> dict:
    """Precision of each cut (and of all the values), unweighted and weighted by articles;
    the (b)/(c) values and the values to judge."""
    ks = sorted({k for k in cuts if k < len(values)} | {len(values)})
    rows = []
    for k in ks:
        head = values[:k]
        judged = [v for v in head if v["value"] in verdicts]
        right = [v for v in judged if verdicts[v["value"]][0] == "a"]
        weight = sum(v["count"] for v in head)
        judged_weight = sum(v["count"] for v in judged)
        right_weight = sum(v["count"] for v in right)
        rows.append(
            {
                "top": k,
                "right": len(right),
                "judged": len(judged),
                "to_judge": k - len(judged),
                "precision": len(right) / len(judged) if judged else None,
                "low": len(right) / k,
                "high": (len(right) + k - len(judged)) / k,
                "right_articles": right_weight,
                "judged_articles": judged_weight,
                "articles": weight,
                "weighted": right_weight / judged_weight if judged_weight else None,
            }
        )
    wrong = [
        {**v, "verdict": verdicts[v["value"]][0], "note": verdicts[v["value"]][1]}
        for v in values
        if v["value"] in verdicts and verdicts[v["value"]][0] != "a"
    ]
    unjudged = [v for v in values if v["value"] not in verdicts]
    return {"cuts": rows, "wrong": wrong, "to_judge": unjudged}


def _ratio(a: int, b: int, p: float | None) -> str:
    return f"{a:,}/{b:,} ({p:.3f})" if p is not None else f"{a:,}/{b:,}"


def report(result: dict) -> str:
    lines = [
        "| persons facet | right (a) | precision | weighted by articles | to judge |",
        "|---|---|---|---|---|",
    ]
    for r in result["cuts"]:
        bounds = f" [{r['low']:.3f}, {r['high']:.3f}]" if r["to_judge"] else ""
        lines.append(
            f"| top {r['top']} | {r['right']}/{r['top']} | "
            f"{_ratio(r['right'], r['judged'], r['precision'])}{bounds} | "
            f"{_ratio(r['right_articles'], r['judged_articles'], r['weighted'])} | "
            f"{r['to_judge']} |"
        )
    lines.append("")
    lines.append(f"(b)/(c) values: {len(result['wrong'])}")
    for v in result["wrong"]:
        lines.append(
            f"  ({v['verdict']}) {v.get('rank', '?')}. {v['value']} [{v['count']}]  {v['note']}"
        )
    lines.append(f"to judge (no verdict): {len(result['to_judge'])}")
    for v in result["to_judge"]:
        lines.append(f"  {v.get('rank', '?')}. {v['value']} [{v['count']}]")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_top = sub.add_parser("top", help="the facet's top values with contexts, as JSON")
    p_top.add_argument("--index", type=Path, required=True)
    p_top.add_argument("--n", type=int, default=300)
    p_top.add_argument("--contexts", type=int, default=3, help="sentences shown per value")
    p_top.add_argument("--seed", type=int, default=2961)
    p_top.add_argument("--out", type=Path, required=True)
    p_score = sub.add_parser("score", help="precision of a top file by the verdicts")
    p_score.add_argument("file", type=Path)
    p_score.add_argument("--verdicts", type=Path, default=VERDICTS)
    p_score.add_argument(
        "--cuts",
        type=int,
        nargs="+",
        default=[50, 100],
        help="the tops scored besides all the values (50 100)",
    )
    p_score.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    if args.command == "top":
        if not (args.index / "CURRENT").exists():
            parser.error(f"{args.index}: no index there")
        document = top(args.index, args.n, args.contexts, args.seed)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
        print(
            f"{len(document['values'])} values of {document['articles']:,} articles -> {args.out}"
        )
        return 0
    result = score(read_values(args.file), read_verdicts(args.verdicts), tuple(args.cuts))
    print(json.dumps(result, ensure_ascii=False, indent=1) if args.json else report(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
