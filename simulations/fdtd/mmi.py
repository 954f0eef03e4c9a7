"""InP MMI couplers in 2-D meep with the effective-index method: split ratio and excess loss.

The vertical stack of a deep ridge is collapsed with MPB into its slab effective index (the
PDK epitaxy and material models at the wavelength); the deep-etched field region is air
(modelling choice, see :mod:`qkdchip.simulations.modes.geometry`). The top view of the
:class:`MmiDesign` (access tapers, body, output tapers) is simulated in 2-D with the in-plane
E field; the fundamental mode of the first input port is launched and the guided power in
each output port is measured by mode decomposition. Power is conserved: the outputs never
exceed the input, and the excess loss is -10 log10(Σ outputs).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any

import numpy as np

from qkdchip.cache import cached
from qkdchip.components.designs import MmiDesign, RidgeWaveguide
from qkdchip.pdk.materials import INDEX_MODELS_VERSION
from qkdchip.pdk.stacks import EPI_STACK, EpiStack
from qkdchip.records import Record
from qkdchip.simulations.meep_jobs import run_job
from qkdchip.simulations.modes.geometry import AMBIENT, CrossSection, ridge_slab_cross_section
from qkdchip.simulations.modes.solver import ModeSettings, modes_key, solve_mode
from qkdchip.validation import check_ranges

SOLVER_VERSION = 1
MMI_JOB = "qkdchip.simulations.fdtd.jobs:mmi_2d"
ACCESS_UM = 3.0
SLAB_MODE_SETTINGS = ModeSettings(resolution=64, pad_um=1.5)
"""MPB settings of the ridge stack's slab mode (the core index of the 2-D EIM run)."""
"""Straight access length in µm before and after the tapers (source and monitors sit here)."""


@dataclass(frozen=True)
class MmiSettings(Record):
    """Numerical settings of the 2-D MMI simulation.

    Attributes:
        resolution: meep pixels per µm, [8, 80].
        pad_um: field region beside the MMI body in µm, [0.5, 5].
        pml_um: PML thickness in µm, [0.5, 5].
        wavelength_nm: centre wavelength in nm, [1000, 2000].
        bandwidth_nm: spectral width recorded in nm, [0, 200].
        frequencies: points in that width (odd; the centre one is reported), [1, 51].
    """

    resolution: int = 20
    pad_um: float = 1.5
    pml_um: float = 1.0
    wavelength_nm: float = 1550.0
    bandwidth_nm: float = 40.0
    frequencies: int = 5

    def __post_init__(self) -> None:
        check_ranges(
            self,
            (
                ("resolution", 8, 80),
                ("pad_um", 0.5, 5),
                ("pml_um", 0.5, 5),
                ("wavelength_nm", 1000, 2000),
                ("bandwidth_nm", 0, 200),
                ("frequencies", 1, 51),
            ),
        )
        if self.frequencies % 2 == 0:
            raise ValueError(f"frequencies={self.frequencies!r} must be odd")


@dataclass(frozen=True)
class MmiResult(Record):
    """Split and loss of an MMI, launched from input port 1.

    Attributes:
        design: the :class:`MmiDesign` as a dict.
        n_slab: slab effective index of the ridge stack (EIM core index).
        n_field: index of the etched field region.
        output_power: guided power in each output port relative to the input (centre λ).
        split_ratio: output 1 / (output 1 + output 2).
        excess_loss_db: -10 log10(Σ outputs) (≥ 0).
        imbalance_db: 10 log10(output 1 / output 2).
        total_flux: all power crossing the output plane relative to the input (guided and not).
        wavelength_nm: wavelengths of the spectra in nm.
        output_power_spectrum: output power of each port at each wavelength.
        settings: the :class:`MmiSettings` used.
    """

    design: dict[str, Any]
    n_slab: float
    n_field: float
    output_power: tuple[float, ...]
    split_ratio: float
    excess_loss_db: float
    imbalance_db: float
    total_flux: float
    wavelength_nm: tuple[float, ...]
    output_power_spectrum: tuple[tuple[float, ...], ...]
    settings: dict[str, Any] = field(default_factory=dict)


