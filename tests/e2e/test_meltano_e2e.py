"""End to end through Meltano (meltano.yml, plugins installed from PyPI) with a real PostgreSQL server and
the emulator: the shop loaded into Postgres and kept up to date incrementally, deletions as soft deletes,
and reverse ETL from warehouse tables back into the shop."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from shopify_admin_emulator.launch import emulator_process

from ..helpers import advance_clock
from .meltano import (
    CUSTOMER,
    CUSTOMER_UPDATE,
    FORWARD,
    MELTANO,
    PRODUCT,
    REVERSE,
    ROOT,
    STREAMS,
    TOKEN,
    Pipeline,
    meltano_env,
)

pytestmark = [pytest.mark.slow, pytest.mark.meltano]


def test_a_collection_membership_that_ended_is_marked_deleted(pipeline: Pipeline) -> None:
    """collection_products is read whole on each run and ends with ACTIVATE_VERSION: target-postgres marks
    the rows of earlier reads that the last one did not bring."""
    load_shop = pipeline.meltano.selecting("collections", "collection_products")
    load_shop.run(*FORWARD)
    collections = pipeline.graphql(
        "{ collections(first: 250) { nodes { id sortOrder ruleSet { rules { column } } productsCount { count } } } }"
    )["collections"]["nodes"]
    members = sum(c["productsCount"]["count"] for c in collections)
    assert pipeline.rows("collection_products", "_sdc_deleted_at IS NULL") == members
    custom = next(c for c in collections if not c["ruleSet"] and c["productsCount"]["count"])
    product = pipeline.graphql(
        "query($id: ID!) { collection(id: $id) { products(first: 1) { nodes { id } } } }", {"id": custom["id"]}
    )["collection"]["products"]["nodes"][0]["id"]
    pipeline.mutate(
        "mutation($id: ID!, $p: [ID!]!) { collectionRemoveProducts(id: $id, productIds: $p) {"
        " userErrors { message } } }",
        {"id": custom["id"], "p": [product]},
    )

    load_shop.run(*FORWARD)
    assert pipeline.rows("collection_products", "_sdc_deleted_at IS NULL") == members - 1
    assert pipeline.rows("collection_products", "_sdc_deleted_at IS NOT NULL") == 1


def test_load_every_stream_then_incremental(pipeline: Pipeline) -> None:
    pipeline.meltano.run(*FORWARD)
    assert pipeline.live_rows() == pipeline.shop_counts()
    loaded_at = {
        s: pipeline.postgres.value(f'SELECT max(_sdc_batched_at) FROM {pipeline.schema}."{s}"') for s in STREAMS
    }
    totals = {stream: pipeline.rows(stream) for stream in STREAMS}

    changed = pipeline.graphql("{ customers(first: 5, sortKey: NAME) { nodes { id } } }")["customers"]["nodes"]
    notes = {c["id"]: f"changed in the shop ({i})" for i, c in enumerate(changed)}
    # the shop's clock a second behind the tap's, whose window ends at the second its run starts in:
    # these changes fall before it
    advance_clock(pipeline.url, -1)
    for customer_id, note in notes.items():
        pipeline.mutate(CUSTOMER_UPDATE, {"input": {"id": customer_id, "note": note}})

    pipeline.meltano.run(*FORWARD)  # Meltano passes on the first run's state: only the changes are read
    state = pipeline.meltano("state", "get", "dev:tap-shopify-admin-to-target-postgres")
    assert '"bookmarks"' in state and '"customers"' in state
    reloaded = {
        stream: pipeline.postgres.psql(
            f"SELECT id, note FROM {pipeline.schema}.\"{stream}\" WHERE _sdc_batched_at > '{loaded_at[stream]}'"
            if stream == "customers"
            else f"SELECT id FROM {pipeline.schema}.\"{stream}\" WHERE _sdc_batched_at > '{loaded_at[stream]}'"
        )
        for stream in STREAMS
    }
    assert {row[0]: row[1] for row in reloaded.pop("customers")} == notes  # exactly those rows, updated
    assert reloaded == {stream: [] for stream in STREAMS if stream != "customers"}
    assert {stream: pipeline.rows(stream) for stream in STREAMS} == totals  # updated in place, no new rows
    assert pipeline.live_rows() == pipeline.shop_counts()


def test_deletions_are_soft_deletes(pipeline: Pipeline) -> None:
    load_shop = pipeline.meltano.selecting(*STREAMS)  # what the test counts
    load_shop.run(*FORWARD)
    deleted_before = {stream: pipeline.rows(stream, "_sdc_deleted_at IS NOT NULL") for stream in STREAMS}

    customers = pipeline.graphql("{ customers(first: 250) { nodes { id numberOfOrders } } }")["customers"]["nodes"]
    customer = next(c["id"] for c in customers if c["numberOfOrders"] == "0")  # one with orders cannot go
    product = pipeline.graphql("{ products(first: 1, sortKey: TITLE) { nodes { id } } }")["products"]["nodes"][0]["id"]
    order = pipeline.graphql("{ orders(first: 1, sortKey: CREATED_AT) { nodes { id } } }")["orders"]["nodes"][0]["id"]
    # the shop's clock a second behind the tap's, whose window ends at the second its run starts in:
    # these changes fall before it
    advance_clock(pipeline.url, -1)
    pipeline.mutate(
        "mutation($input: CustomerDeleteInput!) { customerDelete(input: $input) { userErrors { message } } }",
        {"input": {"id": customer}},
    )
    pipeline.mutate(
        "mutation($input: ProductDeleteInput!) { productDelete(input: $input) { userErrors { message } } }",
        {"input": {"id": product}},
    )
    pipeline.mutate("mutation($id: ID!) { orderDelete(orderId: $id) { userErrors { message } } }", {"id": order})

    load_shop.run(*FORWARD)
    for stream, object_id in (("customers", customer), ("products", product), ("orders", order)):
        # the row stays, marked: target-postgres's hard_delete acts on ACTIVATE_VERSION only, which these
        # incremental streams do not send
        assert pipeline.rows(stream, f"id = '{object_id}' AND _sdc_deleted_at IS NOT NULL") == 1
        assert pipeline.rows(stream, "_sdc_deleted_at IS NOT NULL") == deleted_before[stream] + 1
    live = pipeline.live_rows()
    shop = pipeline.shop_counts()
    for stream in ("customers", "products", "orders"):
        assert live[stream] == shop[stream]


WAREHOUSE_TABLES = """
DROP SCHEMA IF EXISTS reverse_etl CASCADE;
CREATE SCHEMA reverse_etl;
CREATE TABLE reverse_etl.crm_customers (
  customer_key serial PRIMARY KEY, email_address text NOT NULL, given_name text, family_name text,
  phone_number text, notes text, segments text, deleted_at timestamptz);
