"""Shopify's calculated query cost and the leaky bucket it is charged to.

Requested cost is computed from the document before it runs: a scalar or enum costs 0, an
object 1 (money objects 0), a connection 2 plus `first`/`last` times the cost of one node, a
mutation field 10, its payload and the objects directly in it (the resource, userErrors) included.
Actual cost is the same walk over what came back, so unused page slots are refunded.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    is_composite_type,
)
from graphql.execution.values import get_argument_values

MUTATION_COST = 10
FREE_OBJECTS = {"MoneyV2", "MoneyBag"}  # captured costs charge nothing for them
MAX_QUERY_COST = 1000

# restore rate (points/s), bucket size
PLANS: dict[str, tuple[float, float]] = {
    "standard": (100, 2000),
    "advanced": (200, 4000),
    "plus": (1000, 20000),
    "enterprise": (2000, 40000),
    "unlimited": (1_000_000, 1_000_000),
}


def _is_connection(type_: Any) -> bool:
    return isinstance(type_, GraphQLObjectType) and type_.name.endswith("Connection") and "pageInfo" in type_.fields


class CostCalculator:
    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode], variables: dict[str, Any]):
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def operation(self, op: OperationDefinitionNode, data: Any = None, actual: bool = False) -> int:
        root = self.schema.mutation_type if op.operation == OperationType.MUTATION else self.schema.query_type
        assert root is not None
        if op.operation != OperationType.MUTATION:
            return self._selection(root, op.selection_set, data, actual)
        total = 0
        for node, result in self._fields(root, op.selection_set, data, actual):
            total += MUTATION_COST
            payload = get_named_type(root.fields[node.name.value].type) if node.name.value in root.fields else None
            if node.selection_set is None or payload is None or (actual and result is None):
                continue
            for sub, sub_result in self._fields(payload, node.selection_set, result, actual):
                total += self._field(payload, sub, sub_result, actual, free=True)
        return total

    def _fields(self, parent: Any, selection_set: SelectionSetNode, data: Any, actual: bool):
        """(field node, its result) pairs, fragments flattened; results only when `actual`."""
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                key = (sel.alias or sel.name).value
                yield sel, (data.get(key) if actual and isinstance(data, dict) else None)
            else:
                if isinstance(sel, FragmentSpreadNode):
                    frag: Any = self.fragments.get(sel.name.value)
                    if frag is None:
                        continue
                else:
                    assert isinstance(sel, InlineFragmentNode)
                    frag = sel
                cond = frag.type_condition
                target = self.schema.get_type(cond.name.value) if cond else parent
                yield from self._fields(target, frag.selection_set, data, actual)

    def _field(self, parent: Any, node: FieldNode, result: Any, actual: bool, free: bool = False) -> int:
        """The field's cost; `free`: an object (not a connection) charges only for what is under it."""
        name = node.name.value
        if name.startswith("__") or not hasattr(parent, "fields") or name not in parent.fields:
            return 0
        field_def = parent.fields[name]
        named = get_named_type(field_def.type)
        if not is_composite_type(named) or node.selection_set is None:
            return 0
        if actual and result is None:
            return 0
        if _is_connection(named):
            assert isinstance(named, GraphQLObjectType)
            return 2 + self._connection(named, node, field_def, result, actual)
        own = 0 if free or named.name in FREE_OBJECTS else 1
        if actual and isinstance(result, list):
            if not result:
                return 0
            return own + max(self._selection(named, node.selection_set, item, actual) for item in result)
        return own + self._selection(named, node.selection_set, result, actual)

    def _connection(self, conn: GraphQLObjectType, node: FieldNode, field_def: Any, result: Any, actual: bool) -> int:
        per_node = 0
        node_type = get_named_type(conn.fields["nodes"].type) if "nodes" in conn.fields else None
        items: list[Any] = []
        for sub, sub_result in self._fields(conn, node.selection_set, result, actual):  # type: ignore[arg-type]
            if sub.name.value == "nodes" and sub.selection_set:
                per_node = max(per_node, 1 + self._selection(node_type, sub.selection_set, None, False))
                items = sub_result or items
            elif sub.name.value == "edges" and sub.selection_set:
                edge_type = get_named_type(conn.fields["edges"].type)
                for inner, _ in self._fields(edge_type, sub.selection_set, None, False):
                    if inner.name.value == "node" and inner.selection_set:
                        per_node = max(per_node, 1 + self._selection(node_type, inner.selection_set, None, False))
                if sub_result:
                    items = [edge.get("node") for edge in sub_result]
        if actual:
            return sum(
                1 + self._selection(node_type, self._node_selection(conn, node), item, True) for item in items if item
            )
        args = get_argument_values(field_def, node, self.variables)
        size = args.get("first") or args.get("last") or 0
        return int(size) * per_node

    def _node_selection(self, conn: GraphQLObjectType, node: FieldNode) -> SelectionSetNode:
        for sub, _ in self._fields(conn, node.selection_set, None, False):  # type: ignore[arg-type]
            if sub.name.value == "nodes" and sub.selection_set:
                return sub.selection_set
            if sub.name.value == "edges" and sub.selection_set:
                for inner, _ in self._fields(None, sub.selection_set, None, False):
                    if inner.name.value == "node" and inner.selection_set:
                        return inner.selection_set
        return SelectionSetNode(selections=())

    def _selection(self, parent: Any, selection_set: SelectionSetNode, data: Any, actual: bool) -> int:
        return sum(self._field(parent, n, r, actual) for n, r in self._fields(parent, selection_set, data, actual))


@dataclass
class Bucket:
    """Leaky bucket of cost points: drains at `restore_rate` toward `size`."""

    restore_rate: float
    size: float
    level: float = -1
    stamp: float = field(default_factory=time.monotonic)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.level < 0:
            self.level = self.size

    def _refill(self) -> None:
        now = time.monotonic()
        self.level = min(self.size, self.level + (now - self.stamp) * self.restore_rate)
        self.stamp = now

    def take(self, points: float) -> bool:
        with self.lock:
            self._refill()
            if points > self.level:
                return False
            self.level -= points
            return True

    def give_back(self, points: float) -> None:
        with self.lock:
            self._refill()
            self.level = min(self.size, self.level + points)

    def status(self) -> dict[str, Any]:
        with self.lock:
            self._refill()
            return {
                "maximumAvailable": int(self.size),
                "currentlyAvailable": int(self.level),
                "restoreRate": int(self.restore_rate),
            }
