"""Star network of TF-QKD clients around an untrusted server, one WDM channel per client pair.

Each pair (Alice_i, Bob_i) shares the comb line of channel i: the server sends the line down
each client's downstream fibre, the client's DBR laser injection-locks to it, prepares SNS
pulses and sends them up its upstream fibre to the server's beam splitter and detectors. The
pump line lambda_0 is the phase reference (dual-wavelength tracking). Per pair this module
works out injection locking, the phase-error budget (-> misalignment e_d), the noise per
detector gate, and hands the resulting link to the SNS key-rate engine
(:mod:`qkdchip.simulations.qkd`).

Operation: ``sequential`` pairs share one detector set and run one after another (no cross-
channel noise; each pair gets ``1/n_pairs`` of the time), ``simultaneous`` pairs run at once
with their own detectors (other channels leak through the demultiplexer isolation).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from qkdchip.constants import C_M_PER_S
from qkdchip.records import Record, finite_or_none
from qkdchip.simulations.network.injection_locking import (
    LockResult,
    SlaveLaser,
    injected_power_dbm,
    injection_lock,
)
from qkdchip.simulations.network.phase_budget import PhaseErrorBudget, phase_error_budget
from qkdchip.simulations.network.wdm import (
    ChannelAssignment,
    photons_per_gate,
    raman_noise_power_w,
)
from qkdchip.simulations.qkd.bounds import plob_bound
from qkdchip.validation import check_choice, check_range

if TYPE_CHECKING:
    from qkdchip.simulations.qkd import SnsSystem

OPERATIONS = ("sequential", "simultaneous")


@dataclass(frozen=True)
class FibrePlant:
    """Fibre used for every link.

    Attributes:
        loss_db_per_km: attenuation, dB/km.
        group_index: group index (sets delays), >= 1.
        raman_coefficient_per_km_nm: spontaneous Raman coefficient rho near 1550 nm for a
            classical channel a few nm away, 1/(km nm).
    """

    loss_db_per_km: float = 0.16
    group_index: float = 1.468
    raman_coefficient_per_km_nm: float = 3e-9

    def __post_init__(self) -> None:
        check_range("fibre.loss_db_per_km", self.loss_db_per_km, 0.0, 10.0)
        check_range("fibre.group_index", self.group_index, 1.0, 5.0)
        check_range(
            "fibre.raman_coefficient_per_km_nm", self.raman_coefficient_per_km_nm, 0.0, 1e-6
        )


@dataclass(frozen=True)
class Server:
    """The untrusted server: comb distribution, demultiplexers and detectors.

    Attributes:
        detector_efficiency: SNSPD detection efficiency, (0, 1].
        dark_count_rate_hz: dark-count rate of one detector, Hz.
        gate_s: detection gate (coincidence window) per time slot, s.
        max_count_rate_hz: highest count rate a detector sustains (caps reference counts), Hz.
        receiver_loss_db: insertion loss of the server optics in front of the detectors, dB.
        demux_loss_db: loss of the line-selecting filters on the downstream (comb) path, dB.
        filter_bandwidth_nm: bandwidth of the quantum channel's receive filter, nm.
        isolation_adjacent_db: demultiplexer isolation from the neighbouring grid channel, dB.
        isolation_far_db: isolation from any other channel (including lambda_0), dB.
    """

    detector_efficiency: float = 0.6
    dark_count_rate_hz: float = 10.0
    gate_s: float = 0.5e-9
    max_count_rate_hz: float = 5e6
    receiver_loss_db: float = 1.5
    demux_loss_db: float = 3.0
    filter_bandwidth_nm: float = 0.1
    isolation_adjacent_db: float = 35.0
    isolation_far_db: float = 60.0

    def __post_init__(self) -> None:
        check_range("server.detector_efficiency", self.detector_efficiency, 1e-6, 1.0)
        check_range("server.dark_count_rate_hz", self.dark_count_rate_hz, 0.0, 1e8)
        check_range("server.gate_s", self.gate_s, 1e-13, 1e-6)
        check_range("server.max_count_rate_hz", self.max_count_rate_hz, 1.0, 1e10)
        check_range("server.receiver_loss_db", self.receiver_loss_db, 0.0, 60.0)
        check_range("server.demux_loss_db", self.demux_loss_db, 0.0, 60.0)
        check_range("server.filter_bandwidth_nm", self.filter_bandwidth_nm, 1e-4, 10.0)
        check_range("server.isolation_adjacent_db", self.isolation_adjacent_db, 0.0, 200.0)
        check_range("server.isolation_far_db", self.isolation_far_db, 0.0, 200.0)

    @property
    def receiver_efficiency(self) -> float:
        """Detector efficiency times the receiver optics' transmission (0, 1]."""
        return self.detector_efficiency * 10.0 ** (-self.receiver_loss_db / 10.0)


