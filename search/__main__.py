"""``python -m search`` is ``loupe``."""

from search.cli import main

main()
