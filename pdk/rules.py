"""Design-rule data objects shared by both platforms.

A platform's rules are one frozen :class:`DesignRules` object; cells validate their parameters
against it and :func:`qkdchip.pdk.drc.run_drc` checks drawn geometry against it. Every number
carries a ``source`` string (a publication, a foundry kit, or "assumption: ...").
"""

from __future__ import annotations

from dataclasses import dataclass

from qkdchip.records import Record


@dataclass(frozen=True)
class LayerRule:
    """Width, space and bend-radius rules of one drawn layer.

    Attributes:
        layer: layer name in the platform's layer map (e.g. ``"WG"``).
        gds: GDS (layer, datatype) pair of that layer.
        min_width_um: minimum drawn width of any feature (taper tips included) in µm.
        min_space_um: minimum spacing between shapes on this layer in µm.
        min_bend_radius_um: minimum waveguide bend radius in µm (``None`` for non-optical layers).
        source: where the numbers come from, or ``"assumption: ..."``.
        min_waveguide_width_um: minimum width in µm of a waveguide section, where the two edges
            run parallel (``None``: ``min_width_um`` applies to waveguides too). Tapers may be
            narrower down to ``min_width_um``.
    """

    layer: str
    gds: tuple[int, int]
    min_width_um: float
    min_space_um: float
    min_bend_radius_um: float | None
    source: str
    min_waveguide_width_um: float | None = None

    def __post_init__(self) -> None:
        for name in ("min_width_um", "min_space_um"):
            value = getattr(self, name)
            if not value > 0:
                raise ValueError(f"{name}={value!r} for layer {self.layer} must be > 0 µm")
        if self.min_bend_radius_um is not None and not self.min_bend_radius_um > 0:
            raise ValueError(
                f"min_bend_radius_um={self.min_bend_radius_um!r} for layer {self.layer} "
                "must be > 0 µm or None"
            )
        waveguide = self.min_waveguide_width_um
        if waveguide is not None and not waveguide > self.min_width_um:
            raise ValueError(
                f"min_waveguide_width_um={waveguide!r} for layer {self.layer} must be > "
                f"min_width_um={self.min_width_um} µm or None"
            )


@dataclass(frozen=True)
class EnclosureRule:
    """``outer`` must enclose ``inner`` by at least ``min_enclosure_um`` and cover it fully.

    Attributes:
        inner: enclosed layer name (e.g. ``"PAD"``, the passivation opening).
        outer: enclosing layer name (e.g. ``"ROUTING"``), or several names whose union encloses
            (e.g. ``("METAL_P", "METAL_N")``: a pad opening lies in p- or in n-metal).
        min_enclosure_um: minimum margin of ``outer`` around ``inner`` in µm.
        source: where the number comes from, or ``"assumption: ..."``.
    """

    inner: str
    outer: str | tuple[str, ...]
    min_enclosure_um: float
    source: str

    def __post_init__(self) -> None:
        if not self.min_enclosure_um > 0:
            raise ValueError(
                f"min_enclosure_um={self.min_enclosure_um!r} for {self.inner} in {self.outer} "
                "must be > 0 µm"
            )
        if not self.outer_layers:
            raise ValueError(f"outer={self.outer!r} for {self.inner} names no layer")

    @property
    def outer_layers(self) -> tuple[str, ...]:
        """The enclosing layer names."""
        return (self.outer,) if isinstance(self.outer, str) else tuple(self.outer)

    @property
    def outer_name(self) -> str:
        """The enclosing layers as used in rule names (``"METAL_P+METAL_N"``)."""
        return "+".join(self.outer_layers)


@dataclass(frozen=True)
class SeparationRule:
    """Shapes on two different layers must keep ``min_space_um`` apart and never overlap.

    Attributes:
        layer_a, layer_b: the two layer names (e.g. p- and n-contact metal: touching is a short).
        min_space_um: minimum distance between a shape of ``layer_a`` and one of ``layer_b``.
        source: where the number comes from, or ``"assumption: ..."``.
    """

    layer_a: str
    layer_b: str
    min_space_um: float
    source: str

    def __post_init__(self) -> None:
        if self.layer_a == self.layer_b:
            raise ValueError(f"layer_a={self.layer_a!r} must differ from layer_b (use min_space)")
        if not self.min_space_um > 0:
            raise ValueError(
                f"min_space_um={self.min_space_um!r} between {self.layer_a} and {self.layer_b} "
                "must be > 0 µm"
            )


