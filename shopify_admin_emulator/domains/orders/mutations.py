"""orderCreate / orderUpdate / orderCancel / orderClose / orderOpen / orderDelete, validated and worded
as Shopify answers them in the captured calls (../shared/shopify-captures/*/orders).

Validation runs before anything changes, so a mutation answered with userErrors leaves the shop as it
was. orderCreate has no idempotency key: the same input sent twice makes two orders, as on Shopify.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from decimal import Decimal
from typing import Any

from ...graphql_api import Context, resolves
from ...resources import find, user_error
from ...store import Record, Store, iso, money
from ..customers.models import ADDRESS_FIELDS, marketing_consent, new_address, new_customer
from ..customers.reads import customer_by
from ..fulfillments.models import new_fulfillment_order
from ..inventory.models import commit_stock, release_stock
from ..metafields.models import set_metafields
from ..metafields.mutations import nested_metafield_errors
from .ledger import (
    CENT,
    discount_application,
    fixed,
    gross,
    new_shipping_line,
    new_transaction,
    percentage,
    percentage_off,
    spread,
    tax_line,
)
from .models import new_line_item, new_order
from .reads import fulfillment_status

Errors = list[dict[str, Any]]

MAX_STAFF_NOTE = 255
ORDER_MISSING = "Order does not exist"
# Money is still held on orders in these states, so cancelling them without a refund leaves them open.
MONEY_HELD = {"PAID", "PARTIALLY_PAID", "PARTIALLY_REFUNDED", "AUTHORIZED"}
PHONE = re.compile(r"^\+?\d{7,15}$")


# shared helpers (fulfillment_mutations uses them too) ---------------------------------------------
def amount_of(money_bag_input: dict[str, Any] | None) -> Decimal:
    """The shop amount of a MoneyBagInput (absent → 0)."""
    return Decimal(str(money_bag_input["shopMoney"]["amount"])) if money_bag_input else Decimal(0)


def touch_order(store: Store, order: Record, *children: Record) -> None:
    """Move updatedAt on the order and on the records of it that changed, all to the same second."""
    now = store.clock.now_iso()
    for record in (order, *children):
        store.touch(record, now)


def archive_if_done(store: Store, order: Record) -> None:
    """Shopify archives (closes) an order once it is paid and fully fulfilled."""
    done = fulfillment_status(order) == "FULFILLED" and order.get("displayFinancialStatus") == "PAID"
    if done and not order["closed"]:
        order["closed"], order["closedAt"] = True, store.clock.now_iso()


def open_fulfillment_order(store: Store, order: Record, quantities: list[tuple[Record, int]]) -> Record:
    """A fulfillment order opened now for (line item, quantity) pairs; Shopify rounds fulfillAt down to the hour."""
    now = store.clock.now()
    return new_fulfillment_order(store, order, quantities, iso(now), iso(now), iso(now // 3600 * 3600))


# mailing addresses -------------------------------------------------------------------------------
def _codes(words: str) -> frozenset[str]:
    return frozenset(words.split())


COUNTRIES: dict[str, tuple[str, str, str, frozenset[str]]] = {
    # code: (name, what its postal code is called, what its regions are called, region codes)
    "US": (
        "United States",
        "ZIP code",
        "State",
        _codes(
            "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
            "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI UM AA AE AP"
        ),
    ),
    "CA": (
        "Canada",
        "postal code",
        "Province",
        _codes("AB BC MB NB NL NS NT NU ON PE QC SK YT"),
    ),
}
ADDRESS_KEYS = ("firstName", "lastName", "company", "address1", "address2", "city", "province", "zip", "phone")


def address_errors(address: Record, path: str) -> Errors:
    """The checks Shopify's address form makes, in its order: last name, postal code, region."""
    errors: Errors = []
    if not (address.get("lastName") or "").strip():
        errors.append(user_error([path, "lastName"], "Enter a last name"))
    country = COUNTRIES.get(address.get("countryCodeV2") or "")
    if country is None:
        return errors
    name, postal, region, regions = country
    if not (address.get("zip") or "").strip():
        errors.append(user_error([path, "zip"], f"Enter a {postal}"))
    if address.get("provinceCode") not in regions:
        errors.append(user_error([path, "province"], f"{region} is not a valid {region.lower()} in {name}"))
    return errors


