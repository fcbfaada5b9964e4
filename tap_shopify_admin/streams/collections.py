"""Collections, custom and smart, and each collection's products as a membership stream."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from typing_extensions import override

from ..readers.full_table import EachOwner
from ..readers.window import SortedWindow
from .base import ShopifyStream
from .metafields import METAFIELDS, MetafieldsStream


class CollectionsStream(ShopifyStream):
    name = "collections"
    graphql_type = "Collection"
    root = "collections"
    replication_key = "updatedAt"
    reader = SortedWindow()
    deleted_subject = "COLLECTION"
    metafield_owner = "COLLECTION"
    fields = f"""
        id legacyResourceId handle title description sortOrder templateSuffix updatedAt
        ruleSet {{ appliedDisjunctively rules {{ column relation condition }} }}
        seo {{ title description }} image {{ id url altText width height }} productsCount {{ count }}
        {METAFIELDS}
    """


class CollectionMetafieldsStream(MetafieldsStream):
    name = "collection_metafields"
    parent_stream_type: ClassVar[type] = CollectionsStream  # type: ignore[misc]


class CollectionProductsStream(ShopifyStream):
    """One record per product in a collection, its place in the collection's order. A smart collection's
    members change when its products change, without a change to the collection: every run reads every
    membership, and the read's ACTIVATE_VERSION lets the target drop those that ended. By pages: a bulk
    file holds a collection's products in no order, and the position is their place in it."""

    name = "collection_products"
    graphql_type = "Product"
    primary_keys: ClassVar[list[str]] = ["collectionId", "productId"]  # type: ignore[misc]
    root = "collections"
    replication_key = None
    reader = EachOwner(
        owners="collections",
        owner="collection",
        connection="products",
        owner_key="collectionId",
        position_key="position",
    )
    fields = "id"

    def __init__(self, tap: Any) -> None:
        super().__init__(tap)
        properties = self.schema["properties"]
        properties["productId"] = properties.pop("id")
        properties["collectionId"] = {"type": "string"}
        properties["position"] = {"type": "integer"}

    @override
    def post_process(self, row: dict, context: Mapping[str, Any] | None = None) -> dict | None:
        row["productId"] = row.pop("id")
        return row
