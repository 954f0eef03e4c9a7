"""Layout-rule checks of cell parameters against the PDK's rule table (the error names the rule).

Range and choice checks of any parameter: :mod:`qkdchip.validation`.
"""

from __future__ import annotations

import math

from qkdchip.pdk.rules import DesignRules, check_min


def check_even_nm(name: str, value_um: float) -> None:
    """Port widths must be an even number of 1 nm database units (gdsfactory requirement)."""
    nm = value_um * 1e3
    if not math.isfinite(nm) or abs(nm - round(nm)) > 1e-6 or round(nm) % 2:
        raise ValueError(f"{name}={value_um!r} µm must be an even number of nanometres")


def check_width(rules: DesignRules, layer: str, name: str, value_um: float) -> None:
    """``value_um`` must meet the minimum width of ``layer``."""
    check_min(name, value_um, rules.layer(layer).min_width_um, f"{layer} width")


def check_waveguide_width(rules: DesignRules, layer: str, name: str, value_um: float) -> None:
    """``value_um``, the width of a waveguide section (parallel edges), must meet the minimum
    waveguide width of ``layer`` (its minimum width where it sets none; taper tips only need
    :func:`check_width`)."""
    rule = rules.layer(layer)
    minimum = rule.min_waveguide_width_um
    if minimum is None:
        check_width(rules, layer, name, value_um)
        return
    check_min(name, value_um, minimum, f"{layer} waveguide width")


def check_space(rules: DesignRules, layer: str, name: str, value_um: float) -> None:
    """``value_um`` must meet the minimum space of ``layer``."""
    check_min(name, value_um, rules.layer(layer).min_space_um, f"{layer} space")


def check_bend_radius(rules: DesignRules, layer: str, name: str, value_um: float) -> None:
    """``value_um`` must meet the minimum bend radius of ``layer``."""
    minimum = rules.layer(layer).min_bend_radius_um
    if minimum is None:
        raise ValueError(f"layer {layer} has no bend-radius rule")
    check_min(name, value_um, minimum, f"{layer} bend radius")


def check_min_value(name: str, value: float, minimum: float) -> None:
    """``value`` must be finite and at least ``minimum``."""
    if not (math.isfinite(value) and value >= minimum - 5e-4):
        raise ValueError(f"{name}={value!r} is below the allowed minimum {minimum}")
