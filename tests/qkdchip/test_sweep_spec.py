"""Sweep specifications: parameter paths, axes, point designs, output names (no flow runs)."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from qkdchip.sweep.outputs import OutputRequest, extra_distances, needed_stages, parse_outputs
from qkdchip.sweep.scenario import BaseScenario
from qkdchip.sweep.spec import Axis, SweepSpec, grid_values


@pytest.fixture(scope="module")
def base() -> BaseScenario:
    return BaseScenario.load("weiming")


def spec(*axes: Axis, **more: object) -> SweepSpec:
    return SweepSpec("weiming", axes=axes, outputs=("fsr_ghz",), **more)  # type: ignore[arg-type]


def test_parameter_kinds_follow_the_scenario_schema(base: BaseScenario) -> None:
    assert base.kind("design.ring.gap_um") is float
    assert base.kind("transmitter.laser.alpha_factor") is float
    assert base.kind("network.channels") is int
    assert base.kind("yield.wafers") is int
    assert base.kind("protocol.name") is str
    assert base.kind("network.classical_power_dbm") is float  # optional, None by default
    assert base.kind("seed") is int


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("fibre.los_db_per_km", ["unknown key 'los_db_per_km' in fibre", "loss_db_per_km"]),
        ("design.rings.gap_um", ["unknown key 'rings'", "ring"]),
        ("design.ring", ["is a table", "gap_um"]),
        ("network.pair_distances_km", ["tuple[float,...]"]),
        ("name", ["unknown key 'name'"]),
        ("fibre.loss_db_per_km.x", ["is a value, not a table"]),
    ],
)
def test_a_bad_parameter_path_names_it_and_what_is_allowed(
    base: BaseScenario, path: str, words: list[str]
) -> None:
    with pytest.raises(ValueError, match=r"parameter '") as err:
        base.kind(path)
    assert path in str(err.value)
    for word in words:
        assert word in str(err.value)


def test_axis_text_gives_grids_ranges_and_lists(base: BaseScenario) -> None:
    grid = Axis.parse("fibre.loss_db_per_km=0.16:0.2:5", base)
    assert grid.values == (0.16, 0.17, 0.18, 0.19, 0.2)  # rounded: no 0.16999999999999998
    assert Axis.parse("design.ring.gap_um = 0.8:1.2", base) == Axis(
        "design.ring.gap_um", low=0.8, high=1.2
    )
    assert Axis.parse("network.channels=1:5:5", base).values == (1, 2, 3, 4, 5)
    words = Axis.parse("protocol.name=sns,sns-aopp", base)
    assert words.values == ("sns", "sns-aopp")
    assert Axis.parse("seed=7", base).values == (7,)
    with pytest.raises(ValueError, match=r"--param fibre\.loss_db_per_km N='2\.5'"):
        Axis.parse("fibre.loss_db_per_km=0.1:0.2:2.5", base)
    with pytest.raises(ValueError, match=r"network\.channels=.*must be an integer"):
        Axis.parse("network.channels=1:2:3", base)  # 1, 1.5, 2
    with pytest.raises(ValueError, match=r"must look like PATH=START:STOP:N"):
        Axis.parse("fibre.loss_db_per_km", base)


def test_grid_values_end_on_stop_and_keep_twelve_digits() -> None:
    values = grid_values(0.1, 0.7, 7)
    assert values[-1] == 0.7
    assert values[2] == 0.3  # 0.1 + 2 * 0.1 is 0.30000000000000004 unrounded
    assert grid_values(5.0, 9.0, 1) == (5.0,)
    with pytest.raises(ValueError, match=r"n=0 is outside the allowed range \[1, "):
        grid_values(0.0, 1.0, 0)


def test_a_grid_varies_its_last_axis_fastest_and_zip_pairs_values(base: BaseScenario) -> None:
    a = Axis("fibre.loss_db_per_km", (0.16, 0.2))
    b = Axis("server.detector_efficiency", (0.5, 0.6, 0.7))
    fixed = Axis("seed", (3,))
    points = spec(a, b, fixed).points(base)
    assert len(points) == 6
    assert points[1] == {"fibre.loss_db_per_km": 0.16, "server.detector_efficiency": 0.6, "seed": 3}
    assert [p["fibre.loss_db_per_km"] for p in points] == [0.16] * 3 + [0.2] * 3
    assert [v.path for v in spec(a, b, fixed).varying] == [a.path, b.path]
    zipped = spec(Axis(a.path, (0.16, 0.18, 0.2)), b, fixed, design="zip").points(base)
    assert [(p[a.path], p[b.path]) for p in zipped] == [(0.16, 0.5), (0.18, 0.6), (0.2, 0.7)]
    with pytest.raises(ValueError, match=r"design='zip' takes axes of one length"):
        spec(a, b, design="zip")


@pytest.mark.parametrize("design", ["sobol", "lhs"])
def test_samples_are_seeded_in_range_and_integers_stay_integers(
    base: BaseScenario, design: str
) -> None:
    axes = (
        Axis("fibre.loss_db_per_km", low=0.16, high=0.22),
        Axis("yield.wafers", low=1.0, high=40.0),
        Axis("seed", (5,)),
    )
    points = spec(*axes, design=design, samples=16, seed=4).points(base)
    assert points == spec(*axes, design=design, samples=16, seed=4).points(base)
    assert points != spec(*axes, design=design, samples=16, seed=5).points(base)
    loss = np.array([p["fibre.loss_db_per_km"] for p in points])
    assert np.all((loss >= 0.16) & (loss <= 0.22))
    assert all(type(p["yield.wafers"]) is int and 1 <= p["yield.wafers"] <= 40 for p in points)
    assert {p["seed"] for p in points} == {5}
    # both designs put one point in each of 16 equal slices of a range
    slices = np.floor((loss - 0.16) / 0.06 * 16).astype(int)
    assert sorted(slices.tolist()) == list(range(16))


def test_spec_checks_name_the_setting_and_what_is_allowed(base: BaseScenario) -> None:
    loss = Axis("fibre.loss_db_per_km", low=0.16, high=0.22)
    with pytest.raises(ValueError, match=r"samples=12 is not allowed for sobol.*powers of two"):
        spec(loss, design="sobol", samples=12)
    with pytest.raises(ValueError, match=r"a range \(LOW:HIGH\) is sampled"):
        spec(loss)
    with pytest.raises(ValueError, match=r"design='random' is not allowed; allowed values"):
        spec(loss, design="random", samples=4)
    with pytest.raises(ValueError, match=r"axis protocol.name: a range takes a number"):
        spec(Axis("protocol.name", low=0.0, high=1.0), design="lhs", samples=2).points(base)
    with pytest.raises(ValueError, match=r"a parameter is given twice"):
        spec(Axis("seed", (1,)), Axis("seed", (2,)))
    with pytest.raises(ValueError, match=r"give either values or a range"):
        Axis("seed")
    with pytest.raises(ValueError, match=r"fibre.loss_db_per_km high=0.1 is outside"):
        Axis("fibre.loss_db_per_km", low=0.2, high=0.1)
    assert SweepSpec.from_dict(spec(loss, design="lhs", samples=3).to_dict()) == spec(
        loss, design="lhs", samples=3
    )


def test_overrides_are_validated_by_the_scenario_loader(base: BaseScenario) -> None:
    sc = base.with_overrides({"design.ring.gap_um": 1.0, "transmitter.laser.alpha_factor": 3.0})
    assert sc.design.ring.gap_um == 1.0
    assert sc.transmitter.laser.alpha_factor == 3.0
    assert base.scenario.design.ring.gap_um != 1.0  # the base is left as it was
    with pytest.raises(ValueError, match=r"weiming.toml \(sweep point\): \[fibre\]"):
        base.with_overrides({"fibre.loss_db_per_km": -1.0})


def test_point_keys_depend_on_the_overrides_only_as_inputs(base: BaseScenario) -> None:
    key = base.point_key({"fibre.loss_db_per_km": 0.3, "seed": 2})
    assert key == base.point_key({"seed": 2, "fibre.loss_db_per_km": 0.1 + 0.2})
    assert key != base.point_key({"fibre.loss_db_per_km": 0.3, "seed": 3})
    assert key != BaseScenario.load("weiming").point_key({"fibre.loss_db_per_km": 0.31})


def test_output_names_distances_and_the_stages_they_need(base: BaseScenario) -> None:
    requests = parse_outputs(["fsr_ghz, total_key_rate_bps@370", "total_key_rate_bps@370km"])
    assert [r.column for r in requests] == ["fsr_ghz", "total_key_rate_bps@370km"]
    assert needed_stages(requests[:1], base.scenario) == {"devices"}
    assert needed_stages(parse_outputs(["comb_lines_usable"]), base.scenario) == {
        "devices",
        "comb",
    }
    assert needed_stages(requests, base.scenario) == {"devices", "comb", "yield", "network"}
    nominal = base.with_overrides({"transmitter.source": "nominal"})
    assert needed_stages(requests, nominal) == {"devices", "comb", "network"}
    named = SweepSpec("weiming", (Axis("seed", (1,)),), ("chip_yield,qber_x_max@450",))
    assert named.outputs == ("chip_yield", "qber_x_max@450km")
    far = parse_outputs(["qber_x_max@450km", "pairs_above_plob@204"])
    assert extra_distances(far, base.scenario) == (450.0,)
    with pytest.raises(ValueError, match=r"output='fsr' is not allowed; allowed values"):
        OutputRequest.parse("fsr")
    with pytest.raises(ValueError, match=r"write total_key_rate_bps@Dkm"):
        OutputRequest.parse("total_key_rate_bps")
    with pytest.raises(ValueError, match=r"takes no distance"):
        OutputRequest.parse("chip_yield@100km")
    with pytest.raises(ValueError, match=r"qber_x_max distance_km=6000.0 is outside"):
        OutputRequest.parse("qber_x_max@6000km")


def test_the_sweep_modules_and_command_load_no_heavy_stack() -> None:
    code = (
        "import sys\n"
        "import qkdchip.sweep, qkdchip.sweep.plot, qkdchip.cli.sweep\n"
        "heavy = ('distributed', 'dask', 'pyarrow', 'matplotlib', 'gdsfactory')\n"
        "print(' '.join(m for m in heavy if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.split() == []
