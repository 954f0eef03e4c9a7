"""The platform objects: one home for each platform's PDK, cells, process and yield inputs."""

from __future__ import annotations

from importlib import resources

import pytest

from qkdchip.components.registry import cell_names
from qkdchip.platforms import INP, PLATFORMS, SI3N4, platform, platform_of_cell


def test_a_named_platform_is_the_object() -> None:
    assert platform("inp") is INP
    assert platform("si3n4") is SI3N4
    with pytest.raises(ValueError, match="platform='gaas'"):
        platform("gaas")


def test_every_cell_belongs_to_exactly_one_platform() -> None:
    every = cell_names()
    assert len(every) == len(set(every)) == sum(len(p.cell_names) for p in PLATFORMS.values())
    assert platform_of_cell("mzm") is INP
    assert platform_of_cell("ring_pulley") is SI3N4
    with pytest.raises(ValueError, match="cell='nope'"):
        platform_of_cell("nope")


def test_the_si3n4_default_film_is_the_pdk_default() -> None:
    from qkdchip.pdk import si3n4

    assert SI3N4.film_thickness_nm == si3n4.DEFAULT_THICKNESS_NM
    assert SI3N4.design_rules().layer("WG").min_bend_radius_um == (
        si3n4.design_rules().layer("WG").min_bend_radius_um
    )
    assert SI3N4.design_rules(800.0) == si3n4.design_rules(800.0)


@pytest.mark.parametrize("p", [INP, SI3N4], ids=lambda p: p.name)
def test_each_platform_holds_its_own_inputs(p) -> None:  # type: ignore[no-untyped-def]
    assert p.process.platform == p.name
    tables = resources.files("qkdchip.simulations.wafer_yield.tables")
    assert tables.joinpath(p.sensitivity_file).is_file()
    assert set(p.keep_clear_layers) <= {name for name, _ in p.design_rules().gds_layers}
    assert repr(p) == f"Platform({p.name!r})"
