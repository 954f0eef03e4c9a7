"""Models of the qkdchip cells, by cell name: ``model(*, wavelength_um, **cell settings)``.

Each takes the cell's settings and ``info`` (the netlist's instance entries; the circuit solver
passes those a model names) and operating parameters where the device has them:
``voltage_v`` (phase modulator), ``voltage_upper_v`` / ``voltage_lower_v`` (MZM),
``attenuation_db`` (VOA), ``gain_section_loss_db`` / ``phase_section_rad`` (DBR laser),
``resonance_shift_hz`` (rings, e.g. heater tuning). Numbers come from
:mod:`qkdchip.simulations.circuit_models.parameters`. :func:`inp_models` and
:func:`si3n4_models` are the registries each PDK holds (``get_pdk().models``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from qkdchip.components.designs import MmiDesign, RingDesign, VoaDesign
from qkdchip.simulations.circuit_models import devices
from qkdchip.simulations.circuit_models.devices import REFERENCE_WAVELENGTH_UM
from qkdchip.simulations.circuit_models.parameters import (
    ETCH_TRANSITION_LOSS_DB,
    INP_SSC_COUPLING_LOSS_DB,
    SI3N4_EDGE_COUPLING_LOSS_DB,
    electro_absorption_loss_db,
    grating_parameters,
    mmi_2x2_powers,
    mmi_spectrum,
    ring_parameters,
    vpi_l_v_mm,
    waveguide_parameters,
)
from qkdchip.simulations.circuit_models.sdict import SDict, reciprocal, wavelengths
from qkdchip.simulations.circuit_models.solver import Model, circuit
from qkdchip.validation import check_range

ELECTRICAL_CROSS_SECTIONS: tuple[str, ...] = (
    "xs_inp_metal",
    "xs_inp_metal_n",
    "xs_heater",
    "xs_routing",
)
"""Metal cross-sections: cells drawn in them have no optical ports."""
INP_CROSS_SECTIONS: tuple[str, ...] = ("xs_inp_deep", "xs_inp_shallow")
"""InP optical cross-sections (their facets couple through an SSC-like loss)."""

WL0 = REFERENCE_WAVELENGTH_UM


def _name(cross_section: Any) -> str:
    """The name of a cross-section setting (a name, a CrossSection or its dict)."""
    if isinstance(cross_section, str):
        return cross_section
    if isinstance(cross_section, dict):
        return str(cross_section["name"])
    return str(cross_section.name)


def _strip(cross_section: Any, thickness_nm: float) -> str:
    """A Si3N4 cell's cross-section name (None: the strip of its film)."""
    if cross_section is not None:
        return _name(cross_section)
    from qkdchip.pdk.si3n4.cross_sections import strip_cross_section

    return strip_cross_section(thickness_nm)


def _propagation(wl: np.ndarray, length_um: float, cross_section: Any) -> np.ndarray:
    p = waveguide_parameters(_name(cross_section))
    return devices.propagation(
        wl,
        length_um=length_um,
        n_eff=p.n_eff,
        n_group=p.n_group,
        loss_db_per_cm=p.loss_db_per_cm,
        wavelength0_um=p.wavelength0_um,
    )


def _two_port(t: np.ndarray) -> SDict:
    return reciprocal({("o1", "o2"): t})


def _facet_loss_db(cross_section: str) -> float:
    return (
        INP_SSC_COUPLING_LOSS_DB
        if cross_section in INP_CROSS_SECTIONS
        else SI3N4_EDGE_COUPLING_LOSS_DB
    )


def no_optical_ports(*, wavelength_um: ArrayLike = WL0) -> SDict:
    """An electrical-only cell (a pad): no optical ports, ``{}``."""
    wavelengths(wavelength_um)
    return {}


def straight(
    *, wavelength_um: ArrayLike = WL0, length: float = 10.0, cross_section: Any = "xs_inp_deep"
) -> SDict:
    """The routing ``straight``: waveguide of ``length`` µm (``{}`` for a metal line)."""
    wl = wavelengths(wavelength_um)
    if _name(cross_section) in ELECTRICAL_CROSS_SECTIONS:
        return {}
    return _two_port(_propagation(wl, length, cross_section))


