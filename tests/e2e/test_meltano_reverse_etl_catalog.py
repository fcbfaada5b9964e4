"""Reverse ETL of a catalog's metafields and collections through Meltano from PostgreSQL, as a data team runs
it: warehouse tables, plain SQL views that give target-shopify-admin one row a metafield or a collection's
product, tap-postgres with the stream maps of meltano.yml, and the target's `metafield`, `collection` and
`collection_product` objects. Each check reads the shop through the Admin API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .meltano import FORWARD, REVERSE, Pipeline, outcomes

pytestmark = [pytest.mark.slow, pytest.mark.meltano]

SEED = ("--customers", "6", "--products", "8", "--orders", "2")  # the `pipeline` fixture's shop: a few rows do
SCORES = "reverse_etl-customer_score_metafields"
COLLECTIONS = "reverse_etl-merchandised_collections"
MEMBERS = "reverse_etl-best_seller_members"


# One row a customer, as the data team scores them; the view turns each score into the metafield
# target-shopify-admin's `metafield` object takes (namespace, key, type, value), and a score that is NULL
# or a row marked deleted into a delete of its metafield.
CUSTOMER_SCORES = """
DROP SCHEMA IF EXISTS reverse_etl CASCADE;
CREATE SCHEMA reverse_etl;
CREATE TABLE reverse_etl.customer_scores (
  email text PRIMARY KEY, ltv_tier text, churn_risk numeric(4, 3), segments text[], deleted_at timestamptz);
CREATE VIEW reverse_etl.customer_score_metafields AS
SELECT s.email, 'scores' AS namespace, m.key, m.type, m.value,
       CASE WHEN s.deleted_at IS NOT NULL OR m.value IS NULL THEN coalesce(s.deleted_at, now()) END AS deleted_at
FROM reverse_etl.customer_scores s
CROSS JOIN LATERAL (VALUES
  ('ltv_tier', 'single_line_text_field', s.ltv_tier),
  ('churn_risk', 'number_decimal', s.churn_risk::text),
  ('segments', 'list.single_line_text_field', to_jsonb(s.segments)::text)
) AS m (key, type, value);
"""

SCORE_METAFIELDS = """query($email: String!) {
  customerByIdentifier(identifier: { emailAddress: $email }) {
    metafields(first: 10, namespace: "scores") { nodes { key type value } }
  }
}"""


def shop_scores(pipeline: Pipeline, emails: list[str]) -> dict[tuple[str, str], tuple[str, Any]]:
    """Each customer's `scores` metafields in the shop: (email, key) → (type, value, lists parsed)."""
    held = {}
    for email in emails:
        customer = pipeline.graphql(SCORE_METAFIELDS, {"email": email})["customerByIdentifier"]
        for metafield in customer["metafields"]["nodes"]:
            value = metafield["value"]
            parsed = json.loads(value) if metafield["type"].startswith("list.") else value
            held[(email, metafield["key"])] = (metafield["type"], parsed)
    return held


def warehouse_scores(pipeline: Pipeline) -> dict[tuple[str, str], tuple[str, Any]]:
    """What the view asks the shop to hold, in shop_scores' shape."""
    rows = pipeline.postgres.psql(
        "SELECT email, key, type, value FROM reverse_etl.customer_score_metafields WHERE deleted_at IS NULL"
    )
    return {
        (email, key): (type_, json.loads(value) if type_.startswith("list.") else value)
        for email, key, type_, value in rows
    }


