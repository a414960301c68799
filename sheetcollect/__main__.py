"""``python -m sheetcollect`` runs the command line."""

from .cli import main

main()