def bend_circular(
    *,
    wavelength_um: ArrayLike = WL0,
    length: float = 157.08,
    cross_section: Any = "xs_inp_deep",
    excess_loss_db: float = 0.0,
) -> SDict:
    """The routing ``bend_circular``: its arc ``length`` µm of waveguide plus
    ``excess_loss_db`` (default 0: the bend rules keep radiation below the propagation loss)."""
    wl = wavelengths(wavelength_um)
    check_range("excess_loss_db", excess_loss_db, 0.0, 100.0)
    t = _propagation(wl, length, cross_section) * 10.0 ** (-excess_loss_db / 20.0)
    return _two_port(t)


def straight_link(
    *, wavelength_um: ArrayLike = WL0, length_um: float = 10.0, cross_section: Any = "xs_inp_deep"
) -> SDict:
    """A chip's straight link: ``length_um`` µm of ``cross_section``."""
    return _two_port(_propagation(wavelengths(wavelength_um), length_um, cross_section))


def path_waveguide(
    *, wavelength_um: ArrayLike = WL0, length_um: float = 10.0, cross_section: Any = "xs_inp_deep"
) -> SDict:
    """A chip's path of straights and arcs: ``length_um`` µm (its centre line) of waveguide."""
    return _two_port(_propagation(wavelengths(wavelength_um), length_um, cross_section))


def cutback_waveguide(
    *, wavelength_um: ArrayLike = WL0, length_um: float = 6000.0, cross_section: Any = "xs_sin_thin"
) -> SDict:
    """Facet-to-facet cut-back waveguide: ``length_um`` µm plus a facet coupling loss at each
    end (o1, o2 are facets)."""
    name = _name(cross_section)
    t = _propagation(wavelengths(wavelength_um), length_um, name)
    return _two_port(t * 10.0 ** (-2 * _facet_loss_db(name) / 20.0))


def taper_deep_to_shallow(*, wavelength_um: ArrayLike = WL0, length_um: float = 75.0) -> SDict:
    """InP etch transition: ``length_um`` µm of deep ridge plus the transition loss
    (:data:`~qkdchip.simulations.circuit_models.parameters.ETCH_TRANSITION_LOSS_DB`)."""
    t = _propagation(wavelengths(wavelength_um), length_um, "xs_inp_deep")
    return _two_port(t * 10.0 ** (-ETCH_TRANSITION_LOSS_DB / 20.0))


def ssc_angled(
    *,
    wavelength_um: ArrayLike = WL0,
    optical_length_um: float = 190.0,
    cross_section: Any = "xs_inp_deep",
) -> SDict:
    """Angled spot-size converter: its path in the ridge plus the fibre coupling loss at the
    facet (o2)."""
    t = _propagation(wavelengths(wavelength_um), optical_length_um, cross_section)
    return _two_port(t * 10.0 ** (-INP_SSC_COUPLING_LOSS_DB / 20.0))


def mmi1x2(
    *,
    wavelength_um: ArrayLike = WL0,
    width_um: float = 6.0,
    length_um: float = 37.0,
    port_offset_um: float = 1.5,
    access_width_um: float = 2.0,
    taper_length_um: float = 10.0,
    ridge_width_um: float = 2.0,
    cross_section: Any = "xs_inp_deep",
) -> SDict:
    """1x2 MMI: the simulated output powers of its design (meep spectrum, interpolated in
    wavelength, held beyond it) and the ridge phase over its length.

    ::

                 +------+== o2
        o1 ======| MMI  |
                 +------+== o3
    """
    wl = wavelengths(wavelength_um)
    design = MmiDesign(
        n_inputs=1,
        width_um=width_um,
        length_um=length_um,
        port_offset_um=port_offset_um,
        access_width_um=access_width_um,
        taper_length_um=taper_length_um,
        ridge_width_um=ridge_width_um,
    )
    sampled, upper, lower = mmi_spectrum(design)
    phase = np.angle(_propagation(wl, length_um + 2 * taper_length_um, cross_section))
    return devices.mmi_1x2(
        wavelength_um=wl,
        power_o2=np.interp(wl, sampled, upper),
        power_o3=np.interp(wl, sampled, lower),
        phase_rad=phase,
    )


