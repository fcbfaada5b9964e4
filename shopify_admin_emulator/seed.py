"""Deterministic seed data: the same seed and sizes give the same shop, ids and timestamps included
(timestamps are relative to the seeding moment, rounded to the day, so reruns on one day agree)."""

from __future__ import annotations

import gc
import random
import time
from decimal import Decimal

from .domains.customers.models import ADDRESS_FIELDS, marketing_consent, new_address, new_customer
from .domains.discounts.models import AUTOMATIC, CODE, apply_input, inner, new_discount, new_redeem_code
from .domains.fulfillments.models import new_fulfillment, new_fulfillment_order
from .domains.inventory.models import stock, unstock
from .domains.locations.models import new_location
from .domains.metafields.models import put_metafield
from .domains.orders.models import new_line_item, new_order
from .domains.orders.money_seed import seed_money
from .domains.products.models import new_product, new_variant
from .seed_catalog import seed_catalog
from .store import Record, Store, iso, money
from .store import price as money_scalar

FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken", "Margaret", "Tim", "Radia", "Linus"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "Thompson", "Hamilton", "Berners-Lee"]
CITIES = [
    ("Ottawa", "ON", "CA", "Canada"),
    ("Austin", "TX", "US", "United States"),
    ("Denver", "CO", "US", "United States"),
    ("Toronto", "ON", "CA", "Canada"),
    ("Portland", "OR", "US", "United States"),
]
NOUNS = ["Mug", "Shirt", "Hoodie", "Cap", "Poster", "Sticker", "Notebook", "Bottle", "Tote", "Sock"]
ADJECTIVES = ["Classic", "Vintage", "Modern", "Cozy", "Bold", "Minimal", "Retro", "Organic", "Lunar", "Solar"]
VENDORS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli"]
SIZES = ["XS", "S", "M", "L", "XL", "XXL", "3XL", "4XL", "5XL", "6XL", "7XL", "8XL", "9XL"]
COLORS = [
    "Red",
    "Blue",
    "Green",
    "Black",
    "White",
    "Grey",
    "Navy",
    "Teal",
    "Olive",
    "Maroon",
    "Pink",
    "Gold",
    "Silver",
    "Ivory",
    "Coral",
    "Plum",
    "Sand",
    "Rust",
    "Mint",
    "Lilac",
]
TWO_YEARS = 730 * 86400
UPDATE_LAG = 20 * 86400  # mean seconds between an object's creation and its last update
BIG = 260  # three products get this many variants and three orders this many line items


