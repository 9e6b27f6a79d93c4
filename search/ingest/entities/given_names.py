"""Given names of the world's languages, as evidence that a name-shaped span is a person.

``data/first_names.txt`` is short on purpose: its names also decide single words
(``Astrid`` alone is a person) and add pairs the model missed, so a word such as ``France``
or ``Florence`` must not be in it. This list is used for one thing only: a span the model
calls a person whose first word is a given name somewhere in the world (``Émilie Besse``,
``Jesse Marsch``, ``Kais Kabtani``) has evidence of being one, where ``Tempête Eleanor`` or
``Moustache Bikes`` has none (``persons._evidence``).

The names come from Faker's person providers (MIT licence: about 20,000 given names in Latin
script from its 86 locales; a well-kept, reviewed list rather than one written here), less the
words that French news writes in lower case more often than with a capital inside a sentence
(``canal``, ``delta``, ``colonel``, ``ocean``: words before names). The shipped file is built
once, offline: ``python -m search.ingest.entities.given_names CORPUS.jsonl...`` (needs the
``faker`` package, which Loupe does not need at run time).
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import pkgutil
import re
from collections import Counter
from pathlib import Path

from search.ingest.entities.countries import DATA, fold_chars, word_list

TABLE = DATA / "given_names_world.txt"
_TOKEN = re.compile(r"(?<=[\s(«\"'’])([^\W\d_]+)")


@functools.lru_cache(maxsize=1)
def world_given_names() -> frozenset[str]:
    """Folded given names of ``data/given_names_world.txt``."""
    return word_list(TABLE)


def faker_names(kind: str = "first") -> set[str]:
    """Given names (``kind`` "first") or surnames ("last"), lower case, of every Faker person
    provider, Latin script only."""
    import faker.providers.person as providers  # build time only

    out: set[str] = set()
    for module in pkgutil.iter_modules(providers.__path__):
        try:
            provider = importlib.import_module(f"{providers.__name__}.{module.name}").Provider
        except (ImportError, AttributeError):
            continue
        for attr in (f"{kind}_names", f"{kind}_names_male", f"{kind}_names_female"):
            names = getattr(provider, attr, None)
            if not isinstance(names, (dict, list, tuple)):
                continue
            for name in names:
                if name[:1].isupper() and all(ord(ch) < 0x250 for ch in name):
                    out.add(name.lower())
    return out


def case_counts(paths: list[Path]) -> tuple[Counter[str], Counter[str]]:
    """How often each word is written in lower case, and capitalised, inside a sentence
    (after a space, not after a full stop) in the articles of ``paths``; accents kept, so
    ``Pete`` is not ``pète``."""
    lower: Counter[str] = Counter()
    upper: Counter[str] = Counter()
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                rec = json.loads(line)
                text = " ".join(str(rec.get(k) or "") for k in ("title", "summary", "body"))
                for m in _TOKEN.finditer(text):
                    if text[max(0, m.start() - 2) : m.start()].strip() in (".", "!", "?"):
                        continue
                    word = m.group(1)
                    (upper if word[0].isupper() else lower)[word.lower()] += 1
    return lower, upper


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build data/given_names_world.txt.")
    parser.add_argument("corpus", type=Path, nargs="+", help="JSONL articles (for word case)")
    args = parser.parse_args(argv)
    lower, upper = case_counts(args.corpus)
    names = sorted({fold_chars(n) for n in faker_names() if lower[n] <= upper[n]})
    header = (
        "# Given names from Faker's person providers (MIT), Latin script, less the words "
        "written more often in lower case than capitalised in the corpus: "
        "search/ingest/entities/given_names.py\n"
    )
    TABLE.write_text(header + "\n".join(names) + "\n", encoding="utf-8")
    print(f"{len(names)} given names -> {TABLE}")


if __name__ == "__main__":
    main()
