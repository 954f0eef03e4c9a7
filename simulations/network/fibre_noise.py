"""Noise in a quantum channel while every WDM channel of the network is lit (parallel operation).

Which fibre carries which light (the assumptions of :func:`channel_noise_per_gate`):

* every client has its own backbone fibre to the server. It carries that client's quantum pulses
  (on its pair's channel) and its reference pulses (at lambda_0), both travelling upstream,
  client to server: ``upstream`` lines.
* the comb seed light travels downstream, server to client. In the reference network it has
  fibres of its own (the paper's separate, mostly short downstream links), so it adds nothing at
  the server's detectors. Where a backbone fibre is used both ways, the seed lines enter it at
  the server end and travel against the quantum light (``downstream`` lines): their backward
  Raman light and their Rayleigh backscatter come back into the server.
* the server multiplexes the clients' fibres, interferes them and demultiplexes the channels
  onto their detectors, so every client's light reaches every channel's filter: light at another
  frequency leaks through the filter's isolation at its offset (:class:`~.wdm.DemuxFilter`),
  while Raman light scattered into the channel's band in any backbone fibre passes in full.
* a channel's beam splitter sends half of all of it to each of its two detectors.

Noise is counted at its mean power over a gate (noise photons per gate = mean power x gate / h nu),
exact for the continuous seed and for backscatter, a lower bound for pulses that arrive inside
the gates (those deliver up to slot/gate times more).

Spontaneous Raman scattering (Stokes: signal below the pump; anti-Stokes: above) follows from
the Raman gain efficiency ``C_R = g_R / A_eff`` by fluctuation-dissipation: per unit length and
bandwidth a pump of power P scatters ``2 C_R(|d|) P h nu_s (n_th + 1)`` on the Stokes side and
``2 C_R(|d|) P h nu_s n_th`` on the anti-Stokes side into the two polarisations of the mode
(``n_th = 1 / (exp(h |d| / k T) - 1)``, ``d = nu_pump - nu_signal``; Agrawal, "Nonlinear Fiber
Optics", ch. 8; Smith, Appl. Opt. 11, 2489 (1972)). ``C_R`` has the single-oscillator shape of
Blow & Wood, IEEE J. Quantum Electron. 25, 2665 (1989) (peak near 13 THz, linear in ``d`` at
small offsets), scaled to its peak value: the Raman gain of silica, about 1e-13 m/W for a 1 um pump
and inversely proportional to the pump wavelength (6.5e-14 m/W at 1.55 um), over the 80 um² mode
of standard fibre and halved for random relative polarisation, gives 0.4 /(W km) (Agrawal,
ch. 8). The Blow-Wood shape is a one-oscillator approximation; measured spectra (Hollenbeck &
Cantrell, J. Opt. Soc. Am. B 19, 2886 (2002); Li et al., Opt. Express 13, 2236 (2005), down to
0.17 THz) differ from it in detail, most below a few THz. At small offsets ``C_R ~ d`` while
``n_th ~ k T / (h d)``, so the spontaneous coefficient tends to a constant on both sides: about
2.8e-9 /(km nm) at 300 K, within the comb-locked channel plan's 30 GHz to THz offsets (3e-9
/(km nm) at 0.5 THz, the value the network model uses for a classical channel a few nm away).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from qkdchip.constants import C_M_PER_S, PLANCK_J_S
from qkdchip.records import Record
from qkdchip.simulations.network.wdm import DemuxFilter, photons_per_gate, raman_noise_power_w
from qkdchip.validation import check_choice, check_range

BOLTZMANN_J_PER_K: float = 1.380_649e-23
"""Boltzmann constant, J/K (exact SI value)."""

DIRECTIONS = ("upstream", "downstream")


@dataclass(frozen=True)
class RamanSpectrum:
    """Spontaneous Raman scattering of a silica single-mode fibre.

    Attributes:
        peak_gain_efficiency_per_w_km: Raman gain efficiency ``g_R / A_eff`` at the gain peak
            (about 13 THz) for random relative polarisation, 1/(W km); 0.4 for standard fibre
            at 1550 nm (see the module notes).
        temperature_k: fibre temperature, K.
        tau1_s: Blow-Wood response period (sets the peak offset ``1 / (2 pi tau1)``), s.
        tau2_s: Blow-Wood damping time (sets the width), s.
    """

    peak_gain_efficiency_per_w_km: float = 0.4
    temperature_k: float = 300.0
    tau1_s: float = 12.2e-15
    tau2_s: float = 32.0e-15

    def __post_init__(self) -> None:
        check_range("peak_gain_efficiency_per_w_km", self.peak_gain_efficiency_per_w_km, 0.0, 100.0)
        check_range("temperature_k", self.temperature_k, 0.0, 2000.0, low_open=True)
        check_range("tau1_s", self.tau1_s, 1e-16, 1e-12)
        check_range("tau2_s", self.tau2_s, 1e-16, 1e-12)

    def _inverse_denominator(self, omega: float) -> float:
        """``1 / ((W² + G² - w²)² + 4 G² w²)``: the Blow-Wood gain over ``w``."""
        big_w2 = 1.0 / self.tau1_s**2
        g2 = 1.0 / self.tau2_s**2
        return 1.0 / ((big_w2 + g2 - omega * omega) ** 2 + 4.0 * g2 * omega * omega)

    @property
    def peak_offset_hz(self) -> float:
        """Offset of the gain peak, Hz (13.1 THz for the default response times)."""
        a = 1.0 / self.tau1_s**2 + 1.0 / self.tau2_s**2
        b = 4.0 / self.tau2_s**2
        omega2 = ((2.0 * a - b) + math.sqrt((b - 2.0 * a) ** 2 + 12.0 * a * a)) / 6.0
        return math.sqrt(omega2) / (2.0 * math.pi)

    def efficiency_slope_per_w_km_hz(self, offset_hz: float) -> float:
        """``C_R(|d|) / |d|``, finite at zero offset, 1/(W km Hz)."""
        peak = self.peak_offset_hz
        omega_peak = 2.0 * math.pi * peak
        scale = self.peak_gain_efficiency_per_w_km / (
            omega_peak * self._inverse_denominator(omega_peak)
        )
        return scale * 2.0 * math.pi * self._inverse_denominator(2.0 * math.pi * abs(offset_hz))


def thermal_occupation(*, offset_hz: float, temperature_k: float) -> float:
    """Bose-Einstein phonon occupation ``1 / (exp(h |d| / k T) - 1)`` at offset d (nonzero), Hz."""
    check_range("temperature_k", temperature_k, 0.0, low_open=True)
    check_range("offset_hz", offset_hz)
    if offset_hz == 0.0:
        raise ValueError(
            "offset_hz=0.0 is outside the allowed range (-inf, 0) or (0, inf): the occupation "
            "diverges at zero offset"
        )
    return 1.0 / math.expm1(PLANCK_J_S * abs(offset_hz) / (BOLTZMANN_J_PER_K * temperature_k))


def raman_gain_efficiency_per_w_km(*, offset_hz: float, spectrum: RamanSpectrum) -> float:
    """Raman gain efficiency ``C_R = g_R / A_eff`` at a pump-signal offset, 1/(W km)."""
    check_range("offset_hz", offset_hz)
    return spectrum.efficiency_slope_per_w_km_hz(offset_hz) * abs(offset_hz)


def raman_coefficient_per_km_nm(
    *, pump_frequency_hz: float, signal_frequency_hz: float, spectrum: RamanSpectrum
) -> float:
    """Spontaneous Raman coefficient rho into a signal band from a pump, 1/(km nm).

    ``rho = 2 C_R(|d|) h nu_s (n_th + 1)`` (Stokes, ``d = nu_p - nu_s > 0``) or
    ``2 C_R(|d|) h nu_s n_th`` (anti-Stokes), per Hz, times ``nu_s² / c`` Hz per nm at the signal.
    At zero offset it takes its limit ``2 (C_R / d) (k T / h) h nu_s`` on both sides.

    Args:
        pump_frequency_hz: frequency of the scattering (classical) light, Hz (> 0).
        signal_frequency_hz: centre of the quantum band, Hz (> 0).
        spectrum: the fibre's Raman spectrum.

    Returns:
        rho in 1/(km nm): scattered power per launched power, per km and per nm of band.
    """
    check_range("pump_frequency_hz", pump_frequency_hz, 0.0, low_open=True)
    check_range("signal_frequency_hz", signal_frequency_hz, 0.0, low_open=True)
    offset = pump_frequency_hz - signal_frequency_hz
    kt_over_h = BOLTZMANN_J_PER_K * spectrum.temperature_k / PLANCK_J_S
    x = abs(offset) / kt_over_h
    offset_times_occupation = kt_over_h * (x / math.expm1(x) if x > 0.0 else 1.0)
    thermal = offset_times_occupation + (abs(offset) if offset > 0.0 else 0.0)
    per_hz = (
        2.0
        * spectrum.efficiency_slope_per_w_km_hz(offset)
        * thermal
        * PLANCK_J_S
        * signal_frequency_hz
    )
    return per_hz * signal_frequency_hz**2 / C_M_PER_S * 1e-9


def raman_noise_from_line_w(
    *,
    pump_frequency_hz: float,
    signal_frequency_hz: float,
    launch_power_w: float,
    bandwidth_nm: float,
    length_km: float,
    loss_db_per_km: float,
    co_propagating: bool,
    spectrum: RamanSpectrum,
) -> float:
    """Spontaneous Raman power of one line in a quantum band at the fibre end the band leaves by, W.

    Forward (co-propagating) ``P rho L exp(-a L) dlambda``; backward ``P rho dlambda (1 -
    exp(-2 a L)) / (2 a)``, ``a`` the loss in 1/km (Eraerds et al., New J. Phys. 12, 063027
    (2010)), with rho from :func:`raman_coefficient_per_km_nm`.

    Args:
        pump_frequency_hz: frequency of the line, Hz.
        signal_frequency_hz: centre of the quantum band, Hz.
        launch_power_w: mean power the line enters the fibre with, W.
        bandwidth_nm: width of the quantum band, nm.
        length_km: fibre length, km.
        loss_db_per_km: fibre attenuation, dB/km.
        co_propagating: True when the line travels with the quantum light.
        spectrum: the fibre's Raman spectrum.
    """
    rho = raman_coefficient_per_km_nm(
        pump_frequency_hz=pump_frequency_hz,
        signal_frequency_hz=signal_frequency_hz,
        spectrum=spectrum,
    )
    return raman_noise_power_w(
        launch_power_w=launch_power_w,
        raman_coefficient_per_km_nm=rho,
        bandwidth_nm=bandwidth_nm,
        length_km=length_km,
        loss_db_per_km=loss_db_per_km,
        co_propagating=co_propagating,
    )


def rayleigh_backscatter_power_w(
    *,
    launch_power_w: float,
    length_km: float,
    loss_db_per_km: float,
    capture_fraction: float,
    scattering_loss_db_per_km: float,
) -> float:
    """Rayleigh light a fibre sends back to its input, ``P S a_s (1 - exp(-2 a L)) / (2 a)``, W.

    Light scattered at depth z (coefficient ``a_s`` per km) is guided back with the capture
    fraction S and loses ``exp(-2 a z)`` on the round trip (Brinkmeyer, J. Opt. Soc. Am. 70, 1010
    (1980)); ``P S a_s L`` for a short fibre, ``P S a_s / (2 a)`` for a long one.

    Args:
        launch_power_w: power entering the fibre, W.
        length_km: fibre length, km.
        loss_db_per_km: total attenuation a, dB/km.
        capture_fraction: fraction S of the scattered light guided backwards, (0, 1).
        scattering_loss_db_per_km: Rayleigh part a_s of the attenuation, dB/km (<= the total).
    """
    check_range("launch_power_w", launch_power_w, 0.0)
    check_range("length_km", length_km, 0.0)
    check_range("loss_db_per_km", loss_db_per_km, 0.0)
    check_range("capture_fraction", capture_fraction, 0.0, 1.0, low_open=True, high_open=True)
    check_range("scattering_loss_db_per_km", scattering_loss_db_per_km, 0.0, loss_db_per_km)
    to_per_km = math.log(10.0) / 10.0
    a = loss_db_per_km * to_per_km
    scattered = launch_power_w * capture_fraction * scattering_loss_db_per_km * to_per_km
    if a == 0.0:
        return scattered * length_km
    return scattered * -math.expm1(-2.0 * a * length_km) / (2.0 * a)


@dataclass(frozen=True)
class BackboneFibre:
    """Scattering properties of the backbone fibres.

    Attributes:
        loss_db_per_km: attenuation, dB/km.
        rayleigh_capture_fraction: fraction S of Rayleigh light guided backwards;
            ``3 / (2 (k n w)²)`` for a Gaussian mode (Brinkmeyer 1980) gives 1.5e-3 for the
            10.4 um mode-field diameter of standard fibre at 1550 nm (typical range 1e-3 to 2e-3).
        rayleigh_scattering_db_per_km: Rayleigh part of the attenuation, dB/km; 0.12 to 0.15 at
            1550 nm for silica fibre, 0.13 for the low-loss (0.16 dB/km) pure-silica-core
            fibre assumed. With S it gives an OTDR backscatter coefficient of -83 dB for 1 ns
            pulses (data sheets of standard fibre: about -82 dB).
        raman: spontaneous Raman spectrum.
    """

    loss_db_per_km: float = 0.16
    rayleigh_capture_fraction: float = 1.5e-3
    rayleigh_scattering_db_per_km: float = 0.13
    raman: RamanSpectrum = field(default_factory=RamanSpectrum)

    def __post_init__(self) -> None:
        check_range("loss_db_per_km", self.loss_db_per_km, 0.0, 10.0)
        check_range(
            "rayleigh_capture_fraction",
            self.rayleigh_capture_fraction,
            0.0,
            1.0,
            low_open=True,
            high_open=True,
        )
        check_range(
            "rayleigh_scattering_db_per_km",
            self.rayleigh_scattering_db_per_km,
            0.0,
            self.loss_db_per_km,
        )


@dataclass(frozen=True)
class LitLine:
    """One line of light in one backbone fibre while a channel measures.

    Attributes:
        label: what the light is (for example ``reference``, ``seed``, ``quantum``).
        frequency_hz: optical frequency, Hz.
        launch_power_w: mean power entering the fibre, W (pulsed light: :func:`mean_power_w`).
        length_km: length of the fibre it travels, km.
        direction: ``upstream`` (enters at the client end and travels to the server with the
            quantum light) or ``downstream`` (enters at the server end).
    """

    label: str
    frequency_hz: float
    launch_power_w: float
    length_km: float
    direction: str = "upstream"

    def __post_init__(self) -> None:
        check_range("frequency_hz", self.frequency_hz, 0.0, low_open=True)
        check_range("launch_power_w", self.launch_power_w, 0.0)
        check_range("length_km", self.length_km, 0.0, 1e5)
        check_choice("direction", self.direction, DIRECTIONS)


def mean_power_w(
    *, photons_per_pulse: float, repetition_rate_hz: float, duty: float, frequency_hz: float
) -> float:
    """Mean power of pulsed light: photons per pulse x pulses per second x duty x h nu, W.

    Args:
        photons_per_pulse: mean photons per pulse (>= 0).
        repetition_rate_hz: time slots per second, Hz (> 0).
        duty: fraction of the slots that carry these pulses, [0, 1].
        frequency_hz: optical frequency, Hz (> 0).
    """
    check_range("photons_per_pulse", photons_per_pulse, 0.0)
    check_range("repetition_rate_hz", repetition_rate_hz, 0.0, low_open=True)
    check_range("duty", duty, 0.0, 1.0)
    check_range("frequency_hz", frequency_hz, 0.0, low_open=True)
    return photons_per_pulse * repetition_rate_hz * duty * PLANCK_J_S * frequency_hz


@dataclass(frozen=True)
class ChannelNoise(Record):
    """Mean noise counts per detector per gate of one channel, by source.

    Attributes:
        raman_forward: Raman light of upstream lines scattered into the channel's band.
        raman_backward: Raman light of downstream lines scattered back into the band.
        rayleigh: Rayleigh backscatter of downstream lines through the channel's filter.
        crosstalk: upstream light of other frequencies through the channel's filter.
        dark: detector dark counts.
    """

    raman_forward: float
    raman_backward: float
    rayleigh: float
    crosstalk: float
    dark: float

    @property
    def total(self) -> float:
        """Sum over the sources."""
        return math.fsum(
            (self.raman_forward, self.raman_backward, self.rayleigh, self.crosstalk, self.dark)
        )


def channel_noise_per_gate(
    *,
    channel_frequency_hz: float,
    lines: Sequence[LitLine],
    fibre: BackboneFibre,
    demux: DemuxFilter,
    bandwidth_nm: float,
    gate_s: float,
    receiver_efficiency: float,
    dark_count_rate_hz: float,
) -> ChannelNoise:
    """Noise counts per detector gate of one channel with the given lines lit (see module notes).

    Each upstream line adds its forward Raman light in the channel's band and, through the
    filter at its offset, its own light as it leaves the fibre; each downstream line adds its
    backward Raman light and, through the filter, its Rayleigh backscatter. Half of every
    source reaches each of the channel's two detectors, which count it with
    ``receiver_efficiency``.

    Args:
        channel_frequency_hz: centre of the channel's filter, Hz.
        lines: every line lit in the server's backbone fibres, except the pair's own quantum
            pulses (the signal).
        fibre: the backbone fibres' scattering properties.
        demux: the channel's demultiplexer filter.
        bandwidth_nm: noise bandwidth of the channel's receive filter (Raman light), nm.
        gate_s: detection gate, s.
        receiver_efficiency: detector efficiency x server optics transmission, (0, 1].
        dark_count_rate_hz: dark-count rate of one detector, Hz.

    Returns:
        The :class:`ChannelNoise`.
    """
    check_range("channel_frequency_hz", channel_frequency_hz, 0.0, low_open=True)
    check_range("bandwidth_nm", bandwidth_nm, 0.0)
    check_range("gate_s", gate_s, 0.0)
    check_range("receiver_efficiency", receiver_efficiency, 0.0, 1.0, low_open=True)
    check_range("dark_count_rate_hz", dark_count_rate_hz, 0.0)
    loss = fibre.loss_db_per_km
    terms: dict[str, list[tuple[float, float]]] = {
        "raman_forward": [],
        "raman_backward": [],
        "rayleigh": [],
        "crosstalk": [],
    }
    for line in lines:
        upstream = line.direction == "upstream"
        raman = raman_noise_from_line_w(
            pump_frequency_hz=line.frequency_hz,
            signal_frequency_hz=channel_frequency_hz,
            launch_power_w=line.launch_power_w,
            bandwidth_nm=bandwidth_nm,
            length_km=line.length_km,
            loss_db_per_km=loss,
            co_propagating=upstream,
            spectrum=fibre.raman,
        )
        terms["raman_forward" if upstream else "raman_backward"].append(
            (raman, channel_frequency_hz)
        )
        if upstream:
            arriving = line.launch_power_w * 10.0 ** (-loss * line.length_km / 10.0)
        else:
            arriving = rayleigh_backscatter_power_w(
                launch_power_w=line.launch_power_w,
                length_km=line.length_km,
                loss_db_per_km=loss,
                capture_fraction=fibre.rayleigh_capture_fraction,
                scattering_loss_db_per_km=fibre.rayleigh_scattering_db_per_km,
            )
        leak = arriving * demux.transmission(line.frequency_hz - channel_frequency_hz)
        terms["crosstalk" if upstream else "rayleigh"].append((leak, line.frequency_hz))
    counts = {
        source: 0.5
        * receiver_efficiency
        * math.fsum(
            photons_per_gate(power_w=power, frequency_hz=frequency, gate_s=gate_s)
            for power, frequency in pairs
        )
        for source, pairs in terms.items()
    }
    return ChannelNoise(**counts, dark=dark_count_rate_hz * gate_s)