@dataclass(frozen=True)
class Protocol:
    """SNS protocol settings handed to the key-rate engine.

    Attributes:
        name: ``sns`` or ``sns-aopp``.
        n_pulses: time windows per pair for the finite-key analysis; None = asymptotic.
        repetition_rate_hz: time windows per second, Hz.
        ec_efficiency: error-correction inefficiency f >= 1.
        phase_slice_rad: X1 phase-slice width D_s, rad.
    """

    name: str = "sns-aopp"
    n_pulses: float | None = 1e12
    repetition_rate_hz: float = 1e9
    ec_efficiency: float = 1.1
    phase_slice_rad: float = math.pi / 8

    def __post_init__(self) -> None:
        check_choice("protocol.name", self.name, ("sns", "sns-aopp"))
        if self.n_pulses is not None:
            check_range("protocol.n_pulses", self.n_pulses, 1e6, 1e16)
        check_range("protocol.repetition_rate_hz", self.repetition_rate_hz, 1.0, 1e11)
        check_range("protocol.ec_efficiency", self.ec_efficiency, 1.0, 3.0)
        check_range("protocol.phase_slice_rad", self.phase_slice_rad, 1e-3, math.pi)


@dataclass(frozen=True)
class PhaseTracking:
    """Dual-wavelength phase tracking and the interference quality.

    Attributes:
        visibility: interference visibility without phase noise (floor (1-V)/2), (0, 1].
        sampling_rate_hz: SNSPD phase-estimation rate of the reference phase, Hz.
        reference_drift_rad_per_ms: drift rate of the reference phase, rad/ms.
        differential_drift_rad_per_ms: drift rate of the differential phase, rad/ms.
        drift_reference_length_km: total fibre length at which the drift rates were measured; the
            rates scale in proportion to a pair's total fibre length, km.
        differential_window_ms: update interval of the differential-phase estimate, ms.
        reference_photons_per_pulse: mean photons per reference pulse leaving a client.
        reference_duty: fraction of time slots that carry reference pulses, (0, 1).
        path_mismatch_m: residual length mismatch of the two paths from the comb line, m.
    """

    visibility: float = 0.97
    sampling_rate_hz: float = 10e3
    reference_drift_rad_per_ms: float = 2.871
    differential_drift_rad_per_ms: float = 0.033
    drift_reference_length_km: float = 370.0
    differential_window_ms: float = 10.0
    reference_photons_per_pulse: float = 20.0
    reference_duty: float = 0.2
    path_mismatch_m: float = 20.0

    def __post_init__(self) -> None:
        check_range("phase.visibility", self.visibility, 1e-3, 1.0)
        check_range("phase.sampling_rate_hz", self.sampling_rate_hz, 1e-3, 1e9)
        check_range("phase.reference_drift_rad_per_ms", self.reference_drift_rad_per_ms, 0.0, 1e6)
        check_range(
            "phase.differential_drift_rad_per_ms", self.differential_drift_rad_per_ms, 0.0, 1e6
        )
        check_range("phase.drift_reference_length_km", self.drift_reference_length_km, 1e-3, 1e5)
        check_range("phase.differential_window_ms", self.differential_window_ms, 0.0, 1e6)
        check_range("phase.reference_photons_per_pulse", self.reference_photons_per_pulse, 0.0, 1e9)
        check_range("phase.reference_duty", self.reference_duty, 0.0, 0.99)
        check_range("phase.path_mismatch_m", self.path_mismatch_m, 0.0, 1e6)


