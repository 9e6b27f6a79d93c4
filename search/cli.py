"""The ``loupe`` command: a thin click layer over the library.

Exit codes (scripts rely on them):

* 0: everything was done;
* 1: done, but some input was skipped (each skipped file is named, with its line);
* 2: usage error (unknown option, bad date, malformed query, missing path);
* 3: could not run (no index yet, a damaged index, another reindex holds the index,
  disk error); ``loupe check``: the index is damaged or missing;
* 4: failed unexpectedly (out of memory, a damaged cache, a bug): one line saying what,
  no traceback (``LOUPE_DEBUG=1`` shows it); the index in use is unchanged.

``reindex --strict`` turns any skipped input into exit code 1 with nothing published.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import re
import signal
import sqlite3
import sys
import time
import traceback
from pathlib import Path
from urllib.parse import urlsplit

import click

from search.find.budget import SearchTimeout
from search.find.facets import FACETS
from search.find.query import QueryError
from search.find.request import RequestError, SearchRequest, parse_date_bound
from search.find.searcher import SearchEngine
from search.index import phases, storage
from search.index.indexer import BadPaths, ClusterError, StrictAbort
from search.index.indexer import reindex as run_reindex
from search.ingest.entities import default_workers

EXIT_OK = 0
EXIT_SKIPPED = 1
EXIT_USAGE = 2
EXIT_ERROR = 3
EXIT_INTERNAL = 4

_MARK = re.compile(r"<mark>(.*?)</mark>", re.S)


def index_option(func):
    return click.option(
        "--index",
        "index_dir",
        default="index",
        show_default=True,
        envvar="LOUPE_INDEX",
        type=click.Path(file_okay=False, path_type=Path),
        help="Dossier de l'index (variable LOUPE_INDEX).",
    )(func)


def fail(message: str, code: int = EXIT_ERROR) -> None:
    click.echo(f"loupe : {message}", err=True)
    sys.exit(code)


def _disk_full(exc: BaseException) -> bool:
    """SQLite's own word for ENOSPC/EFBIG (the NER cache on a full disk)."""
    return isinstance(exc, sqlite3.OperationalError) and any(
        w in str(exc) for w in ("disk is full", "disk I/O error")
    )


class _Loupe(click.Group):
    """Unexpected failures get their own exit code (4) and one line, not a traceback and
    exit 1, which scripts read as "done, some input skipped"."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:  # noqa: BLE001 - anything else is a crash, said plainly
            if os.environ.get("LOUPE_DEBUG"):
                traceback.print_exc()
            if _disk_full(exc):
                fail(f"disque plein ou illisible (cache des entités) : {exc}", EXIT_ERROR)
            what = "mémoire insuffisante" if isinstance(exc, MemoryError) else "erreur interne"
            fail(
                f"{what} ({type(exc).__name__}: {exc}) ; l'index en service est inchangé "
                "(LOUPE_DEBUG=1 pour le détail)",
                EXIT_INTERNAL,
            )


@click.group(cls=_Loupe, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="loupe")
def main() -> None:
    """Loupe : moteur de recherche pour archives d'articles de presse en français."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@index_option
