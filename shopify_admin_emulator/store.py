"""In-memory shop: records as dicts keyed by their GraphQL field names, one table per node type.

Internal links and derived inputs use keys that start with an underscore; everything else is
served as it is by graphql-core's default resolver.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

Record = dict[str, Any]

# Shopify ids are large and grow with creation time; these bases keep ours in the same range.
ID_BASES = {
    "Customer": 7_100_000_000_000,
    "MailingAddress": 8_100_000_000_000,
    "Product": 9_100_000_000_000,
    "ProductVariant": 44_100_000_000_000,
    "InventoryItem": 46_100_000_000_000,
    "Location": 106_100_000_000,
    "InventoryLevel": 143_100_000_000,
    "InventoryAdjustmentGroup": 54_100_000_000_000,
    "ProductOption": 10_100_000_000_000,
    "ProductOptionValue": 3_100_000_000_000,
    "Order": 6_100_000_000_000,
    "LineItem": 15_100_000_000_000,
    "FulfillmentOrder": 7_600_000_000_000,
    "FulfillmentOrderLineItem": 16_100_000_000_000,
    "Fulfillment": 5_600_000_000_000,
    "FulfillmentLineItem": 12_100_000_000_000,
    "FulfillmentHold": 290_100_000_000,
    "FulfillmentEvent": 35_100_000_000_000,
    "Metafield": 30_100_000_000_000,
    "MetafieldDefinition": 229_100_000_000,
    "BasicEvent": 8_600_000_000_000,
    "BulkOperation": 4_100_000_000_000,
    "ProductSetOperation": 2_100_000_000_000,
    "ProductDeleteOperation": 2_200_000_000_000,
    "DiscountCodeNode": 1_600_000_000_000,
    "DiscountAutomaticNode": 1_600_000_000_003,  # never a code discount's number: Shopify numbers both alike
    "DiscountRedeemCode": 22_100_000_000_000,
    "DiscountRedeemCodeBulkCreation": 799_100_000_000,
    "OrderTransaction": 10_500_000_000_000,
    "Refund": 1_020_000_000_000,
    "RefundLineItem": 650_000_000_000,
    "RefundShippingLine": 1_030_000_000_000,
    "OrderAdjustment": 1_040_000_000_000,
    "ShippingLine": 5_100_000_000_000,
    "Return": 15_000_000_000,
    "ReturnLineItem": 22_900_000_000,
    "Shop": 0,  # one record, the shop as an owner of metafields
    "Collection": 512_100_000_000,
    "DraftOrder": 1_240_100_000_000,
    "DraftOrderLineItem": 60_100_000_000_000,
    "AbandonedCheckout": 38_100_000_000_000,
    "AbandonedCheckoutLineItem": 39_100_000_000_000,
    "GiftCard": 660_100_000_000,
    "GiftCardCreditTransaction": 110_100_000_000,
    "GiftCardDebitTransaction": 120_100_000_000,
}


def gid(type_name: str, number: int) -> str:
    return f"gid://shopify/{type_name}/{number}"


def parse_gid(value: str) -> tuple[str, int] | None:
    """`gid://shopify/Customer/12` → ("Customer", 12); anything else → None."""
    prefix = "gid://shopify/"
    if not isinstance(value, str) or not value.startswith(prefix):
        return None
    type_name, _, number = value[len(prefix) :].partition("/")
    number = number.split("?", 1)[0]
    return (type_name, int(number)) if number.isdigit() else None


def iso(ts: float) -> str:
    return datetime.fromtimestamp(int(ts), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def money(value: Decimal | str | int) -> str:
    """Shopify's Decimal rendering: `10.0`, `12.5`, `23.95`."""
    text = format(Decimal(value).quantize(Decimal("0.01")).normalize(), "f")
    return text if "." in text else text + ".0"


def price(value: Any) -> str:
    """Shopify's Money scalar (variant prices): two decimals, `0.00`, `79.99`."""
    return format(Decimal(str(value)).quantize(Decimal("0.01")), "f")


class Clock:
    """Wall time plus an offset that tests can move forward."""

    def __init__(self) -> None:
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def now_iso(self) -> str:
        return iso(self.now())


@dataclass
class Table:
    """Records of one node type with cached orderings for the sort keys clients page by."""

    type_name: str
    rows: dict[int, Record] = field(default_factory=dict)
    version: int = 0
    _orders: dict[str, tuple[int, list[tuple[Any, int]], list[Record]]] = field(default_factory=dict)
    _derived: dict[str, tuple[int, Any]] = field(default_factory=dict)

    def get(self, number: int) -> Record | None:
        return self.rows.get(number)

    def put(self, record: Record) -> None:
        self.rows[record["_n"]] = record
        self.version += 1

    def delete(self, number: int) -> Record | None:
        self.version += 1
        return self.rows.pop(number, None)

    def changed(self) -> None:
        self.version += 1

    def ordered(self, name: str, key: Callable[[Record], Any]) -> tuple[list[tuple[Any, int]], list[Record]]:
        """(sorted keys, records in that order) for one sort key, rebuilt only after a change."""
        cached = self._orders.get(name)
        if cached and cached[0] == self.version:
            return cached[1], cached[2]
        records = sorted(self.rows.values(), key=lambda r: (key(r), r["_n"]))
        keys = [(key(r), r["_n"]) for r in records]
        self._orders[name] = (self.version, keys, records)
        return keys, records

    def derived(self, name: str, build: Callable[[list[Record]], Any]) -> Any:
        """What `build` makes of the records (an index), rebuilt only after a change."""
        cached = self._derived.get(name)
        if cached and cached[0] == self.version:
            return cached[1]
        value = build(list(self.rows.values()))
        self._derived[name] = (self.version, value)
        return value


