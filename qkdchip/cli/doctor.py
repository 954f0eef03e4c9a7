"""``qkdchip doctor``: report the versions the toolkit runs on and whether meep and MPB work."""

from __future__ import annotations

import argparse
import platform
from importlib import metadata

from rich.console import Console
from rich.table import Table

from qkdchip.simulations.meep_jobs import MeepJobError, MeepNotInstalledError, run_job

REQUIRED_DISTRIBUTIONS: tuple[str, ...] = (
    "numpy",
    "scipy",
    "shapely",
    "matplotlib",
    "gdsfactory",
    "klayout",
    "h5py",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "doctor", help="check the environment: versions, meep and MPB", description=__doc__
    )
    parser.set_defaults(handler=doctor)


def _distribution_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def doctor(args: argparse.Namespace) -> int:
    """Print a table of versions and checks; exit 0 only when every check passes."""
    table = Table(title="qkdchip doctor")
    table.add_column("component")
    table.add_column("version / result")
    table.add_column("ok")
    healthy = True

    table.add_row("python", platform.python_version(), "yes")
    for name in REQUIRED_DISTRIBUTIONS:
        version = _distribution_version(name)
        healthy &= version is not None
        table.add_row(name, version or "missing", "yes" if version else "NO")

    numpy_version = _distribution_version("numpy") or "0"
    numpy_ok = int(numpy_version.split(".")[0]) < 2
    healthy &= numpy_ok
    if not numpy_ok:
        table.add_row("numpy < 2", f"{numpy_version} (Debian's meep needs numpy 1.x)", "NO")

    try:
        probe = run_job("qkdchip.simulations.meep_jobs.probe:meep_and_mpb", timeout_s=120)
        table.add_row("meep", probe["meep_version"], "yes")
        table.add_row("MPB", f"runs (test band at f = {probe['mpb_frequency']:.4f})", "yes")
    except (MeepNotInstalledError, MeepJobError) as err:
        healthy = False
        table.add_row("meep / MPB", str(err), "NO")

    Console().print(table)
    return 0 if healthy else 1