@click.option("--full", is_flag=True, help="Tout reconstruire au lieu de mettre à jour.")
@click.option("--strict", is_flag=True, help="Ne rien publier si une entrée est ignorée (code 1).")
@click.option("--quiet", "-q", is_flag=True, help="N'afficher que les problèmes.")
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=default_workers,
    show_default="nombre de cœurs",
    help="Processus d'extraction des entités en parallèle.",
)
@click.option(
    "--no-ner",
    "no_ner",
    is_flag=True,
    help="Sans le modèle NER (bien plus rapide) : personnes trouvées par les seules règles.",
)
@click.option(
    "--no-entities",
    "no_entities",
    is_flag=True,
    help="Texte seul : aucune entité cherchée dans le texte (dates, pays, personnes du seul "
    "enregistrement).",
)
@click.option(
    "--follow-links",
    "follow_links",
    is_flag=True,
    help="Suivre aussi les liens symboliques qui mènent hors des dossiers donnés.",
)
@click.option(
    "--memory-mb",
    "memory_mb",
    type=click.IntRange(256, 1_000_000),
    envvar="LOUPE_BUILD_MEMORY_MB",
    default=None,
    show_default="2048",
    help="Mémoire que l'écriture de l'index peut prendre en tout, en Mo (variable "
    "LOUPE_BUILD_MEMORY_MB) : au-delà, les segments sont écrits au fil de l'eau.",
)
@click.option(
    "--since",
    "since",
    metavar="DATE|DURÉE",
    callback=lambda ctx, param, value: _since(value),
    help="Ne lire que les fichiers modifiés depuis DATE (2026-11-30, 2026-11-30T08:00) ou "
    "depuis DURÉE (90s, 30m, 6h, 7d) ; les autres articles restent tels quels.",
)
@click.option(
    "--dask",
    "use_dask",
    is_flag=True,
    help="Extraction et écriture sur un LocalCluster Dask de --workers processus "
    "(docs/distributed.md) ; sans effet en dessous de 1 000 articles nouveaux.",
)
@click.option(
    "--scheduler",
    metavar="ADRESSE",
    default=None,
    help="Extraction et écriture sur un cluster Dask existant (tcp://hôte:8786) ; le dossier "
    "de l'index doit être partagé avec ses workers.",
)
@click.option(
    "--timings",
    "timings",
    is_flag=True,
    help="Afficher (sur stderr) la durée et le temps de calcul de chaque phase : lecture, "
    "écriture des segments, fusions, fichiers de postings, publication.",
)
def reindex(  # noqa: PLR0913 - one parameter per option
    paths: tuple[Path, ...],
    index_dir: Path,
    full: bool,
    strict: bool,
    quiet: bool,
    workers: int,
    no_ner: bool,
    no_entities: bool,
    follow_links: bool,
    memory_mb: int | None,
    since: float | None,
    use_dask: bool = False,
    scheduler: str | None = None,
    timings: bool = False,
) -> None:
    """Indexe les articles de PATHS (fichiers ou dossiers, récursivement).

    L'index reflète exactement les articles trouvés : nouveaux et modifiés sont
    (ré)analysés, inchangés conservés, disparus supprimés. Sans PATHS, les dossiers
    de la dernière indexation sont relus. Le nouvel index remplace l'ancien d'un
    coup, à la fin : en cas d'erreur, l'ancien reste en service.
    """
    code = _run_reindex(
        paths,
        index_dir,
        quiet=quiet,
        full=full,
        workers=workers,
        strict=strict,
        ner=not no_ner,
        entities=not no_entities,
        memory_mb=memory_mb,
        since=since,
        follow_links=follow_links,
        dask=use_dask,
        scheduler=scheduler,
        timings=timings,
    )
    sys.exit(code)


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdj])\s*$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "j": 86400}


def _since(value: str | None) -> float | None:
    """``--since``: a date or date-time (local time), or a duration back from now."""
    if value is None:
        return None
    found = _DURATION.match(value)
    if found:
        return time.time() - float(found.group(1)) * _SECONDS[found.group(2)]
    try:
        return dt.datetime.fromisoformat(value.strip()).timestamp()
    except ValueError:
        raise click.BadParameter(
            f"« {value} » n'est ni une date (2026-11-30, 2026-11-30T08:00) ni une durée "
            "(90s, 30m, 6h, 7d)."
        ) from None


