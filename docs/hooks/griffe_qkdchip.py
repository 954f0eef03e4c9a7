"""Griffe extensions for the API pages: each object documented once, docstrings as Markdown.

- :class:`HideReexports`: a package's ``__init__`` re-exports its public objects
  (``__all__``); each is rendered only in the module that defines it, not again at the package.
- :class:`InlineMarkup`: the docstrings use reStructuredText inline markup (double-backtick
  literals, roles such as ``:func:``) and literal blocks introduced by ``::``; the pages
  render Markdown, so the markup becomes code spans and a trailing ``::`` a colon (the
  indented block after it is already a Markdown code block).
"""

from __future__ import annotations

import re
from typing import Any

import griffe

from qkdchip.scenarios.reference import inline_markdown


class HideReexports(griffe.Extension):
    """Mark every imported name as not public, so only its definition is rendered."""

    def on_alias(self, *, alias: griffe.Alias, **kwargs: Any) -> None:
        """Called for every name a module imports."""
        alias.public = False


_LITERAL_MARKER = re.compile(r"(?m)(?:(\S)::|^\s*::)$")


class InlineMarkup(griffe.Extension):
    """Rewrite reStructuredText inline markup in every docstring as Markdown."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Called for every module, class, function and attribute loaded."""
        if obj.docstring is not None:
            text = inline_markdown(obj.docstring.value)
            obj.docstring.value = _LITERAL_MARKER.sub(
                lambda m: f"{m.group(1)}:" if m.group(1) else "", text
            )
