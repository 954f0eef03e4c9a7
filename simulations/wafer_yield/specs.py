"""Yield specifications (pass/fail windows per device metric, chip composition).

The shipped values live in ``specs.toml`` next to this module; :func:`load_chip_spec` reads it
(or another file in the same format) into validated frozen dataclasses. The die size, street and
wafer are not specs: they come from the platform's wafer mask layout
(:attr:`qkdchip.platforms.Platform.wafer_layout`), so the yield model samples the dies the mask
actually places. Likewise the devices of the InP transmitter (how many of each kind, and their
names) come from the mask's inventory (:attr:`~qkdchip.platforms.Platform.inventory`), so the
yield model counts what the mask draws, and the comb ring's defect-sensitive area comes from its
design record (:attr:`qkdchip.components.designs.RingDesign.bounding_area_cm2`).
"""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import numpy as np
from numpy.typing import NDArray
from pydantic import Field

from qkdchip.circuits.inventory import sections_of_kind
from qkdchip.circuits.wafer_geometry import WaferLayout
from qkdchip.components.chip_designs import ChipDesigns
from qkdchip.platforms import PLATFORMS
from qkdchip.records import InfAsNone, Record
from qkdchip.validation import check_choice

if TYPE_CHECKING:
    from qkdchip.platforms import Platform


@dataclass(frozen=True)
class MetricSpec(Record):
    """Pass window ``[minimum, maximum]`` on one metric (``-inf``/``inf`` for an open bound).

    Its JSON form names the bounds ``min`` and ``max`` and writes an open one as None.
    """

    metric: str
    minimum: Annotated[float, Field(alias="min"), InfAsNone(-math.inf)] = -math.inf
    maximum: Annotated[float, Field(alias="max"), InfAsNone(math.inf)] = math.inf

    def __post_init__(self) -> None:
        if math.isnan(self.minimum) or math.isnan(self.maximum):
            raise ValueError(f"spec {self.metric!r}: bounds must not be NaN")
        if self.minimum > self.maximum:
            raise ValueError(
                f"spec {self.metric!r}: minimum {self.minimum!r} exceeds maximum {self.maximum!r}"
            )

    def passes(self, values: NDArray[np.float64]) -> NDArray[np.bool_]:
        """True where ``values`` lie inside the window."""
        return (values >= self.minimum) & (values <= self.maximum)


@dataclass(frozen=True)
class DeviceSpec(Record):
    """One device kind on a chip: how many, their killer-defect area and metric windows.

    ``names`` (empty, or one per device) names the devices in device-index order, for example
    ``("PM ref", "PM I", "PM II")`` from the transmitter's inventory.
    """

    kind: str
    count: int
    area_cm2: float
    specs: tuple[MetricSpec, ...]
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.count < 1:
            raise ValueError(f"device {self.kind!r}: count = {self.count!r} must be >= 1")
        if not (math.isfinite(self.area_cm2) and self.area_cm2 >= 0.0):
            raise ValueError(f"device {self.kind!r}: area_cm2 = {self.area_cm2!r} must be >= 0")
        if self.names and len(self.names) != self.count:
            raise ValueError(
                f"device {self.kind!r}: {len(self.names)} names for count = {self.count}"
            )


@dataclass(frozen=True)
class ChipSpec(Record):
    """A chip: devices with their specs, operating conditions and its wafer mask layout."""

    platform: str
    devices: tuple[DeviceSpec, ...]
    operating: dict[str, float]
    modulator_kinds: tuple[str, ...]
    layout: WaferLayout

    def __post_init__(self) -> None:
        check_choice("platform", self.platform, tuple(PLATFORMS))
        kinds = [d.kind for d in self.devices]
        if not kinds or len(set(kinds)) != len(kinds):
            raise ValueError(f"devices {kinds} must be non-empty and unique")
        unknown = set(self.modulator_kinds) - set(kinds)
        if unknown:
            raise ValueError(f"modulator_kinds {sorted(unknown)} are not devices of the chip")

    def device(self, kind: str) -> DeviceSpec:
        """The device spec of ``kind``."""
        for d in self.devices:
            if d.kind == kind:
                return d
        raise KeyError(f"chip {self.platform!r} has no device {kind!r}")

    def with_spec(
        self, kind: str, metric: str, *, minimum: float | None = None, maximum: float | None = None
    ) -> ChipSpec:
        """A copy with one metric window changed (validated)."""
        dev = self.device(kind)
        old = next((s for s in dev.specs if s.metric == metric), MetricSpec(metric))
        new = MetricSpec(
            metric,
            old.minimum if minimum is None else float(minimum),
            old.maximum if maximum is None else float(maximum),
        )
        specs = (*(s for s in dev.specs if s.metric != metric), new)
        devices = tuple(replace(d, specs=specs) if d.kind == kind else d for d in self.devices)
        return replace(self, devices=devices)