def _run_reindex(
    paths, index_dir: Path, quiet: bool, watching: bool = False, timings: bool = False,
    **options,
) -> int:
    """One reindex with its progress bar and summary; returns the exit code. ``watching``:
    a summary only when something changed, and an index held by another reindex is
    tried again on the next pass."""
    show_bar = not quiet and sys.stderr.isatty()
    bar = None

    def progress(done: int, total: int, articles: int) -> None:
        nonlocal bar
        if not show_bar:
            return
        if bar is None:
            bar = click.progressbar(length=total, label="Indexation", file=sys.stderr)
            bar.__enter__()
        bar.label = f"Indexation ({articles} articles)"
        bar.update(done - bar.pos)

    try:
        result = run_reindex(paths, index_dir, progress=progress, **options)
    except StrictAbort as exc:
        _print_problems(exc.result)
        fail(str(exc), EXIT_SKIPPED)
    except storage.IndexLocked as exc:
        if watching:
            click.echo(f"loupe : {exc}", err=True)
            return EXIT_OK
        fail(str(exc))
    except BadPaths as exc:
        fail(str(exc), EXIT_USAGE)
    except ClusterError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"erreur d'écriture dans {index_dir} : {exc.strerror or exc}")
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)

    _print_problems(result)
    if timings:
        click.echo(phases.table(result.phases), err=True)
    if not quiet and (result.changed or not watching):
        summary = (
            f"{result.total} articles dans l'index ({result.files} fichiers lus) : "
            f"{result.indexed} indexés, {result.unchanged} inchangés, {result.removed} supprimés, "
            f"{result.skipped_count} ignorés"
        )
        if result.kept:
            summary += f", {result.kept} conservés tels quels (illisibles)"
        if result.duplicates:
            summary += f", {result.duplicates} doublons écartés"
        click.echo(f"{summary} en {result.elapsed:.1f} s.")
        if result.indexed and options.get("ner") and options.get("entities"):
            click.echo(
                f"Entités : {result.ner_runs} textes analysés par le modèle, "
                f"{result.ner_cached} repris du cache."
            )
    return EXIT_SKIPPED if result.skipped else EXIT_OK


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@index_option
@click.option(
    "--interval",
    type=click.FloatRange(0.1, None),
    default=60.0,
    show_default=True,
    help="Secondes entre deux passages.",
)
@click.option("--quiet", "-q", is_flag=True, help="N'afficher que les problèmes.")
@click.option("--no-ner", "no_ner", is_flag=True, help="Sans le modèle NER (voir reindex).")
@click.option("--no-entities", "no_entities", is_flag=True, help="Texte seul (voir reindex).")
def watch(  # noqa: PLR0913 - one parameter per option
    paths: tuple[Path, ...],
    index_dir: Path,
    interval: float,
    quiet: bool,
    no_ner: bool,
    no_entities: bool,
) -> None:
    """Surveille PATHS et publie les articles nouveaux ou modifiés toutes les --interval
    secondes (un reindex incrémental à chaque passage : les fichiers inchangés ne sont pas
    relus). S'arrête proprement sur Ctrl-C ou SIGTERM, l'index restant entier."""
    def on_term(signum, frame) -> None:
        raise KeyboardInterrupt  # a run under way cleans up its build, as on Ctrl-C

    signal.signal(signal.SIGTERM, on_term)
    if not quiet:
        click.echo(f"Surveillance de {', '.join(map(str, paths))} toutes les {interval:g} s "
                   "(Ctrl-C pour arrêter).")
    try:
        while True:
            started = time.monotonic()
            _run_reindex(
                paths,
                index_dir,
                quiet=quiet,
                watching=True,
                ner=not no_ner,
                entities=not no_entities,
            )
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
    except KeyboardInterrupt:
        if not quiet:
            click.echo("Surveillance arrêtée.")
    sys.exit(EXIT_OK)


def _print_problems(result) -> None:
    for problem in result.warnings:
        click.echo(f"avertissement : {problem}", err=True)
    for problem in result.skipped:
        click.echo(f"ignoré : {problem}", err=True)
    for line in result.throttle.summaries():
        click.echo(line, err=True)


