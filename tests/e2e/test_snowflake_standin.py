"""The Snowflake stand-in (tests/snowflake.py) loads as target-snowflake does, through Snowflake's own
connector: PUT into the user stage, MERGE from the staged file, REMOVE, DROP FILE FORMAT, in a session
with a database and no current schema. What snowflake_site/staged_files.py teaches fakesnow."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import unavailable
from ..snowflake import Snowflake, UnavailableError, snowflake_standin

pytestmark = pytest.mark.slow

FORMAT = 'STAGING.LOADED."tf-customers"'
MERGE = f"""merge into STAGING.LOADED.CUSTOMERS d using (select $1:id::VARCHAR as ID, $1:note::VARCHAR as NOTE,
  $1:tags::VARIANT as TAGS, $1:orders::NUMBER as ORDERS, $1:updatedAt::TIMESTAMP_NTZ as UPDATEDAT
  from '@~/target-snowflake/customers-1'(file_format => {FORMAT})
  QUALIFY ROW_NUMBER() OVER (PARTITION BY ID ORDER BY SEQ8() DESC) = 1) s on d.ID = s.ID
when matched then update set d.NOTE = s.NOTE, d.TAGS = s.TAGS, d.ORDERS = s.ORDERS, d.UPDATEDAT = s.UPDATEDAT
when not matched then insert (ID, NOTE, TAGS, ORDERS, UPDATEDAT)
  values (s.ID, s.NOTE, s.TAGS, s.ORDERS, s.UPDATEDAT)"""


@pytest.fixture(scope="module")
def standin() -> Iterator[Snowflake]:
    try:
        with snowflake_standin() as server:
            server.sql(
                "CREATE DATABASE STAGING",
                "CREATE SCHEMA STAGING.LOADED",
                "CREATE TABLE STAGING.LOADED.CUSTOMERS (ID VARCHAR, NOTE VARCHAR, TAGS VARIANT, ORDERS NUMBER,"
                " UPDATEDAT TIMESTAMP_NTZ)",
                "INSERT INTO STAGING.LOADED.CUSTOMERS (ID, NOTE) VALUES ('gid://1', 'loaded before')",
            )
            yield server
    except UnavailableError as exc:
        unavailable(str(exc))


def staged(path: Path, *records: dict[str, object]) -> str:
    path.write_bytes(gzip.compress("".join(json.dumps(r) + "\n" for r in records).encode()))
    return f"PUT 'file://{path}' '@~/target-snowflake/customers-1'"


def test_a_staged_file_merges_then_is_removed(standin: Snowflake, tmp_path: Path) -> None:
    put = staged(
        tmp_path / "batch.json.gz",
        {"id": "gid://1", "note": "first", "tags": ["a"], "orders": 1, "updatedAt": "2026-11-01T10:00:00Z"},
        {"id": "gid://2", "note": "new", "tags": [], "orders": 0, "updatedAt": None},
        {"id": "gid://1", "note": "last wins", "tags": {"b": 1}, "orders": 2, "updatedAt": "2026-11-02T10:00:00Z"},
    )
    session = ("USE DATABASE STAGING", f"CREATE OR REPLACE FILE FORMAT {FORMAT} TYPE = 'JSON' COMPRESSION = 'AUTO'")
    # as target-snowflake's session: a database, no current schema
    assert standin.sql(*session, put, MERGE) == [[1, 1]]  # inserted, updated
    assert standin.sql(
        "SELECT ID, NOTE, TAGS:b::NUMBER, ARRAY_SIZE(TAGS), ORDERS, UPDATEDAT IS NULL"
        " FROM STAGING.LOADED.CUSTOMERS ORDER BY ID"
    ) == [["gid://1", "last wins", 1, None, 2, False], ["gid://2", "new", None, 0, 0, True]]  # values, not text
    assert standin.sql("LIST @~") != []
    assert standin.sql("REMOVE '@~/target-snowflake/customers-1/'") == [
        ["target-snowflake/customers-1/batch.json.gz", "removed"]
    ]
    assert standin.sql("LIST @~") == []
    assert standin.sql(f"DROP FILE FORMAT IF EXISTS {FORMAT}") == [["tf-customers successfully dropped."]]


def test_the_user_stage_is_each_users_own(standin: Snowflake, tmp_path: Path) -> None:
    standin.sql(staged(tmp_path / "mine.json.gz", {"id": "gid://3"}))
    assert standin.sql("LIST @~", user="someone_else") == []
    assert len(standin.sql("LIST @~")) == 1
    standin.sql("REMOVE @~")
