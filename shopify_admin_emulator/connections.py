"""Relay connections as Shopify pages them: `first/after/last/before`, `reverse`, opaque cursors
`{"last_id": N, "last_value": V}` in base64, at most 250 nodes a page."""

from __future__ import annotations

import base64
import bisect
import json
from collections.abc import Callable, Sequence
from typing import Any

from graphql import GraphQLError

from .store import Record

MAX_PAGE = 250
Key = tuple[Any, int]


def bad_request(message: str) -> GraphQLError:
    return GraphQLError(message, extensions={"code": "BAD_REQUEST"})


def encode_cursor(key: Key) -> str:
    value, number = key
    return base64.b64encode(
        json.dumps({"last_id": number, "last_value": value}, separators=(",", ":")).encode()
    ).decode()


def decode_cursor(cursor: str) -> Key:
    try:
        payload = json.loads(base64.b64decode(cursor, validate=True))
        return payload["last_value"], int(payload["last_id"])
    except (ValueError, KeyError, TypeError) as exc:
        raise bad_request(f"Invalid cursor for current pagination sort: {cursor}") from exc


def check_page_args(args: dict[str, Any]) -> int:
    first, last = args.get("first"), args.get("last")
    if first is None and last is None:
        raise bad_request("you must provide one of first or last")
    if first is not None and last is not None:
        raise bad_request("providing both first and last is not supported")
    size = int(first if first is not None else last)  # type: ignore[arg-type]
    if size < 0 or size > MAX_PAGE:
        raise bad_request(f"The maximum number of records that can be requested is {MAX_PAGE}.")
    return size


def _walk(
    records: Sequence[Record], start: int, stop: int, step: int, want: int, match: Callable[[Record], bool] | None
) -> list[int]:
    """Indexes of up to `want` matching records from start towards stop (exclusive)."""
    found: list[int] = []
    i = start
    while i != stop and len(found) < want:
        if match is None or match(records[i]):
            found.append(i)
        i += step
    return found


def paginate(
    keys: list[Key],
    records: Sequence[Record],
    args: dict[str, Any],
    match: Callable[[Record], bool] | None = None,
    lo: int = 0,
    hi: int | None = None,
) -> dict[str, Any]:
    """One page of `records` (sorted ascending by `keys`) as a connection dict."""
    size = check_page_args(args)
    hi = len(records) if hi is None else hi
    reverse = bool(args.get("reverse"))
    after, before = args.get("after"), args.get("before")
    # In reverse the front of the list is its end: `after` cuts the top, `before` the bottom.
    if after:
        key = decode_cursor(after)
        if reverse:
            hi = min(hi, bisect.bisect_left(keys, key))
        else:
            lo = max(lo, bisect.bisect_right(keys, key))
    if before:
        key = decode_cursor(before)
        if reverse:
            lo = max(lo, bisect.bisect_right(keys, key))
        else:
            hi = min(hi, bisect.bisect_left(keys, key))
    forward = (args.get("first") is not None) != reverse  # walk up the list?
    if forward:
        picked = _walk(records, lo, hi, 1, size + 1, match)
        more_after = _walk(records, lo - 1, -1, -1, 1, match) if lo > 0 else []
    else:
        picked = _walk(records, hi - 1, lo - 1, -1, size + 1, match)
        more_after = _walk(records, hi, len(records), 1, 1, match) if hi < len(records) else []
    has_more = len(picked) > size
    picked = picked[:size]
    if args.get("first") is None:
        picked.reverse()  # `last` pages still read front to back
    nodes = [records[i] for i in picked]
    cursors = [encode_cursor(keys[i]) for i in picked]
    # has_more is in the direction of travel; more_after is behind the cursor that was given.
    ahead, behind = has_more, bool(more_after) and bool(after if args.get("first") is not None else before)
    has_next, has_previous = (ahead, behind) if args.get("first") is not None else (behind, ahead)
    return {
        "edges": [{"cursor": c, "node": n} for c, n in zip(cursors, nodes, strict=True)],
        "nodes": nodes,
        "pageInfo": {
            "hasNextPage": has_next,
            "hasPreviousPage": has_previous,
            "startCursor": cursors[0] if cursors else None,
            "endCursor": cursors[-1] if cursors else None,
        },
    }


def paginate_list(records: Sequence[Record], args: dict[str, Any]) -> dict[str, Any]:
    """A nested connection (line items, variants, addresses), in creation order."""
    keys = [(r["_n"], r["_n"]) for r in records]
    return paginate(keys, records, args)


def count(n: int, limit: int | None = None) -> dict[str, Any]:
    """A `Count`: above `limit` (null: none), Shopify answers the limit itself, AT_LEAST."""
    if limit is not None and n > limit:
        return {"count": limit, "precision": "AT_LEAST"}
    return {"count": n, "precision": "EXACT"}