@main.command()
@click.argument("path", type=click.Path(path_type=Path, allow_dash=True))
@index_option
@click.option("--json", "as_json", is_flag=True, help="Une ligne JSON par article.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["jsonl", "json", "txt"]),
    help="Format de l'entrée standard (deviné sinon).",
)
@click.option(
    "--follow-links",
    "follow_links",
    is_flag=True,
    help="Suivre aussi les liens symboliques qui mènent hors du dossier donné.",
)
def extract(
    path: Path, index_dir: Path, as_json: bool, fmt: str | None, follow_links: bool
) -> None:
    """Montre ce que Loupe extrait de PATH (fichier, dossier, ou - pour l'entrée standard) :
    titre, rubrique, date et sa provenance, pays et personnes avec leurs mentions. Quand
    l'index (--index) existe, chaque personne est aussi rapportée au nom que l'archive lui
    donne (canonical), avec la raison (why) ; l'index n'est pas modifié."""
    from search.index.people import PersonTable
    from search.ingest.entities import Extractor
    from search.ingest.readers import read_paths, read_stream
    from search.ingest.readers.decode import Throttle

    skipped: list = []

    def show(problem) -> None:
        if problem.skipped:
            skipped.append(problem)
            click.echo(f"ignoré : {problem}", err=True)
        else:
            click.echo(f"avertissement : {problem}", err=True)

    report = Throttle(show)  # the first few problems of each file, then a count

    if str(path) == "-":
        data = click.get_binary_stream("stdin").read()
        articles = read_stream(data, "<stdin>", report, fmt)
    elif not path.exists():
        fail(f"chemin introuvable : {path}", EXIT_USAGE)
    else:
        articles = read_paths([path], report, follow_links=follow_links)
    gen = storage.current_generation(index_dir) if index_dir.is_dir() else None
    table = PersonTable.open_existing(gen)
    # With an index, its own name counts join the shipped ones in the type vote.
    with Extractor(archive=table) as extractor:
        for article, facets in extractor.iter_extract(articles):
            found = facets.to_dict()
            date = article.date or facets.date
            day = date.toordinal() if date else 0
            for person in found["persons"]:
                # The article's own name stays ``name`` (what gold/score.py reads).
                canonical, why = (
                    table.canonical(person["name"], day) if table else (person["name"], "")
                )
                person["canonical"] = canonical
                person["why"] = why or None
            record = {
                "id": article.id,
                "path": article.path,
                "title": article.title,
                "section": article.section or None,
                "date": found["date"],
                "date_source": found["date_source"] or None,
                "countries": found["countries"],
                "persons": found["persons"],
            }
            if as_json:
                click.echo(json.dumps(record, ensure_ascii=False))
            else:
                _print_extraction(record)
    for line in report.summaries():
        click.echo(line, err=True)
    if table is not None:
        table.close()
    sys.exit(EXIT_SKIPPED if skipped else EXIT_OK)


_DATE_SOURCES = {
    "metadata": "métadonnées",
    "text": "texte",
    "filename": "nom du fichier",
}


def _print_extraction(record: dict) -> None:
    click.echo(f"{record['id']} ({record['path']})")
    click.echo(f"  titre : {record['title']}")
    click.echo(f"  rubrique : {record['section'] or '—'}")
    if record["date"]:
        source = _DATE_SOURCES.get(record["date_source"], record["date_source"])
        click.echo(f"  date : {record['date']} ({source})")
    else:
        click.echo("  date : inconnue")
    countries = ", ".join(
        f"{c['code']} {c['label']} ({c['mentions']})" for c in record["countries"]
    )
    persons = ", ".join(f"{p['name']} ({p['mentions']})" for p in record["persons"])
    click.echo(f"  pays : {countries or '—'}")
    click.echo(f"  personnes : {persons or '—'}")
    for p in record["persons"]:
        if p.get("why"):
            click.echo(f"    {p['name']} → {p['canonical']} ({p['why']})")
    click.echo()


def _date_option(name: str, end: bool):
    def convert(ctx, param, value):
        try:
            return parse_date_bound(value, end=end, name=name)
        except RequestError as exc:
            raise click.BadParameter(str(exc)) from None

    return convert


def _facet_options(command):
    """One repeatable option per facet of the registry (``--rubrique``, ``--pays``…)."""
    for facet in reversed(FACETS):
        command = click.option(facet.option, facet.attr, multiple=True, help=facet.help)(command)
    return command


