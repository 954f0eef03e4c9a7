"""The command line and the comb solver start without the heavy layout and plotting stacks."""

from __future__ import annotations

import subprocess
import sys

HEAVY_MODULES = ("gdsfactory", "matplotlib", "meep")


def test_cli_and_comb_imports_leave_out_gdsfactory_matplotlib_and_meep() -> None:
    code = (
        "import sys\n"
        "import qkdchip.cli\n"
        "import qkdchip.simulations.comb\n"
        "qkdchip.cli.build_parser()\n"
        f"print(' '.join(m for m in {HEAVY_MODULES!r} if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.split() == []
