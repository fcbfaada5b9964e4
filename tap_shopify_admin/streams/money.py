"""An order's money as streams of its own, so that a warehouse computes net sales to the cent: refunds
with their lines, adjustments and shipping (their duties, which the emulator does not model, stay in the
refund's record); transactions; tax, shipping and discount lines; and returns.

Everything but returns rides on its order: Shopify moves an order's updatedAt when it is paid, refunded,
captured or voided, so each run reads them again with the orders it reads. A return does not move it
(docs/emulator.md, "Money") and has no list root of its own, so returns are read in full on every run,
from the orders whose `return_status` is not `no_return` (and those whose returns were live when last read)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ..readers.full_table import EachOwner
from .base import NestedStream, ShopifyStream
from .money_fields import (
    DISCOUNT_ALLOCATION_FIELDS,
    DISCOUNT_APPLICATION_FIELDS,
    ORDER_ADJUSTMENT_FIELDS,
    REFUND_FIELDS,
    REFUND_LINE_ITEM_FIELDS,
    REFUND_SHIPPING_LINE_FIELDS,
    RETURN_FIELDS,
    RETURN_LINE_ITEM_FIELDS,
    SHIPPING_LINE_FIELDS,
    TAX_LINE_FIELDS,
    TRANSACTION_FIELDS,
)
from .orders import OrderLineItemsStream, OrdersStream


def nested(
    name: str, graphql_type: str, fields: str, parent: type[ShopifyStream], parent_field: str, *, key: str = "id"
) -> type[NestedStream]:
    """The stream `name` of the `graphql_type` records in each `parent` record's `parent_field`, naming
    their parent as `<parentType>Id` (`orderId`); keyed by their id, or where they have none by their
    parent's id and `key`: `position`, their place in the list, or a field of their own."""
    parent_key = parent.graphql_type[0].lower() + parent.graphql_type[1:] + "Id"
    declaration: dict[str, Any] = {
        "name": name,
        "graphql_type": graphql_type,
        "fields": fields,
        "parent_stream_type": parent,
        "parent_field": parent_field,
        "parent_key": parent_key,
    }
    if key != "id":
        declaration["primary_keys"] = [parent_key, key]
    if key == "position":
        declaration["position_key"] = key
    return type(name.title().replace("_", "") + "Stream", (NestedStream,), declaration)


RefundsStream = nested("refunds", "Refund", REFUND_FIELDS, OrdersStream, "refunds")
RefundLineItemsStream = nested(
    "refund_line_items", "RefundLineItem", REFUND_LINE_ITEM_FIELDS, RefundsStream, "refundLineItems"
)
OrderAdjustmentsStream = nested(
    "order_adjustments", "OrderAdjustment", ORDER_ADJUSTMENT_FIELDS, RefundsStream, "orderAdjustments"
)
RefundShippingLinesStream = nested(
    "refund_shipping_lines", "RefundShippingLine", REFUND_SHIPPING_LINE_FIELDS, RefundsStream, "refundShippingLines"
)
TransactionsStream = nested("transactions", "OrderTransaction", TRANSACTION_FIELDS, OrdersStream, "transactions")
# the order's own tax lines (its lines' and shipping's summed by tax)
OrderTaxLinesStream = nested("order_tax_lines", "TaxLine", TAX_LINE_FIELDS, OrdersStream, "taxLines", key="position")
OrderLineItemTaxLinesStream = nested(
    "order_line_item_tax_lines", "TaxLine", TAX_LINE_FIELDS, OrderLineItemsStream, "taxLines", key="position"
)
OrderLineItemDiscountAllocationsStream = nested(
    "order_line_item_discount_allocations",
    "DiscountAllocation",
    DISCOUNT_ALLOCATION_FIELDS,
    OrderLineItemsStream,
    "discountAllocations",
    key="position",
)
ShippingLinesStream = nested("shipping_lines", "ShippingLine", SHIPPING_LINE_FIELDS, OrdersStream, "shippingLines")
ShippingLineTaxLinesStream = nested(
    "shipping_line_tax_lines", "TaxLine", TAX_LINE_FIELDS, ShippingLinesStream, "taxLines", key="position"
)
# an order's discounts, by their `index`, which its lines' discount allocations name
DiscountApplicationsStream = nested(
    "discount_applications",
    "DiscountApplication",
    DISCOUNT_APPLICATION_FIELDS,
    OrdersStream,
    "discountApplications",
    key="index",
)


LIVE_RETURNS = "orders_with_live_returns"  # the state's list of them


@dataclass(frozen=True)
class EachOrderWithReturns(EachOwner):
    """The orders the search finds, and those whose returns could still change when last read (requested
    or open): declining or canceling the last of them leaves the order `NO_RETURN`, which the search no
    longer finds, so they are read once more (kept in the state)."""

    def owner_ids(self, stream: ShopifyStream) -> Iterator[str]:
        found = set()
        for order_id in super().owner_ids(stream):
            found.add(order_id)
            yield order_id
        yield from (order_id for order_id in stream.stream_state.get(LIVE_RETURNS, ()) if order_id not in found)

    def records(self, stream: ShopifyStream, context: Mapping[str, Any] | None) -> Iterator[dict[str, Any]]:
        live = set()
        for record in super().records(stream, context):
            if record.get("status") not in ("CLOSED", "DECLINED", "CANCELED"):  # a status not selected: kept
                live.add(record[self.owner_key])
            yield record
        stream.stream_state[LIVE_RETURNS] = sorted(live)


class ReturnsStream(ShopifyStream):
    name = "returns"
    graphql_type = "Return"
    replication_key = None
    reader = EachOrderWithReturns(
        owners="orders",
        owner="order",
        connection="returns",
        owner_key="orderId",
        owners_search="-return_status:no_return",
    )
    fields = RETURN_FIELDS

    def __init__(self, tap: Any) -> None:
        super().__init__(tap)
        self.schema["properties"]["orderId"] = {"type": "string"}


ReturnLineItemsStream = nested(
    "return_line_items", "ReturnLineItemType", RETURN_LINE_ITEM_FIELDS, ReturnsStream, "returnLineItems"
)