@main.command()
@click.argument("text", nargs=-1)
@index_option
@_facet_options
@click.option("--depuis", callback=_date_option("--depuis", False), help="Date de début.")
@click.option("--jusqu-au", "jusqu_au", callback=_date_option("--jusqu-au", True), help="Fin.")
@click.option(
    "--tri",
    type=click.Choice(["pertinence", "date", "ancien"]),
    default="pertinence",
    show_default=True,
)
@click.option("--page", type=click.IntRange(1, 1000), default=1, show_default=True)
@click.option("--par-page", "per_page", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Le document JSON de l'API /api/search.")
@click.option(
    "--explain", is_flag=True, help="Le détail du score de chaque résultat (champ, terme, tf, idf)."
)
def query(  # noqa: PLR0913 - one parameter per option
    text, index_dir, depuis, jusqu_au, tri, page, per_page, as_json, explain, **facets
):
    """Cherche TEXT : mots (tous requis), "expression exacte", -exclu, OU,
    pays:RU, personne:"Anthony Blinken", rubrique:monde, source:AFP, date:2020-03."""
    try:
        request = SearchRequest(
            q=" ".join(text),
            **{attr: list(values) for attr, values in facets.items()},
            date_from=depuis,
            date_to=jusqu_au,
            sort=tri,
            page=page,
            per_page=per_page,
            explain=explain,
        )
        response = SearchEngine(index_dir).search(request)
    except (QueryError, RequestError) as exc:
        fail(str(exc), EXIT_USAGE)
    except (storage.IndexProblem, SearchTimeout) as exc:
        fail(str(exc))
    if as_json:
        document = response.to_dict()
        click.echo(json.dumps(document, ensure_ascii=False, indent=2, allow_nan=False))
        return
    _print_response(response, color=sys.stdout.isatty())


def _base_url(given: str | None, host: str, port: int) -> str | None:
    """The public address for absolute links, never taken from a request's Host header."""
    if given:
        parts = urlsplit(given.strip())
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.query:
            fail(f"--base-url invalide : {given} (attendu : http(s)://hôte[:port][/chemin])", 2)
        return given.strip().rstrip("/")
    if host in ("0.0.0.0", "::", ""):
        return None  # every address: none is the public one; links stay relative
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def _plain(snippet_html: str, color: bool) -> str:
    """A snippet for the terminal: entities decoded, matches in bold (or **word** in a pipe)."""
    parts: list[str] = []
    pos = 0
    for m in _MARK.finditer(snippet_html):
        parts.append(html.unescape(snippet_html[pos : m.start()]))
        word = html.unescape(m.group(1))
        parts.append(click.style(word, bold=True, fg="yellow") if color else f"**{word}**")
        pos = m.end()
    parts.append(html.unescape(snippet_html[pos:]))
    return "".join(parts)


def _print_response(response, color: bool) -> None:
    pages = max(1, -(-response.total // response.per_page))
    about = f" pour « {response.query} »" if response.query else ""
    click.echo(
        f"{response.total} résultat{'s' if response.total != 1 else ''}{about} "
        f"({response.took_ms:.0f} ms) — page {response.page}/{pages}"
    )
    if response.notice:
        click.echo(response.notice)
    if response.did_you_mean:
        click.echo(f"Vouliez-vous dire : {response.did_you_mean} ?")
    if response.corrected:
        click.echo(f"Résultats pour « {response.corrected} » (aucun pour « {response.query} »).")
    if response.dropped:
        left_out = ", ".join(response.dropped)
        click.echo(f"Aucun article n'a tous les mots ; absents de certains : {left_out}")
    first = (response.page - 1) * response.per_page
    for n, r in enumerate(response.results, first + 1):
        click.echo()
        title = click.style(r["title"], bold=True) if color else r["title"]
        click.echo(f"{n:>3}. {title}")
        meta = [r["date"] or "date inconnue", r["section"], r["source"]]
        click.echo("     " + " · ".join(m for m in meta if m))
        if r["countries"] or r["persons"]:
            who = [c["label"] for c in r["countries"]] + [p["label"] for p in r["persons"]]
            click.echo("     " + ", ".join(who))
        if r["snippet"]:
            click.echo("     " + _plain(r["snippet"], color))
        for part in r.get("explain") or []:
            click.echo(
                f"     {part['score']:>9.4f}  {part['field'] or '(whoosh)'}:{part['term']}"
                + (f"  tf={part['tf']:g} idf={part['idf']:.3f} boost={part['boost']:g}"
                   if part["tf"] is not None else "")
            )
        click.echo(f"     id : {r['id']}")
    facets = response.facets
    lines = []
    for name, title in [*((f.name, f.title) for f in FACETS), ("year", "Années")]:
        items = facets.get(name) or []
        if name != "year":
            items = items[:8]
        if items:
            lines.append(f"{title} : " + " · ".join(f"{i['label']} ({i['count']})" for i in items))
    if lines:
        click.echo()
        for line in lines:
            click.echo(line)


@main.command()
@index_option
@click.option("--json", "as_json", is_flag=True)
@click.option(
    "--personne",
    help="Fiche d'une personne : articles et mentions par mois, alias, "
    "personnes et pays cités avec elle, rubriques, derniers articles.",
)
@click.option("--pays", help="Fiche d'un pays (code ISO ou nom), comme --personne.")
def stats(index_dir: Path, as_json: bool, personne: str | None, pays: str | None) -> None:
    """Nombre d'articles, période couverte et valeurs les plus fréquentes ; ou la fiche
    d'une personne (--personne) ou d'un pays (--pays)."""
    if personne or pays:
        _entity_stats(index_dir, as_json, personne, pays)
        return
    try:
        data = SearchEngine(index_dir).stats()
    except storage.IndexProblem as exc:
        fail(str(exc))
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    click.echo(f"Index : {data['index']} ({data['generation']}, {data['size_bytes'] / 1e6:.1f} Mo)")
    click.echo(f"Articles : {data['articles']} (dont {data['undated']} sans date)")
    if data["date_min"]:
        click.echo(f"Période : du {data['date_min']} au {data['date_max']}")
    for name, title in (("sections", "Rubriques"), ("countries", "Pays"), ("persons", "Personnes")):
        if data[name]:
            click.echo(
                f"{title} : " + " · ".join(f"{i['label']} ({i['count']})" for i in data[name])
            )
    if data["years"]:
        click.echo("Années : " + " · ".join(f"{y['value']} ({y['count']})" for y in data["years"]))
    mem, mib = data["memory"], 1024 * 1024
    click.echo("Mémoire d'un processus de recherche :")
    click.echo(f"  table des facettes : {mem['facet_table_bytes'] / mib:.1f} Mio")
    click.echo(
        f"  lexique : {mem['lexicon_words']} mots, {mem['lexicon_bytes'] / mib:.1f} Mio "
        "une fois chargé en entier"
    )
    budget = mem["lexicon_budget_bytes"]
    click.echo(
        f"  lexique chargé : {mem['lexicon_kept_words']} mots, "
        f"{mem['lexicon_kept_bytes'] / mib:.1f} Mio, "
        + (f"plafond de {budget / mib:.4g} Mio" if budget else "sans plafond")
        + " (LOUPE_LEXICON_MB ; au-delà, les mots les plus fréquents)"
    )
    click.echo(
        f"  cache des postings : {mem['postings_cached_bytes'] / mib:.1f} Mio sur un budget "
        f"de {mem['postings_budget_bytes'] / mib:.0f} Mio (LOUPE_POSTINGS_MB)"
    )
    click.echo(
        f"Postings en accès direct (fichiers .lpm) : {mem['postings_sidecar_bytes'] / mib:.1f} Mio"
    )


def _entity_stats(index_dir: Path, as_json: bool, personne: str | None, pays: str | None) -> None:
    from search.find import entitypage

    if personne and pays:
        fail("--personne ou --pays, pas les deux.", EXIT_USAGE)
    try:
        engine = SearchEngine(index_dir)
        page = entitypage.person(engine, personne) if personne else entitypage.country(engine, pays)
    except storage.IndexNotFound as exc:
        fail(str(exc))
    if as_json:
        click.echo(json.dumps(page, ensure_ascii=False, indent=2))
        return
    if page is None:
        click.echo(f"Aucun article ne cite « {personne or pays} ».")
        return
    title = page["name"] if page["type"] == "person" else f"{page['name']} ({page['code']})"
    click.echo(title)
    if page.get("resolved_from"):
        click.echo(f"  ({personne} → {page['name']} : {page['resolved_from']})")
    if page.get("given_name_only"):
        click.echo(f"  {entitypage.GIVEN_NAME_ONLY_NOTE}")
    mentions = f", {page['mentions']} mentions" if page["mentions"] is not None else ""
    click.echo(f"Articles : {page['articles']}{mentions}")
    if page["aliases"]:
        click.echo(
            "Alias : " + " · ".join(f"{a['name']} ({a['articles']})" for a in page["aliases"])
        )
    if page["years"]:
        click.echo(
            "Années : " + " · ".join(f"{y['year']} ({y['articles']})" for y in page["years"])
        )
    for key, label, title_ in (
        ("persons", "name", "Personnes citées avec"),
        ("countries", "label", "Pays cités avec"),
        ("sections", "name", "Rubriques"),
    ):
        if page[key]:
            click.echo(
                f"{title_} : " + " · ".join(f"{i[label]} ({i['articles']})" for i in page[key])
            )
    if page["latest"]:
        click.echo("Derniers articles :")
        for r in page["latest"]:
            click.echo(f"  {r['date'] or 'sans date'}  {r['title']}  [{r['id']}]")


@main.command()
@index_option
def check(index_dir: Path) -> None:
    """Vérifie la génération en service : CURRENT, la taille et la somme de contrôle de
    chaque fichier, chaque segment relu en entier (documents, termes, occurrences), autant
    d'articles que le manifeste en compte. Code 0 si elle est intacte, 3 sinon."""
    try:
        gen = storage.require_generation(index_dir)
    except storage.IndexProblem as exc:
        fail(str(exc))
    problems = storage.verify_generation(gen, storage.FULL)
    if problems:
        for problem in problems:
            click.echo(f"problème : {problem}", err=True)
        fail(str(storage.IndexDamaged(index_dir, problems[0])))
    from search.index.manifest import article_count

    files = len(storage.read_checksums(gen))
    checked = f"{files} fichiers et leurs sommes de contrôle" if files else "ses fichiers"
    click.echo(
        f"{gen.name} intacte : {article_count(gen)} articles, {checked} relus "
        f"({storage.dir_size(gen) / 1e6:.1f} Mo)."
    )


# Request threads per serving process. One: a process runs one search at a time anyway
# (the GIL), and its threads time-slicing several searches cost CPU (16 clients replaying
# faceted searches at a million articles: 17.8 CPU ms a request with 1 thread against
# 24.2 with 4, p50 191 against 396 ms; docs/performance.md, issue 11). Processes, one per
# core, are what serve searches side by side.
DEFAULT_THREADS = 1


@main.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option(
    "--threads",
    default=DEFAULT_THREADS,
    show_default=True,
    type=click.IntRange(1, 64),
    help="fils par processus",
)
@click.option(
    "--processes",
    type=click.IntRange(1, 64),
    default=None,
    help="processus serveurs (défaut : un par cœur, 4 au plus)",
)
# webui.serving.DEFAULT_MAX_PASSED, repeated: imports go from webui to search, not back
@click.option(
    "--max-passed",
    "max_passed",
    type=click.IntRange(0, 10_000),
    default=12,
    show_default=True,
    help="requêtes moins coûteuses, arrivées après elle, qu'un processus peut servir avant "
    "une requête en attente (0 : dans l'ordre d'arrivée)",
)
@click.option(
    "--base-url",
    "base_url",
    default=None,
    help="adresse publique des liens du flux Atom et d'OpenSearch, p. ex. "
    "https://loupe.example.org (défaut : http://HOST:PORT, ou des liens relatifs si HOST "
    "est 0.0.0.0 ou ::)",
)
def serve(
    index_dir: Path,
    host: str,
    port: int,
    threads: int,
    processes: int | None,
    max_passed: int,
    base_url: str | None,
) -> None:
    """Sert l'interface web et l'API JSON (waitress)."""
    from search.find.budget import MAX_COST
    from webui import create_app
    from webui.serving import default_processes, search_cost
    from webui.serving import serve as serve_app

    if storage.current_generation(index_dir) is None:
        fail(f"Aucun index dans {index_dir} : lancez d'abord « loupe reindex DOSSIER ».")
    base_url = _base_url(base_url, host, port)
    app = create_app({"INDEX_DIR": str(index_dir), "BASE_URL": base_url})
    click.echo(f"Loupe sert {index_dir} sur http://{host}:{port}/ (Ctrl-C pour arrêter)")
    engine = app.extensions["loupe"]
    serve_app(
        app,
        host,
        port,
        threads,
        processes or default_processes(),
        warm=lambda: engine.warm(threads),
        # waiting requests cheapest first by their search's estimated work; an export
        # (every match) as the costliest search; a person's or a country's page as a
        # common one (about a median search at a million articles)
        cost=search_cost(engine.estimated_cost, heavy=MAX_COST, unknown=MAX_COST / 20),
        max_passed=max_passed,
    )
