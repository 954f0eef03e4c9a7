"""MkDocs hook: the scenario-file reference page, written from the schema at every build."""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import File, Files

from qkdchip.scenarios.reference import scenario_reference_markdown

PAGE = "scenario-file.md"
"""Where the page lands in the site (the nav names it)."""


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add the generated page to the site's files."""
    files.append(File.generated(config, PAGE, content=scenario_reference_markdown()))
    return files
