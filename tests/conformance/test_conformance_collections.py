"""Captured collection calls (../shared/shopify-captures/2026-04/products/collection-*.json) replayed
against the emulator: same answers (masked ids, times and job ids), userErrors and request errors. Where a
capture keeps only variables and answers, the document here selects what the answer shows."""

from __future__ import annotations

from typing import Any

from .. import captures
from ..captures import assert_same_answer, load, needs_captures, without_locations
from ..conftest import Running, start

pytestmark = needs_captures

FOLDER = "2026-04/products/"
RULES = "ruleSet { appliedDisjunctively rules { column relation condition } }"
CREATE = f"""mutation C($input: CollectionInput!) {{ collectionCreate(input: $input) {{
  collection {{ id title handle sortOrder {RULES} productsCount {{ count precision }} }}
  userErrors {{ field message }} }} }}"""
CREATE_SHORT = """mutation C($input: CollectionInput!) { collectionCreate(input: $input) {
  collection { id title handle sortOrder } userErrors { field message } } }"""
MEMBERSHIP = """mutation M($id: ID!, $productIds: [ID!]!) { %s(id: $id, productIds: $productIds) {
  job { id done query { __typename } } userErrors { field message } } }"""
JOB = "query J($id: ID!) { job(id: $id) { __typename id done query { __typename } } }"
PRODUCTS = "products(first: 10) { nodes { id title handle } pageInfo { hasNextPage hasPreviousPage } }"
ADD = f"""mutation A($id: ID!, $productIds: [ID!]!) {{ collectionAddProducts(id: $id, productIds: $productIds) {{
  collection {{ id title handle sortOrder {PRODUCTS} }} userErrors {{ field message }} }} }}"""
REORDER = """mutation R($id: ID!, $moves: [MoveInput!]!) { collectionReorderProducts(id: $id, moves: $moves) {
  job { id done } userErrors { field message } } }"""
MANUAL_READ = f"""query R($collectionId: ID!) {{ collection(id: $collectionId) {{ id title handle sortOrder
  manualProducts: {PRODUCTS.replace("first: 10", "first: 10, sortKey: MANUAL")} }} }}"""
UPDATE = f"""mutation U($input: CollectionInput!) {{ collectionUpdate(input: $input) {{
  collection {{ id title handle {RULES} }} job {{ id done }} userErrors {{ field message }} }} }}"""
READ = f"query R($id: ID!) {{ collection(id: $id) {{ id title handle {RULES} }} }}"


CURSORS = ("cursor", "startCursor", "endCursor")


def map_cursors(ours: Any, theirs: Any, ids: dict[str, str]) -> None:
    """Pair the real shop's cursors with ours, as `map_ids` pairs ids, for the pages asked after them."""
    if isinstance(theirs, dict) and isinstance(ours, dict):
        for key in theirs.keys() & ours.keys():
            if key in CURSORS and isinstance(theirs[key], str) and isinstance(ours[key], str):
                ids[theirs[key]] = ours[key]
            else:
                map_cursors(ours[key], theirs[key], ids)
    elif isinstance(theirs, list) and isinstance(ours, list):
        for a, b in zip(ours, theirs, strict=False):
            map_cursors(a, b, ids)


class Replay(captures.Replay):
    def __init__(self, shop: Running, name: str) -> None:
        super().__init__(shop, FOLDER + name)

    def product(self, seed: dict[str, Any]) -> None:
        """A product of ours with the captured one's title and handle, standing for it."""
        answer = self.shop.graphql(
            "mutation P($p: ProductCreateInput!) { productCreate(product: $p) { product { id } } }",
            {"p": {"title": seed["title"], "handle": seed["handle"]}},
        )
        self.ids[seed["id"]] = answer["data"]["productCreate"]["product"]["id"]

    def step(self, query: str, call: dict[str, Any], label: str) -> dict[str, Any]:
        theirs = call["response"].get("payload", call["response"])
        ours = self.answer(query, call.get("variables"), theirs)
        map_cursors(ours, theirs, self.ids)
        if "data" not in theirs:  # an argument refused: Shopify leaves `data` out, graphql-core answers null
            assert ours.pop("data") == {ours["errors"][0]["path"][0]: None}
        if "errors" in theirs:  # where in the document: ours differ from the capture's, which it does not keep
            ours, theirs = ({**answer, "errors": without_locations(answer["errors"])} for answer in (ours, theirs))
        assert_same_answer(ours, theirs, label)
        return ours