@dataclass(frozen=True)
class ShapeRule:
    """Rules every polygon on every rule layer obeys, whatever its width.

    Attributes:
        grid_um: manufacturing grid in µm; every vertex lies on it.
        min_angle_deg: smallest angle in degrees at which two edges of a polygon may meet, at a
            convex corner (a spike) or a concave one (a notch); in (0, 90].
        source: where the numbers come from, or ``"assumption: ..."``.
    """

    grid_um: float
    min_angle_deg: float
    source: str

    def __post_init__(self) -> None:
        if not self.grid_um > 0:
            raise ValueError(f"grid_um={self.grid_um!r} must be > 0 µm")
        if not 0 < self.min_angle_deg <= 90:
            raise ValueError(f"min_angle_deg={self.min_angle_deg!r} is outside (0, 90] degrees")


DEFAULT_SHAPE_RULE = ShapeRule(
    grid_um=0.001,
    min_angle_deg=80.0,
    source="assumption: 1 nm mask grid (the layouts' database unit); i-line, DUV and e-beam "
    "lithography round corners sharper than 80° into unresolved slivers",
)
"""The grid and corner rule of both platforms."""


@dataclass(frozen=True)
class DesignRules(Record):
    """All design rules of one platform.

    Attributes:
        platform: platform name (``"si3n4"`` or ``"inp"``).
        layers: per-layer width/space/bend rules.
        enclosures: enclosure rules between layer pairs.
        gds_layers: GDS pair of every layer name the rules mention.
        separations: minimum spaces between shapes of two different layers.
        shapes: grid and corner-angle rules of every rule layer.
    """

    platform: str
    layers: tuple[LayerRule, ...]
    enclosures: tuple[EnclosureRule, ...]
    gds_layers: tuple[tuple[str, tuple[int, int]], ...]
    separations: tuple[SeparationRule, ...] = ()
    shapes: ShapeRule = DEFAULT_SHAPE_RULE

    def __post_init__(self) -> None:
        known = dict(self.gds_layers)
        for rule in self.layers:
            if rule.layer not in known:
                raise ValueError(f"layer rule for {rule.layer!r} names a layer not in gds_layers")
        for enc in self.enclosures:
            for name in (enc.inner, *enc.outer_layers):
                if name not in known:
                    raise ValueError(f"enclosure rule names layer {name!r} not in gds_layers")
        for sep in self.separations:
            for name in (sep.layer_a, sep.layer_b):
                if name not in known:
                    raise ValueError(f"separation rule names layer {name!r} not in gds_layers")

    def layer(self, name: str) -> LayerRule:
        """The rule of layer ``name``; ``ValueError`` if the platform has none."""
        for rule in self.layers:
            if rule.layer == name:
                return rule
        raise ValueError(
            f"layer={name!r} has no rule in platform {self.platform}; "
            f"allowed: {[r.layer for r in self.layers]}"
        )

    def separation(self, layer_a: str, layer_b: str) -> SeparationRule:
        """The separation rule between two layers (either order); ``ValueError`` if none."""
        for rule in self.separations:
            if {rule.layer_a, rule.layer_b} == {layer_a, layer_b}:
                return rule
        raise ValueError(
            f"no separation rule between layer_a={layer_a!r} and layer_b={layer_b!r} in "
            f"platform {self.platform}"
        )

    def gds(self, name: str) -> tuple[int, int]:
        """GDS (layer, datatype) pair of layer ``name``."""
        mapping = dict(self.gds_layers)
        if name not in mapping:
            raise ValueError(f"layer={name!r} is not a layer of platform {self.platform}")
        return mapping[name]


def check_min(name: str, value: float, minimum: float, rule: str) -> None:
    """Raise ``ValueError`` unless ``value >= minimum`` (with a 0.5 nm tolerance).

    Args:
        name: parameter name for the message.
        value: value in µm.
        minimum: smallest allowed value in µm.
        rule: which design rule sets the minimum (for the message).
    """
    if not value >= minimum - 5e-4:
        raise ValueError(f"{name}={value!r} µm is below the {rule} minimum of {minimum} µm")
