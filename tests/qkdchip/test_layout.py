"""The four source folders are one ``qkdchip`` package for the interpreter and static tools."""

from __future__ import annotations

import os
from pathlib import Path

import jedi
import pytest

import qkdchip

REPO = Path(qkdchip.__file__).resolve().parents[1]
FOLDERS = {
    "pdk": ("qkdchip.pdk.si3n4.layers", "LAYER"),
    "components": ("qkdchip.components.designs", "RingDesign"),
    "circuits": ("qkdchip.circuits.transmitter", "transmitter_chip"),
    "simulations": ("qkdchip.simulations.qkd.bounds", "plob_bound"),
}


@pytest.mark.parametrize("folder", sorted(FOLDERS))
def test_each_folder_is_a_relative_link_inside_the_package(folder: str) -> None:
    link = REPO / "qkdchip" / folder
    assert link.is_symlink()
    assert os.readlink(link) == f"../{folder}"  # relative: valid in any clone


@pytest.mark.parametrize("folder", sorted(FOLDERS))
def test_go_to_definition_resolves_every_folder(folder: str) -> None:
    module, name = FOLDERS[folder]
    source = f"from {module} import {name}"
    script = jedi.Script(source, path=REPO / "example.py", project=jedi.Project(REPO))
    found = script.goto(1, len(source) - 1, follow_imports=True)
    assert [d.name for d in found] == [name]
    path = Path(found[0].module_path)
    assert path.resolve().is_relative_to(REPO / folder)
