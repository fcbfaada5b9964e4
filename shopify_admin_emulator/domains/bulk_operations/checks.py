"""Shopify's validation of a bulk query or mutation and of its staged variables file: the limits, the
shape of the document (its connections, their depth), and userErrors worded as Shopify words them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLList,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    parse,
    validate,
)
from graphql.language import Lexer, Source, TokenKind

from shopify_admin.cost import is_connection

from ...graphql_api import shopify_validation_error

MAX_DOCUMENT_BYTES = 65535
MAX_CONNECTIONS = 5
MAX_DEPTH = 2
MAX_RUNNING = 5  # per type (query / mutation) and shop
MAX_UPLOAD_BYTES = 100 * 1024 * 1024
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
            field_type = get_nullable_type(definition.type) if definition else None
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
