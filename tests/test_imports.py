"""The connectors and their shared client never import the emulator: what they know of Shopify (the
schema they speak, its cost model) lives in `shopify_admin`."""

from __future__ import annotations

import ast

import pytest

from .conftest import ROOT


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


def test_the_target_modules_import_each_other_in_one_direction() -> None:
    """No module of the target imports one that imports it back: the target hands its sinks what they need."""
    imports: dict[str, set[str]] = {}
    for path in (ROOT / "target_shopify_admin").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module:
                imports.setdefault(path.stem, set()).add(node.module)
    circles = {(a, b) for a, names in imports.items() for b in names if a in imports.get(b, set())}
    assert imports["target"] and circles == set()