def merged_address(store: Store, current: Record | None, given: dict[str, Any]) -> Record:
    """A MailingAddress record: the current one with the given MailingAddressInput fields laid over it."""
    values = {k: (current or {}).get(k) for k in ADDRESS_FIELDS}
    values.update({k: given[k] for k in ADDRESS_KEYS if k in given})
    if "countryCode" in given:
        values["countryCodeV2"] = given["countryCode"]
        values["country"] = COUNTRIES.get(given["countryCode"], (given["countryCode"],))[0]
    elif "country" in given:
        values["country"] = given["country"]
    if "provinceCode" in given:
        values["provinceCode"] = given["provinceCode"]
        values["province"] = given.get("province") or given["provinceCode"]
    return new_address(store, **values)


def clean_tags(tags: list[str] | None) -> list[str]:
    return sorted({t.strip() for t in tags or [] if t.strip()})


# orderCreate -------------------------------------------------------------------------------------
def _tax_rate_errors(tax_lines: list[dict[str, Any]] | None, path: list[str]) -> Errors:
    """Shopify puts integer indexes in these paths; the String scalar here renders them as "0"."""
    return [
        user_error([*path, "taxLines", str(j), "rate"], "Tax line rate is missing", "TAX_LINE_RATE_MISSING")
        for j, tax in enumerate(tax_lines or [])
        if tax.get("rate") in (None, "")
    ]


def order_create_errors(ctx: Context, data: dict[str, Any]) -> Errors:
    """Messages other than the line-item one are not in the captures (they select only field and code)."""
    lines = data.get("lineItems") or []
    if not lines:
        return [user_error(["order", "lineItems"], "Line items must have at least one line item", "INVALID")]
    errors: Errors = []
    processed = data.get("processedAt")
    if processed and datetime.fromisoformat(processed).timestamp() > ctx.store.clock.now():
        errors.append(
            user_error(["order", "processedAt"], "Processed at can't be in the future", "PROCESSED_AT_INVALID")
        )
    if data.get("customerId") and data.get("customer"):
        errors.append(user_error(["order"], "Provide only one of customerId or customer", "REDUNDANT_CUSTOMER_FIELDS"))
    for i, line in enumerate(lines):
        if line.get("variantId") and find(ctx, line["variantId"], "ProductVariant") is None:
            errors.append(user_error(["order", "lineItems", str(i), "variantId"], "Variant does not exist", "INVALID"))
        errors += _tax_rate_errors(line.get("taxLines"), ["order", "lineItems", str(i)])
    for i, shipping in enumerate(data.get("shippingLines") or []):
        errors += _tax_rate_errors(shipping.get("taxLines"), ["order", "shippingLines", str(i)])
    return errors + nested_metafield_errors(ctx, "Order", None, data.get("metafields") or [], ["order"], "INVALID")


def _tax_lines(given: list[dict[str, Any]] | None, base: Decimal) -> list[dict[str, Any]]:
    """TaxLines of OrderCreateTaxLineInputs: the amount given, else the rate of `base`."""
    return [
        tax_line(
            t["title"],
            Decimal(str(t["rate"])),
            amount_of(t["priceSet"]) if t.get("priceSet") else (base * Decimal(str(t["rate"]))).quantize(CENT),
        )
        for t in given or []
    ]


def _tax(tax_lines: list[dict[str, Any]]) -> Decimal:
    return sum((Decimal(t["_amount"]) for t in tax_lines), Decimal(0))


