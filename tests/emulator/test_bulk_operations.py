"""Bulk operations against the emulator, checked against Shopify's captured answers where there are any."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from shopify_admin_emulator import domains
from shopify_admin_emulator.graphql_api import RESOLVERS

from ..captures import captures_available, load, mask, needs_captures
from ..conftest import Running, start

domains.register_resolvers()  # fills RESOLVERS

OPERATION_FIELDS = (
    "id status type errorCode createdAt completedAt objectCount rootObjectCount fileSize url partialDataUrl query"
)
RUN_QUERY = f"""mutation Run($query: String!, $group: Boolean!) {{
  bulkOperationRunQuery(query: $query, groupObjects: $group) {{
    bulkOperation {{ {OPERATION_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}"""
RUN_MUTATION = f"""mutation Run($mutation: String!, $path: String!, $clientIdentifier: String) {{
  bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $path, clientIdentifier: $clientIdentifier) {{
    bulkOperation {{ {OPERATION_FIELDS} }}
    userErrors {{ field message code }}
  }}
}}"""
POLL = f"query Poll($id: ID!) {{ bulkOperation(id: $id) {{ {OPERATION_FIELDS} }} }}"
CANCEL = f"""mutation Cancel($id: ID!) {{
  bulkOperationCancel(id: $id) {{ bulkOperation {{ {OPERATION_FIELDS} }} userErrors {{ field message }} }}
}}"""
STAGED_UPLOAD = """mutation Staged($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) {
    stagedTargets { url resourceUrl parameters { name value } }
    userErrors { field message }
  }
}"""
ORDERS_WITH_LINE_ITEMS = """{
  orders {
    edges {
      node {
        id
        name
        totalPriceSet { shopMoney { amount currencyCode } }
        lineItems { edges { node { id title quantity } } }
      }
    }
  }
}"""
TAGS_ADD = (
    "mutation Tag($id: ID!, $tags: [String!]!) "
    "{ tagsAdd(id: $id, tags: $tags) { node { id } userErrors { field message } } }"
)
CAPTURES = "2026-04/bulk-operations"


@pytest.fixture
def slow_shop() -> Iterator[Running]:
    """Bulk operations stay RUNNING until the test moves the store clock."""
    running = start(bulk_objects_per_second=0.001)
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture(scope="module")
def validating() -> Iterator[Running]:
    """One shop for the checks that refuse an operation and so leave nothing behind."""
    running = start()
    yield running
    running.server.shutdown()
    running.server.server_close()


def run_query(shop: Running, query: str, group: bool = False) -> dict[str, Any]:
    return shop.graphql(RUN_QUERY, {"query": query, "group": group})["data"]["bulkOperationRunQuery"]


def wait(shop: Running, operation_id: str, until: tuple[str, ...] = ("COMPLETED", "FAILED")) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while True:
        operation = shop.graphql(POLL, {"id": operation_id})["data"]["bulkOperation"]
        if operation["status"] in until or time.monotonic() > deadline:
            return operation
        time.sleep(0.05)


def download(url: str) -> list[dict[str, Any]]:
    response = requests.get(url, timeout=30)  # no access token: Shopify's result URLs are pre-signed
    response.raise_for_status()
    return [json.loads(line) for line in response.text.splitlines()]


def export(shop: Running, query: str, group: bool = False) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    started = run_query(shop, query, group)
    assert started["userErrors"] == []
    assert started["bulkOperation"]["status"] == "CREATED"
    operation = wait(shop, started["bulkOperation"]["id"])
    assert operation["status"] == "COMPLETED", operation
    return operation, download(operation["url"])


def paged_ids(shop: Running) -> set[str]:
    """Every order and line item id, read the ordinary way, page by page."""
    ids: set[str] = set()
    after = None
    while True:
        page = shop.graphql(
            "query($after: String) { orders(first: 50, after: $after) "
            "{ nodes { id } pageInfo { hasNextPage endCursor } } }",
            {"after": after},
        )["data"]["orders"]
        for order in page["nodes"]:
            ids |= {order["id"], *line_item_ids(shop, order["id"])}
        if not page["pageInfo"]["hasNextPage"]:
            return ids
        after = page["pageInfo"]["endCursor"]


def line_item_ids(shop: Running, order_id: str) -> Iterator[str]:
    after = None
    while True:
        page = shop.graphql(
            "query($id: ID!, $after: String) { order(id: $id) { lineItems(first: 250, after: $after) "
            "{ nodes { id } pageInfo { hasNextPage endCursor } } } }",
            {"id": order_id, "after": after},
        )["data"]["order"]["lineItems"]
        yield from (item["id"] for item in page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            return
        after = page["pageInfo"]["endCursor"]


# exports ---------------------------------------------------------------------------------------------
def test_ungrouped_export_has_every_record_once_with_children_out_of_order(shop: Running) -> None:
    operation, rows = export(shop, ORDERS_WITH_LINE_ITEMS)
    roots = [r for r in rows if "__parentId" not in r]
    children = [r for r in rows if "__parentId" in r]
    root_ids = {r["id"] for r in roots}
    assert children and all(c["__parentId"] in root_ids for c in children)
    assert list(children[0]) == ["id", "title", "quantity", "__parentId"]  # the parent's id comes last
    assert "lineItems" not in roots[0] and roots[0]["totalPriceSet"]["shopMoney"]["currencyCode"] == "USD"
    assert {r["id"] for r in rows} == paged_ids(shop) and len(rows) == len({r["id"] for r in rows})
    assert operation["objectCount"] == str(len(rows)) and operation["rootObjectCount"] == str(len(roots))
    assert operation["url"].startswith(shop.url + "/__emulator/files/")
    assert int(operation["fileSize"]) == len(requests.get(operation["url"], timeout=30).content)
    assert operation["completedAt"] >= operation["createdAt"]
    # A client that takes "the last root line" as the parent of a child line gets it wrong.
    last_root: str | None = None
    misplaced = 0
    for row in rows:
        if "__parentId" not in row:
            last_root = row["id"]
        elif row["__parentId"] != last_root:
            misplaced += 1
    assert misplaced > len(children) // 2


def test_grouped_export_puts_children_right_after_their_parent(shop: Running) -> None:
    _, rows = export(shop, ORDERS_WITH_LINE_ITEMS, group=True)
    last_root = None
    for row in rows:
        if "__parentId" in row:
            assert row["__parentId"] == last_root
        else:
            last_root = row["id"]
    assert any("__parentId" in row for row in rows)


def test_export_ignores_first_and_escapes_like_shopify(shop: Running) -> None:
    operation, rows = export(shop, "{ customers(first: 3) { edges { node { id } } } }")
    assert len(rows) == shop.graphql("{ customersCount { count } }")["data"]["customersCount"]["count"] > 3
    raw = requests.get(operation["url"], timeout=30).text
    assert raw.startswith('{"id":"gid:\\/\\/shopify\\/Customer\\/')


def test_run_answer_matches_shopify_shape(shop: Running) -> None:
    ours = run_query(shop, "#graphql\n{\n  products {\n    edges {\n      node {\n        id\n      }\n    }\n  }\n}")
    if captures_available():
        theirs = load(f"{CAPTURES}/bulk-operation-run-query-concurrency-limit.json")["successfulRuns"][0]["response"]
        assert mask(ours) == mask(theirs["data"]["bulkOperationRunQuery"])


# validation --------------------------------------------------------------------------------------------
def captured_query_validations() -> list[Any]:
    if not captures_available():
        return [pytest.param("", "", [], id="captures-missing")]  # one case, that needs_captures stops
    cases = []
    for name in ("bulk-operation-run-query-validators.json", "bulk-operation-run-query-user-error-codes.json"):
        for case, call in load(f"{CAPTURES}/{name}")["validations"].items():
            expected = call["response"]["data"]["bulkOperationRunQuery"]["userErrors"]
            cases.append((case, call["variables"]["query"], expected))
    return cases


@needs_captures
@pytest.mark.parametrize(("case", "query", "expected"), captured_query_validations())
def test_bulk_query_validation_matches_shopify(validating: Running, case: str, query: str, expected: list) -> None:
    answer = run_query(validating, query)
    assert answer["bulkOperation"] is None
    assert answer["userErrors"] == expected, case


def test_oversized_query_is_refused(validating: Running) -> None:
    errors = run_query(validating, "#" + "a" * 65535)["userErrors"]
    assert errors == [
        {"field": ["query"], "message": "Query is too large (65536 bytes; maximum is 65535 bytes)", "code": "INVALID"}
    ]


def test_at_most_five_queries_run_at_once(slow_shop: Running) -> None:
    query = "#graphql\n{\n  products {\n    edges {\n      node {\n        id\n      }\n    }\n  }\n}"
    ids = [run_query(slow_shop, query)["bulkOperation"]["id"] for _ in range(5)]
    sixth = run_query(slow_shop, query)
    assert sixth["bulkOperation"] is None
    assert sixth["userErrors"] == [
        {
            "field": None,
            "message": f"A bulk query operation for this app and shop is already in progress: {', '.join(ids)}.",
            "code": "OPERATION_IN_PROGRESS",
        }
    ]
    if captures_available():
        theirs = load(f"{CAPTURES}/bulk-operation-run-query-concurrency-limit.json")["sixthRun"]["response"]
        assert mask(sixth) == mask(theirs["data"]["bulkOperationRunQuery"])


# reads and cancel -------------------------------------------------------------------------------------
def test_cancel_moves_through_canceling_to_canceled(slow_shop: Running) -> None:
    operation = run_query(slow_shop, ORDERS_WITH_LINE_ITEMS)["bulkOperation"]
    assert wait(slow_shop, operation["id"], ("RUNNING",))["status"] == "RUNNING"
    canceled = slow_shop.graphql(CANCEL, {"id": operation["id"]})["data"]["bulkOperationCancel"]
    assert canceled["userErrors"] == [] and canceled["bulkOperation"]["status"] == "CANCELING"
    slow_shop.emulator.store.clock.offset += 1
    final = wait(slow_shop, operation["id"], ("CANCELED",))
    assert final["status"] == "CANCELED" and final["url"] is None and final["completedAt"] is None
    again = slow_shop.graphql(CANCEL, {"id": operation["id"]})["data"]["bulkOperationCancel"]
    assert again["userErrors"] == [
        {"field": None, "message": "A bulk operation cannot be canceled when it is canceled"}
    ]
    current = slow_shop.graphql(f"{{ currentBulkOperation {{ {OPERATION_FIELDS} }} }}")["data"]
    assert current["currentBulkOperation"]["id"] == operation["id"]
    listed = slow_shop.graphql('{ bulkOperations(first: 5, query: "status:canceled") { nodes { id status } } }')
    assert listed["data"]["bulkOperations"]["nodes"] == [{"id": operation["id"], "status": "CANCELED"}]


@needs_captures
def test_cancel_errors_match_shopify(shop: Running) -> None:
    capture = load(f"{CAPTURES}/bulk-operation-status-catalog-cancel.json")
    unknown = capture["validations"]["bulkOperationCancelUnknownId"]
    assert shop.graphql(CANCEL, unknown["variables"])["data"] == unknown["response"]["data"]
    completed, _ = export(shop, "{ products { edges { node { id } } } }")
    ours = shop.graphql(CANCEL, {"id": completed["id"]})["data"]["bulkOperationCancel"]["userErrors"]
    theirs = capture["lifecycle"]["queryExportToTerminal"]["terminalCancelAttempt"]["response"]["data"]
    assert ours == theirs["bulkOperationCancel"]["userErrors"]


def test_reading_another_type_of_id_is_an_error(shop: Running) -> None:
    answer = shop.graphql('{ bulkOperation(id: "gid://shopify/Product/1") { id } }')
    assert answer["errors"][0]["message"] == "Invalid id: gid://shopify/Product/1"
    assert answer["errors"][0]["extensions"] == {"code": "RESOURCE_NOT_FOUND"}
    assert shop.graphql('{ bulkOperation(id: "gid://shopify/BulkOperation/0") { id } }')["data"] == {
        "bulkOperation": None
    }


def test_bulk_fail_fault_leaves_partial_data() -> None:
    running = start(faults=["bulk_fail:count=1"])
    try:
        started = run_query(running, ORDERS_WITH_LINE_ITEMS, group=True)["bulkOperation"]
        failed = wait(running, started["id"])
        assert (failed["status"], failed["errorCode"], failed["url"]) == ("FAILED", "INTERNAL_SERVER_ERROR", None)
        partial = download(failed["partialDataUrl"])
        _, complete = export(running, ORDERS_WITH_LINE_ITEMS, group=True)
        assert 0 < len(partial) < len(complete) and partial == complete[: len(partial)]
        assert failed["objectCount"] == str(len(partial))
    finally:
        running.server.shutdown()
        running.server.server_close()


# imports -----------------------------------------------------------------------------------------------
def stage(shop: Running, lines: list[str]) -> str:
    """stagedUploadsCreate, then the multipart POST a client makes; the staged path to run with."""
    answer = shop.graphql(
        STAGED_UPLOAD,
        {
            "input": [
                {
                    "resource": "BULK_MUTATION_VARIABLES",
                    "filename": "vars.jsonl",
                    "mimeType": "text/jsonl",
                    "httpMethod": "POST",
                }
            ]
        },
    )["data"]["stagedUploadsCreate"]
    target = answer["stagedTargets"][0]
    form = {p["name"]: p["value"] for p in target["parameters"]}
    assert form["key"].startswith("tmp/") and form["key"].endswith("/vars.jsonl")
    body = "".join(line + "\n" for line in lines).encode()
    posted = requests.post(target["url"], data=form, files={"file": ("vars.jsonl", body)}, timeout=30)
    assert posted.status_code == 201
    return form["key"]


@needs_captures
def test_staged_target_has_shopify_form_fields(validating: Running) -> None:
    capture = load(f"{CAPTURES}/bulk-operation-run-mutation-created-status.json")["setup"]["stagedUpload"]
    ours = validating.graphql(STAGED_UPLOAD, capture["variables"])["data"]["stagedUploadsCreate"]
    theirs = capture["response"]["data"]["stagedUploadsCreate"]
    assert ours["userErrors"] == theirs["userErrors"] == []
    target, their_target = ours["stagedTargets"][0], theirs["stagedTargets"][0]
    assert [p["name"] for p in target["parameters"]] == [p["name"] for p in their_target["parameters"]]
    assert target["resourceUrl"] == target["url"] and their_target["resourceUrl"] == their_target["url"]
    key = next(p["value"] for p in target["parameters"] if p["name"] == "key")
    filename = re.escape(capture["variables"]["input"][0]["filename"])
    assert re.fullmatch(rf"tmp/\d+/bulk/[0-9a-f-]{{36}}/{filename}", key), key


def run_mutation(shop: Running, mutation: str, path: str, client_identifier: str | None = None) -> dict[str, Any]:
    variables = {"mutation": mutation, "path": path, "clientIdentifier": client_identifier}
    return shop.graphql(RUN_MUTATION, variables)["data"]["bulkOperationRunMutation"]


def import_rows(shop: Running, mutation: str, lines: list[str]) -> list[dict[str, Any]]:
    started = run_mutation(shop, mutation, stage(shop, lines))
    assert started["userErrors"] == [] and started["bulkOperation"]["type"] == "MUTATION"
    operation = wait(shop, started["bulkOperation"]["id"])
    assert operation["status"] == "COMPLETED" and operation["objectCount"] == str(len(lines))
    return download(operation["url"])


def test_bulk_mutation_answers_every_line_out_of_order(shop: Running) -> None:
    customers = shop.graphql("{ customers(first: 120) { nodes { id } } }")["data"]["customers"]["nodes"]
    lines = [json.dumps({"id": c["id"], "tags": [f"bulk-{n}"]}) for n, c in enumerate(customers)]
    lines[7] = json.dumps({"id": "gid://shopify/Customer/1", "tags": ["nobody"]})
    rows = import_rows(shop, TAGS_ADD, lines)
    numbers = [row["__lineNumber"] for row in rows]
    assert sorted(numbers) == list(range(len(lines))) and numbers != sorted(numbers)
    by_line = {row["__lineNumber"]: row for row in rows}
    assert list(by_line[0]) == ["data", "__lineNumber"]
    assert by_line[0]["data"]["tagsAdd"] == {"node": {"id": customers[0]["id"]}, "userErrors": []}
    assert by_line[7]["errors"] and by_line[7]["data"] == {"tagsAdd": None}
    tagged = shop.graphql("query($id: ID!) { customer(id: $id) { tags } }", {"id": customers[3]["id"]})
    assert "bulk-3" in tagged["data"]["customer"]["tags"]


def test_a_line_with_bad_variables_is_refused_as_a_request_by_itself_would_be(shop: Running) -> None:
    """Shopify checks each line's variables against their declared types before running the mutation: a bad
    line's answer is the INVALID_VARIABLE errors alone (no data), as for the same call sent by itself."""
    mutation = (
        "mutation Set($input: ProductSetInput!) { productSet(input: $input) { product { id } userErrors { field } } }"
    )
    lines = [{"input": {"title": "Good"}}, {"input": {"title": "Bad", "status": "BOGUS"}}]
    by_line = {row.pop("__lineNumber"): row for row in import_rows(shop, mutation, [json.dumps(v) for v in lines])}
    alone = shop.graphql(mutation, lines[1])
    assert alone["errors"][0]["extensions"]["code"] == "INVALID_VARIABLE"
    assert by_line[1] == alone
    assert by_line[0]["data"]["productSet"]["product"]["id"]


@pytest.mark.skipif(("Mutation", "customerCreate") not in RESOLVERS, reason="customerCreate is not served yet")
def test_bulk_customer_create_reports_user_errors_per_line(shop: Running) -> None:
    lines = [json.dumps({"input": {"email": f"bulk{n}@example.com", "lastName": f"Bulk {n}"}}) for n in range(30)]
    lines[4] = json.dumps({"input": {"email": "not an email"}})
    mutation = (
        "mutation CustomerCreate($input: CustomerInput!) { customerCreate(input: $input) "
        "{ customer { id email } userErrors { field message } } }"
    )
    rows = import_rows(shop, mutation, lines)
    numbers = [row["__lineNumber"] for row in rows]
    assert sorted(numbers) == list(range(30)) and numbers != sorted(numbers)
    by_line = {row["__lineNumber"]: row["data"]["customerCreate"] for row in rows}
    assert by_line[4]["customer"] is None and by_line[4]["userErrors"]
    assert all(by_line[n]["userErrors"] == [] and by_line[n]["customer"]["id"] for n in range(30) if n != 4)


@needs_captures
def test_bulk_mutation_validation_matches_shopify(validating: Running) -> None:
    """Every captured refusal whose staged file is not needed (or is missing), sent as Shopify got it."""
    seen = 0
    for name in (
        "bulk-operation-run-mutation-validators.json",
        "bulk-operation-run-mutation-user-errors.json",
        "bulk-operation-run-mutation-connection-validators.json",
        "bulk-operation-name-independent-run-roots.json",
    ):
        for case in _calls(load(f"{CAPTURES}/{name}")):
            expected = case["response"]["data"]["bulkOperationRunMutation"]["userErrors"]
            ours = run_mutation(validating, case["variables"]["mutation"], case["variables"]["path"])
            assert ours["userErrors"] == expected, (name, case["variables"])
            seen += 1
    assert seen >= 10


def _calls(capture: Any) -> Iterator[dict[str, Any]]:
    if isinstance(capture, dict):
        data = (capture.get("response") or {}).get("data") if isinstance(capture.get("response"), dict) else None
        if data and data.get("bulkOperationRunMutation", {}).get("userErrors"):
            yield capture
            return
        for value in capture.values():
            yield from _calls(value)
    elif isinstance(capture, list):
        for value in capture:
            yield from _calls(value)


def test_staged_file_checks(shop: Running) -> None:
    empty = run_mutation(shop, TAGS_ADD, stage(shop, []))
    assert empty["userErrors"] == [
        {"field": None, "message": "The input file is empty.", "code": "INVALID_STAGED_UPLOAD_FILE"}
    ]
    path = stage(shop, ['{"id": "gid://shopify/Customer/1", "tags": ["x"]}'])
    assert run_mutation(shop, TAGS_ADD, path, "abc")["userErrors"] == [
        {
            "field": ["clientIdentifier"],
            "message": "is too short (minimum is 10 characters)",
            "code": "INVALID_MUTATION",
        }
    ]
    assert run_mutation(shop, TAGS_ADD, path, "x" * 256)["userErrors"] == [
        {
            "field": ["clientIdentifier"],
            "message": "is too long (maximum is 255 characters)",
            "code": "INVALID_MUTATION",
        }
    ]
    missing = run_mutation(shop, TAGS_ADD, path + ".missing")["userErrors"]
    assert [e["code"] for e in missing] == ["NO_SUCH_FILE"]


def test_the_exports_shortcut_answers_as_graphql_core_does(shop: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fields read from the record as they are, or by a resolver that returns no connection, skip
    graphql-core's machinery in an export; the answer is the same, errors (a non-null field the
    record lacks, a resolver that fails) included."""
    from graphql import GraphQLError, execute_sync, parse

    from shopify_admin_emulator.domains.bulk_operations.runner import ExportExecution, RootPaging
    from shopify_admin_emulator.graphql_api import Context
    from tap_shopify_admin.tap import TapShopifyAdmin

    def answers(text: str) -> list[Any]:
        return [
            execute_sync(
                shop.emulator.api.schema,
                parse(text),
                context_value=Context(shop.emulator.store, shop.url, shop.emulator),
                middleware=[RootPaging(root)],
                execution_context_class=execution,
            )
            for execution in (None, ExportExecution)
        ]

    tap = TapShopifyAdmin(config={"shop": "offline", "access_token": "none"})
    for root in ("orders", "products", "customers"):
        stream = tap.streams[root]
        query = stream.reader.bulk_query(stream, "updated_at:>='2000-01-01T00:00:00Z'")  # type: ignore[attr-defined]
        plain, shortcut = answers(query)
        assert plain.errors is None and plain.data and plain.data[root]["edges"]
        assert shortcut.data == plain.data
    root = "orders"
    order = next(iter(shop.emulator.store.all("Order")))
    del order["name"]  # a String! the record lacks
    order["_line_items"][0]["quantity"] = "many"  # an Int! that is not one
    for fields in ("name", "lineItems { edges { node { quantity } } }"):
        plain, shortcut = answers(f"{{ orders {{ edges {{ node {{ id {fields} }} }} }} }}")
        assert plain.errors
        assert [e.formatted for e in shortcut.errors or ()] == [e.formatted for e in plain.errors]

    def broken(*_: Any, **__: Any) -> None:
        raise GraphQLError("resolver failed")

    monkeypatch.setattr(shop.emulator.api.schema.type_map["Order"].fields["totalPriceSet"], "resolve", broken)  # type: ignore[attr-defined]
    plain, shortcut = answers("{ orders { edges { node { id totalPriceSet { shopMoney { amount } } } } } }")
    assert plain.errors and plain.data == shortcut.data
    assert [e.formatted for e in shortcut.errors or ()] == [e.formatted for e in plain.errors]


def test_result_lines_are_escaped_as_shopify_writes_them() -> None:
    from shopify_admin_emulator.domains.bulk_operations.runner import jsonl_lines

    lines = jsonl_lines([{"note": "a&b <i>x</i> é", "n": 1.5}, {"url": "https://x/y"}])
    assert lines == (
        b'{"note":"a\\u0026b \\u003ci\\u003ex\\u003c\\/i\\u003e \xc3\xa9","n":1.5}\n{"url":"https:\\/\\/x\\/y"}\n'
    )
    assert jsonl_lines([]) == b""
