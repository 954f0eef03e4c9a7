"""Scenario files (TOML) describing whole network studies, and their validating loader."""

from qkdchip.scenarios.loader import list_scenarios, load_scenario, scenario_from_dict
from qkdchip.scenarios.schema import Scenario

__all__ = ["Scenario", "list_scenarios", "load_scenario", "scenario_from_dict"]
