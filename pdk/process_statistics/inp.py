"""Process statistics of the InP generic-integration platform (client transmitter chips).

No InP foundry publishes wafer-level spreads, so the sigmas below are engineering assumptions
set from MPB sensitivities (no public InP spread statistics were found; the reviews of Smit et
al. 2014 and Augustin et al., JSTQE 2018, were read as abstracts only), and the
killer-defect density is the one calibrated number: it is set so that the simulated modulator
yield matches the reference experiment (117 of 120 modulators working, 95 % Clopper-Pearson
interval 92.9 %-99.5 %); see ``qkdchip.simulations.wafer_yield.calibration``.
"""

from __future__ import annotations

from qkdchip.pdk.process_statistics.model import (
    DefectStatistics,
    ProcessParameter,
    ProcessStatistics,
)
from qkdchip.pdk.stacks import INP_RIDGE_WIDTH_UM

_PRIOR = "assumption: InP prior (no published foundry spread)"
_SIEPIC_LC = "correlation length: SiEPIC-Tools virtual-wafer default 4.5 mm (Si photonics)"
_EPI_LC = "epitaxy varies smoothly across the wafer; 25 mm correlation length assumed"

INP_PARAMETERS: tuple[ProcessParameter, ...] = (
    ProcessParameter(
        name="ridge_width_nm",
        unit="nm",
        nominal=INP_RIDGE_WIDTH_UM * 1e3,
        sigma_wafer=15.0,
        sigma_within=20.0,
        correlation_length_mm=4.5,
        sigma_die=5.0,
        sigma_device=10.0,
        source=(
            f"drawn: the platform's ridge (qkdchip.pdk.stacks.INP_RIDGE_WIDTH_UM); {_PRIOR} "
            f"(ridge width sigma 20-50 nm, deep-etch lithography); {_SIEPIC_LC}"
        ),
        assumption=True,
    ),
    ProcessParameter(
        name="q_thickness_nm",
        unit="nm",
        nominal=500.0,
        sigma_wafer=5.0,
        sigma_within=3.0,
        correlation_length_mm=25.0,
        sigma_die=0.0,
        sigma_device=0.5,
        bowl_at_edge=-6.0,
        source=f"{_PRIOR} (Q-layer thickness sigma 1-2 %); {_EPI_LC}; MOVPE edge roll-off",
        assumption=True,
    ),
    ProcessParameter(
        name="q_bandgap_wavelength_nm",
        unit="nm",
        nominal=1250.0,
        sigma_wafer=4.0,
        sigma_within=3.0,
        correlation_length_mm=25.0,
        sigma_die=0.0,
        sigma_device=0.5,
        bowl_at_edge=3.0,
        source=f"assumption: Q(1.25) composition, photoluminescence spread of a few nm; {_EPI_LC}",
        assumption=True,
    ),
    ProcessParameter(
        name="p_doping_rel",
        unit="1",
        nominal=1.0,
        sigma_wafer=0.05,
        sigma_within=0.04,
        correlation_length_mm=25.0,
        sigma_die=0.0,
        sigma_device=0.01,
        source=f"{_PRIOR} (doping +-10-20 %); relative to the design doping; {_EPI_LC}",
        assumption=True,
    ),
    ProcessParameter(
        name="grating_period_nm",
        unit="nm",
        nominal=241.0,
        sigma_wafer=0.02,
        sigma_within=0.02,
        correlation_length_mm=4.5,
        sigma_die=0.0,
        sigma_device=0.005,
        source=f"{_PRIOR} (grating period sigma 0.01-0.05 nm, e-beam or holographic)",
        assumption=True,
    ),
    ProcessParameter(
        name="grating_etch_depth_nm",
        unit="nm",
        nominal=100.0,
        sigma_wafer=5.0,
        sigma_within=3.0,
        correlation_length_mm=10.0,
        sigma_die=1.0,
        sigma_device=1.0,
        source="assumption: shallow grating etch, 5 % wafer-to-wafer, sets the grating kappa",
        assumption=True,
    ),
    ProcessParameter(
        name="deep_etch_depth_nm",
        unit="nm",
        nominal=2000.0,
        sigma_wafer=50.0,
        sigma_within=40.0,
        correlation_length_mm=10.0,
        sigma_die=10.0,
        sigma_device=10.0,
        source=f"{_PRIOR} (deep-etch depth sigma 50-100 nm)",
        assumption=True,
    ),
    ProcessParameter(
        name="active_internal_loss_per_cm",
        unit="1/cm",
        nominal=15.0,
        sigma_wafer=1.0,
        sigma_within=1.0,
        correlation_length_mm=25.0,
        sigma_die=0.0,
        sigma_device=0.5,
        source="assumption: MQW gain-section internal loss 10-20 /cm",
        assumption=True,
    ),
    ProcessParameter(
        name="mmi_split_error",
        unit="1",
        nominal=0.0,
        sigma_wafer=0.0,
        sigma_within=0.0,
        correlation_length_mm=1.0,
        sigma_die=0.0,
        sigma_device=0.012,
        source="assumption: local asymmetry of an MMI's power split (power fraction)",
        assumption=True,
    ),
    ProcessParameter(
        name="arm_loss_mismatch_db",
        unit="dB",
        nominal=0.0,
        sigma_wafer=0.0,
        sigma_within=0.0,
        correlation_length_mm=1.0,
        sigma_die=0.0,
        sigma_device=0.15,
        source="assumption: local loss mismatch between the two arms of a Mach-Zehnder",
        assumption=True,
    ),
)

INP_DEFECTS = DefectStatistics(
    density_per_cm2=9.7,
    cluster_alpha=2.0,
    source=(
        "calibrated: killer-defect density (electrode shorts, junction breakdown, bad contacts "
        "as well as particles) solved so the simulated modulator yield equals 117/120 = 97.5 % "
        "with every sigma at its prior: calibrate_defect_density(n_wafers=1024, sampler='sobol') "
        "gives 9.66, 9.72, 9.74 /cm^2 for seeds 0, 1, 2 (parametric modulator yield 99.77 %) "
        "(qkdchip.simulations.wafer_yield.calibration); alpha = 2 from the typical 0.5-2 of "
        "mature processes (assumed)"
    ),
    assumption=True,
)

INP_PROCESS_STATISTICS = ProcessStatistics(
    platform="inp",
    parameters=INP_PARAMETERS,
    defects=INP_DEFECTS,
    notes=(
        "InP generic integration, 3-inch wafers. No public foundry spreads exist; every sigma is "
        "an assumption and the defect density is calibrated to the reference modulator yield."
    ),
)
