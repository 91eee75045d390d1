"""``python -m ecoute`` runs the command line."""

from ecoute.cli import main

main()
