"""Discount mutations: basic and free-shipping discounts (code and automatic) created and updated,
activated, deactivated and deleted, and redeem codes added and deleted in bulk, validated and worded
as Shopify answers them in the captured calls (../shared/shopify-captures/2026-04/discounts)."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

from graphql import GraphQLError

from ...connections import bad_request, paginate_list
from ...graphql_api import Context, resolves
from ...resources import user_error
from ...search import Filter, Search
from ...store import Record, Store
from .models import AUTOMATIC, CODE, NODE_FIELD, apply_input, inner, new_discount, new_redeem_code, node_by_code

Errors = list[dict[str, Any]]
MAX_TEXT = 255
MAX_CODES = 250
MAX_QUANTITY = 2_147_483_647
MAX_SUBTOTAL = MAX_AMOUNT = Decimal(10) ** 18
# mutation name before Create/Update → (node kind, discount type, the input argument's name)
WRITES = {
    "discountCodeBasic": (CODE, "DiscountCodeBasic", "basicCodeDiscount"),
    "discountCodeFreeShipping": (CODE, "DiscountCodeFreeShipping", "freeShippingCodeDiscount"),
    "discountAutomaticBasic": (AUTOMATIC, "DiscountAutomaticBasic", "automaticBasicDiscount"),
    "discountAutomaticFreeShipping": (AUTOMATIC, "DiscountAutomaticFreeShipping", "freeShippingAutomaticDiscount"),
}
OVERLAP = "The same {} id is present in both 'add' and 'remove' fields"
MISSING = {CODE: "Code discount does not exist.", AUTOMATIC: "Automatic discount does not exist."}
PAYLOAD_FIELD = {CODE: "codeDiscountNode", AUTOMATIC: "automaticDiscountNode"}


def error(field: list[str] | None, message: str, code: str | None) -> dict[str, Any]:
    return {**user_error(field, message, code), "code": code, "extraInfo": None}


def payload(kind: str, node: Record | None, errors: Errors) -> dict[str, Any]:
    return {PAYLOAD_FIELD[kind]: None if errors else node, "userErrors": errors}


# validation --------------------------------------------------------------------------------------
def text_errors(root: str, name: str, value: Any, required: bool) -> Errors:
    """Title and code: present on create, 1 to 255 characters, codes on one line."""
    label = name.capitalize()
    if value is None:
        return [error([root, name], f"{label} can't be blank", "BLANK")] if required else []
    if name == "title" and not value.strip():
        return [error([root, name], f"{label} can't be blank", "BLANK")]
    if value == "":
        return [error([root, name], f"{label} is too short (minimum is 1 character)", "TOO_SHORT")]
    if len(value) > MAX_TEXT:
        return [error([root, name], f"{label} is too long (maximum is {MAX_TEXT} characters)", "TOO_LONG")]
    if name == "code" and ("\n" in value or "\r" in value):
        return [error([root, name], "Code cannot contain newline characters.", "INVALID")]
    return []


def window_errors(root: str, given: dict[str, Any], current: Record | None) -> Errors:
    starts = given.get("startsAt", current["startsAt"] if current else None)
    if starts is None:
        return [error([root, "startsAt"], "Starts at can't be blank", "BLANK")]
    ends = given.get("endsAt", current["endsAt"] if current else None)
    if ends is not None and ends[:19] <= starts[:19]:
        return [error([root, "endsAt"], "Ends at needs to be after starts_at", "INVALID")]
    return []


def value_errors(root: str, kind: str, gets: dict[str, Any] | None) -> Errors:
    """The value's bounds, which differ by kind: an automatic discount must take something off (Shopify
    keeps amounts negative, hence its wording), a code discount may take nothing."""
    value = (gets or {}).get("value") or {}
    path = [root, "customerGets", "value"]
    if sum(value.get(name) is not None for name in ("percentage", "discountOnQuantity", "discountAmount")) > 1:
        raise bad_request("A discount can only have one of percentage, discountOnQuantity or discountAmount.")
    if value.get("discountOnQuantity"):
        message = "discountOnQuantity field is only permitted with bxgy discounts."
        return [error([*path, "discountOnQuantity"], message, "INVALID")]
    percentage = value.get("percentage")
    if percentage is not None and not (0 < percentage <= 1 if kind == AUTOMATIC else 0 <= percentage <= 1):
        return [error([*path, "percentage"], "Value must be between 0.0 and 1.0", "VALUE_OUTSIDE_RANGE")]
    amount = (value.get("discountAmount") or {}).get("amount")
    return [] if amount is None else amount_errors([*path, "discountAmount", "amount"], kind, Decimal(str(amount)))


def amount_errors(path: list[str], kind: str, amount: Decimal) -> Errors:
    if amount >= MAX_AMOUNT:
        return [error(path, f"Value must be greater than -{MAX_AMOUNT}", "LESS_THAN")]
    if kind == AUTOMATIC and amount <= 0:
        return [error(path, "Value must be less than 0", "GREATER_THAN")]
    if amount < 0:
        return [error(path, "Value must be less than or equal to 0", "LESS_THAN_OR_EQUAL_TO")]
    return []


def request_conflicts(given: dict[str, Any]) -> None:
    """What Shopify refuses as a request error, before looking at anything else: customerSelection both
    everyone and named customers, or an id (a country) both added and removed."""
    selection = given.get("customerSelection") or {}
    if selection.get("all") and selection.get("customers"):
        raise bad_request(
            "A discount cannot have customerSelection set to all, when customers or customerSavedSearches is specified."
        )
    items = (given.get("customerGets") or {}).get("items") or {}
    products = items.get("products") or {}
    for holder, add, remove, message in (
        (selection.get("customers"), "add", "remove", "A customer id is present in `add` and `remove` fields"),
        (
            ((given.get("context") or {}).get("customers")),
            "add",
            "remove",
            "A customer id is present in `add` and `remove` fields",
        ),
        (items.get("collections"), "add", "remove", OVERLAP.format("Collection")),
        (products, "productsToAdd", "productsToRemove", OVERLAP.format("Product")),
        (products, "productVariantsToAdd", "productVariantsToRemove", OVERLAP.format("ProductVariant")),
        (
            (given.get("destination") or {}).get("countries"),
            "add",
            "remove",
            "A country code is present in `add` and `remove` field",
        ),
    ):
        if holder and set(holder.get(add) or []) & set(holder.get(remove) or []):
            raise bad_request(message)


def item_errors(store: Store, root: str, gets: dict[str, Any] | None) -> Errors:
    """Every product, variant and collection named must exist, and collections go alone."""
    items = (gets or {}).get("items") or {}
    products, collections = items.get("products") or {}, (items.get("collections") or {}).get("add") or []
    path = [root, "customerGets", "items"]
    if collections and (products.get("productsToAdd") or products.get("productVariantsToAdd")):
        return [
            error(
                [*path, "collections", "add"],
                "Cannot entitle collections in combination with product variants or products",
                "CONFLICT",
            )
        ]
    refs = [
        ("productsToAdd", "Product", "Product", ["products", "productsToAdd"]),
        ("productVariantsToAdd", "ProductVariant", "Product variant", ["products", "productVariantsToAdd"]),
    ]
    for key, type_name, label, where in refs:
        for ref in products.get(key) or []:
            if store.node(ref, type_name) is None:
                return [error([*path, *where], f"{label} with id: {ref.rsplit('/', 1)[-1]} is invalid", "INVALID")]
    for ref in collections:
        if store.node(ref, "Collection") is None:
            message = f"Collection with id: {ref.rsplit('/', 1)[-1]} is invalid"
            return [error([*path, "collections", "add"], message, "INVALID")]
    return []


def minimum_errors(root: str, minimum: dict[str, Any] | None) -> Errors:
    """One minimum at most, each below Shopify's bound."""
    path = [root, "minimumRequirement"]
    quantity = ((minimum or {}).get("quantity") or {}).get("greaterThanOrEqualToQuantity")
    subtotal = ((minimum or {}).get("subtotal") or {}).get("greaterThanOrEqualToSubtotal")
    at_quantity, at_subtotal = (
        [*path, "quantity", "greaterThanOrEqualToQuantity"],
        [*path, "subtotal", "greaterThanOrEqualToSubtotal"],
    )
    if quantity is not None and subtotal is not None:
        return [
            error(at_subtotal, "Minimum subtotal cannot be defined when minimum quantity is.", "CONFLICT"),
            error(at_quantity, "Minimum quantity cannot be defined when minimum subtotal is.", "CONFLICT"),
        ]
    if quantity is not None and int(quantity) >= MAX_QUANTITY:
        return [error(at_quantity, f"Minimum quantity must be less than {MAX_QUANTITY}", "LESS_THAN")]
    if subtotal is not None and Decimal(str(subtotal)) >= MAX_SUBTOTAL:
        return [error(at_subtotal, f"Minimum subtotal must be less than {MAX_SUBTOTAL}", "LESS_THAN")]
    return []


