"""The runner that executes a bulk operation in a background thread and streams its JSONL result into the
emulator's data directory.

Shopify's result files differ from a normal GraphQL answer in ways clients must cope with: every
node of every connection is a line of its own (nested ones carry `__parentId`), `first` is
ignored, and without `groupObjects` children do not follow their parent. Memory stays bounded:
the root connection is read a window of records at a time and each window is written at once.
"""

from __future__ import annotations

import json
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import msgspec
from graphql import (
    DocumentNode,
    ExecutionContext,
    FieldNode,
    GraphQLBoolean,
    GraphQLID,
    GraphQLList,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLString,
    Undefined,
    execute_sync,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_leaf_type,
)
from graphql.execution.values import get_argument_values
from graphql.pyutils import Path as ResponsePath

from shopify_admin.cost import is_connection

from ...connections import MAX_PAGE
from ...graphql_api import Context
from ...store import Record, Store, iso
from ...variables import invalid_variables
from .checks import Shape

if TYPE_CHECKING:
    from ...emulator import Emulator

WINDOW = 100  # root records a page, and the span within which ungrouped children are shuffled
CANCEL_SECONDS = 0.5  # simulated time between CANCELING and CANCELED
ACTIVE = ("CREATED", "RUNNING", "CANCELING")
TERMINAL = ("COMPLETED", "FAILED", "CANCELED", "EXPIRED")


# --- encoding ---------------------------------------------------------------------------------
RUBY_ESCAPES = ((b"/", b"\\/"), (b"&", b"\\u0026"), (b"<", b"\\u003c"), (b">", b"\\u003e"))


def jsonl_lines(values: list[Any]) -> bytes:
    """Compact JSON, a line each, escaped as Shopify's (Ruby's) encoder does it: `\\/`, `\\u0026`,
    `\\u003c`, `\\u003e`. Those characters are escaped in the whole text at once: outside strings JSON
    has none of them, and a line break is never raw inside one."""
    text = b"\n".join(map(msgspec.json.encode, values)) + b"\n" if values else b""
    for raw, escaped in RUBY_ESCAPES:
        text = text.replace(raw, escaped)
    return text


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
# that type unwrapped if it is a scalar or an enum, the Python type whose values that scalar answers
# as they are, the field if its resolver returns no connection
Plan = list[tuple[str, list[FieldNode], str, Any, Any, type | None, Any]]


def as_is(leaf: Any) -> type | None:
    """The Python type whose values the scalar `leaf` serializes unchanged, if any: strings for String,
    ID and the schema's own scalars (which keep graphql-core's identity serializer), booleans for Boolean."""
    if leaf in (GraphQLString, GraphQLID) or (
        isinstance(leaf, GraphQLScalarType) and leaf.serialize is GraphQLScalarType.serialize
    ):
        return str
    return bool if leaf is GraphQLBoolean else None


class ExportExecution(ExecutionContext):
    """graphql-core's execution with a shortcut for most of an export's fields, which RootPaging
    leaves alone: those read from the record as they are (no resolver, no arguments) and those whose
    resolver returns no connection are completed without the middleware and checks that graphql-core
    builds for every field, when they are scalars, enums, lists or objects. Anything else, and any
    error, takes graphql-core's way."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._plans: dict[int, Plan] = {}  # by the id of graphql-core's cached field map
        self._kinds: dict[int, tuple[Any, bool, str]] = {}  # by the id of a field's type
        self._arguments: dict[int, dict[str, Any]] = {}  # by the id of a field node; variables are fixed

    def _plan(self, parent_type: Any, fields: dict[str, list[FieldNode]]) -> Plan:
        plan = self._plans.get(id(fields))
        if plan is None:
            plan = []
            for response_name, field_nodes in fields.items():
                node = field_nodes[0]
                definition = parent_type.fields.get(node.name.value)
                plain = definition is not None and definition.resolve is None and not node.arguments
                type_ = definition.type if plain else None
                leaf = get_nullable_type(type_) if plain and is_leaf_type(get_nullable_type(type_)) else None
                resolved = definition is not None and definition.resolve is not None
                resolved = resolved and not is_connection(get_named_type(definition.type))
                resolver_field = definition if resolved else None
                unchanged = as_is(leaf) if leaf is not None else None
                plan.append((response_name, field_nodes, node.name.value, type_, leaf, unchanged, resolver_field))
            self._plans[id(fields)] = plan
        return plan

    def execute_fields(self, parent_type: Any, source_value: Any, path: Any, fields: dict[str, list[FieldNode]]) -> Any:
        if not isinstance(source_value, dict):
            return super().execute_fields(parent_type, source_value, path, fields)
        results = {}
        for response_name, field_nodes, name, type_, leaf, unchanged, resolved in self._plan(parent_type, fields):
            value = source_value.get(name) if type_ is not None else None
            result = NOT_PLAIN
            if type_ is not None and not callable(value):
                if unchanged is not None and type(value) is unchanged:  # the most frequent case
                    result = value
                elif leaf is not None and value is not None:
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
        arguments = self._arguments.get(id(field_nodes[0]))
        if arguments is None:
            arguments = get_argument_values(field, field_nodes[0], self.variable_values)
            self._arguments[id(field_nodes[0])] = arguments
        try:
            value = field.resolve(source, info, **arguments)
        except Exception:  # graphql-core's way calls it again and reports the error
            return NOT_PLAIN
        return self._plain_value(field.type, field_nodes, path, value)

    def _kind(self, type_: Any) -> tuple[Any, bool, str]:
        """The type without its non-null wrapper, whether it was nullable, and which of leaf, list,
        object or other it is: asked once per type, not per value."""
        known = self._kinds.get(id(type_))
        if known is None:
            inner = get_nullable_type(type_)
            kind = "leaf" if is_leaf_type(inner) else "list" if isinstance(inner, GraphQLList) else "other"
            kind = "object" if isinstance(inner, GraphQLObjectType) else kind
            known = self._kinds[id(type_)] = (inner, inner is type_, kind)
        return known

    def _plain_value(self, type_: Any, field_nodes: list[FieldNode], path: Any, value: Any) -> Any:
        inner, nullable, kind = self._kind(type_)
        if value is None:
            return None if nullable else NOT_PLAIN
        if kind == "leaf":
            return _serialized(inner, value)
        if kind == "list" and isinstance(value, list):
            items = [self._plain_value(inner.of_type, field_nodes, path.add_key(i), v) for i, v in enumerate(value)]
            return NOT_PLAIN if any(item is NOT_PLAIN for item in items) else items
        if kind == "object" and isinstance(value, dict):
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
            out.write(jsonl_lines(lines))
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
            out.write(jsonl_lines(window))
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
    operation = get_operation_ast(document)
    invalid = (
        invalid_variables(emulator.api.schema, operation, variables)
        if operation and isinstance(variables, dict)
        else []
    )
    if invalid:  # refused in the words of a request by itself, before the mutation runs
        return {"errors": invalid}
    context = Context(emulator.store, base_url, emulator)
    with emulator.store.lock:
        result = execute_sync(emulator.api.schema, document, context_value=context, variable_values=variables)
    answer: dict[str, Any] = {}
    if result.errors:
        answer["errors"] = [e.formatted for e in result.errors]
    answer["data"] = result.data
    return answer
