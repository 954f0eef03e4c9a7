"""Injection locking of a client DBR laser (slave) to one server comb line (master).

Conventions: the detuning is ``nu_master - nu_slave`` of the free-running slave, in Hz. The
weak-injection locking range (Mogensen, Olesen, Jacobsen, Electron. Lett. 21, 696 (1985);
Petermann, "Laser diode modulation and noise", ch. 7) is asymmetric with the
linewidth-enhancement factor alpha::

    -kappa_c sqrt(1 + alpha^2) sqrt(rho) <= 2 pi (nu_m - nu_s) <= kappa_c sqrt(rho),
    rho = P_inj / P_slave,

with the coupling rate through the slave's output mirror
``kappa_c = (v_g / 2 L) (1 - R) / sqrt(R)``. Inside the range the slave's optical phase follows
the master's within the locking bandwidth ``f_L = kappa_c sqrt(P_inj / P_slave) / (2 pi)``: the
locked laser inherits the master line's linewidth, and what is left of the slave's own
(Lorentzian) phase noise is its high-pass part above ``f_L``, a bounded jitter of variance
``dnu_free / (2 f_L)`` rad² (integral of ``dnu/(pi f^2) * f^2/(f^2 + f_L^2)`` over f).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, ClassVar

from qkdchip.constants import C_M_PER_S
from qkdchip.validation import check_range


@dataclass(frozen=True)
class SlaveLaser:
    """A client DBR laser as an injection-locking slave.

    Attributes:
        output_power_dbm: free-running output power inside the chip, dBm.
        cavity_length_m: effective cavity length (gain + phase + DBR penetration), m.
        group_index: group index of the laser waveguide.
        mirror_reflectivity: power reflectivity of the mirror the master light enters by, (0, 1).
        alpha_factor: linewidth-enhancement (Henry) factor, >= 0.
        free_running_linewidth_hz: Lorentzian (intrinsic) linewidth when free running, Hz.
        tuning_range_hz: half-width of the continuous tuning (phase section and current) around
            the free-running frequency, Hz.
    """

    output_power_dbm: float = 5.0
    cavity_length_m: float = 1.0e-3
    group_index: float = 3.7
    mirror_reflectivity: float = 0.3
    alpha_factor: float = 4.0
    free_running_linewidth_hz: float = 2.0e6
    tuning_range_hz: float = 15.0e9

    def __post_init__(self) -> None:
        check_range("output_power_dbm", self.output_power_dbm)
        check_range("cavity_length_m", self.cavity_length_m, 0.0, low_open=True)
        check_range("group_index", self.group_index, 1.0)
        check_range(
            "mirror_reflectivity", self.mirror_reflectivity, 0.0, 1.0, low_open=True, high_open=True
        )
        check_range("alpha_factor", self.alpha_factor, 0.0)
        check_range("free_running_linewidth_hz", self.free_running_linewidth_hz, 0.0, low_open=True)
        check_range("tuning_range_hz", self.tuning_range_hz, 0.0)

    @property
    def coupling_rate_per_s(self) -> float:
        """Injection coupling rate kappa_c, rad/s."""
        return coupling_rate_per_s(
            group_index=self.group_index,
            cavity_length_m=self.cavity_length_m,
            mirror_reflectivity=self.mirror_reflectivity,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return asdict(self)


@dataclass(frozen=True)
class LaserOperation:
    """How a client's DBR laser is run: what its drawn cavity does not fix.

    The cavity (length, group index, the reflectance of the grating the comb light enters by)
    comes from the drawn laser and its simulated grating
    (:func:`qkdchip.simulations.devices.dbr_cavity.dbr_cavity`); :meth:`slave` joins the two.

    Attributes:
        output_power_dbm: free-running output power inside the chip, dBm.
        alpha_factor: linewidth-enhancement (Henry) factor, >= 0.
        free_running_linewidth_hz: Lorentzian (intrinsic) linewidth when free running, Hz.
        tuning_range_hz: half-width of the continuous tuning around the free-running
            frequency, Hz.
    """

    DERIVED: ClassVar[dict[str, str]] = {
        name: "the drawn DBR laser and its simulated grating (set the laser in [design])"
        for name in ("cavity_length_m", "group_index", "mirror_reflectivity")
    }

    output_power_dbm: float = 5.0
    alpha_factor: float = 4.0
    free_running_linewidth_hz: float = 2.0e6
    tuning_range_hz: float = 15.0e9

    def __post_init__(self) -> None:
        self.slave(cavity_length_m=1e-3, group_index=3.7, mirror_reflectivity=0.5)  # validates

    def slave(
        self, *, cavity_length_m: float, group_index: float, mirror_reflectivity: float
    ) -> SlaveLaser:
        """The laser as an injection-locking slave, with its cavity."""
        return SlaveLaser(
            output_power_dbm=self.output_power_dbm,
            cavity_length_m=cavity_length_m,
            group_index=group_index,
            mirror_reflectivity=mirror_reflectivity,
            alpha_factor=self.alpha_factor,
            free_running_linewidth_hz=self.free_running_linewidth_hz,
            tuning_range_hz=self.tuning_range_hz,
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return asdict(self)


def coupling_rate_per_s(
    *, group_index: float, cavity_length_m: float, mirror_reflectivity: float
) -> float:
    """Coupling rate of injected light through the slave's mirror, ``(v_g/2L)(1-R)/sqrt(R)``.

    Args:
        group_index: group index of the slave cavity.
        cavity_length_m: effective cavity length, m.
        mirror_reflectivity: power reflectivity of the injection mirror, (0, 1).

    Returns:
        kappa_c in rad/s.
    """
    check_range("group_index", group_index, 0.0, low_open=True)
    check_range("cavity_length_m", cavity_length_m, 0.0, low_open=True)
    check_range("mirror_reflectivity", mirror_reflectivity, 0.0, 1.0, low_open=True, high_open=True)
    v_g = C_M_PER_S / group_index
    return (
        v_g / (2.0 * cavity_length_m) * (1.0 - mirror_reflectivity) / math.sqrt(mirror_reflectivity)
    )


def locking_range_hz(
    *, coupling_rate_per_s: float, injection_ratio: float, alpha_factor: float
) -> tuple[float, float]:
    """Stationary locking range in detuning ``nu_master - nu_slave``.

    Args:
        coupling_rate_per_s: kappa_c, rad/s.
        injection_ratio: P_injected / P_slave (linear, > 0).
        alpha_factor: linewidth-enhancement factor, >= 0.

    Returns:
        (lowest, highest) detuning in Hz that locks; lowest = -highest * sqrt(1 + alpha²).
    """
    check_range("coupling_rate_per_s", coupling_rate_per_s, 0.0, low_open=True)
    check_range("injection_ratio", injection_ratio, 0.0, low_open=True)
    check_range("alpha_factor", alpha_factor, 0.0)
    high = coupling_rate_per_s * math.sqrt(injection_ratio) / (2.0 * math.pi)
    return -high * math.sqrt(1.0 + alpha_factor**2), high


def injected_power_dbm(
    *,
    line_power_dbm: float,
    fibre_length_km: float,
    fibre_loss_db_per_km: float,
    filter_loss_db: float,
    coupling_loss_db: float = 0.0,
) -> float:
    """Comb-line power that reaches the slave laser after distribution and filtering.

    Args:
        line_power_dbm: power of the comb line at the server output, dBm.
        fibre_length_km: downstream (server to client) fibre length, km.
        fibre_loss_db_per_km: fibre attenuation, dB/km.
        filter_loss_db: insertion loss of the line-selecting filters (demultiplexer), dB.
        coupling_loss_db: fibre-to-chip coupling and on-chip routing loss, dB.

    Returns:
        Injected power in dBm.
    """
    if not math.isfinite(line_power_dbm):
        raise ValueError(f"line_power_dbm must be finite, got {line_power_dbm!r}")
    check_range("fibre_length_km", fibre_length_km, 0.0)
    check_range("fibre_loss_db_per_km", fibre_loss_db_per_km, 0.0)
    check_range("filter_loss_db", filter_loss_db, 0.0)
    check_range("coupling_loss_db", coupling_loss_db, 0.0)
    return (
        line_power_dbm - fibre_length_km * fibre_loss_db_per_km - filter_loss_db - coupling_loss_db
    )


@dataclass(frozen=True)
class LockResult:
    """Outcome of injection-locking one slave to one master line.

    Attributes:
        locked: whether a detuning inside the locking range is reachable with the slave tuning.
        injected_power_dbm: master power arriving in the slave cavity, dBm.
        injection_ratio_db: 10 log10(P_inj / P_slave), dB.
        range_low_hz: most negative detuning (nu_m - nu_s) that locks, Hz.
        range_high_hz: most positive detuning that locks, Hz.
        free_running_detuning_hz: nu_master - nu_slave before tuning, Hz.
        tuning_applied_hz: slave frequency shift used to lock (0 when already inside), Hz.
        locking_bandwidth_hz: phase-following bandwidth f_L, Hz.
        linewidth_hz: output Lorentzian linewidth, Hz (master's when locked).
        residual_phase_variance_rad2: slave phase jitter not followed (0 when unlocked; the
            unlocked laser is described by its linewidth instead), rad².
    """

    locked: bool
    injected_power_dbm: float
    injection_ratio_db: float
    range_low_hz: float
    range_high_hz: float
    free_running_detuning_hz: float
    tuning_applied_hz: float
    locking_bandwidth_hz: float
    linewidth_hz: float
    residual_phase_variance_rad2: float

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return asdict(self)


def injection_lock(
    *,
    slave: SlaveLaser,
    master_linewidth_hz: float,
    injected_power_dbm: float,
    free_running_detuning_hz: float,
) -> LockResult:
    """Decide whether the slave locks and what its output noise then is.

    The slave is tuned (within ``slave.tuning_range_hz``) towards the centre of the locking range;
    it locks when the reachable detuning interval ``[d - T, d + T]`` overlaps the range.

    Args:
        slave: the slave laser.
        master_linewidth_hz: Lorentzian linewidth of the master comb line, Hz (> 0).
        injected_power_dbm: master power in the slave cavity, dBm.
        free_running_detuning_hz: nu_master - nu_slave before any tuning, Hz.

    Returns:
        The :class:`LockResult`.
    """
    check_range("master_linewidth_hz", master_linewidth_hz, 0.0, low_open=True)
    check_range("injected_power_dbm", injected_power_dbm)
    if not math.isfinite(free_running_detuning_hz):
        raise ValueError(
            f"free_running_detuning_hz must be finite, got {free_running_detuning_hz!r}"
        )
    ratio_db = injected_power_dbm - slave.output_power_dbm
    ratio = 10.0 ** (ratio_db / 10.0)
    low, high = locking_range_hz(
        coupling_rate_per_s=slave.coupling_rate_per_s,
        injection_ratio=ratio,
        alpha_factor=slave.alpha_factor,
    )
    # Tuning the slave up by s changes the detuning to d - s; aim at the range centre.
    centre = 0.5 * (low + high)
    wanted = free_running_detuning_hz - centre
    tuning = max(-slave.tuning_range_hz, min(slave.tuning_range_hz, wanted))
    final_detuning = free_running_detuning_hz - tuning
    locked = low <= final_detuning <= high
    f_lock = high
    if locked:
        linewidth = master_linewidth_hz
        residual = slave.free_running_linewidth_hz / (2.0 * f_lock)
    else:
        linewidth = slave.free_running_linewidth_hz
        residual = 0.0
    return LockResult(
        locked=locked,
        injected_power_dbm=injected_power_dbm,
        injection_ratio_db=ratio_db,
        range_low_hz=low,
        range_high_hz=high,
        free_running_detuning_hz=free_running_detuning_hz,
        tuning_applied_hz=tuning if locked else 0.0,
        locking_bandwidth_hz=f_lock,
        linewidth_hz=linewidth,
        residual_phase_variance_rad2=residual,
    )
