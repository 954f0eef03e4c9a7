"""Waveguide mode solvers (MPB, run in a subprocess)."""
