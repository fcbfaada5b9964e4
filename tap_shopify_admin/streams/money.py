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
from typing import Any, ClassVar

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


class RefundsStream(NestedStream):
    name = "refunds"
    graphql_type = "Refund"
    fields = REFUND_FIELDS
    parent_stream_type: ClassVar[type] = OrdersStream  # type: ignore[misc]
    parent_field = "refunds"
    parent_key = "orderId"


class RefundLineItemsStream(NestedStream):
    name = "refund_line_items"
    graphql_type = "RefundLineItem"
    fields = REFUND_LINE_ITEM_FIELDS
    parent_stream_type: ClassVar[type] = RefundsStream  # type: ignore[misc]
    parent_field = "refundLineItems"
    parent_key = "refundId"


class OrderAdjustmentsStream(NestedStream):
    name = "order_adjustments"
    graphql_type = "OrderAdjustment"
    fields = ORDER_ADJUSTMENT_FIELDS
    parent_stream_type: ClassVar[type] = RefundsStream  # type: ignore[misc]
    parent_field = "orderAdjustments"
    parent_key = "refundId"


class RefundShippingLinesStream(NestedStream):
    name = "refund_shipping_lines"
    graphql_type = "RefundShippingLine"
    fields = REFUND_SHIPPING_LINE_FIELDS
    parent_stream_type: ClassVar[type] = RefundsStream  # type: ignore[misc]
    parent_field = "refundShippingLines"
    parent_key = "refundId"


class TransactionsStream(NestedStream):
    name = "transactions"
    graphql_type = "OrderTransaction"
    fields = TRANSACTION_FIELDS
    parent_stream_type: ClassVar[type] = OrdersStream  # type: ignore[misc]
    parent_field = "transactions"
    parent_key = "orderId"


class OrderTaxLinesStream(NestedStream):
    """The order's own tax lines (its lines' and shipping's summed by tax)."""

    name = "order_tax_lines"
    graphql_type = "TaxLine"
    fields = TAX_LINE_FIELDS
    parent_stream_type: ClassVar[type] = OrdersStream  # type: ignore[misc]
    parent_field = "taxLines"
    parent_key = "orderId"
    position_key = "position"
    primary_keys: ClassVar[list[str]] = ["orderId", "position"]  # type: ignore[misc]


class OrderLineItemTaxLinesStream(NestedStream):
    name = "order_line_item_tax_lines"
    graphql_type = "TaxLine"
    fields = TAX_LINE_FIELDS
    parent_stream_type: ClassVar[type] = OrderLineItemsStream  # type: ignore[misc]
    parent_field = "taxLines"
    parent_key = "lineItemId"
    position_key = "position"
    primary_keys: ClassVar[list[str]] = ["lineItemId", "position"]  # type: ignore[misc]


class OrderLineItemDiscountAllocationsStream(NestedStream):
    name = "order_line_item_discount_allocations"
    graphql_type = "DiscountAllocation"
    fields = DISCOUNT_ALLOCATION_FIELDS
    parent_stream_type: ClassVar[type] = OrderLineItemsStream  # type: ignore[misc]
    parent_field = "discountAllocations"
    parent_key = "lineItemId"
    position_key = "position"
    primary_keys: ClassVar[list[str]] = ["lineItemId", "position"]  # type: ignore[misc]


class ShippingLinesStream(NestedStream):
    name = "shipping_lines"
    graphql_type = "ShippingLine"
    fields = SHIPPING_LINE_FIELDS
    parent_stream_type: ClassVar[type] = OrdersStream  # type: ignore[misc]
    parent_field = "shippingLines"
    parent_key = "orderId"


class ShippingLineTaxLinesStream(NestedStream):
    name = "shipping_line_tax_lines"
    graphql_type = "TaxLine"
    fields = TAX_LINE_FIELDS
    parent_stream_type: ClassVar[type] = ShippingLinesStream  # type: ignore[misc]
    parent_field = "taxLines"
    parent_key = "shippingLineId"
    position_key = "position"
    primary_keys: ClassVar[list[str]] = ["shippingLineId", "position"]  # type: ignore[misc]


class DiscountApplicationsStream(NestedStream):
    """An order's discounts, by their `index`, which its lines' discount allocations name."""

    name = "discount_applications"
    graphql_type = "DiscountApplication"
    fields = DISCOUNT_APPLICATION_FIELDS
    primary_keys: ClassVar[list[str]] = ["orderId", "index"]  # type: ignore[misc]
    parent_stream_type: ClassVar[type] = OrdersStream  # type: ignore[misc]
    parent_field = "discountApplications"
    parent_key = "orderId"


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


class ReturnLineItemsStream(NestedStream):
    name = "return_line_items"
    graphql_type = "ReturnLineItemType"
    fields = RETURN_LINE_ITEM_FIELDS
    parent_stream_type: ClassVar[type] = ReturnsStream  # type: ignore[misc]
    parent_field = "returnLineItems"
    parent_key = "returnId"
