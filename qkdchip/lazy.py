"""Lazy package exports (PEP 562), so that importing a package does not import its modules.

The meep jobs run in a child interpreter that imports ``package.jobs``; with lazy exports in
``package/__init__.py`` that child loads neither gdsfactory nor the PDK (about 1.5 s per job).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any


def lazy_exports(package: str, exports: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``exports[name]`` (a submodule) on first use.

    Args:
        package: the package's ``__name__``.
        exports: exported name -> submodule (relative to ``package``) that defines it.
    """

    def __getattr__(name: str) -> Any:  # noqa: N807 - the module hook's required name
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(import_module(f"{package}.{module}"), name)

    return __getattr__
