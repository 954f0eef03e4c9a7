"""Wafer-yield Monte Carlo of the InP transmitter and Si3N4 comb chips (no meep import).

Entry points: :func:`run_wafer_yield` (full wafers, yields with confidence intervals, failure
causes, sensitivity indices, the 20-chip reference experiment), :func:`draw_client_chips`
(per-chip metrics for the network model), :func:`calibrate_defect_density` and
:func:`write_outputs` (wafer maps, yield tables).
"""

from qkdchip.simulations.wafer_yield.calibration import DefectCalibration, calibrate_defect_density
from qkdchip.simulations.wafer_yield.clients import ClientChipMetrics, draw_client_chips
from qkdchip.simulations.wafer_yield.engine import (
    ReferenceExperiment,
    WaferYieldResult,
    YieldModel,
    run_wafer_yield,
)
from qkdchip.simulations.wafer_yield.geometry import ProductDies, product_dies
from qkdchip.simulations.wafer_yield.report import write_outputs
from qkdchip.simulations.wafer_yield.sensitivity_table import (
    SensitivityTable,
    load_sensitivity_table,
)
from qkdchip.simulations.wafer_yield.specs import ChipSpec, DeviceSpec, MetricSpec, load_chip_spec
from qkdchip.simulations.wafer_yield.statistics import (
    YieldEstimate,
    clopper_pearson_interval,
    wilson_interval,
)

__all__ = [
    "ChipSpec",
    "ClientChipMetrics",
    "DefectCalibration",
    "DeviceSpec",
    "MetricSpec",
    "ProductDies",
    "ReferenceExperiment",
    "SensitivityTable",
    "WaferYieldResult",
    "YieldEstimate",
    "YieldModel",
    "calibrate_defect_density",
    "clopper_pearson_interval",
    "draw_client_chips",
    "load_chip_spec",
    "load_sensitivity_table",
    "product_dies",
    "run_wafer_yield",
    "wilson_interval",
    "write_outputs",
]
