"""Validated design objects shared by layout cells and device simulations.

Each object describes one device by its drawn and physical parameters. A gdsfactory cell in
``qkdchip.components.si3n4`` / ``qkdchip.components.inp`` draws it and a simulation in
``qkdchip.simulations`` simulates the same object, so no number is typed twice. This module
imports no gdsfactory (simulations import it cheaply); checks against a platform's foundry rules
happen in the cells.

Conventions: layout lengths in µm, everything else carries its unit in the field name. Every
object is frozen, validates itself in ``__post_init__`` (``ValueError`` naming the parameter, its
value and the allowed range) and serialises with ``to_dict()``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, Self

from qkdchip.constants import C_M_PER_S
from qkdchip.pdk.stacks import INP_RIDGE_WIDTH_UM
from qkdchip.records import Record
from qkdchip.validation import check_choice, check_range

REFERENCE_FSR_HZ = 30.03e9
"""FSR of the reference comb ring (Nature (2026) network paper: "Its free spectral range was
measured to be 30.03 GHz")."""
DEFAULT_N_GROUP_THIN_SIN = 1.59
"""Group index of the 100 nm x 2.8 µm Si3N4 strip at 1550 nm, for FSR estimates of drawn rings:
the MPB value 1.5899 of the shipped mode result (``qkdchip simulate modes`` at the reference
ring's settings) to three digits (the Nature (2026) paper's 1.7 dB/m loss and Q of 20 million
give n_g ≈ 1.93 through Q = 2π n_g / (λ α), inferred here, not stated). This module imports
no simulation; tests/components/test_designs.py checks the value against the shipped result."""


class _Design(Record):
    """A design record: a whole number given for a ``float`` field is stored as a float, so a
    record built from a netlist's settings (gdsfactory writes ``100.0`` as ``100``) equals the
    one built from the defaults, and so does its cache key."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        check = cls.__dict__.get("__post_init__")
        if check is None:
            return

        def post_init(self: _Design) -> None:
            _store_floats(self)
            check(self)

        cls.__post_init__ = post_init  # type: ignore[attr-defined]

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any], **values: Any) -> Self:
        """The record of a cell's keyword arguments: the fields ``settings`` holds (the cell's
        ``locals()``), with ``values`` in place of any."""
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in settings.items() if k in names} | values)


def _store_floats(record: _Design) -> None:
    for f in fields(record):  # type: ignore[arg-type]
        value = getattr(record, f.name)
        if f.type in ("float", "float | None") and type(value) is int:
            object.__setattr__(record, f.name, float(value))


def ring_radius_for_fsr(*, fsr_hz: float, n_group: float) -> float:
    """Radius in µm of a circular ring with free spectral range ``fsr_hz``.

    FSR = c / (n_g · 2πR), so R = c / (2π n_g FSR).

    Args:
        fsr_hz: free spectral range in Hz, in [1e9, 5e12].
        n_group: group index of the ring mode, in [1.0, 4.5].

    Returns:
        Radius in µm (about 999 µm for 30.03 GHz at n_g = 1.59).
    """
    check_range("fsr_hz", fsr_hz, 1e9, 5e12)
    check_range("n_group", n_group, 1.0, 4.5)
    return C_M_PER_S / (2 * math.pi * n_group * fsr_hz) * 1e6


def ring_fsr_hz(*, radius_um: float, n_group: float) -> float:
    """Free spectral range in Hz of a circular ring of radius ``radius_um`` µm."""
    check_range("radius_um", radius_um, 1.0, 20000.0)
    check_range("n_group", n_group, 1.0, 4.5)
    return C_M_PER_S / (2 * math.pi * n_group * radius_um * 1e-6)


DEFAULT_RING_RADIUS_UM = 999.4
"""Radius in µm of the reference comb ring: the simulated design
:func:`qkdchip.simulations.devices.defaults.reference_ring_design`, R = c/(2π n_g FSR) for
30.03 GHz with the MPB group index n_g = 1.5899 of its strip, rounded to 0.1 µm. The shipped
ring result (meep, cylindrical) simulates exactly this ring; a test asserts
``RingDesign() == reference_ring_design()`` so the drawn and the simulated ring stay one."""
DEFAULT_RING_GAP_UM = 2.305
"""Ring-bus gap in µm (edge to edge, straight point-coupled bus) of the reference comb ring,
chosen for a bus-coupling Q_c of about 10 million, over-coupled against the intrinsic Q of
20 million as the dark-pulse comb wants. From the shipped coupler result (``qkdchip simulate
coupler``: MPB supermodes at 32 px/µm, coupled-mode theory, 1550 nm): at 3.0 µm Q_c = 5.4e7 with
κ(g) decaying as exp(-1.08/µm · g); that decay put 1e7 near 2.22 µm, where MPB gave 8.0e6
(the decay steepens to 1.24/µm at smaller gaps), 2.315 µm gave 1.02e7, and 2.305 µm (on the
1 nm grid, far above the thin-film 0.5 µm WG min space) gives Q_c = 9.98e6, the shipped
result. tests/simulations/comb/test_resonator.py checks that the comb's reference resonator
takes its Q_c from the shipped coupler result of ``RingDesign()``."""


@dataclass(frozen=True)
class StripWaveguide(_Design):
    """Si3N4 strip (fully etched) waveguide buried in SiO2.

    Attributes:
        width_um: core width in µm, [0.3, 12].
        thickness_nm: film thickness in nm, [40, 1500] (100 nm: reference comb chip).
    """

    width_um: float = 2.8
    thickness_nm: float = 100.0

    def __post_init__(self) -> None:
        check_range("width_um", self.width_um, 0.3, 12.0)
        check_range("thickness_nm", self.thickness_nm, 40.0, 1500.0)


@dataclass(frozen=True)
class RidgeWaveguide(_Design):
    """InP ridge waveguide with a Q(λg) core.

    Attributes:
        width_um: ridge width in µm, [0.8, 6].
        etch: ``"deep"`` (etched through the core) or ``"shallow"`` (stops in the top of the core).
        core_bandgap_um: band-gap wavelength of the InGaAsP core in µm (Q1.25 default;
            assumption following generic InP integration, Smit et al. 2014).
        core_thickness_um: core thickness in µm (assumption: 0.5 µm).
        upper_cladding_um: p-InP upper cladding thickness in µm (assumption: 1.5 µm).
    """

    width_um: float = 2.0
    etch: str = "deep"
    core_bandgap_um: float = 1.25
    core_thickness_um: float = 0.5
    upper_cladding_um: float = 1.5

    def __post_init__(self) -> None:
        check_range("width_um", self.width_um, 0.8, 6.0)
        check_choice("etch", self.etch, ("deep", "shallow"))
        check_range("core_bandgap_um", self.core_bandgap_um, 0.95, 1.45)
        check_range("core_thickness_um", self.core_thickness_um, 0.1, 1.5)
        check_range("upper_cladding_um", self.upper_cladding_um, 0.5, 3.0)


@dataclass(frozen=True)
class RingDesign(_Design):
    """Circular Si3N4 microring with a point-coupled or pulley (wrapped) bus.

    Attributes:
        radius_um: ring radius to the waveguide centre in µm, [5, 5000]. Default: the
            simulated reference 30.03 GHz comb ring, 999.4 µm (:data:`DEFAULT_RING_RADIUS_UM`).
        width_um: ring waveguide width in µm, [0.3, 12].
        gap_um: edge-to-edge gap between ring and bus in µm, [0.1, 10]. Default: 2.305 µm,
            simulated Q_c about 10 million for the reference ring (:data:`DEFAULT_RING_GAP_UM`).
        thickness_nm: Si3N4 film thickness in nm, [40, 1500].
        wrap_angle_deg: angle the bus wraps around the ring in degrees, [0, 120];
            0 = point coupling with a straight bus.
        bus_width_um: bus waveguide width in µm, [0.3, 12].
    """

    radius_um: float = DEFAULT_RING_RADIUS_UM
    width_um: float = 2.8
    gap_um: float = DEFAULT_RING_GAP_UM
    thickness_nm: float = 100.0
    wrap_angle_deg: float = 0.0
    bus_width_um: float = 2.8

    def __post_init__(self) -> None:
        check_range("radius_um", self.radius_um, 5.0, 5000.0)
        check_range("width_um", self.width_um, 0.3, 12.0)
        check_range("gap_um", self.gap_um, 0.1, 10.0)
        check_range("thickness_nm", self.thickness_nm, 40.0, 1500.0)
        check_range("wrap_angle_deg", self.wrap_angle_deg, 0.0, 120.0)
        check_range("bus_width_um", self.bus_width_um, 0.3, 12.0)
        if self.width_um >= self.radius_um:
            raise ValueError(
                f"width_um={self.width_um!r} must be smaller than radius_um={self.radius_um!r}"
            )

    @property
    def circumference_um(self) -> float:
        return 2 * math.pi * self.radius_um

    @property
    def bus_radius_um(self) -> float:
        """Radius of the pulley bus centre line in µm (ring centre as origin)."""
        return self.radius_um + self.width_um / 2 + self.gap_um + self.bus_width_um / 2

    @property
    def bounding_side_um(self) -> float:
        """Side in µm of the square, centred on the ring, that holds the ring and its bus.

        ``2 (R_bus + w_bus / 2)``: out to the outer edge of the bus where it passes the ring
        (a pulley bus follows that radius; a point-coupled bus is tangent to it).
        """
        return 2.0 * (self.bus_radius_um + self.bus_width_um / 2.0)

    @property
    def bounding_area_cm2(self) -> float:
        """Killer-defect sensitive area of the ring in cm²: the square of side
        :attr:`bounding_side_um`, which holds the ring, its bus where it couples and the heater
        drawn on top (a particle, a crack or a heater open anywhere in it kills the ring)."""
        return self.bounding_side_um**2 * 1e-8

    def fsr_hz(self, n_group: float = DEFAULT_N_GROUP_THIN_SIN) -> float:
        """Free spectral range in Hz for a mode of group index ``n_group``."""
        return ring_fsr_hz(radius_um=self.radius_um, n_group=n_group)

    def waveguide(self) -> StripWaveguide:
        """The ring's waveguide cross-section."""
        return StripWaveguide(width_um=self.width_um, thickness_nm=self.thickness_nm)


