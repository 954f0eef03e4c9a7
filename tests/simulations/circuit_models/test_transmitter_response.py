"""The transmitter's response from its layout netlist against the analytic limits of its
devices: Vπ = Vπ·L / L, the Mach-Zehnder extinction of the MMI's split and the driven arm's
electro-absorption (the yield model's compact form at its design point), losses that add along
a path without reflections."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from qkdchip import cache
from qkdchip.components.designs import MmiDesign
from qkdchip.simulations.circuit_models import (
    TransmitterResponse,
    cells,
    circuit,
    devices,
    inp_models,
    transmitter_response,
)
from qkdchip.simulations.circuit_models.devices import REFERENCE_WAVELENGTH_UM
from qkdchip.simulations.circuit_models.parameters import (
    INP_SSC_COUPLING_LOSS_DB,
    electro_absorption_loss_db,
    mmi_spectrum,
    waveguide_parameters,
)
from qkdchip.simulations.circuit_models.solver import call_model
from qkdchip.simulations.circuit_models.transmitter import transmitter_netlist
from qkdchip.simulations.devices.defaults import simulate_default
from qkdchip.simulations.wafer_yield.devices_inp import mz_extinction_ratio_db

WAVELENGTHS_UM = (1.55, 1.56)


@pytest.fixture(scope="module")
def netlist() -> dict[str, Any]:
    return transmitter_netlist()


@pytest.fixture(scope="module")
def responses(
    netlist: dict[str, Any], _session_device_cache: Path
) -> dict[float, TransmitterResponse]:
    with pytest.MonkeyPatch.context() as patch:  # device results stay out of the user's cache
        patch.setenv(cache.CACHE_ENV, str(_session_device_cache))
        return {
            wl: transmitter_response(netlist=netlist, wavelength_um=wl) for wl in WAVELENGTHS_UM
        }


def _settings(netlist: dict[str, Any], instance: str) -> dict[str, Any]:
    inst = netlist["instances"][instance]
    return {**inst.get("info", {}), **inst.get("settings", {})}


def _loss_db(netlist: dict[str, Any], instance: str, a: str, b: str, wl: float) -> float:
    """Loss in dB from port ``a`` to ``b`` of ``instance``'s own model, solved alone."""
    model = inp_models()[netlist["instances"][instance]["component"]]
    s = call_model(model, wl, _settings(netlist, instance))
    return -10 * math.log10(abs(s[(a, b)][0]) ** 2)


def _path_ports(netlist: dict[str, Any], path: tuple[str, ...]) -> list[tuple[str, str]]:
    """(entry, exit) port of each instance along ``path`` (from ``in_signal`` to ``out``),
    read from the nets."""
    meets: dict[tuple[str, str], str] = {}  # (instance, port) -> the instance or chip port met
    for net in netlist["nets"]:
        (i, p), (j, q) = net["p1"].split(","), net["p2"].split(",")
        meets[(i, p)], meets[(j, q)] = j, i
    for name, ref in netlist["ports"].items():
        i, p = ref.split(",")
        meets[(i, p)] = name

    def facing(instance: str, other: str) -> str:
        return next(p for (i, p), o in meets.items() if i == instance and o == other)

    before, after = ("in_signal", *path[:-1]), (*path[1:], "out")
    return [
        (facing(inst, b), facing(inst, a)) for inst, b, a in zip(path, before, after, strict=True)
    ]


@pytest.mark.parametrize("wl", WAVELENGTHS_UM)
def test_pm_and_im_vpi_are_the_records_vpi_l_over_the_drawn_length(
    responses: dict[float, TransmitterResponse], netlist: dict[str, Any], wl: float
) -> None:
    r = responses[wl]
    vpi_l_v_mm = simulate_default("modulator").vpi_l_v_mm
    lambda_scale = wl / waveguide_parameters("xs_inp_deep").wavelength0_um  # Vπ ∝ λ
    assert [m.label for m in r.phase_modulators] == ["PM ref", "PM I", "PM II"]
    for pm in r.phase_modulators:
        length_mm = _settings(netlist, pm.instance)["length_um"] * 1e-3
        assert pm.vpi_v == pytest.approx(vpi_l_v_mm / length_mm * lambda_scale, rel=0.01)
        assert pm.linearity_rad < 1e-9  # the electro-optic phase is linear in V
        assert pm.phase_rad[0] == 0.0
        assert pm.phase_rad[-1] == pytest.approx(2 * math.pi, abs=1e-9)
    for im in r.intensity_modulators:
        arm_mm = _settings(netlist, im.instance)["arm_length_um"] * 1e-3
        assert im.vpi_v == pytest.approx(vpi_l_v_mm / arm_mm * lambda_scale, rel=0.01)
        assert im.peak_voltage_v == 0.0  # identical arms interfere in phase undriven
    assert r.pm_vpi_v == max(m.vpi_v for m in r.phase_modulators)


