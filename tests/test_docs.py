"""The documentation is checked like code: every command and option is documented, every
file and test it names exists, the README's layout drawing is the tree, and its JSON example
has the shape of what ``/api/search`` answers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest

from search.cli import main
from tests.conftest import ROOT
from webui import create_app

README = ROOT / "README.md"
DOCS = sorted((ROOT / "docs").glob("*.md"))
# A path in the repository as the docs write it: `search/find/budget.py`, tests/test_web.py…
PATH = re.compile(r"(?<![\w./-])((?:search|webui|tests|bench|docs|samples)/[\w./-]*\.\w+)\b")
GENERATED = ("bench/.work", "bench/out")  # written by the benches, git-ignored
TEST_NAME = re.compile(r"`(test_\w+)`")


def _text() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in [README, *DOCS])


def _command_section(name: str) -> str:
    readme = README.read_text(encoding="utf-8")
    match = re.search(rf"^### `loupe {name}\b.*?(?=^##)", readme, re.S | re.M)
    assert match, f"`loupe {name}` has no section in the README"
    return match.group(0)


@pytest.mark.parametrize("name", sorted(main.commands))
def test_every_command_and_option_is_documented(name: str) -> None:
    """In the command's own section, or in the words before the first (``--index``)."""
    readme = README.read_text(encoding="utf-8")
    common = readme[readme.index("## Command line") : readme.index("### `loupe ")]
    section = _command_section(name) + common
    command = main.commands[name]
    for param in command.params:
        if not isinstance(param, click.Option) or param.hidden:
            continue
        longs = [o for o in param.opts if o.startswith("--")]
        written = (re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", section) for o in longs)
        assert any(written), f"loupe {name} {longs[0]}: undocumented"


def test_every_file_and_test_the_docs_name_exists() -> None:
    text = _text()
    missing = set()
    for path in PATH.findall(text):
        path = path.rstrip(".")
        if "*" in path or "…" in path or path.startswith(GENERATED):
            continue
        if not (ROOT / path).exists():
            missing.add(path)
    assert not missing, f"named in the docs, not in the tree: {sorted(missing)}"
    defined = set()
    for module in (ROOT / "tests").glob("test_*.py"):
        defined |= set(re.findall(r"^def (test_\w+)", module.read_text(encoding="utf-8"), re.M))
    unknown = {t for t in TEST_NAME.findall(text) if t not in defined}
    assert not unknown, f"tests named in the docs that do not exist: {sorted(unknown)}"


def _layout() -> list[str]:
    """The paths the README's layout drawing names: a folder (``search/``) then, two
    spaces deeper, what it holds; a description's second line (odd indent) is skipped."""
    readme = README.read_text(encoding="utf-8")
    block = re.search(r"^## Layout\n+```\n(.*?)```", readme, re.S | re.M)
    assert block, "no layout drawing in the README"
    paths: list[str] = []
    folders: list[str] = []
    for line in block.group(1).splitlines():
        indent = len(line) - len(line.lstrip(" "))
        words = line.split()
        if not words or indent % 2 or indent // 2 > len(folders):
            continue
        if not words[0].endswith(("/", ".py")):
            continue
        folders = folders[: indent // 2]
        paths.append("".join(folders) + words[0])
        if words[0].endswith("/") and len(words) > 1 and words[1].endswith("/"):
            paths.append("".join(folders) + words[1])  # "templates/ static/"
        if words[0].endswith("/"):
            folders.append(words[0])
    return paths


def test_the_layout_drawing_is_the_tree() -> None:
    """Every path drawn exists; every module of a package whose contents are drawn is."""
    drawn = _layout()
    assert not [p for p in drawn if not (ROOT / p).exists() and p not in ("artifacts/", "index/")]
    packages = {p for p in drawn if p.endswith("/") and any(
        d != p and d.startswith(p) and d.endswith(".py") for d in drawn)}  # fmt: skip
    modules = {
        f"{package}{p.name}" + ("/" if p.is_dir() else "")
        for package in packages
        for p in (ROOT / package).iterdir()
        if (p.suffix == ".py" and p.name not in ("__init__.py", "__main__.py"))
        or (p.is_dir() and (p / "__init__.py").exists())
    }
    assert {"search/", "webui/"} <= packages
    assert not modules - set(drawn), f"missing from the drawing: {sorted(modules - set(drawn))}"


def _shape(value):
    """Keys and types, recursively; a list by the shape of its first item."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    if value is None:
        return None
    return type(value).__name__ if not isinstance(value, int | float) else "number"


def _merge_none(example, real):
    """``null`` or ``[]`` in the example stands for any value of the real document."""
    if example in (None, []) or real in (None, []):
        return True
    if isinstance(example, dict) and isinstance(real, dict):
        return example.keys() == real.keys() and all(
            _merge_none(example[k], real[k]) for k in example
        )
    if isinstance(example, list) and isinstance(real, list):
        return _merge_none(example[0], real[0])
    return example == real


def test_the_readme_json_example_is_what_the_api_answers(samples_index: Path) -> None:
    readme = README.read_text(encoding="utf-8")
    block = re.search(r"With `--json` it prints the document.*?```json\n(.*?)```", readme, re.S)
    assert block, "no /api/search example in the README"
    example = json.loads(block.group(1))
    client = create_app({"INDEX_DIR": str(samples_index), "TESTING": True}).test_client()
    real = client.get("/api/search", query_string={"q": example["query"]}).get_json()
    assert real["total"] > 0
    assert list(example) == list(real)  # same keys, same order
    assert list(example["facets"]) == list(real["facets"])
    assert _merge_none(_shape(example), _shape(real)), (_shape(example), _shape(real))
