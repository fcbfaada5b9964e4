"""inventorySetQuantities, inventoryAdjustQuantities, inventoryActivate and inventoryItemUpdate, with the
userErrors Shopify gives (captured in 2026-04) and the `@idempotent(key:)` it requires since 2026-04."""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import GraphQLError

from ...graphql_api import Context, resolves
from ...resources import find, user_error
from ...store import Record, Store
from .models import change_quantity, stock, unit_cost
from .reads import quantity

REASONS = [
    "correction",
    "cycle_count_available",
    "damaged",
    "movement_canceled",
    "movement_created",
    "movement_received",
    "movement_updated",
    "other",
    "promotion",
    "quality_control",
    "received",
    "reservation_created",
    "reservation_deleted",
    "reservation_updated",
    "restock",
    "safety_stock",
    "shrinkage",
]
ADJUSTABLE = ("available", "damaged", "incoming", "quality_control", "reserved", "safety_stock")
BILLION = 1_000_000_000

Errors = list[dict[str, Any]]
Change = tuple[Record, str, int, str | None]  # (level, quantity name, delta, ledger document)


def idempotent(mutation: str) -> Callable[[Callable[..., dict[str, Any]]], Callable[..., dict[str, Any]]]:
    """Shopify's `@idempotent(key:)`, required on `mutation` since 2026-04: the same key and arguments
    answer what the first call answered without doing it again; the same key with other arguments is
    refused."""

    def wrap(fn: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
        @functools.wraps(fn)
        def run(root: Any, ctx: Context, **args: Any) -> dict[str, Any]:
            key = ctx.idempotency_key
            if key is None:
                message = "The @idempotent directive is required for this mutation but was not provided."
                raise GraphQLError(message, extensions={"code": "BAD_REQUEST"})
            seen = ctx.store.idempotent_answers.get((mutation, key))
            if seen is not None:
                return seen[1] if seen[0] == args else _key_reused(seen[1])
            answer = fn(root, ctx, **args)
            ctx.store.idempotent_answers[(mutation, key)] = (args, answer)
            return answer

        return run

    return wrap


def _key_reused(answer: dict[str, Any]) -> dict[str, Any]:
    message = "The same idempotency key cannot be used with different operation parameters."
    payload = {key: None for key in answer if key != "userErrors"}
    return {**payload, "userErrors": [user_error(None, message, "IDEMPOTENCY_KEY_PARAMETER_MISMATCH")]}


def require_change_from(rows: list[dict[str, Any]], input_type: str) -> None:
    """Since 2026-04 every row must say what it changes from: a request error, before anything else."""
    if any("changeFromQuantity" not in row for row in rows):
        message = f"{input_type} must include the following argument: changeFromQuantity."
        raise GraphQLError(message, extensions={"code": "INVALID_FIELD_ARGUMENTS"})


def reason_errors(reason: str) -> Errors:
    if reason in REASONS:
        return []
    message = f"The specified reason is invalid. Valid values are: {', '.join(REASONS)}."
    return [user_error(["input", "reason"], message, "INVALID_REASON")]


def target_errors(store: Store, rows: list[dict[str, Any]], path: list[str]) -> Errors:
    """Unknown items and locations, and item-location pairs named twice."""
    errors: Errors = []
    pairs: dict[tuple[str, str], list[int]] = {}
    for i, row in enumerate(rows):
        if store.node(row["inventoryItemId"], "InventoryItem") is None:
            message = "The specified inventory item could not be found."
            errors.append(user_error([*path, str(i), "inventoryItemId"], message, "INVALID_INVENTORY_ITEM"))
        if store.node(row["locationId"], "Location") is None:
            message = "The specified location could not be found."
            errors.append(user_error([*path, str(i), "locationId"], message, "INVALID_LOCATION"))
        pairs.setdefault((row["inventoryItemId"], row["locationId"]), []).append(i)
    for rows_of_pair in pairs.values():
        for i in rows_of_pair if len(rows_of_pair) > 1 else ():
            message = "The combination of inventoryItemId and locationId must be unique."
            errors.append(
                user_error([*path, str(i), "locationId"], message, "NO_DUPLICATE_INVENTORY_ITEM_ID_GROUP_ID_PAIR")
            )
    return errors


def bound_error(value: int, limit: int, field: list[str], noun: str = "quantity") -> dict[str, Any] | None:
    if value > limit:
        return user_error(field, f"The {noun} can't be higher than {limit:,}.", "INVALID_QUANTITY_TOO_HIGH")
    if value < -limit:
        return user_error(field, f"The {noun} can't be lower than {-limit:,}.", "INVALID_QUANTITY_TOO_LOW")
    return None


def level_of(store: Store, row: dict[str, Any]) -> Record | None:
    item = store.node(row["inventoryItemId"], "InventoryItem")
    location = store.node(row["locationId"], "Location")
    level = item and location and item.get("_levels", {}).get(location["_n"])
    return level if level and level["isActive"] else None


def state_errors(store: Store, rows: list[dict[str, Any]], path: list[str], name: str) -> Errors:
    """Rows whose item is not stocked at the location, or whose changeFromQuantity is not the quantity now."""
    errors: Errors = []
    for i, row in enumerate(rows):
        level = level_of(store, row)
        if level is None:
            message = "The specified inventory item is not stocked at the location."
            errors.append(user_error([*path, str(i), "locationId"], message, "ITEM_NOT_STOCKED_AT_LOCATION"))
        elif row["changeFromQuantity"] is not None and row["changeFromQuantity"] != quantity(level, name):
            message = "The changeFromQuantity argument no longer matches the persisted quantity."
            errors.append(user_error([*path, str(i), "changeFromQuantity"], message, "CHANGE_FROM_QUANTITY_STALE"))
    return errors


def apply(store: Store, data: dict[str, Any], changes: list[Change]) -> Record | None:
    """Make the changes (zero ones are dropped) as one adjustment group; none when nothing changes. Every
    change but one to `incoming` moves on_hand as well, which is listed after it."""
    now = store.clock.now_iso()
    listed: list[dict[str, Any]] = []
    for level, name, delta, ledger in changes:
        if not delta:
            continue
        change_quantity(store, level, name, delta, now)
        where = {"item": level["_item"], "location": level["_location"], "quantityAfterChange": None}
        listed.append({"name": name, "delta": delta, "ledgerDocumentUri": ledger, **where})
        if name != "incoming":
            listed.append({"name": "on_hand", "delta": delta, "ledgerDocumentUri": None, **where})
    if not listed:
        return None
    return store.put(
        store.new_record(
            "InventoryAdjustmentGroup",
            createdAt=now,
            reason=data["reason"],
            referenceDocumentUri=data.get("referenceDocumentUri"),
            changes=listed,
        )
    )


def answer(group: Record | None, errors: Errors) -> dict[str, Any]:
    return {"inventoryAdjustmentGroup": None if errors else group, "userErrors": errors}


# inventorySetQuantities --------------------------------------------------------------------------
def set_quantity_errors(rows: list[dict[str, Any]], name: str) -> Errors:
    errors: Errors = []
    for i, row in enumerate(rows):
        field = ["input", "quantities", str(i), "quantity"]
        if name == "on_hand" and row["quantity"] < 0:
            errors.append(user_error(field, "The quantity can't be negative.", "INVALID_QUANTITY_NEGATIVE"))
        elif (error := bound_error(row["quantity"], BILLION, field)) is not None:
            errors.append(error)
    return errors


@resolves("Mutation.inventorySetQuantities")
def inventory_set_quantities(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    require_change_from(input["quantities"], "InventoryQuantityInput")
    return _set_quantities(_root, ctx, input=input)


@idempotent("inventorySetQuantities")
def _set_quantities(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    store, rows, name = ctx.store, input["quantities"], input["name"]
    if name not in ("available", "on_hand"):
        message = "The quantity name must be either 'available' or 'on_hand'."
        return answer(None, [user_error(["input", "name"], message, "INVALID_NAME")])
    path = ["input", "quantities"]
    errors = reason_errors(input["reason"]) + target_errors(store, rows, path) + set_quantity_errors(rows, name)
    errors = errors or state_errors(store, rows, path, name)
    if errors:
        return answer(None, errors)
    # on_hand is a sum: setting it moves `available` by the difference
    changes: list[Change] = [
        (level, "available", row["quantity"] - quantity(level, name), None)
        for row in rows
        if (level := level_of(store, row))
    ]
    return answer(apply(store, input, changes), [])


# inventoryAdjustQuantities -----------------------------------------------------------------------
def ledger_errors(rows: list[dict[str, Any]], name: str) -> Errors:
    """Shopify's ledger document rules: none for `available`, one (not a gid://shopify/ one) otherwise,
    the same on every change."""
    errors: Errors = []
    for i, row in enumerate(rows):
        ledger, field = row.get("ledgerDocumentUri"), ["input", "changes", str(i), "ledgerDocumentUri"]
        if name == "available" and ledger:
            message = "A ledger document URI is not allowed when adjusting available."
            errors.append(user_error(field, message, "INVALID_AVAILABLE_DOCUMENT"))
        elif name != "available" and not ledger:
            message = "A ledger document URI is required except when adjusting available."
            errors.append(user_error(field, message, "INVALID_QUANTITY_DOCUMENT"))
        elif ledger and ledger.startswith("gid://shopify/"):
            message = "Internal (gid://shopify/) ledger documents are not allowed to be adjusted via API."
            errors.append(user_error(field, message, "INTERNAL_LEDGER_DOCUMENT"))
    if not errors and len({row.get("ledgerDocumentUri") for row in rows}) > 1:
        message = (
            "All changes must have the same ledger document URI or, in the case of adjusting available,"
            " no ledger document URI."
        )
        errors.append(user_error(["input", "changes"], message, "MAX_ONE_LEDGER_DOCUMENT"))
    return errors


@resolves("Mutation.inventoryAdjustQuantities")
def inventory_adjust_quantities(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    require_change_from(input["changes"], "InventoryChangeInput")
    return _adjust_quantities(_root, ctx, input=input)


@idempotent("inventoryAdjustQuantities")
def _adjust_quantities(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    store, rows, name = ctx.store, input["changes"], input["name"]
    if name not in ADJUSTABLE:
        message = f"The specified quantity name is invalid. Valid values are: {', '.join(ADJUSTABLE)}."
        return answer(None, [user_error(["input", "name"], message, "INVALID_QUANTITY_NAME")])
    path = ["input", "changes"]
    errors = reason_errors(input["reason"]) + target_errors(store, rows, path)
    errors += [
        error
        for i, row in enumerate(rows)
        if (error := bound_error(row["delta"], 2 * BILLION, [*path, str(i), "delta"])) is not None
    ]
    errors = errors or ledger_errors(rows, name) or state_errors(store, rows, path, name)
    if errors:
        return answer(None, errors)
    changes = [
        (level, name, row["delta"], row.get("ledgerDocumentUri")) for row in rows if (level := level_of(store, row))
    ]
    return answer(apply(store, input, changes), [])


# inventoryActivate -------------------------------------------------------------------------------
def activate_errors(level: Record | None, location: Record, available: int | None, on_hand: int | None) -> Errors:
    cannot = f"The product couldn't be stocked at {location['name']} because"
    if level is not None:  # already stocked: quantities may not be given
        given = [("available", available, "available quantity"), ("onHand", on_hand, "an on_hand quantity")]
        return [
            user_error([field], f"Not allowed to set {noun} when the item is already active at the location.")
            for field, value, noun in given
            if value is not None
        ]
    if available is not None and on_hand is not None:
        message = f"{cannot} not allowed to set available and on_hand quantities at the same time."
        return [user_error(["available"], message), user_error(["onHand"], message)]
    return [
        user_error([field], f"{cannot} the quantity needs to be between -1 billion and 1 billion.")
        for field, value in (("available", available), ("onHand", on_hand))
        if value is not None and abs(value) > BILLION
    ]


@resolves("Mutation.inventoryActivate")
@idempotent("inventoryActivate")
def inventory_activate(
    _root: Any,
    ctx: Context,
    inventoryItemId: str,
    locationId: str,
    available: int | None = None,
    onHand: int | None = None,
) -> dict[str, Any]:
    item, location = find(ctx, inventoryItemId, "InventoryItem"), find(ctx, locationId, "Location")
    if item is None:
        return {"inventoryLevel": None, "userErrors": [user_error(["inventoryItemId"], "Inventory item not found.")]}
    if location is None:
        return {"inventoryLevel": None, "userErrors": [user_error(["locationId"], "Location not found.")]}
    existing = item.get("_levels", {}).get(location["_n"])
    errors = activate_errors(existing, location, available, onHand)
    if existing is not None:  # answered as it is, with the errors about quantities given
        return {"inventoryLevel": existing, "userErrors": errors}
    if errors:
        return {"inventoryLevel": None, "userErrors": errors}
    level = stock(ctx.store, item, location)
    change_quantity(ctx.store, level, "available", available if available is not None else onHand or 0)
    return {"inventoryLevel": level, "userErrors": []}


# inventoryItemUpdate -----------------------------------------------------------------------------
@resolves("Mutation.inventoryItemUpdate")
def inventory_item_update(_root: Any, ctx: Context, id: str, input: dict[str, Any]) -> dict[str, Any]:
    item = find(ctx, id, "InventoryItem")
    if item is None:
        return {
            "inventoryItem": None,
            "userErrors": [user_error(["id"], "The product couldn't be updated because it does not exist.")],
        }
    if input.get("cost") is not None:
        try:
            cost = Decimal(str(input["cost"]))
        except InvalidOperation:
            return {"inventoryItem": None, "userErrors": [user_error(["input", "cost"], "Cost is invalid")]}
        item["unitCost"] = unit_cost(ctx.store, cost)
    elif "cost" in input:
        item["unitCost"] = None
    for key in (
        "sku",
        "tracked",
        "countryCodeOfOrigin",
        "provinceCodeOfOrigin",
        "harmonizedSystemCode",
        "requiresShipping",
    ):
        if key in input:
            item[key] = input[key]
    if "sku" in input:
        item["_variant"]["sku"] = input["sku"]
    ctx.store.touch(item)
    return {"inventoryItem": item, "userErrors": []}
