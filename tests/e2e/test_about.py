"""What each plugin says about itself: its version, and the Meltano Hub definition kept in step with it."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from scripts import hub_definitions

PLUGINS = ("tap-shopify-admin", "target-shopify-admin")


def cli(plugin: str, *args: str) -> str:
    executable = Path(sys.executable).parent / plugin
    return subprocess.run([str(executable), *args], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("plugin", PLUGINS)
def test_the_version_is_the_distributions(plugin: str) -> None:
    version = metadata.version("shopify-admin-connectors")
    assert cli(plugin, "--version").startswith(f"{plugin} v{version},")


@pytest.mark.parametrize("plugin", PLUGINS)
def test_the_hub_definition_is_in_step_with_about(plugin: str) -> None:
    """The committed file is what scripts/hub_definitions.py writes from `--about --format=json` today."""
    committed = yaml.safe_load(hub_definitions.path(plugin).read_text())
    assert committed == hub_definitions.definition(plugin), "run scripts/hub_definitions.py"
    described = json.loads(cli(plugin, "--about", "--format=json"))
    secrets = {name for name, schema in described["settings"]["properties"].items() if schema.get("secret")}
    assert {s["name"] for s in committed["settings"]} == set(described["settings"]["properties"])
    assert (
        {s["name"] for s in committed["settings"] if s.get("sensitive")} == secrets == {"access_token", "client_secret"}
    )
    assert all(s["kind"] and s["description"] for s in committed["settings"])
    assert set(committed["capabilities"]) == set(described["capabilities"])
    assert committed["namespace"] == plugin.replace("-", "_") and committed["executable"] == plugin


def test_the_target_s_about_lists_each_object_s_options() -> None:
    described = json.loads(cli("target-shopify-admin", "--about", "--format=json"))
    streams = described["settings"]["properties"]["streams"]
    entry = streams["additionalProperties"]["properties"]
    assert {"object", "action", "match_on", "custom_id", "allow_deletes", "delete_mode"} <= set(entry)
    assert {"quantity_change", "quantity_name", "location_match_on", "activate", "reason"} <= set(entry)
    assert "inventory_level (match_on inventory_item_id / sku / variant_id" in streams["description"]