def combining_errors(root: str, type_name: str, combines: dict[str, Any] | None) -> Errors:
    """A free shipping discount cannot combine with other shipping discounts."""
    if type_name.endswith("FreeShipping") and (combines or {}).get("shippingDiscounts"):
        message = "The combinesWith settings are not valid for the discount class."
        return [error([root, "combinesWith"], message, "INVALID_COMBINES_WITH_FOR_DISCOUNT_CLASS")]
    return []


def code_taken(store: Store, root: str, code: str | None, node: Record | None) -> Errors:
    owner = node_by_code(store, code) if code else None
    if owner is not None and owner is not node:
        return [error([root, "code"], "Code must be unique. Please try a different code.", "TAKEN")]
    return []


def input_errors(
    store: Store, kind: str, type_name: str, root: str, given: dict[str, Any], node: Record | None
) -> Errors:
    creating = node is None
    errors = text_errors(root, "title", given.get("title"), creating)
    if kind == CODE:
        errors += text_errors(root, "code", given.get("code"), creating) or code_taken(
            store, root, given.get("code"), node
        )
    if given.get("context") and given.get("customerSelection"):
        errors.append(error([root, "context"], "Only one of context or customerSelection can be provided.", "INVALID"))
    errors += window_errors(root, given, inner(node) if node else None)
    errors += combining_errors(root, type_name, given.get("combinesWith"))
    errors += minimum_errors(root, given.get("minimumRequirement"))
    errors += value_errors(root, kind, given.get("customerGets"))
    return errors + item_errors(store, root, given.get("customerGets"))


