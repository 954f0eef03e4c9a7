"""``qkdchip doctor``: report the versions the toolkit runs on, whether meep and MPB work, and
whether the installed meep is an MPI build (what ``--mpi N`` needs)."""

from __future__ import annotations

import argparse
import json
import platform
import shutil
from importlib import metadata

from rich.console import Console
from rich.table import Table

from qkdchip.cli import add_json_option
from qkdchip.simulations.meep_jobs import (
    MeepJobError,
    MeepMpiError,
    MeepNotInstalledError,
    meep_build,
    run_job,
)

REQUIRED_DISTRIBUTIONS: tuple[str, ...] = (
    "numpy",
    "scipy",
    "shapely",
    "matplotlib",
    "gdsfactory",
    "klayout",
    "numba",
    "dask",
    "pyarrow",
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "doctor", help="check the environment: versions, meep and MPB", description=__doc__
    )
    add_json_option(parser, "the checks")
    parser.set_defaults(handler=doctor)


def _distribution_version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def checks() -> list[dict[str, str | bool]]:
    """Every check: component, version or result, and whether it passes."""
    rows: list[dict[str, str | bool]] = [
        {"component": "python", "result": platform.python_version(), "ok": True}
    ]
    for name in REQUIRED_DISTRIBUTIONS:
        version = _distribution_version(name)
        rows.append({"component": name, "result": version or "missing", "ok": version is not None})
    try:
        probe = run_job("qkdchip.simulations.meep_jobs.probe:meep_and_mpb", timeout_s=120)
        rows.append({"component": "meep", "result": probe["meep_version"], "ok": True})
        where = f"{probe['python']} (numpy {probe['numpy_version']})"
        rows.append({"component": "meep jobs run under", "result": where, "ok": True})
        band = f"runs (test band at f = {probe['mpb_frequency']:.4f})"
        rows.append({"component": "MPB", "result": band, "ok": True})
    except (MeepNotInstalledError, MeepJobError) as err:
        rows.append({"component": "meep / MPB", "result": str(err), "ok": False})
        if isinstance(err, MeepNotInstalledError):
            return rows
    rows.append(meep_build_row())
    return rows


def meep_build_row() -> dict[str, str | bool]:
    """Which meep build is installed: serial (the project's; ``--mpi 1`` only) or MPI (``--mpi
    N`` then needs ``mpirun``)."""
    component = "meep build"
    try:
        build = meep_build()
    except (MeepNotInstalledError, MeepJobError, MeepMpiError) as err:
        return {"component": component, "result": str(err), "ok": False}
    if not build.with_mpi:
        text = "serial, no MPI (--mpi 1 only; --mpi N needs the MPI build, see the docs)"
        return {"component": component, "result": text, "ok": True}
    mpirun = shutil.which("mpirun")
    mpb = "with MPB" if build.has_mpb else "no MPB: MPB solves come from the cache only"
    if mpirun is None:
        text = f"MPI, {mpb}; no mpirun on PATH ('sudo apt-get install openmpi-bin')"
        return {"component": component, "result": text, "ok": False}
    return {"component": component, "result": f"MPI (--mpi N, {mpirun}), {mpb}", "ok": True}


def doctor(args: argparse.Namespace) -> int:
    """Print a table (or JSON) of versions and checks; exit 0 only when every check passes."""
    rows = checks()
    healthy = all(row["ok"] for row in rows)
    if args.json:
        print(json.dumps({"healthy": healthy, "checks": rows}, indent=1))
        return 0 if healthy else 1
    table = Table(title="qkdchip doctor")
    table.add_column("component")
    table.add_column("version / result")
    table.add_column("ok")
    for row in rows:
        table.add_row(str(row["component"]), str(row["result"]), "yes" if row["ok"] else "NO")
    Console().print(table)
    return 0 if healthy else 1
