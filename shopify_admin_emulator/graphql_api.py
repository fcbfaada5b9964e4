"""The GraphQL endpoint: schema, resolver registry, validation, cost, throttling, execution."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
    build_schema,
    execute_sync,
    get_directive_values,
    parse,
    validate,
)

from shopify_admin.cost import MAX_QUERY_COST, QueryCost
from shopify_admin.schema import SCHEMA_PATH

from . import domains
from .bucket import Bucket
from .scopes import access_denied, required_scope
from .store import Store
from .variables import invalid_variables

# Far above any real document, far below what fragments that each spread the next twice expand to
# (2^30 fields at 30 levels): pricing those field by field would take hours.
MAX_EXPANDED_FIELDS = 20_000

Resolver = Callable[..., Any]
RESOLVERS: dict[tuple[str, str], Resolver] = {}


def resolves(path: str) -> Callable[[Resolver], Resolver]:
    """Register a resolver for `Type.field`; arguments arrive as keyword arguments."""
    type_name, field_name = path.split(".")

    def register(fn: Resolver) -> Resolver:
        RESOLVERS[(type_name, field_name)] = fn
        return fn

    return register


@dataclass
class Context:
    """What every resolver gets as `info.context`."""

    store: Store
    base_url: str
    emulator: Any  # the Emulator, for bulk operations and staged uploads
    search_warnings: list[dict[str, Any]] = field(default_factory=list)
    idempotency_key: str | None = None  # the running mutation's `@idempotent(key:)`


@cache
def load_schema() -> GraphQLSchema:
    """The schema with the resolvers attached, built once per process: the resolvers find the emulator
    and its store in `info.context`, so every emulator serves the same schema (tests start hundreds)."""
    domains.register_resolvers()

    schema = build_schema(SCHEMA_PATH.read_text())
    for (type_name, field_name), fn in RESOLVERS.items():
        graphql_type: Any = schema.get_type(type_name)
        if graphql_type is None or field_name not in graphql_type.fields:
            raise RuntimeError(f"resolver for {type_name}.{field_name}, which the schema does not serve")
        adapted = _adapt(fn, required_scope(type_name, field_name))
        graphql_type.fields[field_name].resolve = _with_idempotency_key(adapted) if type_name == "Mutation" else adapted
    for graphql_type in schema.type_map.values():
        if hasattr(graphql_type, "resolve_type"):
            graphql_type.resolve_type = lambda obj, _info, _type: obj["__typename"]
    return schema


def _adapt(fn: Resolver, scope: str | None) -> Resolver:
    def resolve(obj: Any, info: Any, **kwargs: Any) -> Any:
        if scope is not None and scope not in info.context.emulator.config.scopes:
            raise access_denied(info.field_name, scope)
        return fn(obj, info.context, **kwargs)

    return resolve


def _with_idempotency_key(resolve: Resolver) -> Resolver:
    """Hand the mutation field's `@idempotent(key:)` to its resolver through the context."""

    def with_key(obj: Any, info: Any, **kwargs: Any) -> Any:
        directive = info.schema.get_directive("idempotent")
        given = get_directive_values(directive, info.field_nodes[0], info.variable_values) if directive else None
        info.context.idempotency_key = given["key"] if given else None
        return resolve(obj, info, **kwargs)

    return with_key


_UNDEFINED_FIELD = re.compile(r"Cannot query field '(\w+)' on type '(\w+)'\.")


def shopify_validation_error(error: GraphQLError, document: DocumentNode) -> dict[str, Any]:
    """graphql-core's validation messages, reworded the way Shopify (graphql-ruby) words them."""
    out: dict[str, Any] = {"message": error.message}
    if error.locations:
        out["locations"] = [{"line": loc.line, "column": loc.column} for loc in error.locations]
    match = _UNDEFINED_FIELD.match(error.message)
    if match:
        field_name, type_name = match.groups()
        out["message"] = f"Field '{field_name}' doesn't exist on type '{type_name}'"
        if error.nodes:
            out["path"] = _static_path(document, error.nodes[0])
        out["extensions"] = {"code": "undefinedField", "typeName": type_name, "fieldName": field_name}
    return out


