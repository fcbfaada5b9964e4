"""Bulk operations. Queries: start `bulkOperationRunQuery`, poll it to the end, download its JSONL
result and put the nested objects back into their parents. Mutations: upload one line of variables per
record (`stagedUploadsCreate`), run `bulkOperationRunMutation` over them and read each line's answer
back by its `__lineNumber`.

Shopify writes every node of every connection as a line of its own; a nested node names its parent
by `__parentId` and, without `groupObjects`, may come before or after it. Reassembly keeps memory
flat whatever the size of the file: a first pass indexes the lines in a SQLite database next to the
file (roots by sort key, children by parent id, both as file offsets), a second pass reads the roots
in order and looks their children up.
"""

from __future__ import annotations

import itertools
import json
import logging
import operator
import sqlite3
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, BinaryIO

import msgspec
import requests

from .client import ShopifyAdminClient
from .errors import AnswerLostError, ShopifyError
from .progress import PROGRESS_EVERY, Progress
from .retry import RetryableError, poll_pauses

log = logging.getLogger("shopify_admin")

ACTIVE = ("CREATED", "RUNNING", "CANCELING")
OPERATION_FIELDS = "id status errorCode objectCount rootObjectCount fileSize url partialDataUrl"
STARTED = f"bulkOperation {{ {OPERATION_FIELDS} }} userErrors {{ field message code }}"
RUN_QUERY = (
    "mutation BulkOperationRunQuery($query: String!) {"
    f" bulkOperationRunQuery(query: $query, groupObjects: false) {{ {STARTED} }} }}"
)
RUN_MUTATION = (
    "mutation BulkOperationRunMutation($mutation: String!, $path: String!) {"
    f" bulkOperationRunMutation(mutation: $mutation, stagedUploadPath: $path) {{ {STARTED} }} }}"
)
STAGED_UPLOAD = """mutation StagedUploadsCreate($input: [StagedUploadInput!]!) {
  stagedUploadsCreate(input: $input) { stagedTargets { url parameters { name value } } userErrors { field message } }
}"""
UPLOAD_NAME = "variables.jsonl"
POLL_QUERY = f"query BulkOperation($id: ID!) {{ bulkOperation(id: $id) {{ {OPERATION_FIELDS} }} }}"
# deprecated for `bulkOperations(query: …)`, but a direct read: a search may not show a new operation yet
CURRENT_QUERY = (
    "query CurrentBulkOperation($type: BulkOperationType!) {"
    f" currentBulkOperation(type: $type) {{ {OPERATION_FIELDS} }} }}"
)
TRANSFER_ATTEMPTS = 4  # a file is whole or not: fewer attempts than for a request
CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class BulkOperation:
    id: str
    status: str
    error_code: str | None
    object_count: int  # lines in the file
    root_object_count: int  # lines without `__parentId`
    file_size: int | None  # bytes; known once the operation has completed
    url: str | None
    partial_data_url: str | None

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> BulkOperation:
        return cls(
            data["id"],
            data["status"],
            data.get("errorCode"),
            int(data.get("objectCount") or 0),
            int(data.get("rootObjectCount") or 0),
            None if data.get("fileSize") is None else int(data["fileSize"]),
            data.get("url"),
            data.get("partialDataUrl"),
        )

    @property
    def result_url(self) -> str | None:
        """The complete file, or on failure what Shopify had written before it."""
        return self.url or self.partial_data_url