def _port_offsets(design: MmiDesign, count: int) -> list[float]:
    if count == 1:
        return [0.0]
    return [design.port_offset_um, -design.port_offset_um]


def mmi_polygons(design: MmiDesign) -> tuple[list[list[list[float]]], dict[str, float]]:
    """Top-view core polygons (µm, x along propagation, body centred at 0) and key positions."""
    half_l = design.length_um / 2
    half_w = design.width_um / 2
    taper = design.taper_length_um
    polys = [[[-half_l, -half_w], [half_l, -half_w], [half_l, half_w], [-half_l, half_w]]]
    end = half_l + taper + ACCESS_UM + 2.0
    for side, count in ((-1, design.n_inputs), (1, design.n_outputs)):
        for y in _port_offsets(design, count):
            x_mmi = side * half_l
            x_taper = side * (half_l + taper)
            x_end = side * end
            wa, wr = design.access_width_um / 2, design.ridge_width_um / 2
            # Taper from the ridge width (outside) to the access width (at the body), then
            # straight ridge to beyond the PML; overlapping the body by 1e-3 µm avoids slivers.
            x_in = x_mmi - side * 1e-3
            polys.append([[x_in, y - wa], [x_taper, y - wr], [x_taper, y + wr], [x_in, y + wa]])
            polys.append([[x_taper, y - wr], [x_end, y - wr], [x_end, y + wr], [x_taper, y + wr]])
    return polys, {"half_length": half_l, "taper": taper}


def self_imaging_length_um(
    *, width_um: float, n_slab: float, n_field: float, wavelength_um: float, ports: str
) -> float:
    """3 dB self-imaging length of an MMI in µm from the EIM indices.

    Soldano and Pennings (J. Lightwave Technol. 13, 615 (1995)): effective width
    W_e = W + (λ/π)(n_c/n_r)^(2σ)(n_r² - n_c²)^(-1/2) with σ = 1 for the in-plane E field of
    the top view (normal to the MMI side walls), Lπ = 4 n_r W_e²/(3λ); symmetric 1x2 at
    3Lπ/8, general-interference 2x2 at 3Lπ/2.

    Args:
        width_um: drawn MMI width in µm.
        n_slab: slab (core) effective index.
        n_field: index of the etched field region.
        wavelength_um: wavelength in µm.
        ports: ``"1x2"`` or ``"2x2"``.
    """
    if ports not in ("1x2", "2x2"):
        raise ValueError(f"ports={ports!r} must be '1x2' or '2x2'")
    if not (width_um > 0 and wavelength_um > 0 and n_slab > n_field > 0):
        raise ValueError(
            f"need width_um > 0, wavelength_um > 0, n_slab > n_field > 0; got {width_um!r}, "
            f"{wavelength_um!r}, {n_slab!r}, {n_field!r}"
        )
    w_e = width_um + wavelength_um / math.pi * (n_field / n_slab) ** 2 / math.sqrt(
        n_slab**2 - n_field**2
    )
    l_pi = 4 * n_slab * w_e**2 / (3 * wavelength_um)
    return 3 * l_pi / 8 if ports == "1x2" else 3 * l_pi / 2


def _slab_cross_section(design: MmiDesign, epi: EpiStack) -> CrossSection:
    return ridge_slab_cross_section(
        RidgeWaveguide(width_um=design.ridge_width_um, etch="deep"), epi
    )