@pytest.mark.parametrize("wl", WAVELENGTHS_UM)
def test_im_extinction_is_the_mach_zehnder_limit_of_the_mmi_split(
    responses: dict[float, TransmitterResponse], netlist: dict[str, Any], wl: float
) -> None:
    """Splitter and combiner are the same MMI, so the arms' fields reach the output as
    P_o2 and P_o3 of its split, the driven one times t, its electro-absorption at the null
    drive (undriven at the maximum): T_max/T_min = ((P_o2 + P_o3)/(P_o2 t - P_o3))^2."""
    r = responses[wl]
    assert [m.label for m in r.intensity_modulators] == ["IM III", "IM I", "IM II"]
    for im in r.intensity_modulators:
        mmi = MmiDesign(n_inputs=1, **_settings(netlist, im.instance)["mmi"])
        sampled, upper, lower = mmi_spectrum(mmi)
        p2, p3 = np.interp(wl, sampled, upper), np.interp(wl, sampled, lower)
        vpi_at_wl0 = im.vpi_v * REFERENCE_WAVELENGTH_UM / wl
        ea_db = electro_absorption_loss_db() * (im.null_voltage_v / vpi_at_wl0) ** 2
        t = 10 ** (-ea_db / 20)
        expected_db = 20 * math.log10((p2 + p3) / abs(p2 * t - p3))
        assert im.extinction_db == pytest.approx(expected_db, abs=0.1)
        assert min(im.transmission) >= 10 ** (-im.extinction_db / 10) * (1 - 1e-6)
        assert max(im.transmission) == pytest.approx(1.0, abs=1e-9)
    assert r.im_extinction_db == min(m.extinction_db for m in r.intensity_modulators)


@pytest.mark.parametrize("wl", WAVELENGTHS_UM)
def test_insertion_loss_is_the_sum_of_the_losses_along_the_path(
    responses: dict[float, TransmitterResponse], netlist: dict[str, Any], wl: float
) -> None:
    """Only the laser's gratings reflect, so the path's losses add: each instance solved
    alone, at the response's operating point (IMs at 0 V, their maximum)."""
    r = responses[wl]
    path = r.signal_path
    assert path[0] == netlist["ports"]["in_signal"].split(",")[0]
    assert path[-1] == netlist["ports"]["out"].split(",")[0]
    hops = _path_ports(netlist, path)
    losses = [_loss_db(netlist, inst, a, b, wl) for inst, (a, b) in zip(path, hops, strict=True)]
    assert r.insertion_loss_db == pytest.approx(sum(losses), abs=0.05)
    laser = path.index(r.sections["DBR sig"])
    assert r.injection_loss_db == pytest.approx(sum(losses[:laser]), abs=0.05)
    assert r.laser_to_output_loss_db == pytest.approx(sum(losses[laser + 1 :]), abs=0.05)
    # the input SSC and its link: the facet's coupling loss and the ridge's propagation
    xs = waveguide_parameters("xs_inp_deep")
    ssc, link = (_settings(netlist, inst) for inst in path[:laser])
    ridge_cm = (ssc["optical_length_um"] + link["length_um"]) * 1e-4
    expected = INP_SSC_COUPLING_LOSS_DB + xs.loss_db_per_cm * ridge_cm
    assert r.injection_loss_db == pytest.approx(expected, abs=1e-9)


def test_insertion_loss_is_the_whole_netlist_solved_at_once(
    responses: dict[float, TransmitterResponse], netlist: dict[str, Any]
) -> None:
    wl = WAVELENGTHS_UM[0]
    s = circuit(netlist, inp_models(), wavelength_um=wl)
    for port, loss_db in (
        ("in_signal", responses[wl].insertion_loss_db),
        ("in_reference", responses[wl].reference_insertion_loss_db),
    ):
        assert -10 * math.log10(abs(s[(port, "out")][0]) ** 2) == pytest.approx(loss_db, abs=1e-9)


