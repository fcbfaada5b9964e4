"""Gateways to the Shopify objects the target writes, and what they have in common: find the object by
its match key, read what else planning needs, turn a record into the `…Set` input (without a request),
tell whether that input would change anything, write it, delete it."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import cache
from typing import Any, ClassVar

from typing_extensions import override

from shopify_admin import ShopifyAdminClient
from shopify_admin.cost import MAX_PAGE, largest_within, requested_cost
from target_shopify_admin.objects.fields import RecordError, object_list, text
from target_shopify_admin.objects.lookups import counted, look_up, serial_lookup_rate
from target_shopify_admin.objects.metafields.values import holds, value_text
from target_shopify_admin.pipeline.outcomes import Outcome

USER_ERRORS = "userErrors { field message }"
METAFIELDS_PER_SET = 25  # metafieldsSet takes at most 25
# the metafields a record names, `first` as many: a connection is priced by its `first`, so 250 would cost 14
# points where one metafield costs 4
HELD_METAFIELDS = "metafields(first: $first, keys: $keys) { nodes { namespace key value type } }"
CURRENT_METAFIELDS = f"""query TargetMetafields($id: ID!, $keys: [String!], $first: Int!) {{
  node(id: $id) {{ ... on HasMetafields {{ {HELD_METAFIELDS} }} }}
}}"""
SET_METAFIELDS = """mutation TargetMetafieldsSet($metafields: [MetafieldsSetInput!]!) {
  metafieldsSet(metafields: $metafields) { metafields { id } userErrors { field code message } }
}"""
CUSTOM_ID_DEFINITION = """query TargetCustomIdDefinition($identifier: MetafieldDefinitionIdentifierInput!) {
  metafieldDefinition(identifier: $identifier) { type { name } }
}"""
CUSTOM_ID_TYPE = "id"  # the metafield type Shopify matches custom ids through
CUSTOM_ID_ALIAS = "customIdMetafield"  # an export's metafield holding the custom id


@dataclass(frozen=True)
class WriteAnswer:
    """Shopify's answer to a write: the id of the object written, and its userErrors."""

    shopify_id: str | None
    user_errors: list[dict[str, Any]]


