"""Star network of TF-QKD clients around an untrusted server, one WDM channel per client pair.

Each pair (Alice_i, Bob_i) shares the comb line of channel i: the server sends the line down
each client's downstream fibre, the client's DBR laser injection-locks to it, prepares SNS
pulses and sends them up its upstream fibre to the server's beam splitter and detectors. The
pump line lambda_0 is the phase reference (dual-wavelength tracking). Per pair this module
works out injection locking, the phase-error budget (-> misalignment e_d), the noise per
detector gate, and hands the resulting link to the SNS key-rate engine
(:mod:`qkdchip.simulations.qkd`).

Operation (:data:`OPERATIONS`): in ``sequential`` operation the pairs share one detector set
and run one after another with only their own light on; ``sequential-parallel`` (the paper's)
keeps every channel lit while one pair measures; ``simultaneous`` pairs measure at once on their
own detectors. Whenever other channels are lit their light leaks through the demultiplexer and
scatters Raman light into the measuring channel (:mod:`.fibre_noise`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from qkdchip.constants import C_M_PER_S, PLANCK_J_S
from qkdchip.options import OPERATIONS
from qkdchip.records import Record, finite_or_none
from qkdchip.simulations.network.fibre_noise import (
    BackboneFibre,
    LitLine,
    channel_noise_per_gate,
)
from qkdchip.simulations.network.injection_locking import (
    LockResult,
    SlaveLaser,
    injected_power_dbm,
    injection_lock,
    pair_phase_noise,
)
from qkdchip.simulations.network.phase_budget import (
    PhaseErrorBudget,
    drift_tracking_variance,
    extinction_variance,
    phase_error_budget,
)
from qkdchip.simulations.network.phase_tracking import (
    PREDICTORS,
    TrackingVariance,
    tracking_error_variance,
)
from qkdchip.simulations.network.qber import QberDecomposition, qber_decomposition
from qkdchip.simulations.network.visibility import Interference
from qkdchip.simulations.network.wdm import ChannelAssignment, DemuxFilter, WdmGrid
from qkdchip.simulations.qkd.bounds import plob_bound
from qkdchip.simulations.qkd.discrete_phase import check_phase_slices
from qkdchip.simulations.qkd.protocols import BOUNDS, bound_reference
from qkdchip.simulations.qkd.side_channel import injection_leak
from qkdchip.simulations.qkd.source_flaws import (
    FLAW_REFERENCES,
    MAX_INTENSITY_FLUCTUATION,
    SourceFlaws,
)
from qkdchip.validation import check_choice, check_range

if TYPE_CHECKING:
    from qkdchip.simulations.qkd import SnsSystem

CLASSICAL_FREQUENCY_HZ = C_M_PER_S / 1530e-9
"""Frequency of an optional classical channel sharing the upstream fibres (1530 nm), Hz."""


@dataclass(frozen=True)
class FibrePlant:
    """Fibre used for every link (its scattering: :class:`~.fibre_noise.BackboneFibre`).

    Attributes:
        loss_db_per_km: attenuation, dB/km.
        group_index: group index (sets delays), >= 1.
    """

    loss_db_per_km: float = 0.16
    group_index: float = 1.468

    def __post_init__(self) -> None:
        check_range("fibre.loss_db_per_km", self.loss_db_per_km, 0.0, 10.0)
        check_range("fibre.group_index", self.group_index, 1.0, 5.0)


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
        filter_bandwidth_nm: noise bandwidth of the quantum channel's receive filter, nm.
        demux_isolation_db: stop-band isolation of each channel's demultiplexer filter (its
            shape: :class:`~.wdm.DemuxFilter`), dB.
    """

    detector_efficiency: float = 0.6
    dark_count_rate_hz: float = 10.0
    gate_s: float = 0.5e-9
    max_count_rate_hz: float = 5e6
    receiver_loss_db: float = 1.5
    demux_loss_db: float = 3.0
    filter_bandwidth_nm: float = 0.1
    demux_isolation_db: float = 60.0

    def __post_init__(self) -> None:
        check_range("server.detector_efficiency", self.detector_efficiency, 1e-6, 1.0)
        check_range("server.dark_count_rate_hz", self.dark_count_rate_hz, 0.0, 1e8)
        check_range("server.gate_s", self.gate_s, 1e-13, 1e-6)
        check_range("server.max_count_rate_hz", self.max_count_rate_hz, 1.0, 1e10)
        check_range("server.receiver_loss_db", self.receiver_loss_db, 0.0, 60.0)
        check_range("server.demux_loss_db", self.demux_loss_db, 0.0, 60.0)
        check_range("server.filter_bandwidth_nm", self.filter_bandwidth_nm, 1e-4, 10.0)
        check_range("server.demux_isolation_db", self.demux_isolation_db, 0.0, 200.0, low_open=True)

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
        bound: finite-key SNS-AOPP analysis (:data:`~qkdchip.simulations.qkd.protocols.BOUNDS`).
        phase_slices: number of discrete phases the transmitter randomises over (None:
            continuous randomisation).
        source_flaws: count each pair's source flaws in its key rate (the chips' weaker
            intensity-modulator extinction ratio, ``intensity_fluctuation`` and, with
            ``injection_isolation_db``, the injection-port leak; see
            :mod:`~qkdchip.simulations.qkd.source_flaws`); False: ideal sources, as the
            reference experiment's analysis assumes.
        intensity_fluctuation: relative bound on every intensity's pulse-to-pulse deviation
            (counted with ``source_flaws``), [0, 0.5].
        injection_isolation_db: isolation between the injection port and the modulators
            (counted with ``source_flaws``; None: no leak counted), dB.
    """

    name: str = "sns-aopp"
    n_pulses: float | None = 1e12
    repetition_rate_hz: float = 1e9
    ec_efficiency: float = 1.1
    phase_slice_rad: float = math.pi / 8
    bound: str = "worst-split"
    phase_slices: int | None = None
    source_flaws: bool = False
    intensity_fluctuation: float = 0.0
    injection_isolation_db: float | None = None

    def __post_init__(self) -> None:
        check_choice("protocol.name", self.name, ("sns", "sns-aopp"))
        if self.n_pulses is not None:
            check_range("protocol.n_pulses", self.n_pulses, 1e6, 1e16)
        check_range("protocol.repetition_rate_hz", self.repetition_rate_hz, 1.0, 1e11)
        check_range("protocol.ec_efficiency", self.ec_efficiency, 1.0, 3.0)
        check_range("protocol.phase_slice_rad", self.phase_slice_rad, 1e-3, math.pi)
        check_choice("protocol.bound", self.bound, BOUNDS)
        check_phase_slices(self.phase_slices)
        check_range(
            "protocol.intensity_fluctuation",
            self.intensity_fluctuation,
            0.0,
            MAX_INTENSITY_FLUCTUATION,
        )
        if self.injection_isolation_db is not None:
            check_range("protocol.injection_isolation_db", self.injection_isolation_db, 0.0, 300.0)

    def engine_options(self) -> dict[str, Any]:
        """The keyword arguments of the key-rate engine this protocol sets."""
        return {"protocol": self.name, "bound": self.bound, "phase_slices": self.phase_slices}

    def key_rate_function(self, *, seed: int) -> KeyRateFunction:
        """The key-rate engine under this protocol's analysis
        (:func:`~qkdchip.simulations.qkd.optimise_many` with :meth:`engine_options`)."""

        def key_rates(
            *, systems: Sequence[SnsSystem], protocol: str, flaws: SourceFlaws | None = None
        ) -> list[dict[str, Any]]:
            from qkdchip.simulations.qkd import optimise_many

            options = self.engine_options() | {"protocol": protocol, "flaws": flaws}
            return [r.to_dict() for r in optimise_many(systems, **options, seed=seed)]

        return key_rates

    def analysis(self) -> str:
        """The analysis the pairs' key rates come from, with its references, and which source
        flaws it counts."""
        text = bound_reference(
            protocol=self.name,
            finite=self.n_pulses is not None,
            bound=self.bound,
            phase_slices=self.phase_slices,
        )
        if not self.source_flaws:
            return text + "; ideal sources (the chips' flaws are not counted)"
        flaws = ["each pair's weaker intensity-modulator extinction ratio (leak tagged)"]
        if self.intensity_fluctuation > 0.0:
            flaws.append(f"intensity fluctuation +-{self.intensity_fluctuation:g}")
        if self.injection_isolation_db is not None:
            flaws.append(f"the injection-port leak at {self.injection_isolation_db:g} dB isolation")
        return f"{text}; source flaws counted: {', '.join(flaws)} ({FLAW_REFERENCES})"


@dataclass(frozen=True)
class PhaseTracking:
    """Dual-wavelength phase tracking, time-multiplexed with the quantum signals.

    Each cycle of ``1/sampling_rate_hz`` holds a reference period (a fraction
    ``reference_duty``: strong reference pulses at lambda_0, the server estimates their phase
    from SNSPD counts) followed by a quantum period that uses the estimate (see
    :mod:`.phase_tracking`).

    Attributes:
        sampling_rate_hz: tracking cycles per second (the SNSPD phase-estimation rate), Hz.
        reference_duty: fraction of each cycle spent on reference pulses, (0, 1).
        predictor: ``hold`` (apply the last estimate) or ``linear`` (extrapolate the last two).
        reference_drift_rad_per_ms: rms drift rate of the reference phase, rad/ms.
        differential_drift_rad_per_ms: rms drift rate of the differential phase, rad/ms.
        drift_correlation_ms: correlation time of the drift rate (Ornstein-Uhlenbeck), ms.
        drift_reference_length_km: total fibre length at which the drift rates were measured,
            km.
        drift_length_exponent: a pair's drift rates scale as its total fibre length to this
            power: 0.5 where independent perturbations along the fibre add in variance (a
            deployed cable), 1 where one perturbation acts on the whole length (a spool in one
            room; spooled links of 202-508 km drifted as about the 1.1th power, from the
            figures of Zhou et al., PRL 130, 250801 (2023)), [0, 2].
        differential_window_ms: window of the differential-phase estimate, ms.
        reference_photons_per_pulse: mean photons per reference pulse leaving a client.
        path_mismatch_m: residual length mismatch of the two paths from the comb line, m.
    """

    sampling_rate_hz: float = 10e3
    reference_duty: float = 0.2
    predictor: str = "hold"
    reference_drift_rad_per_ms: float = 2.871
    differential_drift_rad_per_ms: float = 0.033
    drift_correlation_ms: float = 10.0
    drift_reference_length_km: float = 370.0
    drift_length_exponent: float = 0.5
    differential_window_ms: float = 10.0
    reference_photons_per_pulse: float = 20.0
    path_mismatch_m: float = 20.0

    def __post_init__(self) -> None:
        check_range("phase.sampling_rate_hz", self.sampling_rate_hz, 1e-3, 1e9)
        check_range(
            "phase.reference_duty", self.reference_duty, 0.0, 1.0, low_open=True, high_open=True
        )
        check_choice("phase.predictor", self.predictor, PREDICTORS)
        check_range("phase.reference_drift_rad_per_ms", self.reference_drift_rad_per_ms, 0.0, 1e6)
        check_range(
            "phase.differential_drift_rad_per_ms", self.differential_drift_rad_per_ms, 0.0, 1e6
        )
        check_range("phase.drift_correlation_ms", self.drift_correlation_ms, 1e-6, 1e9)
        check_range("phase.drift_reference_length_km", self.drift_reference_length_km, 1e-3, 1e5)
        check_range("phase.drift_length_exponent", self.drift_length_exponent, 0.0, 2.0)
        check_range("phase.differential_window_ms", self.differential_window_ms, 0.0, 1e6)
        check_range("phase.reference_photons_per_pulse", self.reference_photons_per_pulse, 0.0, 1e9)
        check_range("phase.path_mismatch_m", self.path_mismatch_m, 0.0, 1e6)

    @property
    def reference_period_s(self) -> float:
        """Reference period of each cycle, s."""
        return self.reference_duty / self.sampling_rate_hz

    @property
    def quantum_period_s(self) -> float:
        """Quantum period of each cycle, s."""
        return (1.0 - self.reference_duty) / self.sampling_rate_hz


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
        phase: phase tracking.
        interference: what sets the fringe visibility at the server.
        wdm: the channel grid (its pass band and stop-band edge shape the demultiplexer).
        comb_linewidth_hz: Lorentzian linewidth of each comb line (the injection master), Hz.
        reference_frequency_hz: frequency of the reference line lambda_0 (the comb's pump), Hz.
        operation: one of :data:`OPERATIONS`.
        signal_photons_per_pulse: bound on the mean photon number of another pair's quantum
            pulse (its crosstalk and Raman light while lit).
        seed_in_backbone: whether the comb seed lines travel down the backbone fibres (against
            the quantum light) instead of separate downstream fibres.
        classical_power_dbm: launch power of a classical (synchronisation) channel at
            :data:`CLASSICAL_FREQUENCY_HZ` sharing each upstream fibre, dBm; None when clocks
            travel on separate fibre.
    """

    fibre: FibrePlant = field(default_factory=FibrePlant)
    server: Server = field(default_factory=Server)
    protocol: Protocol = field(default_factory=Protocol)
    phase: PhaseTracking = field(default_factory=PhaseTracking)
    interference: Interference = field(default_factory=Interference)
    wdm: WdmGrid = field(default_factory=WdmGrid)
    comb_linewidth_hz: float = 40.0
    reference_frequency_hz: float = C_M_PER_S / 1549.78e-9
    operation: str = "sequential"
    signal_photons_per_pulse: float = 1.0
    seed_in_backbone: bool = False
    classical_power_dbm: float | None = None

    def __post_init__(self) -> None:
        check_range("comb_linewidth_hz", self.comb_linewidth_hz, 1e-6, 1e9)
        check_range("reference_frequency_hz", self.reference_frequency_hz, 1e14, 1e15)
        check_choice("operation", self.operation, OPERATIONS)
        check_range("signal_photons_per_pulse", self.signal_photons_per_pulse, 0.0, 100.0)
        if self.classical_power_dbm is not None:
            check_range("classical_power_dbm", self.classical_power_dbm, -100.0, 30.0)

    @property
    def pairs_share_detectors(self) -> bool:
        """Whether the pairs take turns on one detector set (each gets 1/n of the time)."""
        return self.operation != "simultaneous"

    def lit_channels(
        self, channel: ChannelAssignment, channels: Sequence[ChannelAssignment]
    ) -> tuple[ChannelAssignment, ...]:
        """Channels lit while ``channel``'s pair measures: its own only in ``sequential``
        operation, every channel otherwise."""
        return (channel,) if self.operation == "sequential" else tuple(channels)


