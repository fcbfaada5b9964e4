"""Metafields, one stream per owner type, each riding on its owner's stream as line items ride on
their order: setting or deleting a metafield moves its owner's updatedAt (docs/emulator.md), so an
owner read again brings its whole current set. The owner's record holds that set too (`metafields`),
so that a deleted metafield leaves it; a stream of its own per owner type is the table a warehouse
joins to its owner's table. `metafield_owner_types` names the owner types read."""

from __future__ import annotations

from ..readers.full_table import FullTable
from .base import NestedStream, ShopifyStream

METAFIELD_FIELDS = "id namespace key type value jsonValue ownerType createdAt updatedAt compareDigest"
# an owner's metafields beyond the first 10 are read by pages after the owner's page
METAFIELDS = f"metafields(first: 10) {{ nodes {{ {METAFIELD_FIELDS} }} }}"
# MetafieldOwnerType's names of the owners the tap reads
OWNER_TYPES = ("SHOP", "CUSTOMER", "PRODUCT", "PRODUCTVARIANT", "ORDER", "COLLECTION", "LOCATION", "DRAFTORDER")


class MetafieldsStream(NestedStream):
    """The metafields of one owner type's records, the owner's id as `ownerId`."""

    graphql_type = "Metafield"
    fields = METAFIELD_FIELDS
    parent_field = "metafields"
    parent_key = "ownerId"


class MetafieldDefinitionsStream(ShopifyStream):
    """The definitions of every owner type the tap reads metafields of: few, read whole on every run."""

    name = "metafield_definitions"
    graphql_type = "MetafieldDefinition"
    root = "metafieldDefinitions"
    replication_key = None
    reader = FullTable(each=("ownerType", OWNER_TYPES))
    fields = "id name namespace key ownerType type { name category } capabilities { uniqueValues { eligible enabled } }"
