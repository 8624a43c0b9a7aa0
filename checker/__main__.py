"""``python -m checker`` runs the civcheck command."""

from checker.cli import run

run()
