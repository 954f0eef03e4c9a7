"""Process statistics of both platforms: nominal, spreads and spatial correlation per parameter.

Pure data and validation; imports neither gdsfactory nor meep. See :mod:`.model` for the
hierarchical variation model and the covariance convention.
"""

from __future__ import annotations

from qkdchip.pdk.process_statistics.inp import INP_PROCESS_STATISTICS
from qkdchip.pdk.process_statistics.model import (
    COVARIANCE_KINDS,
    CovarianceKind,
    DefectStatistics,
    ProcessParameter,
    ProcessStatistics,
)
from qkdchip.pdk.process_statistics.si3n4 import SI3N4_PROCESS_STATISTICS

__all__ = [
    "COVARIANCE_KINDS",
    "INP_PROCESS_STATISTICS",
    "SI3N4_PROCESS_STATISTICS",
    "CovarianceKind",
    "DefectStatistics",
    "ProcessParameter",
    "ProcessStatistics",
]
