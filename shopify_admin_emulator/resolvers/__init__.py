"""Resolvers of the domains not yet in a package of their own under `domains/`, one module per domain."""

import importlib
import pkgutil


def register_resolvers() -> None:
    """Import every module here, which registers its resolvers."""
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")
