"""Process statistics of the Si3N4 microcomb platform (server comb chip).

The width and thickness spreads are the Bayesian estimates from ring spectra in Opt. Express
31(14) 23651 (2023): "standard deviation of 28 nm, 0.8 nm, and 3.8 nm for the width, thickness,
and partial etch depth". That paper gives total spreads; the split into wafer-to-wafer,
within-wafer, die and device parts and the correlation lengths are assumptions (the within-wafer
length is the SiEPIC-Tools default of 4.5 mm). The nominal film thickness is the 100 nm film of
the reference comb chip.
"""

from __future__ import annotations

from qkdchip.pdk.process_statistics.model import (
    DefectStatistics,
    ProcessParameter,
    ProcessStatistics,
)

_OE = "Opt. Express 31(14) 23651 (2023) total sigma"
_SPLIT = "split across levels and correlation length assumed (SiEPIC-Tools default 4.5 mm)"

SI3N4_PARAMETERS: tuple[ProcessParameter, ...] = (
    ProcessParameter(
        name="width_nm",
        unit="nm",
        nominal=2800.0,
        sigma_wafer=14.0,
        sigma_within=20.0,
        correlation_length_mm=4.5,
        sigma_die=5.0,
        sigma_device=12.0,
        source=f"{_OE} 28 nm; {_SPLIT}",
        assumption=False,
    ),
    ProcessParameter(
        name="film_thickness_nm",
        unit="nm",
        nominal=100.0,
        sigma_wafer=0.5,
        sigma_within=0.55,
        correlation_length_mm=20.0,
        sigma_die=0.0,
        sigma_device=0.2,
        bowl_at_edge=-0.5,
        source=f"{_OE} 0.8 nm; LPCVD films vary smoothly, 20 mm correlation assumed",
        assumption=False,
    ),
    ProcessParameter(
        name="core_index_delta",
        unit="1",
        nominal=0.0,
        sigma_wafer=5e-4,
        sigma_within=2e-4,
        correlation_length_mm=20.0,
        sigma_die=0.0,
        sigma_device=0.0,
        source="assumption: LPCVD Si3N4 refractive index run-to-run spread ~5e-4",
        assumption=True,
    ),
    ProcessParameter(
        name="ring_coupling_gap_nm",
        unit="nm",
        nominal=0.0,
        sigma_wafer=5.0,
        sigma_within=8.0,
        correlation_length_mm=4.5,
        sigma_die=0.0,
        sigma_device=5.0,
        source="assumption: gap error (deviation from drawn gap), DUV lithography",
        assumption=True,
    ),
    ProcessParameter(
        name="heater_efficiency_rel",
        unit="1",
        nominal=1.0,
        sigma_wafer=0.04,
        sigma_within=0.03,
        correlation_length_mm=20.0,
        sigma_die=0.0,
        sigma_device=0.02,
        source="assumption: heater metal thickness and resistance spread, relative to design",
        assumption=True,
    ),
)

SI3N4_DEFECTS = DefectStatistics(
    density_per_cm2=0.5,
    cluster_alpha=1.0,
    source="assumption: killer defects (cracks, particles) in thick-oxide-clad Si3N4 rings",
    assumption=True,
)

SI3N4_PROCESS_STATISTICS = ProcessStatistics(
    platform="si3n4",
    parameters=SI3N4_PARAMETERS,
    defects=SI3N4_DEFECTS,
    notes="Si3N4 100 nm film (reference dark-pulse comb chip), 3-inch wafer model.",
)
