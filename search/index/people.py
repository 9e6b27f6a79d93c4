"""Archive-level resolution of person names: one person, one canonical name, its aliases.

Extraction links the mentions of one article (``Blinken`` → ``Anthony Blinken``); this module
links articles to each other, the way Aleph and the impresso archive do. Every indexed
article's persons go into a table of the index (``persons.sqlite``), and a new
article's names are resolved against it before the article is written:

* a spelling variant (``Edouard Philippe`` / ``Édouard Philippe``, ``Jean Marc Ayrault``)
  takes the spelling the archive uses most;
* a name given as initials (``V. Poutine``) takes the one full name of the archive with that
  surname and those initials, when one dominates;
* a surname or given name alone (``Poutine``, a headline's ``Macron``, ``de Gaulle`` with
  its particle) takes the full name that dominates the archive for it in the year around the
  article's date (else the whole archive): at least ``MIN_ARTICLES`` articles and
  ``DOMINANCE`` of the candidates' articles.

The table only grows with new and changed articles and shrinks with removed ones (cost
proportional to the change, indexed look-ups); an article is resolved against what the
archive holds when it is written, so an older article keeps its resolution until it changes.
The entity pages read sums kept beside the rows (per person and month, per person, spelling
and name, per country and month), so a page's cost does not grow with the entity's articles.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from search.index import storage

FILE = "persons.sqlite"
PERIOD_DAYS = 366
MIN_ARTICLES = 2
DOMINANCE = 0.75
# A surname alone written with its particle ("de Gaulle", "Le Pen") is resolved as a surname
# alone, to a full name of the archive ending with it: "de Gaulle" stood as its own person
# beside "Charles de Gaulle" in 91 articles of the 30,050-article audit (issue 16, session 20).
PARTICLE_SURNAMES = True
_PARTICLES = frozenset("de du d des le la van von di da del dos".split())
# A compound word alone ("Jean-Alexandre", "Marie-Laure") is resolved only as a compound
# surname, to a full name ending with the whole compound ("Dupond-Moretti"), not to one
# whose given name or surname is its last part ("Jean-Alexandre" was read as "Alexandre
# Benalla", "Marie-Laure" as "Laure Manaudou", "Paul-Valéry" as "Valéry Giscard d'Estaing":
# the audit, issue 16, session 20).
COMPOUND_ALONE = True

_SCHEMA = """
CREATE TABLE IF NOT EXISTS mention (
    article TEXT NOT NULL,
    name TEXT NOT NULL,       -- the name as the article gives it (after in-article linking)
    canonical TEXT NOT NULL,  -- the archive's name for that person
    why TEXT NOT NULL,        -- how ``canonical`` was chosen ('' when name == canonical)
    fkey TEXT NOT NULL,       -- folded canonical: case, accents, hyphens and dots ignored
    first TEXT NOT NULL,      -- folded first and last word of the canonical name
    last TEXT NOT NULL,
    nwords INTEGER NOT NULL,
    mentions INTEGER NOT NULL,
    day INTEGER NOT NULL,     -- proleptic ordinal of the article's date, 0 when unknown
    PRIMARY KEY (article, name)
);
CREATE INDEX IF NOT EXISTS mention_last ON mention (last, nwords, day);
CREATE INDEX IF NOT EXISTS mention_first ON mention (first, nwords, day);
CREATE INDEX IF NOT EXISTS mention_fkey ON mention (fkey);
CREATE INDEX IF NOT EXISTS mention_canonical ON mention (canonical);
CREATE INDEX IF NOT EXISTS mention_article ON mention (article);
CREATE TABLE IF NOT EXISTS country_mention (
    article TEXT NOT NULL,
    code TEXT NOT NULL,
    mentions INTEGER NOT NULL,
    day INTEGER NOT NULL,
    PRIMARY KEY (article, code)
);
CREATE INDEX IF NOT EXISTS country_code ON country_mention (code);
CREATE TABLE IF NOT EXISTS country_month (  -- country_mention summed by month: the chart
    code TEXT NOT NULL,
    month TEXT NOT NULL,      -- YYYY-MM
    articles INTEGER NOT NULL,
    mentions INTEGER NOT NULL,
    PRIMARY KEY (code, month)
);
CREATE TABLE IF NOT EXISTS person_name (  -- mention counted by person, spelling and name
    fkey TEXT NOT NULL,       -- the person: every canonical spelling with this folded key
    canonical TEXT NOT NULL,
    name TEXT NOT NULL,
    articles INTEGER NOT NULL,  -- rows of mention, one per article
    mentions INTEGER NOT NULL,
    PRIMARY KEY (fkey, canonical, name)
);
CREATE TABLE IF NOT EXISTS person_month (  -- mention summed by person and month: the chart
    fkey TEXT NOT NULL,
    month TEXT NOT NULL,      -- YYYY-MM
    articles INTEGER NOT NULL,  -- an article naming the person under two spellings: once
    mentions INTEGER NOT NULL,
    PRIMARY KEY (fkey, month)
);
CREATE TABLE IF NOT EXISTS name_sighting (  -- how the model labelled a name in an article
    article TEXT NOT NULL,
    key TEXT NOT NULL,        -- archive_types.name_key
    per INTEGER NOT NULL, org INTEGER NOT NULL, loc INTEGER NOT NULL, misc INTEGER NOT NULL,
    titled INTEGER NOT NULL,
    PRIMARY KEY (article, key)
);
CREATE TABLE IF NOT EXISTS name_type (  -- the sums over the archive: the type vote's table
    key TEXT PRIMARY KEY,
    per INTEGER NOT NULL, org INTEGER NOT NULL, loc INTEGER NOT NULL, misc INTEGER NOT NULL,
    titled INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def name_key(name: str) -> str:
    """``Jean-Marc Ayrault`` and ``jean marc AYRAULT`` are one key (as ``gold/score.py``)."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[-.'’]", " ", text)
    return " ".join(text.casefold().split())


def _initials(word: str) -> list[str] | None:
    """``V.`` → ``['v']``, ``J-M`` → ``['j', 'm']``; None for a written-out given name."""
    parts = [p for p in re.split(r"[.\-]", word) if p]
    if parts and all(len(p) == 1 for p in parts) and (word.endswith(".") or "-" in word):
        return [p.casefold() for p in parts]
    return None


@dataclass
class Resolved:
    """One person of an article after archive-level resolution."""

    name: str  # as the article gives it
    canonical: str  # as the archive knows it
    mentions: int
    why: str = ""  # empty when nothing was resolved


class PersonTable:
    """The archive's person mentions, one row per (article, name), in ``<dir>/persons.sqlite``
    (the index folder's, beside its generations: ``storage``)."""

    def __init__(self, directory: str | Path, readonly: bool = False, shared: bool = False) -> None:
        path = self.path = Path(directory) / FILE
        self.filled = False
        if readonly:
            self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            # A reindex's changes: one transaction, committed by ``commit`` (stamped with the
            # generation it goes with) or undone by ``close``.
            self.db = storage.open_shared(path) if shared else sqlite3.connect(
                path, isolation_level=None, check_same_thread=False
            )
            tables = {
                name for (name,) in self.db.execute("SELECT name FROM sqlite_master")
            }
            # The new tables and their first sums in the run's transaction: a run that fails
            # leaves none of them, and the next one counts them again.
            self.db.executescript("BEGIN;\n" + _SCHEMA)
            # A table written before the sums: they are counted once from its rows.
            if "country_month" not in tables:
                rows = self.db.execute(
                    "SELECT code, day, mentions FROM country_mention WHERE day > 0"
                ).fetchall()
                self._add_months([(code, day, 1, n) for code, day, n in rows])
            if "person_month" not in tables:
                self._count_person_sums()
            # Sums counted from rows an older Loupe wrote: worth keeping even by a run that
            # changes nothing else (``reindex``).
            self.filled = bool(tables) and not {"country_month", "person_month"} <= tables
        self.readonly = readonly

    @classmethod
    def for_build(cls, current: Path | None, build: Path) -> PersonTable:
        """The index's table when it goes with ``current`` (updated in place), else a new
        one in the build folder."""
        if current is not None and storage.read_stamp(build.parent / FILE) == current.name:
            return cls(build.parent, shared=True)
        return cls(build)

    @classmethod
    def open_existing(cls, directory: str | Path | None) -> PersonTable | None:
        """The table of a generation (the index's, or one inside the generation as indexes
        of manifest version 5 kept it), read-only, or None when it has none. The index's
        may already hold the articles of a generation about to be published."""
        if directory is None:
            return None
        for folder in (Path(directory), Path(directory).parent):
            if (folder / FILE).exists():
                return cls(folder, readonly=True)
        return None

    def commit(self, generation: str, index_dir: Path) -> None:
        """Commits the run's changes as the table of ``generation`` and closes it."""
        storage.commit_shared(self.db, self.path, generation, index_dir)

    def close(self) -> None:
        """Closes it; changes not committed are undone."""
        with contextlib.suppress(sqlite3.ProgrammingError):  # already closed by commit
            if not self.readonly and self.db.in_transaction:
                self.db.execute("ROLLBACK")
        self.db.close()

    def __enter__(self) -> PersonTable:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- writing ------------------------------------------------------------

    def remove(self, article_ids: Iterable[str]) -> None:
        ids = [(a,) for a in article_ids]
        for (article,) in ids:
            self._add_person_sums(self._person_rows(article), -1)
        self.db.executemany("DELETE FROM mention WHERE article = ?", ids)
        for (article,) in ids:
            rows = self.db.execute(
                "SELECT code, day, mentions FROM country_mention WHERE article = ? AND day > 0",
                (article,),
            ).fetchall()
            self._add_months([(code, day, -1, -n) for code, day, n in rows])
        self.db.executemany("DELETE FROM country_mention WHERE article = ?", ids)
        for (article,) in ids:
            rows = self.db.execute(
                "SELECT key, per, org, loc, misc, titled FROM name_sighting WHERE article = ?",
                (article,),
            ).fetchall()
            self._add_types([(key, *(-n for n in row)) for key, *row in rows])
        self.db.executemany("DELETE FROM name_sighting WHERE article = ?", ids)

    def add_names(self, article_id: str, names: dict[str, tuple[int, ...]]) -> None:
        """How the model labelled the article's names (``Facets.names``), added to the
        archive's sums: the type vote of the articles written after it counts them."""
        rows = [(key, *row) for key, row in names.items()]
        self.db.executemany(
            "INSERT OR REPLACE INTO name_sighting VALUES (?, ?, ?, ?, ?, ?, ?)",
            [(article_id, *r) for r in rows],
        )
        self._add_types(rows)

    def _add_types(self, rows: list[tuple]) -> None:
        self.db.executemany(
            "INSERT INTO name_type VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET "
            "per = per + excluded.per, org = org + excluded.org, loc = loc + excluded.loc, "
            "misc = misc + excluded.misc, titled = titled + excluded.titled",
            rows,
        )
        self.db.executemany(
            "DELETE FROM name_type WHERE key = ? AND per + org + loc + misc + titled <= 0",
            [(r[0],) for r in rows if sum(r[1:]) <= 0],
        )

    def add_countries(self, article_id: str, day: int, countries: list[tuple[str, int]]) -> None:
        """The article's countries and their mentions (for the country pages' chart)."""
        self.db.executemany(
            "INSERT OR REPLACE INTO country_mention VALUES (?, ?, ?, ?)",
            [(article_id, code, n, day) for code, n in countries],
        )
        if day > 0:
            self._add_months([(code, day, 1, n) for code, n in countries])

    def _add_months(self, rows: list[tuple[str, int, int, int]]) -> None:
        """``(code, day, articles, mentions)`` added to the monthly sums (negative: removed),
        so that a country's chart is one look-up per month, not a sum over its articles."""
        import datetime as dt

        sums: dict[tuple[str, str], list[int]] = {}
        for code, day, articles, mentions in rows:
            d = dt.date.fromordinal(day)
            slot = sums.setdefault((code, f"{d.year:04d}-{d.month:02d}"), [0, 0])
            slot[0] += articles
            slot[1] += mentions
        self.db.executemany(
            "INSERT INTO country_month VALUES (?, ?, ?, ?) ON CONFLICT (code, month) DO UPDATE "
            "SET articles = articles + excluded.articles, mentions = mentions + excluded.mentions",
            [(code, month, a, n) for (code, month), (a, n) in sums.items()],
        )
        self.db.executemany(
            "DELETE FROM country_month WHERE code = ? AND month = ? AND articles <= 0",
            [key for key, (a, _n) in sums.items() if a < 0],
        )

    def add(self, article_id: str, day: int, people: list[Resolved]) -> None:
        rows = []
        for p in people:
            words = name_key(p.canonical).split()
            if not words:
                continue
            rows.append(
                (
                    article_id,
                    p.name,
                    p.canonical,
                    p.why,
                    " ".join(words),
                    words[0],
                    words[-1],
                    len(words),
                    p.mentions,
                    day,
                )
            )
        # Rows it replaces (the same article and name) are taken from the sums first.
        self._add_person_sums(self._person_rows(article_id), -1)
        self.db.executemany(
            "INSERT OR REPLACE INTO mention VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
        self._add_person_sums(self._person_rows(article_id), 1)

    def _count_person_sums(self) -> None:
        """The person sums of a table written before them, counted in SQL (an archive's
        millions of rows are not brought into Python); as ``_add_person_sums`` counts."""
        self.db.execute(
            "INSERT INTO person_name SELECT fkey, canonical, name, COUNT(*), SUM(mentions) "
            "FROM mention GROUP BY fkey, canonical, name"
        )
        # A proleptic ordinal is a Julian day less 1721424.5 (``date.fromordinal``).
        self.db.execute(
            "INSERT INTO person_month SELECT fkey, month, COUNT(*), SUM(mentions) FROM ("
            "  SELECT fkey, strftime('%Y-%m', MIN(day) + 1721424.5) AS month,"
            "  SUM(mentions) AS mentions FROM mention WHERE day > 0 GROUP BY article, fkey"
            ") GROUP BY fkey, month"
        )

    def _person_rows(self, article_id: str) -> list[tuple]:
        return self.db.execute(
            "SELECT article, fkey, canonical, name, day, mentions FROM mention WHERE article = ?",
            (article_id,),
        ).fetchall()

    def _add_person_sums(self, rows: list[tuple], sign: int) -> None:
        """Rows of ``mention`` (``article, fkey, canonical, name, day, mentions``) added to
        the person sums (``sign`` -1: taken away), so that a person's page reads its chart,
        mentions and aliases from one look-up each, not from every article naming them.
        A month counts an article once per person (``fkey``), whatever spellings it uses."""
        import datetime as dt

        names: dict[tuple[str, str, str], list[int]] = {}
        articles: dict[tuple[str, str], list] = {}  # (article, fkey) -> [day, mentions]
        for article, fkey, canonical, name, day, mentions in rows:
            slot = names.setdefault((fkey, canonical, name), [0, 0])
            slot[0] += sign
            slot[1] += sign * mentions
            if day > 0:
                articles.setdefault((article, fkey), [day, 0])[1] += mentions
        months: dict[tuple[str, str], list[int]] = {}
        for (_article, fkey), (day, mentions) in articles.items():
            d = dt.date.fromordinal(day)
            slot = months.setdefault((fkey, f"{d.year:04d}-{d.month:02d}"), [0, 0])
            slot[0] += sign
            slot[1] += sign * mentions
        self.db.executemany(
            "INSERT INTO person_name VALUES (?, ?, ?, ?, ?) ON CONFLICT (fkey, canonical, name) "
            "DO UPDATE SET articles = articles + excluded.articles, "
            "mentions = mentions + excluded.mentions",
            [(*key, a, n) for key, (a, n) in names.items()],
        )
        self.db.executemany(
            "INSERT INTO person_month VALUES (?, ?, ?, ?) ON CONFLICT (fkey, month) DO UPDATE "
            "SET articles = articles + excluded.articles, mentions = mentions + excluded.mentions",
            [(*key, a, n) for key, (a, n) in months.items()],
        )
        if sign < 0:
            self.db.executemany(
                "DELETE FROM person_name WHERE fkey = ? AND canonical = ? AND name = ? "
                "AND articles <= 0",
                list(names),
            )
            self.db.executemany(
                "DELETE FROM person_month WHERE fkey = ? AND month = ? AND articles <= 0",
                list(months),
            )

    # -- resolving ----------------------------------------------------------

    def resolve(self, persons: list[tuple[str, int]], day: int = 0) -> list[Resolved]:
        """The article's ``(name, mentions)`` with their archive names; two names that turn
        out to be one person are one entry (mentions added)."""
        out: dict[str, Resolved] = {}
        keys = [name_key(name) for name, _ in persons]
        for name, mentions in persons:
            canonical, why = self._resolve_one(name, day, keys)
            if canonical in out:
                out[canonical].mentions += mentions
                continue
            out[canonical] = Resolved(name, canonical, mentions, why)
        return list(out.values())

    def canonical(self, name: str, day: int = 0) -> tuple[str, str]:
        """The archive's name for ``name`` and why (``""`` when it is its own)."""
        return self._resolve_one(name, day)

    def _resolve_one(self, name: str, day: int, others: list[str] = ()) -> tuple[str, str]:
        words = name.split()
        key = name_key(name)
        if not key:
            return name, ""
        if len(words) == 1:
            found = self._dominant(key, day, alone=True)
            if found:
                return found
        elif _initials(words[0]):
            found = self._dominant(key, day, alone=False, initials=_initials(words[0]))
            if found:
                return found
        elif (
            PARTICLE_SURNAMES
            and _particle_surname(key)
            # Another person of the article carries it: "Marion Maréchal-Le Pen" and a
            # "Le Pen" alone are not Marine Le Pen.
            and not any(k.endswith(" " + key) for k in others)
        ):
            found = self._dominant(key, day, alone=False, whole=True)
            if found:
                return found
        spelling = self._spelling(key)
        if spelling and spelling != name:
            return spelling, f"variante d'écriture de « {spelling} » dans l'archive"
        return name, ""

    def _spelling(self, key: str) -> str | None:
        spellings = self._spellings(key)
        return spellings[0][0] if spellings else None

    def _spellings(self, key: str) -> list[tuple[str, int]]:
        """The canonical spellings of the person with folded name ``key`` and their rows,
        most used first."""
        try:
            return self.db.execute(
                "SELECT canonical, SUM(articles) AS n FROM person_name WHERE fkey = ? "
                "GROUP BY canonical ORDER BY n DESC, canonical",
                (key,),
            ).fetchall()
        except sqlite3.OperationalError:  # a read-only table written by an older Loupe
            return self.db.execute(
                "SELECT canonical, COUNT(*) AS n FROM mention WHERE fkey = ? "
                "GROUP BY canonical ORDER BY n DESC, canonical",
                (key,),
            ).fetchall()

    def _dominant(
        self,
        key: str,
        day: int,
        alone: bool,
        initials: list[str] | None = None,
        whole: bool = False,
    ) -> tuple[str, str] | None:
        """The full name that dominates the archive for a lone name or initials (``whole``:
        a surname of several words, which the full name must end with)."""
        parts = key.split()
        last = parts[-1]
        compound = COMPOUND_ALONE and alone and len(parts) > 1
        periods = [(day - PERIOD_DAYS, day + PERIOD_DAYS, "l'année autour de l'article")]
        periods = (periods if day else []) + [(None, None, "l'archive")]
        for low, high, where in periods:
            counts: dict[str, int] = {}
            # A compound alone is looked for as a surname only: a compound given name
            # alone ("Jean-Luc, père d'une fille") is too often someone else.
            columns = ("last", "first") if alone and not compound else ("last",)
            for column in columns:
                sql = (
                    f"SELECT canonical, COUNT(DISTINCT article) FROM mention "
                    f"WHERE {column} = ? AND nwords > 1"
                )
                args: list = [last]
                if low is not None:
                    sql += " AND day BETWEEN ? AND ?"
                    args += [low, high]
                for canonical, n in self.db.execute(sql + " GROUP BY canonical", args):
                    if initials is not None and not _initials_fit(initials, canonical):
                        continue
                    full = name_key(canonical)
                    if whole and not full.endswith(" " + key):
                        continue
                    if compound and not full.endswith(" " + key):
                        continue
                    counts[canonical] = counts.get(canonical, 0) + n
            if not counts:
                continue
            best = max(counts, key=lambda c: (counts[c], c))
            total = sum(counts.values())
            if counts[best] >= MIN_ARTICLES and counts[best] >= DOMINANCE * total:
                kind = "nom seul" if alone or whole else "initiales"
                return best, (
                    f"{kind} : « {best} » domine dans {where} ({counts[best]} articles sur {total})"
                )
            return None  # ambiguous where the evidence is: no wider guess
        return None

    # -- reading ------------------------------------------------------------

    def name_type(self, key: str) -> tuple[int, int, int, int, int] | None:
        """The archive's (PER, ORG, LOC, MISC, titled) for a name key (``archive_types``);
        None when it never saw it (or the table predates these counts)."""
        try:
            row = self.db.execute(
                "SELECT per, org, loc, misc, titled FROM name_type WHERE key = ?", (key,)
            ).fetchone()
        except sqlite3.OperationalError:  # a read-only table written by an older Loupe
            return None
        return tuple(row) if row else None  # type: ignore[return-value]

    def name_types(self) -> dict[str, tuple[int, ...]]:
        """The whole table (for tests and ``archive_types`` tooling)."""
        rows = self.db.execute("SELECT key, per, org, loc, misc, titled FROM name_type")
        return {key: tuple(row) for key, *row in rows}

    def variants(self, name: str) -> list[str]:
        """Every canonical spelling of the person (``name`` first): what a search for the
        person must match, since older articles keep the spelling they were written with."""
        rows = self._spellings(name_key(name))
        return [name] + [c for c, _n in rows if c != name]

    # A person is every canonical spelling with one folded key (``variants``): its rows are
    # those of ``mention`` with that ``fkey``, summed in ``person_name`` and ``person_month``
    # as articles come and go. A read-only table written by an older Loupe has only the rows.

    def aliases(self, name: str) -> list[dict]:
        """The other names the archive's articles give the person, with their article counts."""
        try:
            rows = self.db.execute(
                "SELECT name, SUM(articles) AS n FROM person_name WHERE fkey = ? "
                "GROUP BY name ORDER BY n DESC, name",
                (name_key(name),),
            ).fetchall()
        except sqlite3.OperationalError:
            rows = self._spelling_rows(
                name, "SELECT name, COUNT(DISTINCT article) AS n FROM mention "
                "WHERE canonical IN ({}) GROUP BY name ORDER BY n DESC, name")
        return [{"name": n, "articles": c} for n, c in rows if n != name]

    def person_months(self, name: str) -> list[dict]:
        """Articles and mentions of the person per month (dated articles only)."""
        try:
            rows = self.db.execute(
                "SELECT month, articles, mentions FROM person_month WHERE fkey = ? "
                "ORDER BY month",
                (name_key(name),),
            ).fetchall()
        except sqlite3.OperationalError:
            return _by_month(self._spelling_rows(
                name, "SELECT day, SUM(mentions) FROM mention WHERE canonical IN ({}) "
                "AND day > 0 GROUP BY article"))
        return [{"month": m, "articles": a, "mentions": n} for m, a, n in rows]

    def person_mentions(self, name: str) -> int:
        try:
            row = self.db.execute(
                "SELECT COALESCE(SUM(mentions), 0) FROM person_name WHERE fkey = ?",
                (name_key(name),),
            ).fetchone()
        except sqlite3.OperationalError:
            row = self._spelling_rows(
                name, "SELECT COALESCE(SUM(mentions), 0) FROM mention WHERE canonical IN ({})")[0]
        return int(row[0])

    def _spelling_rows(self, name: str, sql: str) -> list[tuple]:
        """``sql`` over the rows of every spelling of the person (``{}`` takes their
        placeholders): what a read-only table written by an older Loupe, without the sums,
        still answers from."""
        keys = self.variants(name)
        return self.db.execute(sql.format(",".join("?" * len(keys))), keys).fetchall()

    def country_months(self, code: str) -> list[dict]:
        try:
            rows = self.db.execute(
                "SELECT month, articles, mentions FROM country_month WHERE code = ? "
                "ORDER BY month",
                (code,),
            ).fetchall()
        except sqlite3.OperationalError:  # a read-only table written by an older Loupe
            rows = None
        if rows is None:
            found = self.db.execute(
                "SELECT day, mentions FROM country_mention WHERE code = ? AND day > 0", (code,)
            ).fetchall()
            return _by_month(found)
        return [{"month": m, "articles": a, "mentions": n} for m, a, n in rows]

    def country_mentions(self, code: str) -> int:
        row = self.db.execute(
            "SELECT COALESCE(SUM(mentions), 0) FROM country_mention WHERE code = ?", (code,)
        ).fetchone()
        return int(row[0])


def _by_month(rows: Iterable[tuple[int, int]]) -> list[dict]:
    """``(day ordinal, mentions)`` per article → articles and mentions per ``YYYY-MM``."""
    import datetime as dt

    months: dict[str, list[int]] = {}
    for day, mentions in rows:
        d = dt.date.fromordinal(day)
        slot = months.setdefault(f"{d.year:04d}-{d.month:02d}", [0, 0])
        slot[0] += 1
        slot[1] += mentions
    return [{"month": m, "articles": a, "mentions": n} for m, (a, n) in sorted(months.items())]


def _particle_surname(key: str) -> bool:
    """``de gaulle``, ``le pen``: particles, then one surname word."""
    words = key.split()
    return len(words) >= 2 and all(w in _PARTICLES for w in words[:-1])


def _initials_fit(initials: list[str], canonical: str) -> bool:
    """``['v']`` fits ``Vladimir Poutine``; ``['j', 'm']`` fits ``Jean-Marc Ayrault``."""
    words = canonical.split()
    if len(words) < 2:
        return False
    parts = [p for p in re.split(r"[-\s]", " ".join(words[:-1])) if p]
    return len(parts) == len(initials) and all(
        name_key(p)[:1] == i for p, i in zip(parts, initials, strict=True)
    )