def _static_path(document: DocumentNode, target: Node) -> list[str]:
    """graphql-ruby's path to a node in the document: `"query Name"` (or `"fragment Name"`), then the
    response keys and `"... on Type"` of the selections leading to it."""

    def walk(selection_set: SelectionSetNode | None, path: list[str]) -> list[str] | None:
        for sel in selection_set.selections if selection_set else ():
            if isinstance(sel, FieldNode):
                step = (sel.alias or sel.name).value
            elif isinstance(sel, InlineFragmentNode):
                step = f"... on {sel.type_condition.name.value}" if sel.type_condition else "..."
            else:
                continue
            if sel is target:
                return [*path, step]
            found = walk(getattr(sel, "selection_set", None), [*path, step])
            if found:
                return found
        return None

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode):
            label = definition.operation.value + (f" {definition.name.value}" if definition.name else "")
        elif isinstance(definition, FragmentDefinitionNode):
            label = f"fragment {definition.name.value}"
        else:
            continue
        found = walk(definition.selection_set, [label])
        if found:
            return found
    return []


@dataclass
class Prepared:
    document: DocumentNode
    errors: list[GraphQLError]


class GraphQLApi:
    def __init__(self, store: Store, emulator: Any) -> None:
        self.store = store
        self.emulator = emulator
        self.schema = load_schema()
        self._documents: OrderedDict[str, Prepared] = OrderedDict()

    def prepare(self, query: str) -> Prepared:
        """Parse and validate once per distinct document: clients resend the same few."""
        hit = self._documents.get(query)
        if hit is not None:
            self._documents.move_to_end(query)
            return hit
        try:
            document = parse(query)
        except GraphQLError as exc:
            return Prepared(DocumentNode(definitions=()), [exc])
        prepared = Prepared(document, list(validate(self.schema, document)))
        self._documents[query] = prepared
        if len(self._documents) > 512:
            self._documents.popitem(last=False)
        return prepared

    def documents(self) -> list[str]:
        """The distinct documents received lately (for tests that check what clients send)."""
        return list(self._documents)

    def run(
        self, body: dict[str, Any], bucket: Bucket, base_url: str, force_throttle: bool = False
    ) -> tuple[dict[str, Any], str | None, int, int | None, bool]:
        """(response, operation name, requested cost, actual cost, throttled). `force_throttle` answers
        THROTTLED once the document is priced, whatever the bucket holds."""
        query = body.get("query")
        if not isinstance(query, str) or not query.strip():
            return {"errors": [{"message": "No query string was present"}]}, None, 0, None, False
        variables = body.get("variables") or {}
        op_name = body.get("operationName")
        prepared = self.prepare(query)
        operation = _operation(prepared.document, op_name)
        name = (operation.name.value if operation and operation.name else None) or _first_field(operation)
        if prepared.errors:
            errors = [shopify_validation_error(e, prepared.document) for e in prepared.errors]
            return {"errors": errors}, name, 0, None, False
        if operation is None:
            return {"errors": [{"message": "An operation name is required"}]}, name, 0, None, False
        invalid = invalid_variables(self.schema, operation, variables) if isinstance(variables, dict) else []
        if invalid:  # refused before it is priced: Shopify's answer carries no cost
            return {"errors": invalid}, name, 0, None, False
        fragments = {d.name.value: d for d in prepared.document.definitions if isinstance(d, FragmentDefinitionNode)}
        size = expanded_fields(operation.selection_set, fragments, {})
        if size > MAX_EXPANDED_FIELDS:  # priced by its size, a point a field, before it is walked
            return _max_cost_exceeded(size), name, size, None, False
        cost = QueryCost(self.schema, prepared.document, variables, operation)
        try:
            requested = cost.requested()
        except GraphQLError:  # bad variables: let execution report them
            requested = 0
        if requested > MAX_QUERY_COST:
            return _max_cost_exceeded(requested), name, requested, None, False
        if force_throttle or not bucket.take(requested):
            return _throttled(requested, bucket), name, requested, None, True
        context = Context(self.store, base_url, self.emulator)
        with self.store.lock:
            self.store.run_due()
            result = execute_sync(
                self.schema,
                prepared.document,
                context_value=context,
                variable_values=variables,
                operation_name=op_name,
            )
        own = own_exceptions(result.errors or [])
        if own:
            return self.emulator.internal_errors.answer(own), name, requested, requested, False
        response: dict[str, Any] = {}
        if result.errors:
            response["errors"] = [e.formatted for e in result.errors]
        response["data"] = result.data
        actual = requested if result.data is None or not requested else cost.actual(result.data)
        bucket.give_back(requested - actual)
        response["extensions"] = {
            "cost": {"requestedQueryCost": requested, "actualQueryCost": actual, "throttleStatus": bucket.status()}
        }
        if context.search_warnings:
            response["extensions"]["search"] = context.search_warnings
        return response, name, requested, actual, False


