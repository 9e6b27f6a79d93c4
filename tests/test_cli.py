"""The `loupe` command through click's CliRunner, as scripts and users call it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import EXIT_ERROR, EXIT_SKIPPED, EXIT_USAGE, main
from tests.conftest import ROOT, SAMPLES, parent_pid, write_jsonl


@pytest.fixture()
def runner() -> CliRunner:
    return CliRunner()


def test_reindex_samples_then_query_json(runner: CliRunner, tmp_path: Path) -> None:
    index = tmp_path / "index"
    result = runner.invoke(main, ["reindex", str(SAMPLES), "--index", str(index)])
    assert result.exit_code == 0, result.output
    assert "321 articles dans l'index" in result.output
    assert "321 indexés" in result.output

    again = runner.invoke(main, ["reindex", "--index", str(index)])
    assert again.exit_code == 0
    assert "0 indexés, 321 inchangés" in again.output

    result = runner.invoke(
        main, ["query", "réforme des retraites", "--json", "--index", str(index)]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert set(doc) == {
        "query",
        "total",
        "page",
        "per_page",
        "took_ms",
        "results",
        "facets",
        "did_you_mean",
        "corrected",
        "dropped",
        "cached",
        "notice",
    }
    assert doc["query"] == "réforme des retraites" and doc["total"] > 5
    first = doc["results"][0]
    assert set(first) >= {
        "id",
        "title",
        "date",
        "section",
        "url",
        "snippet",
        "score",
        "countries",
        "persons",
    }
    assert "<mark>" in first["snippet"]
    assert set(doc["facets"]) == {"country", "person", "month", "year", "day", "section", "source"}
    assert all(set(f) == {"value", "label", "count", "selected"} for f in doc["facets"]["section"])


def test_query_text_output_and_filters(runner: CliRunner, samples_index: Path) -> None:
    args = ["--index", str(samples_index)]
    result = runner.invoke(main, ["query", "Blinken", *args])
    assert result.exit_code == 0, result.output
    assert "Moscou rejette les critiques américaines" in result.output
    assert "**Blinken**" in result.output
    assert "Rubriques : Conflit (1)" in result.output

    result = runner.invoke(
        main,
        [
            "query",
            "gouvernement",
            "--rubrique",
            "Politique",
            "--depuis",
            "2019",
            "--jusqu-au",
            "2019-12",
            "--tri",
            "date",
            "--json",
            *args,
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["total"] > 0
    assert all(r["section"] == "Politique" for r in doc["results"])
    assert all(r["date"].startswith("2019") for r in doc["results"])
    dates = [r["date"] for r in doc["results"]]
    assert dates == sorted(dates, reverse=True)

    page2 = json.loads(
        runner.invoke(main, ["query", "gouvernement", "--page", "2", "--json", *args]).output
    )
    assert page2["page"] == 2


def test_query_takes_every_facet_option(runner: CliRunner, samples_index: Path) -> None:
    """The facet options come from the facet registry: ``--source`` as ``--pays``, and the
    text summary lists the sources too."""
    index = ["query", "--index", str(samples_index), "*"]
    top = json.loads(runner.invoke(main, [*index, "--json"]).output)["facets"]["source"][0]
    narrowed = json.loads(runner.invoke(main, [*index, "--source", top["value"], "--json"]).output)
    assert narrowed["total"] == top["count"] > 0
    assert {r["source"] for r in narrowed["results"]} == {top["value"]}
    text = runner.invoke(main, index).output
    assert f"Sources : {top['label']} ({top['count']})" in text


def test_query_usage_errors(runner: CliRunner, samples_index: Path) -> None:
    args = ["--index", str(samples_index)]
    bad_date = runner.invoke(main, ["query", "x", "--depuis", "31/02/2021", *args])
    assert bad_date.exit_code == EXIT_USAGE
    assert "31/02/2021" in bad_date.output
    bad_sort = runner.invoke(main, ["query", "x", "--tri", "hasard", *args])
    assert bad_sort.exit_code == EXIT_USAGE
    too_long = runner.invoke(main, ["query", "mot " * 400, *args])
    assert too_long.exit_code == EXIT_USAGE
    assert "trop longue" in too_long.output


def test_no_index_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["query", "x", "--index", str(tmp_path / "none")])
    assert result.exit_code == EXIT_ERROR
    assert "loupe reindex" in result.output
    result = runner.invoke(main, ["stats", "--index", str(tmp_path / "none")])
    assert result.exit_code == EXIT_ERROR


def test_reindex_reports_skipped_input_with_file_and_line(
    runner: CliRunner, tmp_path: Path
) -> None:
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "good.jsonl", [{"id": "g", "title": "Tempête", "body": "À Brest."}])
    (corpus / "broken.jsonl").write_text(
        '{"id": "b1", "title": "Bon", "body": "Un article lisible."}\n{"id": "b2", "title": \n',
        encoding="utf-8",
    )
    (corpus / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    index = tmp_path / "index"
    result = runner.invoke(main, ["reindex", str(corpus), "--index", str(index)])
    assert result.exit_code == EXIT_SKIPPED, result.output
    assert "broken.jsonl:2:" in result.output
    assert "image.txt" in result.output
    assert "2 articles dans l'index" in result.output
    found = runner.invoke(main, ["query", "lisible", "--json", "--index", str(index)])
    assert json.loads(found.output)["total"] == 1


def test_reindex_missing_path_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(
        main, ["reindex", str(tmp_path / "absent"), "--index", str(tmp_path / "i")]
    )
    assert result.exit_code == EXIT_USAGE
    assert "absent" in result.output


def test_stats(runner: CliRunner, samples_index: Path) -> None:
    result = runner.invoke(main, ["stats", "--index", str(samples_index)])
    assert result.exit_code == 0, result.output
    assert "Articles : 321 (dont 1 sans date)" in result.output
    assert "Période : du 2016-" in result.output
    data = json.loads(
        runner.invoke(main, ["stats", "--json", "--index", str(samples_index)]).output
    )
    assert data["articles"] == 321


def test_python_dash_m_search(samples_index: Path) -> None:
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "search",
            "query",
            "Kazakhstan",
            "--json",
            "--index",
            str(samples_index),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert json.loads(out.stdout)["total"] >= 1


def test_query_suggests_a_respelling(runner: CliRunner, samples_index: Path) -> None:
    args = ["--index", str(samples_index)]
    result = runner.invoke(main, ["query", "retrraites", *args])
    assert result.exit_code == 0, result.output
    assert "Résultats pour « retraites » (aucun pour « retrraites »)." in result.output
    as_json = runner.invoke(main, ["query", "retrraites", "--json", *args])
    assert json.loads(as_json.output)["corrected"] == "retraites"


def test_serve_on_two_processes_answers_and_stops(samples_index: Path) -> None:
    """``loupe serve --processes 2``: both processes answer; SIGTERM stops them all."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "search", "serve", "--index", str(samples_index),
         "--port", str(port), "--processes", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        statuses = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and len(statuses) < 20:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                conn.request("GET", "/api/search?q=police")
                statuses.append(conn.getresponse().status)
                conn.close()
            except OSError:
                time.sleep(0.2)
        assert statuses and set(statuses) == {200}
        children = [
            int(p) for p in os.listdir("/proc") if p.isdigit()
            and parent_pid(int(p)) == proc.pid
        ] if os.path.isdir("/proc") else []
        assert children or not os.path.isdir("/proc")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(10)
    time.sleep(1.5)
    for child in children:
        assert not os.path.exists(f"/proc/{child}") or parent_pid(child) != proc.pid


