"""Bulk operations: Shopify's validation of a bulk query or mutation, and the runner that executes
one in a background thread and streams its JSONL result into the emulator's data directory.

Shopify's result files differ from a normal GraphQL answer in ways clients must cope with: every
node of every connection is a line of its own (nested ones carry `__parentId`), `first` is
ignored, and without `groupObjects` children do not follow their parent. Memory stays bounded:
the root connection is read a window of records at a time and each window is written at once.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from graphql import (
    DocumentNode,
    ExecutionContext,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Undefined,
    execute_sync,
    get_named_type,
    is_leaf_type,
    parse,
    validate,
)
from graphql.execution.values import get_argument_values
from graphql.language import Lexer, Source, TokenKind
from graphql.pyutils import Path as ResponsePath

from shopify_admin.cost import is_connection

from ...connections import MAX_PAGE
from ...graphql_api import Context, shopify_validation_error
from ...store import Record, Store, iso

if TYPE_CHECKING:
    from ...emulator import Emulator

MAX_DOCUMENT_BYTES = 65535
MAX_CONNECTIONS = 5
MAX_DEPTH = 2
MAX_RUNNING = 5  # per type (query / mutation) and shop
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
WINDOW = 100  # root records a page, and the span within which ungrouped children are shuffled
CANCEL_SECONDS = 0.5  # simulated time between CANCELING and CANCELED
ACTIVE = ("CREATED", "RUNNING", "CANCELING")
TERMINAL = ("COMPLETED", "FAILED", "CANCELED", "EXPIRED")
NOT_ALLOWED_IN_BULK = {
    "bulkOperationRunMutation",
    "bulkOperationRunQuery",
    "bulkOperationCancel",
    "stagedUploadsCreate",
}
NO_SUCH_FILE = (
    "The JSONL file could not be found. Try uploading the file again, and check that you've entered the URL "
    "correctly for the stagedUploadPath mutation argument."
)


def problem(field: list[str] | None, message: str, code: str | None) -> dict[str, Any]:
    return {"field": field, "message": message, "code": code}


# --- encoding ---------------------------------------------------------------------------------
def jsonl_line(value: Any) -> bytes:
    """Compact JSON escaped as Shopify's (Ruby's) encoder does it: `\\/`, `\\u0026`, `\\u003c`, `\\u003e`."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for raw, escaped in (("/", "\\/"), ("&", "\\u0026"), ("<", "\\u003c"), (">", "\\u003e")):
        text = text.replace(raw, escaped)
    return (text + "\n").encode()


# --- syntax errors, worded as graphql-ruby words them -----------------------------------------------
def ruby_syntax_error(text: str, error: GraphQLError) -> tuple[str, str]:
    """(message, " at [line, column]") for a parse error; the position is the last token's at EOF."""
    if "<EOF>" in error.message:
        last = None
        try:
            lexer = Lexer(Source(text))
            token = lexer.advance()
            while token.kind != TokenKind.EOF:
                last, token = token, lexer.advance()
        except GraphQLError:
            pass
        where = f" at [{last.line}, {last.column}]" if last else ""
        return "syntax error, unexpected end of file", where
    location = error.locations[0] if error.locations else None
    where = f" at [{location.line}, {location.column}]" if location else ""
    return "syntax error, " + error.message.removeprefix("Syntax Error: ").rstrip(".").lower(), where


# --- the shape of a bulk document ---------------------------------------------------------------------
@dataclass
class Shape:
    """Where the connections of one selection set are, by response key: each becomes lines of its own."""

    connections: dict[str, Shape] = field(default_factory=dict)
    objects: dict[str, Shape] = field(default_factory=dict)  # plain objects with connections inside


@dataclass
class Connection:
    name: str
    depth: int
    in_list: bool
    via_nodes: bool
    node_has_id: bool
    has_nested: bool = False


@dataclass
class Analysis:
    shape: Shape
    connections: list[Connection]
    top_level_node: bool


def _unwrap_nonnull(type_: Any) -> Any:
    return type_.of_type if isinstance(type_, GraphQLNonNull) else type_


