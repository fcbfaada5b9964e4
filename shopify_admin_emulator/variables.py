"""Variables checked against their declared types before a document runs, refused in Shopify's words.

Shopify (graphql-ruby) answers a bad variable with one `INVALID_VARIABLE` error per variable: the value
as given, and a problem (path, explanation) for each bad part, worded as the captures show, e.g.
`Variable $input of type DiscountCodeBasicInput! was provided invalid value for
customerGets.value.discountAmount.amount (invalid decimal 'abc')`. What is not modelled here (a bad
string, id or date) is left to graphql-core's coercion.
"""

from __future__ import annotations

import json
import re
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
    OperationDefinitionNode,
    Undefined,
    print_ast,
    type_from_ast,
)

from .search import parse_time

_MISSING = object()
_DECIMAL = re.compile(r"^\s*[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?\s*$")
_UNSIGNED_INT64_MAX = 2**64 - 1


def invalid_variables(
    schema: GraphQLSchema, operation: OperationDefinitionNode, variables: dict[str, Any]
) -> list[dict[str, Any]]:
    """Shopify's `INVALID_VARIABLE` errors for the operation's variables (none when all are valid)."""
    errors = []
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        type_ = type_from_ast(schema, definition.type)  # type: ignore[arg-type]
        value = variables.get(name, _MISSING)
        if type_ is None or (value is _MISSING and definition.default_value is not None):
            continue
        problems = _problems(type_, value, [])
        if not problems:
            continue
        where = ", ".join(f"{'.'.join(map(str, p['path']))} ({p['explanation']})" for p in problems if p["path"])
        location = definition.variable.loc.source.get_location(definition.variable.loc.start)  # type: ignore[union-attr]
        errors.append(
            {
                "message": f"Variable ${name} of type {print_ast(definition.type)} was provided invalid value"
                + (f" for {where}" if where else ""),
                "locations": [{"line": location.line, "column": location.column}],
                "extensions": {
                    "code": "INVALID_VARIABLE",
                    "value": None if value is _MISSING else value,
                    "problems": problems,
                },
            }
        )
    return errors


def _problems(type_: Any, value: Any, path: list[str | int]) -> list[dict[str, Any]]:
    if isinstance(type_, GraphQLNonNull):
        if value is None or value is _MISSING:
            return [{"path": path, "explanation": "Expected value to not be null"}]
        return _problems(type_.of_type, value, path)
    if value is None or value is _MISSING:
        return []
    if isinstance(type_, GraphQLList):
        items = value if isinstance(value, list) else [value]
        found = []
        for index, item in enumerate(items):
            found += _problems(type_.of_type, item, [*path, index] if isinstance(value, list) else path)
        return found
    if isinstance(type_, GraphQLInputObjectType):
        return _input_object_problems(type_, value, path)
    if isinstance(type_, GraphQLEnumType):
        if isinstance(value, str) and value in type_.values:
            return []
        return [{"path": path, "explanation": f"Expected {_inspect(value)} to be one of: {', '.join(type_.values)}"}]
    explanation = _scalar_problem(type_, value)
    if explanation is None:
        return []
    if type_.name == "Int":
        return [{"path": path, "explanation": explanation}]
    # Shopify's own scalars repeat their explanation as a message
    return [{"path": path, "explanation": explanation, "message": explanation}]


def _input_object_problems(type_: GraphQLInputObjectType, value: Any, path: list[str | int]) -> list[dict[str, Any]]:
    if not isinstance(value, dict):
        return []  # left to graphql-core: no capture shows Shopify's words for it
    found = [
        {"path": [*path, key], "explanation": f"Field is not defined on {type_.name}"}
        for key in value
        if key not in type_.fields
    ]
    for name, field in type_.fields.items():
        given = value.get(name, _MISSING)
        if given is _MISSING and field.default_value is not Undefined:
            continue
        found += _problems(field.type, given, [*path, name])
    return found


def _scalar_problem(type_: GraphQLScalarType, value: Any) -> str | None:
    """Shopify's explanation for a bad Int, Decimal, UnsignedInt64 or DateTime value, as captured."""
    if type_.name == "Int":
        try:
            GraphQLInt.parse_value(value)
        except GraphQLError:
            return f"Could not coerce value {_inspect(value)} to Int"
    elif type_.name == "Decimal":
        numeric = isinstance(value, int | float) and not isinstance(value, bool)
        if not numeric and not (isinstance(value, str) and _DECIMAL.match(value)):
            return f"invalid decimal '{value}'"
    elif type_.name == "UnsignedInt64":
        text = str(value)
        if isinstance(value, bool) or not re.fullmatch(r"-?\d+", text.strip()):
            return f"UnsignedInt64 invalid value '{text}'"
        if not 0 <= int(text) <= _UNSIGNED_INT64_MAX:
            return f"UnsignedInt64 '{text}' is out of range"
    elif type_.name == "DateTime" and (not isinstance(value, str) or parse_time(value) is None):
        return f"invalid DateTime '{value}'"  # as the customer marketing consent captures answer
    return None


def _inspect(value: Any) -> str:
    """A value as graphql-ruby prints it in an explanation (Ruby's inspect, which JSON matches for these)."""
    return json.dumps(value)