# create / update ---------------------------------------------------------------------------------
def create(ctx: Context, prefix: str, given: dict[str, Any]) -> dict[str, Any]:
    kind, type_name, root = WRITES[prefix]
    request_conflicts(given)
    errors = input_errors(ctx.store, kind, type_name, root, given, None)
    if errors:
        return payload(kind, None, errors)
    node = new_discount(ctx.store, kind, type_name)
    apply_input(ctx.store, inner(node), given)
    if kind == CODE:
        new_redeem_code(ctx.store, inner(node), given["code"])
    return payload(kind, ctx.store.put(node), [])


def update(ctx: Context, prefix: str, id: str, given: dict[str, Any]) -> dict[str, Any]:
    kind, type_name, root = WRITES[prefix]
    request_conflicts(given)
    node = ctx.store.node(id, kind)
    if node is None:
        return payload(kind, None, [error(["id"], "Discount does not exist", None)])
    codes = inner(node)["_codes"]
    if given.get("code") is not None and len(codes) > 1:
        return payload(kind, None, [error(["id"], "Cannot update the code of a bulk discount.", None)])
    errors = input_errors(ctx.store, kind, type_name, root, given, node)
    if errors:
        return payload(kind, None, errors)
    if inner(node)["__typename"] != type_name:
        retype(ctx.store, node, type_name)
    discount = inner(node)
    apply_input(ctx.store, discount, given)
    if given.get("code") is not None:
        codes[0]["code"] = given["code"]
    touch(ctx.store, node)
    return payload(kind, node, [])


def touch(store: Store, node: Record) -> None:
    """Every change moves the discount's updatedAt (the node has none)."""
    inner(node)["updatedAt"] = store.clock.now_iso()
    store.table(node["__typename"]).changed()


def retype(store: Store, node: Record, type_name: str) -> None:
    """An update of another class turns the discount into that class, keeping its codes and times."""
    old = inner(node)
    fresh = inner(new_discount(store, node["__typename"], type_name, old["createdAt"]))
    keep = ("title", "startsAt", "endsAt", "combinesWith", "context", "minimumRequirement", "tags", "_codes")
    fresh.update({name: old[name] for name in keep if name in old})
    node["discount"] = node[NODE_FIELD[node["__typename"]]] = fresh


