"""Progress of the wafer-yield Monte Carlo: one call per wafer, the numbers unchanged."""

from __future__ import annotations

import json
from typing import Any

import pytest

from qkdchip.cli import main
from qkdchip.platforms import INP, SI3N4
from qkdchip.simulations.wafer_yield import YieldModel, run_wafer_yield
from qkdchip.simulations.wafer_yield import engine as engine_module


@pytest.fixture(scope="module")
def inp_model() -> YieldModel:
    return YieldModel.build(INP)


def _chunk_of(model: YieldModel, wafers: int) -> int:
    """``_ELEMENTS_PER_CHUNK`` that makes chunks of ``wafers`` wafers for ``model``."""
    return wafers * model.grid.n_dies * model.devices_per_die


@pytest.mark.parametrize("chunk", [None, 3])
def test_progress_once_per_wafer_with_the_total(
    inp_model: YieldModel, monkeypatch: pytest.MonkeyPatch, chunk: int | None
) -> None:
    if chunk is not None:
        monkeypatch.setattr(engine_module, "_ELEMENTS_PER_CHUNK", _chunk_of(inp_model, chunk))
    calls: list[tuple[int, int]] = []
    with_progress = run_wafer_yield(
        INP,
        n_wafers=8,
        seed=4,
        model=inp_model,
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(k, 8) for k in range(1, 9)]
    without = run_wafer_yield(INP, n_wafers=8, seed=4, model=inp_model)
    assert with_progress.to_dict() == without.to_dict()
    assert (with_progress.maps.die_yield == without.maps.die_yield).all()


def test_progress_on_si3n4_sobol() -> None:
    calls: list[tuple[int, int]] = []
    run_wafer_yield(
        SI3N4,
        n_wafers=16,
        seed=1,
        sampler="sobol",
        progress=lambda done, total: calls.append((done, total)),
    )
    assert calls == [(k, 16) for k in range(1, 17)]


def test_yield_command_reports_every_wafer(
    monkeypatch: pytest.MonkeyPatch, tmp_path, capsys: pytest.CaptureFixture[str]
) -> None:
    calls: list[tuple[int, int]] = []
    real = engine_module.run_wafer_yield

    def recording(*args: Any, progress: Any = None, **kwargs: Any) -> Any:
        assert progress is not None

        def both(done: int, total: int) -> None:
            calls.append((done, total))
            progress(done, total)

        return real(*args, progress=both, **kwargs)

    monkeypatch.setattr(engine_module, "run_wafer_yield", recording)
    argv = ["yield", "--wafers", "12", "--seed", "2", "--json", "--out", str(tmp_path)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert json.loads(out)["n_wafers"] == 12  # the bar stays off stdout
    assert calls == [(k, 12) for k in range(1, 13)]
