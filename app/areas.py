"""The areas of the programme, in the order their pages, commands and demo data build up.

Each area is a package under app/ with the same few modules (models, service, forms,
views, cli, demo); create_app(), the navigation and `hfm demo seed` find them here.
"""

from __future__ import annotations

import importlib
import importlib.util
from types import ModuleType

AREAS = (
    "programme",
    "accounts",
    "returns",
    "clients",
    "finance",
    "registers",
    "supply",
    "fidelity",
    "reporting",
    "home",
    "demo",
)


def area_modules(name: str) -> list[ModuleType]:
    """app.<area>.<name> for every area that has such a module, in AREAS order."""
    modules = []
    for area in AREAS:
        dotted = f"app.{area}.{name}"
        if importlib.util.find_spec(f"app.{area}") is None:
            continue
        if importlib.util.find_spec(dotted) is not None:
            modules.append(importlib.import_module(dotted))
    return modules


def area_packages() -> list[ModuleType]:
    """app.<area> for every area, in AREAS order."""
    found = [area for area in AREAS if importlib.util.find_spec(f"app.{area}") is not None]
    return [importlib.import_module(f"app.{area}") for area in found]
