"""JSON Lines / JSON records (OrangeSum layout) to Articles.

Accepted: `.jsonl` and `.jsonl.gz` (one object per line) and `.json` (one object, a list of
objects, or JSON Lines). Field names follow the OrangeSum corpus, with common aliases:

    id                 else make_id(relpath, "L<line>")
    title
    summary | lead
    body | text | content      (a list of paragraphs is joined with blank lines)
    caption
    date (YYYY-MM-DD) | published (ISO datetime: its own calendar date, no timezone shift;
                       the datetime itself, with its UTC offset, is kept as `published`)
    section_label | section    (the label as shown on the site, else the URL segment)
    source_url | url
    source
    tags                       (list of strings; one string is split on commas)
    countries, persons         (lists of strings, passed through)

Records flagged as duplicates (a "duplicate_of" key, or "orangesum_duplicate": true) are not
articles and not problems either: they are silently dropped and counted in
`stats["duplicates"]` when the caller passes a `stats` dict (read_file/read_paths/read_stream
accept `stats=`), so the CLI can say "33 922 articles, 2 299 doublons ignorés".

Never raises on bad input: a broken line, a non-object, a record with neither title nor body
is reported (skipped) with its line number and reading goes on; odd field types are coerced
or reported as warnings.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from search.ingest.articles import Article, clean_id, make_id, nfc, plausible_date, shown
from search.ingest.readers.decode import Problem, Report

Warn = Callable[[str], None]

_SPACES = re.compile(r"[ \t\n\r\f\v]+")
_JSON_WS = re.compile(r"[ \t\n\r]*")
# The date part must be a whole date, optionally followed by a time: "2020-07-02",
# "2020-07-02T19:09:00+02:00", "2020-07-02 19:09". Parsed by hand so that Python 3.10's strict
# fromisoformat (no "Z") does not matter.
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\S.*)?")

TITLE_KEYS = ("title",)
SUMMARY_KEYS = ("summary", "lead")
BODY_KEYS = ("body", "text", "content")


def _is_duplicate(rec: dict[str, Any]) -> bool:
    return "duplicate_of" in rec or rec.get("orangesum_duplicate") in (True, "true")


def _count(stats: dict | None, key: str) -> None:
    if stats is not None:
        stats[key] = stats.get(key, 0) + 1


def _as_text(value: Any, key: str, warn: Warn) -> str:
    """Coerce a field to text: numbers become strings, a list of paragraphs is joined."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        warn(f"champ {key!r} ignoré : booléen au lieu de texte")
        return ""
    elif isinstance(value, (int, float)):
        text = str(value)
    elif isinstance(value, list) and all(
        isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value
    ):
        text = "\n\n".join(str(v).strip() for v in value if str(v).strip())
    else:
        warn(f"champ {key!r} ignoré : {type(value).__name__} au lieu de texte")
        return ""
    return nfc(text.replace("\r\n", "\n").replace("\r", "\n").strip())


def _one_line(text: str) -> str:
    """Titles, sections, captions are single lines: stray newlines/tabs become one space."""
    return _SPACES.sub(" ", text).strip()


def _first_text(rec: dict[str, Any], keys: tuple[str, ...], warn: Warn) -> str:
    """The first of `keys` holding non-empty text ("summary": null falls back to "lead")."""
    for key in keys:
        if key in rec:
            text = _as_text(rec[key], key, warn)
            if text:
                return text
    return ""


def _str_list(rec: dict[str, Any], key: str, warn: Warn) -> list[str]:
    value = rec.get(key)
    if value is None:
        return []
    if isinstance(value, str):
        items: list[Any] = value.split(",")
    elif isinstance(value, (list, tuple)):
        items = list(value)
    else:
        warn(f"champ {key!r} ignoré : {type(value).__name__} au lieu d'une liste")
        return []
    out: list[str] = []
    for item in items:
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            warn(f"valeur ignorée dans {key!r} : {type(item).__name__}")
            continue
        text = _one_line(nfc(str(item)))
        if text and text not in out:
            out.append(text)
    return out


def parse_date(value: Any) -> dt.date:
    """A calendar date from "YYYY-MM-DD" or an ISO datetime; ValueError when not valid."""
    if not isinstance(value, str):
        raise ValueError(f"type {type(value).__name__}")
    match = _ISO_DATE.fullmatch(value.strip())
    if not match:
        raise ValueError("format attendu AAAA-MM-JJ")
    year, month, day = (int(g) for g in match.groups())
    date = dt.date(year, month, day)
    if not plausible_date(date):
        raise ValueError("date hors de la période plausible")
    return date


