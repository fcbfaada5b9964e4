"""singer-sdk's standard tap tests against a seeded emulator.

The test class is built at import time from a config, so the emulator starts with the module
(a daemon thread that ends with the test session)."""

from __future__ import annotations

from singer_sdk.testing import SuiteConfig, get_tap_test_class

from tap_shopify_admin.tap import TapShopifyAdmin

from ..conftest import TOKEN, start
from .test_tap_catalog import METAFIELD_STREAMS
from .test_tap_money import add_money_shapes

EMULATOR = start(plan="unlimited", customers=40, products=20, orders=100)
add_money_shapes(EMULATOR)  # every stream returns a record

TestTapShopifyAdmin = get_tap_test_class(
    TapShopifyAdmin,
    # no search lag: the orders made just now are in the window (the emulator's search has none either)
    config={
        "shop": "emulator",
        "access_token": TOKEN,
        "base_url": EMULATOR.url,
        "user_tier": "standard",
        "search_lag": 0,
        # the SDK's attribute tests need one JSON type a property, and its suite refuses a property of
        # any JSON (`th.AnyType`): jsonValue is left out here, tested in test_tap_catalog.py
        "stream_maps": {stream: {"jsonValue": "__NULL__"} for stream in METAFIELD_STREAMS},
    },
    suite_config=SuiteConfig(max_records_limit=None),
)
