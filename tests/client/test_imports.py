"""The connectors and their shared client never import the emulator: what they know of Shopify (the
schema they speak, its cost model) lives in `shopify_admin`."""

from __future__ import annotations

import ast

import pytest

from ..conftest import ROOT


@pytest.mark.parametrize("package", ["shopify_admin", "tap_shopify_admin", "target_shopify_admin"])
def test_connectors_never_import_the_emulator(package: str) -> None:
    imported = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add((path.name, node.module))
            elif isinstance(node, ast.Import):
                imported.update((path.name, alias.name) for alias in node.names)
    assert imported, package
    assert {(file, name) for file, name in imported if name.startswith("shopify_admin_emulator")} == set()


@pytest.mark.parametrize(
    "package", ["shopify_admin", "tap_shopify_admin", "target_shopify_admin", "shopify_admin_emulator"]
)
def test_no_module_imports_one_that_imports_it_back(package: str) -> None:
    """Type-checking imports count too: a newcomer reading either module must not need the other first."""
    imports: dict[str, set[str]] = {}
    for path in (ROOT / package).rglob("*.py"):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        home = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = home.split(".")[: len(home.split(".")) - node.level + 1]
                imports.setdefault(module, set()).add(".".join([*base, *([node.module] if node.module else [])]))
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(package):
                imports.setdefault(module, set()).add(node.module or "")
    assert imports
    assert {(a, b) for a, targets in imports.items() for b in targets if a in imports.get(b, ())} == set()
