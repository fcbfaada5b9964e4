"""Typed reads of record fields: a wrong type becomes a per-record failure that names the field."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any


class RecordError(ValueError):
    """The record cannot be written as it is; the message says why."""


def as_written(value: Any) -> str:
    """A record's value as its JSON gives it (1.5, "a", true, [1]), not as Python spells it, shortened."""
    # the SDK reads JSON numbers as Decimals; one inside a list or an object shows as the number it is
    shown = str(value) if isinstance(value, Decimal) else json.dumps(value, ensure_ascii=False, default=float)
    return shown if len(shown) <= 80 else f"{shown[:77]}..."


def wrong(name: str, described: str, value: Any) -> RecordError:
    """The failure of a field that is not `described`: what was given, or that nothing was."""
    if value is None:
        return RecordError(f"{name} is missing: it must be {described}")
    return RecordError(f"{name} must be {described}, not {as_written(value)}")


def _typed(value: Any, kind: type | tuple[type, ...], name: str, described: str) -> Any:
    if value is not None and (not isinstance(value, kind) or (kind is not bool and isinstance(value, bool))):
        raise wrong(name, described, value)
    return value


def text(data: dict[str, Any], name: str, where: str = "") -> str | None:
    return _typed(data.get(name), str, where + name, "a string")


def flag(data: dict[str, Any], name: str, where: str = "") -> bool | None:
    return _typed(data.get(name), bool, where + name, "a boolean")


def money(data: dict[str, Any], name: str, where: str = "") -> str | None:
    """A decimal string as Shopify renders money (two places), from a string or a number."""
    value = _typed(data.get(name), (str, int, float, Decimal), where + name, "a decimal amount")
    if value is None:
        return None
    try:
        amount = Decimal(str(value))
        if amount.is_finite():  # NaN would pass quantize and reach Shopify
            return format(amount.quantize(Decimal("0.01")), "f")
    except InvalidOperation:
        pass
    raise wrong(f"{where}{name}", "a finite decimal amount", value)


def strings(data: dict[str, Any], name: str) -> list[str] | None:
    """A list of strings; a comma-separated string (how Shopify shows tags elsewhere) is split."""
    value = data.get(name)
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    _typed(value, list, name, "a list of strings")
    for item in value or []:
        _typed(item, str, f"{name} item", "a string")
    return value


def object_list(data: dict[str, Any], name: str) -> list[dict[str, Any]] | None:
    value = _typed(data.get(name), list, name, "a list of objects")
    for item in value or []:
        if not isinstance(item, dict):
            raise RecordError(f"{name} must be a list of objects, not a list holding {as_written(item)}")
    return value


def nested(data: dict[str, Any], name: str, inner: str) -> Any:
    """`data[name][inner]`, for the tap's shapes such as defaultEmailAddress { emailAddress }."""
    outer = _typed(data.get(name), dict, name, "an object")
    return (outer or {}).get(inner)


def timestamp(data: dict[str, Any], name: str, where: str = "") -> str | None:
    """An ISO 8601 date-time as Shopify writes them (UTC, `Z`); one without a zone is taken as UTC."""
    value = text(data, name, where)
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise wrong(f"{where}{name}", "an ISO 8601 date-time", value) from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat().replace("+00:00", "Z")


def without_nulls(values: dict[str, Any]) -> dict[str, Any]:
    """The values a record gives: a null leaves the shop's value (a warehouse null is no order to erase)."""
    return {name: value for name, value in values.items() if value is not None}


def texts_and_tags(record: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """The record's text fields among `names` and its tags, those it gives."""
    wanted = without_nulls({name: text(record, name) for name in names})
    if record.get("tags") is not None:
        wanted["tags"] = strings(record, "tags")
    return wanted