def mmi2x2(
    *,
    wavelength_um: ArrayLike = WL0,
    length_um: float = 149.0,
    taper_length_um: float = 10.0,
    cross_section: Any = "xs_inp_deep",
) -> SDict:
    """2x2 MMI: bar and cross power of the simulated 2x2 MMI at its best scanned length
    (:func:`~qkdchip.simulations.devices.defaults.mmi_2x2_design`; flat in wavelength), the
    ridge phase over the drawn length.

    ::

        o2 ===+------+=== o3
        o1 ===+------+=== o4
    """
    wl = wavelengths(wavelength_um)
    bar, cross = mmi_2x2_powers()
    phase = np.angle(_propagation(wl, length_um + 2 * taper_length_um, cross_section))
    return devices.mmi_2x2(wavelength_um=wl, power_bar=bar, power_cross=cross, phase_rad=phase)


def phase_modulator(
    *,
    wavelength_um: ArrayLike = WL0,
    length_um: float = 3000.0,
    optical_length_um: float = 3020.0,
    ridge_width_um: float = 2.0,
    electrode_width_um: float = 4.0,
    voltage_v: float = 0.0,
    cross_section: Any = "xs_inp_deep",
) -> SDict:
    """Phase modulator: π V/Vπ with the simulated Vπ·L of its cross-section (Vπ = Vπ·L/L),
    and an electro-absorption loss ``A_ea (V/Vπ)^2`` (quadratic in the field, as the
    quantum-confined Stark effect; ``A_ea`` from :func:`.parameters.electro_absorption_loss_db`).

    ::

                 V
        o1 ====[###]==== o2
    """
    p = waveguide_parameters(_name(cross_section))
    vpi_l = vpi_l_v_mm(ridge_width_um, electrode_width_um)
    vpi_v = vpi_l / (length_um * 1e-3)
    return devices.phase_shifter(
        wavelength_um=wavelength_um,
        length_um=length_um,
        optical_length_um=optical_length_um,
        voltage_v=voltage_v,
        vpi_l_v_mm=vpi_l,
        n_eff=p.n_eff,
        n_group=p.n_group,
        loss_db_per_cm=p.loss_db_per_cm,
        attenuation_db=electro_absorption_loss_db() * (voltage_v / vpi_v) ** 2,
        wavelength0_um=p.wavelength0_um,
    )


def voa(
    *,
    wavelength_um: ArrayLike = WL0,
    length_um: float = 600.0,
    max_absorption_db_per_mm: float = 40.0,
    optical_length_um: float = 620.0,
    attenuation_db: float = 0.0,
    cross_section: Any = "xs_inp_deep",
) -> SDict:
    """Electro-absorption VOA: ``attenuation_db`` in [0, its design's maximum] (flat in
    wavelength) over the ridge's propagation.

    ::

        o1 ====[ABS]==== o2
    """
    maximum = VoaDesign(
        length_um=length_um, max_absorption_db_per_mm=max_absorption_db_per_mm
    ).max_attenuation_db
    check_range("attenuation_db", attenuation_db, 0.0, maximum)
    t = _propagation(wavelengths(wavelength_um), optical_length_um, cross_section)
    return _two_port(t * 10.0 ** (-attenuation_db / 20.0))


def _mzm_netlist() -> dict[str, Any]:
    return {
        "instances": {
            name: {"component": component}
            for name, component in (
                ("splitter", "mmi"),
                ("upper", "upper"),
                ("lower", "lower"),
                ("combiner", "mmi"),
            )
        },
        "nets": [
            {"p1": "splitter,o2", "p2": "upper,o1"},
            {"p1": "splitter,o3", "p2": "lower,o1"},
            {"p1": "upper,o2", "p2": "combiner,o2"},
            {"p1": "lower,o2", "p2": "combiner,o3"},
        ],
        "ports": {"o1": "splitter,o1", "o2": "combiner,o1"},
    }


