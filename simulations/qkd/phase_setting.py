"""Which equally spaced phases a DAC-driven phase modulator can set, and how well.

The random phase of each SNS pulse is set by a phase modulator (the client chip's second PM)
whose voltage comes from a DAC: ``2^b`` codes across a peak-to-peak range ``V_pp``, one code
step ``V_pp / (2^b - 1)``, a phase ``pi V / V_pi``. ``M`` equally spaced phases ``2 pi k / M``
need

* a span: the driver reaches ``pi V_pp / V_pi >= 2 pi (M - 1) / M``, i.e.
  ``M <= 2 pi / (2 pi - span)`` when the span is below ``2 pi``;
* distinct codes: neighbouring targets at least one code step apart,
  ``M <= 2 pi / step_phase``;

so the largest usable ``M`` is the smaller of the two (derived here). Each target voltage
``k 2 V_pi / M`` is rounded to the nearest code; the phase error of code ``k`` is the rounding
error times ``pi / V_pi`` (at most half a step). A drive noise of ``sigma_V`` (V rms, Gaussian)
adds a phase noise ``pi sigma_V / V_pi`` per pulse.

How the errors enter the key (a choice, stated): as **added misalignment**. In the X1 windows
Alice's and Bob's errors ``e_A - e_B`` tilt the interference, a visibility factor
``|mean_k e^{i e_k}|^2 exp(-sigma^2)`` for two parties with the same driver (independent,
uniformly chosen codes; Gaussian noise of variance ``sigma^2`` per party), combined with the
link's floor as ``e_d' = (1 - (1 - 2 e_d) V) / 2``. The class analysis of :mod:`.discrete_phase`
is kept for the nominal phases. The alternative, a fidelity loss inside the class analysis, is
not used: a pulse of intensity ``mu`` with phase error ``e`` is at the angle ``~ sqrt(mu) e``
from its nominal state (``|<a|a e^{ie}>| = exp(-mu (1 - cos e))``), and a yield bound through
that angle (:func:`.discrete_phase.yield_upper`) is not loss tolerant: at 370 km the
one-photon yield is ~4e-4 (``asin sqrt(Y) ~ 0.02``) while ``sqrt(0.5) x 0.013 rad ~ 0.009``,
enough to triple the bound. The named assumption behind the misalignment treatment: the error
pattern is fixed by the DAC's codes (calibrated, not chosen by the adversary), so the emitted
phase distribution stays uniform over the ``M`` settings up to these fixed offsets.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from qkdchip.records import Record
from qkdchip.validation import check_range

MAX_DAC_BITS = 16
"""Most DAC bits accepted."""


@dataclass(frozen=True)
class PhaseSetting(Record):
    """The phases a DAC-driven phase modulator sets and their errors.

    Attributes:
        vpi_v: half-wave voltage of the modulator, V.
        dac_bits: DAC resolution, bits.
        range_v: peak-to-peak range of the driver, V.
        drive_noise_v_rms: Gaussian drive noise, V rms.
        phase_step_rad: phase of one DAC step, rad.
        span_rad: phase range the driver covers, rad.
        largest_phases: largest number of equally spaced phases that can be set.
        phases: the number of phases ``M`` analysed (<= ``largest_phases``).
        max_phase_error_rad: largest error of the ``M`` set phases, rad.
        rms_phase_error_rad: rms error of the ``M`` set phases, rad.
        visibility_factor: X-window visibility factor of the errors and the noise, two
            parties with the same driver.
    """

    vpi_v: float
    dac_bits: int
    range_v: float
    drive_noise_v_rms: float
    phase_step_rad: float
    span_rad: float
    largest_phases: int
    phases: int
    max_phase_error_rad: float
    rms_phase_error_rad: float
    visibility_factor: float


def largest_phase_count(*, vpi_v: float, dac_bits: int, range_v: float) -> int:
    """Largest ``M`` of equally spaced phases over ``2 pi`` the driver can set (module
    docstring); 1 or 0 when not even two phases fit."""
    check_range("vpi_v", vpi_v, 0.0, 1e3, low_open=True)
    check_range("dac_bits", dac_bits, 1, MAX_DAC_BITS)
    check_range("range_v", range_v, 0.0, 1e3, low_open=True)
    span = math.pi * range_v / vpi_v
    step = span / (2**dac_bits - 1)
    by_codes = math.floor(2.0 * math.pi / step + 1e-9)
    if span >= 2.0 * math.pi:
        return by_codes
    return min(by_codes, math.floor(2.0 * math.pi / (2.0 * math.pi - span) + 1e-9))


def phase_setting(
    *,
    vpi_v: float,
    dac_bits: int,
    range_v: float,
    phases: int | None = None,
    drive_noise_v_rms: float = 0.0,
) -> PhaseSetting:
    """The ``M`` phases of the driver (the largest usable number by default) and their errors.

    Args:
        vpi_v: half-wave voltage of the phase modulator, V.
        dac_bits: DAC resolution, bits, in [1, 16].
        range_v: peak-to-peak range of the driver, V.
        phases: number of equally spaced phases ``M``, in [2, largest]; None for the largest.
        drive_noise_v_rms: Gaussian drive noise, V rms (>= 0).

    Raises:
        ValueError: for a value outside its range, or a driver that cannot set two phases.
    """
    largest = largest_phase_count(vpi_v=vpi_v, dac_bits=dac_bits, range_v=range_v)
    check_range("drive_noise_v_rms", drive_noise_v_rms, 0.0, 1e3)
    if largest < 2:
        raise ValueError(
            f"range_v={range_v!r} with vpi_v={vpi_v!r} and dac_bits={dac_bits!r} sets fewer than "
            "2 equally spaced phases; raise the range or the resolution"
        )
    m = largest if phases is None else phases
    check_range("phases", m, 2, largest)
    code_v = range_v / (2**dac_bits - 1)
    k = np.arange(m)
    targets_v = k * 2.0 * vpi_v / m
    codes = np.round(targets_v / code_v)
    errors = math.pi * (codes * code_v - targets_v) / vpi_v
    sigma = math.pi * drive_noise_v_rms / vpi_v
    mean_phasor = abs(np.mean(np.exp(1j * errors)))
    return PhaseSetting(
        vpi_v=vpi_v,
        dac_bits=dac_bits,
        range_v=range_v,
        drive_noise_v_rms=drive_noise_v_rms,
        phase_step_rad=math.pi * code_v / vpi_v,
        span_rad=math.pi * range_v / vpi_v,
        largest_phases=largest,
        phases=int(m),
        max_phase_error_rad=float(np.max(np.abs(errors))),
        rms_phase_error_rad=float(np.sqrt(np.mean(errors**2))),
        visibility_factor=float(mean_phasor**2 * math.exp(-(sigma**2))),
    )


def misalignment_with_phase_errors(*, misalignment: float, visibility_factor: float) -> float:
    """X-window error floor with the phase-setting errors: ``(1 - (1 - 2 e_d) V) / 2``.

    Args:
        misalignment: the link's floor ``e_d``, in [0, 0.5].
        visibility_factor: :attr:`PhaseSetting.visibility_factor`, in [0, 1].
    """
    check_range("misalignment", misalignment, 0.0, 0.5)
    check_range("visibility_factor", visibility_factor, 0.0, 1.0)
    return 0.5 * (1.0 - (1.0 - 2.0 * misalignment) * visibility_factor)


def reference_vpi_v() -> float:
    """Half-wave voltage (V) of the drawn phase modulator, from the shipped modulator device
    result (MPB with the band-edge calibration; :mod:`qkdchip.simulations.modes.modulator`)."""
    from qkdchip.simulations.devices.defaults import simulate_default

    return float(simulate_default("modulator").vpi_v)
