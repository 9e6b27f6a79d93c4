"""A hostile corpus folder (issue 13): odd bytes, names, links, sizes and floods cost the
file at fault, never the run, the memory or the terminal. Each test runs the real
`loupe reindex` in a subprocess on files made in tmp_path."""

from __future__ import annotations

import json
import os
import resource
import signal
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

from search.cli import EXIT_ERROR, EXIT_INTERNAL, EXIT_OK, EXIT_SKIPPED
from search.find.searcher import SearchEngine, SearchRequest
from tests.conftest import ROOT, write_jsonl
from webui import create_app

GOOD = {"id": "ok-1", "title": "Tempête sur la Bretagne", "body": "Les vents soufflent à Brest."}

# Runs a command and prints, last on stderr, the peak memory (RSS, KB) of its process tree.
_PEAK = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


class Run:
    def __init__(self, proc: subprocess.CompletedProcess) -> None:
        self.code = proc.returncode
        self.out = proc.stdout
        lines = proc.stderr.rstrip("\n").split("\n")
        self.peak_mb = int(lines[-1]) / 1024
        self.err = "\n".join(lines[:-1])

    def __repr__(self) -> str:
        return f"exit {self.code}\n{self.out}\n{self.err[-3000:]}"


def loupe(*args: str, timeout: float = 300) -> Run:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
    cmd = [sys.executable, "-c", _PEAK, sys.executable, "-m", "search", *args]
    proc = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env, errors="replace"
    )
    return Run(proc)


def reindex(corpus: Path, index: Path, *extra: str) -> Run:
    return loupe("reindex", str(corpus), "--index", str(index), "--no-entities", *extra)


def titles(index: Path) -> dict[str, str]:
    results = SearchEngine(index).search(SearchRequest(per_page=100)).results
    return {r["id"]: r["title"] for r in results}


