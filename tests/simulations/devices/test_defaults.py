from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qkdchip import cache
from qkdchip.components.chip_designs import ChipDesigns
from qkdchip.pdk import materials
from qkdchip.simulations.devices import defaults
from qkdchip.simulations.devices.defaults import (
    DEFAULT_RESULTS,
    DEVICES,
    default_results,
    default_results_with_keys,
    simulate_default,
)
from qkdchip.simulations.modes import solver


def test_every_default_result_is_served_from_the_shipped_cache(shipped_only: Path) -> None:
    results = default_results()
    assert list(results) == list(DEFAULT_RESULTS)
    for name, result in results.items():
        assert isinstance(result, DEVICES[name].result_type), name
        assert result.to_dict(), name
    assert results["ring"].d2_hz < 0
    assert not list(shipped_only.iterdir())  # nothing computed, nothing written
    assert "meep" not in sys.modules


def test_the_registry_names_the_yield_specs_each_simulation_sets() -> None:
    """Every spec'd yield device with a simulated design point is named by its device; the VOA
    alone has none (its absorption at full bias is an assumption of VoaDesign)."""
    named = {key for d in DEVICES.values() for key in d.yield_specs()}
    assert named == {
        "inp.dbr_laser",
        "inp.phase_modulator",
        "inp.intensity_modulator",
        "si3n4.comb_ring",
    }
    assert [s.metric for s in DEVICES["modulator"].yield_specs()["inp.phase_modulator"].specs] == [
        "vpi_v"
    ]


def test_a_design_is_looked_up_once_per_process_and_user_cache(
    shipped_only: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lookups: list[str] = []
    lookup = cache.lookup

    def counted(kind: str, *args: Any) -> Any:
        lookups.append(kind)
        return lookup(kind, *args)

    monkeypatch.setattr(cache, "lookup", counted)
    defaults._looked_up_results.cache_clear()
    results, keys = default_results_with_keys()
    assert {"modes", "ring"} <= set(lookups)
    results.clear()
    keys["ring"].clear()  # the caller's copies: what the process remembers is unchanged
    first = len(lookups)
    again, again_keys = default_results_with_keys()
    assert len(lookups) == first
    assert list(again) == list(DEFAULT_RESULTS)
    assert again_keys["ring"]

    default_results_with_keys(designs=ChipDesigns().with_overrides({"voa.length_um": 500.0}))
    assert len(lookups) == 2 * first  # another design: looked up
    other = tmp_path / "other_cache"
    other.mkdir()
    monkeypatch.setenv(cache.CACHE_ENV, str(other))
    assert default_results_with_keys()[1] == again_keys
    assert len(lookups) == 3 * first  # another user cache: looked up there


def test_unknown_default_is_rejected() -> None:
    with pytest.raises(ValueError, match="name='laser'"):
        simulate_default("laser")


def _nudged(value: Any, ulps: int) -> Any:
    """``value`` with every float moved by ``ulps`` units in the last place."""
    if isinstance(value, float):
        for _ in range(ulps):
            value = float(np.nextafter(value, math.inf))
        return value
    if isinstance(value, dict):
        return {k: _nudged(v, ulps) for k, v in value.items()}
    if isinstance(value, list):
        return [_nudged(v, ulps) for v in value]
    return value


def test_upstream_results_perturbed_in_their_last_bits_still_hit_the_shipped_cache(
    shipped_only: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every result read from the cache comes back 3 ulps off (as another CPU's BLAS would
    compute it); no key downstream changes, so nothing is recomputed."""
    _, reference_keys = default_results_with_keys()
    reference = default_results()["grating"]
    read = cache.read_record
    monkeypatch.setattr(cache, "read_record", lambda *args: _nudged(read(*args), 3))
    defaults._looked_up_results.cache_clear()  # read again, not from this process's memory
    results, keys = default_results_with_keys()
    assert keys == reference_keys
    assert results["grating"].n_eff_tooth != reference.n_eff_tooth  # the nudge reached it
    assert results["grating"].n_eff_tooth == pytest.approx(reference.n_eff_tooth, rel=1e-14)
    assert not list(shipped_only.iterdir())


def test_index_models_computed_differently_in_their_last_digits_keep_every_key(
    shipped_only: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every material index comes out 1e-9 off (far beyond another math library's last bits):
    the keys name the materials and the models' version, so nothing changes or is recomputed;
    a new version of the models changes the keys."""
    _, reference_keys = default_results_with_keys()
    shifted = {
        name: (lambda wl, model=model: model(wl) * (1.0 + 1e-9))
        for name, model in materials.MATERIALS.items()
    }
    try:
        with monkeypatch.context() as patch:
            patch.setattr(materials, "MATERIALS", shifted)
            materials._scalar_index.cache_clear()
            defaults._looked_up_results.cache_clear()
            shifted_inp = materials.refractive_index("InP", 1.55)
            assert shifted_inp != pytest.approx(3.1649287644, rel=1e-10)
            assert default_results_with_keys()[1] == reference_keys
    finally:
        materials._scalar_index.cache_clear()  # forget the shifted indices
    assert not list(shipped_only.iterdir())

    monkeypatch.setattr(solver, "INDEX_MODELS_VERSION", materials.INDEX_MODELS_VERSION + 1)
    defaults._looked_up_results.cache_clear()
    with cache.offline(), pytest.raises(cache.ResultMissingError):
        default_results_with_keys()


KEYS_SCRIPT = """
import json
from qkdchip.cache import offline
from qkdchip.simulations.devices.defaults import default_results_with_keys
with offline():
    print(json.dumps(default_results_with_keys()[1], sort_keys=True))
"""


def test_every_default_key_is_the_same_under_every_blas_kernel(shipped_only: Path) -> None:
    """The keys of the default devices computed under different OpenBLAS kernels (whose last
    bits differ) agree; a kernel this CPU cannot run (SIGILL) is left out, two must run."""
    outputs = {}
    for kernel in ("Sandybridge", "Haswell", "SkylakeX", "Prescott"):
        env = {**os.environ, "OPENBLAS_CORETYPE": kernel}
        proc = subprocess.run(
            [sys.executable, "-c", KEYS_SCRIPT], env=env, capture_output=True, text=True
        )
        if proc.returncode == -signal.SIGILL:
            continue
        assert proc.returncode == 0, proc.stderr
        outputs[kernel] = json.loads(proc.stdout)
    assert len(outputs) >= 2, outputs
    first = next(iter(outputs.values()))
    assert all(keys == first for keys in outputs.values())
    assert set(first) == set(DEFAULT_RESULTS)
    assert not list(shipped_only.iterdir())
