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