def test_customer_scores_become_customer_metafields(pipeline: Pipeline) -> None:
    pg = pipeline.postgres
    customers = pipeline.graphql(
        "{ customers(first: 10, sortKey: ID) { nodes { defaultEmailAddress { emailAddress } } } }"
    )
    emails = [
        c["defaultEmailAddress"]["emailAddress"] for c in customers["customers"]["nodes"] if c["defaultEmailAddress"]
    ]
    emails = emails[:4]
    assert len(emails) == 4
    pg.psql(CUSTOMER_SCORES)
    pg.psql(
        "INSERT INTO reverse_etl.customer_scores (email, ltv_tier, churn_risk, segments) VALUES "
        f"('{emails[0]}', 'gold', 0.125, ARRAY['vip', 'newsletter']), "
        f"('{emails[1]}', 'silver', 0.4, ARRAY['b2b']), "
        f"('{emails[2]}', 'bronze', 0.875, ARRAY['lapsed', 'win-back']), "
        f"('{emails[3]}', 'gold', 0.05, NULL)"  # no segments: no metafield
    )

    assert pipeline.meltano.run(*REVERSE) == {SCORES: {"created": 11, "unchanged": 1}}
    assert shop_scores(pipeline, emails) == warehouse_scores(pipeline)
    assert shop_scores(pipeline, emails[:1]) == {
        (emails[0], "ltv_tier"): ("single_line_text_field", "gold"),
        (emails[0], "churn_risk"): ("number_decimal", "0.125"),
        (emails[0], "segments"): ("list.single_line_text_field", ["vip", "newsletter"]),
    }

    writes = pipeline.operation_requests("TargetMetafieldsSet")
    assert writes
    assert pipeline.meltano.run(*REVERSE) == {SCORES: {"unchanged": 12}}  # the NULL segments: a delete, gone already
    assert pipeline.operation_requests("TargetMetafieldsSet") == writes
    assert pipeline.operation_requests("TargetMetafieldsDelete") == 0

    pg.psql(
        "UPDATE reverse_etl.customer_scores SET ltv_tier = 'platinum' WHERE email = "
        f"'{emails[0]}'; UPDATE reverse_etl.customer_scores SET churn_risk = 0.9 WHERE email = '{emails[1]}'"
    )
    assert pipeline.meltano.run(*REVERSE) == {SCORES: {"updated": 2, "unchanged": 10}}
    assert pipeline.operation_requests("TargetMetafieldsSet") == writes + 1  # both in one metafieldsSet
    assert shop_scores(pipeline, emails) == warehouse_scores(pipeline)
    assert shop_scores(pipeline, emails[:2])[(emails[1], "churn_risk")] == ("number_decimal", "0.900")

    # a customer no longer scored (the row marked deleted) loses its scores; a score gone NULL, its metafield
    pg.psql(
        f"UPDATE reverse_etl.customer_scores SET deleted_at = now() WHERE email = '{emails[2]}'; "
        f"UPDATE reverse_etl.customer_scores SET churn_risk = NULL WHERE email = '{emails[3]}'"
    )
    assert pipeline.meltano.run(*REVERSE) == {SCORES: {"deleted": 4, "unchanged": 8}}
    assert pipeline.operation_requests("TargetMetafieldsDelete") == 1
    assert shop_scores(pipeline, emails) == warehouse_scores(pipeline)
    assert shop_scores(pipeline, emails[2:3]) == {}
    assert set(shop_scores(pipeline, emails[3:])) == {(emails[3], "ltv_tier")}


# The collections the merchandising team keeps by hand, and its ranking of their products. The view gives the
# target one row a product: the ranking's, and a removal (deleted_at) for each product the shop's collection
# holds, as the last load of the shop into the warehouse says, that the ranking no longer names.
BEST_SELLERS = """
DROP SCHEMA IF EXISTS reverse_etl CASCADE;
CREATE SCHEMA reverse_etl;
CREATE TABLE reverse_etl.merchandised_collections (handle text PRIMARY KEY, title text NOT NULL);
CREATE TABLE reverse_etl.best_sellers (
  collection_handle text NOT NULL, product_handle text NOT NULL, position integer NOT NULL,
  PRIMARY KEY (collection_handle, product_handle));
CREATE VIEW reverse_etl.best_seller_members AS
SELECT collection_handle, product_handle, position, NULL::timestamptz AS deleted_at FROM reverse_etl.best_sellers
UNION ALL
SELECT c.handle, p.handle, NULL, now()
FROM {shop}.collection_products m
JOIN {shop}.collections c ON c.id = m."collectionId"
JOIN {shop}.products p ON p.id = m."productId"
WHERE m._sdc_deleted_at IS NULL
  AND c.handle IN (SELECT handle FROM reverse_etl.merchandised_collections)
  AND NOT EXISTS (SELECT FROM reverse_etl.best_sellers b
                  WHERE b.collection_handle = c.handle AND b.product_handle = p.handle);
"""