for _prefix, (_kind, _type, _root) in WRITES.items():
    resolves(f"Mutation.{_prefix}Create")(lambda _r, ctx, _p=_prefix, _a=_root, **args: create(ctx, _p, args[_a]))
    resolves(f"Mutation.{_prefix}Update")(
        lambda _r, ctx, id, _p=_prefix, _a=_root, **args: update(ctx, _p, id, args[_a])
    )


# activate / deactivate / delete ------------------------------------------------------------------
def set_window(ctx: Context, kind: str, id: str, active: bool) -> dict[str, Any]:
    """Activating starts the discount now if it had not started and ends it never; deactivating ends it
    now (and starts it now if it had not started, so the window stays in order). Each moves updatedAt."""
    node = ctx.store.node(id, kind)
    if node is None:
        return payload(kind, None, [error(["id"], MISSING[kind], "INVALID")])
    discount, now = inner(node), ctx.store.clock.now_iso()
    discount["startsAt"] = min(discount["startsAt"], now)
    discount["endsAt"] = None if active else now
    touch(ctx.store, node)
    return payload(kind, node, [])


def delete(ctx: Context, kind: str, id: str, deleted_field: str) -> dict[str, Any]:
    node = ctx.store.node(id, kind)
    if node is None:
        return {deleted_field: None, "userErrors": [error(["id"], MISSING[kind], "INVALID")]}
    for code in inner(node)["_codes"]:
        ctx.store.table("DiscountRedeemCode").delete(code["_n"])
    ctx.store.table(kind).delete(node["_n"])
    return {deleted_field: node["id"], "userErrors": []}


for _kind, _name in ((CODE, "Code"), (AUTOMATIC, "Automatic")):
    resolves(f"Mutation.discount{_name}Activate")(lambda _r, ctx, id, _k=_kind: set_window(ctx, _k, id, True))
    resolves(f"Mutation.discount{_name}Deactivate")(lambda _r, ctx, id, _k=_kind: set_window(ctx, _k, id, False))
    resolves(f"Mutation.discount{_name}Delete")(
        lambda _r, ctx, id, _k=_kind, _f=f"deleted{_name}DiscountId": delete(ctx, _k, id, _f)
    )


# redeem codes in bulk ----------------------------------------------------------------------------
def code_error(store: Store, code: str, seen: set[str]) -> str | None:
    """Why one code of a bulk add fails, in Shopify's words (which name no field code)."""
    if code == "":
        return "is too short (minimum is 1 character)"
    if len(code) > MAX_TEXT:
        return f"is too long (maximum is {MAX_TEXT} characters)"
    if "\n" in code or "\r" in code:
        return "cannot contain newline characters."
    if code.lower() in seen:
        return "Codes must be unique within BulkDiscountCodeCreation"
    if node_by_code(store, code) is not None:
        return "must be unique. Please try a different code."
    return None


@resolves("Mutation.discountRedeemCodeBulkAdd")
def bulk_add(_root: Any, ctx: Context, discountId: str, codes: list[dict[str, Any]]) -> dict[str, Any]:
    """The job answers `done: false` with no outcome and runs in the background, after the shop's earlier
    jobs (a later job's codes follow theirs, as the captures show), longer the more codes it holds: its
    codes are checked and added, and it reads done, only once the shop's clock has passed its end."""
    if len(codes) > MAX_CODES:
        raise GraphQLError(
            f"The input array size of {len(codes)} is greater than the maximum allowed of {MAX_CODES}.",
            path=["discountRedeemCodeBulkAdd", "codes"],
            extensions={"code": "MAX_INPUT_SIZE_EXCEEDED"},
        )
    node = ctx.store.node(discountId, CODE)
    if node is None:
        return {"bulkCreation": None, "userErrors": [error(["discountId"], MISSING[CODE], "INVALID")]}
    if not codes:
        return {"bulkCreation": None, "userErrors": [error(["codes"], "Codes can't be blank", "BLANK")]}
    job = ctx.store.new_record(
        "DiscountRedeemCodeBulkCreation",
        createdAt=ctx.store.clock.now_iso(),
        discountCode=node,
        codesCount=len(codes),
        done=False,
        importedCount=0,
        failedCount=0,
        codes=[{"code": given["code"], "errors": [], "discountRedeemCode": None} for given in codes],
    )
    now = ctx.store.clock.now()
    queue_end = max((earlier["_ends"] for earlier in ctx.store.all("DiscountRedeemCodeBulkCreation")), default=now)
    job["_ends"] = max(now, queue_end) + len(codes) / float(ctx.emulator.config.redeem_codes_per_second)
    ctx.store.schedule(job["_ends"] - now, lambda: run_bulk_add(ctx.store, job))
    return {"bulkCreation": ctx.store.put(job), "userErrors": []}


