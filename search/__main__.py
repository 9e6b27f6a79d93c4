"""``python -m search`` is ``loupe``."""

from .cli import main

main()
