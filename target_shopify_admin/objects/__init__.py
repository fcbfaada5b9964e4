"""The Shopify objects the target writes, one module each (kinds that belong together share a package).
A module declares its object as `KIND` (kind.ObjectKind); adding an object is adding its module."""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from target_shopify_admin.objects.kind import ObjectKind


@cache
def object_kinds() -> dict[str, ObjectKind]:
    """Every object the modules of this package declare, by name, in the order they are written (rank)."""
    declared = []
    for module in pkgutil.walk_packages(__path__, f"{__name__}."):
        kind = getattr(importlib.import_module(module.name), "KIND", None)
        if isinstance(kind, ObjectKind):
            declared.append(kind)
    return {kind.name: kind for kind in sorted(declared, key=lambda kind: (kind.rank, kind.name))}