CREATE TABLE reverse_etl.catalog_products (
  sku_handle text PRIMARY KEY, product_name text NOT NULL, lifecycle text, brand text, category text,
  labels text, description text, deleted_at timestamptz);
CREATE TABLE reverse_etl.warehouse_stock (
  sku text NOT NULL, location text NOT NULL, available integer NOT NULL, PRIMARY KEY (sku, location));
"""


def test_reverse_etl_from_postgres(pipeline: Pipeline) -> None:
    pg = pipeline.postgres
    existing = pipeline.graphql(
        "{ customers(first: 50, sortKey: ID) { nodes { defaultEmailAddress { emailAddress } } }"
        " products(first: 1, sortKey: ID) { nodes { handle } } }"
    )
    emails = [
        c["defaultEmailAddress"]["emailAddress"] for c in existing["customers"]["nodes"] if c["defaultEmailAddress"]
    ]
    emails = emails[:2]
    handle = existing["products"]["nodes"][0]["handle"]
    pg.psql(WAREHOUSE_TABLES)
    pg.psql(
        "INSERT INTO reverse_etl.crm_customers (email_address, given_name, family_name, notes, segments) VALUES "
        "('ada@example.com', 'Ada', 'Lovelace', 'from the CRM', 'vip, newsletter'), "
        "('alan@example.com', 'Alan', 'Turing', NULL, 'b2b'), "
        "('grace@example.com', 'Grace', 'Hopper', NULL, NULL), "
        f"('{emails[0]}', 'Changed', 'In Warehouse', 'lifetime value recomputed', 'vip'), "
        f"('{emails[1]}', 'Also', 'Changed', NULL, 'churn-risk')"
    )
    pg.psql(
        "INSERT INTO reverse_etl.catalog_products VALUES "
        "('warehouse-mug', 'Warehouse mug', 'ACTIVE', 'Acme', 'Mugs', 'kitchen, gift', '<p>A mug</p>', NULL), "
        "('warehouse-tote', 'Warehouse tote', 'DRAFT', 'Acme', 'Bags', 'gift', NULL, NULL), "
        # a NULL description would leave the shop's as it is yet read as a difference on every run
        f"('{handle}', 'Renamed in the warehouse', 'ACTIVE', 'Warehouse Co', 'Misc', 'sale', '<p>New</p>', NULL)"
    )

    outcomes = pipeline.meltano.run(*REVERSE)
    assert outcomes == {
        "reverse_etl-crm_customers": {"created": 3, "updated": 2},
        "reverse_etl-catalog_products": {"created": 2, "updated": 1},
    }
    ada = pipeline.graphql(CUSTOMER, {"email": "ada@example.com"})["customerByIdentifier"]
    assert (ada["firstName"], ada["lastName"], ada["note"], sorted(ada["tags"])) == (
        "Ada",
        "Lovelace",
        "from the CRM",
        ["newsletter", "vip"],
    )
    changed = pipeline.graphql(CUSTOMER, {"email": emails[0]})["customerByIdentifier"]
    assert (changed["firstName"], changed["lastName"], changed["tags"]) == ("Changed", "In Warehouse", ["vip"])
    renamed = pipeline.graphql(PRODUCT, {"handle": handle})["productByIdentifier"]
    assert (renamed["title"], renamed["vendor"], renamed["productType"]) == (
        "Renamed in the warehouse",
        "Warehouse Co",
        "Misc",
    )
    tote = pipeline.graphql(PRODUCT, {"handle": "warehouse-tote"})["productByIdentifier"]
    assert (tote["title"], tote["status"], tote["tags"]) == ("Warehouse tote", "DRAFT", ["gift"])

    def snapshot() -> list[str]:
        customers = [pipeline.graphql(CUSTOMER, {"email": e}) for e in ["ada@example.com", *emails]]
        products = [pipeline.graphql(PRODUCT, {"handle": h}) for h in ["warehouse-mug", handle]]
        return [str(item) for item in customers + products]

    before = snapshot()
    advance_clock(pipeline.url, 1)  # a write now would show in updatedAt
    outcomes = pipeline.meltano.run(*REVERSE)
    assert outcomes == {
        "reverse_etl-crm_customers": {"unchanged": 5},
        "reverse_etl-catalog_products": {"unchanged": 3},
    }
    assert snapshot() == before

    # rows marked deleted in the warehouse: the stream maps pass deleted_at on as _sdc_deleted_at
    pg.psql("UPDATE reverse_etl.crm_customers SET deleted_at = now() WHERE email_address = 'grace@example.com'")
    pg.psql("UPDATE reverse_etl.catalog_products SET deleted_at = now() WHERE sku_handle = 'warehouse-tote'")
    outcomes = pipeline.meltano.run(*REVERSE)
    assert outcomes == {
        "reverse_etl-crm_customers": {"deleted": 1, "unchanged": 4},
        "reverse_etl-catalog_products": {"deleted": 1, "unchanged": 2},
    }
    assert pipeline.graphql(CUSTOMER, {"email": "grace@example.com"})["customerByIdentifier"] is None
    assert pipeline.graphql(PRODUCT, {"handle": "warehouse-tote"})["productByIdentifier"] is None
    assert pipeline.graphql(CUSTOMER, {"email": "alan@example.com"})["customerByIdentifier"] is not None


@pytest.mark.parametrize(("token", "works"), [(f"{TOKEN}\n", True), (f"{TOKEN}\nshpat_second_line", False)])
def test_a_token_is_never_printed_through_meltano(installed: None, tmp_path: Path, token: str, works: bool) -> None:
    """A token with a line end works; one with a line break inside is refused by name. Meltano relays
    the plugin's log, which once carried the token, in full, in requests' message about the header."""
    with emulator_process("--customers", "2", "--products", "1", "--orders", "1", "--access-token", TOKEN) as shop:
        env = meltano_env(
            SHOPIFY_EMULATOR_URL=shop.url,
            SHOPIFY_EMULATOR_TOKEN=token,
            MELTANO_DATABASE_URI=f"sqlite:///{tmp_path / 'meltano.db'}",
        )
        done = subprocess.run(
            [str(MELTANO), "invoke", "tap-shopify-admin"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    output = done.stdout + done.stderr
    assert (done.returncode == 0) is works, output[-3000:]
    assert ('"type":"RECORD"' in done.stdout) if works else ("access_token holds spaces, line breaks" in output)
    assert "shpat_second_line" not in output and repr(token) not in output


STOCK = """{ inventoryItems(first: 2) { nodes { sku inventoryLevels(first: 5) {
  nodes { location { name } quantities(names: ["available"]) { quantity } } } } } }"""


def test_warehouse_stock_sets_available_quantities(pipeline: Pipeline) -> None:
    """A stock table (sku, location, available) through tap-postgres and its stream map: the quantities
    that differ are set, then a re-run writes nothing."""

    def stock() -> dict[tuple[str, str], int]:
        return {
            (item["sku"], level["location"]["name"]): level["quantities"][0]["quantity"]
            for item in pipeline.graphql(STOCK)["inventoryItems"]["nodes"]
            for level in item["inventoryLevels"]["nodes"]
        }

    before = stock()
    (kept_at, kept), *changed = sorted(before.items())
    wanted = {kept_at: kept, **{at: quantity + 10 for at, quantity in changed}}
    pipeline.postgres.psql(WAREHOUSE_TABLES)  # the reverse_etl schema afresh, its stock table empty
    rows = ", ".join(f"('{sku}', '{location}', {available})" for (sku, location), available in wanted.items())
    pipeline.postgres.psql(f"INSERT INTO reverse_etl.warehouse_stock VALUES {rows}")
    outcomes = pipeline.meltano.run(*REVERSE)
    assert outcomes == {"reverse_etl-warehouse_stock": {"unchanged": 1, "updated": len(changed)}}
    assert stock() == wanted

    writes = pipeline.operation_requests("TargetInventorySet")
    assert writes
    assert pipeline.meltano.run(*REVERSE) == {"reverse_etl-warehouse_stock": {"unchanged": len(wanted)}}
    assert pipeline.operation_requests("TargetInventorySet") == writes
