"""Redeem codes of code discounts, written in bulk: each record is one code (`code`, and `discountId`, the
code discount it belongs to, as the tap's discount_codes stream writes them). New codes go 250 at a time
to discountRedeemCodeBulkAdd, whose job is polled to the end; each code it refuses fails its record with
Shopify's reason. Deleted codes go by id to discountCodeRedeemCodeBulkDelete. A code the discount holds
already is unchanged, so a re-run writes nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache
from typing import Any

from shopify_admin import AnswerLostError, ShopifyAdminClient, ShopifyError
from shopify_admin.cost import largest_within, requested_cost
from shopify_admin.paging import PAGE_INFO, pages
from shopify_admin.retry import poll_pauses
from target_shopify_admin.objects.fields import RecordError, text
from target_shopify_admin.objects.kind import ObjectKind
from target_shopify_admin.objects.lookups import look_up
from target_shopify_admin.pipeline.plans import PendingRecord
from target_shopify_admin.pipeline.record_writes import RecordFailedError, RecordWriter

PER_JOB = 250  # discountRedeemCodeBulkAdd and the job's codes connection take at most 250
ERRORS = "userErrors { field code message }"
ADD = f"""mutation TargetDiscountCodesAdd($id: ID!, $codes: [DiscountRedeemCodeInput!]!) {{
  discountRedeemCodeBulkAdd(discountId: $id, codes: $codes) {{ bulkCreation {{ id }} {ERRORS} }}
}}"""
JOB = f"""query TargetDiscountCodesJob($id: ID!) {{
  discountRedeemCodeBulkCreation(id: $id) {{
    done codes(first: {PER_JOB}) {{ nodes {{ code errors {{ field message }} discountRedeemCode {{ id }} }} }}
  }}
}}"""
DELETE = f"""mutation TargetDiscountCodesDelete($id: ID!, $ids: [ID!]!) {{
  discountCodeRedeemCodeBulkDelete(discountId: $id, ids: $ids) {{ job {{ done }} {ERRORS} }}
}}"""
CODES = f"""query TargetDiscountCodes($id: ID!, $first: Int!, $after: String) {{
  codeDiscountNode(id: $id) {{ codeDiscount {{
    ... on DiscountCodeBasic {{ codes(first: $first, after: $after) {{ nodes {{ id code }} {PAGE_INFO} }} }}
    ... on DiscountCodeFreeShipping {{ codes(first: $first, after: $after) {{ nodes {{ id code }} {PAGE_INFO} }} }}
    ... on DiscountCodeBxgy {{ codes(first: $first, after: $after) {{ nodes {{ id code }} {PAGE_INFO} }} }}
    ... on DiscountCodeApp {{ codes(first: $first, after: $after) {{ nodes {{ id code }} {PAGE_INFO} }} }}
  }} }}
}}"""


@cache
def lookup_document(count: int) -> str:
    arguments = ", ".join(f"$c{n}: String!" for n in range(count))
    lookups = " ".join(f"o{n}: codeDiscountNodeByCode(code: $c{n}) {{ id }}" for n in range(count))
    return f"query TargetDiscountCodeOwners({arguments}) {{ {lookups} }}"


@cache
def lookups_per_query() -> int:
    return largest_within(lambda count: requested_cost(lookup_document(count)))


class RedeemCodeWriter:
    """Writes a batch of discount_code records, discount by discount, through `records`' ledger."""

    def __init__(self, records: RecordWriter, sleep: Callable[[float], None] = time.sleep) -> None:
        self.records = records
        self.client: ShopifyAdminClient = records.options.client
        self.sleep = sleep

    def write(self, batch: list[PendingRecord]) -> None:
        by_discount: dict[str, list[PendingRecord]] = {}
        for pending in batch:
            try:
                by_discount.setdefault(self.checked(pending), []).append(pending)
            except RecordError as error:
                self.records.fail(pending, error)
        for discount_id, group in by_discount.items():
            try:
                self.add(discount_id, [p for p in group if not p.deleting])
                self.delete(discount_id, [p for p in group if p.deleting])
            except ShopifyError as error:  # a request refused for the whole group fails each of its records
                for pending in group:
                    self.records.fail(pending, error)

    def checked(self, pending: PendingRecord) -> str:
        """The record's discount id; its code becomes its key."""
        stream = self.records.stream
        if pending.deleting and not self.records.settings.allow_deletes:
            raise RecordError(f"delete refused: set streams.{stream}.allow_deletes to true")
        pending.key = text(pending.record, "code")
        if not pending.key:
            raise RecordError("the match key 'code' is missing or empty")
        discount_id = text(pending.record, "discountId")
        if not discount_id or "/DiscountCodeNode/" not in discount_id:
            raise RecordError(
                f"discountId must be the id of a code discount (gid://shopify/DiscountCodeNode/…), not {discount_id!r}"
            )
        return discount_id

    def owners(self, codes: list[str]) -> list[str | None]:
        """The id of the discount holding each code (any case), or None."""
        answers = look_up(self.client, lookup_document, lookups_per_query(), codes, lambda n, c: {f"c{n}": c})
        return [(answer or {}).get("id") for answer in answers]

    def add(self, discount_id: str, group: list[PendingRecord]) -> None:
        owners = self.owners([p.key for p in group])
        new = []
        for pending, owner in zip(group, owners, strict=True):
            if owner == discount_id:
                self.records.note(pending, "unchanged", None)
            else:
                new.append(pending)  # on another discount: Shopify refuses it, in its words
        if self.records.options.dry_run:
            for pending in new:
                self.records.note(pending, "would-create", None)
            return
        for start in range(0, len(new), PER_JOB):
            self.add_job(discount_id, new[start : start + PER_JOB])

    def add_job(self, discount_id: str, chunk: list[PendingRecord], attempt: int = 1) -> None:
        codes = [{"code": p.key} for p in chunk]
        variables = {"id": discount_id, "codes": codes}
        try:
            payload = self.client.execute(ADD, variables, resend=False)["discountRedeemCodeBulkAdd"]
        except AnswerLostError as lost:
            if attempt >= self.client.max_attempts:
                raise
            self.records.logger.warning("%s %s: %s; looking the codes up again", self.records.stream, discount_id, lost)
            self.add_missing(discount_id, chunk, attempt + 1)
            return
        if payload["userErrors"]:
            for pending in chunk:
                self.records.fail(pending, RecordFailedError("Shopify refused the codes", payload["userErrors"]))
            return
        rows = self.finished(payload["bulkCreation"]["id"])
        for pending, row in zip(chunk, rows, strict=True):
            if row["errors"]:
                message = f"Shopify refused the code {pending.key!r}: {row['errors'][0]['message']}"
                self.records.fail(pending, RecordFailedError(message, row["errors"]))
            else:
                self.records.note(pending, "created", row["discountRedeemCode"]["id"])

    def add_missing(self, discount_id: str, chunk: list[PendingRecord], attempt: int) -> None:
        """After a lost answer: the codes the discount holds now were added by it; the rest are sent again."""
        owners = self.owners([p.key for p in chunk])
        for pending, owner in zip(chunk, owners, strict=True):
            if owner == discount_id:
                self.records.note(pending, "created", None)
        missing = [p for p, owner in zip(chunk, owners, strict=True) if owner != discount_id]
        if missing:
            self.add_job(discount_id, missing, attempt)

    def finished(self, job_id: str) -> list[dict[str, Any]]:
        """The job's codes, in the order sent, once it is done."""
        for pause in poll_pauses(0.2, 5.0):
            job = self.client.execute(JOB, {"id": job_id})["discountRedeemCodeBulkCreation"]
            if job["done"]:
                return list(job["codes"]["nodes"])
            self.sleep(pause)
        raise AssertionError("unreachable")

    def delete(self, discount_id: str, group: list[PendingRecord]) -> None:
        if not group:
            return
        held = {
            code["code"].casefold(): code["id"]
            for page in pages(
                self.client, CODES, {"id": discount_id, "first": PER_JOB}, ("codeDiscountNode", "codeDiscount", "codes")
            )
            for code in page["nodes"]
        }
        doomed = [p for p in group if p.key.casefold() in held]
        for pending in group:
            if pending.key.casefold() not in held:
                self.records.note(pending, "unchanged", None)  # already gone
        if self.records.options.dry_run:
            for pending in doomed:
                self.records.note(pending, "would-delete", held[pending.key.casefold()])
            return
        for start in range(0, len(doomed), PER_JOB):
            chunk = doomed[start : start + PER_JOB]
            ids = [held[p.key.casefold()] for p in chunk]
            answer = self.client.execute(DELETE, {"id": discount_id, "ids": ids}, resend=False)
            payload = answer["discountCodeRedeemCodeBulkDelete"]
            for pending, code_id in zip(chunk, ids, strict=True):
                if payload["userErrors"]:
                    self.records.fail(
                        pending, RecordFailedError("Shopify refused to delete the codes", payload["userErrors"])
                    )
                else:
                    self.records.note(pending, "deleted", code_id)


KIND = ObjectKind(
    name="discount_code",
    stream="discount_codes",
    match_keys=("code",),
    rows=RedeemCodeWriter,
    summary="redeem codes of a code discount (discountId), added and deleted in bulk",
)