def parse_published(value: str) -> tuple[dt.date | None, str]:
    """(calendar date as published, ISO datetime with its UTC offset or "" when no time is
    given), ValueError-free. The date is the source's own: 23:30-05:00 stays on its day."""
    value = value.strip()
    try:
        day = parse_date(value)
    except ValueError:
        return None, ""
    text = value.replace(" ", "T", 1)
    if text.endswith(("Z", "z")):  # Python 3.10's fromisoformat does not read "Z"
        text = text[:-1] + "+00:00"
    text = re.sub(r"([+-]\d{2})(\d{2})$", r"\1:\2", text)  # +0200 -> +02:00
    try:
        stamp = dt.datetime.fromisoformat(text)
    except ValueError:
        return day, ""
    if len(value) <= 10:  # a date alone: no time to keep
        return day, ""
    return day, stamp.isoformat()


def _record_date(rec: dict[str, Any], warn: Warn) -> dt.date | None:
    for key in ("date", "published"):
        value = rec.get(key)
        if value is None or value == "":
            continue
        try:
            return parse_date(value)
        except ValueError as err:
            warn(f"date invalide ignorée : {key}={value!r} ({err})")
    return None


def record_to_article(
    rec: dict[str, Any], *, relpath: str, line: int | None, where: str, report: Report
) -> Article | None:
    """Map one record to an Article, or report why it cannot be one and return None."""

    def warn(reason: str) -> None:
        report(Problem(where, reason, line, skipped=False))

    title = _one_line(_first_text(rec, TITLE_KEYS, warn))
    body = _first_text(rec, BODY_KEYS, warn)
    if not title and not body:
        report(Problem(where, "enregistrement sans titre ni corps (title/body) : ignoré", line))
        return None

    raw_id = rec.get("id")
    art_id = ""
    if isinstance(raw_id, (str, int)) and not isinstance(raw_id, bool):
        art_id = nfc(str(raw_id)).strip()
        cleaned = clean_id(art_id)
        if cleaned != art_id:  # "a\nb" was listed, then its page was a 404
            warn(f"identifiant {shown(art_id)} normalisé en « {cleaned} »")
            art_id = cleaned
    elif raw_id is not None:
        warn(f"champ 'id' ignoré : {type(raw_id).__name__}")
    if not art_id:
        art_id = make_id(relpath, f"L{line}" if line is not None else "")

    date = _record_date(rec, warn)
    published = ""
    if isinstance(rec.get("published"), str):
        stamp_day, published = parse_published(rec["published"])
        if stamp_day != date:  # a time of another day than "date" says would mislead
            published = ""
    section = _one_line(_first_text(rec, ("section_label", "section"), warn))
    if section.islower():  # a URL segment ("societe") shown as a facet label
        section = section[:1].upper() + section[1:]
    return Article(
        id=art_id,
        title=title,
        body=body,
        summary=_first_text(rec, SUMMARY_KEYS, warn),
        caption=_one_line(_first_text(rec, ("caption",), warn)),
        section=section,
        date=date,
        date_source="metadata" if date else "",
        published=published,
        url=_one_line(_first_text(rec, ("source_url", "url"), warn)),
        source=_one_line(_first_text(rec, ("source",), warn)),
        path=relpath,
        tags=_str_list(rec, "tags", warn),
        countries=_str_list(rec, "countries", warn),
        persons=_str_list(rec, "persons", warn),
        line=line,
    )


def _json_error(err: json.JSONDecodeError) -> str:
    return f"JSON invalide : {err.msg} (colonne {err.colno})"


# JSON may escape half of a surrogate pair alone ("\ud800"): Python decodes it to a lone
# surrogate, which no UTF-8 text can hold (hashing, storing or printing it raises).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abAB]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _repair(value: Any) -> tuple[Any, int]:
    """``value`` with every lone surrogate (keys and nested values included) replaced by
    U+FFFD, and how many there were."""
    if isinstance(value, str):
        return _LONE_SURROGATE.subn("\ufffd", value)
    if isinstance(value, list):
        fixed = [_repair(v) for v in value]
        return [v for v, _n in fixed], sum(n for _v, n in fixed)
    if isinstance(value, dict):
        out, count = {}, 0
        for key, item in value.items():
            new_key, n = _repair(key)
            out[new_key], m = _repair(item)
            count += n + m
        return out, count
    return value, 0


def _from_record(
    rec: Any,
    *,
    relpath: str,
    line: int | None,
    where: str,
    report: Report,
    stats: dict | None,
    escapes: bool = True,
) -> Article | None:
    """``escapes``: the record's JSON text may hold surrogate escapes (else no need to look)."""
    if escapes:
        rec, count = _repair(rec)
        if count:
            report(
                Problem(
                    where,
                    f"{count} demi-paire(s) de substitution (\\ud800…) remplacée(s) par �",
                    line,
                    skipped=False,
                )
            )
    if not isinstance(rec, dict):
        kind = "une liste" if isinstance(rec, list) else type(rec).__name__
        report(Problem(where, f"pas un objet JSON ({kind}) : ignoré", line))
        return None
    if _is_duplicate(rec):
        _count(stats, "duplicates")
        return None
    try:
        return record_to_article(rec, relpath=relpath, line=line, where=where, report=report)
    except Exception as err:  # one odd record must not stop the file
        report(Problem(where, f"enregistrement illisible : {type(err).__name__}: {err}", line))
        return None


