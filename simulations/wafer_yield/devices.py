"""Registry of compact device models: which process parameters each one reads."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from qkdchip.platforms import INP, SI3N4, Platform
from qkdchip.simulations.wafer_yield import devices_inp, devices_si3n4
from qkdchip.simulations.wafer_yield.sensitivity_table import SensitivityTable

Evaluate = Callable[
    [Mapping[str, NDArray[np.float64]], Mapping[str, float], SensitivityTable, Mapping[str, float]],
    dict[str, NDArray[np.float64]],
]


@dataclass(frozen=True)
class DeviceModel:
    """A compact model and the process parameters it needs.

    Attributes:
        kind: device kind (the key used in the spec file).
        platform: the platform whose chips hold the device.
        parameters: process parameters the model reads (device-level noise is drawn for these).
        draws: parameters that need several independent device-level draws per device (for
            example the two MMIs of a Mach-Zehnder); the values get a trailing axis of that size.
        evaluate: the model function ``(values, nominals, table, operating) -> metrics``.
    """

    kind: str
    platform: Platform
    parameters: tuple[str, ...]
    evaluate: Evaluate
    draws: Mapping[str, int] = field(default_factory=dict)


_INP_WAVEGUIDE = ("ridge_width_nm", "q_thickness_nm", "q_bandgap_wavelength_nm")

DEVICE_MODELS: dict[str, DeviceModel] = {
    "dbr_laser": DeviceModel(
        kind="dbr_laser",
        platform=INP,
        parameters=(
            *_INP_WAVEGUIDE,
            "deep_etch_depth_nm",
            "grating_period_nm",
            "grating_etch_depth_nm",
            "active_internal_loss_per_cm",
        ),
        evaluate=devices_inp.dbr_laser,
    ),
    "phase_modulator": DeviceModel(
        kind="phase_modulator",
        platform=INP,
        parameters=(*_INP_WAVEGUIDE, "p_doping_rel"),
        evaluate=devices_inp.phase_modulator,
    ),
    "intensity_modulator": DeviceModel(
        kind="intensity_modulator",
        platform=INP,
        parameters=(*_INP_WAVEGUIDE, "p_doping_rel", "mmi_split_error", "arm_loss_mismatch_db"),
        evaluate=devices_inp.intensity_modulator,
        draws={"mmi_split_error": 2},
    ),
    "voa": DeviceModel(
        kind="voa", platform=INP, parameters=_INP_WAVEGUIDE, evaluate=devices_inp.voa
    ),
    "comb_ring": DeviceModel(
        kind="comb_ring",
        platform=SI3N4,
        parameters=(
            "width_nm",
            "film_thickness_nm",
            "core_index_delta",
            "ring_coupling_gap_nm",
            "heater_efficiency_rel",
        ),
        evaluate=devices_si3n4.comb_ring,
    ),
}


def device_model(kind: str) -> DeviceModel:
    """The registered model of ``kind``."""
    try:
        return DEVICE_MODELS[kind]
    except KeyError:
        raise ValueError(
            f"device kind {kind!r} has no compact model; known: {sorted(DEVICE_MODELS)}"
        ) from None
