"""Collections: collectionCreate creates one by handle, collectionUpdate updates it by id (Shopify has no
collectionSet); collectionDelete deletes. A smart collection's rules can be set (ruleSet), its products
cannot: those are for membership.py, and only of custom collections."""

from __future__ import annotations

import re
from typing import Any, ClassVar

from typing_extensions import override

from target_shopify_admin.objects.fields import RecordError, flag, object_list, text, without_nulls
from target_shopify_admin.objects.gateway import USER_ERRORS, InputGateway, WriteAnswer
from target_shopify_admin.objects.kind import ObjectKind

COLLECTION_TEXT = ("title", "handle", "descriptionHtml", "sortOrder")
COLLECTION_FIELDS = f"""id {" ".join(COLLECTION_TEXT)} seo {{ title description }} image {{ url altText }}
  ruleSet {{ appliedDisjunctively rules {{ column relation condition }} }}"""
FIND = f"""query TargetCollectionLookup($identifier: CollectionIdentifierInput!) {{
  collectionByIdentifier(identifier: $identifier) {{ {COLLECTION_FIELDS} }}
}}"""
CREATE = f"""mutation TargetCollectionCreate($input: CollectionInput!) {{
  collectionCreate(input: $input) {{ collection {{ id }} {USER_ERRORS} }}
}}"""
UPDATE = f"""mutation TargetCollectionUpdate($input: CollectionInput!) {{
  collectionUpdate(input: $input) {{ collection {{ id }} {USER_ERRORS} }}
}}"""
DELETE = f"""mutation TargetCollectionDelete($input: CollectionDeleteInput!) {{
  collectionDelete(input: $input) {{ deletedCollectionId {USER_ERRORS} }}
}}"""


class CollectionGateway(InputGateway):
    kind = "collection"
    lookup_keys: ClassVar = {"handle": "handle", "id": "id"}

    @override
    def identifiers(self, match_on: str, value: str, custom_id: tuple[str, str] | None) -> tuple[dict, dict]:
        """Only a handle can name a collection to create: collectionCreate refuses an id."""
        lookup = {self.lookup_keys[match_on]: value}
        return lookup, lookup if match_on == "handle" else {}

    @override
    def find(self, identifier: dict[str, Any]) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.client.execute(FIND, {"identifier": identifier})["collectionByIdentifier"]
        return found

    @override
    def match_value(self, record: dict[str, Any], match_on: str) -> Any:
        value = record.get(match_on)
        return collection_handle(value) if match_on == "handle" and isinstance(value, str) else value

    @override
    def to_input(
        self, record: dict[str, Any], current: dict[str, Any] | None, related: dict[str, Any]
    ) -> dict[str, Any]:
        return collection_input(record, creating=current is None)

    @override
    def as_input(self, current: dict[str, Any]) -> dict[str, Any]:
        image = current.get("image")
        return {
            **{name: current.get(name) for name in COLLECTION_TEXT},
            "seo": current.get("seo"),
            "image": image and {"src": image.get("url"), "altText": image.get("altText")},
            "ruleSet": current.get("ruleSet"),
        }

    @override
    def write(self, wanted: dict[str, Any], identifier: dict[str, Any]) -> WriteAnswer:
        """An update names the collection by id; a create carries the handle it was matched on."""
        root, document = ("collectionUpdate", UPDATE) if "id" in identifier else ("collectionCreate", CREATE)
        payload = self.mutate(document, {"input": {**identifier, **wanted}})[root]
        found = payload.get("collection")
        return WriteAnswer(found["id"] if found else None, payload["userErrors"])

    @override
    def delete(self, current: dict[str, Any], mode: str) -> WriteAnswer:
        payload = self.mutate(DELETE, {"input": {"id": current["id"]}})["collectionDelete"]
        return WriteAnswer(payload["deletedCollectionId"], payload["userErrors"])


def collection_handle(value: str) -> str | None:
    """The handle Shopify keeps for `value`: lower case, each run of characters other than letters, digits
    and underscores one hyphen, none at the ends (unlike a product's, underscores stay: `best_selling`)."""
    handle = re.sub(r"\W+", "-", value.lower()).strip("-")
    if value.strip() and not handle:
        raise RecordError(f"handle {value!r} has no letter, digit or underscore")
    return handle or None


def collection_input(record: dict[str, Any], creating: bool) -> dict[str, Any]:
    """A CollectionInput of the fields the record gives (`description` is taken for descriptionHtml)."""
    given = {**({"descriptionHtml": record["description"]} if "description" in record else {}), **record}
    wanted = without_nulls({name: text(given, name) for name in COLLECTION_TEXT})
    if "handle" in wanted:
        handle = collection_handle(wanted.pop("handle"))
        wanted.update({"handle": handle} if handle else {})
    if creating and not (wanted.get("title") or "").strip():
        raise RecordError("title is required to create a collection")
    if isinstance(record.get("seo"), dict):
        wanted["seo"] = without_nulls({name: text(record["seo"], name, "seo.") for name in ("title", "description")})
    elif record.get("seo") is not None:
        raise RecordError(f"seo must be an object, not {record['seo']!r}")
    if "image" in record:
        wanted["image"] = image_input(record["image"])
    if record.get("ruleSet") is not None:
        wanted["ruleSet"] = rule_set_input(record["ruleSet"])
    return wanted


def image_input(image: Any) -> dict[str, Any] | None:
    """An ImageInput from the tap's `{url, altText}` (or `src`); null removes the collection's image."""
    if image is None:
        return None
    if not isinstance(image, dict):
        raise RecordError(f"image must be an object, not {image!r}")
    src = text(image, "src", "image.") or text(image, "url", "image.")
    if not src:
        raise RecordError("image.url is required")
    return {"src": src, "altText": text(image, "altText", "image.")}


def rule_set_input(rule_set: Any) -> dict[str, Any]:
    """A CollectionRuleSetInput: what makes a collection smart (Shopify refuses it on a custom one)."""
    if not isinstance(rule_set, dict):
        raise RecordError(f"ruleSet must be an object, not {rule_set!r}")
    rules = object_list(rule_set, "rules")
    if not rules:
        raise RecordError("ruleSet.rules must name at least one rule")
    wanted = []
    for n, rule in enumerate(rules):
        where = f"ruleSet.rules[{n}]."
        values = {name: text(rule, name, where) for name in ("column", "relation", "condition")}
        missing = [name for name, value in values.items() if value is None]
        if missing:
            raise RecordError(f"{where}{missing[0]} is required")
        wanted.append(values)
    return {"appliedDisjunctively": bool(flag(rule_set, "appliedDisjunctively", "ruleSet.")), "rules": wanted}


KIND = ObjectKind(
    name="collection",
    stream="collections",
    match_keys=("handle", "id"),
    gateway=CollectionGateway,
    summary="collectionCreate / collectionUpdate upsert custom and smart (ruleSet) collections; deleted",
)