class Store:
    """The shop's data. Callers hold `lock` while they read or write."""

    def __init__(self, shop_name: str = "emulator", currency: str = "USD") -> None:
        self.lock = threading.RLock()
        self.clock = Clock()
        self.shop_name = shop_name
        self.currency = currency
        self.tables: dict[str, Table] = {name: Table(name) for name in ID_BASES}
        self._counters = dict.fromkeys(ID_BASES, 0)
        self.created_at = self.clock.now() - 3 * 365 * 86400
        self.order_number = 1000
        # (mutation, @idempotent key) → (its arguments, its answer)
        self.idempotent_answers: dict[tuple[str, str], tuple[Any, Any]] = {}
        self.search_lag = 0.0  # the most seconds a write takes to reach the search index
        self.timezone = "Etc/UTC"  # the shop's IANA time zone
        self._settled = (0, "")
        self._scheduled: list[tuple[float, int, Callable[[], None]]] = []  # (when, order, work)
        self._scheduled_order = itertools.count()

    # work that Shopify does after answering (a job's end), run once the clock passes its time ------------
    def schedule(self, delay: float, work: Callable[[], None]) -> None:
        heapq.heappush(self._scheduled, (self.clock.now() + delay, next(self._scheduled_order), work))

    def run_due(self) -> None:
        """Run the scheduled work whose time has come, earliest first (callers hold `lock`)."""
        now = self.clock.now()
        while self._scheduled and self._scheduled[0][0] <= now:
            heapq.heappop(self._scheduled)[2]()

    def _settled_before(self) -> str:
        """The stamp before which every write is searchable, formatted once a second (scans ask per record)."""
        second = int(self.clock.now() - self.search_lag - 1)
        if self._settled[0] != second:
            self._settled = (second, iso(second))
        return self._settled[1]

    def searchable(self, record: Record, stamped: Record | None = None) -> bool:
        """Whether search (`query:` filters, `…Count` roots) sees the record's last change yet. Shopify
        indexes asynchronously: each write becomes searchable after its own delay, between half
        `search_lag` and all of it from the end of its stamp's second, drawn from the record's id and the
        stamp, so that a later write may show before an earlier one. `stamped` holds the change stamps
        when the record keeps them elsewhere (a discount node's discount)."""
        if not self.search_lag:
            return True
        stamps = record if stamped is None else stamped
        stamp = stamps.get("updatedAt") or stamps.get("createdAt")
        if stamp is None or stamp < self._settled_before():
            return True
        share = zlib.crc32(f"{record['id']} {stamp}".encode()) / 2**32
        indexed = (
            datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp() + 1 + self.search_lag * (1 + share) / 2
        )
        return indexed <= self.clock.now()

    # ids and lookups --------------------------------------------------------------------------
    def new_id(self, type_name: str) -> tuple[int, str]:
        self._counters[type_name] += 1
        number = ID_BASES[type_name] + self._counters[type_name] * 7
        return number, gid(type_name, number)

    def new_record(self, type_name: str, **values: Any) -> Record:
        number, global_id = self.new_id(type_name)
        record: Record = {"__typename": type_name, "_n": number, "id": global_id}
        if type_name not in {"MailingAddress", "ProductOption", "ProductOptionValue", "InventoryLevel"}:
            record["legacyResourceId"] = str(number)
        record.update(values)
        return record

    def table(self, type_name: str) -> Table:
        return self.tables[type_name]

    def node(self, global_id: str, type_name: str | None = None) -> Record | None:
        parsed = parse_gid(global_id)
        if parsed is None or (type_name and parsed[0] != type_name) or parsed[0] not in self.tables:
            return None
        return self.tables[parsed[0]].get(parsed[1])

    def put(self, record: Record) -> Record:
        self.tables[record["__typename"]].put(record)
        return record

    def touch(self, record: Record, when: str | None = None) -> None:
        """Every change moves updatedAt, as Shopify does."""
        record["updatedAt"] = when or self.clock.now_iso()
        self.tables[record["__typename"]].changed()

    def all(self, type_name: str) -> Iterator[Record]:
        return iter(self.tables[type_name].rows.values())

    # events -------------------------------------------------------------------------------------
    def record_destroy(self, record: Record, title: str, when: str | None = None) -> None:
        subject_type = record["__typename"].upper()
        noun = record["__typename"].lower()
        self.put(
            self.new_record(
                "BasicEvent",
                action="destroy",
                appTitle=None,
                attributeToApp=True,
                attributeToUser=False,
                createdAt=when or self.clock.now_iso(),
                criticalAlert=False,
                message=f"{noun.capitalize()} {title} was deleted.",
                subjectId=record["id"],
                subjectType=subject_type,
            )
        )


def page_bounds(keys: list[tuple[Any, int]], low: Any = None, high: Any = None) -> tuple[int, int]:
    """Index range of sorted (value, id) keys with low <= value < high; empty when high <= low."""
    start = 0 if low is None else bisect.bisect_left(keys, (low, -1))
    end = len(keys) if high is None else bisect.bisect_left(keys, (high, -1))
    return start, max(start, end)
