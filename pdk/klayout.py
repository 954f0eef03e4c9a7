"""KLayout technology of each platform: layer properties (.lyp), technology (.lyt) and DRC deck.

Everything here is generated from the platform's layer views and rule table; the package ships
the generated files under ``qkdchip/pdk/<platform>/klayout/`` (a KLayout technology folder:
``<name>.lyt``, ``<name>.lyp`` and ``drc/<deck>.drc``), and a test checks that they equal what
:func:`technology` generates now. To regenerate them after a rule or layer change::

    python -c "from qkdchip.pdk.klayout import write_shipped; write_shipped()"

The DRC deck (:func:`drc_deck`) is the Ruby DRC script of the same checks that
:func:`qkdchip.pdk.drc.run_drc` runs in Python (:func:`qkdchip.pdk.drc.rule_checks` lists them
for both). It needs the KLayout application, whose DRC engine is written in Ruby; the pip
package ``klayout`` has no Ruby interpreter and cannot run ``.drc`` scripts, which is why the
Python DRC exists. Batch use::

    klayout -b -r qkdchip_inp.drc -rd input=chip.gds -rd report=chip.lyrdb [-rd cell=TOP]

In the KLayout GUI, with the technology installed (copy or link the folder into
``~/.klayout/tech/``), the deck's menu annotations put it under Tools > DRC, where it checks
the current layout.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import klayout.rdb as rdb
from gdsfactory.technology import LayerViews

from qkdchip.atomic import atomic_write_text
from qkdchip.pdk.drc import (
    BEND_RADIUS_TOLERANCE,
    BEND_WINDOW_FRACTION,
    CORNER_TURN_DEG,
    IGNORE_ANGLE_DEG,
    SMOOTH_DBU,
    SNAP_TOLERANCE_DBU,
    WAVEGUIDE_PARALLEL_DEG,
    RuleCheck,
    rule_checks,
)
from qkdchip.pdk.rules import DesignRules
from qkdchip.validation import check_choice

PLATFORMS: tuple[str, ...] = ("inp", "si3n4")
"""Platforms with a KLayout technology."""
PDK_FOLDER = Path(__file__).parent
"""``qkdchip/pdk``; platform ``p`` ships its technology in ``PDK_FOLDER / p / "klayout"``."""
DBU_UM = 0.001
"""Database unit of every qkdchip layout in µm."""
KLAYOUT_TIMEOUT_S = 600.0
"""Longest a batch KLayout DRC run may take."""

_BEND_RADIUS_RUBY = """\
# Edges bending tighter than min_radius (µm): at every vertex of each chain between corners, the
# circumradius of the points h before, at and h after it along the edge (same method and
# numbers as qkdchip.pdk.drc.bend_radius_markers).
def qkdchip_chains(pts, corner)
  n = pts.size
  heading = (0...n).map do |k|
    q = pts[(k + 1) % n]
    Math.atan2(q[1] - pts[k][1], q[0] - pts[k][0])
  end
  corners = (0...n).select do |k|
    ((heading[k] - heading[k - 1] + Math::PI) % (2 * Math::PI) - Math::PI).abs > corner
  end
  return [[pts + [pts[0]], true]] if corners.empty?
  corners.each_with_index.map do |a, i|
    b = i + 1 < corners.size ? corners[i + 1] : corners[0] + n
    [(a..b).map { |k| pts[k % n] }, false]
  end
end