COLLECTION = """query($handle: String!) {
  collectionByIdentifier(identifier: { handle: $handle }) {
    title sortOrder ruleSet { appliedDisjunctively } products(first: 50) { nodes { handle } }
  }
}"""
MEMBERSHIP_WRITES = ("TargetCollectionAddProducts", "TargetCollectionRemoveProducts", "TargetCollectionReorderProducts")


def test_best_sellers_become_a_manually_sorted_collection(pipeline: Pipeline) -> None:
    pg = pipeline.postgres
    # the shop's catalog loaded into the warehouse, as the data team's forward pipeline does
    load_shop = pipeline.meltano.selecting("collections", "collection_products", "products")
    load_shop.run(*FORWARD)
    pg.psql(BEST_SELLERS.replace("{shop}", pipeline.schema))
    products = pipeline.graphql("{ products(first: 5, sortKey: ID) { nodes { handle } } }")["products"]["nodes"]
    handles = [p["handle"] for p in products]

    def rank(*ranking: str) -> None:
        rows = ", ".join(f"('best-sellers', '{handle}', {n})" for n, handle in enumerate(ranking))
        pg.psql(f"DELETE FROM reverse_etl.best_sellers; INSERT INTO reverse_etl.best_sellers VALUES {rows}")

    def shop_collection() -> dict[str, Any]:
        return pipeline.graphql(COLLECTION, {"handle": "best-sellers"})["collectionByIdentifier"]

    def shop_ranking() -> list[str]:
        return [p["handle"] for p in shop_collection()["products"]["nodes"]]

    pg.psql("INSERT INTO reverse_etl.merchandised_collections VALUES ('best-sellers', 'Best sellers')")
    rank(*handles[:4])
    assert pipeline.meltano.run(*REVERSE) == {COLLECTIONS: {"created": 1}, MEMBERS: {"created": 4}}
    collection = shop_collection()
    assert (collection["title"], collection["sortOrder"], collection["ruleSet"]) == ("Best sellers", "MANUAL", None)
    assert shop_ranking() == handles[:4]

    writes = {operation: pipeline.operation_requests(operation) for operation in MEMBERSHIP_WRITES}
    assert writes["TargetCollectionAddProducts"] == 1
    assert pipeline.meltano.run(*REVERSE) == {COLLECTIONS: {"unchanged": 1}, MEMBERS: {"unchanged": 4}}
    assert {operation: pipeline.operation_requests(operation) for operation in MEMBERSHIP_WRITES} == writes
    assert pipeline.operation_requests("TargetCollectionUpdate") == 0
    assert shop_ranking() == handles[:4]

    # a new ranking, and a row aimed at a smart collection: that row fails into the dead-letter file, the
    # ranking goes through
    rank(handles[3], handles[0], handles[1], handles[2])
    pg.psql(f"INSERT INTO reverse_etl.best_sellers VALUES ('sale', '{handles[4]}', 0)")
    code, output = pipeline.meltano.attempt("run", *REVERSE)
    assert code == 1, output[-3000:]
    assert outcomes(output) == {COLLECTIONS: {"unchanged": 1}, MEMBERS: {"failed": 1, "updated": 4}}  # each moved
    assert shop_ranking() == [handles[3], handles[0], handles[1], handles[2]]
    dead_letter_file = Path(pipeline.meltano.env["TARGET_SHOPIFY_ADMIN_DEAD_LETTER_PATH"])
    dead_letters = [json.loads(line) for line in dead_letter_file.read_text().splitlines()]
    assert [(d["record"]["collection_handle"], d["record"]["handle"]) for d in dead_letters] == [("sale", handles[4])]
    assert "'sale' is a smart collection: its rules choose its products" in dead_letters[0]["error"]
    smart = pipeline.graphql(COLLECTION, {"handle": "sale"})["collectionByIdentifier"]
    assert smart["ruleSet"] is not None and handles[4] not in [p["handle"] for p in smart["products"]["nodes"]]

    # a product dropped from the ranking leaves the collection, once the shop's catalog is loaded again
    rank(handles[3], handles[0], handles[2])
    load_shop.run(*FORWARD)
    assert pipeline.meltano.run(*REVERSE) == {COLLECTIONS: {"unchanged": 1}, MEMBERS: {"deleted": 1, "unchanged": 3}}
    assert shop_ranking() == [handles[3], handles[0], handles[2]]
