"""singer-sdk's standard tap tests against a seeded emulator.

The test class is built at import time from a config, so the emulator starts with the module
(a daemon thread that ends with the test session)."""

from __future__ import annotations

from singer_sdk.testing import SuiteConfig, get_tap_test_class

from tap_shopify_admin.tap import TapShopifyAdmin

from ..conftest import TOKEN, start

EMULATOR = start(plan="unlimited", customers=40, products=20, orders=100)

TestTapShopifyAdmin = get_tap_test_class(
    TapShopifyAdmin,
    config={"shop": "emulator", "access_token": TOKEN, "base_url": EMULATOR.url, "user_tier": "standard"},
    suite_config=SuiteConfig(max_records_limit=None),
)