def qkdchip_chain_boxes(chain, closed, h, limit)
  s = [0.0]
  len = []
  (0...chain.size - 1).each do |k|
    len << Math.hypot(chain[k + 1][0] - chain[k][0], chain[k + 1][1] - chain[k][1])
    s << s[-1] + len[-1]
  end
  total = s[-1]
  span = [h, total / 2].min
  centres = closed ? s[0...-1] : s[1...-1].map { |t| [[t, span].max, total - span].min }
  at = lambda do |t|
    t = t % total if closed
    k = (s.bsearch_index { |v| v > t } || s.size) - 1
    k = [[k, 0].max, len.size - 1].min
    f = (t - s[k]) / len[k]
    [chain[k][0] + (chain[k + 1][0] - chain[k][0]) * f,
     chain[k][1] + (chain[k + 1][1] - chain[k][1]) * f]
  end
  boxes = []
  centres.each do |t|
    a = at.call(t - span)
    b = at.call(t)
    c = at.call(t + span)
    ab = Math.hypot(b[0] - a[0], b[1] - a[1])
    bc = Math.hypot(c[0] - b[0], c[1] - b[1])
    ca = Math.hypot(a[0] - c[0], a[1] - c[1])
    cross = ((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])).abs
    next if cross == 0 || ab * bc * ca / (2 * cross) >= limit
    xs = [a[0], b[0], c[0]]
    ys = [a[1], b[1], c[1]]
    boxes << RBA::Box.new(xs.min.floor, ys.min.floor, xs.max.ceil, ys.max.ceil)
  end
  boxes
end

def qkdchip_bend_radius(layer, min_radius)
  h = BEND_WINDOW_FRACTION * min_radius / dbu
  limit = (1 - BEND_RADIUS_TOLERANCE) * min_radius / dbu
  corner = CORNER_TURN_DEG * Math::PI / 180
  markers = RBA::Region.new
  layer.data.merged.smoothed(SMOOTH_DBU).each do |polygon|
    contours = [[]]
    polygon.each_point_hull { |p| contours[0] << [p.x.to_f, p.y.to_f] }
    (0...polygon.holes).each do |k|
      contours << []
      polygon.each_point_hole(k) { |p| contours[-1] << [p.x.to_f, p.y.to_f] }
    end
    contours.each do |pts|
      qkdchip_chains(pts, corner).each do |chain, closed|
        next if chain.size < 3
        qkdchip_chain_boxes(chain, closed, h, limit).each { |box| markers.insert(box) }
      end
    end
  end
  DRC::DRCLayer.new(self, markers.merged)
end
"""


def lyp_text(views: LayerViews) -> str:
    """The KLayout layer-properties file (.lyp) of ``views``."""
    with tempfile.TemporaryDirectory() as folder:
        return views.to_lyp(Path(folder) / "layers.lyp").read_text("utf-8")


def lyt_text(*, name: str, description: str, lyp_file: str) -> str:
    """A KLayout technology file (.lyt): name, database unit and layer-properties file.

    Args:
        name: technology name as KLayout lists it.
        description: one line shown next to the name.
        lyp_file: the layer-properties file, relative to the .lyt file's folder.
    """
    root = ET.Element("technology")
    for tag, text in (
        ("name", name),
        ("description", description),
        ("group", ""),
        ("dbu", f"{DBU_UM:g}"),
        ("base-path", ""),
        ("original-base-path", ""),
        ("layer-properties_file", lyp_file),
        ("add-other-layers", "true"),
    ):
        ET.SubElement(root, tag).text = text or None
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body + "\n"


def _ruby_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("#", "\\#") + '"'


def _variable(layer: str) -> str:
    return "l_" + layer.lower()


def _check_ruby(check: RuleCheck) -> str:
    """The deck statement that reports ``check``'s violations under its rule name."""
    layer = _variable(check.layer)
    union = " | ".join(_variable(name) for name in check.others)
    union = f"({union})" if len(check.others) > 1 else union
    below = f"{check.limit!r}.um - {SNAP_TOLERANCE_DBU} * dbu"
    options = f"projection, angle_limit({IGNORE_ANGLE_DEG!r})"
    sharp = 180.0 - check.limit
    expression = {
        "width": f"{layer}.width({below}, {options})",
        "waveguide_width": (
            f"{layer}.width({below}, projection, angle_limit({WAVEGUIDE_PARALLEL_DEG!r}))"
        ),
        "space": f"{layer}.space({below}, {options})",
        "bend_radius": f"qkdchip_bend_radius({layer}, {check.limit!r})",
        "off_grid": f"{layer}.ongrid({check.limit!r})",
        "acute_angle": (
            f"({layer}.corners(as_boxes, -180.0 .. {-sharp!r}) + "
            f"{layer}.corners(as_boxes, {sharp!r} .. 180.0))"
        ),
        "enclosure": f"{union}.enclosing({layer}, {below}, {options})",
        "not_inside": f"({layer} - {union})",
        "separation": f"{layer}.separation({union}, {below}, {options})",
        "overlap": f"({layer} & {union})",
    }[check.kind]
    return f"{expression}.output({_ruby_string(check.rule)}, {_ruby_string(check.description)})"