class Analyzer:
    """Walks an operation with the served schema's types; fields the emulator does not serve are
    judged by their selection (`edges` or `nodes` means a connection), as Shopify's real schema would."""

    def __init__(self, schema: GraphQLSchema, document: DocumentNode) -> None:
        self.schema = schema
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.connections: list[Connection] = []

    def fields(self, selection_set: SelectionSetNode | None) -> Iterator[FieldNode]:
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self.fields(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode) and selection.name.value in self.fragments:
                yield from self.fields(self.fragments[selection.name.value].selection_set)

    def walk(self, selection_set: SelectionSetNode | None, parent: Any, depth: int, in_list: bool) -> Shape:
        shape = Shape()
        for node in self.fields(selection_set):
            definition = getattr(parent, "fields", {}).get(node.name.value) if parent is not None else None
            field_type = _unwrap_nonnull(definition.type) if definition else None
            named = get_named_type(field_type) if field_type else None
            sub_names = {f.name.value for f in self.fields(node.selection_set)}
            connection_field = is_connection(named) if named else bool(sub_names & {"edges", "nodes", "pageInfo"})
            key = node.alias.value if node.alias else node.name.value
            if connection_field:
                shape.connections[key] = self.connection(node, named, depth + 1, in_list)
            elif node.selection_set:
                inner = self.walk(node.selection_set, named, depth, in_list or isinstance(field_type, GraphQLList))
                if inner.connections or inner.objects:
                    shape.objects[key] = inner
        return shape

    def connection(self, node: FieldNode, named: Any, depth: int, in_list: bool) -> Shape:
        edge_type = _field_type(named, "edges")
        node_type = _field_type(edge_type, "node")
        node_selection: list[FieldNode] = []
        for part in self.fields(node.selection_set):
            if part.name.value == "edges":
                node_selection += [f for f in self.fields(part.selection_set) if f.name.value == "node"]
        found = Connection(
            node.name.value,
            depth,
            in_list,
            via_nodes=any(f.name.value == "nodes" for f in self.fields(node.selection_set)),
            node_has_id=any(
                f.name.value == "id" and f.alias is None for n in node_selection for f in self.fields(n.selection_set)
            ),
        )
        self.connections.append(found)
        before = len(self.connections)
        shape = Shape()
        for n in node_selection:
            inner = self.walk(n.selection_set, node_type, depth, False)
            shape.connections.update(inner.connections)
            shape.objects.update(inner.objects)
        found.has_nested = len(self.connections) > before
        return shape


def _field_type(parent: Any, name: str) -> Any:
    definition = getattr(parent, "fields", {}).get(name) if parent is not None else None
    return get_named_type(definition.type) if definition else None


def analyze(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode) -> Analysis:
    analyzer = Analyzer(schema, document)
    root_type = schema.mutation_type if operation.operation == OperationType.MUTATION else schema.query_type
    shape = analyzer.walk(operation.selection_set, root_type, 0, False)
    top_level_node = any(f.name.value == "node" for f in analyzer.fields(operation.selection_set))
    return Analysis(shape, analyzer.connections, top_level_node)


def _operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


# --- validation ---------------------------------------------------------------------------------------
@dataclass
class Checked:
    errors: list[dict[str, Any]]
    document: DocumentNode | None = None
    analysis: Analysis | None = None


def check_query(schema: GraphQLSchema, text: str) -> Checked:
    """bulkOperationRunQuery's checks, in Shopify's order, with its messages."""

    def invalid(message: str) -> dict[str, Any]:
        return problem(["query"], message, "INVALID")

    size = len(text.encode())
    if size > MAX_DOCUMENT_BYTES:
        return Checked([invalid(f"Query is too large ({size} bytes; maximum is {MAX_DOCUMENT_BYTES} bytes)")])
    try:
        document = parse(text)
    except GraphQLError as exc:
        return Checked([invalid(f"Invalid bulk query: {ruby_syntax_error(text, exc)[0]}")])
    operations = _operations(document)
    if any(op.operation != OperationType.QUERY for op in operations):
        return Checked([invalid("Invalid operation type. Only `query` operations are supported.")])
    if len(operations) != 1:
        return Checked([invalid("Bulk queries must contain exactly one operation.")])
    analysis = analyze(schema, document, operations[0])
    connections = analysis.connections
    errors = []
    if analysis.top_level_node:
        errors.append(invalid("Bulk queries cannot contain a top level `node` field."))
    if not connections:
        errors.append(invalid("Bulk queries must contain at least one connection."))
    if len(connections) > MAX_CONNECTIONS:
        errors.append(invalid(f"Bulk queries cannot contain more than {MAX_CONNECTIONS} connections."))
    if any(c.depth > MAX_DEPTH for c in connections):
        errors.append(
            invalid(f"Bulk queries cannot contain connections with a nesting depth greater than {MAX_DEPTH}.")
        )
    if any(c.in_list for c in connections):
        errors.append(
            invalid("Queries that contain a connection field within a list field are not currently supported.")
        )
    via_nodes = [c.name for c in connections if c.via_nodes]
    if via_nodes:
        errors.append(
            invalid(
                "All connection fields in a bulk query must select their contents using 'edges' > 'node', e.g: "
                f"'{via_nodes[0]} {{ edges {{ node {{'. Selecting via 'nodes' is not supported. "
                f"Invalid connection fields: {', '.join(repr(n) for n in via_nodes)}."
            )
        )
    without_id = [c.name for c in connections if c.has_nested and not c.node_has_id]
    if without_id:
        errors.append(
            invalid(
                "The parent 'node' field for a nested connection must select the 'id' field without an alias and "
                f"must be of 'ID' return type. Connection fields without 'id': {', '.join(without_id)}."
            )
        )
    if not errors:
        errors = [
            invalid(f"Invalid bulk query: {shopify_validation_error(e, document)['message']}")
            for e in validate(schema, document)
        ]
    return Checked(errors, document, analysis)