def run_bulk_add(store: Store, job: Record) -> None:
    """The job's end: each code checked against the shop as it is now (a code another job added meanwhile
    is taken), the good ones added to the discount, if it still exists."""
    node = store.node(job["discountCode"]["id"], CODE)
    seen: set[str] = set()
    for row in job["codes"]:
        problem = code_error(store, row["code"], seen) or (None if node else MISSING[CODE])
        seen.add(row["code"].lower())
        if problem:
            row["errors"] = [error(["code"], problem, None)]
        elif node is not None:
            row["discountRedeemCode"] = new_redeem_code(store, inner(node), row["code"])
    store.table(CODE).changed()
    job["done"] = True
    job["importedCount"] = sum(1 for row in job["codes"] if row["discountRedeemCode"])
    job["failedCount"] = sum(1 for row in job["codes"] if row["errors"])


@resolves("DiscountRedeemCodeBulkCreation.codes")
def bulk_creation_codes(job: Record, _ctx: Context, **args: Any) -> dict[str, Any]:
    rows = [{**row, "_n": i} for i, row in enumerate(job["codes"])]
    return paginate_list(rows, args)


def delete_selection_errors(ids: list[str] | None, search: str | None, saved_search_id: str | None) -> Errors:
    given = [
        name
        for name, value in (("ids", ids), ("search", search), ("savedSearchId", saved_search_id))
        if value is not None
    ]
    if not given:
        return [error(None, "Missing expected argument key: 'ids', 'search' or 'saved_search_id'.", "MISSING_ARGUMENT")]
    if len(given) > 1:
        return [error(None, "Only one of 'ids', 'search' or 'saved_search_id' is allowed.", "TOO_MANY_ARGUMENTS")]
    if saved_search_id is not None:
        return [error(["savedSearchId"], "Invalid 'saved_search_id'.", "INVALID")]
    if search is not None and not search.strip():
        return [error(["search"], "'Search' can't be blank.", "BLANK")]
    if ids is not None and not ids:
        return [error(None, "Something went wrong, please try again.", None)]
    return []


CODE_SEARCH = {"code": Filter("text", lambda c: c["code"]), "id": Filter("id", lambda c: c["_n"])}


@resolves("Mutation.discountCodeRedeemCodeBulkDelete")
def bulk_delete(
    _root: Any,
    ctx: Context,
    discountId: str,
    ids: list[str] | None = None,
    search: str | None = None,
    savedSearchId: str | None = None,
) -> dict[str, Any]:
    """Removes the discount's codes named by `ids` or found by `search`; its job is done when answered."""
    errors = delete_selection_errors(ids, search, savedSearchId)
    node = ctx.store.node(discountId, CODE)
    if not errors and node is None:
        errors = [error(["discountId"], MISSING[CODE], "INVALID")]
    if errors or node is None:
        return {"job": None, "userErrors": errors}
    discount = inner(node)
    found = Search(search, CODE_SEARCH, ["code"], ctx.store.timezone) if search else None
    doomed = [c for c in discount["_codes"] if (c["id"] in ids if ids else found and found.matches(c))]  # type: ignore[operator]
    for code in doomed:
        ctx.store.table("DiscountRedeemCode").delete(code["_n"])
    discount["_codes"] = [c for c in discount["_codes"] if c not in doomed]
    touch(ctx.store, node)
    return {"job": {"id": f"gid://shopify/Job/{uuid.uuid4()}", "done": True}, "userErrors": []}
