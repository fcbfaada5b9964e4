"""Bulk operations: reads. Their volatile fields are read from the runner, which moves them on."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from ...graphql_api import Context, resolves
from ...resources import BY_CREATED, Resource, SortKey, common_filters
from ...search import Filter
from ...store import Record, parse_gid
from .runner import Runner

BULK_OPERATIONS = Resource(
    "BulkOperation",
    filters={
        **common_filters(),
        "status": Filter("text", lambda r: r["status"]),
        "operation_type": Filter("text", lambda r: r["type"]),
    },
    sorts={"CREATED_AT": BY_CREATED, "COMPLETED_AT": SortKey(lambda r: r.get("completedAt") or "")},
)
VOLATILE = ("status", "errorCode", "completedAt", "objectCount", "rootObjectCount", "fileSize", "url", "partialDataUrl")


def _refreshed_field(name: str):
    def resolve(op: Record, ctx: Context) -> Any:
        return Runner(ctx.emulator).refresh(op)[name]

    return resolve


for _name in VOLATILE:
    resolves(f"BulkOperation.{_name}")(_refreshed_field(_name))


@resolves("QueryRoot.bulkOperation")
def bulk_operation(_root: Any, ctx: Context, id: str) -> Record | None:
    parsed = parse_gid(id)
    if parsed is not None and parsed[0] != "BulkOperation":
        raise GraphQLError(f"Invalid id: {id}", extensions={"code": "RESOURCE_NOT_FOUND"})
    return ctx.store.node(id, "BulkOperation")


@resolves("QueryRoot.currentBulkOperation")
def current_bulk_operation(_root: Any, ctx: Context, type: str = "QUERY") -> Record | None:
    mine = [op for op in ctx.store.all("BulkOperation") if op["type"] == type]
    return max(mine, key=lambda op: op["_n"], default=None)


@resolves("QueryRoot.bulkOperations")
def bulk_operations(_root: Any, ctx: Context, **args: Any) -> dict[str, Any]:
    runner = Runner(ctx.emulator)
    for op in ctx.store.all("BulkOperation"):
        runner.refresh(op)  # `status:` filters see the current state
    return BULK_OPERATIONS.connection(ctx, "bulkOperations", args)
