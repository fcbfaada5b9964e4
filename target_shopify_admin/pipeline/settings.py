"""Per-stream settings: which Shopify object a stream writes, how, and what its records are matched on.

Declared, not written out by hand: each object's declaration (`KIND` in objects/) names its match keys,
delete modes and options of its own, and both the `streams` setting's schema (what `--about` and the Hub
show, and what the SDK checks types against) and the check of each stream's entry are made from them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from singer_sdk import typing as th

from shopify_admin import ConfigurationError
from target_shopify_admin.objects import object_kinds
from target_shopify_admin.objects.kind import ObjectKind

ACTIONS = ("create", "update", "upsert", "delete")
COMMON = ("object", "action", "match_on", "custom_id", "allow_deletes", "delete_mode")


@dataclass(frozen=True)
class StreamSettings:
    object: str | None  # None: the stream maps to nothing, and each record fails saying so
    action: str = "upsert"
    match_on: str = "id"
    custom_id: tuple[str, str] | None = None  # metafield (namespace, key); the record's field is named by key
    allow_deletes: bool = False
    delete_mode: str = "delete"
    options: Mapping[str, Any] = field(default_factory=dict)  # the object's own options, defaults filled in

    @classmethod
    def of(cls, stream: str, config: Mapping[str, Any]) -> StreamSettings:
        """The stream's entry in `streams`, checked; a mistake there stops the run before any write."""
        entry = dict((config.get("streams") or {}).get(stream) or {})
        name = entry.pop("object", default_object(stream))
        kind = object_kinds().get(name or "")
        if kind is None:  # unmapped or unknown object: each record fails, saying so
            return cls(object=name, action=entry.get("action", "upsert"), match_on=entry.get("match_on", "id"))
        where = f"streams.{stream}"
        own = {prop.name: entry.pop(prop.name) for prop in kind.options if prop.name in entry}
        unknown = set(entry) - set(COMMON)
        if unknown:
            raise ConfigurationError(f"{where} has unknown settings: {', '.join(sorted(unknown))}")
        entry.setdefault("match_on", kind.match_keys[0])
        entry.setdefault("delete_mode", kind.delete_modes[0])
        custom_id = entry.pop("custom_id", None)
        settings = cls(object=name, **entry, options=checked_options(kind, own, where))
        settings.check(kind, where)
        if custom_id is not None:
            namespace, dot, key = str(custom_id).rpartition(".")
            if not (dot and namespace and key):
                raise ConfigurationError(f"{where}.custom_id must be 'namespace.key', not {custom_id!r}")
            settings = replace(settings, custom_id=(namespace, key))
        if settings.match_on == "custom_id" and settings.custom_id is None:
            raise ConfigurationError(f"{where}.custom_id ('namespace.key') is needed to match on custom_id")
        return settings

    def check(self, kind: ObjectKind, where: str) -> None:
        if self.action not in ACTIONS:
            raise ConfigurationError(f"{where}.action must be one of {', '.join(ACTIONS)}, not {self.action!r}")
        if self.match_on not in kind.match_keys:
            keys = ", ".join(kind.match_keys)
            raise ConfigurationError(f"{where}.match_on for a {kind.name} must be one of {keys}, not {self.match_on!r}")
        if self.delete_mode not in kind.delete_modes:
            raise ConfigurationError(f"{where}.delete_mode {self.delete_mode!r} does not apply to a {kind.name}")

    @property
    def match_field(self) -> str:
        """The record field holding the match value."""
        return self.custom_id[1] if self.match_on == "custom_id" and self.custom_id else self.match_on


def default_object(stream: str) -> str | None:
    """The object of a stream named after it (customers: customer), when no entry names one."""
    return next((kind.name for kind in object_kinds().values() if kind.stream == stream), None)


def checked_options(kind: ObjectKind, given: dict[str, Any], where: str) -> dict[str, Any]:
    """The object's own options: each as its declaration allows, then together as the object checks them."""
    options = {}
    for prop in kind.options:
        value = given.get(prop.name, prop.default)
        if isinstance(prop.wrapped, th.BooleanType) and not isinstance(value, bool):
            raise ConfigurationError(f"{where}.{prop.name} must be true or false, not {value!r}")
        if prop.allowed_values is not None and value not in prop.allowed_values:
            allowed = ", ".join(map(str, prop.allowed_values))
            raise ConfigurationError(f"{where}.{prop.name} must be one of {allowed}, not {value!r}")
        options[prop.name] = value
    if kind.check is not None:
        kind.check(options, where)
    return options


def streams_setting() -> th.Property:
    """The `streams` setting: an entry per stream, with every object's options, described from the
    objects' declarations."""
    kinds = list(object_kinds().values())
    own: dict[str, th.Property] = {}
    for kind in kinds:
        own.update({prop.name: prop for prop in kind.options if prop.name not in own})
    entry = th.ObjectType(
        th.Property("object", th.StringType, description=objects_text(kinds)),
        th.Property("action", th.StringType, allowed_values=list(ACTIONS), default="upsert"),
        th.Property("match_on", th.StringType, description=per_object(kinds, "match_keys", "the object's first key")),
        th.Property(
            "custom_id",
            th.StringType,
            description=(
                "metafield 'namespace.key' with a definition of type id (to match on custom_id);"
                " the record field named like the key holds the value"
            ),
        ),
        th.Property("allow_deletes", th.BooleanType, default=False, description="deletes are refused without it"),
        th.Property(
            "delete_mode",
            th.StringType,
            description=per_object(kinds, "delete_modes", "delete; objects not named take delete only"),
        ),
        *map(default_in_words, own.values()),
        additional_properties=False,
    )
    described = " ".join(f"{kind_text(k)}." for k in kinds)
    settings = ", ".join(COMMON)
    return th.Property(
        "streams",
        th.ObjectType(additional_properties=entry),
        description=f"Per stream: {settings}, and the object's own options. {described}",
    )


def default_in_words(prop: th.Property) -> th.Property:
    """An object's option as the `streams` schema shows it: its default in words, since the SDK writes a
    declared default into every stream's entry, whatever the stream's object."""
    described = f"{prop.description} (default {json.dumps(prop.default)})"
    return th.Property(prop.name, prop.wrapped, allowed_values=prop.allowed_values, description=described)


def kind_text(kind: ObjectKind) -> str:
    """The object, what may be set for it, and what writing it does."""
    settings = [f"match_on {' / '.join(kind.match_keys)}"]
    if len(kind.delete_modes) > 1:
        settings.append(f"delete_mode {' / '.join(kind.delete_modes)}")
    if kind.options:
        settings.append(f"options {', '.join(prop.name for prop in kind.options)}")
    return f"{kind.name} ({'; '.join(settings)}): {kind.summary}"


def objects_text(kinds: Iterable[ObjectKind]) -> str:
    """Not an enum: a stream naming no known object fails each of its records, not the run."""
    names = " / ".join(k.name for k in kinds)
    streams = ", ".join(k.stream for k in kinds if k.stream)
    return f"the Shopify object the stream writes: {names}; streams named {streams} need no entry"


def per_object(kinds: Iterable[ObjectKind], attribute: str, default: str) -> str:
    choices = "; ".join(
        f"{k.name}: {' / '.join(getattr(k, attribute))}" for k in kinds if len(getattr(k, attribute)) > 1
    )
    return f"{choices}; default {default}"
