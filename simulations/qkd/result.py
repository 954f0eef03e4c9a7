"""The result object of a key-rate evaluation."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from qkdchip.simulations.qkd.system import SnsParameters


@dataclass(frozen=True)
class KeyRateResult:
    """Key rate of one SNS link at one distance, with the numbers behind it.

    Attributes:
        distance_km: total Alice-Bob fibre length (km).
        distance_a_km: Alice-Charlie fibre length (km).
        distance_b_km: Bob-Charlie fibre length (km).
        protocol: ``"sns"`` or ``"sns-aopp"``.
        n_intensities: 3 or 4.
        n_pulses: pulse count N, or None (asymptotic).
        key_rate_per_pulse: secure key bits per time window (>= 0).
        key_rate_bps: ``key_rate_per_pulse * repetition_rate_hz`` (bit/s).
        channel_transmittance: Alice-Bob channel transmittance (detectors excluded).
        plob: absolute PLOB bound ``-log2(1 - eta_channel)`` (bits per pulse); ``inf`` for a
            lossless channel.
        plob_conditional: PLOB bound with the detector efficiency folded in.
        tgw: absolute TGW bound.
        tgw_conditional: TGW bound with the detector efficiency.
        single_repeater_bound: PLOB of the weaker arm, the information bound of a link with
            one middle node; the key rate never exceeds it.
        ratio_to_plob: ``key_rate_per_pulse / plob``.
        ratio_to_plob_conditional: ratio to ``plob_conditional``.
        ratio_to_tgw: ratio to ``tgw``.
        ratio_to_tgw_conditional: ratio to ``tgw_conditional``.
        qber_z: Z-window bit-error rate before error rejection.
        qber_x: X1-window error rate.
        qber_z_aopp: bit-error rate of the bits surviving AOPP (``qber_z`` without AOPP).
        single_photon_yield_lower: lower bound on the single-photon yield s_1 (mean of the
            two parties').
        phase_error_upper: upper bound on the phase-flip error rate of the untagged bits.
        phase_error_aopp: phase-flip bound of the survived untagged bits (same as
            ``phase_error_upper`` without AOPP).
        parameters: the (optimal) source parameters.
        bound: the finite-key SNS-AOPP analysis requested (``"qkdchip-estimate"`` or
            ``"worst-split"``, :data:`.protocols.BOUNDS`).
        bound_reference: the source of the formulas that produced this rate (for plain SNS
            and asymptotic rates the one analysis used, whichever bound was requested).
        phase_slices: number of discrete phases of the sources, None for continuous.
        eps_cor: correctness failure probability (None asymptotically).
        eps_sec: secrecy failure probability, composed from the smoothing,
            privacy-amplification and every estimate's failure probability (None
            asymptotically); the rate is ``(eps_cor + eps_sec)``-secure.
    """

    distance_km: float
    distance_a_km: float
    distance_b_km: float
    protocol: str
    n_intensities: int
    n_pulses: float | None
    key_rate_per_pulse: float
    key_rate_bps: float
    channel_transmittance: float
    plob: float
    plob_conditional: float
    tgw: float
    tgw_conditional: float
    single_repeater_bound: float
    ratio_to_plob: float
    ratio_to_plob_conditional: float
    ratio_to_tgw: float
    ratio_to_tgw_conditional: float
    qber_z: float
    qber_x: float
    qber_z_aopp: float
    single_photon_yield_lower: float
    phase_error_upper: float
    phase_error_aopp: float
    parameters: SnsParameters
    bound: str
    bound_reference: str
    phase_slices: int | None
    eps_cor: float | None
    eps_sec: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary; the parameters appear under ``"parameters"``.

        Bounds that are infinite (a lossless channel, distance 0) become None, so the output
        is strict JSON.
        """
        out = {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in self.__dict__.items()
            if k != "parameters"
        }
        out["parameters"] = self.parameters.to_dict()
        return out