# A record larger than this is not a news article (see readers.MAX_ARTICLE_BYTES).
MAX_RECORD_CHARS = 5_000_000


def parse_jsonl(
    text: str, *, relpath: str, where: str, report: Report, stats: dict | None = None
) -> Iterator[Article]:
    """One object per line; blank lines are fine.

    Split on "\\n" only: str.splitlines() would also cut at U+2028/U+0085, which JSON
    strings may contain raw.
    """
    yield from parse_jsonl_lines(
        enumerate(text.split("\n"), start=1),
        relpath=relpath,
        where=where,
        report=report,
        stats=stats,
    )


def _too_big(size: int | None) -> str:
    said = f"{size} caractères" if size is not None else f"plus de {MAX_RECORD_CHARS} octets"
    return f"enregistrement trop volumineux ({said}, {MAX_RECORD_CHARS // 1_000_000} Mo au plus)"


def parse_jsonl_lines(
    lines: Iterable[tuple[int, str | None]],
    *,
    relpath: str,
    where: str,
    report: Report,
    stats: dict | None = None,
) -> Iterator[Article]:
    """Records from (line number, text) pairs; None stands for a line too long to keep."""
    for number, line in lines:
        if line is None:
            report(Problem(where, _too_big(None), number))
            continue
        if not line.strip():
            continue
        if len(line) > MAX_RECORD_CHARS:
            report(Problem(where, _too_big(len(line)), number))
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as err:
            report(Problem(where, _json_error(err), number))
            continue
        except RecursionError:
            report(Problem(where, "JSON trop imbriqué", number))
            continue
        article = _from_record(
            rec,
            relpath=relpath,
            line=number,
            where=where,
            report=report,
            stats=stats,
            escapes="\\u" in line and _SURROGATE_ESCAPE.search(line) is not None,
        )
        if article is not None:
            yield article


def _iter_array(text: str, start: int) -> Iterator[tuple[int, int, Any]]:
    """Elements of the top-level array at `start` with their start and end offsets, so
    that each gets a line number and a size, and the elements before a syntax error are
    still read."""
    decoder = json.JSONDecoder()
    pos = _JSON_WS.match(text, start + 1).end()
    if text.startswith("]", pos):
        end = pos + 1
    else:
        while True:
            obj, end = decoder.raw_decode(text, pos)
            yield pos, end, obj
            pos = _JSON_WS.match(text, end).end()
            if text.startswith(",", pos):
                pos = _JSON_WS.match(text, pos + 1).end()
                continue
            if text.startswith("]", pos):
                end = pos + 1
                break
            raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)
    tail = _JSON_WS.match(text, end).end()
    if tail != len(text):
        raise json.JSONDecodeError("Extra data", text, tail)


def parse_json(
    text: str, *, relpath: str, where: str, report: Report, stats: dict | None = None
) -> Iterator[Article]:
    """A `.json` file: one object, a list of objects, or (despite the name) JSON Lines."""
    start = len(text) - len(text.lstrip())
    first = text[start : start + 1]

    def line_of(offset: int) -> int:
        return text.count("\n", 0, offset) + 1

    escapes = _SURROGATE_ESCAPE.search(text) is not None
    if first == "[":
        line, last = 1, 0
        try:
            for offset, end, rec in _iter_array(text, start):
                line += text.count("\n", last, offset)
                last = offset
                if end - offset > MAX_RECORD_CHARS:  # the limit every format obeys
                    report(Problem(where, _too_big(end - offset), line))
                    continue
                article = _from_record(
                    rec,
                    relpath=relpath,
                    line=line,
                    where=where,
                    report=report,
                    stats=stats,
                    escapes=escapes,
                )
                if article is not None:
                    yield article
        except json.JSONDecodeError as err:
            report(Problem(where, f"{_json_error(err)} : suite du fichier ignorée", err.lineno))
        except RecursionError:
            report(Problem(where, "JSON trop imbriqué : suite du fichier ignorée"))
        return

    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        first_line = text[start:].split("\n", 1)[0].strip()
        if err.msg == "Extra data" or (first_line.startswith("{") and first_line.endswith("}")):
            yield from parse_jsonl(text, relpath=relpath, where=where, report=report, stats=stats)
        else:
            report(Problem(where, _json_error(err), err.lineno))
        return
    except RecursionError:
        report(Problem(where, "JSON trop imbriqué"))
        return
    if len(text) - start > MAX_RECORD_CHARS:
        report(Problem(where, _too_big(len(text) - start), line_of(start)))
        return
    article = _from_record(
        doc,
        relpath=relpath,
        line=line_of(start),
        where=where,
        report=report,
        stats=stats,
        escapes=escapes,
    )
    if article is not None:
        yield article
