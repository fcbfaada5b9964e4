"""Captured discount calls replayed against the emulator (../shared/shopify-captures/2026-04/discounts): the
same answers (masked ids and times), userErrors and request errors as the real shop. Each step sends the
capture's own document and variables, the capture's ids swapped for the ones our earlier steps made."""

from __future__ import annotations

import time
from functools import reduce
from typing import Any

import pytest

from shopify_admin_emulator.domains.discounts.models import AUTOMATIC, CODE

from .. import captures
from ..captures import assert_same_answer, load, map_ids, mask, needs_captures
from ..conftest import Running

pytestmark = needs_captures

FOLDER = "2026-04/discounts/"
# Shopify's `discountNodes(query:)` found none of the discounts that its `discountNodesCount` counted in
# these reads (its search had not caught up); the emulator's search lag is off in these tests.
LAGGING_SEARCH = ("data/discountNodes",)


class Replay(captures.Replay):
    def __init__(self, shop: Running, name: str) -> None:
        super().__init__(shop, FOLDER + name)
        store = shop.emulator.store
        store.currency = "CAD"  # the capture shop's
        for seeded in (CODE, AUTOMATIC, "DiscountRedeemCode"):  # its reads count and list its own alone
            store.table(seeded).rows.clear()
            store.table(seeded).changed()

    def step(
        self,
        step: str,
        request: str | None = None,
        variables: dict[str, Any] | None = None,
        unmodelled: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """Send the request `request` (default: `step`) and check our answer against the step's response,
        but for the `unmodelled` paths (`data/…`)."""
        sent = self.capture["requests"][request or step]
        theirs = self.capture[step]
        theirs = theirs.get("response", theirs).get("payload", theirs)
        ours = self.answer(sent["query"], variables if variables is not None else sent.get("variables"), theirs)
        for path in unmodelled:
            *parents, last = path.split("/")
            for answer in (ours, theirs):
                reduce(lambda value, key: value[key], parents, answer).pop(last)
        assert_same_answer(ours, theirs, step)
        return ours


def test_code_basic_lifecycle(shop: Running) -> None:
    """Create, update (code renamed in place), deactivate (ends now: EXPIRED), activate, delete; the reads
    between find the discount by id and by code and count it by status."""
    replay = Replay(shop, "discount-code-basic-lifecycle.json")
    names = replay.capture["variables"]
    replay.step("create")
    replay.step("update")
    read = {"id": names["id"], "code": names["updatedCode"]}
    for step, mutation in (("deactivate", "deactivate"), ("activate", "activate")):
        replay.step(step, mutation)
        replay.step(f"readAfter{step.title()}", "read", read, LAGGING_SEARCH)
    replay.step("cleanup", "delete")
    replay.step("readAfterDelete", "read", read)


def test_free_shipping_lifecycle(shop: Running) -> None:
    """Code and automatic free shipping: destination, maximum shipping price, the summary, SHIPPING class."""
    replay = Replay(shop, "discount-free-shipping-lifecycle.json")
    replay.step("codeCreate")
    # Shopify answered each update before it attached the countries (its summary already counts them)
    countries = "{}/{}/destinationSelection/countries"
    code, automatic = "codeDiscountNode/codeDiscount", "automaticDiscountNode/automaticDiscount"
    replay.step("codeUpdate", unmodelled=(countries.format("data/discountCodeFreeShippingUpdate", code),))
    replay.step("automaticCreate")
    replay.step(
        "automaticUpdate", unmodelled=(countries.format("data/discountAutomaticFreeShippingUpdate", automatic),)
    )
    for step in ("codeDeactivate", "automaticDeactivate", "codeActivate", "automaticActivate"):
        replay.step(step)
    for step in ("codeDelete", "automaticDelete"):
        replay.step(step)


def test_status_follows_the_time_window(shop: Running) -> None:
    """SCHEDULED before startsAt, EXPIRED from endsAt, ACTIVE between; searchable by status."""
    replay = Replay(shop, "discount-status-time-window-derivation.json")
    names = replay.capture["variables"]
    replay.step("create")
    read = {
        "scheduledId": names["scheduled"],
        "expiredId": names["expired"],
        "activeId": names["active"],
        "scheduledQuery": f"status:scheduled title:'HAR-593 scheduled {names['scheduledCode'][7:]}'",
        "expiredQuery": f"status:expired title:'HAR-593 expired {names['expiredCode'][7:]}'",
    }
    replay.step("read", variables=read)


def test_activate_and_deactivate_a_scheduled_discount(shop: Running) -> None:
    """Deactivating a discount that has not started starts and ends it now; unknown ids are refused."""
    replay = Replay(shop, "discount-activate-deactivate-edge-cases.json")
    for step in ("create", "deactivate", "activate", "readAfterActivate", "unknown", "cleanup"):
        replay.step(step)


def test_delete_unknown_ids(shop: Running) -> None:
    capture = load(FOLDER + "discount-delete-unknown-id.json")
    for step in ("unknownCodeDelete", "unknownAutomaticDelete"):
        sent = capture["requests"][step]
        assert_same_answer(shop.graphql(sent["query"], sent["variables"]), capture[step]["response"]["payload"])


def test_redeem_codes_added_and_deleted_in_bulk(shop: Running) -> None:
    """Codes are added by a job and found by any case; a deleted code no longer finds its discount."""
    replay = Replay(shop, "discount-redeem-code-bulk.json")
    names = replay.capture["variables"]
    read = {
        "id": names["discountId"],
        "exactAddedCode": names["addedCode"],
        "lowerAddedCode": names["lowerAddedCode"],
        "removedCode": names["seedCode"],
    }
    replay.step("create")
    replay.step("add")
    shop.end_redeem_code_job()
    replay.step("readAfterAdd", "read", read)
    replay.ids[names["seedRedeemCodeId"]] = shop.graphql(
        "query($id: ID!) { codeDiscountNode(id: $id) { codeDiscount { ... on DiscountCodeBasic"
        " { codes(first: 1) { nodes { id } } } } } }",
        {"id": replay.ids[names["discountId"]]},
    )["data"]["codeDiscountNode"]["codeDiscount"]["codes"]["nodes"][0]["id"]
    replay.step("deleteCodes", "delete")
    replay.step("readAfterDelete", "read", read)


@pytest.mark.parametrize("case", ["invalidCodes", "existingCodeConflicts"])
def test_bulk_add_reports_each_code(shop: Running, case: str) -> None:
    """The job answers `done: false` with no outcome; read when done, each refused code says why."""
    replay = Replay(shop, "discount-redeem-code-bulk-add-validation.json")
    replay.step("create")
    replay.step("crossCreate")
    if case == "existingCodeConflicts":
        replay.send(
            replay.capture["requests"]["invalidCodes"]["query"], replay.capture["requests"]["invalidCodes"]["variables"]
        )
    requests = replay.capture["requests"]
    for part, request in (("add", case), ("finalRead", f"{case}FinalRead"), ("readAfter", f"{case}ReadAfter")):
        if part == "finalRead":  # read once Shopify's job had run
            shop.end_redeem_code_job()
        sent = requests[request]
        ours = replay.send(sent["query"], sent["variables"])
        theirs = replay.capture[case][part]["payload"]
        if part == "add":
            map_ids(ours, theirs, replay.ids)
        assert mask(ours["data"]) == mask(theirs["data"]), part


def test_a_bulk_add_job_adds_its_codes_only_when_its_time_has_passed(shop: Running) -> None:
    """Shopify's job runs after its answer (`done: false`): until its end its codes are on no discount,
    and one sent again meanwhile by a second job is refused as taken when that job ends."""
    replay = Replay(shop, "discount-redeem-code-bulk.json")
    replay.step("create")
    discount_id = replay.ids[replay.capture["variables"]["discountId"]]
    add = (
        "mutation($id: ID!, $codes: [DiscountRedeemCodeInput!]!) { discountRedeemCodeBulkAdd(discountId: $id,"
        " codes: $codes) { bulkCreation { id done } userErrors { message } } }"
    )
    job = "query($id: ID!) { discountRedeemCodeBulkCreation(id: $id) { done importedCount failedCount codes(first: 5)"
    job += " { nodes { code errors { message } } } } }"
    owner = "query($c: String!) { codeDiscountNodeByCode(code: $c) { id } }"
    codes = [{"code": f"SLOW{i}"} for i in range(100)]
    shop.emulator.config.redeem_codes_per_second = 1.0  # 100 seconds of the clock, which only the test moves on
    first = shop.graphql(add, {"id": discount_id, "codes": codes})["data"]["discountRedeemCodeBulkAdd"]["bulkCreation"]
    shop.emulator.store.clock.offset += 50
    assert shop.graphql(job, {"id": first["id"]})["data"]["discountRedeemCodeBulkCreation"]["done"] is False
    assert shop.graphql(owner, {"c": "SLOW0"})["data"]["codeDiscountNodeByCode"] is None
    again = shop.graphql(add, {"id": discount_id, "codes": codes[:2]})["data"]["discountRedeemCodeBulkAdd"]
    shop.end_redeem_code_job(100)
    ended = shop.graphql(job, {"id": first["id"]})["data"]["discountRedeemCodeBulkCreation"]
    assert (ended["done"], ended["importedCount"], ended["failedCount"]) == (True, 100, 0)
    assert shop.graphql(owner, {"c": "slow99"})["data"]["codeDiscountNodeByCode"] == {"id": discount_id}
    second = shop.graphql(job, {"id": again["bulkCreation"]["id"]})["data"]["discountRedeemCodeBulkCreation"]
    taken = [{"message": "must be unique. Please try a different code."}]
    assert second["codes"]["nodes"] == [{"code": "SLOW0", "errors": taken}, {"code": "SLOW1", "errors": taken}]


@pytest.mark.parametrize("step", ["unknown", "emptyCodes", "tooMany"])
def test_bulk_add_validation(shop: Running, step: str) -> None:
    replay = Replay(shop, "discount-redeem-code-bulk-add-validation.json")
    replay.step("create")
    ours = replay.send(replay.capture["requests"][step]["query"], replay.capture["requests"][step]["variables"])
    theirs = replay.capture[step]["payload"]
    if step == "tooMany":
        shape = [{k: e.get(k) for k in ("message", "path", "extensions")} for e in theirs["errors"]]
        assert [{k: e.get(k) for k in ("message", "path", "extensions")} for e in ours["errors"]] == shape
    else:
        assert mask(ours["data"]) == mask(theirs["data"])


def test_bulk_delete_validation(shop: Running) -> None:
    """Exactly one of ids, search or a saved search; a known discount; then the job is done at once."""
    replay = Replay(shop, "discount-redeem-code-bulk-delete-validation.json")
    names = replay.capture["variables"]
    replay.step("setup")
    replay.step("validation", variables=names)
    replay.step("happy", variables=names)


# each class the emulator writes → its create mutation, input argument and type, and payload field
CREATES = {
    "codeBasic": ("discountCodeBasicCreate", "basicCodeDiscount", "DiscountCodeBasicInput", "codeDiscountNode"),
    "codeFreeShipping": (
        "discountCodeFreeShippingCreate",
        "freeShippingCodeDiscount",
        "DiscountCodeFreeShippingInput",
        "codeDiscountNode",
    ),
    "automaticBasic": (
        "discountAutomaticBasicCreate",
        "automaticBasicDiscount",
        "DiscountAutomaticBasicInput",
        "automaticDiscountNode",
    ),
    "automaticFreeShipping": (
        "discountAutomaticFreeShippingCreate",
        "freeShippingAutomaticDiscount",
        "DiscountAutomaticFreeShippingInput",
        "automaticDiscountNode",
    ),
}


def create(shop: Running, cls: str, given: dict[str, Any]) -> dict[str, Any]:
    """The payload of creating a discount of `cls` from the input `given`, with its errors in full."""
    mutation, argument, input_type, node = CREATES[cls]
    document = (
        f"mutation($input: {input_type}!) {{ {mutation}({argument}: $input) {{"
        f" {node} {{ id }} userErrors {{ field message code extraInfo }} }} }}"
    )
    return dict(shop.graphql(document, {"input": given})["data"][mutation])


@pytest.mark.parametrize("case", ["codeBasic", "codeFreeShipping", "automaticFreeShipping"])
def test_invalid_date_range(shop: Running, case: str) -> None:
    captured = load(FOLDER + "discount-invalid-date-range-all-types.json")["cases"][case]
    [theirs] = captured["response"]["data"].values()
    assert create(shop, case, captured["variables"]["input"]) == theirs


@pytest.mark.parametrize("cls", ["codeBasic", "codeFreeShipping", "automaticBasic", "automaticFreeShipping"])
@pytest.mark.parametrize("case", ["Blank", "TooLong"])
def test_title_required_and_bounded(shop: Running, cls: str, case: str) -> None:
    captured = load(FOLDER + "discount-title-validation.json")["create"]
    response = captured["response"].get("payload", captured["response"])
    assert create(shop, cls, captured["request"]["variables"][cls + case]) == response["data"][cls + case]


@pytest.mark.parametrize(
    ("alias", "cls"),
    [
        ("basicCode", "codeBasic"),
        ("freeShippingCode", "codeFreeShipping"),
        ("automaticBasic", "automaticBasic"),
        ("automaticFreeShipping", "automaticFreeShipping"),
    ],
)
@pytest.mark.parametrize("case", ["omitted", "explicitNull"])
def test_starts_at_required(shop: Running, alias: str, cls: str, case: str) -> None:
    captured = load(FOLDER + "discount-starts-at-required-validation.json")["cases"][case]
    response = captured["response"].get("payload", captured["response"])
    assert create(shop, cls, captured["variables"][alias]) == response["data"][alias]


@pytest.mark.parametrize(
    "case",
    [
        *("basicMissing", "basicEmpty", "basicNewline", "basicTooLong"),
        *("freeShippingMissing", "freeShippingEmpty", "freeShippingNewline"),
    ],
)
def test_code_required_and_shaped(shop: Running, case: str) -> None:
    """A code discount needs a code of 1 to 255 characters on one line."""
    captured = load(FOLDER + "discount-code-required-blank-validation.json")["codeRequiredValidation"]
    cls = "codeBasic" if case.startswith("basic") else "codeFreeShipping"
    assert create(shop, cls, captured["variables"][case]) == captured["response"]["data"][case]


@pytest.mark.parametrize(
    "case",
    [
        "takenCode",
        "ownCode",
        "productZero",
        "unknownProduct",
        "unknownVariant",
        "productCollectionConflict",
        "unknownCollection",
    ],
)
def test_update_references(shop: Running, case: str) -> None:
    """An update may keep its own code but not take another discount's; every product, variant and
    collection it names must exist, and collections go alone."""
    replay = Replay(shop, "discount-update-reference-validation.json")
    real = replay.capture["setupResources"]
    ours = shop.graphql(
        "{ products(first: 1) { nodes { id variants(first: 1) { nodes { id } } } }"
        " collections(first: 1) { nodes { id } } }"
    )["data"]
    product = ours["products"]["nodes"][0]
    replay.ids |= {
        real["product"]["id"]: product["id"],
        real["product"]["variantId"]: product["variants"]["nodes"][0]["id"],
        real["collection"]["id"]: ours["collections"]["nodes"][0]["id"],
    }
    replay.step("setup")
    replay.step(case, "update", replay.capture["variables"][case])


def test_name_alias_and_cross_kind_ids(shop: Running) -> None:
    """A code's case does not make it another code; a code discount's id is unknown to the automatic
    mutations and the other way round."""
    for name, steps in (
        ("discount-code-basic-name-alias-independence.json", ("create", "cleanup")),
        ("discount-lifecycle-cross-kind-id.json", ("setup", "crossKind", "readAfter", "cleanup")),
    ):
        replay = Replay(shop, name)
        for step in steps:
            replay.step(step)


def test_timestamps_move_forward(shop: Running) -> None:
    replay = Replay(shop, "discount-timestamps-monotonic.json")
    for step in ("firstCreate", "secondCreate", "updateFirst"):
        replay.step(step)


def test_connections_sort_reverse_and_page_by_title(shop: Running) -> None:
    """discountNodes, codeDiscountNodes and automaticDiscountNodes searched by status, sorted by title or
    creation, reversed, paged with cursors (the capture's `after` is its shop's, so ours is sent)."""
    replay = Replay(shop, "discount-connection-mechanics.json")
    shop.emulator.store.clock.offset = 1783175824.302 - time.time()  # its titles' run id: the capture's time
    for step in ("create", "addCodes"):
        replay.step(step)
    first = replay.step("readFirst")
    after = {**replay.capture["requests"]["readAfter"]["variables"]}
    after["after"] = first["data"]["discountNodes"]["pageInfo"]["endCursor"]
    replay.step("readAfter", variables=after)


def test_one_minimum_requirement_within_bounds(shop: Running) -> None:
    captured = load(FOLDER + "discount-minimum-requirement-exclusivity.json")["minimumRequirement"]
    assert_same_answer(shop.graphql(captured["query"], captured["variables"]), captured["response"])


def test_free_shipping_does_not_combine_with_shipping_discounts(shop: Running) -> None:
    captured = load(FOLDER + "discount-combines-with-validation.json")["validation"]
    theirs = captured["response"]["data"]["freeShippingSelfCombine"]
    assert create(shop, "codeFreeShipping", captured["variables"]["freeShippingSelfCombine"]) == theirs


def test_a_discount_for_named_customers(shop: Running) -> None:
    """`context.customers.add` limits the discount to those customers (segments are not modelled)."""
    replay = Replay(shop, "discount-buyer-context-lifecycle.json")
    buyer = shop.graphql(
        'mutation { customerCreate(input: {firstName: "HAR390", lastName: "Buyer Context"}) { customer { id } } }'
    )["data"]["customerCreate"]["customer"]["id"]
    [theirs] = replay.capture["requests"]["codeCreate"]["variables"]["input"]["context"]["customers"]["add"]
    replay.ids[theirs] = buyer
    replay.step("codeCreate")


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("discount-value-bounds.json", ("cases", "bounds")),
        ("discount-automatic-value-bounds.json", ("cases", "create", "request")),
        ("discount-customer-gets-value-multiple-types.json", ("cases", "create")),
        ("discount-customer-selection-internal-conflicts.json", ("cases", "allWithCustomers")),
        ("discount-customer-selection-internal-conflicts.json", ("cases", "happyCustomers")),
    ],
)
def test_values_and_buyers_as_shopify_bounds_them(shop: Running, name: str, path: tuple[str, ...]) -> None:
    """Percentages and amounts within each kind's bounds (an automatic discount takes something off, a
    code one may take nothing); one kind of value; everyone or named customers, not both."""
    captured: Any = load(FOLDER + name)
    for key in path:
        captured = captured[key]
    response = captured.get("response") or load(FOLDER + name)["cases"][path[1]]["response"]
    response = response.get("payload", response)
    ours = Replay(shop, name).send(captured["query"], captured["variables"])
    if "errors" in response:  # a request error: its message, code and path (our documents' lines differ)
        assert request_errors(ours) == request_errors(response)
    else:
        assert_same_answer(ours, response)


def request_errors(answer: dict[str, Any]) -> list[tuple[str, str, list[str]]]:
    return [(e["message"], e["extensions"]["code"], e["path"]) for e in answer["errors"]]


@pytest.mark.parametrize(
    "case",
    [
        *("customerSelectionCreate", "customerGetsCreate", "countriesCreate"),
        *("customerSelectionUpdate", "customerGetsUpdate", "countriesUpdate"),
    ],
)
def test_an_id_added_and_removed_at_once_is_a_request_error(shop: Running, case: str) -> None:
    captured = load(FOLDER + "discount-add-remove-overlap.json")["cases"][case]
    response = captured["response"].get("payload", captured["response"])
    ours = shop.graphql(captured["query"], captured["variables"])
    assert request_errors(ours) == request_errors(response)
    assert ours["data"] == response["data"]
