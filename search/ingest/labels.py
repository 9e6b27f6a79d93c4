"""Display labels of facet values.

Country facet values are ISO 3166-1 codes; their French names come from the gazetteer of
the entity extractor (``search/ingest/entities/data/countries_fr.tsv``).
"""

from __future__ import annotations

from search.ingest.entities.countries import country_label, resolve_country

__all__ = ["country_label", "resolve_country"]
