"""Deleted objects as records (from Shopify's destroy events), merged by time into a window's records,
without those an earlier run already emitted in the bookmark's second."""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable, Iterator
from functools import partial
from typing import Any

from singer_sdk.exceptions import InvalidStreamSortException

from shopify_admin import ShopifyAdminClient
from shopify_admin.bulk import gid_number
from shopify_admin.cost import MAX_PAGE
from shopify_admin.paging import PAGE_INFO, pages

from .windows import search

LAST_ID_AT_BOOKMARK = "last_id_at_bookmark"  # stream state: the highest id emitted in the bookmark's second
IDS_AT_BOOKMARK = "ids_at_bookmark"  # the same as the list of those ids, as earlier versions wrote it
DESTROY_EVENTS = (
    "query DestroyEvents($first: Int!, $after: String, $query: String) {"
    " events(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {"
    f" nodes {{ ... on BasicEvent {{ subjectId createdAt }} }} {PAGE_INFO} }} }}"
)


def destroyed(client: ShopifyAdminClient, subject: str, start: str | None, end: str) -> deque[dict[str, Any]]:
    """Records for the objects of `subject` (e.g. `CUSTOMER`) destroyed in the window, in time order."""
    found = f"subject_type:{subject} AND action:destroy AND " + search("created_at", start, end)
    return deque(
        {"id": e["subjectId"], "updatedAt": e["createdAt"], "_sdc_deleted_at": e["createdAt"]}
        for page in pages(client, DESTROY_EVENTS, {"first": MAX_PAGE, "query": found}, ("events",))
        for e in page["nodes"]
    )


def position(record: dict[str, Any], key: str = "updatedAt") -> tuple[str, int]:
    """Where a record comes in Shopify's own order: (its `key`, id); its cursors carry the last id."""
    return record[key], gid_number(record["id"]) or 0


def forget_ids_at_bookmark(state: dict[str, Any]) -> None:
    state.pop(IDS_AT_BOOKMARK, None)
    state.pop(LAST_ID_AT_BOOKMARK, None)


def merged_after_bookmark(
    stream: str,
    records: Iterable[dict[str, Any]],
    deleted: Iterable[dict[str, Any]],
    state: dict[str, Any],
    *,
    deletable: bool,
    in_order: bool = True,
    key: str = "updatedAt",
) -> Iterator[dict[str, Any]]:
    """Records and deletions in (updatedAt, id) order, without those an earlier run already emitted in
    the bookmark's second: those up to the id in the state (the window starts at that second so that
    none of its records is lost; it was over before that run began, so they cannot have changed since).
    One id, however many objects share the second, keeps the state small. A `deletable` stream's
    records carry `_sdc_deleted_at`; records that come `in_order` (of the replication key `key`) are checked to."""
    bookmark = state.get("replication_key_value")
    last = state.get(LAST_ID_AT_BOOKMARK)
    already = set(state.get(IDS_AT_BOOKMARK) or ())
    previous: tuple[str, int] | None = None
    at_key = partial(position, key=key)
    for record in heapq.merge(records, sorted(deleted, key=at_key), key=at_key):
        at = at_key(record)
        if in_order and previous is not None and at < previous:
            raise InvalidStreamSortException(f"{stream}: {record['id']} came after {previous}")
        previous = at
        if record[key] == bookmark and (record["id"] in already or at[1] <= (last or 0)):
            continue
        if record[key] != bookmark:
            state.pop(IDS_AT_BOOKMARK, None)
        # set before the SDK moves the bookmark to this record, so written state stays consistent
        state[LAST_ID_AT_BOOKMARK] = at[1]
        if deletable and "_sdc_deleted_at" not in record:
            record["_sdc_deleted_at"] = None
        yield record
