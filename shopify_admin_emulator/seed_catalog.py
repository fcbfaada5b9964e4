"""The seeded shop's catalog extras, made after everything else so that the objects seeded before keep
their ids and timestamps: collections (the shop's "frontpage", custom ones with members, smart ones, and
one deleted), metafields on every kind of owner, metafield definitions, draft orders (open and completed),
gift cards (enabled, partly spent, spent, disabled, expired) and abandoned checkouts."""

from __future__ import annotations

import random
from decimal import Decimal

from .domains.abandoned_checkouts.models import new_abandoned_checkout, new_checkout_line_item
from .domains.collections.models import add_members, handleize, new_collection
from .domains.draft_orders.models import new_draft_line_item, new_draft_order
from .domains.gift_cards.models import add_transaction, generated_code, new_gift_card
from .domains.metafields.definitions import CATEGORIES, UNIQUE_VALUES_ELIGIBLE
from .domains.metafields.models import put_metafield, shop_owner
from .store import Record, Store, iso

SMART_RULES = [
    ("Sale", False, [("TAG", "EQUALS", "sale")]),
    ("Acme and Globex", True, [("VENDOR", "EQUALS", "Acme"), ("VENDOR", "EQUALS", "Globex")]),
    ("Mugs under $50", False, [("TYPE", "EQUALS", "Mug"), ("VARIANT_PRICE", "LESS_THAN", "50")]),
]
DEFINITIONS = [
    ("PRODUCT", "custom", "material", "Material", "single_line_text_field"),
    ("COLLECTION", "custom", "banner_text", "Banner text", "single_line_text_field"),
    ("LOCATION", "custom", "manager", "Manager", "single_line_text_field"),
    ("CUSTOMER", "custom", "loyalty_tier", "Loyalty tier", "single_line_text_field"),
]


def seed_catalog(store: Store, seed: int, now: int) -> None:
    """Fill in the catalog extras; `now` is the seeding moment (a day boundary) that the seeder dates from."""
    rng = random.Random(seed)
    products = sorted(store.all("Product"), key=lambda p: p["_n"])
    when = iso(now - 86400)
    _definitions(store)
    collections = _collections(store, rng, products, now)
    drafts = _draft_orders(store, rng, products, now)
    _gift_cards(store, rng, now)
    _abandoned_checkouts(store, rng, products, now)
    for collection in collections:
        put_metafield(
            store,
            collection,
            "custom",
            "banner_text",
            f"Shop {collection['title']}",
            "single_line_text_field",
            collection["updatedAt"],
        )
    for product in products[::5]:
        put_metafield(
            store,
            product,
            "custom",
            "material",
            rng.choice(["cotton", "ceramic", "paper"]),
            "single_line_text_field",
            product["updatedAt"],
        )
        variant = product["_variants"][0]
        put_metafield(
            store,
            variant,
            "custom",
            "weight_grams",
            str(rng.randrange(50, 900)),
            "number_integer",
            variant["updatedAt"],
        )
    for order in sorted(store.all("Order"), key=lambda o: o["_n"])[::7]:
        put_metafield(
            store, order, "custom", "gift_message", "Happy birthday!", "multi_line_text_field", order["updatedAt"]
        )
    for location in store.all("Location"):
        put_metafield(
            store,
            location,
            "custom",
            "manager",
            rng.choice(["Ada", "Grace"]),
            "single_line_text_field",
            location["updatedAt"],
        )
    for draft in drafts[::3]:
        put_metafield(store, draft, "custom", "sales_rep", "Grace", "single_line_text_field", draft["updatedAt"])
    shop = shop_owner(store)
    put_metafield(store, shop, "custom", "support_email", "help@example.com", "single_line_text_field", when)
    put_metafield(
        store, shop, "custom", "free_shipping_over", '{"amount": "100.00", "currency_code": "USD"}', "money", when
    )


def _definitions(store: Store) -> None:
    for owner_type, namespace, key, name, type_name in DEFINITIONS:
        store.put(
            store.new_record(
                "MetafieldDefinition",
                name=name,
                namespace=namespace,
                key=key,
                ownerType=owner_type,
                type={"name": type_name, "category": CATEGORIES[type_name]},
                capabilities={"uniqueValues": {"eligible": type_name in UNIQUE_VALUES_ELIGIBLE, "enabled": False}},
            )
        )