def test_membership_jobs_and_smart_collection_refusals(shop: Running) -> None:
    """Smart collections refuse manual add and remove; V2 add and remove answer a job that reads done,
    skip unknown products, and refuse more than 250 ids as a request error."""
    replay = Replay(shop, "collection-product-membership-job-parity.json")
    replay.product(replay.capture["seedProduct"])
    steps = [
        ("smartCreate", CREATE),
        ("customCreate", CREATE),
        ("smartAddV2", MEMBERSHIP % "collectionAddProductsV2"),
        ("smartRemove", MEMBERSHIP % "collectionRemoveProducts"),
        ("unknownAddV2", MEMBERSHIP % "collectionAddProductsV2"),
        ("tooManyAddV2", MEMBERSHIP % "collectionAddProductsV2"),
        ("successAddV2", MEMBERSHIP % "collectionAddProductsV2"),
        ("successAddJobRead", JOB),
        ("unknownRemove", MEMBERSHIP % "collectionRemoveProducts"),
        ("tooManyRemove", MEMBERSHIP % "collectionRemoveProducts"),
        ("successRemove", MEMBERSHIP % "collectionRemoveProducts"),
        ("successRemoveJobRead", JOB),
    ]
    custom = None
    for name, query in steps:
        ours = replay.step(query, replay.capture[name], name)
        if name == "customCreate":
            custom = ours["data"]["collectionCreate"]["collection"]["id"]
        if name == "successAddV2":  # the job's work is done by the time it answers
            count = shop.graphql(
                "query C($id: ID!) { collection(id: $id) { productsCount { count } } }", {"id": custom}
            )
            assert count["data"]["collection"]["productsCount"]["count"] == 1


def test_reorder_only_in_manually_sorted_custom_collections(shop: Running) -> None:
    replay = Replay(shop, "collection-reorder-products-manual-sort.json")
    for seed in replay.capture["seedProducts"]:
        replay.product(seed)
    for case in ("manualSorted", "nonManualSorted", "smartCollection"):
        calls = replay.capture[case]
        replay.step(CREATE_SHORT, calls["create"], f"{case}.create")
        if "add" in calls:
            replay.step(ADD, calls["add"], f"{case}.add")
        replay.step(REORDER, calls["mutation"], f"{case}.mutation")
        if "downstreamRead" in calls:
            read = {"variables": calls["downstreamReadVariables"], "response": calls["downstreamRead"]}
            replay.step(MANUAL_READ, read, f"{case}.downstreamRead")


def test_update_rule_sets_and_jobs(shop: Running) -> None:
    """A custom collection's rule set cannot be changed; a smart one's can, in a job; empty rules are refused."""
    replay = Replay(shop, "collection-update-ruleset-job-parity.json")
    for name in (
        "customCreate",
        "successfulUpdate",
        "customRuleSetUpdate",
        "postCustomRuleSetRead",
        "smartCreate",
        "smartRuleSetUpdate",
        "emptyRulesUpdate",
    ):
        query = READ if name.startswith("post") else CREATE if name.endswith("Create") else UPDATE
        if name.endswith("Create"):
            query = query.replace(" productsCount { count precision }", "")
        replay.step(query, replay.capture[name], name)


def test_update_without_or_with_an_unknown_id(shop: Running) -> None:
    replay = Replay(shop, "collection-update-missing-id.json")
    update = UPDATE.replace(f" {RULES}", "").replace(" job { id done }", "")
    replay.step(update, replay.capture["missingId"], "missingId")
    replay.step(update, replay.capture["unknownId"], "unknownId")


def test_create_validation(shop: Running) -> None:
    """Unknown products and rule sets without rules are refused; an empty rules list makes a custom collection."""
    replay = Replay(shop, "collection-create-products-ruleset-validation.json")
    for name, call in replay.capture["scenarios"].items():
        replay.step(call["document"], call, name)
        if "cleanup" in call:
            replay.step(call["cleanup"]["document"], call["cleanup"], f"{name}.cleanup")
    rejects_id = load(FOLDER + "collection-create-rejects-id.json")["scenarios"]["inputId"]
    replay.step(rejects_id["document"], rejects_id, "inputId")


def test_delete_answers_the_shop_and_leaves_a_destroy_event(shop: Running) -> None:
    replay = Replay(shop, "collection-delete-shop-payload.json")
    created = shop.graphql(CREATE_SHORT, {"input": {"title": "Doomed"}})["data"]["collectionCreate"]["collection"]
    replay.ids[replay.capture["success"]["variables"]["input"]["id"]] = created["id"]
    for name in ("success", "notFound", "downstreamRead"):
        replay.step(replay.capture[name]["document"], replay.capture[name], name)
    events = shop.graphql(
        'query { events(first: 5, query: "subject_type:COLLECTION AND action:destroy") {'
        " nodes { ... on BasicEvent { subjectId subjectType message } } } }"
    )
    assert {"subjectId": created["id"], "subjectType": "COLLECTION", "message": "Collection Doomed was deleted."} in (
        events["data"]["events"]["nodes"]
    )