@dataclass(frozen=True)
class ClientChip:
    """One client transmitter chip as the network sees it.

    Attributes:
        name: label (for example ``A3`` or a wafer die id).
        laser: the DBR laser as an injection-locking slave.
        frequency_error_hz: free-running laser frequency minus its design target, Hz.
        extinction_ratio_db: intensity-modulator extinction ratio, dB.
        coupling_loss_db: fibre-to-chip loss seen by the injected comb line, dB.
        working: False when a device the protocol needs failed its test.
    """

    name: str
    laser: SlaveLaser = field(default_factory=SlaveLaser)
    frequency_error_hz: float = 0.0
    extinction_ratio_db: float = 25.0
    coupling_loss_db: float = 3.0
    working: bool = True

    def __post_init__(self) -> None:
        check_range(
            f"client {self.name}: extinction_ratio_db", self.extinction_ratio_db, 0.1, 100.0
        )
        check_range(f"client {self.name}: coupling_loss_db", self.coupling_loss_db, 0.0, 60.0)
        check_range(f"client {self.name}: frequency_error_hz", self.frequency_error_hz)


@dataclass(frozen=True)
class PairLinks:
    """Fibre lengths of one pair, km (upstream: client to server detectors)."""

    alice_upstream_km: float
    bob_upstream_km: float
    alice_downstream_km: float = 0.0
    bob_downstream_km: float = 0.0

    def __post_init__(self) -> None:
        for name, value in asdict(self).items():
            check_range(name, value, 0.0, 1e4)

    @property
    def distance_km(self) -> float:
        """Alice-Bob quantum-channel length (sum of the upstream arms), km."""
        return self.alice_upstream_km + self.bob_upstream_km


@dataclass(frozen=True)
class NetworkModel:
    """Everything shared by the pairs of one network.

    Attributes:
        fibre: fibre plant.
        server: server optics and detectors.
        protocol: SNS protocol settings.
        phase: phase tracking and interference.
        comb_linewidth_hz: Lorentzian linewidth of each comb line (the injection master), Hz.
        operation: ``sequential`` or ``simultaneous``.
        classical_power_dbm: launch power of a classical (synchronisation) channel sharing each
            upstream fibre, dBm; None when clocks travel on separate fibre.
    """

    fibre: FibrePlant = field(default_factory=FibrePlant)
    server: Server = field(default_factory=Server)
    protocol: Protocol = field(default_factory=Protocol)
    phase: PhaseTracking = field(default_factory=PhaseTracking)
    comb_linewidth_hz: float = 40.0
    operation: str = "sequential"
    classical_power_dbm: float | None = None

    def __post_init__(self) -> None:
        check_range("comb_linewidth_hz", self.comb_linewidth_hz, 1e-6, 1e9)
        check_choice("operation", self.operation, OPERATIONS)
        if self.classical_power_dbm is not None:
            check_range("classical_power_dbm", self.classical_power_dbm, -100.0, 30.0)


KeyRateFunction = Callable[..., Mapping[str, Any]]
"""``fn(*, system, protocol) -> mapping`` holding the key-rate engine's result fields
(``KeyRateResult.to_dict()``: ``key_rate_per_pulse``, ``key_rate_bps``, ``plob``,
``ratio_to_plob``, ``qber_x``, ``qber_z``, ``qber_z_aopp``, ...)."""