def _line_item(ctx: Context, order: Record, data: dict[str, Any]) -> Record:
    variant = find(ctx, data.get("variantId"), "ProductVariant")
    product = variant["_product"] if variant else find(ctx, data.get("productId"), "Product")
    title = data.get("title") or (product["title"] if product else "")
    variant_title = data.get("variantTitle") or (variant["title"] if variant else None)
    price = amount_of(data["priceSet"]) if data.get("priceSet") else Decimal(variant["price"] if variant else 0)
    quantity = data["quantity"]
    # The input defaults requiresShipping to false; a variant's own setting still counts.
    requires_shipping = bool(data.get("requiresShipping")) or bool(
        variant and variant["inventoryItem"]["requiresShipping"]
    )
    line = new_line_item(
        ctx.store,
        order,
        variant,
        product,
        name=f"{title} - {variant_title}" if variant_title and variant_title != "Default Title" else title,
        title=title,
        variant_title=variant_title,
        quantity=quantity,
        unit_price=money(price),
        sku=data.get("sku"),
        vendor=data.get("vendor"),
        requires_shipping=requires_shipping,
        taxable=data.get("taxable") is not False,
        custom_attributes=[{"key": p["name"], "value": p["value"]} for p in data.get("properties") or []],
    )
    line["_tax_lines"] = _tax_lines(data.get("taxLines"), price * quantity)
    line["_tax"] = money(_tax(line["_tax_lines"]))
    return line


def _discounts(order: Record, data: dict[str, Any], lines: list[Record]) -> tuple[Decimal, Decimal]:
    """(line discount, shipping discount) of the order's discount code, recorded as its discount
    application and allocated over the lines (or taken off the shipping lines)."""
    code = data.get("discountCode") or {}
    line_discount = Decimal(0)
    value = None
    if code.get("itemFixedDiscountCode"):
        given = code["itemFixedDiscountCode"]
        line_discount = amount_of(given.get("amountSet"))
        value = fixed(order, line_discount)
    elif code.get("itemPercentageDiscountCode"):
        given = code["itemPercentageDiscountCode"]
        rate = Decimal(str(given.get("percentage") or 0))
        line_discount = percentage_off(lines, rate)
        value = percentage(rate)
    line_discount = min(line_discount, gross(lines))
    if line_discount and value is not None:
        spread(lines, discount_application(order, "DiscountCodeApplication", value, code=given["code"]), line_discount)
    shipping_discount = Decimal(0)
    if code.get("freeShippingDiscountCode"):
        given = code["freeShippingDiscountCode"]
        discount_application(
            order, "DiscountCodeApplication", percentage(Decimal(100)), code=given["code"], target_type="SHIPPING_LINE"
        )
        for line in order.get("_shipping_lines", []):
            line["_discount"] = line["_price"]
            shipping_discount += Decimal(line["_price"])
    return line_discount, shipping_discount


def _financial_status(data: dict[str, Any], total: Decimal) -> str | None:
    """The given status, else the one the transactions imply; no status and no transactions → null."""
    if data.get("financialStatus"):
        return str(data["financialStatus"])
    done = [t for t in data.get("transactions") or [] if (t.get("status") or "SUCCESS") == "SUCCESS"]
    received = sum((amount_of(t["amountSet"]) for t in done if t.get("kind") in (None, "SALE", "CAPTURE")), Decimal(0))
    authorized = sum((amount_of(t["amountSet"]) for t in done if t.get("kind") == "AUTHORIZATION"), Decimal(0))
    if received > 0:
        return "PAID" if received >= total else "PARTIALLY_PAID"
    return "AUTHORIZED" if authorized > 0 else None


def _presentment_rate(data: dict[str, Any]) -> str:
    """Presentment units per shop unit, from the first line priced in both currencies."""
    for line in data["lineItems"]:
        both = line.get("priceSet") or {}
        if both.get("presentmentMoney") and Decimal(str(both["shopMoney"]["amount"])):
            return str(Decimal(str(both["presentmentMoney"]["amount"])) / Decimal(str(both["shopMoney"]["amount"])))
    return "1"