def test_watch_publishes_new_articles_and_stops_on_sigterm(tmp_path: Path) -> None:
    """``loupe watch DIR --interval 0.5``: an article dropped into the folder becomes
    searchable without anything else being run; SIGTERM stops it with code 0, the index
    whole and no build left behind."""
    corpus = tmp_path / "feed"
    records = [json.loads(line) for line in
               (SAMPLES / "orangesum" / "orangesum-sample.jsonl").open(encoding="utf-8")]
    write_jsonl(corpus / "morning.jsonl", records[:5])
    index_dir = tmp_path / "index"
    proc = subprocess.Popen(
        [sys.executable, "-m", "search", "watch", str(corpus), "--index", str(index_dir),
         "--interval", "0.5", "--no-entities"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        from search.find.searcher import SearchEngine, SearchRequest

        def total() -> int:
            try:
                return SearchEngine(index_dir, cache_size=0).search(SearchRequest(q="")).total
            except Exception:  # noqa: BLE001 - no index yet
                return -1

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and total() != 5:
            time.sleep(0.2)
        assert total() == 5
        write_jsonl(corpus / "noon.jsonl", records[5:8])
        while time.monotonic() < deadline and total() != 8:
            time.sleep(0.2)
        assert total() == 8
    finally:
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Surveillance arrêtée" in out
    assert "8 articles dans l'index" in out
    assert not list(index_dir.glob("tmp-*"))
    # The lock went with it: a reindex runs at once.
    result = CliRunner().invoke(main, ["reindex", "--index", str(index_dir), "-q",
                                       "--no-entities"])
    assert result.exit_code == 0, result.output