@dataclass(frozen=True)
class PairResult(Record):
    """Key rate and its ingredients for one client pair at one distance.

    Attributes:
        pair: pair number (1-based).
        alice: Alice's chip name.
        bob: Bob's chip name.
        channel: the WDM channel.
        links: the fibre lengths.
        lock_alice: Alice's injection-locking result.
        lock_bob: Bob's injection-locking result.
        phase: the phase-error budget.
        noise_per_gate: noise click probability per detector per gate, by source.
        status: ``ok`` or why the pair has no key (a laser that does not lock, a failed chip).
        key_rate_per_pulse: secret bits per pulse.
        key_rate_bps: bit/s while the pair runs.
        key_rate_bps_time_shared: bit/s averaged over the network cycle (sequential operation
            divides by the number of pairs).
        plob: absolute PLOB bound, bits per pulse (None: a lossless channel has none).
        ratio_to_plob: key rate over PLOB.
        qber_x: X-basis error rate.
        qber_z: Z-basis error rate.
        qber_z_aopp: Z error rate of the bits surviving AOPP (None without a key).
    """

    pair: int
    alice: str
    bob: str
    channel: ChannelAssignment
    links: PairLinks
    lock_alice: LockResult
    lock_bob: LockResult
    phase: PhaseErrorBudget
    noise_per_gate: dict[str, float]
    status: str
    key_rate_per_pulse: float
    key_rate_bps: float
    key_rate_bps_time_shared: float
    plob: float | None
    ratio_to_plob: float
    qber_x: float
    qber_z: float
    qber_z_aopp: float | None

    @property
    def beats_plob(self) -> bool:
        """Whether the key rate per pulse exceeds the absolute PLOB bound."""
        return self.status == "ok" and self.ratio_to_plob > 1.0

    @property
    def locked(self) -> bool:
        """Whether both lasers injection-lock."""
        return self.lock_alice.locked and self.lock_bob.locked


def _delay_s(length_km: float, group_index: float) -> float:
    return length_km * 1e3 * group_index / C_M_PER_S


def noise_per_gate(
    *,
    model: NetworkModel,
    channel: ChannelAssignment,
    links: PairLinks,
    active_channels: Sequence[ChannelAssignment],
    signal_photons_per_pulse: float = 1.0,
) -> dict[str, float]:
    """Noise photons (or dark clicks) per detector gate for one pair's quantum channel.

    Sources: detector dark counts; leakage of both clients' reference pulses at lambda_0
    through the far isolation (references fill a fraction ``reference_duty`` of the slots; the
    leak is averaged over slots); in simultaneous operation, the other pairs' quantum pulses
    through the adjacent or far isolation (``signal_photons_per_pulse`` bounds their
    intensity); Raman scattering of a co-propagating classical channel, if any.

    Returns:
        Mapping source -> mean noise photons (probabilities) per gate per detector.
    """
    srv = model.server
    eta_rx = srv.receiver_efficiency
    arms = (links.alice_upstream_km, links.bob_upstream_km)
    eta_arms = [10.0 ** (-model.fibre.loss_db_per_km * km / 10.0) * eta_rx for km in arms]
    mean_eta = 0.5 * (eta_arms[0] + eta_arms[1])
    far = 10.0 ** (-srv.isolation_far_db / 10.0)
    adjacent = 10.0 ** (-srv.isolation_adjacent_db / 10.0)
    out = {"dark": srv.dark_count_rate_hz * srv.gate_s}
    # Both clients' reference pulses, half to each detector, averaged over the time slots.
    out["reference_leak"] = (
        model.phase.reference_photons_per_pulse * model.phase.reference_duty * mean_eta * far
    )
    cross = 0.0
    if model.operation == "simultaneous":
        for other in active_channels:
            if other.grid_index == channel.grid_index:
                continue
            iso = adjacent if abs(other.grid_index - channel.grid_index) == 1 else far
            cross += 2.0 * signal_photons_per_pulse * mean_eta * iso
    out["other_channels"] = cross
    raman = 0.0
    if model.classical_power_dbm is not None:
        launch = 1e-3 * 10.0 ** (model.classical_power_dbm / 10.0)
        for km in arms:
            p_end = raman_noise_power_w(
                launch_power_w=launch,
                raman_coefficient_per_km_nm=model.fibre.raman_coefficient_per_km_nm,
                bandwidth_nm=srv.filter_bandwidth_nm,
                length_km=km,
                loss_db_per_km=model.fibre.loss_db_per_km,
                co_propagating=True,
            )
            # Raman power at the fibre end already carries the fibre loss; half per detector.
            photons = photons_per_gate(
                power_w=p_end, frequency_hz=channel.line_frequency_hz, gate_s=srv.gate_s
            )
            raman += 0.5 * photons * eta_rx
    out["raman"] = raman
    return out


