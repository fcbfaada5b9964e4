"""End to end through Meltano with Snowflake: MeltanoLabs' tap-snowflake and target-snowflake from PyPI,
unmodified, against a local stand-in that speaks Snowflake's wire protocol (tests/snowflake.py).

target-snowflake loads every batch by `PUT file://… '@~/target-snowflake/…'` into the user stage, then
`MERGE … USING (SELECT $1:… FROM '@~/…'(FILE_FORMAT => …))` (upsert), then `REMOVE '@~/…'`, and drops its
file formats at the end. fakesnow 0.12.1 has none of these; `snowflake_site/staged_files.py` teaches its
server them as Snowflake documents them, so the whole load runs.

What the stand-in still cannot show: fakesnow's server sends a NULL TIMESTAMP as 1970-01-01 (the value stored
is NULL), so timestamps are checked by SQL (`IS NULL`) rather than read back, and the warehouse tables here
keep `deleted_at` as text, which crosses as NULL or an ISO time, the same for the stream maps.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from shopify_admin_emulator.launch import emulator_process

from ..conftest import unavailable
from ..helpers import advance_clock
from ..snowflake import ACCOUNT, Snowflake, UnavailableError, redirected, snowflake_standin
from .meltano import (
    CUSTOMER,
    CUSTOMER_UPDATE,
    MELTANO,
    PRODUCT,
    ROOT,
    STREAMS,
    TOKEN,
    Meltano,
    install,
    meltano_env,
    shop_counts,
    shop_graphql,
)

FORWARD = ("tap-shopify-admin", "target-snowflake")
REVERSE = ("tap-snowflake", "target-shopify-admin")
DATABASE = "WAREHOUSE"
EVERY_STREAM = (*STREAMS, "locations", "inventory_items", "inventory_levels", "discounts", "discount_codes")

pytestmark = [pytest.mark.slow, pytest.mark.meltano]


@pytest.fixture(scope="session")
def snowflake() -> Iterator[Snowflake]:
    try:
        with snowflake_standin() as standin:
            standin.sql(f"CREATE DATABASE IF NOT EXISTS {DATABASE}")
            yield standin
    except UnavailableError as exc:
        unavailable(str(exc))


@pytest.fixture(scope="session")
def installed_snowflake() -> Iterator[None]:
    """The four plugins installed, the Snowflake ones redirected to the stand-in."""
    if not MELTANO.exists():
        unavailable(f"{MELTANO} is missing: scripts/setup.sh creates it")
    install(*FORWARD, *REVERSE)
    with redirected(ROOT / ".meltano/extractors/tap-snowflake/venv", ROOT / ".meltano/loaders/target-snowflake/venv"):
        yield


@pytest.fixture
def meltano(installed_snowflake: None, snowflake: Snowflake, tmp_path: Path) -> Iterator[tuple[Meltano, str]]:
    """Meltano with a state database of the test's own, both Snowflake plugins pointed at the stand-in, and
    a freshly seeded emulator (its URL comes with it)."""
    login = {"ACCOUNT": ACCOUNT, "USER": "test", "PASSWORD": "test", "DATABASE": DATABASE}
    seed = ("--customers", "60", "--products", "15", "--orders", "40")
    # search without lag, and windows up to the sync's start: a test changes the shop just before a run
    with emulator_process(*seed, "--plan", "unlimited", "--access-token", TOKEN, "--search-lag", "0") as emulator:
        env = meltano_env(
            TAP_SHOPIFY_ADMIN_SEARCH_LAG="0",
            SHOPIFY_EMULATOR_URL=emulator.url,
            SHOPIFY_EMULATOR_TOKEN=TOKEN,
            MELTANO_DATABASE_URI=f"sqlite:///{tmp_path / 'meltano.db'}",
            TARGET_SHOPIFY_ADMIN_DEAD_LETTER_PATH=str(tmp_path / "failed.jsonl"),
            **{f"TAP_SNOWFLAKE_{key}": value for key, value in login.items()},
            **{f"TARGET_SNOWFLAKE_{key}": value for key, value in login.items()},
            **snowflake.env,
        )
        yield Meltano(env), emulator.url


def every_node(url: str, connection: str, arguments: str = "", selection: str = "id") -> list[dict[str, Any]]:
    """Every node of one of the shop's root connections, page by page."""
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = shop_graphql(
            url,
            f"query($after: String) {{ {connection}(first: 100, after: $after{arguments}) {{"
            f" nodes {{ {selection} }} pageInfo {{ hasNextPage endCursor }} }} }}",
            {"after": after},
        )[connection]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


CODES = " ".join(
    f"... on {kind} {{ codesCount {{ count }} }}"
    for kind in ("DiscountCodeBasic", "DiscountCodeBxgy", "DiscountCodeFreeShipping", "DiscountCodeApp")
)


