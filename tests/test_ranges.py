"""A JSON Lines file read by byte ranges gives what ``read_file`` gives, record for record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from search.ingest.readers import read_file
from search.ingest.readers.ranges import count_lines, line_starts, read_range, splittable
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "orangesum" / "orangesum-sample.jsonl"


def _awkward(folder: Path) -> Path:
    """The samples with what a range must number right: records without an id (their id is
    made from the line number), blank lines, a broken line, CRLF line ends, a lone CR."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    out = []
    for number, line in enumerate(lines):
        if number % 7 == 3:
            rec = json.loads(line)
            del rec["id"]
            line = json.dumps(rec, ensure_ascii=False)
        out.append(line + ("\r\n" if number % 5 == 0 else "\n"))
        if number % 11 == 0:
            out.append("\n")
        if number == 150:
            out.append('{"title": "cassé",\n')
        if number == 200:
            out.append('{"title": "retour", "body": "chariot"}\r{"title": "seul"}\n')
    path = folder / "awkward.jsonl"
    path.write_text("".join(out), encoding="utf-8")
    return path


def _by_ranges(path: Path, every: int) -> tuple[list, list]:
    size = path.stat().st_size
    starts = line_starts(path, size, every) + [size]
    assert len(starts) > 3
    articles, problems, first = [], [], 1
    for start, end in zip(starts, starts[1:], strict=False):
        articles += read_range(path, path.parent, start, end, first, problems.append)
        first += count_lines(str(path), start, end)
    return articles, problems


@pytest.mark.parametrize("every", [50_000, 100_003])
def test_ranges_read_what_read_file_reads(tmp_path: Path, every: int) -> None:
    path = _awkward(tmp_path)
    expected_problems: list = []
    expected = list(read_file(path, path.parent, expected_problems.append))
    assert len(expected) == 322 and expected_problems  # the broken line
    assert any(a.id.endswith("L5") for a in expected)  # an id made from its line number
    assert splittable(path, path.stat().st_size, every)
    articles, problems = _by_ranges(path, every)
    assert [a.id for a in articles] == [a.id for a in expected]
    assert articles == expected
    assert [(p.reason, p.line) for p in problems] == [
        (p.reason, p.line) for p in expected_problems
    ]


def test_only_plain_json_lines_bigger_than_a_range_are_split(tmp_path: Path) -> None:
    size = SAMPLE.stat().st_size
    assert splittable(SAMPLE, size, 100_000)
    assert not splittable(SAMPLE, size, size)  # one range would do
    utf16 = tmp_path / "a.jsonl"
    utf16.write_bytes(SAMPLE.read_text(encoding="utf-8").encode("utf-16"))
    assert not splittable(utf16, utf16.stat().st_size, 100_000)
    binary = tmp_path / "b.jsonl"
    binary.write_bytes(b"\x00\x01" + SAMPLE.read_bytes())
    assert not splittable(binary, binary.stat().st_size, 100_000)