def check_mutation(schema: GraphQLSchema, text: str, client_identifier: str | None) -> Checked:
    """bulkOperationRunMutation's checks of the mutation document and client identifier."""
    size = len(text.encode())
    if size > MAX_DOCUMENT_BYTES:
        message = f"is too large ({size} bytes; maximum is {MAX_DOCUMENT_BYTES} bytes)"
        return Checked([problem(["query"], message, "INVALID_MUTATION")])
    try:
        document = parse(text)
    except GraphQLError as exc:
        message, where = ruby_syntax_error(text, exc)
        return Checked([problem(None, f"Failed to parse the mutation - {message}{where}", "INVALID_MUTATION")])
    operations = _operations(document)
    if len(operations) != 1 or operations[0].operation != OperationType.MUTATION:
        message = "Invalid operation type. Only `mutation` operations are supported."
        return Checked([problem(None, message, "INVALID_MUTATION")])
    roots = [f for f in operations[0].selection_set.selections if isinstance(f, FieldNode)]
    if len(roots) != 1:
        return Checked([problem(["mutation"], "You must specify a single top level mutation.", None)])
    if roots[0].name.value in NOT_ALLOWED_IN_BULK:
        return Checked([problem(["mutation"], "You must use an allowed mutation name.", None)])
    analysis = analyze(schema, document, operations[0])
    if len(analysis.connections) > 1:
        return Checked([problem(["mutation"], "Bulk mutations cannot contain more than 1 connection.", None)])
    if client_identifier is not None and not 10 <= len(client_identifier) <= 255:
        message = (
            "is too short (minimum is 10 characters)"
            if len(client_identifier) < 10
            else "is too long (maximum is 255 characters)"
        )
        return Checked([problem(["clientIdentifier"], message, "INVALID_MUTATION")])
    errors = [
        problem(["mutation"], shopify_validation_error(e, document)["message"], "INVALID_MUTATION")
        for e in validate(schema, document)
    ]
    return Checked(errors, document, analysis)


def check_upload(path: Path | None) -> list[dict[str, Any]]:
    if path is None or not path.exists():
        return [problem(None, NO_SUCH_FILE, "NO_SUCH_FILE")]
    size = path.stat().st_size
    if size == 0:
        return [problem(None, "The input file is empty.", "INVALID_STAGED_UPLOAD_FILE")]
    if size > MAX_UPLOAD_BYTES:
        message = "The input file size exceeds the maximum allowed size of 100 MB."
        return [problem(None, message, "INVALID_STAGED_UPLOAD_FILE")]
    return []


# --- the runner ---------------------------------------------------------------------------------------
@dataclass
class Job:
    """What the worker thread has done so far; the operation record shows it as simulated time allows."""

    started: float  # store clock
    speed: float  # objects a simulated second
    seed: int
    fail: bool
    canceled: threading.Event = field(default_factory=threading.Event)
    objects: int = 0
    roots: int = 0
    done: bool = False
    finished: float = 0.0
    file_size: int = 0
    file_name: str | None = None
    error: str | None = None  # set when the worker itself broke