def every_stream_in_shop(url: str) -> dict[str, int]:
    """What the shop holds per stream the tap reads, counted through the Admin API."""
    items = every_node(url, "inventoryItems", selection="id inventoryLevels(first: 50) { nodes { id } }")
    discounts = every_node(url, "discountNodes", selection=f"id discount {{ {CODES} }}")
    return shop_counts(url) | {
        "locations": len(every_node(url, "locations", ", includeInactive: true, includeLegacy: true")),
        "inventory_items": len(items),
        "inventory_levels": sum(len(item["inventoryLevels"]["nodes"]) for item in items),
        "discounts": len(discounts),
        "discount_codes": sum(d["discount"].get("codesCount", {"count": 0})["count"] for d in discounts),
    }


def test_shop_to_snowflake_loads_every_stream_then_upserts_changes(
    meltano: tuple[Meltano, str], snowflake: Snowflake
) -> None:
    run, url = meltano
    schema = "SHOPIFY_FORWARD"
    run.env["TARGET_SNOWFLAKE_DEFAULT_TARGET_SCHEMA"] = schema
    table = f"{DATABASE}.{schema}"

    def rows(where: str = "TRUE") -> dict[str, int]:
        counted = snowflake.sql(
            " UNION ALL ".join(f"SELECT '{name}', COUNT(*) FROM {table}.{name} WHERE {where}" for name in EVERY_STREAM)
        )
        return {name: int(count) for name, count in counted}

    live = "_SDC_DELETED_AT IS NULL"
    run.run(*FORWARD)  # load_method upsert, as meltano.yml sets it
    shop = every_stream_in_shop(url)
    assert all(shop.values()), shop  # every stream has rows to load
    assert rows(live) == shop  # the seeded shop's deletions arrive too, as marked rows
    assert snowflake.sql("LIST @~") == []  # the target removed what it staged
    totals = rows()
    marked = {customer_id for (customer_id,) in snowflake.sql(f"SELECT ID FROM {table}.CUSTOMERS WHERE NOT {live}")}
    ((loaded_at,),) = snowflake.sql(f"SELECT MAX(_SDC_BATCHED_AT)::VARCHAR FROM {table}.CUSTOMERS")

    types = dict(
        snowflake.sql(
            f"SELECT table_name || '.' || column_name, data_type FROM {DATABASE}.information_schema.columns"
            f" WHERE table_schema = '{schema}'"
        )
    )
    assert types["CUSTOMERS.ADDRESSES"] == types["CUSTOMERS.DEFAULTEMAILADDRESS"] == "VARIANT"  # a list, an object
    assert types["CUSTOMERS.UPDATEDAT"] == types["CUSTOMERS._SDC_DELETED_AT"] == "TIMESTAMP_NTZ"
    assert types["CUSTOMERS.FIRSTNAME"] == "TEXT" and types["ORDER_LINE_ITEMS.QUANTITY"] == "NUMBER"
    loaded = snowflake.sql(
        f"SELECT COUNT(*) FROM {table}.CUSTOMERS"
        " WHERE ARRAY_SIZE(ADDRESSES) > 0 AND DEFAULTEMAILADDRESS:emailAddress::VARCHAR LIKE '%@%'"
    )
    assert loaded[0][0] > 0  # a list and an object loaded as values, not as their JSON text

    customers = every_node(url, "customers", selection="id numberOfOrders")
    deleted = next(c["id"] for c in customers if c["numberOfOrders"] == "0")  # one with orders cannot go
    changed = {c["id"]: f"changed in the shop ({i})" for i, c in enumerate(customers[:5]) if c["id"] != deleted}
    for customer_id, note in changed.items():
        payload = shop_graphql(url, CUSTOMER_UPDATE, {"input": {"id": customer_id, "note": note}})["customerUpdate"]
        assert not payload["userErrors"], payload
    gone = shop_graphql(
        url,
        "mutation($input: CustomerDeleteInput!) { customerDelete(input: $input) { userErrors { message } } }",
        {"input": {"id": deleted}},
    )["customerDelete"]
    assert not gone["userErrors"], gone

    run.run(*FORWARD)  # Meltano passes on the first run's state: only the changes are read
    assert rows() == totals  # upserted in place, no row doubled: the deleted customer's row stays, marked
    assert rows(live) == every_stream_in_shop(url)
    now_marked = snowflake.sql(f"SELECT ID FROM {table}.CUSTOMERS WHERE NOT {live}")
    assert {customer_id for (customer_id,) in now_marked} == marked | {deleted}
    reloaded = snowflake.sql(f"SELECT ID, NOTE FROM {table}.CUSTOMERS WHERE _SDC_BATCHED_AT > '{loaded_at}'")
    assert dict(reloaded) == {**changed, deleted: None}  # exactly those rows, updated


