"""Sensitivity tables that calibrate the compact device models.

A table is a JSON file with a ``design`` block (the design point: lengths, nominal indices) and a
``sensitivities`` block (first derivatives of device quantities with respect to process
parameters), each entry ``{"value": number, "source": text}``. The shipped tables hold MPB
results computed for the project (waveguide dispersion only) plus marked assumptions; a table
produced by the device simulations can replace them by passing its path to
:func:`load_sensitivity_table`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from qkdchip.components.chip_designs import ChipDesigns

if TYPE_CHECKING:
    from qkdchip.platforms import Platform


@dataclass(frozen=True)
class SensitivityTable:
    """Design point and sensitivities of one platform's compact models.

    Attributes:
        platform: ``"inp"`` or ``"si3n4"``.
        design: name -> value of the design point.
        sensitivities: name -> first derivative.
        sources: name -> provenance text, for every entry of both blocks.
        provenance: provenance of the table as a whole.
        drawn: design entries set by the drawn devices, not by the table file.
    """

    platform: str
    design: dict[str, float]
    sensitivities: dict[str, float]
    sources: dict[str, str]
    provenance: str
    drawn: tuple[str, ...] = ()

    def d(self, name: str) -> float:
        """A design-point value by name."""
        try:
            return self.design[name]
        except KeyError:
            raise KeyError(f"sensitivity table {self.platform!r} has no design {name!r}") from None

    def linear(
        self,
        values: Mapping[str, NDArray[np.float64]],
        nominals: Mapping[str, float],
        terms: Mapping[str, str],
    ) -> NDArray[np.float64]:
        """First-order response ``sum_k s(k) * (values[p_k] - nominals[p_k])``.

        Args:
            values: process parameter name -> sampled values.
            nominals: process parameter name -> nominal value.
            terms: sensitivity name -> the process parameter it multiplies.
        """
        out = np.zeros(())
        for sensitivity, param in terms.items():
            out = out + self.s(sensitivity) * (values[param] - nominals[param])
        return out

    def s(self, name: str) -> float:
        """A sensitivity by name."""
        try:
            return self.sensitivities[name]
        except KeyError:
            raise KeyError(
                f"sensitivity table {self.platform!r} has no sensitivity {name!r}"
            ) from None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary in the file format (without the drawn devices' entries)."""
        return {
            "platform": self.platform,
            "kind": "sensitivity_table",
            "version": 1,
            "provenance": self.provenance,
            "design": {
                k: {"value": v, "source": self.sources[k]}
                for k, v in self.design.items()
                if k not in self.drawn
            },
            "sensitivities": {
                k: {"value": v, "source": self.sources[k]}
                for k, v in self.sensitivities.items()
                if k not in self.drawn
            },
        }


def _parse_block(raw: dict[str, Any], block: str, where: str) -> tuple[dict, dict]:
    values: dict[str, float] = {}
    sources: dict[str, str] = {}
    for name, entry in raw.get(block, {}).items():
        if not isinstance(entry, dict) or "value" not in entry:
            raise ValueError(f"{where}: {block}.{name} must be {{'value': number, 'source': text}}")
        value = float(entry["value"])
        if not math.isfinite(value):
            raise ValueError(f"{where}: {block}.{name} = {value!r} must be finite")
        values[name] = value
        sources[name] = str(entry.get("source", ""))
    return values, sources


def load_sensitivity_table(
    platform: Platform, path: str | Path | None = None, *, designs: ChipDesigns | None = None
) -> SensitivityTable:
    """Load the shipped table of ``platform`` or the JSON file at ``path``.

    Args:
        platform: the platform.
        path: optional JSON file in the same format (for example a simulated table).
        designs: the drawn devices whose design point is merged in (default
            :class:`~qkdchip.components.chip_designs.ChipDesigns`).

    Returns:
        The parsed table with the drawn devices' design point merged in
        (:meth:`~qkdchip.platforms.Platform.design_point`); raises
        ValueError on a malformed file, a platform mismatch or an entry the drawn devices set.
    """
    if path is None:
        text = (
            resources.files("qkdchip.simulations.wafer_yield.tables")
            .joinpath(platform.sensitivity_file)
            .read_text(encoding="utf-8")
        )
        where = f"shipped table {platform.sensitivity_file}"
    else:
        text = Path(path).read_text(encoding="utf-8")
        where = str(path)
    raw = json.loads(text)
    if raw.get("platform") != platform.name:
        raise ValueError(f"{where}: platform {raw.get('platform')!r} is not {platform.name!r}")
    design, design_sources = _parse_block(raw, "design", where)
    sens, sens_sources = _parse_block(raw, "sensitivities", where)
    drawn = platform.design_point(designs or ChipDesigns())
    for block, values, sources, entries in (
        ("design", design, design_sources, drawn.design),
        ("sensitivities", sens, sens_sources, drawn.sensitivities),
    ):
        clash = sorted(set(entries) & set(values))
        if clash:
            raise ValueError(
                f"{where}: {block} entries {clash} are set by the drawn devices "
                "(qkdchip.simulations.wafer_yield.design_point); remove them from the table"
            )
        for name, (value, source) in entries.items():
            values[name], sources[name] = value, source
    return SensitivityTable(
        platform=platform.name,
        design=design,
        sensitivities=sens,
        sources={**design_sources, **sens_sources},
        provenance=str(raw.get("provenance", "")),
        drawn=(*drawn.design, *drawn.sensitivities),
    )