Work = Callable[[Job, BinaryIO], None]


class RootPaging:
    """graphql-core middleware: the root connection returns one window after `after`; every other
    connection returns all of its nodes, whatever `first` the query asked for."""

    def __init__(self, root_key: str) -> None:
        self.root_key = root_key
        self.after: str | None = None
        self.has_next = True

    def resolve(self, next_: Any, root: Any, info: Any, **args: Any) -> Any:
        if not is_connection(get_named_type(info.return_type)):
            return next_(root, info, **args)
        for name in ("first", "last", "after", "before"):
            args.pop(name, None)
        if info.path.prev is None and info.path.key == self.root_key:
            page = next_(root, info, first=WINDOW, after=self.after, **args)
            self.has_next = bool(page["pageInfo"]["hasNextPage"])
            self.after = page["pageInfo"]["endCursor"]
            return page
        edges: list[Any] = []
        after = None
        while True:
            page = next_(root, info, first=MAX_PAGE, after=after, **args)
            edges += page["edges"]
            if not page["pageInfo"]["hasNextPage"]:
                return {**page, "edges": edges, "nodes": [e["node"] for e in edges]}
            after = page["pageInfo"]["endCursor"]


NOT_PLAIN = object()
# per field of a selection: response key, nodes, field name, type if read from the record as it is,
# that type unwrapped if it is a scalar or an enum, the field if its resolver returns no connection
Plan = list[tuple[str, list[FieldNode], str, Any, Any, Any]]


class ExportExecution(ExecutionContext):
    """graphql-core's execution with a shortcut for most of an export's fields, which RootPaging
    leaves alone: those read from the record as they are (no resolver, no arguments) and those whose
    resolver returns no connection are completed without the middleware and checks that graphql-core
    builds for every field, when they are scalars, enums, lists or objects. Anything else, and any
    error, takes graphql-core's way."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[int, Plan] = {}  # by the id of graphql-core's cached field map

    def _plan(self, parent_type: Any, fields: dict[str, list[FieldNode]]) -> Plan:
        plan = self._plans.get(id(fields))
        if plan is None:
            plan = []
            for response_name, field_nodes in fields.items():
                node = field_nodes[0]
                definition = parent_type.fields.get(node.name.value)
                plain = definition is not None and definition.resolve is None and not node.arguments
                type_ = definition.type if plain else None
                leaf = _unwrap_nonnull(type_) if plain and is_leaf_type(_unwrap_nonnull(type_)) else None
                resolved = definition is not None and definition.resolve is not None
                resolved = resolved and not is_connection(get_named_type(definition.type))
                resolver_field = definition if resolved else None
                plan.append((response_name, field_nodes, node.name.value, type_, leaf, resolver_field))
            self._plans[id(fields)] = plan
        return plan

    def execute_fields(self, parent_type: Any, source_value: Any, path: Any, fields: dict[str, list[FieldNode]]) -> Any:
        if not isinstance(source_value, dict):
            return super().execute_fields(parent_type, source_value, path, fields)
        results = {}
        for response_name, field_nodes, name, type_, leaf, resolved in self._plan(parent_type, fields):
            value = source_value.get(name) if type_ is not None else None
            result = NOT_PLAIN
            if type_ is not None and not callable(value):
                if leaf is not None and value is not None:  # the most frequent case
                    result = _serialized(leaf, value)
                else:
                    result = self._plain_value(
                        type_, field_nodes, ResponsePath(path, response_name, parent_type.name), value
                    )
            elif resolved is not None:
                field_path = ResponsePath(path, response_name, parent_type.name)
                result = self._resolved(parent_type, source_value, field_nodes, resolved, field_path)
            if result is NOT_PLAIN:
                field_path = ResponsePath(path, response_name, parent_type.name)
                result = self.execute_field(parent_type, source_value, field_nodes, field_path)
            if result is not Undefined:
                results[response_name] = result
        return results

    def _resolved(self, parent_type: Any, source: Any, field_nodes: list[FieldNode], field: Any, path: Any) -> Any:
        info = self.build_resolve_info(field, field_nodes, parent_type, path)
        try:
            value = field.resolve(source, info, **get_argument_values(field, field_nodes[0], self.variable_values))
        except Exception:  # graphql-core's way calls it again and reports the error
            return NOT_PLAIN
        return self._plain_value(field.type, field_nodes, path, value)

    def _plain_value(self, type_: Any, field_nodes: list[FieldNode], path: Any, value: Any) -> Any:
        inner = _unwrap_nonnull(type_)
        if value is None:
            return None if inner is type_ else NOT_PLAIN
        if is_leaf_type(inner):
            return _serialized(inner, value)
        if isinstance(inner, GraphQLList) and isinstance(value, list):
            items = [self._plain_value(inner.of_type, field_nodes, path.add_key(i), v) for i, v in enumerate(value)]
            return NOT_PLAIN if any(item is NOT_PLAIN for item in items) else items
        if isinstance(inner, GraphQLObjectType) and isinstance(value, dict):
            return self.execute_fields(inner, value, path, self.collect_subfields(inner, field_nodes))
        return NOT_PLAIN


def _serialized(leaf: Any, value: Any) -> Any:
    """A scalar's or enum's answer, or NOT_PLAIN for graphql-core to report what it cannot serialize."""
    try:
        serialized = leaf.serialize(value)
    except Exception:
        return NOT_PLAIN
    return NOT_PLAIN if serialized is None or serialized is Undefined else serialized


def split_children(value: Record, shape: Shape, owner_id: Any, out: list[Record]) -> None:
    """Move the nodes of `value`'s connections out into `out`, each followed by its own children."""
    for key, child_shape in shape.connections.items():
        connection = value.pop(key, None) or {}
        for edge in connection.get("edges") or ():
            child = edge.get("node")
            if child is None:
                continue
            grandchildren: list[Record] = []
            split_children(child, child_shape, child.get("id"), grandchildren)
            child["__parentId"] = owner_id
            out.append(child)
            out += grandchildren
    for key, object_shape in shape.objects.items():
        inner = value.get(key)
        for item in inner if isinstance(inner, list) else [inner]:
            if isinstance(item, dict):
                split_children(item, object_shape, owner_id, out)


