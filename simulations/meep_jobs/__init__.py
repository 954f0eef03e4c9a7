"""Run meep and MPB jobs in a child process (JSON in, JSON out).

Importing meep switches the whole process to flush-to-zero arithmetic and prints to stdout,
so the toolkit never imports it in its own process. A *job* is a plain function
``module:function`` that takes keyword arguments of JSON types and returns a JSON-serialisable
dict; :func:`run_job` runs it in a fresh interpreter and returns that dict.
"""

from qkdchip.simulations.meep_jobs.runner import (
    MeepJobError,
    MeepNotInstalledError,
    meep_available,
    run_job,
)

__all__ = ["MeepJobError", "MeepNotInstalledError", "meep_available", "run_job"]
