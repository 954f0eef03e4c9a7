"""The two fabrication platforms, each one object: its PDK and cells, process statistics, wafer
layout, chip inventory and the inputs of its yield model.

Code takes a :class:`Platform`; only the command line and the scenario name one, and
:func:`platform` turns the name into the object. The PDK, the cells and the yield model's
design point are imported when first asked for, so the yield model runs without gdsfactory.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

from qkdchip.circuits.inventory import TRANSMITTER_SECTIONS, ActiveSection
from qkdchip.circuits.wafer_geometry import INP_WAFER_LAYOUT, SI3N4_WAFER_LAYOUT, WaferLayout
from qkdchip.pdk.process_statistics.inp import INP_PROCESS_STATISTICS
from qkdchip.pdk.process_statistics.model import ProcessStatistics
from qkdchip.pdk.process_statistics.si3n4 import SI3N4_PROCESS_STATISTICS
from qkdchip.validation import check_choice

if TYPE_CHECKING:
    import gdsfactory as gf

    from qkdchip.components.chip_designs import ChipDesigns
    from qkdchip.pdk.rules import DesignRules
    from qkdchip.simulations.wafer_yield.design_point import DrawnEntries


@dataclass(frozen=True)
class Platform:
    """One fabrication platform and everything qkdchip knows about it.

    Attributes:
        name: ``inp`` or ``si3n4``, as the user names it.
        chips: what its product chips are (one line).
        process: the foundry's process statistics.
        wafer_layout: the wafer mask's wafer, die, street and reserved sites.
        inventory: the product chip's active sections when the mask's inventory sets the chip
            composition (the InP transmitter), else empty (the spec file lists the devices).
        design_areas: ``designs -> {device kind: defect-sensitive area (cm²)}`` for the
            devices whose area follows from their design record.
        sensitivity_file: the shipped compact-model table of the yield model.
        keep_clear_layers: layers chip-level wires must not cover.
        map_metrics: wafer-map panels, (device kind, metric, reduction over the die's devices).
        pdk_module: module with ``get_pdk`` and ``design_rules``.
        cells_module: module whose ``__all__`` names the platform's device cells.
        chip_cells: ``module:attribute`` of the ``{name: cell}`` dict of its whole-chip and
            wafer cells (registered like the device cells).
        design_point: ``module:function`` giving the yield table's drawn entries.
        film_thickness_nm: default film thickness of a PDK parametrised by it (None: the PDK
            takes no thickness).
    """

    name: str
    chips: str
    process: ProcessStatistics
    wafer_layout: WaferLayout
    inventory: tuple[ActiveSection, ...]
    design_areas: Callable[[ChipDesigns], Mapping[str, float]]
    sensitivity_file: str
    keep_clear_layers: tuple[str, ...]
    map_metrics: tuple[tuple[str, str, str], ...]
    pdk_module: str
    cells_module: str
    chip_cells: str
    design_point_function: str
    film_thickness_nm: float | None = field(default=None)

    def get_pdk(self, thickness_nm: float | None = None) -> gf.Pdk:
        """The (not activated) PDK; ``thickness_nm`` selects the film where the PDK has one."""
        module = import_module(self.pdk_module)
        if self.film_thickness_nm is None:
            return module.get_pdk()
        return module.get_pdk(self.film_thickness_nm if thickness_nm is None else thickness_nm)

    def design_rules(self, thickness_nm: float | None = None) -> DesignRules:
        """The design rules (of the film ``thickness_nm`` where the PDK has one)."""
        module = import_module(self.pdk_module)
        if self.film_thickness_nm is None:
            return module.design_rules()
        return module.design_rules(self.film_thickness_nm if thickness_nm is None else thickness_nm)

    def activate(self, thickness_nm: float | None = None) -> gf.Pdk:
        """Activate and return the PDK (entry points and test fixtures only)."""
        pdk = self.get_pdk(thickness_nm)
        pdk.activate()
        return pdk

    @contextmanager
    def activated(self, thickness_nm: float | None = None) -> Iterator[gf.Pdk]:
        """The PDK, active for a block; the PDK active before (if any) is active again after."""
        import gdsfactory as gf

        try:
            previous: gf.Pdk | None = gf.get_active_pdk()
        except ValueError:
            previous = None
        try:
            yield self.activate(thickness_nm)
        finally:
            if previous is not None:
                previous.activate()

    @property
    def cells(self) -> ModuleType:
        """The module of the device cells."""
        return import_module(self.cells_module)

    @property
    def chip_cell_factories(self) -> dict[str, Callable[..., gf.Component]]:
        """The whole-chip and wafer cells by name."""
        module, attribute = self.chip_cells.split(":")
        factories: dict[str, Callable[..., gf.Component]] = getattr(
            import_module(module), attribute
        )
        return factories

    @property
    def device_cell_names(self) -> tuple[str, ...]:
        """Names of the device cells."""
        return tuple(self.cells.__all__)

    @property
    def cell_names(self) -> tuple[str, ...]:
        """Names of every registered cell: the device cells, then the chips and wafers."""
        return self.device_cell_names + tuple(self.chip_cell_factories)

    def cell(self, name: str) -> Callable[..., gf.Component]:
        """The ``@gf.cell`` function of the registered cell ``name``."""
        check_choice("cell", name, self.cell_names)
        if name in self.device_cell_names:
            factory: Callable[..., gf.Component] = getattr(self.cells, name)
            return factory
        return self.chip_cell_factories[name]

    def design_point(self, designs: ChipDesigns) -> DrawnEntries:
        """The yield table's entries that the drawn devices of ``designs`` and their
        simulations set."""
        module, function = self.design_point_function.split(":")
        entries: DrawnEntries = getattr(import_module(module), function)(designs)
        return entries

    def __repr__(self) -> str:
        return f"Platform({self.name!r})"


def _no_design_areas(designs: ChipDesigns) -> dict[str, float]:
    return {}


def _comb_ring_area(designs: ChipDesigns) -> dict[str, float]:
    return {"comb_ring": designs.ring.bounding_area_cm2}


INP = Platform(
    name="inp",
    chips="InP QKD transmitter chips",
    process=INP_PROCESS_STATISTICS,
    wafer_layout=INP_WAFER_LAYOUT,
    inventory=TRANSMITTER_SECTIONS,
    design_areas=_no_design_areas,
    sensitivity_file="inp_sensitivity.json",
    keep_clear_layers=("ACTIVE", "PIN", "GRATING"),
    map_metrics=(
        ("dbr_laser", "lasing_detuning_ghz", "mean"),
        ("dbr_laser", "threshold_ma", "max"),
        ("intensity_modulator", "extinction_ratio_db", "min"),
        ("phase_modulator", "vpi_v", "max"),
        ("voa", "attenuation_range_db", "min"),
    ),
    pdk_module="qkdchip.pdk.inp",
    cells_module="qkdchip.components.inp",
    chip_cells="qkdchip.circuits.wafers:INP_CHIP_CELLS",
    design_point_function="qkdchip.simulations.wafer_yield.design_point:inp_design_point",
)
"""The InP generic platform of the transmitter chips."""

SI3N4 = Platform(
    name="si3n4",
    chips="Si3N4 microresonator comb chips",
    process=SI3N4_PROCESS_STATISTICS,
    wafer_layout=SI3N4_WAFER_LAYOUT,
    inventory=(),
    design_areas=_comb_ring_area,
    sensitivity_file="si3n4_sensitivity.json",
    keep_clear_layers=("HEATER",),
    map_metrics=(
        ("comb_ring", "resonance_shift_ghz", "mean"),
        ("comb_ring", "heater_margin_ghz", "min"),
        ("comb_ring", "fsr_ghz", "mean"),
        ("comb_ring", "d2_over_2pi_khz", "mean"),
    ),
    pdk_module="qkdchip.pdk.si3n4",
    cells_module="qkdchip.components.si3n4",
    chip_cells="qkdchip.circuits.wafers:SI3N4_CHIP_CELLS",
    design_point_function="qkdchip.simulations.wafer_yield.design_point:si3n4_design_point",
    film_thickness_nm=100.0,
)
"""The thin-film Si3N4 platform of the comb chip (100 nm film by default)."""

PLATFORMS: dict[str, Platform] = {p.name: p for p in (INP, SI3N4)}
"""Every platform by name."""


def platform(name: str) -> Platform:
    """The platform the user names (``"inp"`` or ``"si3n4"``)."""
    check_choice("platform", name, tuple(PLATFORMS))
    return PLATFORMS[name]


def platform_of_cell(cell: str) -> Platform:
    """The platform whose registered cells include ``cell``."""
    for p in PLATFORMS.values():
        if cell in p.cell_names:
            return p
    every = sorted(name for p in PLATFORMS.values() for name in p.cell_names)
    raise ValueError(f"cell={cell!r} is not registered; allowed: {every}")