def own_exceptions(errors: list[GraphQLError]) -> list[BaseException]:
    """The emulator's own exceptions behind execution errors. graphql-core wraps what a resolver raises
    into a GraphQLError with a path and the exception as `original_error`; the errors that model Shopify's
    are GraphQLErrors themselves (raised by resolvers with Shopify's code, or graphql-core's own)."""
    return [
        e.original_error
        for e in errors
        if e.path is not None and e.original_error is not None and not isinstance(e.original_error, GraphQLError)
    ]


def expanded_fields(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode], sizes: dict[str, int]
) -> int:
    """How many fields the selection holds once every fragment is spread; each fragment is counted once
    and its size kept in `sizes`, so that the count takes time in the document's length, not its expansion.
    (Validation has already refused fragment cycles.)"""
    total = 0
    for sel in selection_set.selections if selection_set else ():
        if isinstance(sel, FragmentSpreadNode):
            name = sel.name.value
            if name not in sizes:
                fragment = fragments.get(name)
                sizes[name] = expanded_fields(fragment.selection_set, fragments, sizes) if fragment else 0
            total += sizes[name]
        elif isinstance(sel, FieldNode | InlineFragmentNode):
            total += isinstance(sel, FieldNode) + expanded_fields(sel.selection_set, fragments, sizes)
    return total


def _operation(document: DocumentNode, name: str | None) -> OperationDefinitionNode | None:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if name:
        return next((o for o in ops if o.name and o.name.value == name), None)
    return ops[0] if len(ops) == 1 else None


def _first_field(operation: OperationDefinitionNode | None) -> str | None:
    if operation is None:
        return None
    for sel in operation.selection_set.selections:
        field_name = getattr(sel, "name", None)
        if field_name is not None:
            return str(field_name.value)
    return None


def _throttled(requested: int, bucket: Bucket) -> dict[str, Any]:
    return {
        "errors": [
            {
                "message": "Throttled",
                "extensions": {"code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"},
            }
        ],
        "extensions": {
            "cost": {"requestedQueryCost": requested, "actualQueryCost": None, "throttleStatus": bucket.status()}
        },
    }


def _max_cost_exceeded(requested: int) -> dict[str, Any]:
    return {
        "errors": [
            {
                "message": (
                    f"Query cost is {requested}, which exceeds the single query max cost limit ({MAX_QUERY_COST}).\n\n"
                    "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
                    "cost of a query is calculated.\n\n"
                    "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n"
                    "See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n"
                ),
                "extensions": {
                    "code": "MAX_COST_EXCEEDED",
                    "cost": requested,
                    "maxCost": MAX_QUERY_COST,
                    "documentation": "https://shopify.dev/api/usage/rate-limits",
                },
            }
        ]
    }