def reference_counts_per_window(*, model: NetworkModel, links: PairLinks) -> float:
    """Detected reference counts in one phase-estimation window (capped by the detector)."""
    srv = model.server
    eta_rx = srv.receiver_efficiency
    eta_sum = sum(
        10.0 ** (-model.fibre.loss_db_per_km * km / 10.0) * eta_rx
        for km in (links.alice_upstream_km, links.bob_upstream_km)
    )
    rate = (
        model.protocol.repetition_rate_hz
        * model.phase.reference_duty
        * model.phase.reference_photons_per_pulse
        * eta_sum
    )
    return min(rate, 2.0 * srv.max_count_rate_hz) / model.phase.sampling_rate_hz


def pair_phase_budget(
    *,
    model: NetworkModel,
    links: PairLinks,
    lock_a: LockResult,
    lock_b: LockResult,
    extinction_ratio_db: tuple[float, float],
) -> PhaseErrorBudget:
    """Phase-error budget of one pair (see :mod:`.phase_budget` for the model)."""
    ph = model.phase
    total_km = (
        links.alice_upstream_km
        + links.bob_upstream_km
        + links.alice_downstream_km
        + links.bob_downstream_km
    )
    scale = total_km / ph.drift_reference_length_km
    mismatch_km = abs(
        (links.alice_upstream_km + links.alice_downstream_km)
        - (links.bob_upstream_km + links.bob_downstream_km)
    )
    delay = _delay_s(mismatch_km + ph.path_mismatch_m * 1e-3, model.fibre.group_index)
    return phase_error_budget(
        visibility=ph.visibility,
        linewidth_hz=max(lock_a.linewidth_hz, lock_b.linewidth_hz),
        path_mismatch_s=delay,
        lock_residual_rad2=lock_a.residual_phase_variance_rad2
        + lock_b.residual_phase_variance_rad2,
        reference_drift_rad_per_s=ph.reference_drift_rad_per_ms * 1e3 * scale,
        sampling_rate_hz=ph.sampling_rate_hz,
        reference_counts_per_window=reference_counts_per_window(model=model, links=links),
        differential_drift_rad_per_s=ph.differential_drift_rad_per_ms * 1e3 * scale,
        differential_window_s=ph.differential_window_ms * 1e-3,
        extinction_ratio_db=extinction_ratio_db,
    )


def lock_client(
    *, model: NetworkModel, chip: ClientChip, channel: ChannelAssignment, downstream_km: float
) -> LockResult:
    """Injection-lock one client's laser to its channel's comb line."""
    p_inj = injected_power_dbm(
        line_power_dbm=channel.line_power_dbm,
        fibre_length_km=downstream_km,
        fibre_loss_db_per_km=model.fibre.loss_db_per_km,
        filter_loss_db=model.server.demux_loss_db,
        coupling_loss_db=chip.coupling_loss_db,
    )
    # The laser is set to its channel's line; what is left is its frequency error.
    return injection_lock(
        slave=chip.laser,
        master_linewidth_hz=model.comb_linewidth_hz,
        injected_power_dbm=p_inj,
        free_running_detuning_hz=-chip.frequency_error_hz,
    )


def _no_key(plob: float, qber_x: float) -> dict[str, Any]:
    return {
        "key_rate_per_pulse": 0.0,
        "key_rate_bps": 0.0,
        "plob": plob,
        "ratio_to_plob": 0.0,
        "qber_z": 0.0,
        "qber_x": qber_x,
    }


