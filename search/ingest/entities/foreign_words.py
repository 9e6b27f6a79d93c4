"""Common words of other languages, as evidence that a name-shaped span is a thing's name.

French news names firms, media, NGOs, ships and products with English (or Spanish,
German...) words: ``Sea Shepherd``, ``Nagashiki Shipping``, ``Havas Worldwide``, ``Mizan
Online``. The archive's own table of lower-case words (``archive_types.lower_words``) is
French and cannot see them, so such a name passed for a foreign person's (issue 16, session
14). ``persons._evidence`` asks a name with one of these words, and no given name first, for
a title, a role, an age or a verb of speech beside a mention, as it does for a French word.

The words come from ``wordfreq`` 3.1.1 (code Apache-2.0, data CC-BY-SA 4.0: word
frequencies per language pooled from several large corpora, a maintained package rather than a
list written here). Its lists are case-folded and hold people's names too (``trump``,
``smith``), but a name is about as frequent in French text as in the others, while a word of
one language is not: a word is kept when it is frequent in one of ``LANGUAGES`` (Zipf
``MIN_ZIPF`` or more) and at least ``MIN_GAP`` more frequent there than in French
(``shipping`` 4.5 in English against 2.8; ``trump`` 4.9 against 4.4, not kept). Left out: the
given names and surnames of Faker's person providers (``young``, ``king``, ``white``,
``oliveira``: surnames that are words), and the words the corpus never capitalises inside a
sentence (they never start a name), which keeps the table small. Each word is shipped with
its language (the first of ``LANGUAGES`` where it qualifies); ``persons.FOREIGN_LANGUAGES``
picks the ones used, and ``persons._foreign_word`` keeps out at run time what the shipped
given-name lexicons and the archive's person counts call a name (``Bush``), so the table need
not be rebuilt when those change.

The shipped file is built once, offline: ``python -m search.ingest.entities.foreign_words
CORPUS.jsonl...`` (needs the ``data`` extra: ``wordfreq``, a 57 MB wheel, and ``faker``, which
Loupe does not need at run time; nothing is downloaded when the extractor runs). The shipped
table was built from OrangeSum's ``articles-part-0*.jsonl`` and Wikinews'
``wikinews_fr_keyphrase.jsonl`` (3,848 words).
"""

from __future__ import annotations

import argparse
import functools
import re
from pathlib import Path

from search.ingest.entities.countries import DATA, fold_chars
from search.ingest.entities.given_names import case_counts, faker_names

TABLE = DATA / "foreign_words.txt"
# Languages whose words name firms and media in French news (Latin script).
LANGUAGES = ("en", "es", "de", "it", "pt", "nl")
# Zipf frequency (log10 of occurrences per billion words) a word needs in its language.
MIN_ZIPF = 3.5
# How much more frequent in its language than in French: a name is not.
MIN_GAP = 1.2
_WORD = re.compile(r"^[^\W\d_]{3,}$")


@functools.lru_cache(maxsize=1)
def table() -> dict[str, str]:
    """Folded common word of another language -> its language, from ``data/foreign_words.txt``."""
    if not TABLE.exists():  # pragma: no cover - shipped with the package
        return {}
    lines = TABLE.read_text(encoding="utf-8").splitlines()
    rows = (line.split("\t") for line in lines if line and not line.startswith("#"))
    return {word: lang for word, lang in rows}


def foreign_words(languages: tuple[str, ...] = LANGUAGES) -> frozenset[str]:
    """Folded common words of ``languages``."""
    return _words(tuple(sorted(languages)))


@functools.lru_cache(maxsize=8)
def _words(languages: tuple[str, ...]) -> frozenset[str]:
    return frozenset(w for w, lang in table().items() if lang in languages)


def wordfreq_words() -> dict[str, str]:
    """Lower-case word -> the language where it is a common word and no French one."""
    from wordfreq import iter_wordlist, zipf_frequency  # build time only

    out: dict[str, str] = {}
    for lang in LANGUAGES:
        for word in iter_wordlist(lang):
            zipf = zipf_frequency(word, lang)
            if zipf < MIN_ZIPF:
                break  # the list is sorted by frequency
            if not _WORD.match(word) or word in out:
                continue
            if zipf - zipf_frequency(word, "fr") >= MIN_GAP:
                out[word] = lang
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Build data/foreign_words.txt.")
    parser.add_argument("corpus", type=Path, nargs="+", help="JSONL articles (for word case)")
    args = parser.parse_args(argv)
    _lower, upper = case_counts(args.corpus)
    names = faker_names("last") | faker_names()
    found = wordfreq_words()
    kept = [(fold_chars(w), lang) for w, lang in found.items() if upper[w] and w not in names]
    rows = sorted(set(kept))
    header = (
        f"# word<TAB>language: common words of {', '.join(LANGUAGES)} (wordfreq, Zipf >= "
        f"{MIN_ZIPF}, {MIN_GAP} above French) that the corpus capitalises, less Faker's "
        "given names and surnames: search/ingest/entities/foreign_words.py\n"
    )
    TABLE.write_text(header + "".join(f"{w}\t{lang}\n" for w, lang in rows), encoding="utf-8")
    print(f"{len(rows)} words -> {TABLE}")


if __name__ == "__main__":
    main()