def drc_deck(rules: DesignRules, *, name: str) -> str:
    """The KLayout DRC script (Ruby DSL) of ``rules``: the checks of :func:`run_drc`.

    Args:
        rules: the platform's design rules.
        name: deck name, used in its header and report title.

    Returns:
        The script text. Run it with ``klayout -b -r <deck> -rd input=<gds> -rd report=<lyrdb>``
        (optionally ``-rd cell=<top cell>``), or from the KLayout GUI on the current layout.
    """
    constants = (
        ("BEND_WINDOW_FRACTION", BEND_WINDOW_FRACTION),
        ("BEND_RADIUS_TOLERANCE", BEND_RADIUS_TOLERANCE),
        ("CORNER_TURN_DEG", CORNER_TURN_DEG),
        ("SMOOTH_DBU", SMOOTH_DBU),
    )
    head = [
        f"# $description: {name} ({rules.platform} design rules)",
        "# $show-in-menu",
        "# $group-name: drc_scripts",
        "# $menu-path: tools_menu.drc.end",
        f"# {name}: KLayout DRC deck of the qkdchip {rules.platform} platform.",
        "# Generated by qkdchip.pdk.klayout.drc_deck from the rule table that",
        "# qkdchip.pdk.drc.run_drc checks; regenerate it rather than editing it.",
        "#",
        f"# Batch: klayout -b -r {name}.drc -rd input=chip.gds -rd report=chip.lyrdb"
        " [-rd cell=TOP]",
        "# GUI: Tools > DRC checks the current layout; markers open in the marker browser.",
        "",
        *(f"{key} = {value!r}" for key, value in constants),
        "",
        _BEND_RADIUS_RUBY,
        "source($input, $cell) if $input",
        f"report({_ruby_string(f'{name} ({rules.platform} design rules)')}, $report)",
        "verbose(false)",
        "",
        *(f"{_variable(layer)} = input({gds[0]}, {gds[1]})" for layer, gds in rules.gds_layers),
        "",
    ]
    body: list[str] = []
    source = ""
    for check in rule_checks(rules):
        if check.source != source:
            source = check.source
            body.append(f"# source: {source}")
        body.append(_check_ruby(check))
    return "\n".join(head + body) + "\n"


@dataclass(frozen=True)
class Technology:
    """The KLayout technology of one platform.

    Attributes:
        platform: ``inp`` or ``si3n4``.
        name: technology name (also the stem of its .lyt and .lyp files).
        description: one line KLayout shows next to the name.
        views: the platform's layer views.
        decks: (deck file stem, rules) for each rule set of the platform.
    """

    platform: str
    name: str
    description: str
    views: LayerViews
    decks: tuple[tuple[str, DesignRules], ...]

    def files(self) -> dict[str, str]:
        """Relative path -> text of every file of the technology folder."""
        lyp = f"{self.name}.lyp"
        out = {
            f"{self.name}.lyt": lyt_text(
                name=self.name, description=self.description, lyp_file=lyp
            ),
            lyp: lyp_text(self.views),
        }
        for stem, rules in self.decks:
            out[f"drc/{stem}.drc"] = drc_deck(rules, name=stem)
        return out

    @property
    def shipped_folder(self) -> Path:
        """Where the package ships the technology folder."""
        return PDK_FOLDER / self.platform / "klayout"

    def write(self, folder: str | Path) -> list[Path]:
        """Write the technology folder's files under ``folder`` (atomically); returns them."""
        root = Path(folder)
        return [atomic_write_text(root / rel, text) for rel, text in self.files().items()]