def pair_system(
    *, model: NetworkModel, links: PairLinks, noise: Mapping[str, float], misalignment: float
) -> SnsSystem:
    """The SNS link of one pair as seen by the key-rate analysis.

    Args:
        model: the shared network description.
        links: the pair's fibre lengths (the upstream arms are the SNS arms).
        noise: mean noise counts per gate by source (from :func:`noise_per_gate`); their
            sum ``n`` becomes the per-gate click probability ``1 - exp(-n)``, capped at 0.5.
        misalignment: the pair's e_d.

    Returns:
        The :class:`~qkdchip.simulations.qkd.SnsSystem` (receiver loss folded into the
        detector efficiency).
    """
    from qkdchip.simulations.qkd import SnsSystem

    p_noise = min(0.5, -math.expm1(-math.fsum(noise.values())))
    return SnsSystem(
        fibre_a_km=links.alice_upstream_km,
        fibre_b_km=links.bob_upstream_km,
        loss_a_db_per_km=model.fibre.loss_db_per_km,
        loss_b_db_per_km=model.fibre.loss_db_per_km,
        detector_efficiency=model.server.receiver_efficiency,
        dark_count_per_pulse=p_noise,
        misalignment=misalignment,
        ec_efficiency=model.protocol.ec_efficiency,
        repetition_rate_hz=model.protocol.repetition_rate_hz,
        n_pulses=model.protocol.n_pulses,
        phase_slice_rad=model.protocol.phase_slice_rad,
    )


def evaluate_pair(
    *,
    model: NetworkModel,
    pair: int,
    channel: ChannelAssignment,
    alice: ClientChip,
    bob: ClientChip,
    links: PairLinks,
    active_channels: Sequence[ChannelAssignment],
    n_pairs_sharing: int,
    key_rate: KeyRateFunction,
) -> PairResult:
    """Lock both lasers, budget the phase error and noise, and compute the pair's key rate.

    Args:
        model: the shared network description.
        pair: pair number (1-based).
        channel: the pair's WDM channel.
        alice: Alice's chip.
        bob: Bob's chip.
        links: the pair's fibre lengths.
        active_channels: channels running at the same time (for cross-channel noise).
        n_pairs_sharing: pairs sharing the detectors in time (1 for simultaneous operation).
        key_rate: the key-rate function ``fn(*, system, protocol)``.

    Returns:
        The :class:`PairResult`.
    """
    check_range("n_pairs_sharing", n_pairs_sharing, 1)
    lock_a = lock_client(
        model=model, chip=alice, channel=channel, downstream_km=links.alice_downstream_km
    )
    lock_b = lock_client(
        model=model, chip=bob, channel=channel, downstream_km=links.bob_downstream_km
    )
    budget = pair_phase_budget(
        model=model,
        links=links,
        lock_a=lock_a,
        lock_b=lock_b,
        extinction_ratio_db=(alice.extinction_ratio_db, bob.extinction_ratio_db),
    )
    noise = noise_per_gate(
        model=model, channel=channel, links=links, active_channels=active_channels
    )
    eta_channel = 10.0 ** (-model.fibre.loss_db_per_km * links.distance_km / 10.0)
    plob = float(plob_bound(eta_channel))
    status = "ok"
    for who, chip, lock in (("Alice", alice, lock_a), ("Bob", bob, lock_b)):
        if not chip.working:
            status = f"{who}'s chip {chip.name} failed its device tests"
            break
        if not lock.locked:
            status = f"{who}'s laser ({chip.name}) does not injection-lock"
            break
    if status == "ok":
        system = pair_system(
            model=model, links=links, noise=noise, misalignment=budget.misalignment
        )
        key = dict(key_rate(system=system, protocol=model.protocol.name))
    else:
        key = _no_key(plob, budget.misalignment)
    bps = float(key["key_rate_bps"])
    return PairResult(
        pair=pair,
        alice=alice.name,
        bob=bob.name,
        channel=channel,
        links=links,
        lock_alice=lock_a,
        lock_bob=lock_b,
        phase=budget,
        noise_per_gate=noise,
        status=status,
        key_rate_per_pulse=float(key["key_rate_per_pulse"]),
        key_rate_bps=bps,
        key_rate_bps_time_shared=bps / n_pairs_sharing,
        plob=finite_or_none(key["plob"]),
        ratio_to_plob=float(key["ratio_to_plob"]),
        qber_x=float(key["qber_x"]),
        qber_z=float(key["qber_z"]),
        qber_z_aopp=finite_or_none(key.get("qber_z_aopp")),
    )