KeyRateFunction = Callable[..., Sequence[Mapping[str, Any]]]
"""``fn(*, systems, protocol, flaws=None) -> one mapping per system``: the optimised key rates
of several links that share their source flaws (``flaws``: a
:class:`~qkdchip.simulations.qkd.source_flaws.SourceFlaws` or None), each mapping holding the
key-rate engine's result fields (``KeyRateResult.to_dict()``: ``key_rate_per_pulse``,
``key_rate_bps``, ``plob``, ``ratio_to_plob``, ``qber_x``, ``qber_z``, ``qber_z_aopp``, ...).
A link's result must not depend on the others it is evaluated with
(:func:`~qkdchip.simulations.qkd.optimise_many` holds to this)."""


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
        phase: the phase-error budget (None when the pair has no key).
        noise_per_gate: noise click probability per detector per gate, by source.
        status: ``ok`` or why the pair has no key (a laser that does not lock, a failed chip).
        key_rate_per_pulse: secret bits per pulse.
        key_rate_bps: bit/s while the pair runs (its quantum periods only: the reference
            periods carry no key).
        key_rate_bps_time_shared: bit/s averaged over the network cycle (pairs that share the
            detectors divide by the number of pairs).
        plob: absolute PLOB bound, bits per pulse (None: a lossless channel has none).
        ratio_to_plob: key rate over PLOB.
        qber_x: X-basis error rate.
        qber_z: Z-basis error rate.
        qber_z_aopp: Z error rate of the bits surviving AOPP (None without a key).
        qber: both error rates split into their contributions (None without a key).
    """

    pair: int
    alice: str
    bob: str
    channel: ChannelAssignment
    links: PairLinks
    lock_alice: LockResult
    lock_bob: LockResult
    phase: PhaseErrorBudget | None
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
    qber: QberDecomposition | None

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


def lit_lines(
    *,
    model: NetworkModel,
    channel: ChannelAssignment,
    links: PairLinks,
    lit_channels: Sequence[ChannelAssignment],
) -> list[LitLine]:
    """Light in the backbone fibres while one pair's quantum period runs.

    The pair's own references are off (time-division tracking). Each other lit channel's two
    clients send quantum pulses (``model.signal_photons_per_pulse`` bounds their mean photon
    number; they fall inside the gates) and their references at lambda_0, unsynchronised with
    this pair's cycle, so lit for a fraction ``reference_duty`` of the time. Seed lines travel
    down the backbone only when ``model.seed_in_backbone``; a classical channel, when present,
    runs up every arm.
    """
    srv, ph = model.server, model.phase
    arms = (links.alice_upstream_km, links.bob_upstream_km)
    in_gate = 1.0 / srv.gate_s  # pulses carry their photons inside one gate

    def pulses(photons: float, frequency_hz: float) -> float:
        return photons * PLANCK_J_S * frequency_hz * in_gate

    lines = []
    for other in lit_channels:
        if other.grid_index == channel.grid_index:
            continue
        for km in arms:
            lines.append(
                LitLine(
                    label="quantum",
                    frequency_hz=other.line_frequency_hz,
                    launch_power_w=pulses(model.signal_photons_per_pulse, other.line_frequency_hz),
                    length_km=km,
                )
            )
            lines.append(
                LitLine(
                    label="reference",
                    frequency_hz=model.reference_frequency_hz,
                    launch_power_w=ph.reference_duty
                    * pulses(ph.reference_photons_per_pulse, model.reference_frequency_hz),
                    length_km=km,
                )
            )
    if model.seed_in_backbone:
        for seeded in lit_channels:
            power = 1e-3 * 10.0 ** ((seeded.line_power_dbm - srv.demux_loss_db) / 10.0)
            for km in arms:
                lines.append(
                    LitLine(
                        label="seed",
                        frequency_hz=seeded.line_frequency_hz,
                        launch_power_w=power,
                        length_km=km,
                        direction="downstream",
                    )
                )
    if model.classical_power_dbm is not None:
        for km in arms:
            lines.append(
                LitLine(
                    label="classical",
                    frequency_hz=CLASSICAL_FREQUENCY_HZ,
                    launch_power_w=1e-3 * 10.0 ** (model.classical_power_dbm / 10.0),
                    length_km=km,
                )
            )
    return lines


def noise_per_gate(
    *,
    model: NetworkModel,
    channel: ChannelAssignment,
    links: PairLinks,
    lit_channels: Sequence[ChannelAssignment],
) -> dict[str, float]:
    """Noise counts per detector gate in one pair's quantum channel, by source.

    Sources (see :mod:`.fibre_noise`): dark counts; crosstalk of the other lit lines through
    the channel's demultiplexer filter at their offsets; forward Raman light of the upstream
    lines in the channel's band; backward Raman light and Rayleigh backscatter of seed light
    sent down the backbone fibres.

    Args:
        model: the shared network description.
        channel: the pair's channel.
        links: the pair's fibre lengths.
        lit_channels: the channels lit while the pair measures (none but its own in
            ``sequential`` operation, all of them otherwise).

    Returns:
        Mapping source -> mean noise counts per gate per detector.
    """
    srv = model.server
    noise = channel_noise_per_gate(
        channel_frequency_hz=channel.line_frequency_hz,
        lines=lit_lines(model=model, channel=channel, links=links, lit_channels=lit_channels),
        fibre=BackboneFibre(loss_db_per_km=model.fibre.loss_db_per_km),
        demux=DemuxFilter(grid=model.wdm, isolation_db=srv.demux_isolation_db),
        bandwidth_nm=srv.filter_bandwidth_nm,
        gate_s=srv.gate_s,
        receiver_efficiency=srv.receiver_efficiency,
        dark_count_rate_hz=srv.dark_count_rate_hz,
    )
    return noise.to_dict()


def reference_count_rate_hz(*, model: NetworkModel, links: PairLinks) -> float:
    """Detected reference count rate during a reference period (both detectors, capped by
    their maximum count rate), Hz."""
    srv = model.server
    eta_rx = srv.receiver_efficiency
    eta_sum = sum(
        10.0 ** (-model.fibre.loss_db_per_km * km / 10.0) * eta_rx
        for km in (links.alice_upstream_km, links.bob_upstream_km)
    )
    rate = model.protocol.repetition_rate_hz * model.phase.reference_photons_per_pulse * eta_sum
    return min(rate, 2.0 * srv.max_count_rate_hz)


def pair_tracking(*, model: NetworkModel, links: PairLinks) -> TrackingVariance:
    """Residual reference-phase tracking error of one pair (closed form of
    :mod:`.phase_tracking`, at the scenario's cycle and the pair's drift and count rate)."""
    ph = model.phase
    srv = model.server
    return tracking_error_variance(
        drift_rate_rad_per_s=ph.reference_drift_rad_per_ms
        * 1e3
        * drift_rate_scale(model=model, links=links),
        correlation_time_s=ph.drift_correlation_ms * 1e-3,
        reference_period_s=ph.reference_period_s,
        quantum_period_s=ph.quantum_period_s,
        reference_count_rate_hz=reference_count_rate_hz(model=model, links=links),
        visibility=model.interference.visibility,
        background_count_rate_hz=2.0 * srv.dark_count_rate_hz,
        predictor=ph.predictor,
    )


UNIFORM_PHASE_VARIANCE_RAD2 = math.pi**2 / 3.0
"""Variance of a phase uniform on [-pi, pi]: a loop that learns nothing (rad²)."""


def _tracking_variance(model: NetworkModel, links: PairLinks) -> float:
    """The tracking residual's variance, capped at a uniform phase's (no reference counts at
    all, or too few for the closed form, which holds while it is well below 1 rad²)."""
    if reference_count_rate_hz(model=model, links=links) <= 0.0:
        return UNIFORM_PHASE_VARIANCE_RAD2
    return min(pair_tracking(model=model, links=links).total_rad2, UNIFORM_PHASE_VARIANCE_RAD2)


def drift_rate_scale(*, model: NetworkModel, links: PairLinks) -> float:
    """Factor on the measured drift rates for a pair's total fibre length:
    ``(L / L_ref) ** drift_length_exponent`` (:class:`PhaseTracking`)."""
    total_km = (
        links.alice_upstream_km
        + links.bob_upstream_km
        + links.alice_downstream_km
        + links.bob_downstream_km
    )
    ph = model.phase
    return (total_km / ph.drift_reference_length_km) ** ph.drift_length_exponent


def pair_phase_budget(
    *,
    model: NetworkModel,
    links: PairLinks,
    chips: tuple[ClientChip, ClientChip],
    locks: tuple[LockResult, LockResult],
) -> PhaseErrorBudget:
    """Visibility factors and phase-error variances of one pair (see :mod:`.phase_budget`).

    Args:
        model: the shared network description.
        links: the pair's fibre lengths.
        chips: (Alice's, Bob's) chip.
        locks: their injection-locking results (both locked).
    """
    ph = model.phase
    delay = _delay_s(
        links.alice_upstream_km
        + links.alice_downstream_km
        - links.bob_upstream_km
        - links.bob_downstream_km
        + ph.path_mismatch_m * 1e-3,
        model.fibre.group_index,
    )
    lasers = pair_phase_noise(
        master_linewidth_hz=model.comb_linewidth_hz,
        delay_s=delay,
        locking_bandwidth_a_hz=locks[0].locking_bandwidth_hz,
        locking_bandwidth_b_hz=locks[1].locking_bandwidth_hz,
        free_running_linewidth_a_hz=chips[0].laser.free_running_linewidth_hz,
        free_running_linewidth_b_hz=chips[1].laser.free_running_linewidth_hz,
    )
    differential = (
        ph.differential_drift_rad_per_ms * 1e3 * drift_rate_scale(model=model, links=links)
    )
    contributions = {
        "laser_phase_noise": lasers.master_rad2,
        "injection_lock_residual": lasers.residual_a_rad2 + lasers.residual_b_rad2,
        "reference_tracking": _tracking_variance(model, links),
        "differential_drift": drift_tracking_variance(
            drift_rad_per_s=differential, update_interval_s=ph.differential_window_ms * 1e-3
        ),
        "modulator_extinction": math.fsum(
            extinction_variance(extinction_ratio_db=c.extinction_ratio_db) for c in chips
        ),
    }
    return phase_error_budget(
        visibility_factors=model.interference.factors(), contributions_rad2=contributions
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


def pair_source_flaws(
    *, protocol: Protocol, chips: tuple[ClientChip, ClientChip]
) -> SourceFlaws | None:
    """The source flaws a pair's key rate counts (None unless ``protocol.source_flaws``).

    Both parties get the worse of the two chips (the bound of
    :class:`~qkdchip.simulations.qkd.source_flaws.SourceFlaws` is one per pair): the smaller
    extinction ratio, and with ``protocol.injection_isolation_db`` the leak of the brighter
    laser (:func:`~qkdchip.simulations.qkd.side_channel.injection_leak`).
    """
    if not protocol.source_flaws:
        return None
    leaked = 0.0
    if protocol.injection_isolation_db is not None:
        leaked = injection_leak(
            isolation_db=protocol.injection_isolation_db,
            power_at_modulators_dbm=max(c.laser.output_power_dbm for c in chips),
            repetition_rate_hz=protocol.repetition_rate_hz,
        ).leaked_photons
    return SourceFlaws(
        intensity_fluctuation=protocol.intensity_fluctuation,
        extinction_ratio_db=min(c.extinction_ratio_db for c in chips),
        leaked_photons=leaked,
    )


@dataclass(frozen=True)
class PairLink:
    """One locked pair's link as the key-rate engine sees it, with what went into it.

    Attributes:
        links: the pair's fibre lengths.
        budget: the phase-error budget (its misalignment is the system's e_d).
        noise: noise counts per detector gate by source.
        system: the SNS system.
        flaws: the source flaws its key rate counts (None: ideal sources).
    """

    links: PairLinks
    budget: PhaseErrorBudget
    noise: dict[str, float]
    system: SnsSystem
    flaws: SourceFlaws | None = None

    def key_rate(self, key_rate: KeyRateFunction, *, protocol: str) -> Mapping[str, Any]:
        """``key_rate`` evaluated on this link's system with its flaws."""
        return key_rate(systems=[self.system], protocol=protocol, flaws=self.flaws)[0]


def pair_link(
    *,
    model: NetworkModel,
    channel: ChannelAssignment,
    links: PairLinks,
    chips: tuple[ClientChip, ClientChip],
    locks: tuple[LockResult, LockResult],
    channels: Sequence[ChannelAssignment],
) -> PairLink:
    """Budget the phase error and the noise of a locked pair and build its SNS system.

    Args:
        model: the shared network description.
        channel: the pair's WDM channel.
        links: the pair's fibre lengths.
        chips: (Alice's, Bob's) chip.
        locks: their injection-locking results.
        channels: every channel of the network (lit according to ``model.operation``).
    """
    budget = pair_phase_budget(model=model, links=links, chips=chips, locks=locks)
    noise = noise_per_gate(
        model=model,
        channel=channel,
        links=links,
        lit_channels=model.lit_channels(channel, channels),
    )
    system = pair_system(model=model, links=links, noise=noise, misalignment=budget.misalignment)
    flaws = pair_source_flaws(protocol=model.protocol, chips=chips)
    return PairLink(links=links, budget=budget, noise=noise, system=system, flaws=flaws)


def _failure(chips: tuple[ClientChip, ClientChip], locks: tuple[LockResult, LockResult]) -> str:
    """``ok``, or why the pair has no key."""
    for who, chip, lock in zip(("Alice", "Bob"), chips, locks, strict=True):
        if not chip.working:
            return f"{who}'s chip {chip.name} failed its device tests"
        if not lock.locked:
            return f"{who}'s laser ({chip.name}) does not injection-lock"
    return "ok"


@dataclass(frozen=True)
class _PreparedPair:
    """A pair locked and budgeted, waiting for its key rate.

    Attributes:
        fields: the :class:`PairResult` fields known before the key rate.
        status: ``ok`` or why the pair has no key.
        link: the pair's link when ``status`` is ``ok``, else None.
        noise: noise counts per detector gate by source.
    """

    fields: dict[str, Any]
    status: str
    link: PairLink | None
    noise: dict[str, float]


def _prepare_pair(
    *,
    model: NetworkModel,
    pair: int,
    channel: ChannelAssignment,
    chips: tuple[ClientChip, ClientChip],
    links: PairLinks,
    channels: Sequence[ChannelAssignment],
) -> _PreparedPair:
    """Lock both lasers of a pair and, when both lock on working chips, budget its link."""
    alice, bob = chips
    locks = (
        lock_client(
            model=model, chip=alice, channel=channel, downstream_km=links.alice_downstream_km
        ),
        lock_client(model=model, chip=bob, channel=channel, downstream_km=links.bob_downstream_km),
    )
    eta_channel = 10.0 ** (-model.fibre.loss_db_per_km * links.distance_km / 10.0)
    fields = {
        "pair": pair,
        "alice": alice.name,
        "bob": bob.name,
        "channel": channel,
        "links": links,
        "lock_alice": locks[0],
        "lock_bob": locks[1],
        "plob": finite_or_none(float(plob_bound(eta_channel))),
    }
    status = _failure(chips, locks)
    if status != "ok":
        noise = noise_per_gate(
            model=model,
            channel=channel,
            links=links,
            lit_channels=model.lit_channels(channel, channels),
        )
        return _PreparedPair(fields=fields, status=status, link=None, noise=noise)
    link = pair_link(
        model=model,
        channel=channel,
        links=links,
        chips=chips,
        locks=locks,
        channels=channels,
    )
    return _PreparedPair(fields=fields, status=status, link=link, noise=link.noise)


def _pair_result(
    prepared: _PreparedPair, key: Mapping[str, Any] | None, *, model: NetworkModel, sharing: int
) -> PairResult:
    """The :class:`PairResult` of a prepared pair and its key-rate engine result (None: the
    pair has no key)."""
    if prepared.link is None or key is None:
        return PairResult(
            **prepared.fields,
            phase=None,
            noise_per_gate=prepared.noise,
            status=prepared.status,
            key_rate_per_pulse=0.0,
            key_rate_bps=0.0,
            key_rate_bps_time_shared=0.0,
            ratio_to_plob=0.0,
            qber_x=0.5,
            qber_z=0.5,
            qber_z_aopp=None,
            qber=None,
        )
    link = prepared.link
    qber = qber_decomposition(
        system=link.system,
        parameters=key["parameters"],
        visibility_factors=link.budget.visibility_factors,
        phase_variances_rad2=link.budget.contributions_rad2,
        noise_per_gate=link.noise,
    )
    bps = float(key["key_rate_bps"]) * (1.0 - model.phase.reference_duty)
    return PairResult(
        **prepared.fields,
        phase=link.budget,
        noise_per_gate=link.noise,
        status=prepared.status,
        key_rate_per_pulse=float(key["key_rate_per_pulse"]),
        key_rate_bps=bps,
        key_rate_bps_time_shared=bps / sharing,
        ratio_to_plob=float(key["ratio_to_plob"]),
        qber_x=float(key["qber_x"]),
        qber_z=float(key["qber_z"]),
        qber_z_aopp=finite_or_none(key.get("qber_z_aopp")),
        qber=qber,
    )


def evaluate_pairs(
    *,
    model: NetworkModel,
    channels: Sequence[ChannelAssignment],
    clients: Sequence[ClientChip],
    links: Sequence[PairLinks],
    key_rate: KeyRateFunction,
) -> tuple[PairResult, ...]:
    """Lock every pair's lasers, budget their phase error and noise, and compute their key
    rates, the pairs with the same source flaws in one call of ``key_rate``.

    Clients pair up in order: pair i is (clients[2i], clients[2i+1]) on channels[i].

    Args:
        model: the shared network description.
        channels: one WDM channel per pair (every channel is lit according to
            ``model.operation``; their number is the number of pairs sharing the detectors).
        clients: the 2 x len(channels) client chips.
        links: each pair's fibre lengths.
        key_rate: the key-rate function (:data:`KeyRateFunction`).

    Returns:
        One :class:`PairResult` per pair, in pair order.
    """
    prepared = [
        _prepare_pair(
            model=model,
            pair=i + 1,
            channel=channel,
            chips=(clients[2 * i], clients[2 * i + 1]),
            links=link,
            channels=channels,
        )
        for i, (channel, link) in enumerate(zip(channels, links, strict=True))
    ]
    by_flaws: dict[SourceFlaws | None, dict[int, SnsSystem]] = {}
    for i, p in enumerate(prepared):
        if p.link is not None:
            by_flaws.setdefault(p.link.flaws, {})[i] = p.link.system
    keys: dict[int, Mapping[str, Any]] = {}
    for flaws, systems in by_flaws.items():
        results = key_rate(
            systems=list(systems.values()), protocol=model.protocol.name, flaws=flaws
        )
        keys |= dict(zip(systems, results, strict=True))
    sharing = len(channels) if model.pairs_share_detectors else 1
    return tuple(
        _pair_result(p, keys.get(i), model=model, sharing=sharing) for i, p in enumerate(prepared)
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
        key_rate: the key-rate function (:data:`KeyRateFunction`).
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
    out: list[DistanceResult] = []
    for distance, links in links_by_distance.items():
        if len(links) != n_pairs:
            raise ValueError(
                f"links at {distance} km: need one PairLinks per pair ({n_pairs}), "
                f"got {len(links)}"
            )
        results = evaluate_pairs(
            model=model, channels=channels, clients=clients, links=links, key_rate=key_rate
        )
        if progress is not None:
            for _ in results:
                progress()
        out.append(DistanceResult(distance_km=float(distance), pairs=results))
    return NetworkResult(
        operation=model.operation,
        n_clients=len(clients),
        channels=tuple(channels),
        by_distance=tuple(out),
    )
