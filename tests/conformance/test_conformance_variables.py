"""Bad variables: the captured `INVALID_VARIABLE` answers, given again in the same words.

A capture counts when its problems are of the kinds modelled (an enum, a decimal, an Int or
UnsignedInt64, a missing value, a field not defined; ids that are not Shopify's global ids are left to
the resolvers), and is asked of the emulator again when its document is served.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from graphql import GraphQLSchema, OperationDefinitionNode, parse, validate

from shopify_admin.schema import admin_schema
from shopify_admin_emulator.variables import invalid_variables

from ..captures import CAPTURES, captures_available, needs_captures, without_locations
from ..conftest import Running

pytestmark = needs_captures

NOT_MODELLED = ("Invalid global id", "requires exactly one argument")


def captured_refusals() -> Iterator[tuple[str, str, dict[str, Any], list[dict[str, Any]]]]:
    """(file, query, variables, Shopify's errors) of each distinct call answered with INVALID_VARIABLE."""
    seen: set[str] = set()

    def walk(node: Any, file: str) -> Iterator[tuple[str, str, dict[str, Any], list[dict[str, Any]]]]:
        if isinstance(node, dict):
            # `{query, variables, response | payload}` or `{request: {query, variables}, response: {payload}}`
            request = node if isinstance(node.get("query"), str) else node.get("request")
            response = node.get("response", node.get("payload"))
            body = response.get("payload", response) if isinstance(response, dict) else None
            errors = body.get("errors") if isinstance(body, dict) else None
            if isinstance(request, dict) and "query" in request and errors and "INVALID_VARIABLE" in json.dumps(errors):
                key = json.dumps([request["query"], request.get("variables")], sort_keys=True)
                if key not in seen:
                    seen.add(key)
                    yield file, request["query"], request.get("variables") or {}, errors
                return
            for child in node.values():
                yield from walk(child, file)
        elif isinstance(node, list):
            for child in node:
                yield from walk(child, file)

    for path in sorted(CAPTURES.rglob("*.json")):
        yield from walk(json.loads(path.read_text()), str(path.relative_to(CAPTURES)))


def modelled() -> list[tuple[str, str, dict[str, Any], list[dict[str, Any]]]]:
    if not captures_available():
        return []
    return [
        refusal
        for refusal in captured_refusals()
        if not any(text in json.dumps(refusal[3]) for text in NOT_MODELLED) and refusal[0] not in SCHEMA_DRIFT
    ]


# refusals that the schema the emulator speaks (2026-07) no longer gives
SCHEMA_DRIFT = {"2026-04/gift-cards/gift-card-create-validation.json"}  # initialAmount added, initialValue optional
MODELLED = modelled()
SERVED = admin_schema()
ASKABLE = [refusal for refusal in MODELLED if not validate(SERVED, parse(refusal[1]))]


def test_enough_refusals_are_checked() -> None:
    """Enums, decimals, Ints, UnsignedInt64s, missing values and undefined fields each among them."""
    explanations = json.dumps([errors for *_, errors in MODELLED])
    assert len(MODELLED) >= 27 and len(ASKABLE) >= 6
    for kind in ("to be one of:", "invalid decimal", "to Int", "UnsignedInt64", "to not be null", "not defined on"):
        assert kind in explanations, kind


@pytest.mark.parametrize(("file", "query", "variables", "theirs"), MODELLED, ids=[m[0] for m in MODELLED])
def test_variables_are_refused_in_shopifys_words(
    real_schema: GraphQLSchema, file: str, query: str, variables: dict[str, Any], theirs: list[dict[str, Any]]
) -> None:
    """Against the real schema, every modelled capture (the locations aside: some files hold the document
    reindented from what was sent)."""
    operations = [d for d in parse(query).definitions if isinstance(d, OperationDefinitionNode)]
    ours = [error for operation in operations for error in invalid_variables(real_schema, operation, variables)]
    assert without_locations(ours) == without_locations(theirs)


@pytest.mark.parametrize(("file", "query", "variables", "theirs"), ASKABLE, ids=[a[0] for a in ASKABLE])
def test_the_emulator_answers_invalid_variables_as_shopify_does(
    shop: Running, file: str, query: str, variables: dict[str, Any], theirs: list[dict[str, Any]]
) -> None:
    """The documents the emulator serves, asked again: the same answer, with no data and no cost (the
    locations too, where the file holds the document as sent)."""
    ours = shop.graphql(query, variables)
    if all(points_at_its_variable(query, error) for error in theirs):
        assert ours == {"errors": theirs}
    else:
        assert set(ours) == {"errors"} and without_locations(ours["errors"]) == without_locations(theirs)


def points_at_its_variable(query: str, error: dict[str, Any]) -> bool:
    """Whether the error's location is its `$variable` in this text of the document: it is not where the
    file holds the document reindented (e.g. a template literal trimmed of its first line break)."""
    variable = re.match(r"Variable (\$\w+)", error["message"])
    lines = query.split("\n")
    return variable is not None and all(
        0 < at["line"] <= len(lines) and lines[at["line"] - 1][at["column"] - 1 :].startswith(variable[1])
        for at in error["locations"]
    )
