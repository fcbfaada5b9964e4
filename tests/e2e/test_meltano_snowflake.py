"""End to end through Meltano with Snowflake: MeltanoLabs' tap-snowflake and target-snowflake from PyPI,
unmodified, against a local stand-in that speaks Snowflake's wire protocol (tests/snowflake.py).

What the stand-in (fakesnow 0.12.1) cannot serve, and so what these tests cannot show:
- target-snowflake loads every batch by `PUT file://… '@~/target-snowflake/…'` into the user stage, then
  COPY INTO / MERGE, then `REMOVE '@~/…'`. fakesnow knows named and table stages only: it refuses `@~`
  ("does not start with @") and has no REMOVE. The target has no other load path for password logins
  (its Snowpipe Streaming path needs key-pair auth and Snowflake's streaming API). So shop → Snowflake is
  checked as far as it goes: the schema and every stream's table created, camelCase fields as upper-case
  columns, `_SDC_DELETED_AT` a TIMESTAMP_NTZ; no row is loaded, and the incremental run cannot be shown.
- fakesnow's server sends a NULL TIMESTAMP as 1970-01-01 (the value stored is NULL). The warehouse tables
  here keep `deleted_at` as text, which crosses as NULL or an ISO time, the same for the stream maps.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from shopify_admin_emulator.launch import emulator_process

from ..conftest import unavailable
from ..snowflake import ACCOUNT, Snowflake, UnavailableError, redirected, snowflake_standin
from .test_meltano_e2e import CUSTOMER, MELTANO, PRODUCT, ROOT, STREAMS, TOKEN, Meltano, meltano_env, shop_graphql

FORWARD = ("tap-shopify-admin", "target-snowflake")
REVERSE = ("tap-snowflake", "target-shopify-admin")
DATABASE = "WAREHOUSE"

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
    Meltano(meltano_env())("install", *FORWARD, *REVERSE)
    with redirected(ROOT / ".meltano/extractors/tap-snowflake/venv", ROOT / ".meltano/loaders/target-snowflake/venv"):
        yield


@pytest.fixture
def meltano(installed_snowflake: None, snowflake: Snowflake, tmp_path: Path) -> Iterator[tuple[Meltano, str]]:
    """Meltano with a state database of the test's own, both Snowflake plugins pointed at the stand-in, and
    a freshly seeded emulator (its URL comes with it)."""
    login = {"ACCOUNT": ACCOUNT, "USER": "test", "PASSWORD": "test", "DATABASE": DATABASE}
    seed = ("--customers", "60", "--products", "15", "--orders", "40")
    with emulator_process(*seed, "--plan", "unlimited", "--access-token", TOKEN) as emulator:
        env = meltano_env(
            SHOPIFY_EMULATOR_URL=emulator.url,
            SHOPIFY_EMULATOR_TOKEN=TOKEN,
            MELTANO_DATABASE_URI=f"sqlite:///{tmp_path / 'meltano.db'}",
            TARGET_SHOPIFY_ADMIN_DEAD_LETTER_PATH=str(tmp_path / "failed.jsonl"),
            **{f"TAP_SNOWFLAKE_{key}": value for key, value in login.items()},
            **{f"TARGET_SNOWFLAKE_{key}": value for key, value in login.items()},
            **snowflake.env,
        )
        yield Meltano(env), emulator.url


def test_shop_to_snowflake_creates_every_table_then_stops_at_the_user_stage(
    meltano: tuple[Meltano, str], snowflake: Snowflake
) -> None:
    run, _ = meltano
    run.env["TARGET_SNOWFLAKE_DEFAULT_TARGET_SCHEMA"] = "SHOPIFY_FORWARD"
    with pytest.raises(AssertionError) as failed:
        run.run(*FORWARD)
    assert "'@~/target-snowflake/" in str(failed.value)  # PUT into the user stage: see the module's docstring
    tables = snowflake.sql(
        f"SELECT table_name FROM {DATABASE}.information_schema.tables WHERE table_schema = 'SHOPIFY_FORWARD'"
    )
    every_stream = (*STREAMS, "locations", "inventory_items", "inventory_levels", "discounts", "discount_codes")
    assert sorted(name for (name,) in tables) == sorted(stream.upper() for stream in every_stream)
    columns = dict(
        snowflake.sql(
            f"SELECT column_name, data_type FROM {DATABASE}.information_schema.columns"
            " WHERE table_schema = 'SHOPIFY_FORWARD' AND table_name = 'CUSTOMERS'"
        )
    )
    assert columns["FIRSTNAME"] == "TEXT" and columns["UPDATEDAT"] == "TIMESTAMP_NTZ"
    assert columns["_SDC_DELETED_AT"] == "TIMESTAMP_NTZ"


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

    time.sleep(1)  # a write now would show in updatedAt
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