class Runner:
    """Starts bulk operations and keeps their records up to date as simulated time passes."""

    def __init__(self, emulator: Emulator) -> None:
        self.emulator = emulator
        self.store: Store = emulator.store

    @property
    def speed(self) -> float:
        return float(self.emulator.config.bulk_objects_per_second)

    def active(self, type_: str) -> list[Record]:
        operations = [op for op in self.store.all("BulkOperation") if op["type"] == type_]
        return [op for op in sorted(operations, key=lambda r: r["_n"]) if self.refresh(op)["status"] in ACTIVE]

    def start(self, type_: str, text: str, base_url: str, work: Work) -> Record:
        now = self.store.clock.now()
        op = self.store.new_record(
            "BulkOperation",
            status="CREATED",
            type=type_,
            errorCode=None,
            createdAt=iso(now),
            completedAt=None,
            objectCount="0",
            rootObjectCount="0",
            fileSize=None,
            url=None,
            partialDataUrl=None,
            query=text,
        )
        job = Job(now, self.speed, op["_n"], self.emulator.faults.take("bulk_fail"))
        op["_job"], op["_base_url"] = job, base_url
        self.store.put(op)
        threading.Thread(target=self._work, args=(job, op["_n"], work), name=f"bulk-{op['_n']}", daemon=True).start()
        return {k: v for k, v in op.items() if k != "_job"}  # the run mutation answers with the record as created

    def _work(self, job: Job, number: int, work: Work) -> None:
        name = f"bulk-{number}.jsonl"
        path = self.emulator.data_dir / name
        try:
            with path.open("wb") as out:
                work(job, out)
            if job.fail and not job.canceled.is_set():
                self._truncate_to_half(job, path)
            job.file_size = path.stat().st_size
            self.emulator.register_file(name, path)
            job.file_name = name
        except Exception as exc:  # the operation fails rather than hanging in RUNNING
            job.error = repr(exc)
        job.finished = self.store.clock.now()
        job.done = True

    @staticmethod
    def _truncate_to_half(job: Job, path: Path) -> None:
        """Keep the first half of the lines: what had been written when the failure struck."""
        keep, objects, roots, offset = job.objects // 2, 0, 0, 0
        with path.open("rb") as lines:
            for line in lines:
                if objects == keep:
                    break
                objects += 1
                roots += b'"__parentId"' not in line
                offset += len(line)
        with path.open("r+b") as file:
            file.truncate(offset)
        job.objects, job.roots = objects, roots

    def refresh(self, op: Record) -> Record:
        """Bring the record's status and counts up to the store clock."""
        job: Job | None = op.get("_job")
        if job is None or op["status"] in TERMINAL:
            return op
        now = self.store.clock.now()
        if op["status"] == "CANCELING":
            if job.done and now >= op["_cancel_requested"] + CANCEL_SECONDS:
                op["status"] = "CANCELED"
            return op
        shown = int((now - job.started) * job.speed)
        if not job.done or shown < job.objects:
            op["status"] = "RUNNING"
            op["objectCount"] = str(min(shown, job.objects))
            op["rootObjectCount"] = str(min(shown, job.roots))
            return op
        op["objectCount"], op["rootObjectCount"] = str(job.objects), str(job.roots)
        url = f"{op['_base_url']}/__emulator/files/{job.file_name}" if job.file_name else None
        if job.fail or job.error:
            op.update(status="FAILED", errorCode="INTERNAL_SERVER_ERROR", partialDataUrl=url)
        else:
            completed = max(job.finished, job.started + job.objects / job.speed)
            op.update(status="COMPLETED", completedAt=iso(completed), fileSize=str(job.file_size), url=url)
        return op

    def cancel(self, op: Record) -> None:
        self.refresh(op)
        op["status"] = "CANCELING"
        op["_cancel_requested"] = self.store.clock.now()
        op["_job"].canceled.set()


