"""meltano.yml declares every setting the tap and the target take, typed and described, and the README
lists them: none of the three can drift from the code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SECRETS = {"access_token", "client_secret"}


def own_settings(module: str, plugin: str) -> list[str]:
    """The settings the plugin declares, read in a fresh interpreter: once a plugin runs, the SDK adds its
    built-in ones (batch_config, flattening_…) to the same class attribute."""
    code = (
        f"import json; from {module} import {plugin} as P; print(json.dumps(list(P.config_jsonschema['properties'])))"
    )
    return json.loads(subprocess.run([sys.executable, "-c", code], capture_output=True, check=True).stdout)


@pytest.mark.parametrize(
    ("kind", "name", "module", "plugin"),
    [
        ("extractors", "tap-shopify-admin", "tap_shopify_admin.tap", "TapShopifyAdmin"),
        ("loaders", "target-shopify-admin", "target_shopify_admin.target", "TargetShopifyAdmin"),
    ],
)
def test_every_setting_is_declared_in_meltano_yml_and_the_readme(
    kind: str, name: str, module: str, plugin: str
) -> None:
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    [declared] = [p for p in project["plugins"][kind] if p["name"] == name]
    settings: dict[str, Any] = {s["name"]: s for s in declared["settings"]}
    properties = own_settings(module, plugin)
    assert len(properties) > 5
    assert set(properties) <= set(settings)
    readme = (ROOT / "README.md").read_text()
    for setting in properties:
        assert settings[setting].get("kind") and settings[setting].get("description"), setting
        assert settings[setting].get("sensitive", False) == (setting in SECRETS), setting
        assert f"\n| {setting} |" in readme, setting