def test_voa_ranges_are_their_full_attenuation(
    responses: dict[float, TransmitterResponse], netlist: dict[str, Any]
) -> None:
    r = responses[WAVELENGTHS_UM[0]]
    assert [v.label for v in r.voas] == ["VOA I", "VOA II"]
    for voa in r.voas:
        assert voa.max_setting_db == _settings(netlist, voa.instance)["max_attenuation_db"]
        assert voa.attenuation_range_db == pytest.approx(voa.max_setting_db, abs=1e-9)
    in_series = sum(v.attenuation_range_db for v in r.voas)
    assert r.voa_attenuation_range_db == pytest.approx(in_series, abs=1e-9)


def test_record_round_trips_through_json(responses: dict[float, TransmitterResponse]) -> None:
    r = responses[WAVELENGTHS_UM[0]]
    data = json.loads(json.dumps(r.to_dict(), allow_nan=False))
    assert TransmitterResponse.from_dict(data) == r
    assert data["im_vpi_v"] == r.im_vpi_v
    with pytest.raises(ValueError, match="im_extinction_db"):
        TransmitterResponse.from_dict({**data, "im_extinction_db": 30.0})


def test_balanced_splitters_leave_the_yield_models_nominal_extinction(
    netlist: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """With perfect splitters only the driven arm's electro-absorption unbalances the arms:
    the circuit's extinction is the yield model's compact Mach-Zehnder at its design point
    (which counts the arm's loss in both states) plus 20 log10(2 / (1 + t)), the maximum's
    gain from an undriven arm (t: the arm's field transmission at Vπ)."""

    def balanced(*, wavelength_um: Any, **settings: Any) -> Any:
        return devices.mmi_1x2(wavelength_um=wavelength_um, power_o2=0.5, power_o3=0.5)

    monkeypatch.setattr(cells, "mmi1x2", balanced)
    r = transmitter_response(netlist=netlist, points=101)
    half = np.array(0.5)
    compact = mz_extinction_ratio_db(
        k1=half, k2=half, arm_loss_db=np.array(electro_absorption_loss_db())
    )
    t = 10 ** (-electro_absorption_loss_db() / 20)
    for im in r.intensity_modulators:
        assert im.null_voltage_v == pytest.approx(im.vpi_v, rel=1e-3)
        undriven_maximum_db = 20 * math.log10(2 / (1 + t))
        assert im.extinction_db == pytest.approx(float(compact) + undriven_maximum_db, abs=0.01)
    assert json.dumps(r.to_dict(), allow_nan=False)


def test_without_electro_absorption_the_extinction_is_the_splits_alone(
    netlist: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """No electro-absorption and balanced splitters: only the refinement's residual phase
    error is left (the simulated split's 1e-5 imbalance alone allows about 103 dB)."""

    def balanced(*, wavelength_um: Any, **settings: Any) -> Any:
        return devices.mmi_1x2(wavelength_um=wavelength_um, power_o2=0.5, power_o3=0.5)

    monkeypatch.setattr(cells, "mmi1x2", balanced)
    monkeypatch.setattr(cells, "electro_absorption_loss_db", lambda: 0.0)
    assert transmitter_response(netlist=netlist, points=101).im_extinction_db > 130.0


def test_a_lane_without_its_sections_is_refused(netlist: dict[str, Any]) -> None:
    broken = copy.deepcopy(netlist)
    im = next(name for name, inst in broken["instances"].items() if inst["component"] == "mzm")
    broken["instances"][im]["component"] = "straight_link"
    with pytest.raises(ValueError, match="the netlist's signal lane draws"):
        transmitter_response(netlist=broken)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"wavelength_um": 1.6}, r"wavelength_um=1.6 is outside the allowed range \[1.53, 1.57\]"),
        ({"im_voltage_range_v": (5.0, 2.0)}, r"im_voltage_range_v\[1\]=2.0"),
        ({"im_voltage_range_v": (-1.0, 8.0)}, r"im_voltage_range_v\[0\]=-1.0"),
        ({"im_voltage_range_v": (0.0, 4.0)}, "1 turning point.*widen im_voltage_range_v"),
        ({"pm_max_voltage_v": 2.0}, "pm_max_voltage_v=2.0 turns the phase of PM ref by only"),
        ({"pm_max_voltage_v": 0.0}, r"pm_max_voltage_v=0.0 is outside the allowed range"),
        ({"points": 5}, r"points=5 is outside the allowed range \[21, 4001\]"),
        ({"points": 50.5}, "points=50.5 must be an integer"),
    ],
)
def test_bad_input_is_refused(netlist: dict[str, Any], kwargs: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        transmitter_response(netlist=netlist, **{"points": 41, **kwargs})