class ObjectGateway(ABC):
    """Reads and writes one kind of Shopify object for the target, record by record: finds it by the
    record's key, plans what the record asks of it (`to_input`, `outcome`), writes or deletes it. An event
    or an action (a fulfillment event, a hold) is planned and written so too, without an input to compare."""

    kind: ClassVar[str]
    lookup_keys: ClassVar[dict[str, str]]  # match_on → field of the lookup's identifier
    set_keys: ClassVar[dict[str, str] | None] = None  # match_on → field of the write's identifier; None: lookup_keys

    def __init__(self, client: ShopifyAdminClient) -> None:
        self.client = client

    def identifiers(self, match_on: str, value: str, custom_id: tuple[str, str] | None) -> tuple[dict, dict]:
        """The lookup's and the `…Set` mutation's identifier for a match key and its value."""
        if match_on == "custom_id":
            assert custom_id is not None
            identifier = custom_id_identifier(custom_id, value)
            return identifier, identifier
        set_keys = self.lookup_keys if self.set_keys is None else self.set_keys
        return {self.lookup_keys[match_on]: value}, {set_keys[match_on]: value}

    @abstractmethod
    def find(self, identifier: dict[str, Any]) -> dict[str, Any] | None:
        """The object as the shop holds it now, or None."""

    def mutate(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Send a mutation once: an answer lost after Shopify may have applied it raises AnswerLostError,
        and the sink looks the object up again before writing anything more."""
        return self.client.execute(document, variables, resend=False)

    @abstractmethod
    def write(self, wanted: dict[str, Any], identifier: dict[str, Any]) -> WriteAnswer:
        """Write what `to_input` planned; `identifier` names the object (or, to create one, its key)."""

    @abstractmethod
    def outcome(self, wanted: dict[str, Any], current: dict[str, Any] | None) -> Outcome:
        """What writing `wanted` does to `current`: created, updated or unchanged."""

    def serial_key(self, record: dict[str, Any], key: str) -> str:
        """Records with the same serial key are written one after another, in their order."""
        return key

    def custom_id_problem(self, custom_id: tuple[str, str]) -> str | None:
        """Why Shopify would refuse every lookup by this custom id: it matches only through a metafield
        definition of type id for the owner type, and answers each lookup without one with an error."""
        namespace, key = custom_id
        identifier = {"ownerType": self.kind.upper(), "namespace": namespace, "key": key}
        data = self.client.execute(CUSTOM_ID_DEFINITION, {"identifier": identifier})
        found = data["metafieldDefinition"]
        if found is not None and found["type"]["name"] == CUSTOM_ID_TYPE:
            return None
        what = f"is of type {found['type']['name']}" if found else "does not exist"
        return (
            f"the {self.kind} metafield definition {namespace}.{key} {what}; matching on a custom id needs one of"
            f" type {CUSTOM_ID_TYPE} (Shopify admin: Settings > Custom data, or the metafieldDefinitionCreate mutation)"
        )

    def removed(self, current: dict[str, Any], mode: str) -> bool:
        """Whether `current` is already as deleting it in `mode` would leave it (an archived product)."""
        return mode == "archive" and current.get("status") == "ARCHIVED"

    @abstractmethod
    def match_value(self, record: dict[str, Any], match_on: str) -> Any:
        """The record's value of a built-in match key (not custom_id, which names its own field)."""

    def related(self, record: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        """What `to_input` needs besides `current`, read from the shop. It raises nothing: a record it
        cannot read fails in `to_input`, which checks the record's fields in their order."""
        return {}

    def find_with_related(
        self, identifier: dict[str, Any], record: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """The object `identifier` finds and what planning `record` needs besides (`related`)."""
        current = self.find(identifier)
        return current, self.related(record, current)

    def to_send(self, wanted: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        """What of a changed input is written: all of it."""
        return wanted

    @abstractmethod
    def to_input(
        self, record: dict[str, Any], current: dict[str, Any] | None, related: dict[str, Any]
    ) -> dict[str, Any]:
        """The `…Set` input: only the fields the record carries, since Shopify replaces lists wholesale.
        Pure: what it needs from the shop is in `current` and `related`."""

    @abstractmethod
    def delete(self, current: dict[str, Any], mode: str) -> WriteAnswer:
        """Delete the object (or archive it, where `mode` says so and the object can be archived)."""


class InputGateway(ObjectGateway):
    """An object with an input: written by `set_mutation`, and unchanged when the shop holds the input
    already (compared with `as_input`)."""

    set_root: ClassVar[str]
    set_mutation: ClassVar[str]

    @override
    def write(self, wanted: dict[str, Any], identifier: dict[str, Any]) -> WriteAnswer:
        payload = self.mutate(self.set_mutation, {"input": wanted, "identifier": identifier})[self.set_root]
        found = payload.get(self.kind)
        return WriteAnswer(found["id"] if found else None, payload["userErrors"])

    @override
    def outcome(self, wanted: dict[str, Any], current: dict[str, Any] | None) -> Outcome:
        if current is None:
            return Outcome.CREATED
        return Outcome.UNCHANGED if is_held(wanted, self.as_input(current)) else Outcome.UPDATED

    @abstractmethod
    def as_input(self, current: dict[str, Any]) -> dict[str, Any]:
        """The object as Shopify holds it, in the shape of the `…Set` input, for comparing."""


class IdentifiedGateway(InputGateway):
    """An object Shopify finds by an identifier (`…ByIdentifier`) and upserts by one (`…Set`): many are
    looked up in one query, and big batches can be written by one bulk mutation of `set_mutation`."""

    typename: ClassVar[str]
    selection: ClassVar[str]  # what `as_input` and `unchanged` compare against
    # `selection` as a bulk query reads it (connections whole, by edges); None: the object is only looked up
    export_selection: ClassVar[str | None] = None
    export_connections: ClassVar[dict[str, dict[str, str]]] = {}  # see shopify_admin.bulk.reassemble
    count_roots: ClassVar[tuple[str, ...]] = ()  # the `…Count` roots adding up to the objects an export writes

    @override
    def find(self, identifier: dict[str, Any]) -> dict[str, Any] | None:
        return self.find_many([identifier])[0]

    def find_many(self, identifiers: list[dict[str, Any]]) -> list[dict[str, Any] | None]:
        """Each identifier's object or None, looked up `lookups_per_query` at a time with aliases."""
        per_query = self.lookups_per_query()
        return look_up(self.client, self.lookup_document, per_query, identifiers, lambda n, i: {f"i{n}": i})

    @classmethod
    @cache
    def lookups_per_query(cls) -> int:
        """As many lookups as keep a query's requested cost within Shopify's limit."""
        return largest_within(lambda count: requested_cost(cls.lookup_document(count)))

    @classmethod
    @cache
    def lookup_document(cls, count: int) -> str:
        kind = cls.typename
        arguments = ", ".join(f"$i{n}: {kind}IdentifierInput!" for n in range(count))
        lookups = " ".join(f"o{n}: {cls.kind}ByIdentifier(identifier: $i{n}) {{ ...Current }}" for n in range(count))
        fragment = f"fragment Current on {kind} {{ {cls.selection} }}"
        return f"query Target{kind}Lookup({arguments}) {{ {lookups} }}\n{fragment}"

    @classmethod
    @cache
    def metafields_lookup_document(cls) -> str:
        """One lookup that also reads the metafields a record names (`$keys`)."""
        kind = cls.typename
        lookup = f"o0: {cls.kind}ByIdentifier(identifier: $i0) {{ ...Current {HELD_METAFIELDS} }}"
        fragment = f"fragment Current on {kind} {{ {cls.selection} }}"
        arguments = f"$i0: {kind}IdentifierInput!, $keys: [String!], $first: Int!"
        return f"query Target{kind}LookupWithMetafields({arguments}) {{ {lookup} }}\n{fragment}"

    def completed(self, current: dict[str, Any]) -> dict[str, Any]:
        """A looked-up object with whatever the lookup reads only in part read whole."""
        return current

    @override
    def find_with_related(
        self, identifier: dict[str, Any], record: dict[str, Any]
    ) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """The object and the metafields the record names, in one query (a lookup, then a read of its
        metafields, would be two requests a record)."""
        keys = metafield_keys(record)
        if not keys:
            return self.find(identifier), {}
        variables = {"i0": identifier, **held_metafields(keys)}
        found = self.client.execute(self.metafields_lookup_document(), variables)["o0"]
        if found is None:
            return None, {}
        held = found.pop("metafields")
        return self.completed(found), {"metafields": held["nodes"]}

    @override
    def to_send(self, wanted: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        """Only the metafields when the shop holds the rest already: no `…Set` that would change nothing."""
        fields = {k: v for k, v in wanted.items() if k != "metafields"}
        if current is not None and "metafields" in wanted and is_held(fields, self.as_input(current)):
            return {"metafields": wanted["metafields"]}
        return wanted

    @classmethod
    def lookups_per_second(cls, restore_rate: float, round_trip: float) -> float:
        per_query = cls.lookups_per_query()
        return serial_lookup_rate(cls.lookup_document(per_query), per_query, restore_rate, round_trip)

    def shop_objects(self) -> int:
        return counted(self.client, self.typename, self.count_roots)

    @classmethod
    def export_query(cls, custom_id: tuple[str, str] | None) -> str:
        """The bulk query of every object of the shop with what a lookup reads."""
        return export_document(f"{cls.kind}s", cls.export_selection, custom_id)

    def exported(self, node: dict[str, Any]) -> dict[str, Any]:
        """An exported object, reassembled, in the shape a lookup answers."""
        return node

    def from_export(self, matches: list[dict[str, Any]], lookup: dict[str, Any]) -> dict[str, Any]:
        """The object a lookup by identifier finds: one per key (the last exported, should two share it)."""
        return matches[-1]

    def exported_key(self, current: dict[str, Any], match_on: str) -> Any:
        """The match key of an object as the shop holds it."""
        if match_on == "custom_id":
            return exported_custom_id(current)
        return self.match_value(current, match_on)

    def bulk_ready(self, wanted: dict[str, Any]) -> bool:
        """Whether `set_mutation` alone writes `wanted`, so that it can go in a bulk mutation."""
        return "metafields" not in wanted

    @override
    def related(self, record: dict[str, Any], current: dict[str, Any] | None) -> dict[str, Any]:
        """The metafields `current` holds under the keys the record names."""
        keys = metafield_keys(record)
        if not keys or current is None:
            return {}
        node = self.client.execute(CURRENT_METAFIELDS, {"id": current["id"], **held_metafields(keys)})["node"]
        return {"metafields": ((node or {}).get("metafields") or {}).get("nodes", [])}

    @override
    def write(self, wanted: dict[str, Any], identifier: dict[str, Any]) -> WriteAnswer:
        fields = {k: v for k, v in wanted.items() if k != "metafields"}
        if not fields and "id" in identifier:  # only metafields changed
            written = WriteAnswer(identifier["id"], [])
        else:
            written = super().write(fields, identifier)
        if written.user_errors or not wanted.get("metafields"):
            return written
        assert written.shopify_id is not None
        metafields = [{**m, "ownerId": written.shopify_id} for m in wanted["metafields"]]
        for start in range(0, len(metafields), METAFIELDS_PER_SET):
            variables = {"metafields": metafields[start : start + METAFIELDS_PER_SET]}
            errors = self.mutate(SET_METAFIELDS, variables)["metafieldsSet"]["userErrors"]
            if errors:
                return WriteAnswer(written.shopify_id, errors)
        return written


def custom_id_identifier(custom_id: tuple[str, str], value: str) -> dict[str, Any]:
    """The identifier (of a lookup or a `…Set`) of the object whose custom id metafield holds `value`."""
    return {"customId": {"namespace": custom_id[0], "key": custom_id[1], "value": value}}


def export_document(root: str, selection: str | None, custom_id: tuple[str, str] | None) -> str:
    """The bulk query of every node of the root connection `root` with `selection` (and the custom id's
    metafield, to match on it). No `query:` filter: Shopify's search lags behind writes, a list does not."""
    metafield = ""
    if custom_id is not None:
        namespace, key = (json.dumps(part) for part in custom_id)
        metafield = f" {CUSTOM_ID_ALIAS}: metafield(namespace: {namespace}, key: {key}) {{ value }}"
    return f"{{ {root} {{ edges {{ node {{ {selection}{metafield} }} }} }} }}"


def exported_custom_id(node: dict[str, Any]) -> Any:
    """The custom id of a node `export_document` read with it."""
    return (node.get(CUSTOM_ID_ALIAS) or {}).get("value")


def changed_metafields(record: dict[str, Any], current: dict[str, Any] | None, related: dict[str, Any]) -> list[dict]:
    """The record's `metafields` ({namespace, key, value, type}) that the shop does not hold as they are
    (`related["metafields"]`), each compared as a value of its type (metafields/values.py). They are
    written by metafieldsSet, which leaves the owner's other metafields alone (a `…Set` input's metafields
    list would replace them all)."""
    wanted = requested_metafields(record)
    if not wanted or current is None:
        return wanted
    held = {(m["namespace"], m["key"]): m for m in related.get("metafields", [])}
    return [m for m in wanted if not holds(m.get("type"), m["value"], held.get((m.get("namespace"), m["key"])))]


def metafield_keys(record: dict[str, Any]) -> list[str]:
    """The `namespace.key` of each metafield the record names; none for a record whose metafields are
    malformed, which fails in `to_input`, where its fields are checked in their order."""
    try:
        wanted = requested_metafields(record)
    except RecordError:
        return []
    return [f"{m.get('namespace') or ''}.{m['key']}".lstrip(".") for m in wanted]


def held_metafields(keys: list[str]) -> dict[str, Any]:
    """HELD_METAFIELDS' variables: the keys, and as many nodes (Shopify serves 250 at most)."""
    return {"keys": keys, "first": min(len(keys), MAX_PAGE)}


def requested_metafields(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [metafield_input(m, f"metafields[{i}].") for i, m in enumerate(object_list(record, "metafields") or [])]


def metafield_input(metafield: dict[str, Any], where: str) -> dict[str, Any]:
    """A MetafieldsSetInput without its owner. A value that is not text is sent as JSON (true, 12, {…})."""
    key = text(metafield, "key", where)
    if not key:
        raise RecordError(f"{where}key is required")
    value = metafield.get("value")
    if value is None:
        raise RecordError(f"{where}value is required")
    wanted = {"key": key, "value": value_text(value)}
    for name in ("namespace", "type"):
        if text(metafield, name, where):
            wanted[name] = metafield[name]
    return wanted


def is_held(wanted: Any, current: Any) -> bool:
    """Whether writing `wanted` would leave `current` as it is: only the keys `wanted` sets count,
    blank text equals none, and tags compare as Shopify stores them (sorted, case-insensitive)."""
    if isinstance(wanted, dict):
        return isinstance(current, dict) and all(is_held(v, current.get(k)) for k, v in wanted.items())
    if isinstance(wanted, list):
        if wanted and all(isinstance(v, str) for v in wanted):  # tags
            return isinstance(current, list) and _tag_set(wanted) == _tag_set(current)
        return isinstance(current, list) and len(wanted) == len(current) and all(map(is_held, wanted, current))
    if wanted is None or isinstance(wanted, str):
        return isinstance(current, str | None) and (wanted or "").strip() == (current or "").strip()
    return bool(wanted == current)


def _tag_set(tags: list[str]) -> list[str]:
    return sorted({t.strip().casefold() for t in tags if t.strip()})
