"""Base streams: one Admin API connection read in `updatedAt` windows through the shared client,
with every nested connection drained, and child streams fed from their parent's records."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from graphql import (
    FieldNode,
    GraphQLObjectType,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    parse,
    print_ast,
)
from singer_sdk import Stream
from typing_extensions import override

from shopify_admin import AccessDeniedError
from shopify_admin_emulator.cost import MAX_QUERY_COST, CostCalculator

from .graphql_schema import admin_schema, nullable, record_schema

if TYPE_CHECKING:
    from shopify_admin import ShopifyAdminClient

    from .tap import TapShopifyAdmin

ALWAYS_SELECTED = {"id", "updatedAt"}
PAGE_INFO = "pageInfo { hasNextPage endCursor }"
MAX_PAGE = 250


def shopify_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _selection(fields: str) -> SelectionSetNode:
    return parse(f"{{ {fields} }}").definitions[0].selection_set  # type: ignore[attr-defined]


def _with_page_info(parent: Any, selection: SelectionSetNode) -> str:
    """The selection, with `pageInfo` added to every connection so that it can be drained."""
    parts = []
    for sel in selection.selections:
        assert isinstance(sel, FieldNode)
        text = print_ast(sel).split("{", 1)[0].strip()
        if sel.selection_set is None:
            parts.append(text)
            continue
        named = get_named_type(parent.fields[sel.name.value].type)
        if _is_connection(named):
            node_type = get_named_type(named.fields["nodes"].type)
            inner = _with_page_info(node_type, _nodes(sel.selection_set))
            parts.append(f"{text} {{ nodes {{ {inner} }} {PAGE_INFO} }}")
        else:
            parts.append(f"{text} {{ {_with_page_info(named, sel.selection_set)} }}")
    return " ".join(parts)


def _is_connection(named: Any) -> bool:
    return isinstance(named, GraphQLObjectType) and named.name.endswith("Connection") and "pageInfo" in named.fields


def _nodes(selection: SelectionSetNode) -> SelectionSetNode:
    for sel in selection.selections:
        if isinstance(sel, FieldNode) and sel.name.value == "nodes" and sel.selection_set:
            return sel.selection_set
    raise ValueError("a nested connection must select `nodes { … }`")


class ShopifyStream(Stream):
    """A stream whose records are Admin API objects of `graphql_type`, selected by `fields`."""

    graphql_type: ClassVar[str]
    fields: ClassVar[str]
    primary_keys: ClassVar[list[str]] = ["id"]  # type: ignore[misc]
    STATE_MSG_FREQUENCY = 100  # a run killed at any moment resumes with little to read again

    def __init__(self, tap: TapShopifyAdmin) -> None:
        super().__init__(tap, schema=record_schema(self.graphql_type, self.fields))
        self._tap_ref = tap

    @property
    def client(self) -> ShopifyAdminClient:
        return self._tap_ref.client

    def selected_fields(self) -> str:
        """The stream's selection without the top-level fields that neither the catalog nor a
        selected child stream needs, with `pageInfo` on every connection."""
        needed = ALWAYS_SELECTED | {
            child.parent_field for child in self.child_streams if isinstance(child, NestedStream) and child.selected
        }
        kept = tuple(
            sel
            for sel in _selection(self.fields).selections
            if isinstance(sel, FieldNode)
            and (sel.name.value in needed or self.mask.get(("properties", sel.name.value), True))
        )
        return _with_page_info(admin_schema().type_map[self.graphql_type], SelectionSetNode(selections=kept))

    def drain(self, record: dict[str, Any], type_name: str, selection: SelectionSetNode) -> dict[str, Any]:
        """Replace each nested connection by the full list of its nodes, fetching the pages after
        the first through `node(id:)`, so that nothing is cut off at `first: N`."""
        parent: Any = admin_schema().type_map[type_name]
        for sel in selection.selections:
            if not isinstance(sel, FieldNode) or sel.selection_set is None:
                continue
            key = (sel.alias or sel.name).value
            value = record.get(key)
            named: Any = get_named_type(parent.fields[sel.name.value].type)
            if value is None:
                continue
            if _is_connection(named):
                node_type = get_named_type(named.fields["nodes"].type).name
                node_selection = _nodes(sel.selection_set)
                nodes = list(value["nodes"])
                cursor = value["pageInfo"]["endCursor"] if value["pageInfo"]["hasNextPage"] else None
                while cursor:
                    more = self._next_nested_page(record["id"], type_name, sel, node_type, node_selection, cursor)
                    nodes += more["nodes"]
                    cursor = more["pageInfo"]["endCursor"] if more["pageInfo"]["hasNextPage"] else None
                record[key] = [self.drain(n, node_type, node_selection) for n in nodes]
            elif isinstance(value, list):
                record[key] = [self.drain(v, named.name, sel.selection_set) for v in value]
            elif isinstance(value, dict) and isinstance(named, GraphQLObjectType):
                record[key] = self.drain(value, named.name, sel.selection_set)
        return record

    def _next_nested_page(
        self,
        owner_id: str,
        owner_type: str,
        field: FieldNode,
        node_type: str,
        node_selection: SelectionSetNode,
        after: str,
    ) -> dict[str, Any]:
        fields = _with_page_info(admin_schema().type_map[node_type], node_selection)
        query = (
            f"query {self.graphql_type}Nested($id: ID!, $after: String) {{ node(id: $id) {{ ... on {owner_type} {{"
            f" {field.name.value}(first: {MAX_PAGE}, after: $after) {{ nodes {{ {fields} }} {PAGE_INFO} }} }} }} }}"
        )
        return self.client.execute(query, {"id": owner_id, "after": after})["node"][field.name.value]


class ConnectionStream(ShopifyStream):
    root_arguments: ClassVar[str] = ""  # e.g. `includeClosed: true`
    deleted_subject: ClassVar[str | None] = None  # the events subject_type whose destroys become records

    def __init__(self, tap: TapShopifyAdmin) -> None:
        super().__init__(tap)
        if self.deleted_subject:
            # a deleted object's record carries only its id, updatedAt and _sdc_deleted_at
            for name, prop in self.schema["properties"].items():
                if name not in ALWAYS_SELECTED:
                    self.schema["properties"][name] = nullable(prop)
            self.schema["properties"]["_sdc_deleted_at"] = {"type": ["string", "null"], "format": "date-time"}

    """A top-level connection (`customers`, `orders`, …) read in `updatedAt` order."""

    root: ClassVar[str]
    replication_key = "updatedAt"
    is_sorted = True

    def page_query(self) -> str:
        name = self.name.title().replace("_", "")
        return print_ast(
            parse(
                f"query {name}Page($first: Int!, $after: String, $query: String) {{"
                f" {self.root}(first: $first, after: $after, query: $query, sortKey: UPDATED_AT"
                f" {self.root_arguments}) {{"
                f" nodes {{ {self.selected_fields()} }} {PAGE_INFO} }} }}"
            )
        )

    def page_size(self, query: str) -> int:
        """The largest page whose requested cost stays within Shopify's 1000-point limit per query."""
        operation = parse(query).definitions[0]
        assert isinstance(operation, OperationDefinitionNode)

        def cost(first: int) -> int:
            return CostCalculator(admin_schema(), {}, {"first": first}).operation(operation)

        per_record = cost(2) - cost(1)
        fixed = cost(1) - per_record
        return max(1, min(MAX_PAGE, (MAX_QUERY_COST - fixed) // max(per_record, 1)))

    def bounds(self, context: Mapping[str, Any] | None) -> tuple[str | None, str]:
        """From the bookmark (inclusive, so records sharing the bookmark's second are read again
        rather than lost) to the sync's start at the latest (exclusive)."""
        start = self.get_starting_timestamp(context)
        end = min(self._tap_ref.sync_started, self._tap_ref.end_date or self._tap_ref.sync_started)
        return (shopify_time(start) if start else None), shopify_time(end)

    @staticmethod
    def search(field: str, start: str | None, end: str) -> str:
        return " AND ".join(([f"{field}:>='{start}'"] if start else []) + [f"{field}:<'{end}'"])

    def deletions(self, start: str | None, end: str) -> deque[dict[str, Any]]:
        """Records for the objects destroyed in the window, from Shopify's destroy events, in time order."""
        if self.deleted_subject is None:
            return deque()
        query = (
            "query DestroyEvents($first: Int!, $after: String, $query: String) {"
            " events(first: $first, after: $after, query: $query, sortKey: CREATED_AT) {"
            f" nodes {{ ... on BasicEvent {{ subjectId createdAt }} }} {PAGE_INFO} }} }}"
        )
        search = f"subject_type:{self.deleted_subject} AND action:destroy AND " + self.search("created_at", start, end)
        variables: dict[str, Any] = {"first": MAX_PAGE, "query": search, "after": None}
        found: deque[dict[str, Any]] = deque()
        while True:
            page = self.client.execute(query, variables)["events"]
            found.extend(
                {"id": e["subjectId"], "updatedAt": e["createdAt"], "_sdc_deleted_at": e["createdAt"]}
                for e in page["nodes"]
            )
            if not page["pageInfo"]["hasNextPage"]:
                return found
            variables["after"] = page["pageInfo"]["endCursor"]

    @override
    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        start, end = self.bounds(context)
        try:
            deleted = self.deletions(start, end)  # few; merged in by time so the stream stays sorted
            yield from self._merged(start, end, deleted)
        except AccessDeniedError as exc:
            self.logger.error("Skipping stream %s: %s", self.name, exc)

    def _merged(self, start: str | None, end: str, deleted: deque[dict[str, Any]]) -> Iterable[dict[str, Any]]:
        query = self.page_query()
        node_selection = _selection(self.selected_fields())
        search = self.search("updated_at", start, end)
        variables: dict[str, Any] = {"first": self.page_size(query), "query": search, "after": None}
        while True:
            page = self.client.execute(query, variables)[self.root]
            for node in page["nodes"]:
                while deleted and deleted[0]["updatedAt"] <= node["updatedAt"]:
                    yield deleted.popleft()
                record = self.drain(node, self.graphql_type, node_selection)
                if self.deleted_subject:
                    record["_sdc_deleted_at"] = None
                yield record
            if not page["pageInfo"]["hasNextPage"]:
                break
            variables["after"] = page["pageInfo"]["endCursor"]
        yield from deleted

    @override
    def get_child_context(self, record: dict, context: Mapping[str, Any] | None) -> dict:
        # The SDK syncs the children of a record before it reads the next one; the record itself
        # stays out of the context, which is logged.
        self.current_record = record
        return {"parent_id": record["id"]}


class NestedStream(ShopifyStream):
    """Records nested in a parent stream's records (an order's line items, a product's variants),
    emitted as their own stream without another request."""

    parent_field: ClassVar[str]  # the parent's field that holds these records
    parent_key: ClassVar[str]  # the property naming the parent's id in each record
    state_partitioning_keys: ClassVar[list[str]] = []  # type: ignore[misc]

    def __init__(self, tap: TapShopifyAdmin) -> None:
        super().__init__(tap)
        self.schema["properties"][self.parent_key] = {"type": "string"}

    @override
    def get_records(self, context: Mapping[str, Any] | None) -> Iterable[dict[str, Any]]:
        assert context is not None and self.parent_stream_type is not None
        parent = next(s for s in self._tap_ref.streams.values() if isinstance(s, self.parent_stream_type))
        record = parent.current_record  # type: ignore[attr-defined]
        assert record["id"] == context["parent_id"]
        for child in record.get(self.parent_field) or []:
            yield {**child, self.parent_key: record["id"]}
