"""Finding a run's owners in one bulk export instead (as pipeline.exports asks): every owner of the
stream's type with its key and each metafield the run names (an aliased field each, no connection), joined
by the owner's key. An owner named by id (any type) or the shop is only looked up."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from target_shopify_admin.objects.gateway import export_document, exported_custom_id
from target_shopify_admin.objects.lookups import counted, serial_lookup_rate

from .owners import SEARCHED, OwnerReader, camel, lookup_document, lookups_per_query
from .rows import MetafieldRow

# match_on → the owner's field an export joins on, as selected and as read from a node
JOINED = {
    "email": (
        "defaultEmailAddress { emailAddress }",
        lambda node: (node.get("defaultEmailAddress") or {}).get("emailAddress"),
    ),
    "handle": ("handle", lambda node: node.get("handle")),
    "sku": ("sku", lambda node: node.get("sku")),
    "source_identifier": ("sourceIdentifier", lambda node: node.get("sourceIdentifier")),
    "name": ("name", lambda node: node.get("name")),
    "custom_id": ("", exported_custom_id),
}


class OwnerFinder:
    """Finds a run's rows' owners and metafields, by the reader's lookups or in one export."""

    kind = "metafield"
    export_connections: ClassVar[dict[str, dict[str, str]]] = {}

    def __init__(self, reader: OwnerReader, rows: list[MetafieldRow]) -> None:
        self.reader = reader
        self.client = reader.client
        names = sorted({(row.namespace, row.key) for row in rows})
        self.aliases = {name: f"m{n}" for n, name in enumerate(names)}

    @property
    def root(self) -> str:
        assert self.reader.owner_type is not None
        kind = camel(self.reader.owner_type)
        return f"{kind[0].lower()}{kind[1:]}s"

    @property
    def export_selection(self) -> str | None:
        if self.reader.match_on not in JOINED:
            return None
        metafields = " ".join(
            f"{alias}: metafield(namespace: {json.dumps(namespace)}, key: {json.dumps(key)})"
            " { value type compareDigest }"
            for (namespace, key), alias in self.aliases.items()
        )
        return f"id {JOINED[self.reader.match_on][0]} {metafields}"

    def find_many(self, lookups: list[MetafieldRow]) -> list[Any]:
        return self.reader.find_many(lookups)

    def lookups_per_query(self) -> int:
        return lookups_per_query(self.reader.match_on, self.reader.owner_type)

    def lookups_per_second(self, restore_rate: float, round_trip: float) -> float:
        per_query = self.lookups_per_query()
        document = lookup_document(self.reader.match_on, self.reader.owner_type, per_query)
        return serial_lookup_rate(document, per_query, restore_rate, round_trip)

    def shop_objects(self) -> int:
        return counted(self.client, "MetafieldOwner", (f"{self.root}Count",))

    def export_query(self, custom_id: tuple[str, str] | None) -> str:
        return export_document(self.root, self.export_selection, custom_id)

    def exported(self, node: dict[str, Any]) -> dict[str, Any]:
        return node

    def exported_key(self, node: dict[str, Any], match_on: str) -> Any:
        return JOINED[match_on][1](node)

    def from_export(self, matches: list[dict[str, Any]], row: MetafieldRow) -> dict[str, Any]:
        """What the row's lookup answers: its owner (every owner with the key, for a search) with the
        metafield the row names."""
        alias = self.aliases[(row.namespace, row.key)]
        if self.reader.match_on in SEARCHED:
            field = SEARCHED[self.reader.match_on][1]
            return {"nodes": [{"id": m["id"], field: m[field], "mf": m.get(alias)} for m in matches]}
        return {"id": matches[-1]["id"], "mf": matches[-1].get(alias)}
