"""Writing and opening the index: the schema, generations, writers, posting sidecars,
the archive's person table and Whoosh's internals (``w3``)."""
