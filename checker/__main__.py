"""``python -m checker`` runs the civcheck command."""

import sys

from checker.cli import main

sys.exit(main())
