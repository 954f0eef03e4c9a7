"""Property tests: cells built from random valid parameters stay DRC-clean with on-grid ports."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qkdchip.components.inp import mmi1x2, mzm, ssc_angled
from qkdchip.components.registry import rules_for
from qkdchip.components.si3n4 import ring_heater, ring_pulley
from qkdchip.pdk.drc import run_drc
from qkdchip.platforms import INP, SI3N4

SETTINGS = settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _um(low: float, high: float, step_nm: int = 2) -> st.SearchStrategy[float]:
    """Values on a ``step_nm`` grid so that widths stay an even number of nm."""
    return st.integers(math.ceil(low * 1e3 / step_nm), int(high * 1e3 / step_nm)).map(
        lambda k: k * step_nm * 1e-3
    )


def _assert_clean(component, platform: str, params: dict) -> None:  # type: ignore[no-untyped-def]
    report = run_drc(component, rules_for(platform, params))
    assert report.clean, report.format()
    for port in component.ports:
        assert round(port.width * 1e3) % 2 == 0


@SETTINGS
@given(
    radius=_um(50.0, 300.0),
    width=_um(0.8, 2.4),
    gap=_um(0.3, 1.5),
    wrap=st.floats(1.0, 90.0),
    bus=_um(0.6, 2.0),
)
def test_thick_pulley_ring_drc_clean(
    radius: float, width: float, gap: float, wrap: float, bus: float
) -> None:
    SI3N4.activate(800.0)
    params = {
        "radius_um": radius,
        "width_um": width,
        "gap_um": gap,
        "thickness_nm": 800.0,
        "wrap_angle_deg": wrap,
        "bus_width_um": bus,
    }
    _assert_clean(ring_pulley(**params), "ring_pulley", params)


@SETTINGS
@given(radius=_um(300.0, 1200.0), wrap=st.sampled_from([0.0, 10.0, 45.0]))
def test_thin_ring_heater_drc_clean(radius: float, wrap: float) -> None:
    SI3N4.activate()
    params = {"radius_um": radius, "wrap_angle_deg": wrap}
    _assert_clean(ring_heater(**params), "ring_heater", params)


@SETTINGS
@given(
    arm=_um(50.0, 3000.0, 1000),
    sep=_um(20.0, 300.0, 1000),
    ridge=_um(1.0, 3.0, 200),
)
def test_mzm_drc_clean(arm: float, sep: float, ridge: float) -> None:
    INP.activate()
    params = {"arm_length_um": arm, "arm_separation_um": sep, "ridge_width_um": ridge}
    _assert_clean(mzm(**params), "mzm", params)


@SETTINGS
@given(width=_um(5.6, 12.0, 200), length=_um(10.0, 200.0, 1000))
def test_mmi_drc_clean(width: float, length: float) -> None:
    INP.activate()
    params = {"width_um": width, "length_um": length, "port_offset_um": width / 4}
    _assert_clean(mmi1x2(**params), "mmi1x2", params)


@SETTINGS
@given(angle=st.floats(0.0, 12.0), tip=_um(0.8, 2.0, 200))
def test_ssc_drc_clean(angle: float, tip: float) -> None:
    INP.activate()
    params = {"facet_angle_deg": angle, "tip_width_um": tip}
    _assert_clean(ssc_angled(**params), "ssc_angled", params)
