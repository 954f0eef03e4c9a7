from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from qkdchip.simulations.meep_jobs import MeepJobError, MeepNotInstalledError, run_job, runner
from tests.conftest import requires_meep

STRIP_JOB = "qkdchip.simulations.modes.jobs:strip_effective_index"


@requires_meep
def test_mpb_strip_effective_index_through_subprocess() -> None:
    """1.6 x 0.8 µm Si3N4 strip (n 1.996) in SiO2 (n 1.444) at 1.55 µm: n_eff ~ 1.834."""
    result = run_job(
        STRIP_JOB,
        {
            "width_um": 1.6,
            "thickness_um": 0.8,
            "n_core": 1.996,
            "n_clad": 1.444,
            "wavelength_um": 1.55,
            "resolution": 16,
        },
        timeout_s=120,
    )
    assert result["n_eff"] == pytest.approx(1.834, abs=0.01)
    assert 1.444 < result["n_eff"] < result["n_group"]
    assert "meep" not in sys.modules


@requires_meep
def test_failing_job_reports_the_solvers_error_text() -> None:
    with pytest.raises(MeepJobError, match="TypeError") as err:
        run_job(STRIP_JOB, {"width_um": 1.0}, timeout_s=60)
    assert "Traceback" not in str(err.value)


@requires_meep
def test_timeout_kills_the_job(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parents[3]))
    with pytest.raises(MeepJobError, match="timeout_s"):
        run_job("tests.simulations.meep_jobs.sleeping_job:sleep", {"seconds": 30}, timeout_s=1)


@requires_meep
def test_jobs_run_under_the_interpreter_that_has_meep(monkeypatch: pytest.MonkeyPatch) -> None:
    """The toolkit's own interpreter need not have meep (nor Debian's numpy): the child runs
    under the one that has, with the package first on its path and the user's path after it."""
    monkeypatch.setenv("PYTHONPATH", str(Path(__file__).parents[3]))
    probe = run_job("qkdchip.simulations.meep_jobs.probe:meep_and_mpb", timeout_s=120)
    assert probe["python"] == runner.meep_python()
    if importlib.util.find_spec("meep") is None:
        assert probe["python"] == runner.SYSTEM_PYTHON
    assert run_job("tests.simulations.meep_jobs.sleeping_job:sleep", {"seconds": 0.0}) == {
        "slept": 0.0
    }


def test_the_meep_interpreter_can_be_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(runner.MEEP_PYTHON_ENV, "/nonexistent/python3")
    assert runner.meep_python() is None
    assert not runner.meep_available()
    with pytest.raises(MeepNotInstalledError, match=runner.MEEP_PYTHON_ENV):
        run_job(STRIP_JOB, {})


def test_another_interpreter_gets_the_package_first_and_none_of_this_environment() -> None:
    base = {"PYTHONPATH": "/user/jobs", "PYTHONHOME": "/venv", "VIRTUAL_ENV": "/venv", "X": "1"}
    env = runner._foreign_environment(base, "/tmp/job/package")
    assert env == {"PYTHONPATH": f"/tmp/job/package{os.pathsep}/user/jobs", "X": "1"}
    assert runner._foreign_environment({"X": "1"}, "/p") == {"PYTHONPATH": "/p", "X": "1"}


@pytest.mark.parametrize(
    ("job", "params", "kwargs", "message"),
    [
        ("no_colon", {}, {}, "job="),
        ("a:b", {"x": object()}, {}, "JSON"),
        ("a:b", {}, {"timeout_s": 0}, "timeout_s"),
        ("a:b", {}, {"threads": 0}, "threads"),
    ],
)
def test_bad_arguments_are_rejected_before_any_subprocess(
    job: str, params: dict, kwargs: dict, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        run_job(job, params, **kwargs)


@pytest.mark.parametrize("package", ["ring", "fdtd", "modes"])
def test_the_child_kernels_import_no_gdsfactory(package: str) -> None:
    """The child interpreter of a meep job imports the kernels only (saves ~1.5 s per job)."""
    code = f"import sys, qkdchip.simulations.{package}.jobs; print('gdsfactory' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
