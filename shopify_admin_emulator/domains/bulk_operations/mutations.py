"""Bulk operations: starting, canceling, and the staged uploads a bulk mutation reads its variables from."""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from typing import Any

from ...graphql_api import Context, resolves
from ...resources import user_error
from .checks import MAX_RUNNING, check_mutation, check_query, check_upload, problem
from .runner import TERMINAL, Runner, export_work, import_work

SHOP_NUMBER = 1  # the number in Shop.id


def _in_progress(ctx: Context, type_: str) -> dict[str, Any] | None:
    running = Runner(ctx.emulator).active(type_)
    if len(running) < MAX_RUNNING:
        return None
    ids = ", ".join(op["id"] for op in running)
    noun = "query" if type_ == "QUERY" else "mutation"
    message = f"A bulk {noun} operation for this app and shop is already in progress: {ids}."
    return problem(None, message, "OPERATION_IN_PROGRESS")


@resolves("Mutation.bulkOperationRunQuery")
def bulk_operation_run_query(_root: Any, ctx: Context, query: str, groupObjects: bool = False) -> dict[str, Any]:
    checked = check_query(ctx.emulator.api.schema, query)
    errors = checked.errors or [e for e in [_in_progress(ctx, "QUERY")] if e]
    if errors:
        return {"bulkOperation": None, "userErrors": errors}
    assert checked.document is not None and checked.analysis is not None
    work = export_work(ctx.emulator, checked.document, checked.analysis.shape, groupObjects, ctx.base_url)
    return {"bulkOperation": Runner(ctx.emulator).start("QUERY", query, ctx.base_url, work), "userErrors": []}


@resolves("Mutation.bulkOperationRunMutation")
def bulk_operation_run_mutation(
    _root: Any,
    ctx: Context,
    mutation: str,
    stagedUploadPath: str,
    groupObjects: bool = True,
    clientIdentifier: str | None = None,
) -> dict[str, Any]:
    checked = check_mutation(ctx.emulator.api.schema, mutation, clientIdentifier)
    upload = ctx.emulator.uploads.get(stagedUploadPath)
    errors = checked.errors or check_upload(upload) or [e for e in [_in_progress(ctx, "MUTATION")] if e]
    if errors:
        return {"bulkOperation": None, "userErrors": errors}
    assert checked.document is not None and upload is not None
    work = import_work(ctx.emulator, checked.document, upload, ctx.base_url)
    return {"bulkOperation": Runner(ctx.emulator).start("MUTATION", mutation, ctx.base_url, work), "userErrors": []}


@resolves("Mutation.bulkOperationCancel")
def bulk_operation_cancel(_root: Any, ctx: Context, id: str) -> dict[str, Any]:
    op = ctx.store.node(id, "BulkOperation")
    if op is None:
        return {"bulkOperation": None, "userErrors": [user_error(["id"], "Bulk operation does not exist")]}
    runner = Runner(ctx.emulator)
    status = runner.refresh(op)["status"]
    if status in TERMINAL:
        message = f"A bulk operation cannot be canceled when it is {status.lower()}"
        return {"bulkOperation": op, "userErrors": [user_error(None, message)]}
    if status != "CANCELING":
        runner.cancel(op)
    return {"bulkOperation": op, "userErrors": []}


@resolves("Mutation.stagedUploadsCreate")
def staged_uploads_create(_root: Any, ctx: Context, input: list[dict[str, Any]]) -> dict[str, Any]:
    return {"stagedTargets": [_staged_target(ctx, item) for item in input], "userErrors": []}


def _staged_target(ctx: Context, item: dict[str, Any]) -> dict[str, Any]:
    """A form-POST target shaped like Shopify's signed Google Cloud Storage policy; the emulator keeps
    whatever is posted to it under the form's `key`, which bulkOperationRunMutation then reads."""
    name = uuid.uuid4().hex
    key = f"tmp/{SHOP_NUMBER}/bulk/{uuid.UUID(name)}/{item['filename']}"
    now = ctx.store.clock.now_iso()
    stamp = now.replace("-", "").replace(":", "")
    policy = {
        "conditions": [{"Content-Type": item["mimeType"]}, {"success_action_status": "201"}, {"acl": "private"}],
        "key": key,
        "expiration": now,
    }
    url = f"{ctx.base_url}/__emulator/uploads/{name}"
    ctx.emulator.issue_upload_target(name, key)
    parameters = {
        "Content-Type": item["mimeType"],
        "success_action_status": "201",
        "acl": "private",
        "key": key,
        "x-goog-date": stamp,
        "x-goog-credential": f"emulator@shopify-admin-emulator/{stamp[:8]}/auto/storage/goog4_request",
        "x-goog-algorithm": "GOOG4-RSA-SHA256",
        "x-goog-signature": hashlib.sha256(key.encode()).hexdigest(),
        "policy": base64.b64encode(json.dumps(policy).encode()).decode(),
    }
    return {
        "url": url,
        "resourceUrl": url,
        "parameters": [{"name": k, "value": v} for k, v in parameters.items()],
    }
