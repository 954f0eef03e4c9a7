"""Wafer-yield Monte Carlo of the InP transmitter and Si3N4 comb chips (no meep import)."""
