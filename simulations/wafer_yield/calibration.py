"""Calibration of the InP killer-defect density to the reference modulator yield.

Only one number is observed (117 of 120 modulators working), so only one model parameter can be
fitted. The process sigmas stay at their stated priors and the killer-defect density ``D0`` is
solved for. Defects are independent of the parametric variation, so the expected modulator yield
factorises exactly per modulator kind ``k``:

    Y(D0) = sum_k (n_k / n) * Y_param,k * (1 + D0 A_k / alpha)^-alpha,

where ``Y_param,k`` (the parametric pass fraction) comes from one Monte Carlo run with ``D0 = 0``
and the last factor is the negative-binomial defect yield of a device of area ``A_k``.
``Y(D0)`` is decreasing, so the root is unique when it exists.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from qkdchip.platforms import INP
from qkdchip.records import Record
from qkdchip.simulations.wafer_yield.engine import YieldModel, run_wafer_yield

REFERENCE_WORKING = 117
REFERENCE_TESTED = 120


@dataclass(frozen=True)
class DefectCalibration(Record):
    """Result of :func:`calibrate_defect_density`.

    Attributes:
        target_yield: modulator yield to match.
        density_per_cm2: the calibrated killer-defect density D0.
        cluster_alpha: negative-binomial alpha used.
        parametric_yields: modulator kind -> parametric pass fraction (no defects).
        parametric_modulator_yield: pooled parametric modulator yield.
        n_wafers, seed, sampler: Monte Carlo settings of the parametric run.
    """

    target_yield: float
    density_per_cm2: float
    cluster_alpha: float
    parametric_yields: dict[str, float]
    parametric_modulator_yield: float
    n_wafers: int
    seed: int
    sampler: str


def calibrate_defect_density(
    *,
    target_yield: float = REFERENCE_WORKING / REFERENCE_TESTED,
    n_wafers: int = 256,
    seed: int = 0,
    sampler: str = "mc",
    model: YieldModel | None = None,
) -> DefectCalibration:
    """Solve for the killer-defect density that gives ``target_yield`` for the modulators.

    Args:
        target_yield: modulator yield to reproduce (default 117/120).
        n_wafers: wafers in the parametric Monte Carlo run.
        seed: its seed.
        sampler: ``"mc"`` or ``"sobol"``.
        model: InP yield model (default: shipped inputs); its defect density is ignored.

    Returns:
        The calibration; ValueError if the parametric yield alone is already below the target.
    """
    from scipy.optimize import brentq

    if not (0.0 < target_yield < 1.0):
        raise ValueError(f"target_yield = {target_yield!r} must be in (0, 1)")
    model = model if model is not None else YieldModel.build(INP)
    if not model.spec.modulator_kinds:
        raise ValueError("the chip spec has no modulator kinds to calibrate against")
    alpha = model.stats.defects.cluster_alpha
    clean = YieldModel.build(
        INP,
        stats=model.stats.with_defects(density_per_cm2=0.0),
        spec=model.spec,
        table=model.table,
    )
    result = run_wafer_yield(INP, n_wafers=n_wafers, seed=seed, sampler=sampler, model=clean)
    kinds = model.spec.modulator_kinds
    counts = {k: model.spec.device(k).count for k in kinds}
    n_mod = sum(counts.values())
    y_param = {k: result.device_yields[k].value for k in kinds}
    areas = {k: model.spec.device(k).area_cm2 for k in kinds}

    def pooled(d0: float) -> float:
        return sum(
            counts[k] / n_mod * y_param[k] * math.exp(-alpha * math.log1p(d0 * areas[k] / alpha))
            for k in kinds
        )

    y0 = pooled(0.0)
    if y0 <= target_yield:
        raise ValueError(
            f"parametric modulator yield {y0:.4f} is already <= target_yield {target_yield:.4f}; "
            "a defect density cannot raise it"
        )
    upper = 1.0
    while pooled(upper) > target_yield:
        upper *= 2.0
    d0 = float(brentq(lambda d: pooled(d) - target_yield, 0.0, upper, xtol=1e-10))
    return DefectCalibration(
        target_yield=target_yield,
        density_per_cm2=d0,
        cluster_alpha=alpha,
        parametric_yields=y_param,
        parametric_modulator_yield=y0,
        n_wafers=n_wafers,
        seed=seed,
        sampler=sampler,
    )
