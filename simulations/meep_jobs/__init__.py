"""Run meep and MPB jobs in a child process (JSON in, JSON out).

Importing meep switches the whole process to flush-to-zero arithmetic and prints to stdout,
so the toolkit never imports it in its own process. A *job* is a plain function
``module:function`` that takes keyword arguments of JSON types and returns a JSON-serialisable
dict; :func:`run_job` runs it in a fresh interpreter and returns that dict. With an MPI build of
meep a job may run on several processes (``mpi_processes``, or :func:`meep_mpi` for every job
of a block; :mod:`~qkdchip.simulations.meep_jobs.mpi`).
"""

from qkdchip.simulations.meep_jobs.mpi import MeepBuild, MeepMpiError, meep_build, meep_mpi
from qkdchip.simulations.meep_jobs.runner import (
    MeepJobError,
    MeepNotInstalledError,
    meep_available,
    run_job,
)

__all__ = [
    "MeepBuild",
    "MeepJobError",
    "MeepMpiError",
    "MeepNotInstalledError",
    "meep_available",
    "meep_build",
    "meep_mpi",
    "run_job",
]
