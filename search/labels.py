"""Display labels of facet values.

Country facet values are ISO 3166-1 codes; their French names come from the
gazetteer of the entity extractor once it is installed, and the code itself is
shown until then.
"""

from __future__ import annotations

_COUNTRY_LABELS: dict[str, str] = {}


def country_label(code: str) -> str:
    """The French name of a country code (``RU`` → ``Russie``), else the code."""
    return _COUNTRY_LABELS.get(code.upper(), code.upper())
