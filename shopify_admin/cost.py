"""Shopify's calculated query cost: the points a document is charged before it runs (requested) and
after (actual), and the plans' cost budgets.

The rule, fitted to the real answers in the captures (tests/conformance/test_cost_model.py says how closely):
- a scalar or an enum costs 0, an object 1; a few types are free (page info, money, weights) and a few
  fields have a cost of their own (FIELD_COSTS);
- a connection costs 2 plus ⌊2·ln(max(2, first))⌋ items, an item being 1 plus what it selects;
  `edges { node }` and `nodes` are each priced;
- fragments are priced against their own type; a field of an abstract type costs as much as its
  costliest possible type;
- a `…Count` root costs 10, and introspection is priced like any object;
- a mutation field costs 10, or for productSet/productCreate/productUpdate 10 plus a share per
  variant, file and metafield of its input (Shopify's 2025-10 dynamic cost), plus what its payload's
  objects select under them.
The actual cost is the same walk over the answer, never above the requested cost:
- a connection that returned n of its `first` items is charged 2 plus that share of its requested
  items' points, ⌈multiplier · item · n / first⌉ (for none, 2 plus the multiplier when it selects
  `nodes`, 2 when only `edges`);
- an object that answered null is still charged its point (a root too), one the answer leaves out
  (a fragment of another type) nothing;
- a root list (`nodes(ids:)`) that returned objects is charged a point more.

What that costs in time: objects read by requests come at the pace the budget pays for or the round
trips allow, whichever is slower (`requests_rate`); a bulk operation takes a fixed start plus its
objects at Shopify's export rate (`bulk_seconds`). The tap weighs paging against a bulk query with
these, the target lookups against an export of the shop.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache, lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    OperationDefinitionNode,
    OperationType,
    SchemaMetaFieldDef,
    SelectionSetNode,
    TypeMetaFieldDef,
    get_named_type,
    is_abstract_type,
    is_composite_type,
    parse,
)
from graphql.execution.values import get_argument_values

from .schema import admin_schema

MAX_QUERY_COST = 1000  # Shopify refuses a document that requests more
MAX_PAGE = 250  # the largest `first` Shopify serves
MUTATION_COST = 10
COUNT_ROOT_COST = 10
FREE_TYPES = frozenset({"PageInfo", "MoneyV2", "MoneyBag"})
FIELD_COSTS: dict[tuple[str, str], int] = {
    # the captures charge nothing for these objects …
    ("Customer", "defaultAddress"): 0,
    ("Customer", "addresses"): 0,
    ("Customer", "emailMarketingConsent"): 0,
    ("Customer", "smsMarketingConsent"): 0,
    ("Location", "address"): 0,
    ("InventoryItem", "measurement"): 0,
    ("InventoryItemMeasurement", "weight"): 0,
    # … a point for this scalar …
    ("Location", "hasUnfulfilledOrders"): 1,
    # … for this count, a search like the `…Count` roots, their price (other nested counts cost 1) …
    ("Publication", "includedProductsCount"): COUNT_ROOT_COST,
    # … and 5 points for a store credit account's balance
    ("StoreCreditAccount", "balance"): 5,
}
# Shopify's dynamic mutation costs (changelog 2025-10): points per item of the input, by where it is
PRODUCT_INPUT_SHARES = {
    "variants": 0.2,
    "variant_files": 0.6,
    "variant_metafields": 0.4,
    "metafields": 0.4,
    "files": 1.9,
}

BULK_START_SECONDS = 10.0  # starting a bulk operation, the polls until it is done, the download
BULK_OBJECTS_PER_SECOND = 2000.0  # how fast Shopify exports a connection's objects (children included)

# restore rate (points/s), bucket size (points)
PLANS: dict[str, tuple[float, float]] = {
    "standard": (100, 2000),
    "advanced": (200, 4000),
    "plus": (1000, 20000),
    "enterprise": (2000, 40000),
}

_REQUESTED = object()  # walking the document alone, not an answer
_ABSENT = object()  # a field the answer does not hold (a fragment of another type)


def is_connection(type_: Any) -> bool:
    """By name: every `…Connection` of Shopify's schema is one, and the served subset may leave out the
    `pageInfo` that would otherwise tell."""
    return isinstance(type_, GraphQLObjectType) and type_.name.endswith("Connection")


def connection_multiplier(size: int) -> int:
    """How many items a connection of `size` is charged for."""
    return math.floor(2 * math.log(max(2, size)))


class QueryCost:
    """The cost of one document with its variables, against `schema` (the real one, or a subset of it)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        document: DocumentNode,
        variables: dict[str, Any] | None = None,
        operation: OperationDefinitionNode | None = None,
    ):
        self.schema = schema
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.variables = variables or {}
        self.operation = operation or next(d for d in document.definitions if isinstance(d, OperationDefinitionNode))
        self._requested: int | None = None

    def requested(self) -> int:
        """The cost asked for, walked once: the emulator prices each request, then charges its answer."""
        if self._requested is None:
            self._requested = self._operation(_REQUESTED)
        return self._requested

    def actual(self, data: dict[str, Any] | None) -> int:
        """What an answer with this `data` is charged: its requested cost less what it did not return."""
        return min(self.requested(), self._operation(data or {}))

    def _operation(self, data: Any) -> int:
        mutation = self.operation.operation == OperationType.MUTATION
        root = self.schema.mutation_type if mutation else self.schema.query_type
        assert root is not None
        total = 0
        for node in self._root_fields(self.operation.selection_set):
            name = node.name.value
            if name not in root.fields:
                continue
            value = _REQUESTED if data is _REQUESTED else data.get((node.alias or node.name).value)
            if mutation:
                total += self._mutation_field(root, node, value)
            elif name.endswith("Count"):
                total += COUNT_ROOT_COST
            else:
                total += max(1, self._field(root, node, value)) if value is None else self._field(root, node, value)
        return total

    def _root_fields(self, selection_set: SelectionSetNode) -> list[FieldNode]:
        found: list[FieldNode] = []
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                found.append(sel)
            else:
                fragment = self.fragments.get(sel.name.value) if isinstance(sel, FragmentSpreadNode) else sel
                if fragment is not None:
                    found += self._root_fields(fragment.selection_set)  # type: ignore[union-attr]
        return found

    def _mutation_field(self, root: GraphQLObjectType, node: FieldNode, value: Any) -> int:
        field_def = root.fields[node.name.value]
        total = self._mutation_base(node, field_def)
        payload = get_named_type(field_def.type)
        if node.selection_set is None or value is None or not isinstance(payload, GraphQLObjectType):
            return total
        # the objects directly in the payload (the resource, userErrors) charge only what is under them
        for parent, sub in self._fields(payload, node.selection_set):
            cost = self._field(parent, sub, _child(value, sub))
            named = get_named_type(parent.fields[sub.name.value].type) if sub.name.value in parent.fields else None
            total += max(0, cost - 1) if cost and named is not None and not is_connection(named) else cost
        return total

    def _mutation_base(self, node: FieldNode, field_def: Any) -> int:
        name = node.name.value
        if name not in ("productSet", "productCreate", "productUpdate"):
            return MUTATION_COST
        args = get_argument_values(field_def, node, self.variables)
        product = args.get("input") or args.get("product") or {}
        variants = product.get("variants") or []
        counts = {
            "variants": len(variants),
            "variant_files": sum(1 for v in variants if v.get("file")),
            "variant_metafields": sum(len(v.get("metafields") or []) for v in variants),
            "metafields": len(product.get("metafields") or []),
            "files": len(product.get("files") or []) + len(args.get("media") or []),
        }
        return MUTATION_COST + int(sum(PRODUCT_INPUT_SHARES[k] * n for k, n in counts.items()) + 0.5)

    def _fields(self, parent: Any, selection_set: SelectionSetNode) -> list[tuple[Any, FieldNode]]:
        """(parent type, field) pairs of a selection, fragments flattened."""
        found: list[tuple[Any, FieldNode]] = []
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                found.append((parent, sel))
                continue
            fragment: Any = self.fragments.get(sel.name.value) if isinstance(sel, FragmentSpreadNode) else sel
            if fragment is None:
                continue
            condition = fragment.type_condition
            found += self._fields(
                self.schema.get_type(condition.name.value) if condition else parent, fragment.selection_set
            )
        return found

    def _selection(self, parent: Any, selection_set: SelectionSetNode, data: Any) -> int:
        """The fields selected on `parent`, plus the fragments of its costliest possible type."""
        common = 0
        branches: list[tuple[Any, int]] = []
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                common += self._field(parent, sel, _child(data, sel))
                continue
            fragment: Any = self.fragments.get(sel.name.value) if isinstance(sel, FragmentSpreadNode) else sel
            if fragment is None:
                continue
            condition = fragment.type_condition
            branch = self.schema.get_type(condition.name.value) if condition else parent
            if branch is not None:
                branches.append((branch, self._selection(branch, fragment.selection_set, data)))
        if not branches:
            return common
        possible = self.schema.get_possible_types(parent) if is_abstract_type(parent) else [parent]
        return common + max(
            (sum(cost for branch, cost in branches if self._applies(branch, concrete)) for concrete in possible),
            default=0,
        )

    def _applies(self, branch: Any, concrete: Any) -> bool:
        return branch.name == concrete.name or (is_abstract_type(branch) and self.schema.is_sub_type(branch, concrete))

    def _field(self, parent: Any, node: FieldNode, data: Any) -> int:
        name = node.name.value
        if name in ("__type", "__schema"):
            field_def = TypeMetaFieldDef if name == "__type" else SchemaMetaFieldDef
        elif name.startswith("__") or name not in getattr(parent, "fields", {}):
            return 0
        else:
            field_def = parent.fields[name]
        named = get_named_type(field_def.type)
        own = FIELD_COSTS.get((parent.name, name))
        if not is_composite_type(named) or node.selection_set is None:
            return own or 0
        if data is _ABSENT:
            return 0
        own = (0 if named.name in FREE_TYPES else 1) if own is None else own
        if data is None:  # resolved, found nothing: the captures still charge the object
            return own
        if is_connection(named):
            return self._connection(named, node, field_def, data)
        if isinstance(data, list):
            # a root list (`nodes(ids:)`) is charged a point more for what it returned
            returned = 1 if parent is self.schema.query_type and any(item is not None for item in data) else 0
            return own + returned + max((self._selection(named, node.selection_set, item) for item in data), default=0)
        return own + self._selection(named, node.selection_set, data)

    def _connection(self, connection: Any, node: FieldNode, field_def: Any, data: Any) -> int:
        """2 plus the items charged, each priced as 1 plus its selection (`nodes` and `edges` each).
        Requested: `first` items. Actual: the share of that charge the items returned make of `first`."""
        assert node.selection_set is not None
        args = get_argument_values(field_def, node, self.variables)
        size = args.get("first") or args.get("last") or 0
        per_item, returned, by_nodes = 0, 0, False
        for parent, sub in self._fields(connection, node.selection_set):
            if sub.selection_set is None or sub.name.value not in ("nodes", "edges"):
                continue
            by_nodes = by_nodes or sub.name.value == "nodes"
            items = _child(data, sub)
            if data is not _REQUESTED and not isinstance(items, list):
                items = []
            if sub.name.value == "edges":
                edge = get_named_type(parent.fields["edges"].type)
                for _, inner in self._fields(edge, sub.selection_set):
                    if inner.name.value == "node" and inner.selection_set is not None:
                        nodes = items if data is _REQUESTED else [e.get("node") for e in items if e]
                        per_item += self._items(edge.fields["node"].type, inner.selection_set, nodes)
            else:
                per_item += self._items(parent.fields["nodes"].type, sub.selection_set, items)
            if data is not _REQUESTED:
                returned = max(returned, len(items))
        if data is _REQUESTED:
            return 2 + connection_multiplier(size) * per_item
        multiplier = connection_multiplier(size)
        if not returned:  # the captures charge an empty `nodes` as `first` items of a point, empty `edges` nothing
            return 2 + (multiplier if by_nodes else 0)
        # the points of `first` items, in proportion to the items returned
        return 2 + math.ceil(multiplier * per_item * returned / max(size, 1))

    def _items(self, item_type: Any, selection_set: SelectionSetNode, items: Any) -> int:
        named = get_named_type(item_type)
        if items is _REQUESTED:
            return 1 + self._selection(named, selection_set, _REQUESTED)
        return max((1 + self._selection(named, selection_set, item) for item in items or () if item), default=0)