def mzm(
    *,
    wavelength_um: ArrayLike = WL0,
    arm_length_um: float = 3000.0,
    ridge_width_um: float = 2.0,
    electrode_width_um: float = 4.0,
    arm_optical_length_um: float = 3225.0,
    mmi: dict[str, float] | None = None,
    voltage_upper_v: float = 0.0,
    voltage_lower_v: float = 0.0,
    cross_section: Any = "xs_inp_deep",
) -> SDict:
    """Mach-Zehnder modulator: its two MMIs (:func:`mmi1x2`) and two phase-modulated arms
    (:func:`phase_modulator`), solved as a circuit.

    ::

                  .==[upper, V_u]==.
        o1 ==<MMI                   MMI>== o2
                  '==[lower, V_l]=='

    Args:
        mmi: the MMI settings (the cell's ``info["mmi"]``); None: the default MMI.
        voltage_upper_v, voltage_lower_v: reverse bias of each arm in V.
    """
    wl = wavelengths(wavelength_um)
    mmi_settings = {"cross_section": cross_section, **(mmi or {})}

    def arm(voltage_v: float) -> Model:
        def model(*, wavelength_um: ArrayLike) -> SDict:
            return phase_modulator(
                wavelength_um=wavelength_um,
                length_um=arm_length_um,
                optical_length_um=arm_optical_length_um,
                ridge_width_um=ridge_width_um,
                electrode_width_um=electrode_width_um,
                voltage_v=voltage_v,
                cross_section=cross_section,
            )

        return model

    def splitter(*, wavelength_um: ArrayLike) -> SDict:
        return mmi1x2(wavelength_um=wavelength_um, **mmi_settings)

    models = {"mmi": splitter, "upper": arm(voltage_upper_v), "lower": arm(voltage_lower_v)}
    return circuit(_mzm_netlist(), models, wavelength_um=wl)


def dbr_laser(
    *,
    wavelength_um: ArrayLike = WL0,
    rear_grating_um: float = 300.0,
    gain_um: float = 600.0,
    phase_um: float = 100.0,
    front_grating_um: float = 90.0,
    isolation_um: float = 20.0,
    period_nm: float = 239.0,
    gain_section_loss_db: float = 0.0,
    phase_section_rad: float = 0.0,
    cross_section: Any = "xs_inp_deep",
) -> SDict:
    """DBR laser cavity as a passive two-port: rear grating, gain + phase sections (with the
    isolations), front grating; the gratings are the simulated κ, Bragg wavelength and n_g
    (:func:`~qkdchip.simulations.circuit_models.devices.uniform_grating`).

    What an injected comb line sees below threshold: the gain section at transparency
    (``gain_section_loss_db=0``) or with a net loss, ``phase_section_rad`` tuning the cavity.

    ::

        o1 =|||rear|||==[gain]=[phase]==|front|= o2
    """
    wl = wavelengths(wavelength_um)
    check_range("gain_section_loss_db", gain_section_loss_db, 0.0, 100.0)
    g = grating_parameters(period_nm)
    p = waveguide_parameters(_name(cross_section))
    passive_um = phase_um + 3 * isolation_um
    t = devices.propagation(
        wl,
        length_um=gain_um + passive_um,
        n_eff=p.n_eff,
        n_group=p.n_group,
        loss_db_per_cm=0.0,
        wavelength0_um=p.wavelength0_um,
    )
    loss_db = p.loss_db_per_cm * passive_um * 1e-4 + gain_section_loss_db
    cavity = _two_port(t * 10.0 ** (-loss_db / 20.0) * np.exp(1j * phase_section_rad))

    def grating(length_um: float) -> Model:
        def model(*, wavelength_um: ArrayLike) -> SDict:
            return devices.uniform_grating(
                wavelength_um=wavelength_um,
                length_um=length_um,
                kappa_per_m=g.kappa_per_m,
                bragg_wavelength_um=g.bragg_wavelength_um,
                n_group=g.n_group,
                period_nm=g.period_nm,
            )

        return model

    netlist = {
        "instances": {
            "rear": {"component": "rear"},
            "cavity": {"component": "cavity"},
            "front": {"component": "front"},
        },
        "nets": [{"p1": "rear,o2", "p2": "cavity,o1"}, {"p1": "cavity,o2", "p2": "front,o1"}],
        "ports": {"o1": "rear,o1", "o2": "front,o2"},
    }
    models = {
        "rear": grating(rear_grating_um),
        "cavity": lambda *, wavelength_um: cavity,
        "front": grating(front_grating_um),
    }
    return circuit(netlist, models, wavelength_um=wl)