def _collections(store: Store, rng: random.Random, products: list[Record], now: int) -> list[Record]:
    """The "Home page" collection every shop has, three custom collections, the smart ones, and one
    custom collection deleted after every seeded update (like the seeder's other deletions)."""

    def stamp() -> str:
        return iso(now - rng.randrange(3600, 200 * 86400))

    made = [new_collection(store, stamp(), title="Home page", handle="frontpage")]
    for title in ("Summer picks", "Staff favourites", "Gift ideas", "Discontinued"):
        collection = new_collection(store, stamp(), title=title, handle=handleize(title))
        collection["sortOrder"] = "MANUAL"
        add_members(collection, rng.sample(products, min(len(products), rng.randrange(3, 12))))
        made.append(collection)
    for title, disjunctive, rules in SMART_RULES:
        rule_set = {
            "appliedDisjunctively": disjunctive,
            "rules": [{"column": c, "relation": r, "condition": v} for c, r, v in rules],
        }
        made.append(new_collection(store, stamp(), title=title, handle=handleize(title), rule_set=rule_set))
    for collection in made:
        store.put(collection)
    doomed = made.pop(4)
    store.table("Collection").delete(doomed["_n"])
    store.record_destroy(doomed, doomed["title"], iso(now - 30))
    return made


def _draft_orders(store: Store, rng: random.Random, products: list[Record], now: int) -> list[Record]:
    """Twelve draft orders: the first four completed into the seeded orders made from drafts, the rest open."""
    variants = [v for p in products for v in p["_variants"][:2]]
    customers = sorted(store.all("Customer"), key=lambda c: c["_n"])
    from_drafts = sorted(
        (o for o in store.all("Order") if o.get("sourceName") == "shopify_draft_order"), key=lambda o: o["_n"]
    )
    rows = []
    for number in range(1, 13 if variants else 1):
        created = now - rng.randrange(86400, 300 * 86400)
        lines = [
            new_draft_line_item(store, rng.choice(variants), rng.randrange(1, 4)) for _ in range(rng.randrange(1, 4))
        ]
        customer = rng.choice(customers) if customers and rng.random() < 0.8 else None
        draft = new_draft_order(store, number, customer, lines, iso(created), iso(created + rng.randrange(60, 86400)))
        draft["tags"] = sorted(rng.sample(["phone", "wholesale", "quote"], rng.randrange(0, 2)))
        if number <= 4 and len(from_drafts) >= number:
            order = from_drafts[number - 1]
            draft.update(status="COMPLETED", order=order, completedAt=order["createdAt"], updatedAt=order["createdAt"])
            draft["createdAt"] = min(draft["createdAt"], order["createdAt"])
        rows.append(store.put(draft))
    return rows


def _gift_cards(store: Store, rng: random.Random, now: int) -> None:
    """Ten gift cards: some with a customer, some partly or wholly spent, two disabled, one expired."""
    customers = sorted(store.all("Customer"), key=lambda c: c["_n"])
    for i in range(10):
        created = now - rng.randrange(86400, 400 * 86400)
        initial = Decimal(rng.choice([25, 50, 100, 200]))
        customer = customers[i * 3] if i % 2 == 0 and len(customers) > i * 3 else None
        card = new_gift_card(store, generated_code(store), initial, iso(created), customer, note=f"Seeded card {i + 1}")
        spent = {1: initial / 2, 3: initial / 4, 5: initial}.get(i % 6)
        if spent is not None:
            when = iso(min(created + rng.randrange(3600, 30 * 86400), now - 60))  # never after seeding
            add_transaction(store, card, -spent, "Order payment", when)
            card["updatedAt"] = when
        if i in (6, 7):
            card["enabled"], card["deactivatedAt"] = False, iso(created + 86400)
            card["updatedAt"] = max(card["updatedAt"], card["deactivatedAt"])
        if i == 8:
            card["expiresOn"] = iso(now - 10 * 86400)[:10]
        store.put(card)


def _abandoned_checkouts(store: Store, rng: random.Random, products: list[Record], now: int) -> None:
    """Eight checkouts left at payment, by known customers or guests, one with a discount code, two
    completed later (recovered)."""
    variants = [v for p in products for v in p["_variants"][:1]]
    customers = sorted(store.all("Customer"), key=lambda c: c["_n"])
    for i in range(8 if variants else 0):
        created = now - rng.randrange(3600, 60 * 86400)
        lines = [
            new_checkout_line_item(store, rng.choice(variants), rng.randrange(1, 3)) for _ in range(rng.randrange(1, 4))
        ]
        customer = rng.choice(customers) if customers and i % 4 != 3 else None
        checkout = new_abandoned_checkout(
            store, customer, lines, iso(created), iso(min(created + rng.randrange(60, 7200), now - 60))
        )
        if i == 2:
            checkout["discountCodes"] = ["WELCOME10"]
        if i in (5, 6):
            checkout["completedAt"] = checkout["updatedAt"] = iso(min(created + 2 * 86400, now - 60))
        store.put(checkout)
