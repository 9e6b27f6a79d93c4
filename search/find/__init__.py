"""Searching: the request, the query language, matching and ranking, filters and facets,
spelling, highlighting and the dicts a search answers."""