def edge_coupler(
    *,
    wavelength_um: ArrayLike = WL0,
    taper_length_um: float = 200.0,
    thickness_nm: float = 100.0,
    cross_section: Any = None,
) -> SDict:
    """Si3N4 inverse-taper edge coupler: the fibre coupling loss at the facet (o1) and the
    strip's propagation over the taper."""
    name = _strip(cross_section, thickness_nm)
    t = _propagation(wavelengths(wavelength_um), taper_length_um, name)
    return _two_port(t * 10.0 ** (-SI3N4_EDGE_COUPLING_LOSS_DB / 20.0))


def bus_edge_coupled(
    *,
    wavelength_um: ArrayLike = WL0,
    length_um: float = 4000.0,
    thickness_nm: float = 100.0,
    cross_section: Any = None,
) -> SDict:
    """Facet-to-facet bus: two facet coupling losses and ``length_um`` µm of strip."""
    name = _strip(cross_section, thickness_nm)
    t = _propagation(wavelengths(wavelength_um), length_um, name)
    return _two_port(t * 10.0 ** (-2 * SI3N4_EDGE_COUPLING_LOSS_DB / 20.0))


def _ring(wavelength_um: ArrayLike, design: RingDesign, resonance_shift_hz: float) -> SDict:
    p = ring_parameters(design)
    return devices.ring_add_drop(
        wavelength_um=wavelength_um,
        resonance_hz=p.resonance_hz + resonance_shift_hz,
        fsr_hz=p.fsr_hz,
        d2_hz=p.d2_hz,
        d3_hz=p.d3_hz,
        q_intrinsic=p.q_intrinsic,
        power_coupling=p.power_coupling,
    )


def ring_point_coupled(
    *,
    wavelength_um: ArrayLike = WL0,
    radius_um: float = 999.4,
    width_um: float = 2.8,
    gap_um: float = 2.305,
    thickness_nm: float = 100.0,
    bus_width_um: float = 2.8,
    wrap_angle_deg: float = 0.0,
    resonance_shift_hz: float = 0.0,
) -> SDict:
    """Ring with its bus (all-pass, o1 -> o2): simulated resonances and dispersion, simulated
    bus coupling, the paper's intrinsic Q (:func:`~qkdchip.simulations.circuit_models.
    parameters.ring_parameters`); ``resonance_shift_hz`` shifts every resonance (heater).

    ::

          (ring)
        o1 ==.== o2
    """
    design = RingDesign(
        radius_um=radius_um,
        width_um=width_um,
        gap_um=gap_um,
        thickness_nm=thickness_nm,
        wrap_angle_deg=wrap_angle_deg,
        bus_width_um=bus_width_um,
    )
    return _ring(wavelength_um, design, resonance_shift_hz)


def inp_models() -> dict[str, Model]:
    """Models of the InP cells (and the routing cells) by cell name."""
    return {
        "dbr_laser": dbr_laser,
        "mmi1x2": mmi1x2,
        "mmi2x2": mmi2x2,
        "mzm": mzm,
        "pad_dc": no_optical_ports,
        "pad_gsg": no_optical_ports,
        "phase_modulator": phase_modulator,
        "ssc_angled": ssc_angled,
        "taper_deep_to_shallow": taper_deep_to_shallow,
        "voa": voa,
        "straight_link": straight_link,
        "path_waveguide": path_waveguide,
        "cutback_waveguide": cutback_waveguide,
        "straight": straight,
        "bend_circular": bend_circular,
    }


def si3n4_models() -> dict[str, Model]:
    """Models of the Si3N4 cells (and the routing cells) by cell name."""
    return {
        "bus_edge_coupled": bus_edge_coupled,
        "edge_coupler": edge_coupler,
        "ring_from_fsr": ring_point_coupled,
        "ring_heater": ring_point_coupled,
        "ring_point_coupled": ring_point_coupled,
        "ring_pulley": ring_point_coupled,
        "straight_link": straight_link,
        "cutback_waveguide": cutback_waveguide,
        "straight": straight,
        "bend_circular": bend_circular,
    }