def _child(data: Any, node: FieldNode) -> Any:
    if data is _REQUESTED:
        return _REQUESTED
    return data.get((node.alias or node.name).value, _ABSENT) if isinstance(data, dict) else _ABSENT


@lru_cache(maxsize=1024)
def parsed(query: str) -> DocumentNode:
    """The document, parsed once however often it is sent."""
    return parse(query)


def requested_cost(query: str, variables: dict[str, Any] | None = None) -> int:
    """Shopify's requested cost of a document this project sends, priced against the schema it speaks."""
    return QueryCost(admin_schema(), parsed(query), variables).requested()


def largest_within(cost_of: Callable[[int], int], upper: int = MAX_PAGE, limit: int = MAX_QUERY_COST) -> int:
    """The largest n in 1…upper whose `cost_of(n)` stays within `limit` (1 when none does); costs grow with n.
    Pricing n aliased lookups parses a document of n lookups, and every process of the target prices several:
    the search first tries where the cost would reach the limit if it kept growing by its first step (aliased
    lookups add up), which settles it in four prices where bisecting takes eight, then bisects what is left."""
    price = cache(cost_of)
    low, high = 1, upper  # the answer lies in low…high

    def narrow(n: int) -> None:
        nonlocal low, high
        if price(n) <= limit:
            low = n
        else:
            high = n - 1

    if upper > 1:
        step = price(2) - price(1)
        guess = upper if step <= 0 else min(upper, 2 + (limit - price(2)) // step)
        for n in (2, guess, guess + 1):
            if low < n <= high:
                narrow(n)
    while low < high:
        narrow((low + high + 1) // 2)
    return low


def budget_rate(restore_rate: float, per_request: int, cost: int) -> float:
    """Objects a second that the restore rate pays for, by requests of `per_request` objects at `cost` points."""
    return restore_rate * per_request / cost


def requests_rate(*, restore_rate: float, per_request: int, cost: int, concurrency: int, round_trip: float) -> float:
    """Objects a second read by requests of `per_request` objects at `cost` points: what the budget pays
    for, or what `concurrency` requests in flight deliver at one `round_trip` each, whichever is less."""
    by_latency = concurrency * per_request / max(round_trip, 0.01)
    return min(budget_rate(restore_rate, per_request, cost), by_latency)


def bulk_seconds(objects: int) -> float:
    """How long a bulk operation over `objects` objects (children included) takes, start to download."""
    return BULK_START_SECONDS + objects / BULK_OBJECTS_PER_SECOND
