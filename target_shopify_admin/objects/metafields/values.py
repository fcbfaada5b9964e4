"""Whether a record's metafield value and the shop's are the same value for the metafield's type, as
Shopify would store the record's: Shopify normalises what it is given (a boolean `t` reads `true`, an
integer `5.0` reads `5`, a date-time loses its fractions, a measurement reads `{"value":25.0,"unit":
"CENTIMETERS"}`), so a warehouse's spelling compared as text would be written again on every run."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from typing import Any

import msgspec

from shopify_admin.metafield_units import MEASUREMENTS, unit_name

JSON_TYPES = ("json", "money", "rating", "link", "rich_text_field")  # compared as JSON documents
TRUE_WORDS, FALSE_WORDS = ("true", "t", "1"), ("false", "f", "0")  # any case, spaces around (as captured)
INTEGER = re.compile(r"-?\d+(\.0+)?")  # `5.0` is 5; `+5` is refused (as captured)
DECIMAL_PLACES = Decimal("1e-9")  # number_decimal keeps nine places, cut


JSON = msgspec.json.Encoder(decimal_format="number")  # singer-sdk reads a record's JSON numbers as Decimal


def value_text(value: Any) -> str:
    """A record's value as metafieldsSet takes it: text as it is, anything else as JSON, its numbers as the
    record gave them."""
    return value if isinstance(value, str) else JSON.encode(value).decode()


class RefusedValueError(ValueError):
    """A value Shopify refuses for its type."""


def same_value(type_: str, wanted: str, held: str) -> bool:
    """Whether setting `wanted` would leave the shop's `held` as it is."""
    if wanted.strip() == held.strip():
        return True
    try:
        return bool(stored(type_, wanted) == stored(type_, held))
    except RefusedValueError:
        return False


def stored(type_: str, value: str) -> Any:
    """The value as Shopify keeps it, in a form that compares equal for equal values (RefusedValueError for a
    value its type refuses, for the types checked here)."""
    if not type_.startswith("list."):
        return _item(type_, value)
    items = _json(value)
    if not isinstance(items, list):
        raise RefusedValueError("not a JSON array")
    base = type_.removeprefix("list.")
    return [_item(base, value_text(item)) for item in items]


def _item(type_: str, value: str) -> Any:
    if type_ in MEASUREMENTS:
        return _measurement(type_, _json(value))
    if type_ in JSON_TYPES:
        return _json(value)
    read = READERS.get(type_)
    return read(value) if read else value.strip()


def _json(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError as error:
        raise RefusedValueError("not JSON") from error


def _boolean(value: str) -> bool:
    word = value.strip().lower()
    if word not in TRUE_WORDS + FALSE_WORDS:
        raise RefusedValueError("not a boolean")
    return word in TRUE_WORDS


def _number(value: Any) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation as error:
        raise RefusedValueError("not a number") from error
    if not number.is_finite():
        raise RefusedValueError("not a number")
    return number


def _integer(value: str) -> int:
    if not INTEGER.fullmatch(value.strip()):
        raise RefusedValueError("not an integer")
    return int(_number(value))


def _decimal(value: str) -> Decimal:
    number = _number(value)
    exponent = number.as_tuple().exponent
    too_fine = isinstance(exponent, int) and exponent < -9
    return number.quantize(DECIMAL_PLACES, rounding=ROUND_DOWN) if too_fine else number


def _date_time(value: str) -> str:
    """Whole seconds, UTC's offset where none is given; another offset is kept, as Shopify keeps it."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as error:
        raise RefusedValueError("not a date-time") from error
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).replace(microsecond=0).isoformat()


def _measurement(type_: str, item: Any) -> tuple[Decimal, str | None]:
    if not isinstance(item, dict) or "value" not in item or "unit" not in item:
        raise RefusedValueError("not a number with a unit")
    return _number(item["value"]), unit_name(type_, str(item["unit"]))


READERS = {"boolean": _boolean, "number_integer": _integer, "number_decimal": _decimal, "date_time": _date_time}


def holds(wanted_type: str | None, wanted_value: str, current: dict[str, Any] | None) -> bool:
    """Whether the shop's metafield `current` ({type, value}, or None) holds the value wanted already, and
    the type, where one is wanted; without one the shop's type is kept, and the value read as that."""
    if current is None or (wanted_type is not None and wanted_type != current["type"]):
        return False
    return same_value(current["type"], wanted_value, current["value"])
