"""Draw client transmitter chips at random wafer positions, for the network model."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from qkdchip.constants import C_M_PER_S
from qkdchip.platforms import INP
from qkdchip.simulations.wafer_yield.engine import YieldModel


@dataclass(frozen=True)
class ClientChipMetrics:
    """Metrics of ``n`` InP client chips; device arrays are (n, devices of that kind).

    Chips are grouped by wafer: sorted by wafer, then by die index on the wafer. Device ``j``
    of a kind is the ``j``-th section of that kind in the transmitter's inventory
    (``device_names``; laser 0 is the signal laser ``DBR sig``).

    Attributes:
        wafer_index: wafer each chip came from (n,).
        die_index: product-die index on its wafer (n,).
        x_mm, y_mm: die centre on its wafer (n,).
        laser_detuning_ghz: free-running lasing frequency minus the target comb line (GHz).
        laser_bragg_error_ghz: DBR Bragg frequency minus the target comb line (GHz); the phase
            section puts the lasing mode anywhere within half a mode spacing of it.
        laser_tuning_reach_ghz: how far the laser tunes from its Bragg frequency without a mode
            hop: the smaller of the coarse tuning ranges (chip spec) plus the phase section's
            half mode spacing less the mode-hop margin (GHz).
        laser_lock_margin_ghz: distance of the comb line inside the reachable tuning + locking
            window (GHz; negative: cannot lock).
        laser_locked: laser meets its specs (lock and threshold) and has no killer defect.
        laser_threshold_ma: threshold current (mA).
        laser_locking_range_ghz: full injection-locking range (red + blue, GHz).
        im_extinction_ratio_db: intensity-modulator extinction ratios (dB).
        pm_vpi_v: phase-modulator half-wave voltages (V).
        voa_range_db: VOA attenuation ranges (dB).
        modulator_pass: pass flags of the chip's modulators (intensity first, then phase).
        killer_defect: device kind -> killer defect per device (n, count), whatever the
            device's metrics.
        parametric_pass: device kind -> every metric of the device inside its spec window
            (n, count), whatever its defects.
        device_names: device kind -> names of its devices in device-index order.
        chip_pass: every device on the chip passes (no defect, every metric in spec).
    """

    wafer_index: NDArray[np.int64]
    die_index: NDArray[np.int64]
    x_mm: NDArray[np.float64]
    y_mm: NDArray[np.float64]
    laser_detuning_ghz: NDArray[np.float64]
    laser_bragg_error_ghz: NDArray[np.float64]
    laser_tuning_reach_ghz: NDArray[np.float64]
    laser_lock_margin_ghz: NDArray[np.float64]
    laser_locked: NDArray[np.bool_]
    laser_threshold_ma: NDArray[np.float64]
    laser_locking_range_ghz: NDArray[np.float64]
    im_extinction_ratio_db: NDArray[np.float64]
    pm_vpi_v: NDArray[np.float64]
    voa_range_db: NDArray[np.float64]
    modulator_pass: NDArray[np.bool_]
    killer_defect: dict[str, NDArray[np.bool_]]
    parametric_pass: dict[str, NDArray[np.bool_]]
    device_names: dict[str, tuple[str, ...]]
    chip_pass: NDArray[np.bool_]

    @property
    def n_chips(self) -> int:
        """Number of chips."""
        return int(self.chip_pass.size)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary of lists."""
        out: dict[str, Any] = {}
        for k, v in self.__dict__.items():
            if isinstance(v, dict):
                out[k] = {kind: np.asarray(a).tolist() for kind, a in v.items()}
            else:
                out[k] = np.asarray(v).tolist()
        return out


def draw_client_chips(
    n_chips: int, rng: np.random.Generator, *, model: YieldModel | None = None
) -> ClientChipMetrics:
    """Sample ``n_chips`` InP transmitter chips at random die positions.

    Chips are taken without replacement from as few freshly simulated wafers as hold them (one
    wafer for up to a full wafer of dies), so chips share their wafer's offsets and field as in
    the reference network (20 chips from one 3-inch wafer). A multiple of the dies per wafer
    (``model.grid.n_dies``) gives every die of that many wafers. The chips come back grouped by
    wafer, in die order.

    Args:
        n_chips: number of chips (>= 1).
        rng: caller-seeded generator.
        model: InP yield model (default: shipped process statistics, specs and tables).

    Returns:
        Per-chip metric arrays.
    """
    if not isinstance(n_chips, int | np.integer) or n_chips < 1:
        raise ValueError(f"n_chips = {n_chips!r} must be an integer >= 1")
    model = model if model is not None else YieldModel.build(INP)
    if model.stats.platform != INP.name:
        raise ValueError(f"model platform {model.stats.platform!r} must be {INP.name!r}")
    n_dies = model.grid.n_dies
    n_wafers = math.ceil(n_chips / n_dies)
    res = model.simulate(model.sampler.structured_normals(n_wafers, rng, "mc"), rng)
    flat = np.sort(rng.choice(n_wafers * n_dies, size=n_chips, replace=False))
    w, d = np.divmod(flat, n_dies)
    b = res.batches
    laser = b["dbr_laser"]
    im, pm = b["intensity_modulator"], b["phase_modulator"]
    op = model.spec.operating
    lock_range = laser.metrics["locking_range_red_ghz"] + laser.metrics["locking_range_blue_ghz"]
    phase_reach = np.maximum(
        0.5 * laser.metrics["mode_spacing_ghz"] - op["mode_hop_margin_min_ghz"], 0.0
    )
    reach = min(op["tuning_red_ghz"], op["tuning_blue_ghz"]) + phase_reach
    target_hz = C_M_PER_S / (model.table.d("wavelength_nm") * 1e-9) + op["target_offset_ghz"] * 1e9
    bragg_hz = C_M_PER_S / (laser.metrics["bragg_wavelength_nm"] * 1e-9)
    return ClientChipMetrics(
        wafer_index=w,
        die_index=d,
        x_mm=model.grid.x_mm[d],
        y_mm=model.grid.y_mm[d],
        laser_detuning_ghz=laser.metrics["lasing_detuning_ghz"][w, d],
        laser_bragg_error_ghz=((bragg_hz - target_hz) * 1e-9)[w, d],
        laser_tuning_reach_ghz=reach[w, d],
        laser_lock_margin_ghz=laser.metrics["lock_margin_ghz"][w, d],
        laser_locked=laser.passed[w, d],
        laser_threshold_ma=laser.metrics["threshold_ma"][w, d],
        laser_locking_range_ghz=lock_range[w, d],
        im_extinction_ratio_db=im.metrics["extinction_ratio_db"][w, d],
        pm_vpi_v=pm.metrics["vpi_v"][w, d],
        voa_range_db=b["voa"].metrics["attenuation_range_db"][w, d],
        modulator_pass=np.concatenate([im.passed[w, d], pm.passed[w, d]], axis=1),
        killer_defect={kind: batch.defect[w, d] for kind, batch in b.items()},
        parametric_pass={kind: batch.parametric_pass[w, d] for kind, batch in b.items()},
        device_names={dev.kind: dev.names for dev in model.spec.devices},
        chip_pass=res.chip_pass[w, d],
    )
