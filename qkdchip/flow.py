"""The main flow behind ``qkdchip run``: every stage from masks to network key rates."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Stage:
    """One step of the main flow; ``action`` is None while the stage is not built yet."""

    name: str
    description: str
    action: Callable[[], str] | None


STAGES: tuple[Stage, ...] = (
    Stage("masks", "write chip and wafer GDS masks to gds_out/", None),
    Stage("devices", "load or run the MPB/meep device simulations", None),
    Stage("comb", "solve the Lugiato-Lefever equation for the server comb", None),
    Stage("yield", "wafer-yield Monte Carlo of the transmitter and comb chips", None),
    Stage("network", "SNS TF-QKD key rates of the client network", None),
)