@dataclass(frozen=True)
class EdgeCouplerDesign(_Design):
    """Si3N4 inverse-taper edge coupler.

    Attributes:
        tip_width_um: width at the facet in µm, [0.15, 2] (assumption: 0.3 µm, the WG min width).
        taper_length_um: taper length in µm, [10, 2000] (assumed: 100-300 µm, as in
            cspdk's edge couplers).
        waveguide_width_um: width of the connecting waveguide in µm, [0.3, 12].
    """

    tip_width_um: float = 0.3
    taper_length_um: float = 200.0
    waveguide_width_um: float = 2.8

    def __post_init__(self) -> None:
        check_range("tip_width_um", self.tip_width_um, 0.15, 2.0)
        check_range("taper_length_um", self.taper_length_um, 10.0, 2000.0)
        check_range("waveguide_width_um", self.waveguide_width_um, 0.3, 12.0)


DBR_PERIOD_NM = 239.0
"""Default DBR period in nm: the simulated grating (``qkdchip simulate grating``) puts its Bragg
wavelength at 1553.2 nm, just red of the comb band (current tuning of a DBR grating shifts it
blue); 240 nm would put it at 1559.7 nm, 238 nm at 1546.7 nm (1 nm writing grid)."""


@dataclass(frozen=True)
class DbrGratingDesign(_Design):
    """First-order surface grating of an InP DBR section: the drawn geometry only.

    Its κ, Bragg wavelength and reflection come from the simulation
    (:func:`qkdchip.simulations.fdtd.grating.simulate_grating`).

    Attributes:
        period_nm: grating period in nm, [150, 400] (default :data:`DBR_PERIOD_NM`).
        length_um: grating length in µm, [5, 2000].
        duty_cycle: tooth fraction of the period, (0.1, 0.9).
    """

    period_nm: float = DBR_PERIOD_NM
    length_um: float = 500.0
    duty_cycle: float = 0.5

    def __post_init__(self) -> None:
        check_range("period_nm", self.period_nm, 150.0, 400.0)
        check_range("length_um", self.length_um, 5.0, 2000.0)
        check_range("duty_cycle", self.duty_cycle, 0.1, 0.9)

    @property
    def n_periods(self) -> int:
        return int(self.length_um * 1e3 // self.period_nm)


@dataclass(frozen=True)
class DbrLaserDesign(_Design):
    """InP DBR laser: rear grating | gain | phase | front grating, isolation between contacts.

    The defaults are the lasers the transmitter chip draws (rear/gain/phase/front
    300/600/100/90 µm, 20 µm isolation; the Nazca demofab ``dbr_laser`` uses 500/750/70/50 µm).
    With the simulated κ = 56 /cm a 50 µm front grating reflects 7 % and the yield model fails
    29 % of chips on the laser threshold; 90 µm (R = 0.22) brings the laser yield to 96 %.
    The comb line is injected through the rear grating, which faces the chip's input facet.
    The cavity the yield model and the network use, with the simulated grating's κ and group
    index, is :func:`qkdchip.simulations.devices.dbr_cavity.dbr_cavity`.

    Attributes:
        rear_grating_um: rear (high-reflectance) grating length in µm, [20, 1000].
        gain_um: gain (SOA) section length in µm, [50, 2000].
        phase_um: phase section length in µm, [20, 1000].
        front_grating_um: front (output) grating length in µm, [10, 1000].
        isolation_um: isolation length between adjacent contacts in µm, [10, 200].
        period_nm: grating period in nm (both gratings), [150, 400].
        ridge_width_um: ridge width in µm, [0.8, 6].
        injection_mirror: ``"rear"`` or ``"front"``: the grating the master light enters by.
    """

    rear_grating_um: float = 300.0
    gain_um: float = 600.0
    phase_um: float = 100.0
    front_grating_um: float = 90.0
    isolation_um: float = 20.0
    period_nm: float = DBR_PERIOD_NM
    ridge_width_um: float = INP_RIDGE_WIDTH_UM
    injection_mirror: str = "rear"

    def __post_init__(self) -> None:
        check_range("rear_grating_um", self.rear_grating_um, 20.0, 1000.0)
        check_range("gain_um", self.gain_um, 50.0, 2000.0)
        check_range("phase_um", self.phase_um, 20.0, 1000.0)
        check_range("front_grating_um", self.front_grating_um, 10.0, 1000.0)
        check_range("isolation_um", self.isolation_um, 10.0, 200.0)
        check_range("ridge_width_um", self.ridge_width_um, 0.8, 6.0)
        check_choice("injection_mirror", self.injection_mirror, ("rear", "front"))
        self.rear_grating()  # validates the period

    def rear_grating(self) -> DbrGratingDesign:
        return DbrGratingDesign(period_nm=self.period_nm, length_um=self.rear_grating_um)

    def front_grating(self) -> DbrGratingDesign:
        return DbrGratingDesign(period_nm=self.period_nm, length_um=self.front_grating_um)

    @property
    def total_length_um(self) -> float:
        return (
            self.rear_grating_um
            + self.gain_um
            + self.phase_um
            + self.front_grating_um
            + 3 * self.isolation_um
        )


def mmi_beat_length_um(*, width_um: float, n_eff: float, wavelength_um: float) -> float:
    """Beat length Lπ = 4·n·W²/(3·λ) of the two lowest MMI modes in µm.

    Soldano and Pennings, J. Lightwave Technol. 13, 615 (1995), with the effective width taken
    as the drawn width (deep etch: high lateral contrast).
    """
    check_range("width_um", width_um, 1.0, 100.0)
    check_range("n_eff", n_eff, 1.0, 4.0)
    check_range("wavelength_um", wavelength_um, 0.4, 3.0)
    return 4 * n_eff * width_um**2 / (3 * wavelength_um)


MMI_N_EFF = 3.2
"""Assumption: slab effective index of the deep-etched InP MMI body at 1550 nm."""


@dataclass(frozen=True)
class MmiDesign(_Design):
    """InP deep-etched multimode interference coupler (1x2 or 2x2).

    Self-imaging lengths (Soldano and Pennings 1995): symmetric 1x2 at 3Lπ/8 with outputs at
    ±W/4; general-interference 2x2 (3 dB) at 3Lπ/2. Defaults: 1x2, W = 6 µm, L = 37 µm
    (3Lπ/8 = 37.2 µm at n = 3.2, λ = 1.55 µm).

    Attributes:
        n_inputs: 1 or 2.
        n_outputs: 2.
        width_um: MMI body width in µm, [2, 40].
        length_um: MMI body length in µm, [5, 2000].
        port_offset_um: distance of each two-port side's port centres from the axis in µm.
        access_width_um: width of the access waveguides at the MMI in µm, [0.8, 6].
        taper_length_um: access taper length in µm, [0, 200] (0: no taper section).
        ridge_width_um: width of the connecting ridge waveguide in µm, [0.8, 6].
    """

    n_inputs: int = 1
    n_outputs: int = 2
    width_um: float = 6.0
    length_um: float = 37.0
    port_offset_um: float = 1.5
    access_width_um: float = 2.0
    taper_length_um: float = 10.0
    ridge_width_um: float = INP_RIDGE_WIDTH_UM

    def __post_init__(self) -> None:
        check_choice("n_inputs", self.n_inputs, (1, 2))
        check_choice("n_outputs", self.n_outputs, (2,))
        check_range("width_um", self.width_um, 2.0, 40.0)
        check_range("length_um", self.length_um, 5.0, 2000.0)
        check_range("access_width_um", self.access_width_um, 0.8, 6.0)
        check_range("taper_length_um", self.taper_length_um, 0.0, 200.0)
        check_range("ridge_width_um", self.ridge_width_um, 0.8, 6.0)
        low = self.access_width_um / 2
        high = self.width_um / 2 - self.access_width_um / 2
        check_range("port_offset_um", self.port_offset_um, low, high)

    @property
    def beat_length_um(self) -> float:
        return mmi_beat_length_um(width_um=self.width_um, n_eff=MMI_N_EFF, wavelength_um=1.55)

    @property
    def self_imaging_length_um(self) -> float:
        """Estimated 3 dB length: 3Lπ/8 for a 1x2, 3Lπ/2 for a 2x2."""
        factor = 3 / 8 if self.n_inputs == 1 else 3 / 2
        return factor * self.beat_length_um


@dataclass(frozen=True)
class PhaseModulatorDesign(_Design):
    """InP electro-optic (reverse-biased p-i-n) phase modulator.

    The default length is the transmitter's PMs: 3 mm, so that the simulated and calibrated
    Vπ·L (:func:`qkdchip.simulations.modes.modulator.simulate_modulator`) gives a Vπ inside the
    drive's 3.5 V (the yield spec). Vπ is a simulated figure, not a design field.

    Attributes:
        length_um: electrode (modulated) length in µm, [50, 5000].
        ridge_width_um: ridge width in µm, [0.8, 6].
        electrode_width_um: p-contact metal width on the ridge in µm, [1, 20].
    """

    length_um: float = 3000.0
    ridge_width_um: float = INP_RIDGE_WIDTH_UM
    electrode_width_um: float = 4.0

    def __post_init__(self) -> None:
        check_range("length_um", self.length_um, 50.0, 5000.0)
        check_range("ridge_width_um", self.ridge_width_um, 0.8, 6.0)
        check_range("electrode_width_um", self.electrode_width_um, 1.0, 20.0)


@dataclass(frozen=True)
class MzmDesign(_Design):
    """Mach-Zehnder intensity modulator: MMI splitter, two modulated arms, MMI combiner.

    The default arms are the transmitter's IMs (3 mm, driven on one arm: the same Vπ as a PM
    of that length).

    Attributes:
        arm_length_um: modulated length of each arm in µm, [50, 5000].
        arm_separation_um: centre-to-centre distance of the two arms in µm, [20, 500].
        ridge_width_um: ridge width in µm, [0.8, 6].
        electrode_width_um: p-contact width on each arm in µm, [1, 20].
    """

    arm_length_um: float = 3000.0
    arm_separation_um: float = 60.0
    ridge_width_um: float = INP_RIDGE_WIDTH_UM
    electrode_width_um: float = 4.0

    def __post_init__(self) -> None:
        check_range("arm_length_um", self.arm_length_um, 50.0, 5000.0)
        check_range("arm_separation_um", self.arm_separation_um, 20.0, 500.0)
        check_range("ridge_width_um", self.ridge_width_um, 0.8, 6.0)
        check_range("electrode_width_um", self.electrode_width_um, 1.0, 20.0)


@dataclass(frozen=True)
class VoaDesign(_Design):
    """InP variable optical attenuator: a reverse-biased absorbing (active-material) section.

    The default 600 µm gives 24 dB at full bias, inside the yield spec's 20 dB on the process
    spread (the wafer-yield model samples around ``max_attenuation_db``).

    Attributes:
        length_um: absorber length in µm, [20, 2000].
        max_absorption_db_per_mm: absorption at the largest reverse bias in dB/mm, [1, 500]
            (assumption: 40 dB/mm, of the order of quantum-well electro-absorption at 1550 nm).
        ridge_width_um: ridge width in µm, [0.8, 6].
        electrode_width_um: p-contact width in µm, [1, 20].
    """

    length_um: float = 600.0
    max_absorption_db_per_mm: float = 40.0
    ridge_width_um: float = INP_RIDGE_WIDTH_UM
    electrode_width_um: float = 4.0

    def __post_init__(self) -> None:
        check_range("length_um", self.length_um, 20.0, 2000.0)
        check_range("max_absorption_db_per_mm", self.max_absorption_db_per_mm, 1.0, 500.0)
        check_range("ridge_width_um", self.ridge_width_um, 0.8, 6.0)
        check_range("electrode_width_um", self.electrode_width_um, 1.0, 20.0)

    @property
    def max_attenuation_db(self) -> float:
        """Attenuation at the largest reverse bias in dB."""
        return self.max_absorption_db_per_mm * self.length_um * 1e-3


@dataclass(frozen=True)
class SpotSizeConverterDesign(_Design):
    """Angled InP spot-size converter at the chip facet.

    Attributes:
        tip_width_um: ridge width at the facet in µm, [0.8, 4] (assumption: 1.0 µm lateral
            down-taper expanding the mode).
        taper_length_um: taper length in µm, [20, 1000].
        facet_angle_deg: angle between waveguide and facet normal in degrees, [0, 12]
            (7-9° suppress back-reflection: hhi SSC at 8°, Nazca demofab at 7°; default 7°).
        ridge_width_um: input ridge width in µm, [0.8, 6].
    """

    tip_width_um: float = 1.0
    taper_length_um: float = 150.0
    facet_angle_deg: float = 7.0
    ridge_width_um: float = INP_RIDGE_WIDTH_UM

    def __post_init__(self) -> None:
        check_range("tip_width_um", self.tip_width_um, 0.8, 4.0)
        check_range("taper_length_um", self.taper_length_um, 20.0, 1000.0)
        check_range("facet_angle_deg", self.facet_angle_deg, 0.0, 12.0)
        check_range("ridge_width_um", self.ridge_width_um, 0.8, 6.0)
