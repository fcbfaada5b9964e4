"""singer-sdk's standard target tests that apply to an API target.

Left out: the tests whose records belong to made-up streams (array_data, camelcase, duplicate_records,
encoded_string_data, multiple_state_messages, no_primary_keys, optional_attributes, schema_updates,
special_chars_in_attributes, …): no Shopify object takes them, so by design every record is
dead-lettered and the run fails. record_missing_key_property expects the run to stop; here a record
without its match key fails alone. STATE relay and the per-record contract are covered in test_target.py."""

from __future__ import annotations

from singer_sdk.testing import get_target_test_class, suites
from singer_sdk.testing.target_tests import TargetCliPrintsTest, TargetInvalidSchemaTest, TargetRecordBeforeSchemaTest

from target_shopify_admin.target import TargetShopifyAdmin

from ..conftest import TOKEN, start

EMULATOR = start(plan="unlimited", customers=5, products=2, orders=0)

TestTargetShopifyAdmin = get_target_test_class(
    TargetShopifyAdmin,
    config={"shop": "emulator", "access_token": TOKEN, "base_url": EMULATOR.url},
    include_target_tests=False,
    custom_suites=[
        suites.SingerTestSuite(
            kind="target", tests=[TargetCliPrintsTest, TargetInvalidSchemaTest, TargetRecordBeforeSchemaTest]
        )
    ],
)
