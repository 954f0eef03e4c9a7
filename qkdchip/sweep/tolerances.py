"""The fabrication tolerance of each design field: the sensitivity analysis's default steps.

A drawn dimension comes out of the fab off by the spread of the process parameter that sets
it. :data:`TOLERANCES` maps each design field (``design.<device>.<field>``) to one standard
deviation of that parameter in the platform's process statistics
(:mod:`qkdchip.pdk.process_statistics`), in the field's unit: the total spread, the
wafer-to-wafer, within-wafer, die and device parts added in quadrature (what one fabricated
device sees against its drawn value). Fields that one process step draws together move
together: the InP devices share one deep ridge (``linked``).

Fields without a process statistic (drawn lengths, the ring radius, electrode widths) have no
entry; a sensitivity analysis takes them with an explicit step.
"""

from __future__ import annotations

from dataclasses import dataclass

from qkdchip.components.chip_designs import INP_DEVICES
from qkdchip.pdk.process_statistics import (
    INP_PROCESS_STATISTICS,
    SI3N4_PROCESS_STATISTICS,
    ProcessStatistics,
)
from qkdchip.records import Record
from qkdchip.validation import check_range

UNIT_SCALES: dict[tuple[str, str], float] = {("nm", "µm"): 1e-3, ("nm", "nm"): 1.0}
"""Factor from a process parameter's unit to a design field's unit."""


@dataclass(frozen=True)
class FieldTolerance(Record):
    """One sigma of fabrication error of a design field.

    Attributes:
        path: the design field (``design.ring.gap_um``).
        sigma: one standard deviation of its fabricated value, in the field's unit (> 0).
        unit: the field's unit (``µm``, ``nm``).
        process: the process parameter it comes from, ``<platform>.<parameter>``.
        source: where the number comes from.
        linked: other fields drawn by the same process step, which take the same value.
    """

    path: str
    sigma: float
    unit: str
    process: str
    source: str
    linked: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.path.startswith("design."):
            raise ValueError(f"path={self.path!r} must name a design field (design.DEVICE.FIELD)")
        check_range(f"{self.path} sigma", self.sigma, 0.0, low_open=True)

    @property
    def paths(self) -> tuple[str, ...]:
        """The field and its linked fields."""
        return (self.path, *self.linked)


def from_process(
    path: str,
    *,
    statistics: ProcessStatistics,
    parameter: str,
    unit: str,
    why: str,
    linked: tuple[str, ...] = (),
) -> FieldTolerance:
    """The tolerance of ``path``: one total sigma of ``parameter`` of ``statistics``.

    Args:
        path: the design field.
        statistics: the platform's process statistics.
        parameter: the process parameter that sets the field.
        unit: the field's unit (the parameter's is converted to it).
        why: why that parameter sets that field (one clause).
        linked: fields that take the same value.
    """
    entry = statistics[parameter]
    scale = UNIT_SCALES[(entry.unit, unit)]
    return FieldTolerance(
        path=path,
        sigma=float(f"{entry.sigma_total * scale:.6g}"),
        unit=unit,
        process=f"{statistics.platform}.{parameter}",
        source=(
            f"{why}: 1σ of {statistics.platform} {parameter} (wafer, within-wafer, die and "
            f"device parts in quadrature, {entry.sigma_total:.4g} {entry.unit}); {entry.source}"
        ),
        linked=linked,
    )


def _table() -> dict[str, FieldTolerance]:
    si3n4, inp = SI3N4_PROCESS_STATISTICS, INP_PROCESS_STATISTICS
    ridges = tuple(f"design.{device}.ridge_width_um" for device in INP_DEVICES)
    litho = "deep-etch lithography draws it with the ridge"
    entries = (
        from_process("design.ring.width_um", statistics=si3n4, parameter="width_nm", unit="µm",
                     why="strip width of the ring"),
        from_process("design.ring.bus_width_um", statistics=si3n4, parameter="width_nm",
                     unit="µm", why="strip width of the bus"),
        from_process("design.ring.gap_um", statistics=si3n4, parameter="ring_coupling_gap_nm",
                     unit="µm", why="ring-bus gap error"),
        from_process("design.ring.thickness_nm", statistics=si3n4,
                     parameter="film_thickness_nm", unit="nm", why="Si3N4 film thickness"),
        from_process(ridges[0], statistics=inp, parameter="ridge_width_nm", unit="µm",
                     why="InP deep ridge, one for every transmitter device", linked=ridges[1:]),
        from_process("design.laser.period_nm", statistics=inp, parameter="grating_period_nm",
                     unit="nm", why="DBR grating period"),
        from_process("design.mmi.width_um", statistics=inp, parameter="ridge_width_nm",
                     unit="µm", why=f"MMI body width ({litho})"),
        from_process("design.mmi.access_width_um", statistics=inp, parameter="ridge_width_nm",
                     unit="µm", why=f"MMI access width ({litho})"),
        from_process("design.ssc.tip_width_um", statistics=inp, parameter="ridge_width_nm",
                     unit="µm", why=f"spot-size converter tip ({litho})"),
    )  # fmt: skip
    return {t.path: t for t in entries}


TOLERANCES: dict[str, FieldTolerance] = _table()
"""Design field -> its fabrication tolerance, for every field a process statistic sets."""


def tolerance_of(path: str) -> FieldTolerance | None:
    """The tolerance of ``path`` (a field or one linked to it), or None where none is known."""
    if path in TOLERANCES:
        return TOLERANCES[path]
    return next((t for t in TOLERANCES.values() if path in t.linked), None)


_UNITS: dict[str, str] = {
    "um": "µm", "nm": "nm", "mm": "mm", "cm": "cm", "m": "m", "km": "km",
    "db": "dB", "dbm": "dBm", "hz": "Hz", "khz": "kHz", "ghz": "GHz", "thz": "THz",
    "s": "s", "ms": "ms", "us": "µs", "ns": "ns", "ps": "ps", "w": "W", "v": "V",
    "deg": "°", "rad": "rad",
}  # fmt: skip
"""Unit words of scenario key names (``gap_um``, ``loss_db_per_km``) and how they print."""


def path_unit(path: str) -> str:
    """The unit of scenario parameter ``path``, read from its name (``fibre.loss_db_per_km``:
    ``dB/km``; ``design.ring.gap_um``: ``µm``); ``""`` for a number without one."""
    words = path.rsplit(".", 1)[-1].split("_")
    if len(words) >= 4 and words[-2] == "per" and words[-3] in _UNITS and words[-1] in _UNITS:
        return f"{_UNITS[words[-3]]}/{_UNITS[words[-1]]}"
    if len(words) >= 2 and words[-1] in _UNITS:
        return _UNITS[words[-1]]
    return ""