WAREHOUSE_TABLES = (
    f"CREATE SCHEMA IF NOT EXISTS {DATABASE}.REVERSE_ETL",
    f"CREATE OR REPLACE TABLE {DATABASE}.REVERSE_ETL.CRM_CUSTOMERS (EMAIL_ADDRESS VARCHAR NOT NULL,"
    " GIVEN_NAME VARCHAR, FAMILY_NAME VARCHAR, PHONE_NUMBER VARCHAR, NOTES VARCHAR, SEGMENTS VARCHAR,"
    " DELETED_AT VARCHAR)",
    f"CREATE OR REPLACE TABLE {DATABASE}.REVERSE_ETL.CATALOG_PRODUCTS (SKU_HANDLE VARCHAR NOT NULL,"
    " PRODUCT_NAME VARCHAR NOT NULL, LIFECYCLE VARCHAR, BRAND VARCHAR, CATEGORY VARCHAR, LABELS VARCHAR,"
    " DESCRIPTION VARCHAR, DELETED_AT VARCHAR)",
)


def test_reverse_etl_from_snowflake(meltano: tuple[Meltano, str], snowflake: Snowflake) -> None:
    run, url = meltano
    existing = shop_graphql(
        url,
        "{ customers(first: 20, sortKey: ID) { nodes { defaultEmailAddress { emailAddress } } }"
        " products(first: 1, sortKey: ID) { nodes { handle } } }",
    )
    email = next(
        c["defaultEmailAddress"]["emailAddress"] for c in existing["customers"]["nodes"] if c["defaultEmailAddress"]
    )
    handle = existing["products"]["nodes"][0]["handle"]
    snowflake.sql(
        *WAREHOUSE_TABLES,
        f"INSERT INTO {DATABASE}.REVERSE_ETL.CRM_CUSTOMERS (EMAIL_ADDRESS, GIVEN_NAME, FAMILY_NAME, NOTES, SEGMENTS)"
        " VALUES ('ada@example.com', 'Ada', 'Lovelace', 'from the CRM', 'vip, newsletter'),"
        " ('grace@example.com', 'Grace', 'Hopper', NULL, NULL),"
        f" ('{email}', 'Changed', 'In Snowflake', 'lifetime value recomputed', 'vip')",
        f"INSERT INTO {DATABASE}.REVERSE_ETL.CATALOG_PRODUCTS VALUES"
        " ('snowflake-mug', 'Snowflake mug', 'ACTIVE', 'Acme', 'Mugs', 'kitchen, gift', '<p>A mug</p>', NULL),"
        f" ('{handle}', 'Renamed in Snowflake', 'ACTIVE', 'Snowflake Co', 'Misc', 'sale', '<p>New</p>', NULL)",
    )

    assert run.run(*REVERSE) == {
        "reverse_etl-crm_customers": {"created": 2, "updated": 1},
        "reverse_etl-catalog_products": {"created": 1, "updated": 1},
    }
    ada = shop_graphql(url, CUSTOMER, {"email": "ada@example.com"})["customerByIdentifier"]
    assert (ada["firstName"], ada["lastName"], ada["note"], sorted(ada["tags"])) == (
        "Ada",
        "Lovelace",
        "from the CRM",
        ["newsletter", "vip"],
    )
    changed = shop_graphql(url, CUSTOMER, {"email": email})["customerByIdentifier"]
    assert (changed["firstName"], changed["lastName"], changed["tags"]) == ("Changed", "In Snowflake", ["vip"])
    renamed = shop_graphql(url, PRODUCT, {"handle": handle})["productByIdentifier"]
    assert (renamed["title"], renamed["vendor"], renamed["productType"]) == (
        "Renamed in Snowflake",
        "Snowflake Co",
        "Misc",
    )

    advance_clock(url, 1)  # a write now would show in updatedAt
    before = [shop_graphql(url, CUSTOMER, {"email": e}) for e in ("ada@example.com", email)]
    assert run.run(*REVERSE) == {
        "reverse_etl-crm_customers": {"unchanged": 3},
        "reverse_etl-catalog_products": {"unchanged": 2},
    }
    assert [shop_graphql(url, CUSTOMER, {"email": e}) for e in ("ada@example.com", email)] == before

    snowflake.sql(
        f"UPDATE {DATABASE}.REVERSE_ETL.CRM_CUSTOMERS SET DELETED_AT = '2026-11-01T00:00:00Z'"
        " WHERE EMAIL_ADDRESS = 'grace@example.com'"
    )
    assert run.run(*REVERSE) == {
        "reverse_etl-crm_customers": {"deleted": 1, "unchanged": 2},
        "reverse_etl-catalog_products": {"unchanged": 2},
    }
    assert shop_graphql(url, CUSTOMER, {"email": "grace@example.com"})["customerByIdentifier"] is None