def big_positions(count: int, first: int) -> set[int]:
    """Which of `count` seeded objects are the big ones (none of them among the destroyed)."""
    return {first, count // 4, count // 2} if count >= 20 else set()


class Seeder:
    def __init__(self, store: Store, seed: int) -> None:
        self.store = store
        self.rng = random.Random(seed)
        self.now = (int(time.time()) // 86400) * 86400
        self.tie_seconds = [self.now - self.rng.randrange(86400, TWO_YEARS) for _ in range(20)]

    def times(self, count: int) -> list[tuple[int, int]]:
        """(createdAt, updatedAt) pairs in creation order; about 1 in 20 lands on a shared second, and
        the ones that would be updated within the last minute all share `now - 60`."""
        created = sorted(self.now - self.rng.randrange(3600, TWO_YEARS) for _ in range(count))
        out = []
        for c in created:
            ties = [t for t in self.tie_seconds if t >= c] if self.rng.random() < 0.05 else []
            u = self.rng.choice(ties) if ties else min(self.now - 60, c + int(self.rng.expovariate(1 / UPDATE_LAG)))
            out.append((c, u))
        return out

    def address(self, first: str, last: str) -> Record:
        city, province, country_code, country = self.rng.choice(CITIES)
        return new_address(
            self.store,
            firstName=first,
            lastName=last,
            address1=f"{self.rng.randrange(1, 999)} {self.rng.choice(LAST)} St",
            city=city,
            province=province,
            provinceCode=province,
            country=country,
            countryCodeV2=country_code,
            zip=f"{self.rng.randrange(10000, 99999)}",
        )

    def customers(self, count: int) -> list[Record]:
        rows = []
        for i, (c, u) in enumerate(self.times(count)):
            first, last = self.rng.choice(FIRST), self.rng.choice(LAST)
            created = iso(c)
            record = new_customer(
                self.store,
                created,
                iso(u),
                firstName=first,
                lastName=last,
                email=f"{first.lower()}.{last.lower()}.{i}@example.com",
                phone=f"+1613555{i:04d}" if i < 10000 and self.rng.random() < 0.6 else None,
                state="ENABLED" if self.rng.random() < 0.3 else "DISABLED",
                tags=sorted(
                    self.rng.sample(["vip", "wholesale", "newsletter", "retail", "b2b"], self.rng.randrange(0, 3))
                ),
                emailMarketingConsent=marketing_consent(
                    self.rng.choice(["SUBSCRIBED", "NOT_SUBSCRIBED", "UNSUBSCRIBED"]), created
                ),
            )
            if record["phone"]:
                record["smsMarketingConsent"] = {**marketing_consent("NOT_SUBSCRIBED"), "consentCollectedFrom": "OTHER"}
            record["addresses"] = [self.address(first, last) for _ in range(self.rng.randrange(0, 3))]
            record["_default_address_id"] = record["addresses"][0]["id"] if record["addresses"] else None
            if self.rng.random() < 0.2:
                tier = self.rng.choice(["gold", "silver"])
                put_metafield(self.store, record, "custom", "loyalty_tier", tier, "single_line_text_field", created)
            rows.append(self.store.put(record))
        return rows

    def locations(self, active: int) -> list[Record]:
        """`active` locations stocking every variant, the first the primary "Shop location", and one
        deactivated location that stocks nothing."""
        created = iso(self.now - TWO_YEARS - 86400)
        names = ["Shop location", *(f"Warehouse {i}" for i in range(2, active + 1)), "Closed store"]
        rows = []
        for i, name in enumerate(names):
            city, province, country_code, country = CITIES[i % len(CITIES)]
            address = {
                "address1": f"{100 + i} {LAST[i % len(LAST)]} St",
                "address2": None,
                "city": city,
                "province": province,
                "provinceCode": province,
                "country": country,
                "countryCode": country_code,
                "zip": f"{10000 + i}",
                "phone": None,
            }
            closed = i == len(names) - 1
            rows.append(
                new_location(
                    self.store,
                    name,
                    address,
                    created,
                    isPrimary=i == 0,
                    isActive=not closed,
                    fulfillsOnlineOrders=not closed,
                    deactivatedAt=iso(self.now - 86400) if closed else None,
                )
            )
        self.active_locations = rows[:-1]
        return rows

    def products(self, count: int) -> list[Record]:
        rows = []
        big = big_positions(count, 1)
        for i, (c, u) in enumerate(self.times(count)):
            title = f"{self.rng.choice(ADJECTIVES)} {self.rng.choice(NOUNS)} {i}"
            created, updated = iso(c), iso(u)
            product = new_product(
                self.store,
                created,
                updated,
                publishedAt=created,
                title=title,
                handle=title.lower().replace(" ", "-"),
                descriptionHtml=f"<p>{title}</p>",
                productType=title.split()[1],
                vendor=self.rng.choice(VENDORS),
                status=self.rng.choices(["ACTIVE", "DRAFT", "ARCHIVED"], [90, 7, 3])[0],
                tags=sorted(self.rng.sample(["sale", "new", "summer", "winter", "gift"], self.rng.randrange(0, 3))),
            )
            if i in big:
                sizes, colors = SIZES[:13], COLORS[:20]
            elif self.rng.random() < 0.3:
                sizes, colors = [], []
            else:
                sizes, colors = (
                    self.rng.sample(SIZES[:6], self.rng.randrange(1, 4)),
                    self.rng.sample(COLORS[:6], self.rng.randrange(1, 3)),
                )
            combos: list[tuple[str, str] | None] = [(s, col) for s in sizes for col in colors] or [None]
            option_specs = [("Size", sizes), ("Color", colors)] if sizes else [("Title", ["Default Title"])]
            product["options"] = [
                self.store.new_record(
                    "ProductOption",
                    name=name,
                    position=pos,
                    optionValues=[
                        self.store.new_record("ProductOptionValue", name=v, hasVariants=True) for v in values
                    ],
                )
                for pos, (name, values) in enumerate(option_specs, 1)
            ]
            price = Decimal(self.rng.randrange(500, 15000)) / 100
            product["_variants"] = [
                self.variant(product, pos, combo, price, created, updated) for pos, combo in enumerate(combos, 1)
            ]
            rows.append(self.store.put(product))
        return rows

    def variant(
        self, product: Record, position: int, combo: tuple[str, str] | None, price: Decimal, created: str, updated: str
    ) -> Record:
        selected = (
            [{"name": "Size", "value": combo[0]}, {"name": "Color", "value": combo[1]}]
            if combo
            else [{"name": "Title", "value": "Default Title"}]
        )
        variant = new_variant(
            self.store,
            product,
            selected,
            created,
            updated,
            sku=f"SKU-{product['_n'] % 1_000_000:06d}-{position:03d}",
            price=money_scalar(price),
            compare_at_price=money_scalar(price * Decimal("1.2")) if self.rng.random() < 0.2 else None,
            position=position,
            inventory_quantity=self.rng.randrange(0, 100),
            tracked=True,
            cost=price / 2,
        )
        self.stock_elsewhere(variant, updated)
        return self.store.put(variant)

    def stock_elsewhere(self, variant: Record, when: str) -> None:
        """Named quantities at the primary location (which new_variant stocked with the variant's quantity)
        and some stock at the other active locations, taken from the item's number so that the seeder's
        random sequence, and so the rest of the shop, is the same whatever the number of locations."""
        item = variant["inventoryItem"]
        n = item["_n"] // 7
        primary = item["_levels"][self.active_locations[0]["_n"]]
        primary["_quantities"].update(incoming=n % 5, damaged=int(n % 11 == 0), reserved=int(n % 13 == 0))
        for location in self.active_locations[1:]:
            available = (n + location["_n"]) % 40
            stock(self.store, item, location, when, available=available, safety_stock=n % 3)
            variant["inventoryQuantity"] += available

    def orders(self, count: int, customers: list[Record], products: list[Record]) -> list[Record]:
        variants = [v for p in products for v in p["_variants"][:5]]
        big = big_positions(count, 3)
        rows = []
        for i, (c, u) in enumerate(self.times(count)):
            created, updated = iso(c), iso(u)
            customer = self.rng.choice(customers) if customers and self.rng.random() < 0.9 else None
            order = new_order(
                self.store,
                customer,
                created,
                updated,
                tags=sorted(self.rng.sample(["web", "pos", "priority", "gift", "repeat"], self.rng.randrange(0, 3))),
                sourceIdentifier=f"seed-{i}" if self.rng.random() < 0.5 else None,
                sourceName=self.rng.choice(["web", "pos", "shopify_draft_order"]),
                displayFinancialStatus=self.rng.choices(
                    ["PAID", "PENDING", "REFUNDED", "PARTIALLY_REFUNDED"], [80, 10, 5, 5]
                )[0],
            )
            address = customer["addresses"][0] if customer and customer["addresses"] else None
            order["shippingAddress"] = order["billingAddress"] = (
                self.store.new_record("MailingAddress", **{k: address[k] for k in ADDRESS_FIELDS}) if address else None
            )
            lines = BIG if i in big else self.rng.choice([1, 1, 2, 2, 3, 4])
            order["_line_items"] = (
                [self.line_item(order, self.rng.choice(variants)) for _ in range(lines)] if variants else []
            )
            subtotal = sum((Decimal(li["_unit_price"]) * li["quantity"] for li in order["_line_items"]), Decimal(0))
            tax = (subtotal * Decimal("0.13")).quantize(Decimal("0.01"))
            shipping = Decimal("0") if subtotal > 100 else Decimal("9.99")
            order.update(
                _subtotal=money(subtotal),
                _total_tax=money(tax),
                _total_shipping=money(shipping),
                _total_discounts="0.0",
                _total_price=money(subtotal + tax + shipping),
                _total_refunded=money(subtotal + tax + shipping)
                if order["displayFinancialStatus"] == "REFUNDED"
                else "0.0",
            )
            self.fulfillment_orders(order, created, updated)
            rows.append(self.store.put(order))
        return rows

    def line_item(self, order: Record, variant: Record) -> Record:
        product = variant["_product"]
        return new_line_item(
            self.store,
            order,
            variant,
            product,
            name=f"{product['title']} - {variant['title']}",
            title=product["title"],
            variant_title=variant["title"],
            quantity=self.rng.randrange(1, 4),
            unit_price=variant["price"],
        )

    def fulfillment_orders(self, order: Record, created: str, updated: str) -> None:
        """One open fulfillment order for everything; most paid orders are then fulfilled in full."""
        quantities = [(li, li["quantity"]) for li in order["_line_items"]]
        fo = new_fulfillment_order(self.store, order, quantities, created, updated, created)
        order["_fulfillments"] = []
        if order["displayFinancialStatus"] == "PAID" and self.rng.random() < 0.6:
            tracking = [{"company": "UPS", "number": f"1Z{self.rng.randrange(10**9, 10**10)}", "url": None}]
            allocations = [(fo, row, row["totalQuantity"]) for row in fo["_line_items"]]
            new_fulfillment(self.store, [fo], allocations, tracking, updated)
            order["closed"], order["closedAt"] = True, updated

    def discounts(self, products: list[Record]) -> None:
        """One discount of each shape the target writes: a percentage code with three codes, a fixed
        amount off the first product applied automatically, and free shipping by code."""
        on = {"products": {"productsToAdd": [products[0]["id"]]}} if products else {"all": True}
        shapes = [
            (CODE, "DiscountCodeBasic", "Ten percent", {"value": {"percentage": 0.1}, "items": {"all": True}}),
            (
                AUTOMATIC,
                "DiscountAutomaticBasic",
                "Five off",
                {"value": {"discountAmount": {"amount": "5.00"}}, "items": on},
            ),
            (CODE, "DiscountCodeFreeShipping", "Free shipping", None),
        ]
        codes = {"Ten percent": ["WELCOME10", "SPRING10", "VIP10"], "Free shipping": ["SHIPFREE"]}
        for (kind, type_name, title, gets), (c, u) in zip(shapes, self.times(len(shapes)), strict=True):
            node = new_discount(self.store, kind, type_name, iso(c))
            apply_input(self.store, inner(node), {"title": title, "startsAt": iso(c), "customerGets": gets})
            inner(node)["updatedAt"] = iso(u)
            for code in codes.get(title, []):
                new_redeem_code(self.store, inner(node), code)
            self.store.put(node)

    def destroyed(self, rows: list[Record]) -> None:
        """Delete seeded objects the way a merchant would, leaving destroy events. They are dated after
        every seeded update but in the past, so a sync started right after seeding reads them (its
        window ends, exclusive, at its start second)."""
        when = iso(self.now - 30)
        for record in rows:
            type_name = record["__typename"]
            self.store.table(type_name).delete(record["_n"])
            if type_name == "Product":
                for v in record["_variants"]:
                    self.store.table("ProductVariant").delete(v["_n"])
                    self.store.table("InventoryItem").delete(v["inventoryItem"]["_n"])
                    unstock(self.store, v["inventoryItem"])
            if type_name == "Order":
                for child in record["_fulfillment_orders"] + record["_fulfillments"]:
                    self.store.table(child["__typename"]).delete(child["_n"])
                owner = self.store.table("Customer").get(record["_customer_id"] or 0)
                if owner is not None:
                    owner["_order_ids"].remove(record["_n"])
            self.store.record_destroy(record, record.get("title") or record.get("email") or record["name"], when)


def seed(store: Store, customers: int, products: int, orders: int, seed: int = 1, locations: int = 2) -> None:
    """Fill `store` (each of the `locations` active locations stocks every variant), then delete the
    newest two orders, products and customers without orders (one of each when there are fewer than 20)."""
    seeder = Seeder(store, seed)
    collecting = gc.isenabled()
    gc.disable()  # nothing seeded is garbage; collecting while millions of objects appear costs a third of the time
    try:
        with store.lock:
            seeder.locations(max(locations, 1))
            customer_rows = seeder.customers(customers)
            product_rows = seeder.products(max(products, 1) if orders else products)
            order_rows = seeder.orders(orders, customer_rows, product_rows)
            without_orders = [c for c in customer_rows if not c["_order_ids"]]
            for rows in (order_rows, without_orders, product_rows):
                seeder.destroyed(rows[-2 if len(rows) >= 20 else -1 :] if rows else [])
            seeder.discounts([p for p in product_rows if store.node(p["id"], "Product")])
            seed_money(store)
            seed_catalog(store, seed, seeder.now)
    finally:
        if collecting:
            gc.enable()