class BulkRunner:
    """Runs bulk queries and mutations through a ShopifyAdminClient, sharing its auth, throttle and retries."""

    def __init__(
        self,
        client: ShopifyAdminClient,
        *,
        first_poll: float = 1.0,
        max_poll: float = PROGRESS_EVERY,  # a progress line about every PROGRESS_EVERY seconds
        max_start_wait: float = 3600.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.first_poll = first_poll
        self.max_poll = max_poll
        self.max_start_wait = max_start_wait
        self._sleep = sleep

    def start(self, query: str) -> BulkOperation:
        """Start a bulk query; while the shop's limit of running ones is reached, wait for a free slot."""
        return self._start(RUN_QUERY, {"query": query}, "bulkOperationRunQuery")

    def _current(self, kind: str) -> BulkOperation | None:
        data = self.client.execute(CURRENT_QUERY, {"type": kind})["currentBulkOperation"]
        return BulkOperation.from_api(data) if data else None

    def _start(self, document: str, variables: dict[str, Any], root: str) -> BulkOperation:
        """Start an operation once: when the answer to the start is lost, the shop's current operation of
        the kind, if it is a new one, is the one started (a second start would run everything twice)."""
        kind = "MUTATION" if root == "bulkOperationRunMutation" else "QUERY"
        before = self._current(kind)
        waited = 0.0
        lost = 0
        for delay in poll_pauses(self.first_poll, self.max_poll):
            try:
                answer = self.client.execute(document, variables, resend=False)[root]
            except AnswerLostError as error:
                current = self._current(kind)
                if current is not None and (before is None or current.id != before.id):
                    log.info("Bulk operation %s started (its answer was lost)", current.id)
                    return current
                lost += 1
                if lost == self.client.retry.max_attempts:
                    raise
                log.warning("%s; starting the bulk operation again", error)
                continue
            errors = answer["userErrors"]
            if not errors:
                operation = BulkOperation.from_api(answer["bulkOperation"])
                log.info("Bulk operation %s started", operation.id)
                return operation
            if any(e.get("code") != "OPERATION_IN_PROGRESS" for e in errors) or waited >= self.max_start_wait:
                raise ShopifyError(
                    "Shopify refused the bulk operation: " + "; ".join(str(e["message"]) for e in errors), answer
                )
            log.info("Bulk operations already running; retrying in %.0fs", delay)
            self._sleep(delay)
            waited += delay
        raise AssertionError("unreachable")

    def poll(self, operation_id: str) -> BulkOperation | None:
        """The operation as it is now; None when Shopify no longer knows it."""
        data = self.client.execute(POLL_QUERY, {"id": operation_id})["bulkOperation"]
        return BulkOperation.from_api(data) if data else None

    def wait(self, operation: BulkOperation) -> BulkOperation:
        """Poll until the operation has ended, backing off from `first_poll` to `max_poll` seconds."""
        delays = poll_pauses(self.first_poll, self.max_poll)
        progress = Progress(log, self.client, {"bulk_operation": operation.id}, unit="objects")
        while operation.status in ACTIVE:
            self._sleep(next(delays))
            polled = self.poll(operation.id)
            if polled is None:
                raise ShopifyError(f"bulk operation {operation.id} has vanished")
            operation = polled
            progress.reached(operation.object_count, operation.status)
        log.info("Bulk operation %s: %s, %d objects", operation.id, operation.status, operation.object_count)
        return operation

    def _transfer(self, what: str, attempt: Callable[[], None]) -> None:
        """Run `attempt` under the client's retry policy, with TRANSFER_ATTEMPTS attempts."""
        replace(self.client.retry, max_attempts=TRANSFER_ATTEMPTS).call(what, attempt)

    def download(self, operation: BulkOperation, out: BinaryIO) -> None:
        """Stream the operation's result file to `out`. The URL is pre-signed: no access token goes with
        it. A complete file is checked against the operation's counts: a body that ended early at a line
        boundary, without Content-Length, looks whole to HTTP and is only caught here."""
        url = operation.result_url
        assert url is not None, "the operation has no result file"

        def attempt() -> None:
            out.seek(0)
            out.truncate()
            with requests.get(url, stream=True, timeout=self.client.timeout) as response:
                if response.status_code >= 500:
                    raise RetryableError(f"HTTP {response.status_code}")
                response.raise_for_status()
                for chunk in response.iter_content(CHUNK_BYTES):
                    out.write(chunk)
                out.flush()
            if operation.url is not None:  # partial data has no size and may hold fewer lines than counted
                check_complete(operation, out)

        self._transfer("download the bulk result", attempt)

    def upload(self, body: bytes) -> str:
        """Stage `body` as a bulk mutation's variables file; its path for bulkOperationRunMutation."""
        staged = {"resource": "BULK_MUTATION_VARIABLES", "filename": UPLOAD_NAME, "mimeType": "text/jsonl"}
        answer = self.client.execute(STAGED_UPLOAD, {"input": [{**staged, "httpMethod": "POST"}]})
        answer = answer["stagedUploadsCreate"]
        if answer["userErrors"]:
            raise ShopifyError("Shopify refused the staged upload: " + str(answer["userErrors"]), answer)
        target = answer["stagedTargets"][0]
        form = {p["name"]: p["value"] for p in target["parameters"]}

        def attempt() -> None:  # a signed form post: no access token goes with it
            files = {"file": (UPLOAD_NAME, body, "text/jsonl")}
            response = requests.post(target["url"], data=form, files=files, timeout=self.client.timeout)
            if response.status_code >= 500:
                raise RetryableError(f"HTTP {response.status_code}")
            response.raise_for_status()

        self._transfer("upload the bulk mutation's variables", attempt)
        return form["key"]

    def run_mutation(self, mutation: str, lines: list[dict[str, Any]]) -> tuple[BulkOperation, dict[int, dict]]:
        """Run `mutation` once per variables object in `lines` and wait for the end; the operation and each
        line's answer (`data` and/or `errors`) by line number. A line without an answer was not reported:
        the operation failed or was canceled before it (check the operation's status)."""
        body = b"".join(json.dumps(line, separators=(",", ":")).encode() + b"\n" for line in lines)
        path = self.upload(body)
        operation = self._start(RUN_MUTATION, {"mutation": mutation, "path": path}, "bulkOperationRunMutation")
        operation = self.wait(operation)
        answers: dict[int, dict] = {}
        if operation.result_url is not None:
            with tempfile.TemporaryFile() as out:
                self.download(operation, out)
                out.seek(0)
                for line in out:
                    if line.strip():
                        answer = json.loads(line)
                        answers[answer.pop("__lineNumber")] = answer
        return operation, answers

    def records(
        self,
        operation: BulkOperation,
        connections: Mapping[str, Mapping[str, str]],
        sort_key: str | None = None,
        root_type: str | None = None,
    ) -> Iterator[dict[str, Any]]:
        """The ended operation's root objects with their children put back, see `reassemble`."""
        if operation.result_url is None:
            return
        with tempfile.TemporaryDirectory(prefix="shopify-bulk-") as directory:
            path = Path(directory) / "result.jsonl"
            with path.open("w+b") as out:
                self.download(operation, out)
            yield from reassemble(path, connections, sort_key, root_type)


def check_complete(operation: BulkOperation, file: BinaryIO) -> None:
    """Raise RetryableError unless `file` holds as many bytes, lines and root lines as the operation wrote."""
    file.seek(0)
    lines = roots = size = 0
    for line in file:
        size += len(line)
        lines += 1
        roots += b'"__parentId":' not in line
    expected = (operation.file_size, operation.object_count, operation.root_object_count)
    if (operation.file_size is not None and size != operation.file_size) or (lines, roots) != expected[1:]:
        raise RetryableError(
            f"incomplete file: {size} bytes, {lines} objects, {roots} root objects"
            f" where the operation wrote {expected[0]}, {expected[1]} and {expected[2]}"
        )


def gid_type(gid: str) -> str:
    """`gid://shopify/LineItem/1` → `LineItem`."""
    return gid.removeprefix("gid://shopify/").split("/", 1)[0]


def gid_number(gid: str) -> int | None:
    """`gid://shopify/LineItem/1` → 1; None for an id without a trailing number."""
    number = gid.rpartition("/")[2]
    return int(number) if number.isdigit() else None


def reassemble(
    path: Path,
    connections: Mapping[str, Mapping[str, str]],
    sort_key: str | None = None,
    root_type: str | None = None,
) -> Iterator[dict[str, Any]]:
    """The root objects of a bulk result file, in `sort_key` order, ties in id order as Shopify's
    cursors break them (then file order), each nested connection a list of its nodes in the order
    of the file. With `root_type`, the objects of that type are the ones given, without `__parentId`,
    and their parents are left out: a parent's list of them would have to be held whole.

    `connections` names, per parent type, the field each child type belongs in:
    `{"Order": {"LineItem": "lineItems"}}`; every field named there is present in its parent's records.
    """
    index = path.with_suffix(".index.sqlite")
    index.unlink(missing_ok=True)  # one an interrupted reading left behind
    database = sqlite3.connect(index)
    decode = msgspec.json.Decoder().decode
    try:
        parent_types = _index(path, database, sort_key, root_type)
        with path.open("rb") as lines:

            def read(offset: int) -> dict[str, Any]:
                lines.seek(offset)
                return decode(lines.readline())  # type: ignore[no-any-return]

            def attach(node: dict[str, Any], children: Iterable[int] | None = None) -> dict[str, Any]:
                node_type = gid_type(node.get("id") or "")
                fields = connections.get(node_type, {})
                for field in fields.values():
                    node[field] = []
                if children is None and node_type in parent_types:
                    children = [offset for (offset,) in database.execute(CHILDREN, (node["id"],))]
                for offset in children or ():
                    child = read(offset)
                    del child["__parentId"]
                    child_type = gid_type(child.get("id") or "")
                    if child_type not in fields:
                        raise ValueError(f"no connection of {node_type} is known to hold {child_type} objects")
                    node[fields[child_type]].append(attach(child))
                return node

            # the roots in order, each with its children's offsets: one query, not one per root
            rows = database.execute(ROOTS_WITH_CHILDREN)
            for root, group in itertools.groupby(rows, key=operator.itemgetter(0)):
                node = read(root)
                node.pop("__parentId", None)
                yield attach(node, [child for _root, child in group if child is not None])
    finally:
        database.close()
        index.unlink(missing_ok=True)


CHILDREN = "SELECT offset FROM children WHERE parent = ? ORDER BY offset"
ROOTS_WITH_CHILDREN = """SELECT roots.offset, children.offset
FROM roots LEFT JOIN children ON children.parent = roots.id
ORDER BY roots.sort, roots.number, roots.offset, children.offset"""


def _line_keys(sort_key: str | None) -> msgspec.json.Decoder[Any]:
    """A decoder of only what the index needs from a line; msgspec skips the rest without building it."""
    fields: list[tuple[str, Any, Any]] = [
        ("parent", str | None, msgspec.field(name="__parentId", default=None)),
        ("id", str | None, None),
    ]
    if sort_key:
        fields.append(("sort", Any, msgspec.field(name=sort_key, default=None)))
    return msgspec.json.Decoder(msgspec.defstruct("LineKeys", fields))


def _index(path: Path, database: sqlite3.Connection, sort_key: str | None, root_type: str | None) -> set[str]:
    """Index the file's lines by file offset (the roots: lines without a parent, or the objects of
    `root_type`); return the types that have children in it."""
    database.executescript(
        "CREATE TABLE roots (sort TEXT, number INTEGER, offset INTEGER, id TEXT);"
        "CREATE TABLE children (parent TEXT, offset INTEGER);"
        "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
    )
    decode = _line_keys(sort_key).decode
    parent_types: set[str] = set()
    roots: list[tuple[Any, int | None, int, str | None]] = []
    children: list[tuple[str, int]] = []

    def flush() -> None:
        database.executemany("INSERT INTO roots VALUES (?, ?, ?, ?)", roots)
        database.executemany("INSERT INTO children VALUES (?, ?)", children)
        roots.clear()
        children.clear()

    with path.open("rb") as lines:
        offset = 0
        for line in lines:
            if line.strip():
                keys = decode(line)
                if keys.parent is None if root_type is None else gid_type(keys.id or "") == root_type:
                    number = gid_number(keys.id) if keys.id else None
                    roots.append((getattr(keys, "sort", None), number, offset, keys.id))
                elif keys.parent is not None:
                    children.append((keys.parent, offset))
                    parent_types.add(gid_type(keys.parent))
                if len(roots) + len(children) >= 10_000:
                    flush()
            offset += len(line)
    flush()
    database.executescript("CREATE INDEX children_by_parent ON children (parent, offset);")
    database.commit()
    return parent_types