def effective_indices(
    design: MmiDesign, epi: EpiStack, settings: MmiSettings, fresh: bool = False
) -> tuple[float, float]:
    """(slab effective index of the ridge stack, field-region index) at the wavelength."""
    slab_xs = _slab_cross_section(design, epi)
    wavelength_um = settings.wavelength_nm * 1e-3
    slab = solve_mode(
        slab_xs, wavelength_um=wavelength_um, settings=SLAB_MODE_SETTINGS, fresh=fresh
    )
    return slab.n_eff, float(slab_xs.indices(wavelength_um)[AMBIENT])


def slab_modes_key(design: MmiDesign, epi: EpiStack, settings: MmiSettings) -> str:
    """Cache key of the slab mode solve behind :func:`effective_indices`."""
    return modes_key(
        _slab_cross_section(design, epi),
        wavelength_um=settings.wavelength_nm * 1e-3,
        settings=SLAB_MODE_SETTINGS,
    )


def simulate_mmi(
    design: MmiDesign | None = None,
    *,
    epi: EpiStack = EPI_STACK,
    settings: MmiSettings | None = None,
    fresh: bool = False,
) -> MmiResult:
    """Split ratio, excess loss and spectra of an MMI (2-D EIM meep, cached).

    Args:
        design: the MMI (default :class:`MmiDesign`, the 1x2).
        epi: the InP epitaxy of the PDK.
        settings: numerical settings.
        fresh: recompute even if cached.
    """
    design = design or MmiDesign()
    settings = settings or MmiSettings()
    n_core, n_field = effective_indices(design, epi, settings, fresh)
    polys, pos = mmi_polygons(design)
    half_l, taper = pos["half_length"], pos["taper"]
    x_port = half_l + taper + ACCESS_UM / 2
    cell_x = 2 * (half_l + taper + ACCESS_UM + settings.pml_um)
    cell_y = design.width_um + 2 * (settings.pad_um + settings.pml_um)
    # Port monitors span the ridge plus air margin, but never reach the neighbouring port.
    port_width = design.ridge_width_um + 2 * min(settings.pad_um, 1.0)
    if design.n_inputs == 2 or design.n_outputs == 2:
        port_width = min(port_width, 2 * design.port_offset_um)
    y_in = _port_offsets(design, design.n_inputs)[0]
    f0 = 1e3 / settings.wavelength_nm
    f_hi = 1e3 / (settings.wavelength_nm - settings.bandwidth_nm / 2)
    f_lo = 1e3 / (settings.wavelength_nm + settings.bandwidth_nm / 2)
    params = {
        "polygons": polys,
        "n_core": n_core,
        "n_clad": n_field,
        "cell_x_um": cell_x,
        "cell_y_um": cell_y,
        "resolution": settings.resolution,
        "pml_um": settings.pml_um,
        "frequency": f0,
        "frequency_width": max(f_hi - f_lo, 0.2 * f0),
        "frequencies": settings.frequencies,
        "source": {"x": -x_port - 0.5, "y": y_in, "width": port_width},
        "monitors": [
            {"x": -x_port + 0.5, "y": y_in, "width": port_width},
            *(
                {"x": x_port, "y": y, "width": port_width}
                for y in _port_offsets(design, design.n_outputs)
            ),
        ],
    }
    if settings.bandwidth_nm > 0:
        params["frequency_width"] = f_hi - f_lo
    # Inputs only: the indices are computed (the slab mode's and the ambient's model), so the
    # key names the slab solve and the index models.
    inputs = {name: value for name, value in params.items() if name not in ("n_core", "n_clad")}
    payload = {
        "version": SOLVER_VERSION,
        "index_models": INDEX_MODELS_VERSION,
        "params": inputs,
        "slab_modes": slab_modes_key(design, epi, settings),
    }
    raw, _ = cached("mmi", payload, lambda: run_job(MMI_JOB, params, timeout_s=3600), fresh=fresh)
    incident = np.array(raw["input"])
    outputs = np.array(raw["outputs"]) / incident
    flux = np.array(raw["output_flux"])
    freqs = np.array(raw["frequency"])
    centre = len(freqs) // 2
    # Flux normalisation: total flux at the output plane relative to the launched mode power.
    total_flux = float(flux[centre] / incident[centre])
    out = outputs[:, centre]
    total = float(out.sum())
    return MmiResult(
        design=design.to_dict(),
        n_slab=n_core,
        n_field=n_field,
        output_power=tuple(float(p) for p in out),
        split_ratio=float(out[0] / total),
        excess_loss_db=float(-10 * math.log10(total)),
        imbalance_db=float(10 * math.log10(out[0] / out[1])),
        total_flux=total_flux,
        wavelength_nm=tuple(float(1e3 / f) for f in freqs),
        output_power_spectrum=tuple(tuple(float(v) for v in row) for row in outputs),
        settings=settings.to_dict(),
    )