def technology(platform: str) -> Technology:
    """The KLayout technology of ``platform`` (``inp`` or ``si3n4``)."""
    check_choice("platform", platform, PLATFORMS)
    if platform == "inp":
        from qkdchip.pdk import inp

        return Technology(
            platform="inp",
            name="qkdchip_inp",
            description="qkdchip InP generic-integration QKD transmitter platform",
            views=inp.LAYER_VIEWS,
            decks=(("qkdchip_inp", inp.design_rules()),),
        )
    from qkdchip.pdk import si3n4
    from qkdchip.pdk.si3n4.design_rules import RULE_SET_FILMS_NM

    return Technology(
        platform="si3n4",
        name="qkdchip_si3n4",
        description="qkdchip Si3N4 microcomb platform",
        views=si3n4.LAYER_VIEWS,
        decks=tuple(
            (f"qkdchip_si3n4_{film}", si3n4.design_rules(thickness_nm))
            for film, thickness_nm in RULE_SET_FILMS_NM
        ),
    )


def write_shipped() -> list[Path]:
    """Regenerate the technology folders the package ships (after a rule or layer change)."""
    written: list[Path] = []
    for platform in PLATFORMS:
        tech = technology(platform)
        written += tech.write(tech.shipped_folder)
    return written


def mask_files(platform: str, rules: DesignRules) -> dict[str, str]:
    """File name -> text of the KLayout files written next to a platform's masks.

    ``<platform>.lyp`` (layer properties), ``<platform>.lyt`` (technology, using that .lyp)
    and ``<platform>.drc`` (the DRC deck of the rules the masks were checked with).
    """
    lyp = f"{platform}.lyp"
    tech = technology(platform)
    return {
        lyp: lyp_text(tech.views),
        f"{platform}.lyt": lyt_text(name=tech.name, description=tech.description, lyp_file=lyp),
        f"{platform}.drc": drc_deck(rules, name=platform),
    }


@dataclass(frozen=True)
class DeckMarker:
    """One violation in a KLayout DRC report: its rule and the centre of its marker in µm."""

    rule: str
    x_um: float
    y_um: float


def read_report(path: str | Path) -> tuple[DeckMarker, ...]:
    """The markers of a KLayout report database (.lyrdb), in file order."""
    db = rdb.ReportDatabase("")
    db.load(str(path))
    markers = []
    for item in db.each_item():
        rule = db.category_by_id(item.category_id()).name()
        for value in item.each_value():
            shape = (
                value.edge_pair()
                if value.is_edge_pair()
                else value.polygon()
                if value.is_polygon()
                else value.box()
            )
            centre = shape.bbox().center()
            markers.append(DeckMarker(rule=rule, x_um=round(centre.x, 4), y_um=round(centre.y, 4)))
    return tuple(markers)


def run_deck(
    deck: str | Path,
    gds: str | Path,
    report: str | Path,
    *,
    cell: str | None = None,
    executable: str = "klayout",
) -> tuple[DeckMarker, ...]:
    """Run a DRC deck on a GDS file with the KLayout application in batch mode.

    Args:
        deck: the ``.drc`` script.
        gds: the layout to check.
        report: the report database to write (``.lyrdb``).
        cell: top cell to check (default: the file's only top cell).
        executable: the KLayout application (name on ``PATH`` or path).

    Returns:
        The report's markers.
    """
    program = shutil.which(executable)
    if program is None:
        raise FileNotFoundError(
            f"executable={executable!r}: the KLayout application is not installed (Debian: "
            "apt-get install klayout); the pip package 'klayout' cannot run DRC decks, use "
            "qkdchip.pdk.drc.run_drc instead"
        )
    command = [program, "-b", "-r", str(deck), "-rd", f"input={gds}", "-rd", f"report={report}"]
    if cell is not None:
        command += ["-rd", f"cell={cell}"]
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=KLAYOUT_TIMEOUT_S, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(f"KLayout DRC of {gds} failed ({done.returncode}): {done.stderr}")
    return read_report(report)