def test_lone_surrogate_is_repaired_with_a_warning(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    write_jsonl(corpus / "a-good.jsonl", [GOOD])
    (corpus / "b-odd.jsonl").write_text(
        '{"id": "s1", "title": "T \\ud800", "body": "Un corps \\udfff ici"}\n'
        '{"id": "s2", "title": "Emoji \\ud83d\\ude00", "body": "Paire valide"}\n'
        '{"id": "s3", "title": "Clé", "body": "Texte", "tags": ["x\\udc00"], "\\ud801": 1}\n',
        encoding="utf-8",
    )
    (corpus / "c-list.json").write_text(
        '[{"id": "s4", "title": "Liste \\ud800", "body": "Corps"}]', encoding="ascii"
    )
    run = reindex(corpus, tmp_path / "index")
    assert run.code == EXIT_OK, run
    assert "Traceback" not in run.err
    assert "b-odd.jsonl:1: 2 demi-paire(s) de substitution" in run.err
    assert "b-odd.jsonl:3: 2 demi-paire(s)" in run.err
    assert "b-odd.jsonl:2:" not in run.err  # a valid pair is no problem
    assert "c-list.json:1: 1 demi-paire(s)" in run.err
    found = titles(tmp_path / "index")
    assert found == {
        "ok-1": GOOD["title"],
        "s1": "T \ufffd",
        "s2": "Emoji \U0001f600",
        "s3": "Clé",
        "s4": "Liste \ufffd",
    }
    # An incremental run over the same folder works too (it could not, before).
    again = reindex(corpus, tmp_path / "index")
    assert again.code == EXIT_OK and "5 inchangés" in again.out, again

    extract = loupe("extract", str(corpus / "b-odd.jsonl"), "--json")
    assert extract.code == EXIT_OK, extract
    assert "Traceback" not in extract.err
    first = json.loads(extract.out.splitlines()[0])
    assert first["title"] == "T \ufffd"


def test_a_file_name_that_is_not_utf8_is_read(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    write_jsonl(corpus / "good.jsonl", [GOOD])
    odd = os.path.join(os.fsencode(corpus), b"caf\xe9 \xff.txt")
    with open(odd, "wb") as fh:
        fh.write("Un titre latin\n\nLe corps du texte à Lyon.".encode())
    with open(os.path.join(os.fsencode(corpus), b"vide \xff.txt"), "wb"):
        pass
    run = reindex(corpus, tmp_path / "index")
    assert run.code == EXIT_SKIPPED, run  # the empty one, named
    assert "Traceback" not in run.err
    assert '/vide \\xff.txt": fichier vide' in run.err
    engine = SearchEngine(tmp_path / "index")
    (hit,) = engine.search(SearchRequest(q="Lyon")).results
    assert hit["title"] == "Un titre latin"
    assert engine.search(SearchRequest(q="Brest")).total == 1
    doc = engine.article(hit["id"])
    assert doc is not None and doc["path"] == "caf\\xe9 \\xff.txt"


def test_symlinks_leaving_the_folder_are_skipped_and_named(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    write_jsonl(corpus / "sub" / "good.jsonl", [GOOD])
    (corpus / "etc").symlink_to("/etc", target_is_directory=True)
    (corpus / "passwd.txt").symlink_to("/etc/passwd")
    (corpus / "inside").symlink_to(corpus / "sub", target_is_directory=True)  # stays inside
    index = tmp_path / "index"
    run = reindex(corpus, index)
    assert run.code == EXIT_SKIPPED, run
    assert "c/etc: lien symbolique vers /etc, hors des dossiers indexés" in run.err
    assert "c/passwd.txt: lien symbolique vers /etc/passwd" in run.err
    assert "--follow-links" in run.err
    assert "/etc/" not in run.err.replace("lien symbolique vers /etc/passwd", "")  # not walked
    assert list(titles(index)) == ["ok-1"]
    assert SearchEngine(index).search(SearchRequest(q="root")).total == 0

    allowed = reindex(corpus, index, "--follow-links")
    assert SearchEngine(index).search(SearchRequest(q="root")).total == 1, allowed
    # A run without paths reads the same folders the same way: the links are kept.
    rerun = loupe("reindex", "--index", str(index), "--no-entities")
    assert rerun.code == EXIT_OK and "0 supprimés" in rerun.out, rerun
    assert SearchEngine(index).search(SearchRequest(q="root")).total == 1


def test_json_files_obey_the_article_limit(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    big = "mot " * 1_500_000  # 6 MB
    (corpus / "one.json").write_text(json.dumps({"id": "big", "title": "Énorme", "body": big}))
    (corpus / "list.json").write_text(
        json.dumps([GOOD, {"id": "big2", "title": "Énorme aussi", "body": big}])
    )
    run = reindex(corpus, tmp_path / "index")
    assert run.code == EXIT_SKIPPED, run
    assert "one.json:1: enregistrement trop volumineux" in run.err
    assert "list.json:1: enregistrement trop volumineux" in run.err
    assert list(titles(tmp_path / "index")) == ["ok-1"]


def test_names_with_newlines_are_quoted_and_ids_normalised(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    forged = "x\nignoré : faux.jsonl:1: JSON invalide\x1b[31m.txt"
    (corpus / forged).write_bytes(b"")
    write_jsonl(corpus / "ids.jsonl", [{**GOOD, "id": "a\nb\tc\u202e"}])
    index = tmp_path / "index"
    run = reindex(corpus, index)
    assert run.code == EXIT_SKIPPED, run
    lines = run.err.splitlines()
    assert not any(line.startswith("ignoré : faux") for line in lines), run.err
    assert "\x1b" not in run.err
    assert '/x\\nignoré : faux.jsonl:1: JSON invalide\\x1b[31m.txt": fichier vide' in run.err
    assert 'identifiant "a\\nb\\tc\\u202e" normalisé en « a b c »' in run.err
    assert list(titles(index)) == ["a b c"]
    client = create_app({"INDEX_DIR": str(index), "TESTING": True}).test_client()
    listed = client.get("/api/search").get_json()["results"]
    for result in listed:
        assert client.get(f"/api/articles/{result['id']}").status_code == 200
        assert client.get(f"/article/{result['id']}").status_code == 200


def test_an_index_inside_the_corpus_is_not_read(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    write_jsonl(corpus / "good.jsonl", [GOOD])
    index = corpus / "index"
    first = reindex(corpus, index)
    assert first.code == EXIT_OK, first
    # A second index there too, as `loupe reindex . --index ./autre` would leave.
    reindex(corpus / "good.jsonl", corpus / "autre")
    again = reindex(corpus, index)
    assert again.code == EXIT_OK, again
    assert "c/index: index de Loupe : dossier ignoré" in again.err
    assert "c/autre: index de Loupe : dossier ignoré" in again.err
    assert "1 articles dans l'index (1 fichiers lus)" in again.out


def test_a_flood_of_bad_lines_is_counted_not_printed(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    write_jsonl(corpus / "good.jsonl", [GOOD])
    (corpus / "flood.jsonl").write_bytes(b"x\n" * 300_000)
    run = reindex(corpus, tmp_path / "index")
    assert run.code == EXIT_SKIPPED, run
    flood = [line for line in run.err.splitlines() if "flood.jsonl" in line]
    assert len(flood) == 21, run
    assert "… et 299980 autres problèmes dans" in flood[-1]
    assert "300000 ignorés" in run.out
    assert list(titles(tmp_path / "index")) == ["ok-1"]


def _gzip_of_spaces(path: Path, mib: int) -> None:
    """A gzip bomb: `mib` MiB of spaces on one line, about 1/450 of that on disk."""
    packer = zlib.compressobj(1, zlib.DEFLATED, 31)
    block = b" " * (1 << 20)
    with open(path, "wb") as fh:
        for _ in range(mib):
            fh.write(packer.compress(block))
        fh.write(packer.flush())


@pytest.mark.parametrize("kind", ["gzip bomb", "sparse files"])
def test_huge_files_are_refused_without_being_read_whole(tmp_path: Path, kind: str) -> None:
    corpus = tmp_path / "c"
    write_jsonl(corpus / "good.jsonl", [GOOD])
    if kind == "gzip bomb":
        _gzip_of_spaces(corpus / "bomb.jsonl.gz", 400)
        expected = ["bomb.jsonl.gz:1: archive trop volumineuse une fois décompressée"]
    else:
        for name, size in (("sparse.txt", 1 << 30), ("page.html", 4 << 30), ("x.json", 1 << 30)):
            with open(corpus / name, "wb") as fh:
                fh.truncate(size)
        expected = [
            "sparse.txt: fichier trop volumineux pour un article (1074 Mo, 5 Mo au plus)",
            "page.html: fichier trop volumineux pour un article (4295 Mo, 5 Mo au plus)",
            "x.json: fichier trop volumineux (1074 Mo, 200 Mo au plus)",
        ]
    run = reindex(corpus, tmp_path / "index")
    assert run.code == EXIT_SKIPPED, run
    for text in expected:
        assert text in run.err, run
    assert list(titles(tmp_path / "index")) == ["ok-1"]  # the good file is indexed
    # Nothing was held whole: the whole process tree stayed far below the file's size.
    assert run.peak_mb < 300, run.peak_mb


ORANGESUM = ROOT.parent / "shared" / "corpus" / "orangesum" / "articles-part-00.jsonl"


def _children(pid: int) -> dict[int, str]:
    """Child pid -> its start time (so that a reused pid is not mistaken for it)."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == pid:
            found[int(entry.name)] = fields[19]
    return found


def _alive(pid: int, started: str) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    fields = stat[stat.rindex(")") + 2 :].split()
    return fields[0] not in ("Z", "X") and fields[19] == started


@pytest.mark.skipif(not ORANGESUM.exists(), reason="needs ../shared/corpus/orangesum")
@pytest.mark.parametrize("phase", ["extracting", "reading", "writing", "committing"])
def test_no_worker_outlives_a_killed_reindex(tmp_path: Path, phase: str) -> None:
    """SIGKILL a reindex while its forked workers are: running the NER model
    (extracting); writing while the main process still reads and deals out documents
    (reading: killed as soon as the writers are forked, 2,000 articles in); writing
    their segments (writing); finishing them (committing: segment columns being
    written). Every worker must be gone within a second, whatever it was doing."""
    corpus = tmp_path / "c"
    corpus.mkdir()
    count = 300 if phase == "extracting" else 2_600
    with open(ORANGESUM, encoding="utf-8") as src, open(corpus / "a.jsonl", "w") as out:
        for _ in range(count):
            out.write(src.readline())
    index = tmp_path / "index"
    args = ["reindex", str(corpus), "--index", str(index), "--workers", "2"]
    if phase != "extracting":
        args.append("--no-entities")
    env = {**os.environ, "LOUPE_CACHE_DIR": str(tmp_path / "cache")}  # the model must run
    proc = subprocess.Popen(
        [sys.executable, "-m", "search", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen: dict[int, str] = {}
    first_seen = None
    try:
        deadline = time.monotonic() + 240
        while proc.poll() is None and time.monotonic() < deadline:
            seen.update(_children(proc.pid))
            if seen and first_seen is None:
                first_seen = time.monotonic()
            if first_seen is not None:
                if phase in ("extracting", "reading"):
                    break
                if phase == "writing" and time.monotonic() - first_seen > 2:
                    break
                if phase == "committing" and list(index.glob("tmp-*/*.col")):
                    break
            time.sleep(0.01)
        assert proc.poll() is None, "the reindex ended before the moment to kill it"
        assert seen, "no worker was forked"
        seen.update(_children(proc.pid))
        proc.kill()
        proc.wait()
        time.sleep(1.0)
        survivors = [pid for pid, started in seen.items() if _alive(pid, started)]
        assert not survivors, f"{phase}: {len(survivors)} worker(s) outlived the reindex"
    finally:
        proc.kill()
        for pid, started in seen.items():
            if _alive(pid, started):
                os.kill(pid, signal.SIGKILL)


def _feel_permissions() -> None:
    """Child process only: root (the test suite's user here) loses the capabilities that
    let it read any file, so `chmod 000` stops it as it stops everyone else. Dropped from
    the bounding set, so that the exec'd Python does not get them back."""
    if os.geteuid() != 0:
        return
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "PR_CAPBSET_DROP")


def test_unreadable_paths_keep_their_articles(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    write_jsonl(corpus / "a.jsonl", [GOOD])
    locked = write_jsonl(
        corpus / "locked.jsonl",
        [
            {"id": "l1", "title": "Verrou un", "body": "Le port de Marseille."},
            {"id": "l2", "title": "Verrou deux", "body": "Le port de Toulon."},
        ],
    )
    write_jsonl(corpus / "sub" / "b.jsonl", [{"id": "b1", "title": "Dossier", "body": "Lille."}])
    gone = write_jsonl(corpus / "gone.jsonl", [{"id": "g1", "title": "Parti", "body": "Nice."}])
    index = tmp_path / "index"
    first = reindex(corpus, index)
    assert first.code == EXIT_OK and len(titles(index)) == 5, first

    locked.chmod(0)
    (corpus / "sub").chmod(0)
    gone.unlink()
    try:
        env = {**os.environ, "OPENBLAS_NUM_THREADS": "1"}
        proc = subprocess.run(
            [sys.executable, "-m", "search", "reindex", str(corpus), "--index", str(index)]
            + ["--no-entities"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=env,
            preexec_fn=_feel_permissions,
            timeout=300,
        )
    finally:
        locked.chmod(0o644)
        (corpus / "sub").chmod(0o755)
    assert proc.returncode == EXIT_SKIPPED, (proc.stdout, proc.stderr)
    assert "locked.jsonl: lecture impossible : Permission denied" in proc.stderr
    assert "c/sub: dossier illisible : Permission denied" in proc.stderr
    assert "1 supprimés" in proc.stdout and "3 conservés tels quels" in proc.stdout, proc.stdout
    assert set(titles(index)) == {"ok-1", "l1", "l2", "b1"}  # only the one really gone left

    readable = reindex(corpus, index)
    assert readable.code == EXIT_OK and "4 inchangés" in readable.out, readable


def _cache_disk_full() -> None:
    """Child process only: files past 30 KB fail with EFBIG, as on a full disk; the NER
    cache's shared-memory file (32 KB) is the first to need more."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (30_000, 30_000))


@pytest.mark.parametrize("fault", ["full disk under the cache", "damaged cache"])
def test_crashes_get_their_own_exit_code_and_one_line(tmp_path: Path, fault: str) -> None:
    corpus = tmp_path / "c"
    write_jsonl(corpus / "a.jsonl", [GOOD])
    index = tmp_path / "index"
    assert reindex(corpus, index).code == EXIT_OK
    write_jsonl(corpus / "b.jsonl", [{"id": "b", "title": "Nouveau", "body": "Un texte."}])
    cache = tmp_path / "cache"
    cache.mkdir()
    preexec = None
    if fault == "damaged cache":
        (cache / "ner.sqlite").write_bytes(b"pas une base SQLite\n" * 100)
    else:
        preexec = _cache_disk_full
    env = {**os.environ, "LOUPE_CACHE_DIR": str(cache)}
    cmd = [sys.executable, "-m", "search", "reindex", str(corpus), "--index", str(index)]
    proc = subprocess.run(
        cmd, cwd=ROOT, capture_output=True, text=True, env=env, preexec_fn=preexec, timeout=300
    )
    assert "Traceback" not in proc.stderr
    (line,) = proc.stderr.splitlines()
    if fault == "damaged cache":
        assert proc.returncode == EXIT_INTERNAL, proc.stderr
        assert line.startswith("loupe : erreur interne (DatabaseError: file is not a database)")
        debug = subprocess.run(
            cmd, cwd=ROOT, capture_output=True, text=True, env={**env, "LOUPE_DEBUG": "1"}
        )
        assert debug.returncode == EXIT_INTERNAL and "Traceback" in debug.stderr
    else:
        assert proc.returncode == EXIT_ERROR, proc.stderr
        # Every file is limited: the NER cache or the build's own files fail first.
        assert line.startswith(
            ("loupe : disque plein ou illisible (cache des entités)", "loupe : erreur d'écriture")
        )
    assert list(titles(index)) == ["ok-1"]  # the index in use is unchanged
