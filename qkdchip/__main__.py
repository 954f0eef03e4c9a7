"""``python -m qkdchip`` runs the command line."""

import sys

from qkdchip.cli import main

sys.exit(main())