@dataclass(frozen=True)
class DistanceResult(Record):
    """Every pair of a network at one evaluated distance.

    Attributes:
        distance_km: Alice-Bob distance of every pair, km.
        pairs: the pair results, in pair order.
    """

    distance_km: float
    pairs: tuple[PairResult, ...]

    @property
    def all_beat_plob(self) -> bool:
        """Whether every pair beats PLOB."""
        return all(p.beats_plob for p in self.pairs)

    @property
    def total_key_rate_bps(self) -> float:
        """Network throughput (time-shared in sequential operation), bit/s."""
        return math.fsum(p.key_rate_bps_time_shared for p in self.pairs)


@dataclass(frozen=True)
class NetworkResult(Record):
    """All pairs of a network at each evaluated distance.

    Attributes:
        operation: ``sequential`` or ``simultaneous``.
        n_clients: number of client chips.
        channels: the WDM channels in use (one per pair).
        by_distance: the pairs at each evaluated distance, in the order evaluated.
    """

    operation: str
    n_clients: int
    channels: tuple[ChannelAssignment, ...]
    by_distance: tuple[DistanceResult, ...]

    @property
    def n_pairs(self) -> int:
        """Number of client pairs."""
        return len(self.channels)

    def at(self, distance_km: float) -> DistanceResult:
        """The pairs at one evaluated distance (km)."""
        for block in self.by_distance:
            if block.distance_km == distance_km:
                return block
        have = [b.distance_km for b in self.by_distance]
        raise ValueError(f"distance_km={distance_km!r} was not evaluated; have {have}")

    @property
    def networking_capability_km(self) -> float:
        """Client pairs x the longest evaluated distance at which every pair beats PLOB.

        Equals N·L/2 for N clients in pairs; 0 when no evaluated distance qualifies.
        """
        good = [b.distance_km for b in self.by_distance if b.all_beat_plob]
        return self.n_pairs * max(good) if good else 0.0


def evaluate_network(
    *,
    model: NetworkModel,
    channels: Sequence[ChannelAssignment],
    clients: Sequence[ClientChip],
    links_by_distance: Mapping[float, Sequence[PairLinks]],
    key_rate: KeyRateFunction,
    progress: Callable[[], None] | None = None,
) -> NetworkResult:
    """Evaluate every pair at every distance.

    Clients pair up in order: pair i is (clients[2i], clients[2i+1]) on channels[i].

    Args:
        model: shared network description.
        channels: one WDM channel per pair.
        clients: the 2 x len(channels) client chips.
        links_by_distance: per pair distance (km), the fibre lengths of each pair.
        key_rate: key-rate function ``fn(*, system, protocol)``.
        progress: called once per evaluated pair (for progress bars).

    Returns:
        The :class:`NetworkResult`.
    """
    n_pairs = len(channels)
    if n_pairs < 1:
        raise ValueError("channels must hold at least one channel")
    if len(clients) != 2 * n_pairs:
        raise ValueError(
            f"clients must hold 2 x {n_pairs} = {2 * n_pairs} chips, got {len(clients)}"
        )
    sharing = n_pairs if model.operation == "sequential" else 1
    out: list[DistanceResult] = []
    for distance, links in links_by_distance.items():
        if len(links) != n_pairs:
            raise ValueError(
                f"links at {distance} km: need one PairLinks per pair ({n_pairs}), "
                f"got {len(links)}"
            )
        results = []
        for i, (channel, link) in enumerate(zip(channels, links, strict=True)):
            results.append(
                evaluate_pair(
                    model=model,
                    pair=i + 1,
                    channel=channel,
                    alice=clients[2 * i],
                    bob=clients[2 * i + 1],
                    links=link,
                    active_channels=channels,
                    n_pairs_sharing=sharing,
                    key_rate=key_rate,
                )
            )
            if progress is not None:
                progress()
        out.append(DistanceResult(distance_km=float(distance), pairs=tuple(results)))
    return NetworkResult(
        operation=model.operation,
        n_clients=len(clients),
        channels=tuple(channels),
        by_distance=tuple(out),
    )
