"""meep jobs on several MPI processes: ``mpirun -np N python -m ...child``.

meep splits one simulation's cell between the processes of an MPI build (Debian's
``python3-meep-mpi-default``, OpenMPI); the serial ``python3-meep`` the project installs is not
one, and the two packages conflict. :func:`meep_mpi` sets the processes of the jobs started in
its block (``qkdchip simulate --mpi N``, ``qkdchip sweep --mpi N``); a job given N > 1 checks
that ``mpirun`` exists and that the installed meep is an MPI build, then runs on N processes, of
which rank 0 writes the result. Results and cache keys do not depend on N.
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass

MAX_MPI_PROCESSES = 1024
"""Most MPI processes one job may ask for."""

MPI_INSTALL_HINT = (
    "On Debian bookworm: 'sudo apt-get install python3-meep-mpi-default python3-mpi4py "
    "openmpi-bin'. That package replaces python3-meep (they conflict) and has no MPB "
    "(meep.mpb): every MPB solve (modes, the ring's seed mode, coupler, the grating's and the "
    "MMI's effective indices, modulator) must then come from the cache; see "
    "docs/device-simulations.md."
)

OPENMPI_ENV: dict[str, str] = {"OMPI_MCA_hwloc_base_binding_policy": "none"}
"""Environment of every ``mpirun``, unless the user sets it: no core binding, since several
jobs (one per sweep worker) may run at once and OpenMPI would bind each to the same cores."""

ROOT_ENV: dict[str, str] = {
    "OMPI_ALLOW_RUN_AS_ROOT": "1",
    "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1",
}
"""What OpenMPI's ``mpirun`` needs to run as root (in a container); MPICH ignores it."""

_processes: ContextVar[int] = ContextVar("qkdchip_meep_mpi_processes", default=1)


class MeepMpiError(RuntimeError):
    """A job asked for several MPI processes that this machine cannot give it."""


@dataclass(frozen=True)
class MeepBuild:
    """The installed meep, as its own import reports it.

    Attributes:
        version: meep's version.
        with_mpi: whether it is an MPI build (``meep.with_mpi()``).
        has_mpb: whether ``meep.mpb`` is there (Debian's MPI build has none).
    """

    version: str
    with_mpi: bool
    has_mpb: bool


def check_mpi_processes(value: object, *, name: str = "mpi_processes") -> int:
    """``value`` as a number of MPI processes, a whole number in [1, MAX_MPI_PROCESSES].

    Raises:
        ValueError: anything else, naming ``name`` and the value.
    """
    whole = isinstance(value, int) and not isinstance(value, bool)
    if not whole or not 1 <= value <= MAX_MPI_PROCESSES:  # type: ignore[operator]
        raise ValueError(
            f"{name}={value!r} is outside the allowed range: a whole number of MPI processes "
            f"in [1, {MAX_MPI_PROCESSES}]"
        )
    return value  # type: ignore[return-value]


def current_mpi_processes() -> int:
    """The MPI processes of a job started here without its own ``mpi_processes`` (default 1)."""
    return _processes.get()


@contextlib.contextmanager
def meep_mpi(processes: int) -> Iterator[int]:
    """Run the meep jobs started in this block on ``processes`` MPI processes (1: serially).

    Raises:
        ValueError: ``processes`` is not a whole number in [1, MAX_MPI_PROCESSES].
    """
    token = _processes.set(check_mpi_processes(processes))
    try:
        yield processes
    finally:
        _processes.reset(token)


@functools.cache
def meep_build() -> MeepBuild:
    """The installed meep's version, MPI support and MPB, from a probe job (cached per process).

    Raises:
        MeepNotInstalledError: meep is not installed.
        MeepMpiError: importing meep aborted (an MPI build without mpi4py).
        MeepJobError: the probe failed otherwise.
    """
    from qkdchip.simulations.meep_jobs.runner import MeepJobError, run_job

    try:
        info = run_job("qkdchip.simulations.meep_jobs.probe:build", timeout_s=120, mpi_processes=1)
    except MeepJobError as err:
        if "MPI_INIT" in str(err) or "mpi4py" in str(err):
            raise MeepMpiError(
                "the installed meep is an MPI build but 'import meep' aborts: it needs mpi4py "
                "('sudo apt-get install python3-mpi4py')"
            ) from err
        raise
    return MeepBuild(
        version=str(info["version"]),
        with_mpi=bool(info["with_mpi"]),
        has_mpb=bool(info["has_mpb"]),
    )


def running_as_root() -> bool:
    """Whether this process runs as root (OpenMPI then needs :data:`ROOT_ENV`)."""
    return hasattr(os, "geteuid") and os.geteuid() == 0


def require_mpi(processes: int, *, name: str = "mpi_processes") -> str:
    """The ``mpirun`` that runs a job on ``processes`` > 1 MPI processes.

    Args:
        processes: the MPI processes asked for.
        name: the parameter that asked, as errors name it (``--mpi`` on the command line).

    Raises:
        MeepMpiError: there is no ``mpirun`` on PATH, or the installed meep is not an MPI build
            (the message names the parameter, its value and what to install).
    """
    launcher = shutil.which("mpirun")
    if launcher is None:
        raise MeepMpiError(
            f"{name}={processes} needs 'mpirun' on PATH and meep built with MPI. "
            + MPI_INSTALL_HINT
        )
    build = meep_build()
    if not build.with_mpi:
        raise MeepMpiError(
            f"{name}={processes} needs meep built with MPI; the installed meep "
            f"{build.version} is the serial build ({name}=1 runs it). " + MPI_INSTALL_HINT
        )
    return launcher


def mpi_command(launcher: str, processes: int, argv: list[str]) -> list[str]:
    """``argv`` started on ``processes`` MPI processes by ``launcher``."""
    return [launcher, "-np", str(processes), *argv]


def mpi_environment(base: Mapping[str, str]) -> dict[str, str]:
    """``base`` with what ``mpirun`` needs: no core binding unless set, and, as root, the
    variables that let OpenMPI run."""
    env = dict(base)
    for name, value in OPENMPI_ENV.items():
        env.setdefault(name, value)
    if running_as_root():
        env.update(ROOT_ENV)
    return env
