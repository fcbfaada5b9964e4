"""Pieces shared by the domain resolvers: top-level connections, money, metafields, userErrors."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from .connections import count, paginate, paginate_list
from .graphql_api import Context, resolves
from .search import Filter, Search, field_values
from .store import Record, money, page_bounds, parse_gid


@dataclass(frozen=True)
class SortKey:
    read: Callable[[Record], Any]
    date_filter: str | None = None  # search field whose range narrows a scan in this order


BY_ID = SortKey(lambda r: r["_n"])
BY_UPDATED = SortKey(lambda r: r["updatedAt"], "updated_at")
BY_CREATED = SortKey(lambda r: r["createdAt"], "created_at")
COMMON_SORTS = {"ID": BY_ID, "UPDATED_AT": BY_UPDATED, "CREATED_AT": BY_CREATED}


def common_filters() -> dict[str, Filter]:
    return {
        "id": Filter("id", lambda r: r["_n"]),
        "updated_at": Filter("date", lambda r: r.get("updatedAt")),
        "created_at": Filter("date", lambda r: r.get("createdAt")),
    }


@dataclass(frozen=True)
class Resource:
    """A top-level, searchable, sortable collection: customers, products, orders, …"""

    type_name: str
    filters: dict[str, Filter]
    sorts: dict[str, SortKey]
    text_fields: tuple[str, ...] = ()
    visible: Callable[[Record], bool] | None = None
    indexed: tuple[str, ...] = ()  # text filters whose exact queries are answered from an index, not a scan

    def search(self, ctx: Context, query: str | None, path: str) -> Search:
        search = Search(query, self.filters, list(self.text_fields), ctx.store.timezone)
        if search.warnings:
            ctx.search_warnings.append({"path": [path], "query": query, "warnings": search.warnings})
        return search

    def connection(
        self, ctx: Context, path: str, args: dict[str, Any], only: Callable[[Record], bool] | None = None
    ) -> dict[str, Any]:
        sort_name = args.get("sortKey") or "ID"
        if sort_name not in self.sorts:
            sort_name = "ID"
        sort = self.sorts.get(sort_name, BY_ID)
        search = self.search(ctx, args.get("query"), path)
        among = self.candidates(ctx, search)
        if among is None:
            keys, records = ctx.store.table(self.type_name).ordered(sort_name, sort.read)
        else:
            records = sorted(among, key=lambda r: (sort.read(r), r["_n"]))
            keys = [(sort.read(r), r["_n"]) for r in records]
        lo, hi = page_bounds(keys, *search.bounds(sort.date_filter)) if sort.date_filter else (0, len(records))
        searched = (ctx.store.searchable, search.matches) if search.groups else ()
        checks = [c for c in (self.visible, only, *searched) if c is not None]
        match = (lambda r: all(c(r) for c in checks)) if checks else None
        return paginate(keys, records, args, match, lo, hi)

    def candidates(self, ctx: Context, search: Search) -> list[Record] | None:
        """The only records an exact query on an indexed field can match (`matches` and search lag still
        decide among them); None when any record may."""
        term = search.exact()
        if term is None or term.field not in self.indexed:
            return None
        read = self.filters[term.field].read
        index = ctx.store.table(self.type_name).derived(f"index {term.field}", partial(text_index, read))
        found: list[Record] = index.get(term.value.lower(), [])
        return found

    def count(self, ctx: Context, path: str, query: str | None, limit: int | None = None) -> dict[str, Any]:
        search = self.search(ctx, query, path)
        checks = [c for c in (self.visible, ctx.store.searchable, search.matches) if c is not None]
        return count(sum(1 for r in ctx.store.all(self.type_name) if all(c(r) for c in checks)), limit)


def text_index(read: Callable[[Record], Any], records: list[Record]) -> dict[str, list[Record]]:
    """Records by each value of a text field, lowercased as text search compares."""
    index: dict[str, list[Record]] = {}
    for record in records:
        for value in field_values(read, record):
            if value is not None:
                index.setdefault(str(value).lower(), []).append(record)
    return index


def money_bag(amount: Any, currency: str) -> dict[str, Any]:
    value = {"amount": money(amount), "currencyCode": currency}
    return {"shopMoney": value, "presentmentMoney": dict(value)}


def user_error(field: list[str] | None, message: str, code: str | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {"field": field, "message": message}
    if code is not None:
        error["code"] = code
    return error


def find(ctx: Context, global_id: str | None, type_name: str) -> Record | None:
    return ctx.store.node(global_id, type_name) if global_id else None


def numeric_id(global_id: str) -> int | None:
    parsed = parse_gid(global_id)
    return parsed[1] if parsed else None


# metafields, served the same way on every owner ---------------------------------------------------
def owner_metafields(
    owner: Record, ctx: Context, namespace: str | None = None, keys: list[str] | None = None, **args: Any
) -> dict[str, Any]:
    rows = [
        m
        for m in owner.get("_metafields", [])
        if (namespace is None or m["namespace"] == namespace)
        and (keys is None or f"{m['namespace']}.{m['key']}" in keys)
    ]
    return paginate_list(rows, args)


def owner_metafield(owner: Record, ctx: Context, key: str, namespace: str | None = None) -> Record | None:
    if namespace is None and "." in key:
        namespace, key = key.rsplit(".", 1)
    return next(
        (
            m
            for m in owner.get("_metafields", [])
            if m["key"] == key and (namespace is None or m["namespace"] == namespace)
        ),
        None,
    )


for _owner in ("Customer", "Product", "ProductVariant", "Order"):
    resolves(f"{_owner}.metafields")(owner_metafields)
    resolves(f"{_owner}.metafield")(owner_metafield)


# fields of things the emulator does not model (gift cards, media, duties, holds, disputes, …) ------
def constants(type_name: str, values: dict[str, Any]) -> None:
    """Serve each field of `type_name` as the same value on every object: what a shop without those
    features answers."""
    for name, value in values.items():
        resolves(f"{type_name}.{name}")(lambda _obj, _ctx, _value=value, **_args: _value)


def empty_connections(type_name: str, *names: str) -> None:
    for name in names:
        resolves(f"{type_name}.{name}")(lambda _obj, _ctx, **args: paginate_list((), args))
