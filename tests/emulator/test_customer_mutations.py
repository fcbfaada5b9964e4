"""Customer mutations, metafieldsSet and tags through HTTP: what they write is what later reads see."""

from __future__ import annotations

CUSTOMER = "id email phone firstName tags updatedAt metafields(first: 5) { nodes { key value compareDigest } }"
PAYLOAD = f"customer {{ {CUSTOMER} }} userErrors {{ field message }}"
CREATE = f"mutation($input: CustomerInput!) {{ customerCreate(input: $input) {{ {PAYLOAD} }} }}"
UPDATE = f"mutation($input: CustomerInput!) {{ customerUpdate(input: $input) {{ {PAYLOAD} }} }}"
SET = (
    "mutation($input: CustomerSetInput!, $identifier: CustomerSetIdentifiers) { customerSet(input: $input,"
    f" identifier: $identifier) {{ customer {{ {CUSTOMER} }} userErrors {{ field message code }} }} }}"
)
DELETE = "mutation($id: ID!) { customerDelete(input: {id: $id}) { deletedCustomerId userErrors { field message } } }"
READ = f"query($id: ID!) {{ customer(id: $id) {{ {CUSTOMER} }} }}"
METAFIELDS_SET = (
    "mutation($m: [MetafieldsSetInput!]!) { metafieldsSet(metafields: $m) {"
    " metafields { key value compareDigest ownerType } userErrors { field message code } } }"
)  # fmt: skip


def create(shop, **fields):
    result = shop.graphql(CREATE, {"input": fields})["data"]["customerCreate"]
    assert result["userErrors"] == []
    return result["customer"]


def test_create_then_read_back(shop):
    made = create(shop, email="new@example.com", phone="+1 613 555 0199", tags=["b", "A, c"])
    read = shop.graphql(READ, {"id": made["id"]})["data"]["customer"]
    assert read == made
    assert (read["phone"], read["tags"]) == ("+16135550199", ["A", "b", "c"])


def test_update_moves_updated_at_and_keeps_emails_unique(shop):
    first, second = create(shop, email="one@example.com"), create(shop, email="two@example.com")
    shop.emulator.store.clock.offset += 60
    changed = shop.graphql(UPDATE, {"input": {"id": first["id"], "firstName": "Renamed"}})["data"]["customerUpdate"]
    assert changed["customer"]["firstName"] == "Renamed" and changed["customer"]["updatedAt"] > first["updatedAt"]
    clash = shop.graphql(UPDATE, {"input": {"id": second["id"], "email": "ONE@example.com"}})["data"]["customerUpdate"]
    assert clash == {"customer": None, "userErrors": [{"field": ["email"], "message": "Email has already been taken"}]}


def test_customer_set_creates_then_updates_by_email(shop):
    identifier = {"email": "upsert@example.com"}
    made = shop.graphql(SET, {"identifier": identifier, "input": {"email": "upsert@example.com", "firstName": "A"}})
    again = shop.graphql(SET, {"identifier": identifier, "input": {"email": "upsert@example.com", "firstName": "B"}})
    first, second = made["data"]["customerSet"]["customer"], again["data"]["customerSet"]["customer"]
    assert first["id"] == second["id"] and (first["firstName"], second["firstName"]) == ("A", "B")


def test_delete_refused_with_orders_allowed_without_and_leaves_an_event(shop):
    with shop.emulator.store.lock:
        buyer = next(c for c in shop.emulator.store.all("Customer") if c["_order_ids"])
    refused = shop.graphql(DELETE, {"id": buyer["id"]})["data"]["customerDelete"]
    assert refused["deletedCustomerId"] is None and refused["userErrors"][0]["field"] == ["id"]
    made = create(shop, email="gone@example.com")
    assert shop.graphql(DELETE, {"id": made["id"]})["data"]["customerDelete"]["deletedCustomerId"] == made["id"]
    assert shop.graphql(READ, {"id": made["id"]})["data"]["customer"] is None
    nodes = "nodes { action ... on BasicEvent { subjectId } }"
    events = shop.graphql(f'{{ events(first: 20, reverse: true, query: "subject_type:CUSTOMER") {{ {nodes} }} }}')
    assert {"action": "destroy", "subjectId": made["id"]} in events["data"]["events"]["nodes"]


def test_metafields_set_checks_compare_digest(shop):
    owner = create(shop, email="meta@example.com")
    entry = {"ownerId": owner["id"], "namespace": "custom", "key": "tier", "type": "single_line_text_field"}
    first = shop.graphql(METAFIELDS_SET, {"m": [{**entry, "value": "gold"}]})["data"]["metafieldsSet"]
    digest = first["metafields"][0]["compareDigest"]
    assert first["metafields"][0]["ownerType"] == "CUSTOMER" and first["userErrors"] == []
    updated = shop.graphql(METAFIELDS_SET, {"m": [{**entry, "value": "silver", "compareDigest": digest}]})
    assert updated["data"]["metafieldsSet"]["metafields"][0]["value"] == "silver"
    stale = shop.graphql(METAFIELDS_SET, {"m": [{**entry, "value": "bronze", "compareDigest": digest}]})
    assert stale["data"]["metafieldsSet"]["userErrors"][0]["code"] == "STALE_OBJECT"
    read = shop.graphql(READ, {"id": owner["id"]})["data"]["customer"]
    assert [m["value"] for m in read["metafields"]["nodes"]] == ["silver"]
    assert read["updatedAt"] >= owner["updatedAt"]


def test_tags_add_and_remove_touch_the_product(shop):
    with shop.emulator.store.lock:
        product = next(iter(shop.emulator.store.all("Product")))
        before = product["updatedAt"]
    shop.emulator.store.clock.offset += 60
    node = "node { ... on Product { tags updatedAt } }"
    query = f"mutation($id: ID!, $t: [String!]!) {{ tagsAdd(id: $id, tags: $t) {{ {node} }} }}"
    added = shop.graphql(query, {"id": product["id"], "t": ["zz-new"]})["data"]["tagsAdd"]["node"]
    assert "zz-new" in added["tags"] and added["updatedAt"] > before
    removed = shop.graphql(query.replace("tagsAdd", "tagsRemove"), {"id": product["id"], "t": ["ZZ-NEW"]})
    assert "zz-new" not in removed["data"]["tagsRemove"]["node"]["tags"]