def _new_customer(store: Store, attrs: dict[str, Any]) -> Record:
    """A customer made by orderCreate's upsert."""
    return store.put(
        new_customer(
            store,
            firstName=attrs.get("firstName"),
            lastName=attrs.get("lastName"),
            email=attrs.get("email"),
            phone=attrs.get("phone"),
            note=attrs.get("note"),
            tags=clean_tags(attrs.get("tags")),
            taxExempt=bool(attrs.get("taxExempt")),
            emailMarketingConsent=marketing_consent("NOT_SUBSCRIBED"),
        )
    )


def _customer_for(ctx: Context, data: dict[str, Any]) -> Record | None:
    """customerId, customer.toAssociate (must exist), customer.toUpsert (found or made), or else the order
    email, which Shopify upserts a customer for."""
    if data.get("customerId"):
        return find(ctx, data["customerId"], "Customer")
    choice = data.get("customer") or {}
    given = choice.get("toAssociate") or choice.get("toUpsert")
    if given is None and data.get("email"):
        given = {"email": data["email"]}
    if given is None:
        return None
    existing = find(ctx, given.get("id"), "Customer") or (
        customer_by(ctx, email=given["email"]) if given.get("email") else None
    )
    if existing is not None or choice.get("toAssociate"):
        return existing
    return _new_customer(ctx.store, given)


def create_order(ctx: Context, data: dict[str, Any]) -> Record:
    store = ctx.store
    now = store.clock.now_iso()
    currency = data.get("currency") or store.currency
    customer = _customer_for(ctx, data)
    order = new_order(
        store,
        customer,
        now,
        name=data.get("name"),
        email=data.get("email"),
        processedAt=data.get("processedAt") or now,
        closed=bool(data.get("closedAt")),
        closedAt=data.get("closedAt"),
        phone=data.get("phone"),
        note=data.get("note"),
        poNumber=data.get("poNumber"),
        tags=clean_tags(data.get("tags")),
        sourceIdentifier=data.get("sourceIdentifier"),
        sourceName=data.get("sourceName"),
        test=bool(data.get("test")),
        currencyCode=currency,
        presentmentCurrencyCode=data.get("presentmentCurrency") or currency,
        taxesIncluded=bool(data.get("taxesIncluded")),
        customAttributes=[{"key": a["key"], "value": a["value"]} for a in data.get("customAttributes") or []],
    )
    for key in ("shippingAddress", "billingAddress"):
        order[key] = merged_address(store, None, data[key]) if data.get(key) else None
    order["_fx"] = _presentment_rate(data)
    lines = order["_line_items"] = [_line_item(ctx, order, line) for line in data["lineItems"]]
    for given in data.get("shippingLines") or []:
        price = amount_of(given["priceSet"])
        tax_lines = _tax_lines(given.get("taxLines"), price)
        new_shipping_line(
            store,
            order,
            given["title"],
            price,
            code=given.get("code"),
            source=given.get("source") or "shopify",
            tax_lines=tax_lines,
        )
    shipping = sum((Decimal(s["_price"]) for s in order.get("_shipping_lines", [])), Decimal(0))
    line_discount, shipping_discount = _discounts(order, data, lines)
    subtotal = gross(lines) - line_discount
    order["_tax_lines"] = _tax_lines(data.get("taxLines"), subtotal)
    tax = (
        sum((Decimal(li["_tax"]) for li in lines), Decimal(0))
        + sum((_tax(s["_tax_lines"]) for s in order.get("_shipping_lines", [])), Decimal(0))
        + _tax(order["_tax_lines"])
    )
    total = subtotal + shipping - shipping_discount + (Decimal(0) if order["taxesIncluded"] else tax)
    order.update(
        _subtotal=money(subtotal),
        _total_tax=money(tax),
        _total_shipping=money(shipping),
        _total_discounts=money(line_discount + shipping_discount),
        _total_price=money(total),
        _total_refunded="0.0",
        displayFinancialStatus=_financial_status(data, total),
    )
    for given in data.get("transactions") or []:
        new_transaction(
            store,
            order,
            given.get("kind") or "SALE",
            amount_of(given["amountSet"]),
            given.get("processedAt") or now,
            gateway=given.get("gateway") or "manual",
            status=given.get("status") or "SUCCESS",
        )
    order["_fulfillments"] = []
    set_metafields(store, order, data.get("metafields") or [], now)
    open_fulfillment_order(store, order, [(li, li["quantity"]) for li in lines])
    if customer is not None:
        store.touch(customer, now)
    return store.put(order)