def export_work(emulator: Emulator, document: DocumentNode, shape: Shape, group_objects: bool, base_url: str) -> Work:
    """The worker body of a bulk query: page the root connection a window at a time, write lines."""

    def work(job: Job, out: BinaryIO) -> None:
        if not shape.connections:
            raise RuntimeError("the query has no connection at its top level")
        root_key, root_shape = next(iter(shape.connections.items()))
        paging = RootPaging(root_key)
        rng = random.Random(job.seed)
        while paging.has_next and not job.canceled.is_set():
            context = Context(emulator.store, base_url, emulator)
            with emulator.store.lock:
                result = execute_sync(
                    emulator.api.schema,
                    document,
                    context_value=context,
                    middleware=[paging],
                    execution_context_class=ExportExecution,
                )
            if result.errors:
                raise RuntimeError(result.errors[0].message)
            roots: list[Record] = []
            children: list[list[Record]] = []
            for edge in (result.data or {})[root_key]["edges"]:
                descendants: list[Record] = []
                split_children(edge["node"], root_shape, edge["node"].get("id"), descendants)
                roots.append(edge["node"])
                children.append(descendants)
            if group_objects:
                lines = [line for root, kids in zip(roots, children, strict=True) for line in (root, *kids)]
            else:
                shuffled = [kid for kids in children for kid in kids]
                rng.shuffle(shuffled)
                lines = roots + shuffled
            out.write(b"".join(jsonl_line(line) for line in lines))
            job.roots += len(roots)
            job.objects += len(lines)

    return work


def import_work(emulator: Emulator, document: DocumentNode, upload: Path, base_url: str) -> Work:
    """The worker body of a bulk mutation: run the mutation once per input line, answers shuffled."""

    def work(job: Job, out: BinaryIO) -> None:
        rng = random.Random(job.seed)
        window: list[dict[str, Any]] = []

        def flush() -> None:
            rng.shuffle(window)
            out.write(b"".join(jsonl_line(answer) for answer in window))
            job.objects += len(window)
            job.roots += len(window)
            window.clear()

        with upload.open("rb") as lines:
            for number, line in enumerate(lines):
                if job.canceled.is_set():
                    break
                if line.strip():
                    window.append({**run_line(emulator, document, line, base_url), "__lineNumber": number})
                if len(window) == WINDOW:
                    flush()
        flush()

    return work


def run_line(emulator: Emulator, document: DocumentNode, line: bytes, base_url: str) -> dict[str, Any]:
    try:
        variables = json.loads(line)
    except ValueError:
        return {"errors": [{"message": "Invalid JSON on this line of the variables file"}]}
    context = Context(emulator.store, base_url, emulator)
    with emulator.store.lock:
        result = execute_sync(emulator.api.schema, document, context_value=context, variable_values=variables)
    answer: dict[str, Any] = {}
    if result.errors:
        answer["errors"] = [e.formatted for e in result.errors]
    answer["data"] = result.data
    return answer
