"""WDM channel plan: which comb lines feed which client pairs, and the noise in each channel.

The comb spacing (30.03 GHz for the reference chip) is not a divisor of the ITU grid spacing,
so on the ``itu`` plan comb lines drift through the grid: a grid channel is usable when exactly
one comb line sits in its filter passband (``|nu_line - nu_grid| <= passband_half_width``)
and every other line lies in the stop band (``>= stopband_edge`` from the channel centre), so
injection locking sees a single master. Among usable channels the strongest lines are chosen.
A narrow comb (tens of lines) offers few ITU channels; the ``comb`` plan instead uses a flex
grid locked to the comb (slots at the line spacing, centred on the pump), so every line is its
own channel.

Noise in a quantum channel (photons per detector gate at the server) comes from spontaneous
Raman scattering of classical light sharing the upstream fibre (Eraerds et al., New J. Phys. 12,
063027 (2010)): co-propagating ``P = P0 rho dlambda L exp(-a L)``, counter-propagating
``P = P0 rho dlambda (1 - exp(-2 a L)) / (2 a)`` with ``a`` the loss in 1/km; and from leakage of
other wavelengths through the demultiplexer, suppressed by its isolation (:class:`DemuxFilter`
gives it at any offset from the filter's shape).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from qkdchip.constants import C_M_PER_S, PLANCK_J_S
from qkdchip.records import Record
from qkdchip.validation import check_range


@dataclass(frozen=True)
class WdmGrid:
    """A channel grid and the filters on it.

    Attributes:
        spacing_ghz: grid spacing, GHz (ITU: 100 or 50).
        anchor_thz: a grid frequency, THz (ITU: 193.1).
        passband_half_width_ghz: half width of the filter's flat pass band, GHz.
        stopband_edge_ghz: offset from the channel centre beyond which light is rejected, GHz.
        plan: ``itu`` (the fixed grid above) or ``comb`` (a flex grid whose spacing and anchor
            follow the comb: its line spacing and pump, so every line has its own slot; see
            :func:`grid_for_comb`).
    """

    spacing_ghz: float = 100.0
    anchor_thz: float = 193.1
    passband_half_width_ghz: float = 10.0
    stopband_edge_ghz: float = 20.0
    plan: str = "itu"

    def __post_init__(self) -> None:
        if self.plan not in ("itu", "comb"):
            raise ValueError(f"plan must be 'itu' or 'comb', got {self.plan!r}")
        if not (self.spacing_ghz > 0.0):
            raise ValueError(f"spacing_ghz must be > 0, got {self.spacing_ghz!r}")
        if not (0.0 < self.passband_half_width_ghz < self.stopband_edge_ghz):
            raise ValueError(
                "need 0 < passband_half_width_ghz < stopband_edge_ghz, got "
                f"{self.passband_half_width_ghz!r} and {self.stopband_edge_ghz!r}"
            )
        if not (self.stopband_edge_ghz <= 0.5 * self.spacing_ghz):
            raise ValueError(
                f"stopband_edge_ghz={self.stopband_edge_ghz!r} must be at most half "
                f"spacing_ghz={self.spacing_ghz!r} ({0.5 * self.spacing_ghz!r})"
            )


@dataclass(frozen=True)
class DemuxFilter:
    """A channel's demultiplexer filter: flat top, raised-cosine skirts, a stop-band floor.

    Power transmission at an offset ``d`` from the channel centre, with the grid's pass-band
    half-width ``p`` and stop-band edge ``s`` and the floor ``T_f = 10^(-isolation_db / 10)``::

        T(d) = 1                                                  |d| <= p
        T(d) = T_f + (1 - T_f) (1 + cos(pi (|d| - p) / (s - p))) / 2   p < |d| < s
        T(d) = T_f                                                |d| >= s

    so the filter passes its own line in full and reaches its isolation, smoothly, at the stop-band
    edge: every other comb line of the comb-locked plan (a line spacing or more away, and the
    spacing is at least twice the stop-band edge) sees the floor, and light between channels sees
    the skirt. The raised-cosine skirt is the usual model of a flat-top thin-film or arrayed-
    waveguide filter's roll-off; the floor stands for the isolation its data sheet gives.

    Attributes:
        grid: the channel grid (its pass-band half-width and stop-band edge shape the filter).
        isolation_db: stop-band isolation (the floor), dB (> 0).
    """

    grid: WdmGrid
    isolation_db: float

    def __post_init__(self) -> None:
        check_range("isolation_db", self.isolation_db, 0.0, 200.0, low_open=True)

    def transmission(self, offset_hz: float) -> float:
        """Power transmission (linear, 0..1) at ``offset_hz`` from the channel centre."""
        check_range("offset_hz", offset_hz)
        d = abs(offset_hz)
        passband = self.grid.passband_half_width_ghz * 1e9
        stopband = self.grid.stopband_edge_ghz * 1e9
        floor = 10.0 ** (-self.isolation_db / 10.0)
        if d <= passband:
            return 1.0
        if d >= stopband:
            return floor
        skirt = 0.5 * (1.0 + math.cos(math.pi * (d - passband) / (stopband - passband)))
        return floor + (1.0 - floor) * skirt

    def isolation_at_db(self, offset_hz: float) -> float:
        """Isolation ``-10 log10 T`` at ``offset_hz`` from the channel centre, dB."""
        return -10.0 * math.log10(self.transmission(offset_hz))


def grid_for_comb(grid: WdmGrid, *, line_spacing_hz: float, pump_frequency_hz: float) -> WdmGrid:
    """The grid actually used with a comb: unchanged for ``itu``, comb-locked for ``comb``.

    Args:
        grid: the scenario's grid.
        line_spacing_hz: the comb's line spacing (FSR), Hz.
        pump_frequency_hz: the pump line's frequency, Hz.

    Raises:
        ValueError: when the filters do not fit the comb spacing (stop band beyond half of it).
    """
    if grid.plan == "itu":
        return grid
    if not (line_spacing_hz > 0.0 and pump_frequency_hz > 0.0):
        raise ValueError(
            f"line_spacing_hz and pump_frequency_hz must be > 0, got {line_spacing_hz!r}, "
            f"{pump_frequency_hz!r}"
        )
    return replace(grid, spacing_ghz=line_spacing_hz / 1e9, anchor_thz=pump_frequency_hz / 1e12)


@dataclass(frozen=True)
class ChannelAssignment(Record):
    """One WDM channel and the comb line that seeds it.

    Attributes:
        grid_index: channel number on the grid (0 at the anchor).
        grid_frequency_hz: channel centre, Hz.
        line_mu: comb mode number of the line (0 = pump).
        line_frequency_hz: frequency of the line, Hz.
        line_power_dbm: power of the line at the server output, dBm.
        offset_ghz: line minus channel centre, GHz.
    """

    derived = ("wavelength_nm",)

    grid_index: int
    grid_frequency_hz: float
    line_mu: int
    line_frequency_hz: float
    line_power_dbm: float
    offset_ghz: float

    @property
    def wavelength_nm(self) -> float:
        """Vacuum wavelength of the line, nm."""
        return C_M_PER_S / self.line_frequency_hz * 1e9


def usable_channels(
    *,
    line_mu: np.ndarray,
    line_frequency_hz: np.ndarray,
    line_power_dbm: np.ndarray,
    grid: WdmGrid,
    min_power_dbm: float,
    exclude_mu: tuple[int, ...] = (0,),
) -> list[ChannelAssignment]:
    """Every grid channel that isolates exactly one line above ``min_power_dbm``.

    Lines below the power threshold still count as light in the stop-band test. Channels whose
    line is in ``exclude_mu`` (the pump, used as the phase reference) are skipped.

    Returns:
        Usable channels in ascending frequency.
    """
    mu = np.asarray(line_mu, dtype=int)
    freq = np.asarray(line_frequency_hz, dtype=float)
    power = np.asarray(line_power_dbm, dtype=float)
    if not (mu.shape == freq.shape == power.shape) or mu.ndim != 1:
        raise ValueError(
            "line_mu, line_frequency_hz and line_power_dbm must be 1-D arrays of one length, "
            f"got shapes {mu.shape}, {freq.shape}, {power.shape}"
        )
    if not (np.all(np.isfinite(freq)) and np.all(freq > 0)):
        raise ValueError("line_frequency_hz must be finite and positive")
    spacing = grid.spacing_ghz * 1e9
    anchor = grid.anchor_thz * 1e12
    index = np.rint((freq - anchor) / spacing).astype(int)
    centre = anchor + index * spacing
    offset = freq - centre
    in_pass = np.abs(offset) <= grid.passband_half_width_ghz * 1e9
    out: list[ChannelAssignment] = []
    for k in np.unique(index[in_pass]):
        members = np.flatnonzero(index == k)
        centre_k = anchor + k * spacing
        dist = np.abs(freq - centre_k)
        passing = members[dist[members] <= grid.passband_half_width_ghz * 1e9]
        leaking = np.flatnonzero(
            (dist > grid.passband_half_width_ghz * 1e9) & (dist < grid.stopband_edge_ghz * 1e9)
        )
        if len(passing) != 1 or len(leaking) > 0:
            continue
        j = int(passing[0])
        if int(mu[j]) in exclude_mu or not (power[j] >= min_power_dbm):
            continue
        out.append(
            ChannelAssignment(
                grid_index=int(k),
                grid_frequency_hz=float(centre_k),
                line_mu=int(mu[j]),
                line_frequency_hz=float(freq[j]),
                line_power_dbm=float(power[j]),
                offset_ghz=float((freq[j] - centre_k) / 1e9),
            )
        )
    return sorted(out, key=lambda ch: ch.line_frequency_hz)


def assign_channels(
    *,
    line_mu: np.ndarray,
    line_frequency_hz: np.ndarray,
    line_power_dbm: np.ndarray,
    n_channels: int,
    grid: WdmGrid,
    min_power_dbm: float,
    exclude_mu: tuple[int, ...] = (0,),
) -> tuple[ChannelAssignment, ...]:
    """Choose ``n_channels`` grid channels, each seeded by its strongest isolated comb line.

    Raises:
        ValueError: when the comb offers fewer usable channels than asked for.

    Returns:
        The chosen channels in ascending frequency.
    """
    if n_channels < 1:
        raise ValueError(f"n_channels must be >= 1, got {n_channels!r}")
    candidates = usable_channels(
        line_mu=line_mu,
        line_frequency_hz=line_frequency_hz,
        line_power_dbm=line_power_dbm,
        grid=grid,
        min_power_dbm=min_power_dbm,
        exclude_mu=exclude_mu,
    )
    if len(candidates) < n_channels:
        raise ValueError(
            f"the comb isolates only {len(candidates)} usable lines on the {grid.spacing_ghz:g} "
            f"GHz grid (lines >= {min_power_dbm:g} dBm, pass band +/-"
            f"{grid.passband_half_width_ghz:g} GHz), but n_channels = {n_channels}"
        )
    best = sorted(candidates, key=lambda ch: -ch.line_power_dbm)[:n_channels]
    return tuple(sorted(best, key=lambda ch: ch.line_frequency_hz))


def raman_noise_power_w(
    *,
    launch_power_w: float,
    raman_coefficient_per_km_nm: float,
    bandwidth_nm: float,
    length_km: float,
    loss_db_per_km: float,
    co_propagating: bool,
) -> float:
    """Spontaneous Raman power in a quantum band at the fibre end (Eraerds et al. 2010), W."""
    for name, value in (
        ("launch_power_w", launch_power_w),
        ("raman_coefficient_per_km_nm", raman_coefficient_per_km_nm),
        ("bandwidth_nm", bandwidth_nm),
        ("length_km", length_km),
        ("loss_db_per_km", loss_db_per_km),
    ):
        if not (math.isfinite(value) and value >= 0.0):
            raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    a = loss_db_per_km * math.log(10.0) / 10.0
    base = launch_power_w * raman_coefficient_per_km_nm * bandwidth_nm
    if co_propagating:
        return base * length_km * math.exp(-a * length_km)
    if a == 0.0:
        return base * length_km
    return base * (-math.expm1(-2.0 * a * length_km)) / (2.0 * a)


def photons_per_gate(*, power_w: float, frequency_hz: float, gate_s: float) -> float:
    """Mean photon number of an optical power within one detector gate."""
    if not (power_w >= 0.0 and frequency_hz > 0.0 and gate_s >= 0.0):
        raise ValueError(
            "need power_w >= 0, frequency_hz > 0 and gate_s >= 0, got "
            f"{power_w!r}, {frequency_hz!r}, {gate_s!r}"
        )
    return power_w * gate_s / (PLANCK_J_S * frequency_hz)
