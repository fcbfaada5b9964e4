"""Bulk result parsing without network, on one core: a downloaded orders JSONL file reassembled
(shopify_admin.bulk.reassemble) and written as RECORD messages of orders, order_line_items and
fulfillments by the tap's own streams (the SDK's conforming and message writing), to stdout.

    python -m bench.parse_bulk FILE CONNECTIONS_JSON CPU
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from shopify_admin.bulk import reassemble
from tap_shopify_admin.tap import TapShopifyAdmin


def main() -> None:
    path, connections, cpu = Path(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
    os.sched_setaffinity(0, {cpu})
    tap = TapShopifyAdmin(config={"shop": "offline", "access_token": "none"}, setup_mapper=True)
    orders = tap.streams["orders"]
    children = [s for s in tap.streams.values() if s.parent_stream_type is type(orders)]
    for stream in (orders, *children):
        stream._write_schema_message()
    for order in reassemble(path, connections, "updatedAt"):
        order["_sdc_deleted_at"] = None
        for message in orders._generate_record_messages(order):
            tap.write_message(message)
        for child in children:
            for item in order.get(child.parent_field) or []:  # type: ignore[attr-defined]
                for message in child._generate_record_messages({**item, child.parent_key: order["id"]}):  # type: ignore[attr-defined]
                    tap.write_message(message)


if __name__ == "__main__":
    main()
