"""Bulk result parsing without network, on one core: a downloaded orders JSONL file reassembled
(shopify_admin.bulk.reassemble) and written as RECORD messages of orders, order_line_items and
fulfillments by the tap's own streams (as a sync writes them: the parent's record, its nested
streams' records, a STATE message every STATE_MSG_FREQUENCY orders), to stdout.

    python -m bench.parse_bulk FILE CONNECTIONS_JSON CPU [floor]

`floor` times the least any parser must do instead: msgspec decodes each line once, children are
joined to their parent by `__parentId` with only line offsets in memory, one RECORD line is written
per object (fulfillments included), without sorting, schemas or state.
"""

from __future__ import annotations

import json
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import msgspec


def ours(path: Path, connections: dict[str, dict[str, str]]) -> None:
    # imported here, so that the floor's time has none of the tap's start-up
    from shopify_admin.bulk import reassemble
    from tap_shopify_admin.tap import TapShopifyAdmin

    tap = TapShopifyAdmin(config={"shop": "offline", "access_token": "none"}, setup_mapper=True)
    orders = tap.streams["orders"]
    orders._write_schema_message()
    for number, order in enumerate(reassemble(path, connections, "updatedAt"), 1):
        order["_sdc_deleted_at"] = None
        orders.generate_child_contexts(order, None)
        orders._write_record_message(order)
        orders._increment_stream_state(order)
        if number % orders.STATE_MSG_FREQUENCY == 0:
            orders._write_state_message()


def floor(path: Path) -> None:
    decode, encode, out = msgspec.json.Decoder().decode, msgspec.json.Encoder().encode, sys.stdout.buffer
    roots: list[int] = []
    children: defaultdict[str, list[int]] = defaultdict(list)
    with path.open("rb") as lines:
        offset = 0
        for line in lines:
            parent = decode(line).get("__parentId")
            (roots if parent is None else children[parent]).append(offset)
            offset += len(line)

        def read(at: int) -> dict[str, Any]:
            lines.seek(at)
            return decode(lines.readline())  # type: ignore[no-any-return]

        def write(stream: str, record: dict[str, Any]) -> None:
            out.write(encode({"type": "RECORD", "stream": stream, "record": record}) + b"\n")

        for at in roots:
            order = read(at)
            order["lineItems"] = [read(child) for child in children.pop(order["id"], ())]
            for item in order["lineItems"]:
                write("order_line_items", {**item, "orderId": order["id"]})
            for fulfillment in order.get("fulfillments") or ():
                write("fulfillments", {**fulfillment, "orderId": order["id"]})
            write("orders", order)


def main() -> None:
    path, connections, cpu = Path(sys.argv[1]), json.loads(sys.argv[2]), int(sys.argv[3])
    os.sched_setaffinity(0, {cpu})
    if sys.argv[4:] == ["floor"]:
        floor(path)
    else:
        ours(path, connections)


if __name__ == "__main__":
    main()
