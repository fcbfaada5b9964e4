"""meltano.yml declares every setting the tap and the target take, typed and described, and the README
lists them: none of the three can drift from the code."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from singer_sdk import PluginBase

from tap_shopify_admin.tap import TapShopifyAdmin
from target_shopify_admin.target import TargetShopifyAdmin

ROOT = Path(__file__).resolve().parent.parent
SECRETS = {"access_token", "client_secret"}


@pytest.mark.parametrize(("kind", "plugin"), [("extractors", TapShopifyAdmin), ("loaders", TargetShopifyAdmin)])
def test_every_setting_is_declared_in_meltano_yml_and_the_readme(kind: str, plugin: type[PluginBase]) -> None:
    project = yaml.safe_load((ROOT / "meltano.yml").read_text())
    [declared] = [p for p in project["plugins"][kind] if p["name"] == plugin.name]
    settings: dict[str, Any] = {s["name"]: s for s in declared["settings"]}
    properties = plugin.config_jsonschema["properties"]
    assert set(properties) <= set(settings)
    readme = (ROOT / "README.md").read_text()
    for name in properties:
        assert settings[name].get("kind") and settings[name].get("description"), name
        assert settings[name].get("sensitive", False) == (name in SECRETS), name
        assert f"\n| {name} |" in readme, name
