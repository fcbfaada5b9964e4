"""Shopify's search syntax, the part clients use: `field:value`, `field:>=value`, quoting,
`AND` / `OR` / `NOT` / `-field:value`, trailing `*` as a prefix match, and free text.

A value is a bare name or a string in single or double quotes; a backslash escapes the character
after it, in both (`title:Bob\\:Smith`, `source_identifier:"po-\\"7\\""`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from .store import Record, parse_gid

VALUE = r""""(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|(?:[^\s\\]|\\.)+"""
TOKEN = re.compile(rf"(-?)(?:(\w+):(>=|<=|>|<|=)?)?({VALUE})", re.DOTALL)
ESCAPED = re.compile(r"\\(.)", re.DOTALL)

Accessor = Callable[[Record], Any]


@dataclass(frozen=True)
class Term:
    field: str | None
    op: str
    value: str
    negate: bool


@dataclass(frozen=True)
class Filter:
    """How one search field reads a record and compares: `text`, `date`, `number` or `id`."""

    kind: str
    read: Accessor


def parse(query: str | None) -> list[list[Term]]:
    """The query as OR-groups of AND-ed terms."""
    groups: list[list[Term]] = [[]]
    negate_next = False
    for match in TOKEN.finditer(query or ""):
        minus, name, op, raw = match.groups()
        if name is None and raw in ("AND", "OR", "NOT"):
            if raw == "OR":
                groups.append([])
            negate_next = raw == "NOT"
            continue
        quoted = raw[:1] in "\"'" and raw[-1:] == raw[:1] and len(raw) > 1
        value = ESCAPED.sub(r"\1", raw[1:-1] if quoted else raw)
        groups[-1].append(Term(name.lower() if name else None, op or ":", value, bool(minus) or negate_next))
        negate_next = False
    return [g for g in groups if g]


def parse_time(value: str, zone: str = "Etc/UTC") -> str | None:
    """A timestamp as our stored ISO form (UTC, seconds); None when it is not one. One without an offset
    (a date alone, or a time of day without one) is the time zone `zone`'s: a search reads it in the
    shop's, as captured (`2026-04/fulfillments/fulfillment-order-mixed-catalog-lifecycle.json`: in a
    shop five hours behind UTC in January, `updated_at:>=2026-01-01T00` is parsed as
    `2026-01-01T00:00:00-05:00`)."""
    text = value.strip()
    if text.lower() == "now":
        return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=ZoneInfo(zone))
    return parsed.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def day_end(value: str, zone: str) -> str | None:
    """The end of the day a bare date (`2026-03-05`) names in `zone`, which is 23 or 25 hours after its
    start on a day clocks change; None for a value that is not a bare date."""
    try:
        day = date.fromisoformat(value.strip())
    except ValueError:
        return None
    return parse_time((day + timedelta(days=1)).isoformat(), zone)


def _compare(kind: str, op: str, have: Any, want: str, zone: str) -> bool:
    if have is None:
        return False
    if kind == "date":
        moment = parse_time(want, zone)
        if moment is None:
            return False
        end = day_end(want, zone) if op in (":", "=") else None
        if end is not None:  # a bare date matches the whole day
            return moment <= have < end
        target: Any = moment
    elif kind in ("number", "id"):
        try:
            target = int(parse_gid(want)[1]) if kind == "id" and want.startswith("gid://") else float(want)  # type: ignore[index]
            have = float(have)
        except (TypeError, ValueError):
            return False
    else:
        have, target = str(have).lower(), want.lower()
        if op in (":", "=") and target.endswith("*"):
            return have.startswith(target[:-1])
    if op in (":", "="):
        return bool(have == target)
    return bool({">": have > target, ">=": have >= target, "<": have < target, "<=": have <= target}[op])


def field_values(read: Accessor, record: Record) -> Iterable[Any]:
    value = read(record)
    return value if isinstance(value, list | tuple | set) else [value]


class Search:
    """A parsed query bound to one resource's filters."""

    def __init__(self, query: str | None, filters: dict[str, Filter], text_fields: list[str], zone: str) -> None:
        """`zone` is the shop's time zone, in which a date or time without an offset is read."""
        self.groups = parse(query)
        self.zone = zone
        self.filters = filters
        self.text_fields = text_fields
        self.warnings = [
            {"field": t.field, "message": "Invalid search field for this query."}
            for g in self.groups
            for t in g
            if t.field and t.field not in filters
        ]

    def _term(self, term: Term, record: Record) -> bool:
        if term.field is None:
            needle = term.value.lower().rstrip("*")
            hit = any(needle in str(record.get(f) or "").lower() for f in self.text_fields)
        elif term.field not in self.filters:
            return True  # Shopify ignores an unknown field and says so in a warning
        else:
            spec = self.filters[term.field]
            hit = any(_compare(spec.kind, term.op, v, term.value, self.zone) for v in field_values(spec.read, record))
        return hit != term.negate

    def exact(self) -> Term | None:
        """The query's only term, when the query is one field equal to one value (no wildcard, no NOT)."""
        if len(self.groups) != 1 or len(self.groups[0]) != 1:
            return None
        term = self.groups[0][0]
        return term if term.op in (":", "=") and not term.negate and not term.value.endswith("*") else None

    def matches(self, record: Record) -> bool:
        return not self.groups or any(all(self._term(t, record) for t in g) for g in self.groups)

    def bounds(self, field_name: str) -> tuple[str | None, str | None]:
        """Inclusive lower and exclusive upper ISO bounds that a date field's terms imply, for
        narrowing a sorted scan; `matches` stays the exact test."""
        if len(self.groups) != 1:
            return None, None
        low = high = None
        for term in self.groups[0]:
            if term.field != field_name or term.negate:
                continue
            moment = parse_time(term.value, self.zone)
            if moment is None:
                continue
            if term.op in (">", ">=") and (low is None or moment > low):
                low = moment
            elif term.op == "<" and (high is None or moment < high):
                high = moment
            elif term.op == "<=":
                bound = (datetime.fromisoformat(moment[:-1]) + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
                high = bound if high is None or bound < high else high
        return low, high
