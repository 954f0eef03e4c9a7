"""Key rate versus the transmitters' flaws, and the specifications that keep it near ideal.

Each study optimises the ideal link once and every flawed case from that optimum (keeping the
ideal parameters where they do better, so optimiser noise does not pose as a flaw effect):

* :func:`intensity_fluctuation_study`: key rate versus the relative intensity bound ``delta``;
* :func:`extinction_ratio_study` and :func:`required_extinction_ratio_db`: key rate versus the
  intensity modulator's extinction ratio, and the smallest ratio within a tolerance;
* :func:`injection_side_channel` and :func:`required_injection_isolation_db`: the key rate with
  the light returned to the server through the injection port (:mod:`.side_channel`), and the
  smallest isolation within a tolerance;
* :func:`phase_setting_study`: the key rate with the phases a DAC-driven phase modulator can
  set (:mod:`.phase_setting`).

Both chips of a pair are given one bound: for two chips with different extinction ratios or
leaks, pass the smaller ratio and the larger leak.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from qkdchip.records import Record
from qkdchip.simulations.qkd.optimise import key_rate, optimise_key_rate
from qkdchip.simulations.qkd.phase_setting import PhaseSetting, misalignment_with_phase_errors
from qkdchip.simulations.qkd.protocols import SecurityParameters
from qkdchip.simulations.qkd.result import KeyRateResult
from qkdchip.simulations.qkd.side_channel import (
    MAX_LEAKED_PHOTONS,
    InjectionLeak,
    leaked_fraction,
    leaked_photons_per_pulse,
)
from qkdchip.simulations.qkd.source_flaws import MAX_EXTINCTION_RATIO_DB, SourceFlaws
from qkdchip.simulations.qkd.system import SnsSystem
from qkdchip.validation import check_range

DEFAULT_FLUCTUATIONS: tuple[float, ...] = (0.0, 0.005, 0.01, 0.02, 0.05, 0.1)
"""Relative intensity bounds scanned by default."""
DEFAULT_EXTINCTION_RATIOS_DB: tuple[float, ...] = (30.0, 40.0, 50.0, 60.0, 70.0)
"""Extinction ratios scanned by default, dB."""
_SEARCH_STEP_DB = 0.1
"""Resolution of the requirement searches, dB."""


@dataclass(frozen=True)
class FlawSweep(Record):
    """Optimised key rate for each value of one flaw, against ideal sources.

    Attributes:
        flaw: the flaw scanned (``"intensity_fluctuation"`` or ``"extinction_ratio_db"``).
        values: its values (relative, or dB).
        key_rates: optimised key rate per pulse for each value (bits per pulse).
        ideal_key_rate: optimised key rate with ideal sources (bits per pulse).
        relative_loss: ``1 - key_rate / ideal_key_rate`` for each value.
        distance_km: total Alice-Bob fibre length (km).
        protocol: ``"sns"`` or ``"sns-aopp"``.
        bound: the finite-key SNS-AOPP analysis.
        n_pulses: pulse count N, or None (asymptotic).
        phase_slices: number of discrete phases, None for continuous.
        bound_reference: the source of the formulas (of the last flawed case).
    """

    flaw: str
    values: tuple[float, ...]
    key_rates: tuple[float, ...]
    ideal_key_rate: float
    relative_loss: tuple[float, ...]
    distance_km: float
    protocol: str
    bound: str
    n_pulses: float | None
    phase_slices: int | None
    bound_reference: str


@dataclass(frozen=True)
class FlawRequirement(Record):
    """The smallest specification (dB) that keeps the key within ``tolerance`` of ideal.

    Attributes:
        flaw: ``"extinction_ratio_db"`` or ``"isolation_db"``.
        required_db: the specification, dB (resolution 0.1 dB).
        tolerance: the relative key loss accepted.
        ideal_key_rate: optimised key rate with ideal sources (bits per pulse).
        key_rate: optimised key rate at the specification (bits per pulse).
        relative_loss: ``1 - key_rate / ideal_key_rate``.
        leaked_photons: at the specification, the "not sending" intensity (extinction) or
            the photons per window returned to the server (isolation).
        distance_km: total Alice-Bob fibre length (km).
        protocol: ``"sns"`` or ``"sns-aopp"``.
        bound: the finite-key SNS-AOPP analysis.
        n_pulses: pulse count N, or None (asymptotic).
        phase_slices: number of discrete phases, None for continuous.
        bound_reference: the source of the formulas at the specification.
    """

    flaw: str
    required_db: float
    tolerance: float
    ideal_key_rate: float
    key_rate: float
    relative_loss: float
    leaked_photons: float
    distance_km: float
    protocol: str
    bound: str
    n_pulses: float | None
    phase_slices: int | None
    bound_reference: str


@dataclass(frozen=True)
class InjectionSideChannel(Record):
    """Key rate of a link whose chips return light to the server (:mod:`.side_channel`).

    Attributes:
        leak: the leak of each chip and its coin imbalance.
        leaked_fraction: ``Delta'``, the fraction of untagged bits the server may hold tagged.
        ideal_key_rate: optimised key rate without the leak (bits per pulse).
        key_rate: optimised key rate with the leak (bits per pulse).
        relative_loss: ``1 - key_rate / ideal_key_rate``.
        ideal_phase_error: phase-flip bound of the untagged bits without the leak.
        phase_error: phase-flip bound of the untagged bits with the leak.
        distance_km: total Alice-Bob fibre length (km).
        protocol: ``"sns"`` or ``"sns-aopp"``.
        bound: the finite-key SNS-AOPP analysis.
        n_pulses: pulse count N, or None (asymptotic).
        bound_reference: the source of the formulas with the leak.
    """

    leak: InjectionLeak
    leaked_fraction: float
    ideal_key_rate: float
    key_rate: float
    relative_loss: float
    ideal_phase_error: float
    phase_error: float
    distance_km: float
    protocol: str
    bound: str
    n_pulses: float | None
    bound_reference: str


@dataclass(frozen=True)
class PhaseSettingStudy(Record):
    """Key rate with the phases a DAC-driven phase modulator sets, against continuous phases.

    Attributes:
        setting: the driver's phases and errors.
        misalignment: the link's X-window error floor.
        misalignment_with_errors: the floor with the phase-setting errors.
        ideal_key_rate: optimised key rate with continuous, exact phases (bits per pulse).
        key_rate: optimised key rate with ``setting.phases`` phases and their errors.
        relative_loss: ``1 - key_rate / ideal_key_rate``.
        distance_km: total Alice-Bob fibre length (km).
        protocol: ``"sns"`` or ``"sns-aopp"``.
        bound: the finite-key SNS-AOPP analysis.
        n_pulses: pulse count N, or None (asymptotic).
        bound_reference: the source of the formulas with discrete phases.
    """

    setting: PhaseSetting
    misalignment: float
    misalignment_with_errors: float
    ideal_key_rate: float
    key_rate: float
    relative_loss: float
    distance_km: float
    protocol: str
    bound: str
    n_pulses: float | None
    bound_reference: str


@dataclass(frozen=True)
class _Study:
    """The link, the analysis and the ideal optimum every flawed case starts from."""

    system: SnsSystem
    choice: dict[str, Any]
    ideal: KeyRateResult

    @classmethod
    def of(
        cls,
        system: SnsSystem,
        *,
        protocol: str,
        n_intensities: int,
        bound: str,
        phase_slices: int | None,
        security: SecurityParameters | None,
        seed: int,
    ) -> _Study:
        choice = dict(
            protocol=protocol,
            n_intensities=n_intensities,
            bound=bound,
            phase_slices=phase_slices,
            security=security,
            seed=seed,
        )
        ideal = optimise_key_rate(system, **choice)
        if ideal.key_rate_per_pulse <= 0.0:
            raise ValueError(
                f"the link at {system.distance_km:g} km gives no key with ideal sources; "
                "choose a shorter distance"
            )
        return cls(system=system, choice=choice, ideal=ideal)

    def rate(self, flaws: SourceFlaws) -> KeyRateResult:
        """The better of a search from the ideal optimum and the ideal parameters as they are."""
        fresh = optimise_key_rate(
            self.system, initial=self.ideal.parameters, flaws=flaws, **self.choice
        )
        kept = key_rate(
            self.system,
            self.ideal.parameters,
            flaws=flaws,
            protocol=self.choice["protocol"],
            security=self.choice["security"],
            bound=self.choice["bound"],
            phase_slices=self.choice["phase_slices"],
        )
        return fresh if fresh.key_rate_per_pulse >= kept.key_rate_per_pulse else kept

    def loss(self, result: KeyRateResult) -> float:
        return 1.0 - result.key_rate_per_pulse / self.ideal.key_rate_per_pulse

    def header(self) -> dict[str, Any]:
        return dict(
            distance_km=self.system.distance_km,
            protocol=self.choice["protocol"],
            bound=self.choice["bound"],
            n_pulses=self.system.n_pulses,
        )

    def sweep(
        self, flaw: str, values: Sequence[float], make: Callable[[float], SourceFlaws]
    ) -> FlawSweep:
        if not values:
            raise ValueError(f"values of {flaw} must not be empty")
        results = [self.rate(make(float(v))) for v in values]
        return FlawSweep(
            flaw=flaw,
            values=tuple(float(v) for v in values),
            key_rates=tuple(r.key_rate_per_pulse for r in results),
            ideal_key_rate=self.ideal.key_rate_per_pulse,
            relative_loss=tuple(self.loss(r) for r in results),
            phase_slices=self.choice["phase_slices"],
            bound_reference=results[-1].bound_reference,
            **self.header(),
        )

    def requirement(
        self,
        flaw: str,
        *,
        low_db: float,
        high_db: float,
        tolerance: float,
        make: Callable[[float], SourceFlaws],
        leaked: Callable[[float, KeyRateResult], float],
    ) -> FlawRequirement:
        """Smallest value ``low_db + k _SEARCH_STEP_DB`` (or ``high_db``) within ``tolerance``,
        by bisection (the loss falls as the specification rises)."""
        check_range("tolerance", tolerance, 0.0, 1.0, low_open=True, high_open=True)
        top = self.rate(make(high_db))
        if self.loss(top) > tolerance:
            raise ValueError(
                f"even {flaw}={high_db:g} dB loses {self.loss(top):.2%} of the key, above "
                f"tolerance={tolerance!r}"
            )
        # Bisection on the grid of _SEARCH_STEP_DB steps above low_db.
        lo, hi, best = -1, math.ceil((high_db - low_db) / _SEARCH_STEP_DB), top
        while hi - lo > 1:
            mid = (lo + hi) // 2
            result = self.rate(make(low_db + mid * _SEARCH_STEP_DB))
            if self.loss(result) <= tolerance:
                hi, best = mid, result
            else:
                lo = mid
        required = round(min(low_db + hi * _SEARCH_STEP_DB, high_db), 6)
        return FlawRequirement(
            flaw=flaw,
            required_db=required,
            tolerance=tolerance,
            ideal_key_rate=self.ideal.key_rate_per_pulse,
            key_rate=best.key_rate_per_pulse,
            relative_loss=self.loss(best),
            leaked_photons=leaked(required, best),
            phase_slices=self.choice["phase_slices"],
            bound_reference=best.bound_reference,
            **self.header(),
        )


def intensity_fluctuation_study(
    system: SnsSystem,
    *,
    fluctuations: Sequence[float] = DEFAULT_FLUCTUATIONS,
    protocol: str = "sns-aopp",
    n_intensities: int = 4,
    bound: str = "qkdchip-estimate",
    phase_slices: int | None = None,
    security: SecurityParameters | None = None,
    seed: int = 0,
) -> FlawSweep:
    """Optimised key rate versus the relative intensity bound ``delta`` (each in [0, 0.5]).

    The other keyword arguments are those of :func:`.optimise.optimise_key_rate`.

    Raises:
        ValueError: for an empty or out-of-range ``fluctuations``, or a link without key.
    """
    study = _Study.of(
        system,
        protocol=protocol,
        n_intensities=n_intensities,
        bound=bound,
        phase_slices=phase_slices,
        security=security,
        seed=seed,
    )
    return study.sweep(
        "intensity_fluctuation",
        fluctuations,
        lambda d: SourceFlaws(intensity_fluctuation=d),
    )


def extinction_ratio_study(
    system: SnsSystem,
    *,
    extinction_ratios_db: Sequence[float] = DEFAULT_EXTINCTION_RATIOS_DB,
    protocol: str = "sns-aopp",
    n_intensities: int = 4,
    bound: str = "qkdchip-estimate",
    phase_slices: int | None = None,
    security: SecurityParameters | None = None,
    seed: int = 0,
) -> FlawSweep:
    """Optimised key rate versus the intensity modulators' extinction ratio (dB, each in
    (0, 200]); the other keyword arguments are those of :func:`.optimise.optimise_key_rate`."""
    study = _Study.of(
        system,
        protocol=protocol,
        n_intensities=n_intensities,
        bound=bound,
        phase_slices=phase_slices,
        security=security,
        seed=seed,
    )
    return study.sweep(
        "extinction_ratio_db",
        extinction_ratios_db,
        lambda er: SourceFlaws(extinction_ratio_db=er),
    )


def _strongest(result: KeyRateResult) -> float:
    p = result.parameters
    values = [p.mu_z, p.bob_mu_z] + ([] if p.mu_2 is None else [p.mu_2, p.bob_strong_decoy])
    return max(values)


def required_extinction_ratio_db(
    system: SnsSystem,
    *,
    tolerance: float = 0.01,
    protocol: str = "sns-aopp",
    n_intensities: int = 4,
    bound: str = "qkdchip-estimate",
    phase_slices: int | None = None,
    security: SecurityParameters | None = None,
    seed: int = 0,
) -> FlawRequirement:
    """Smallest extinction ratio (dB, searched in [10, 200]) whose optimised key rate loses at
    most ``tolerance`` (relative, in (0, 1)) against a perfect "not sending" vacuum.

    The other keyword arguments are those of :func:`.optimise.optimise_key_rate`.
    """
    study = _Study.of(
        system,
        protocol=protocol,
        n_intensities=n_intensities,
        bound=bound,
        phase_slices=phase_slices,
        security=security,
        seed=seed,
    )
    return study.requirement(
        "extinction_ratio_db",
        low_db=10.0,
        high_db=MAX_EXTINCTION_RATIO_DB,
        tolerance=tolerance,
        make=lambda er: SourceFlaws(extinction_ratio_db=er),
        leaked=lambda er, r: _strongest(r) * 10.0 ** (-er / 10.0),
    )


def injection_side_channel(
    system: SnsSystem,
    *,
    leak: InjectionLeak,
    protocol: str = "sns-aopp",
    n_intensities: int = 4,
    bound: str = "qkdchip-estimate",
    phase_slices: int | None = None,
    security: SecurityParameters | None = None,
    seed: int = 0,
) -> InjectionSideChannel:
    """Optimised key rate of ``system`` when both chips return ``leak`` to the server.

    Args:
        system: the link.
        leak: each chip's leak (:func:`.side_channel.injection_leak`).
        protocol: as in :func:`.optimise.optimise_key_rate`.
        n_intensities: as in :func:`.optimise.optimise_key_rate`.
        bound: as in :func:`.optimise.optimise_key_rate`.
        phase_slices: as in :func:`.optimise.optimise_key_rate`.
        security: as in :func:`.optimise.optimise_key_rate`.
        seed: as in :func:`.optimise.optimise_key_rate`.
    """
    study = _Study.of(
        system,
        protocol=protocol,
        n_intensities=n_intensities,
        bound=bound,
        phase_slices=phase_slices,
        security=security,
        seed=seed,
    )
    result = study.rate(SourceFlaws(leaked_photons=leak.leaked_photons))
    return InjectionSideChannel(
        leak=leak,
        leaked_fraction=leaked_fraction(
            coin_imbalance=leak.coin_imbalance,
            single_photon_yield=result.single_photon_yield_lower,
        ),
        ideal_key_rate=study.ideal.key_rate_per_pulse,
        key_rate=result.key_rate_per_pulse,
        relative_loss=study.loss(result),
        ideal_phase_error=study.ideal.phase_error_upper,
        phase_error=result.phase_error_upper,
        bound_reference=result.bound_reference,
        **study.header(),
    )


def required_injection_isolation_db(
    system: SnsSystem,
    *,
    tolerance: float = 0.01,
    power_at_modulators_dbm: float = 5.0,
    reflection_db: float = 30.0,
    wavelength_nm: float = 1550.0,
    protocol: str = "sns-aopp",
    n_intensities: int = 4,
    bound: str = "qkdchip-estimate",
    phase_slices: int | None = None,
    security: SecurityParameters | None = None,
    seed: int = 0,
) -> FlawRequirement:
    """Smallest isolation (dB) of the path from the modulators to the injection port whose
    optimised key rate loses at most ``tolerance`` (relative, in (0, 1)) against no leak.

    The search runs from the isolation (rounded up to 0.1 dB) that leaves ``MAX_LEAKED_PHOTONS``
    per window up to
    300 dB; the light, reflection and wavelength are those of
    :func:`.side_channel.injection_leak` (assumptions A1-A4 of :mod:`.side_channel`), the clock
    is ``system.repetition_rate_hz``. The other keyword arguments are those of
    :func:`.optimise.optimise_key_rate`.
    """
    study = _Study.of(
        system,
        protocol=protocol,
        n_intensities=n_intensities,
        bound=bound,
        phase_slices=phase_slices,
        security=security,
        seed=seed,
    )

    def photons(isolation_db: float) -> float:
        return leaked_photons_per_pulse(
            power_at_modulators_dbm=power_at_modulators_dbm,
            reflection_db=reflection_db,
            isolation_db=isolation_db,
            repetition_rate_hz=system.repetition_rate_hz,
            wavelength_nm=wavelength_nm,
        )

    floor_db = max(0.0, math.ceil(100.0 * math.log10(photons(0.0) / MAX_LEAKED_PHOTONS)) / 10.0)
    return study.requirement(
        "isolation_db",
        low_db=floor_db,
        high_db=300.0,
        tolerance=tolerance,
        make=lambda iso: SourceFlaws(leaked_photons=photons(iso)),
        leaked=lambda iso, _r: photons(iso),
    )


def phase_setting_study(
    system: SnsSystem,
    *,
    setting: PhaseSetting,
    protocol: str = "sns-aopp",
    n_intensities: int = 4,
    bound: str = "qkdchip-estimate",
    security: SecurityParameters | None = None,
    seed: int = 0,
) -> PhaseSettingStudy:
    """Optimised key rate with ``setting.phases`` discrete phases whose errors add
    misalignment (:mod:`.phase_setting`), against continuous exact phases.

    Args:
        system: the link (its ``misalignment`` is the floor without phase errors).
        setting: the driver's phases (:func:`.phase_setting.phase_setting`).
        protocol: as in :func:`.optimise.optimise_key_rate`.
        n_intensities: as in :func:`.optimise.optimise_key_rate`.
        bound: as in :func:`.optimise.optimise_key_rate`.
        security: as in :func:`.optimise.optimise_key_rate`.
        seed: as in :func:`.optimise.optimise_key_rate`.
    """
    study = _Study.of(
        system,
        protocol=protocol,
        n_intensities=n_intensities,
        bound=bound,
        phase_slices=None,
        security=security,
        seed=seed,
    )
    floor = misalignment_with_phase_errors(
        misalignment=system.misalignment, visibility_factor=setting.visibility_factor
    )
    flawed = replace(system, misalignment=floor)
    choice = {**study.choice, "phase_slices": setting.phases}
    fresh = optimise_key_rate(flawed, initial=study.ideal.parameters, **choice)
    kept = key_rate(
        flawed,
        study.ideal.parameters,
        protocol=protocol,
        security=security,
        bound=bound,
        phase_slices=setting.phases,
    )
    result = fresh if fresh.key_rate_per_pulse >= kept.key_rate_per_pulse else kept
    return PhaseSettingStudy(
        setting=setting,
        misalignment=system.misalignment,
        misalignment_with_errors=floor,
        ideal_key_rate=study.ideal.key_rate_per_pulse,
        key_rate=result.key_rate_per_pulse,
        relative_loss=study.loss(result),
        bound_reference=result.bound_reference,
        **study.header(),
    )
