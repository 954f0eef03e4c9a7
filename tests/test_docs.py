"""The documentation's generated and checked parts: the scenario-file reference, the site's
navigation and API pages, and the bibliography (the full site build is ``make docs``)."""

from __future__ import annotations

import dataclasses
import importlib.util
import re
import tomllib
from pathlib import Path

import pytest
import yaml

from qkdchip.scenarios.loader import _NESTED, _SECTIONS, _TOP_LEVEL, scenario_from_dict
from qkdchip.scenarios.reference import (
    complete_scenario_toml,
    inline_markdown,
    scenario_reference_markdown,
    scenario_tables,
    toml_value,
)
from qkdchip.scenarios.schema import NetworkSection, PairOverride

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
GENERATED_PAGES = {"scenario-file.md"}


def _expected_tables() -> dict[str, set[str]]:
    """Every table header a scenario file may hold -> its keys, from the dataclasses."""
    expected: dict[str, set[str]] = {"": set(_TOP_LEVEL)}

    def walk(cls: type, header: str) -> None:
        keys = expected.setdefault(header, set())
        for field in dataclasses.fields(cls):
            annotation = str(field.type).replace(" ", "")
            if annotation in _NESTED:
                walk(_NESTED[annotation], f"[{header.strip('[]')}.{field.name}]")
            elif cls is NetworkSection and field.name == "pairs":
                walk(PairOverride, f"[[{header.strip('[]')}.pair]]")
            else:
                keys.add(field.name)

    for section, cls in _SECTIONS.items():
        walk(cls, f"[{section}]")
    return expected


def _documented_tables(markdown: str) -> dict[str, set[str]]:
    """Table header -> the keys of its Markdown table, read from the reference page."""
    tables: dict[str, set[str]] = {}
    header = ""
    for line in markdown.splitlines():
        heading = re.match(r"^#{2,3} `(\[.*\])`$", line)
        if heading:
            header = heading.group(1)
            tables.setdefault(header, set())
        elif line == "## Top-level keys":
            header = ""
        elif line.startswith("## "):
            header = None  # a section that holds no keys
        elif header is not None and (row := re.match(r"^\| `([a-z0-9_]+)` \|", line)):
            tables.setdefault(header, set()).add(row.group(1))
    return tables


def test_reference_documents_every_scenario_key() -> None:
    documented = _documented_tables(scenario_reference_markdown())
    for header, keys in _expected_tables().items():
        assert keys <= documented.get(header, set()), f"{header or 'top level'}"
    assert documented.keys() <= _expected_tables().keys()


def test_reference_gives_each_key_a_type_default_and_description() -> None:
    for table in scenario_tables():
        for key in table.keys:
            assert key.type, f"{table.header} {key.key}"
            assert key.description, f"{table.header} {key.key}"
            if not table.array and key.key != "name":
                assert key.default is not None, f"{table.header} {key.key}"
    page = scenario_reference_markdown()
    # defaults are the reference scenario's, not the dataclasses' own
    assert '| `operation` | string | `"sequential-parallel"` |' in page
    assert "| `n_pulses` | number or none | `1e12` |" in page
    assert "`cavity_length_m`, `group_index` and `mirror_reflectivity` are not inputs" in page


def test_complete_file_loads_back_as_the_default_scenario() -> None:
    text = complete_scenario_toml("docs-check")
    assert scenario_from_dict(tomllib.loads(text)) == scenario_from_dict({"name": "docs-check"})
    assert "[[" not in text


def test_documented_pair_override_is_accepted() -> None:
    text = """
name = "pairs"
[[network.pair]]
pair = 2
alice_downstream_km = 30.0
bob_downstream_km = "none"
"""
    scenario = scenario_from_dict(tomllib.loads(text))
    assert scenario.network.pairs == (PairOverride(pair=2, alice_downstream_km=30.0),)


@pytest.mark.parametrize(
    ("text", "markdown"),
    [
        ("``x = 1``", "`x = 1`"),
        (":class:`~.fibre_noise.BackboneFibre`", "`BackboneFibre`"),
        (":func:`qkdchip.flow.run_flow`", "`qkdchip.flow.run_flow`"),
        (":mod:`.phase_tracking`", "`phase_tracking`"),
        (":data:`~qkdchip.simulations.qkd.protocols.BOUNDS`", "`BOUNDS`"),
    ],
)
def test_inline_markup_becomes_markdown(text: str, markdown: str) -> None:
    assert inline_markdown(text) == markdown


@pytest.mark.parametrize(
    ("value", "annotation", "toml"),
    [
        (1e9, "float", "1e9"),
        (5e-10, "float", "5e-10"),
        (0.16, "float", "0.16"),
        (20.0, "float", "20.0"),
        (3, "int", "3"),
        (None, "float | None", '"none"'),
        ((204.0, 370.0), "tuple[float, ...]", "[204.0, 370.0]"),
        (False, "bool", "false"),
        ("sns-aopp", "str", '"sns-aopp"'),
    ],
)
def test_values_are_written_as_toml(value: object, annotation: str, toml: str) -> None:
    assert toml_value(value, annotation) == toml
    assert tomllib.loads(f"v = {toml}")["v"] is not None


def _nav_pages(nav: list) -> list[str]:
    pages = []
    for entry in nav:
        target = next(iter(entry.values())) if isinstance(entry, dict) else entry
        pages += _nav_pages(target) if isinstance(target, list) else [target]
    return pages


def test_every_nav_page_exists_and_every_api_target_is_a_module() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    pages = _nav_pages(config["nav"])
    missing = [p for p in pages if p not in GENERATED_PAGES and not (DOCS / p).is_file()]
    assert not missing
    written = {str(p.relative_to(DOCS)) for p in DOCS.rglob("*.md")}
    assert written <= set(pages), f"pages left out of the nav: {written - set(pages)}"
    for page in (DOCS / "api").glob("*.md"):
        for target in re.findall(r"^::: (\S+)$", page.read_text(encoding="utf-8"), re.M):
            assert importlib.util.find_spec(target) is not None, f"{page.name}: {target}"


def test_bibliography_lists_every_cited_arxiv_paper() -> None:
    bibliography = (DOCS / "bibliography.md").read_text(encoding="utf-8")
    cited = set()
    for folder in ("qkdchip", "pdk", "components", "circuits", "simulations"):
        for path in (ROOT / folder).rglob("*.py"):
            cited |= set(re.findall(r"arXiv:? ?(\d{4}\.\d{4,5})", path.read_text(encoding="utf-8")))
    assert cited
    assert {f"arXiv:{number}" for number in cited if f"arXiv:{number}" not in bibliography} == set()