SCAN_FIELDS = ("length_um", "width_um")
"""Design fields :func:`scan_mmi` can sweep."""


@dataclass(frozen=True)
class MmiScan(Record):
    """Transmission and split of an MMI over one design field (every run cached).

    Attributes:
        field: the swept :class:`MmiDesign` field (``length_um`` or ``width_um``).
        values: its values in µm (increasing).
        transmission: guided power summed over the output ports at each value (≤ 1).
        excess_loss_db: -10 log10(transmission) at each value.
        split_ratio: output 1 / (output 1 + output 2) at each value.
        best_value: the scanned value of highest transmission.
        vertex_value: that maximum refined by a parabola through the best value and its
            neighbours (the best value itself at either end of the scan).
    """

    field: str
    values: tuple[float, ...]
    transmission: tuple[float, ...]
    excess_loss_db: tuple[float, ...]
    split_ratio: tuple[float, ...]
    best_value: float
    vertex_value: float


def parabola_vertex(x: Sequence[float], y: Sequence[float]) -> float:
    """x of the maximum of y, refined by a parabola through the best sample and its neighbours.

    Returns the best sample's x when it is at an end or the three points are not concave.
    """
    if len(x) != len(y) or len(x) < 3:
        raise ValueError(f"need at least 3 points of x and y, got {len(x)} and {len(y)}")
    best = int(np.argmax(y))
    if best in (0, len(x) - 1):
        return float(x[best])
    a, b, _ = np.polyfit(x[best - 1 : best + 2], y[best - 1 : best + 2], 2)
    return float(x[best]) if a >= 0 else float(-b / (2 * a))


def scan_mmi(
    design: MmiDesign,
    *,
    field: str,
    values: Sequence[float],
    epi: EpiStack = EPI_STACK,
    settings: MmiSettings | None = None,
    fresh: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> MmiScan:
    """Simulate ``design`` with ``field`` at each of ``values`` (cached per run).

    Args:
        design: the MMI.
        field: ``"length_um"`` or ``"width_um"``.
        values: at least three increasing values in µm.
        epi: the InP epitaxy.
        settings: numerical settings.
        fresh: recompute even if cached.
        progress: called with (values done, values in all) after each value.
    """
    if field not in SCAN_FIELDS:
        raise ValueError(f"field={field!r} is not one of {list(SCAN_FIELDS)}")
    points = [float(v) for v in values]
    if len(points) < 3 or any(b <= a for a, b in pairwise(points)):
        raise ValueError(f"values={values!r} must be at least 3 increasing values")
    results = []
    for v in points:
        results.append(
            simulate_mmi(replace(design, **{field: v}), epi=epi, settings=settings, fresh=fresh)
        )
        if progress is not None:
            progress(len(results), len(points))
    transmission = [sum(r.output_power) for r in results]
    return MmiScan(
        field=field,
        values=tuple(points),
        transmission=tuple(transmission),
        excess_loss_db=tuple(r.excess_loss_db for r in results),
        split_ratio=tuple(r.split_ratio for r in results),
        best_value=points[int(np.argmax(transmission))],
        vertex_value=parabola_vertex(points, transmission),
    )
