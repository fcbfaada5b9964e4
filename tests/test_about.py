"""What each plugin says about itself: its version, and the Meltano Hub definition kept in step with it."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

PLUGINS = ("tap-shopify-admin", "target-shopify-admin")


def cli(plugin: str, *args: str) -> str:
    executable = Path(sys.executable).parent / plugin
    return subprocess.run([str(executable), *args], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("plugin", PLUGINS)
def test_the_version_is_the_distributions(plugin: str) -> None:
    version = metadata.version("shopify-admin-connectors")
    assert cli(plugin, "--version").startswith(f"{plugin} v{version},")
