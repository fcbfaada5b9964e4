"""Meltano Hub plugin definitions of tap-shopify-admin and target-shopify-admin, written from what each plugin
says of itself (`--about --format=json`: settings, their types, defaults, secrets and descriptions, and the
capabilities) plus what only the Hub needs (variant, label, keywords, docs). tests/e2e/test_about.py fails when
a file under hub/ is not what this script writes.

    .venv/bin/python scripts/hub_definitions.py     # rewrites hub/extractors/… and hub/loaders/…
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
VARIANT = "shopify-admin-connectors"
PIP_URL = "shopify-admin-connectors"  # the distribution that holds both plugins
DOCS = "README.md"  # relative to the repository: no public address is known yet
CREDENTIALS = [["shop", "access_token"], ["shop", "client_id", "client_secret"]]
PLUGINS: dict[str, dict[str, Any]] = {
    "tap-shopify-admin": {
        "type": "extractors",
        "label": "Shopify Admin",
        "keywords": ["meltano_sdk", "shopify", "ecommerce", "graphql", "bulk-operations"],
    },
    "target-shopify-admin": {
        "type": "loaders",
        "label": "Shopify Admin",
        "keywords": ["meltano_sdk", "shopify", "ecommerce", "graphql", "reverse-etl"],
    },
}


def about(plugin: str) -> dict[str, Any]:
    executable = Path(sys.executable).parent / plugin
    done = subprocess.run([str(executable), "--about", "--format=json"], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def kind(schema: dict[str, Any]) -> str:
    """Meltano's setting kind for a JSON Schema property."""
    if "enum" in schema:
        return "options"
    if schema.get("format") == "date-time":
        return "date_iso8601"
    declared = [t for t in schema.get("type", ["string"]) if t != "null"]
    return {"number": "decimal"}.get(declared[0], declared[0])


def setting(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {
        "name": name,
        "kind": kind(schema),
        "label": schema.get("title") or name.replace("_", " ").capitalize(),
        "description": schema.get("description") or schema.get("title") or name.replace("_", " ").capitalize(),
    }
    if schema.get("secret"):
        found["sensitive"] = True
    if schema.get("default") is not None:
        found["value"] = schema["default"]
    if "enum" in schema:
        found["options"] = [{"label": str(value).capitalize(), "value": value} for value in schema["enum"]]
    return found


def definition(plugin: str) -> dict[str, Any]:
    described = about(plugin)
    hub = PLUGINS[plugin]
    namespace = plugin.replace("-", "_")
    return {
        "name": plugin,
        "variant": VARIANT,
        "namespace": namespace,
        "label": hub["label"],
        "description": described["description"],
        "docs": DOCS,
        "pip_url": PIP_URL,
        "executable": plugin,
        "capabilities": sorted(described["capabilities"]),
        "settings_group_validation": CREDENTIALS,
        "settings": [setting(name, schema) for name, schema in described["settings"]["properties"].items()],
        "keywords": hub["keywords"],
        "maintenance_status": "active",
    }


def path(plugin: str) -> Path:
    return ROOT / "hub" / PLUGINS[plugin]["type"] / plugin / f"{VARIANT}.yml"


def main() -> None:
    for plugin in PLUGINS:
        path(plugin).parent.mkdir(parents=True, exist_ok=True)
        path(plugin).write_text(yaml.safe_dump(definition(plugin), sort_keys=False, allow_unicode=True, width=110))
        print(path(plugin).relative_to(ROOT))


if __name__ == "__main__":
    main()
