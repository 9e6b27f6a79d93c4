"""A person page whose name is a given name alone (``François``: the pope, a nephew, a
farmer...) says it may add up several people (issue 16, session 20): one line on the page,
``given_name_only`` in the JSON document, the same in ``loupe stats --personne``. On the
bundled samples' index (``samples_index``: real OrangeSum articles, the real extractor), where
``François`` is a person value of its own and ``Emmanuel`` resolves to ``Emmanuel Macron``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from search.cli import main
from search.find import entitypage
from webui import create_app

LINE = "Prénom seul : cette fiche peut réunir plusieurs personnes de ce prénom."
GIVEN = "François"  # a given name alone, kept alone by the archive
FULL = "Emmanuel Macron"


@pytest.fixture(scope="module")
def client(samples_index: Path):
    return create_app({"INDEX_DIR": str(samples_index), "TESTING": True}).test_client()


def stats(samples_index: Path, name: str, *extra: str) -> str:
    out = CliRunner().invoke(
        main, ["stats", "--index", str(samples_index), "--personne", name, *extra]
    )
    assert out.exit_code == 0, out.output
    return out.output


def test_the_lexicons_decide() -> None:
    assert entitypage.given_name_only("François")
    assert entitypage.given_name_only("francois")  # folded, as the extractor compares
    assert entitypage.given_name_only("Marie-Hélène")
    assert not entitypage.given_name_only("Emmanuel Macron")
    assert not entitypage.given_name_only("Coluche")  # a mononym that is no given name
    assert not entitypage.given_name_only("Erdogan")  # a surname the world's list also holds
    assert not entitypage.given_name_only("Macron")  # a surname alone


def test_page_shows_the_line_for_a_given_name_alone_only(client) -> None:
    page = client.get(f"/personne/{GIVEN}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<h1 class="entity-title">{GIVEN}</h1>' in html
    assert f'<p class="entity-note entity-given-only">{LINE}</p>' in html
    for name in (FULL, "Emmanuel"):  # "Emmanuel" alone resolves to the full name
        html = client.get(f"/personne/{name}").get_data(as_text=True)
        assert f'<h1 class="entity-title">{FULL}</h1>' in html
        assert LINE not in html and "entity-given-only" not in html


def test_api_field_both_ways(client) -> None:
    given = client.get(f"/api/entities/person/{GIVEN}").get_json()
    assert given["name"] == GIVEN and given["given_name_only"] is True
    full = client.get(f"/api/entities/person/{FULL}").get_json()
    assert full["given_name_only"] is False
    resolved = client.get("/api/entities/person/Emmanuel").get_json()
    assert resolved["name"] == FULL and resolved["given_name_only"] is False
    surname = client.get("/api/entities/person/Chirac").get_json()
    assert surname["name"] == "Chirac" and surname["given_name_only"] is False


def test_cli_both_ways(samples_index: Path) -> None:
    text = stats(samples_index, GIVEN)
    assert text.startswith(f"{GIVEN}\n") and LINE in text
    assert LINE not in stats(samples_index, FULL)
    assert json.loads(stats(samples_index, GIVEN, "--json"))["given_name_only"] is True
    assert json.loads(stats(samples_index, FULL, "--json"))["given_name_only"] is False