def test_top_level_reads_by_id_handle_search_and_count(shop: Running) -> None:
    """collectionByIdentifier / collectionByHandle / collections(query:) / collectionsCount through a create,
    an update of title and handle, and a delete; the shop's own "frontpage" collection is found by handle."""
    replay = Replay(shop, "collection-top-level-staged-read.json")
    operations = replay.capture["operations"]
    count = "query { collectionsCount { count precision } }"
    start = shop.graphql(count)["data"]["collectionsCount"]["count"]
    for name, call in operations.items():
        if name in ("preCreateCountBaseline", "countOnlyAfterFirstCreate"):
            continue  # the real shop's other collections: compared as a difference below
        replay.step(call["document"], call, name)
    theirs = operations["countOnlyAfterFirstCreate"]["response"]["data"]["collectionsCount"]["count"]
    assert theirs - operations["preCreateCountBaseline"]["response"]["data"]["collectionsCount"]["count"] == 1
    assert shop.graphql(count)["data"]["collectionsCount"]["count"] == start + 1  # two made, one deleted


def test_fields_the_tap_reads_round_trip(shop: Running) -> None:
    """Description, SEO, image and sort order as written; an update moves updatedAt and the collection
    is found again by an `updated_at` search sorted by UPDATED_AT, the way an incremental read asks."""
    made = shop.graphql(
        """mutation C($input: CollectionInput!) { collectionCreate(input: $input) { collection { id updatedAt
          description descriptionHtml sortOrder seo { title description } image { url altText } } } }""",
        {
            "input": {
                "title": "Autumn",
                "descriptionHtml": "<p>Warm <b>things</b></p>",
                "sortOrder": "ALPHA_DESC",
                "seo": {"title": "Autumn picks", "description": "Warm things"},
                "image": {"src": "https://example.com/autumn.png", "altText": "Leaves"},
            }
        },
    )["data"]["collectionCreate"]["collection"]
    assert {k: v for k, v in made.items() if k not in ("id", "updatedAt")} == {
        "description": "Warm things",
        "descriptionHtml": "<p>Warm <b>things</b></p>",
        "sortOrder": "ALPHA_DESC",
        "seo": {"title": "Autumn picks", "description": "Warm things"},
        "image": {"url": "https://example.com/autumn.png", "altText": "Leaves"},
    }
    shop.emulator.store.clock.offset += 5
    shop.graphql(UPDATE, {"input": {"id": made["id"], "title": "Autumn sale"}})
    query = "query Q($q: String) { collections(first: 50, query: $q, sortKey: UPDATED_AT) { nodes { id updatedAt } } }"
    later = shop.graphql(query, {"q": f"updated_at:>'{made['updatedAt']}'"})["data"]["collections"]["nodes"]
    assert [n["id"] for n in later] == [made["id"]]


def test_smart_membership_follows_product_changes(shop: Running) -> None:
    """A product renamed to match a smart collection's rule joins it, renamed away it leaves (membership
    is kept between reads, so this is what proves it is worked out again after a change)."""
    rule = {"column": "TITLE", "relation": "CONTAINS", "condition": "zebra"}
    smart = shop.graphql(
        CREATE, {"input": {"title": "Zebras", "ruleSet": {"appliedDisjunctively": False, "rules": [rule]}}}
    )
    collection = smart["data"]["collectionCreate"]["collection"]["id"]
    product = next(shop.emulator.store.all("Product"))["id"]
    read = """query R($c: ID!, $p: ID!) { collection(id: $c) { productsCount { count } hasProduct(id: $p) }
      product(id: $p) { inCollection(id: $c) collections(first: 10) { nodes { id } } } }"""
    rename = "mutation U($p: ProductUpdateInput!) { productUpdate(product: $p) { userErrors { message } } }"

    def membership() -> tuple[int, bool, bool, bool]:
        answer = shop.graphql(read, {"c": collection, "p": product})["data"]
        listed = {"id": collection} in answer["product"]["collections"]["nodes"]
        count = answer["collection"]["productsCount"]["count"]
        return count, answer["collection"]["hasProduct"], answer["product"]["inCollection"], listed

    assert membership() == (0, False, False, False)
    shop.graphql(rename, {"p": {"id": product, "title": "Zebra mug"}})
    assert membership() == (1, True, True, True)
    shop.graphql(rename, {"p": {"id": product, "title": "Plain mug"}})
    assert membership() == (0, False, False, False)


def test_a_read_only_app_reads_a_collections_products() -> None:
    """`read_products` reads collections with their products and count; `write_products` is for the
    `collection…` mutations only, not for fields of a collection whose names start alike."""
    shop = start(customers=1, products=5, orders=1, scopes=("read_products",))
    try:
        query = "{ collections(first: 5) { nodes { id productsCount { count } products(first: 5) { nodes { id } } } } }"
        answer = shop.graphql(query)
    finally:
        shop.server.shutdown()
        shop.server.server_close()
    assert "errors" not in answer, answer["errors"]
    assert answer["data"]["collections"]["nodes"]
