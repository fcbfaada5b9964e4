"""The emulated Shopify, one package per domain: `models` (the records the store keeps and the rules that
change them), `reads` (query resolvers) and `mutations` (mutation resolvers). The seeder and the mutations
build records with the same `models` functions, so that a seeded record and one a mutation makes carry
the same keys and start from the same defaults; a record made without timestamps is made now."""

import importlib
import pkgutil


def register_resolvers() -> None:
    """Import every domain's modules, which registers their resolvers."""
    for module in pkgutil.walk_packages(__path__, f"{__name__}."):
        importlib.import_module(module.name)