@resolves("Mutation.orderCreate")
def order_create(
    _root: Any, ctx: Context, order: dict[str, Any], options: dict[str, Any] | None = None
) -> dict[str, Any]:
    errors = order_create_errors(ctx, order)
    if errors:
        return {"order": None, "userErrors": errors}
    created = create_order(ctx, order)
    if (options or {}).get("inventoryBehaviour", "BYPASS") != "BYPASS":
        for li in created["_line_items"]:
            commit_stock(ctx.store, li, ctx.store.table("ProductVariant").get(li["_variant_id"] or 0))
    return {"order": created, "userErrors": []}


# orderUpdate -------------------------------------------------------------------------------------
@resolves("Mutation.orderUpdate")
def order_update(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    order = find(ctx, input["id"], "Order")
    if order is None:
        return {"order": None, "userErrors": [user_error(["id"], ORDER_MISSING)]}
    changes = {k: v for k, v in input.items() if k != "id"}
    if not changes:
        return {"order": order, "userErrors": [user_error(None, "No valid update parameters have been provided")]}
    errors: Errors = []
    if changes.get("phone") and not PHONE.match(re.sub(r"[\s().-]", "", changes["phone"])):
        errors.append(user_error(["phone"], "Phone is invalid"))
    address = None
    if changes.get("shippingAddress") is not None:
        address = merged_address(ctx.store, order.get("shippingAddress"), changes["shippingAddress"])
        errors += address_errors(address, "shippingAddress")
    if errors:
        return {"order": order, "userErrors": errors}
    for key in ("email", "phone", "note", "poNumber"):
        if key in changes:
            order[key] = changes[key]
    if "tags" in changes:
        order["tags"] = clean_tags(changes["tags"])
    if "customAttributes" in changes:
        order["customAttributes"] = [{"key": a["key"], "value": a["value"]} for a in changes["customAttributes"] or []]
    if "shippingAddress" in changes:
        order["shippingAddress"] = address
    touch_order(ctx.store, order)
    return {"order": order, "userErrors": []}


# orderCancel -------------------------------------------------------------------------------------
def _cancel_error(
    order: Record | None, refund: bool | None, refund_method: dict[str, Any] | None, staff_note: str | None
) -> dict[str, Any] | None:
    if staff_note is not None and len(staff_note) > MAX_STAFF_NOTE:
        return user_error(
            ["staffNote"], f"Staff note is too long. Maximum length is {MAX_STAFF_NOTE} characters.", "INVALID"
        )
    if refund is not None and refund_method is not None:
        return user_error(["refund"], "Only one of the arguments `refund` or `refund_method` is allowed.", "INVALID")
    if order is None:
        return user_error(["orderId"], ORDER_MISSING, "NOT_FOUND")
    if order.get("cancelledAt"):
        return user_error(["orderId"], "Cannot cancel an order that has already been canceled", "INVALID")
    if any(f["status"] == "SUCCESS" for f in order.get("_fulfillments", [])):
        return user_error(["orderId"], "Cannot cancel an order that has outstanding fulfillments", "INVALID")
    return None


def cancel_order(store: Store, order: Record, reason: str, refund: bool) -> None:
    """What the cancel job does: nothing is left to fulfil, fulfillment orders close, money is returned
    only when asked, and the order is archived unless it still holds money."""
    now = store.clock.now_iso()
    order["cancelledAt"], order["cancelReason"] = now, reason
    for li in order.get("_line_items", []):
        li["_removed"] = li["quantity"] - li.get("_fulfilled", 0)
        release_stock(store, li, li["_removed"], shipped=False)
    status = order.get("displayFinancialStatus")
    if refund and status in MONEY_HELD:
        order["displayFinancialStatus"] = "VOIDED" if status == "AUTHORIZED" else "REFUNDED"
        order["_total_refunded"] = order["_total_price"] if status != "AUTHORIZED" else "0.0"
    if order.get("displayFinancialStatus") not in MONEY_HELD:
        order["closed"], order["closedAt"] = True, now
    open_fos = [fo for fo in order.get("_fulfillment_orders", []) if fo["status"] in ("OPEN", "IN_PROGRESS")]
    for fo in open_fos:
        fo["status"] = "CLOSED"  # Shopify reports CLOSED (not CANCELLED) for a cancelled order's FOs
    touch_order(store, order, *open_fos)


@resolves("Mutation.orderCancel")
def order_cancel(
    _root: Any,
    ctx: Context,
    orderId: str,
    restock: bool,
    reason: str,
    refund: bool | None = None,
    refundMethod: dict[str, Any] | None = None,
    notifyCustomer: bool | None = None,
    staffNote: str | None = None,
) -> dict[str, Any]:
    order = find(ctx, orderId, "Order")
    error = _cancel_error(order, refund, refundMethod, staffNote)
    if error is not None or order is None:
        plain = {k: v for k, v in (error or {}).items() if k != "code"}
        return {"job": None, "orderCancelUserErrors": [error], "userErrors": [plain]}
    wants_refund = bool(refund) or bool((refundMethod or {}).get("originalPaymentMethodsRefund"))
    cancel_order(ctx.store, order, reason, wants_refund)
    # Shopify cancels in a background job and answers before it has run.
    job = {"id": f"gid://shopify/Job/{uuid.uuid4()}", "done": False, "query": {}}
    return {"job": job, "orderCancelUserErrors": [], "userErrors": []}


# orderClose / orderOpen --------------------------------------------------------------------------
def _set_closed(ctx: Context, global_id: str, closed: bool) -> dict[str, Any]:
    """Closing a closed order or opening an open one answers the order unchanged and without errors."""
    order = find(ctx, global_id, "Order")
    if order is None:
        return {"order": None, "userErrors": [user_error(["id"], ORDER_MISSING)]}
    if order["closed"] != closed:
        order["closed"], order["closedAt"] = closed, ctx.store.clock.now_iso() if closed else None
        touch_order(ctx.store, order)
    return {"order": order, "userErrors": []}


@resolves("Mutation.orderClose")
def order_close(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    return _set_closed(ctx, input["id"], True)


@resolves("Mutation.orderOpen")
def order_open(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    return _set_closed(ctx, input["id"], False)


# orderDelete -------------------------------------------------------------------------------------
@resolves("Mutation.orderDelete")
def order_delete(_root: Any, ctx: Context, orderId: str) -> dict[str, Any]:
    store = ctx.store
    order = find(ctx, orderId, "Order")
    if order is None:
        return {"deletedId": None, "userErrors": [user_error(["orderId"], ORDER_MISSING, "NOT_FOUND")]}
    store.table("Order").delete(order["_n"])
    for child in order.get("_fulfillment_orders", []) + order.get("_fulfillments", []):
        store.table(child["__typename"]).delete(child["_n"])
    owner = store.table("Customer").get(order.get("_customer_id") or 0)
    if owner is not None and order["_n"] in owner["_order_ids"]:
        owner["_order_ids"].remove(order["_n"])
        store.touch(owner)
    store.record_destroy(order, order["name"])
    return {"deletedId": order["id"], "userErrors": []}


@resolves("LineItem.fulfillableQuantity")
def fulfillable_quantity(li: Record, _ctx: Context) -> int:
    """What is still to fulfil; the captures show cancelling an order leaves this as it was."""
    return int(li["quantity"] - li.get("_fulfilled", 0))
