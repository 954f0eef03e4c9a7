"""Data model of a platform's process statistics (nominal, spreads, spatial correlation).

Every process parameter ``x`` of a device ``j`` on die ``i`` of wafer ``w`` is modelled as

    x = nominal + wafer_offset[w] + field_w(r_i) + bowl(r_i)
        + die_noise[w, i] + device_noise[w, i, j]

with independent zero-mean Gaussian parts:

* ``wafer_offset`` ~ N(0, sigma_wafer^2), one value per wafer (wafer-to-wafer and run-to-run);
* ``field_w`` a within-wafer stationary Gaussian random field with covariance
  ``C(r) = sigma_within^2 * rho(r / correlation_length_mm)``, where
  ``rho(u) = exp(-u^2)`` for ``covariance="gaussian"`` (the SiEPIC virtual-wafer convention: the
  correlation is 1/e at a lag of one correlation length; Lumerical INTERCONNECT writes
  ``exp(-2 d^2 / L^2)``, so its ``L`` equals ``sqrt(2)`` times the length used here) and
  ``rho(u) = exp(-u)`` for ``covariance="exponential"`` (also 1/e at one correlation length);
* ``bowl(r) = bowl_at_edge * (r / wafer_radius)^2``, a deterministic radial profile (epitaxial
  growth and deposition are thicker or thinner towards the wafer edge);
* ``die_noise`` ~ N(0, sigma_die^2) per die and ``device_noise`` ~ N(0, sigma_device^2) per device
  (short-range variation and local mismatch below the die pitch).

Catastrophic (killer) defects are counted per device with a negative-binomial (Stapper) model:
the defect density of each wafer is Gamma distributed with mean ``density_per_cm2`` and shape
``cluster_alpha``; given it, the number of defects on a device of area ``A`` is Poisson with mean
``density * A``.  The device yield is then ``(1 + D0 A / alpha)^-alpha``, which tends to the Poisson
yield ``exp(-D0 A)`` as ``alpha`` grows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

from qkdchip.records import Record
from qkdchip.validation import check_range

CovarianceKind = Literal["gaussian", "exponential"]
COVARIANCE_KINDS: tuple[str, ...] = ("gaussian", "exponential")


@dataclass(frozen=True)
class ProcessParameter(Record):
    """Statistics of one process parameter.

    Attributes:
        name: identifier, with its unit in the name where it has one (``ridge_width_nm``).
        unit: unit of every value below (``nm``, ``1``, ``dB``, ``1/cm``).
        nominal: design (target) value.
        sigma_wafer: standard deviation of the wafer-to-wafer offset.
        sigma_within: standard deviation of the within-wafer random field.
        correlation_length_mm: correlation length of that field in mm (see module docstring).
        sigma_die: standard deviation of the independent per-die part.
        sigma_device: standard deviation of the independent per-device part.
        bowl_at_edge: deterministic radial bowl, value added at the wafer edge (quadratic in r).
        covariance: ``"gaussian"`` (``exp(-(r/l)^2)``) or ``"exponential"`` (``exp(-r/l)``).
        source: where the numbers come from.
        assumption: True when the numbers are engineering assumptions rather than published data.
    """

    name: str
    unit: str
    nominal: float
    sigma_wafer: float
    sigma_within: float
    correlation_length_mm: float
    sigma_die: float
    sigma_device: float
    source: str
    assumption: bool
    bowl_at_edge: float = 0.0
    covariance: CovarianceKind = "gaussian"

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("name must be a non-empty string")
        check_range(f"{self.name}.nominal", self.nominal)
        check_range(f"{self.name}.bowl_at_edge", self.bowl_at_edge)
        for attr in ("sigma_wafer", "sigma_within", "sigma_die", "sigma_device"):
            check_range(f"{self.name}.{attr}", getattr(self, attr), 0.0)
        check_range(f"{self.name}.correlation_length_mm", self.correlation_length_mm)
        if self.correlation_length_mm <= 0.0:
            raise ValueError(
                f"{self.name}.correlation_length_mm = {self.correlation_length_mm!r} must be > 0"
            )
        if self.covariance not in COVARIANCE_KINDS:
            raise ValueError(
                f"{self.name}.covariance = {self.covariance!r} must be one of {COVARIANCE_KINDS}"
            )

    @property
    def sigma_total(self) -> float:
        """Standard deviation of the random part summed over all levels (bowl excluded)."""
        return math.sqrt(
            self.sigma_wafer**2 + self.sigma_within**2 + self.sigma_die**2 + self.sigma_device**2
        )


@dataclass(frozen=True)
class DefectStatistics(Record):
    """Catastrophic (killer) defect statistics of a platform.

    Attributes:
        density_per_cm2: mean killer-defect density D0 in defects per cm^2.
        cluster_alpha: negative-binomial clustering parameter (> 0; large means Poisson).
        source: where the numbers come from.
        assumption: True when they are assumptions or calibrated rather than measured.
    """

    density_per_cm2: float
    cluster_alpha: float
    source: str
    assumption: bool

    def __post_init__(self) -> None:
        check_range("density_per_cm2", self.density_per_cm2, 0.0)
        check_range("cluster_alpha", self.cluster_alpha)
        if self.cluster_alpha <= 0.0:
            raise ValueError(f"cluster_alpha = {self.cluster_alpha!r} must be > 0")

    def device_yield(self, area_cm2: float) -> float:
        """Negative-binomial yield ``(1 + D0 A / alpha)^-alpha`` of one device of ``area_cm2``."""
        check_range("area_cm2", area_cm2, 0.0)
        alpha = self.cluster_alpha
        return math.exp(-alpha * math.log1p(self.density_per_cm2 * area_cm2 / alpha))


@dataclass(frozen=True)
class ProcessStatistics(Record):
    """All process statistics of one platform.

    Attributes:
        platform: ``"inp"`` or ``"si3n4"``.
        parameters: the process parameters, in a fixed order.
        defects: catastrophic-defect statistics.
        notes: free text on scope and conventions.
    """

    platform: str
    parameters: tuple[ProcessParameter, ...]
    defects: DefectStatistics
    notes: str = ""
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.parameters:
            raise ValueError("parameters must not be empty")
        names = [p.name for p in self.parameters]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"parameters has duplicate names {duplicates}")
        object.__setattr__(self, "_index", {n: i for i, n in enumerate(names)})

    @property
    def names(self) -> tuple[str, ...]:
        """Parameter names in order."""
        return tuple(p.name for p in self.parameters)

    def __getitem__(self, name: str) -> ProcessParameter:
        try:
            return self.parameters[self._index[name]]
        except KeyError:
            raise KeyError(f"no process parameter {name!r}; known: {self.names}") from None

    def replace_parameter(self, name: str, **changes: Any) -> ProcessStatistics:
        """A copy with the named parameter's fields changed (validated again)."""
        old = self[name]
        new = ProcessParameter(**{**old.to_dict(), **changes})
        params = tuple(new if p.name == name else p for p in self.parameters)
        return ProcessStatistics(self.platform, params, self.defects, self.notes)

    def with_defects(self, **changes: Any) -> ProcessStatistics:
        """A copy with the defect statistics' fields changed (validated again)."""
        defects = DefectStatistics(**{**self.defects.to_dict(), **changes})
        return ProcessStatistics(self.platform, self.parameters, defects, self.notes)

    def scaled(self, factor: float) -> ProcessStatistics:
        """A copy with every random sigma multiplied by ``factor`` (>= 0); nominals unchanged."""
        check_range("factor", factor, 0.0)
        params = tuple(
            ProcessParameter(
                **{
                    **p.to_dict(),
                    "sigma_wafer": p.sigma_wafer * factor,
                    "sigma_within": p.sigma_within * factor,
                    "sigma_die": p.sigma_die * factor,
                    "sigma_device": p.sigma_device * factor,
                }
            )
            for p in self.parameters
        )
        return ProcessStatistics(self.platform, params, self.defects, self.notes)
