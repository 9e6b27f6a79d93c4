"""The library's front door (``search.__all__``) and the direction of imports."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys

import search
from tests.conftest import ROOT


def test_every_public_name_resolves_to_its_definition() -> None:
    """``from search import X`` for each name of ``__all__`` gives the module's own object
    (a renamed or moved definition fails here, not in a user's code)."""
    assert sorted(search.__all__) == sorted(search._EXPORTS)
    for name, module in search._EXPORTS.items():
        assert getattr(search, name) is getattr(importlib.import_module(module), name)
    assert {"reindex", "SearchEngine", "SearchRequest", "extract", "read_file"} <= set(dir(search))


def _modules_after(statement: str) -> set[str]:
    code = f"import sys; {statement}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return set(out.stdout.split())


def test_importing_a_small_module_or_the_cli_stays_light() -> None:
    """``import search.french`` loads no Whoosh; the CLI loads the web app only in ``serve``."""
    assert "whoosh" not in _modules_after("import search.french")
    loaded = _modules_after("import search.cli")
    assert "webui" not in loaded and "flask" not in loaded


def test_the_library_never_imports_the_web_app() -> None:
    """Imports point one way: webui -> search."""
    for path in (ROOT / "search").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.split(".")[0] == "webui" and path.name != "cli.py":
                    raise AssertionError(f"{path} imports {node.module}")
            elif isinstance(node, ast.Import):
                assert all(a.name.split(".")[0] != "webui" for a in node.names), path


# The library's layers, lowest first (``/work/notes/relayer.py`` moves each into its folder:
# search/ingest/, search/index/, search/find/); the other modules are shared by all.
LAYERS = {
    "ingest": {"articles", "readers", "entities", "labels"},
    "index": {"schema", "storage", "indexer", "manifest", "merging", "parallel", "fastwrite",
              "postings_mmap", "people", "w3", "distributed"},
    "find": {"request", "query", "budget", "generation", "fastsearch", "facets", "searcher",
             "spelling", "highlight", "snippets", "results", "entitypage"},
}  # fmt: skip
RANK = {"shared": 0, "ingest": 1, "index": 2, "find": 3}


def _layer(parts: list[str]) -> str | None:
    """The layer of ``search.<parts>`` (a folder of that name, or a module listed above);
    None for the application (cli) and the package's front door."""
    if not parts or parts[0] in ("cli", "__main__", "__init__"):
        return None
    if parts[0] in LAYERS:
        return parts[0]
    return next((layer for layer, names in LAYERS.items() if parts[0] in names), "shared")


def test_the_layers_import_one_way() -> None:
    """find -> index -> ingest, each of them -> the shared modules; never back: the write
    path does not depend on the read path, the input readers on neither."""
    wrong = []
    for path in (ROOT / "search").rglob("*.py"):
        parts = list(path.relative_to(ROOT / "search").with_suffix("").parts)
        here = _layer(parts)
        if here is None:
            continue
        package = ["search", *parts[:-1]]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package[: len(package) - node.level + 1] if node.level else []
                module = ".".join(base + ([node.module] if node.module else []))
                targets = [module] + [f"{module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            else:
                continue
            for target in targets:
                names = target.split(".")
                if names[0] != "search" or len(names) < 2:
                    continue
                there = _layer(names[1:])
                if there is not None and RANK[there] > RANK[here]:
                    wrong.append(f"{'/'.join(parts)} ({here}) imports {target} ({there})")
    assert not wrong, "\n".join(sorted(set(wrong)))