def _bound(raw: dict[str, Any], key: str, default: float, where: str) -> float:
    if key not in raw:
        return default
    value = raw[key]
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError(f"{where}.{key} = {value!r} must be a number")
    return float(value)


def load_chip_spec(
    platform: Platform, path: str | Path | None = None, *, designs: ChipDesigns | None = None
) -> ChipSpec:
    """Read the chip spec of ``platform`` from the shipped ``specs.toml`` or from ``path``.

    For a platform with an inventory (the InP transmitter) the file lists exactly the device
    kinds the mask draws and gives no ``count``: counts and device names come from the
    inventory. A device whose area follows from its design record (the comb ring, from
    ``designs``) gives no ``area_cm2``.

    Args:
        platform: the platform.
        path: optional TOML file in the format of the shipped one.
        designs: the drawn devices (default :class:`ChipDesigns`).

    Returns:
        The validated spec; ValueError names the offending entry (for example a window whose
        minimum exceeds its maximum).
    """
    name = platform.name
    if path is None:
        text = (
            resources.files("qkdchip.simulations.wafer_yield")
            .joinpath("specs.toml")
            .read_text(encoding="utf-8")
        )
    else:
        text = Path(path).read_text(encoding="utf-8")
    raw = tomllib.loads(text)
    if name not in raw:
        raise ValueError(f"spec file has no [{name}] table")
    chip = raw[name]
    inventory = platform.inventory
    design_areas = platform.design_areas(designs or ChipDesigns())
    entries = chip.get("devices", {})
    if inventory:
        drawn = {s.kind for s in inventory}
        if set(entries) != drawn:
            raise ValueError(
                f"[{name}.devices] lists {sorted(entries)} but the mask draws {sorted(drawn)}"
            )
    devices = []
    for kind, dev in entries.items():
        where = f"{name}.devices.{kind}"
        specs = tuple(
            MetricSpec(
                metric,
                _bound(window, "min", -math.inf, f"{where}.specs.{metric}"),
                _bound(window, "max", math.inf, f"{where}.specs.{metric}"),
            )
            for metric, window in dev.get("specs", {}).items()
        )
        names: tuple[str, ...] = ()
        if inventory:
            if "count" in dev:
                raise ValueError(
                    f"{where}.count: the count comes from the mask inventory "
                    "(qkdchip.circuits.inventory), remove it"
                )
            names = tuple(s.label for s in sections_of_kind(kind, inventory))
            count = len(names)
        elif "count" in dev:
            count = int(dev["count"])
        else:
            raise ValueError(f"{where}.count is missing")
        if kind in design_areas:
            if "area_cm2" in dev:
                raise ValueError(
                    f"{where}.area_cm2: the area comes from the device's design object, remove it"
                )
            area = design_areas[kind]
        elif "area_cm2" in dev:
            area = float(dev["area_cm2"])
        else:
            raise ValueError(f"{where}.area_cm2 is missing")
        devices.append(DeviceSpec(kind=kind, count=count, area_cm2=area, specs=specs, names=names))
    return ChipSpec(
        platform=name,
        devices=tuple(devices),
        operating={k: float(v) for k, v in chip.get("operating", {}).items()},
        modulator_kinds=tuple(chip.get("modulator_kinds", ())),
        layout=platform.wafer_layout,
    )
