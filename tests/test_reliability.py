"""Nothing lost, nothing broken: messy folders, killed and concurrent reindexes, a full disk."""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import EXIT_ERROR, EXIT_SKIPPED, main
from search.find.searcher import SearchEngine, SearchRequest
from search.index import storage
from search.index.indexer import StrictAbort, reindex
from tests.conftest import ROOT, SAMPLES, write_jsonl

GOOD = {"id": "ok-1", "title": "Tempête sur la Bretagne", "body": "Les vents soufflent à Brest."}


def total(index_dir: Path, q: str = "") -> int:
    return SearchEngine(index_dir).search(SearchRequest(q=q)).total


@pytest.fixture()
def messy(tmp_path: Path) -> Path:
    """A corpus folder as found in the wild: every kind of bad file beside good ones."""
    root = tmp_path / "messy"
    write_jsonl(root / "good.jsonl", [GOOD])
    (root / "photo.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200))
    (root / "image.jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(100))
    (root / "archive.zip").write_bytes(b"PK\x03\x04" + bytes(100))
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.txt").write_text("  \n\t\n   ", encoding="utf-8")
    (root / "huge.txt").write_bytes(b"Un titre\n\n" + b"mot " * 13_000_000)  # 52 MB
    (root / "longline.txt").write_text(
        "Une ligne sans fin\n\n" + "interminable " * 100_000, encoding="utf-8"
    )
    (root / "nul.txt").write_bytes(
        b"Octets nuls\n\n" + b"x" * 9000 + b"\x00 texte apr\xc3\xa8s le nul"
    )
    (root / "cp1252.txt").write_bytes("Été à Besançon\n\nLa fête de l'été.".encode("cp1252"))
    (root / "bom-crlf.txt").write_bytes(
        "\ufeffGrève à Marseille\r\n\r\nLes dockers cessent le travail.\r\n".encode()
    )
    nfd = unicodedata.normalize("NFD", "Réforme à Besançon\n\nLe maire présente la réforme.")
    (root / "nfd.txt").write_text(nfd, encoding="utf-8")
    (root / "records.jsonl").write_text(
        "\n".join(
            [
                json.dumps({"id": "r1", "title": "Valide", "body": "Un article valide."}),
                '{"id": "r2", "title": ',  # malformed
                "[1, 2, 3]",  # not an object
                json.dumps({"id": "r3"}),  # neither title nor body
                json.dumps({"id": "r4", "title": 42, "body": "Titre numérique", "tags": "a, b"}),
                json.dumps(
                    {
                        "id": "r5",
                        "title": "Date",
                        "body": "Trente et un février.",
                        "date": "2021-02-31",
                    }
                ),
                json.dumps(
                    {"id": "r6", "title": "Futur", "body": "En l'an 3021.", "date": "3021-01-01"}
                ),
                json.dumps({"id": "r7", "title": "Passé", "body": "Zéro.", "date": "0001-01-01"}),
                json.dumps(
                    {
                        "id": "r8",
                        "title": "Année courte",
                        "body": "Deux chiffres.",
                        "date": "21-03-05",
                    }
                ),
                json.dumps(
                    {"id": "r9", "title": "Nombre", "body": "Date nombre.", "date": 20210305}
                ),
                json.dumps({"id": "r1", "title": "Doublon", "body": "Même identifiant."}),
                json.dumps(
                    {"id": "r10", "title": "Inconnu", "body": "Champ inconnu.", "couleur": "bleu"}
                ),
            ]
        ),
        encoding="utf-8",
    )
    return root


def test_messy_folder_is_indexed_and_every_problem_named(messy: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    result = CliRunner().invoke(main, ["reindex", str(messy), "--index", str(index)])
    assert result.exit_code == EXIT_SKIPPED, result.output
    out = result.output
    for expected in (
        "photo.txt: fichier binaire",
        "empty.txt: fichier vide",
        "blank.txt: fichier vide",
        "huge.txt: fichier trop volumineux",
        "records.jsonl:2: JSON invalide",
        "records.jsonl:3:",
        "records.jsonl:4:",
        "records.jsonl:6: date invalide",
        "records.jsonl:7: date invalide",
        "records.jsonl:8: date invalide",
        "records.jsonl:9: date invalide",
        "records.jsonl:10: date invalide",
        "records.jsonl:11: identifiant « r1 » déjà lu",
        "nul.txt:3: octets NUL retirés",
        "cp1252.txt",
        "image.jpg: type de fichier non pris en charge",
        "archive.zip: type de fichier non pris en charge",
    ):
        assert expected in out, expected
    assert "Traceback" not in out
    engine = SearchEngine(index)
    found = {
        q: engine.search(SearchRequest(q=q)).total
        for q in (
            "Brest",
            "interminable",
            "nul",
            "fête",
            "dockers",
            "valide",
            "numérique",
            "février",
            "inconnu",
        )
    }
    assert all(found.values()), found
    # cp1252 decoded, not mojibake; NFD and NFC search the same.
    assert engine.search(SearchRequest(q="Besançon")).total == 2
    assert engine.search(SearchRequest(q=unicodedata.normalize("NFD", "réforme"))).total == 1
    dates = {
        r["title"]: r["date"] for r in engine.search(SearchRequest(q="", per_page=100)).results
    }
    for title in ("Date", "Futur", "Passé", "Année courte", "Nombre"):
        assert dates[title] is None, title
    assert "Doublon" not in dates


def test_strict_publishes_nothing(messy: Path, tmp_path: Path) -> None:
    index = tmp_path / "index"
    write_jsonl(tmp_path / "clean" / "a.jsonl", [GOOD])
    reindex([tmp_path / "clean"], index)
    with pytest.raises(StrictAbort):
        reindex([messy], index, strict=True)
    assert total(index) == 1
    result = CliRunner().invoke(main, ["reindex", str(messy), "--strict", "--index", str(index)])
    assert result.exit_code == EXIT_SKIPPED
    assert "index inchangé" in result.output
    assert total(index) == 1


def _loupe(*args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "search", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def test_a_forked_worker_does_not_keep_the_reindex_lock(tmp_path: Path) -> None:
    ready, started = os.pipe()
    with storage.reindex_lock(tmp_path):
        child = os.fork()  # what the NER pool and the index writers do
        if child == 0:
            os.write(started, b"x")  # fork handlers have run
            time.sleep(5)
            os._exit(0)
        assert os.read(ready, 1) == b"x"
    try:
        # The reindex is over (or was killed) while its worker lives on: the next one runs.
        with storage.reindex_lock(tmp_path):
            pass
    finally:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)


@pytest.mark.parametrize("delay", [0.3, 0.8, 1.5, 2.5, "publish"])
def test_sigkill_leaves_the_served_index_whole(tmp_path: Path, delay) -> None:
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "first.jsonl", [GOOD])
    index = tmp_path / "index"
    reindex([corpus], index)
    before = storage.current_generation(index)
    # Add the samples so the next run has real work to be killed in.
    (corpus / "samples").symlink_to(SAMPLES, target_is_directory=True)
    proc = _loupe("reindex", str(corpus), "--follow-links", "--index", str(index))
    if delay == "publish":
        # Kill as late as possible: once the new generation's checksums (the last file
        # written before the swap) are there.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if any((p / storage.CHECKSUMS_FILE).exists() for p in index.glob("tmp-*")):
                break
            time.sleep(0.002)
    else:
        time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()

    gen = storage.current_generation(index)
    assert gen is not None
    engine = SearchEngine(index)
    n = engine.search(SearchRequest()).total
    brest = engine.search(SearchRequest(q="Brest")).total
    if gen == before:
        assert (n, brest) == (1, 1)
    else:  # the kill came after the atomic switch: the new index is whole
        assert (n, brest) == (322, 2)  # the samples have a Brest article too (orangesum-12256)

    # The next run recovers and removes what the dead one left.
    result = reindex([corpus], index, follow_links=True)
    assert result.total == 322
    assert not list(index.glob("tmp-*"))
    assert SearchEngine(index).search(SearchRequest()).total == 322


def test_searches_keep_answering_during_reindex_and_swap(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "a.jsonl", [GOOD])
    index = tmp_path / "index"
    reindex([corpus], index)
    engine = SearchEngine(index)
    errors: list[BaseException] = []
    totals: set[int] = set()
    stop = threading.Event()

    def searching() -> None:
        while not stop.is_set():
            try:
                totals.add(engine.search(SearchRequest(q="Brest OR gouvernement")).total)
                engine.search(SearchRequest(q="", sections=["Politique"]))
            except BaseException as exc:  # noqa: BLE001 - any error fails the test
                errors.append(exc)
                return

    threads = [threading.Thread(target=searching) for _ in range(3)]
    for t in threads:
        t.start()
    try:
        (corpus / "samples").symlink_to(SAMPLES, target_is_directory=True)
        reindex([corpus], index, follow_links=True)
        time.sleep(0.2)
        with_samples = SearchEngine(index).search(SearchRequest(q="Brest OR gouvernement")).total
        (corpus / "samples").unlink()
        reindex([corpus], index)
        time.sleep(0.2)
    finally:
        stop.set()
        for t in threads:
            t.join()
    assert not errors, errors
    # Every answer came from a whole generation: the old one or the new one, nothing between.
    assert totals <= {1, with_samples} and 1 in totals
    assert engine.search(SearchRequest(q="Brest OR gouvernement")).total == 1


def test_second_reindex_gets_a_message_not_a_traceback(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "c" / "a.jsonl", [GOOD]).parent
    index = tmp_path / "index"
    with storage.reindex_lock(index):
        result = CliRunner().invoke(main, ["reindex", str(corpus), "--index", str(index)])
    assert result.exit_code == EXIT_ERROR
    assert "en cours" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def _limit_file_size() -> None:
    """Child process only: writes past 2 MB fail with EFBIG, as on a full disk."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (2_000_000, 2_000_000))


def test_full_disk_keeps_the_old_index(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "a.jsonl", [GOOD])
    index = tmp_path / "index"
    reindex([corpus], index)
    (corpus / "samples").symlink_to(SAMPLES, target_is_directory=True)
    proc = _loupe(
        "reindex",
        str(corpus),
        "--full",
        "--follow-links",
        "--index",
        str(index),
        preexec_fn=_limit_file_size,
    )
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == EXIT_ERROR, (out, err)
    assert "Traceback" not in err
    assert "écriture" in err
    assert total(index) == 1
    assert not list(index.glob("tmp-*"))


def test_serve_binds_to_loopback_by_default() -> None:
    serve = main.commands["serve"]
    host = next(p for p in serve.params if p.name == "host")
    assert host.default == "127.0.0.1"


# -- issue 13: a damaged generation ----------------------------------------------------------


def _damage(index: Path, kind: str) -> None:
    gen = storage.require_generation(index)
    segment = max(gen.glob("*.seg"), key=lambda p: p.stat().st_size)
    if kind == "flipped":
        data = bytearray(segment.read_bytes())
        for i in range(len(data) // 3, len(data) // 3 + 2000, 97):
            data[i] ^= 0xFF
        segment.write_bytes(bytes(data))
    elif kind == "truncated":
        data = segment.read_bytes()
        segment.write_bytes(data[: len(data) // 2])
    elif kind == "toc":
        toc = next(gen.glob("*.toc"))
        data = bytearray(toc.read_bytes())
        data[len(data) // 2 : len(data) // 2 + 16] = b"x" * 16
        toc.write_bytes(bytes(data))
    elif kind == "garbage":
        (index / storage.CURRENT).write_bytes(b"\x00\xff gen-\n")
    elif kind == "escape":
        (index / "other").mkdir()
        (index / storage.CURRENT).write_text("../other\n")
    elif kind == "inside":
        (index / storage.CURRENT).write_text(f"{gen.name}/../../other\n")


@pytest.mark.parametrize("kind", ["flipped", "truncated", "toc", "garbage", "escape", "inside"])
def test_a_damaged_generation_says_to_rebuild(tmp_path: Path, kind: str) -> None:
    corpus = tmp_path / "corpus"
    write_jsonl(corpus / "a.jsonl", [GOOD, {**GOOD, "id": "ok-2", "title": "Grève à Brest"}])
    index = tmp_path / "index"
    reindex([corpus], index)
    assert CliRunner().invoke(main, ["check", "--index", str(index)]).exit_code == 0
    _damage(index, kind)

    from webui import create_app

    client = create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client()
    for url in ("/healthz", "/api/search?q=Brest", "/?q=Brest", "/", "/feed", "/api/articles/ok-1"):
        response = client.get(url)
        assert response.status_code == 503, url
        assert "reindex --full" in response.get_data(as_text=True), url
    health = client.get("/healthz").get_json()
    assert health["status"] == "error" and "endommagé" in health["error"]
    for args in (["query", "Brest"], ["stats"], ["check"]):
        result = CliRunner().invoke(main, [*args, "--index", str(index)])
        assert result.exit_code == EXIT_ERROR, (args, result.output)
        assert "reindex --full" in result.output and "Traceback" not in result.output

    # An incremental reindex rebuilds everything by itself, and says so.
    result = CliRunner().invoke(main, ["reindex", "--index", str(index), "--no-ner"])
    assert result.exit_code == 0, result.output
    assert "reconstruction complète" in result.output
    assert CliRunner().invoke(main, ["check", "--index", str(index)]).exit_code == 0
    assert total(index, "Brest") == 2
    assert client.get("/api/search?q=Brest").get_json()["total"] == 2
    assert client.get("/healthz").status_code == 200


def test_check_reads_every_segment_of_an_index_without_checksums(tmp_path: Path) -> None:
    """An index written before the manifest kept checksums is checked by reading it."""
    corpus = write_jsonl(tmp_path / "c" / "a.jsonl", [GOOD]).parent
    index = tmp_path / "index"
    reindex([corpus], index)
    gen = storage.require_generation(index)
    (gen / storage.CHECKSUMS_FILE).unlink()
    result = CliRunner().invoke(main, ["check", "--index", str(index)])
    assert result.exit_code == 0 and "intacte" in result.output
    with sqlite3.connect(index / "manifest.sqlite") as db:  # a count that no longer matches
        db.execute("INSERT INTO articles VALUES ('fantôme', '0', 'x.jsonl', NULL)")
    result = CliRunner().invoke(main, ["check", "--index", str(index)])
    assert result.exit_code == EXIT_ERROR and "2 dans le manifeste" in result.output


def test_check_without_an_index_exits_3(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["check", "--index", str(tmp_path / "rien")])
    assert result.exit_code == EXIT_ERROR and "loupe reindex" in result.output


def test_healthz_sees_a_file_truncated_after_the_index_was_opened(tmp_path: Path) -> None:
    from webui import create_app

    corpus = write_jsonl(tmp_path / "c" / "a.jsonl", [GOOD]).parent
    index = tmp_path / "index"
    reindex([corpus], index)
    client = create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client()
    assert client.get("/api/search?q=Brest").get_json()["total"] == 1
    assert client.get("/healthz").status_code == 200
    _damage(index, "truncated")
    health = client.get("/healthz")
    assert health.status_code == 503 and "reindex --full" in health.get_json()["error"]
