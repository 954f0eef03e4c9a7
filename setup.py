"""The ``qkdchip`` package: its sub-packages ``pdk``, ``components``, ``circuits`` and
``simulations`` live in top-level folders, reached through relative symbolic links in
``qkdchip/`` (``qkdchip/pdk -> ../pdk``), so the interpreter, static tools and a run from the
repository root all see one ordinary package."""

from setuptools import find_packages, setup

setup(packages=find_packages(include=["qkdchip", "qkdchip.*"]))  # data: pyproject.toml
