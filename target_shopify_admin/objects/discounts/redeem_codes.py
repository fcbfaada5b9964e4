"""Redeem codes of code discounts, written in bulk: each record is one code (`code`, and `discountId`, the
code discount it belongs to, as the tap's discount_codes stream writes them). New codes go 250 at a time
to discountRedeemCodeBulkAdd, whose job is polled to the end; each code it refuses fails its record with
Shopify's reason, unless the discount holds it by the job's end. Deleted codes go by id to
discountCodeRedeemCodeBulkDelete. A code the discount holds already is unchanged, so a re-run writes nothing;
a code given again in the batch is the same code, unchanged once its first row has added it."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import cache, partial
from typing import Any

from shopify_admin import ShopifyAdminClient, ShopifyError
from shopify_admin.cost import largest_within, requested_cost
from shopify_admin.paging import PAGE_INFO, pages
from shopify_admin.retry import poll_pauses
from target_shopify_admin.objects.fields import RecordError, text, wrong
from target_shopify_admin.objects.kind import ObjectKind
from target_shopify_admin.objects.lookups import look_up
from target_shopify_admin.pipeline.context import RecordFailedError, WriteContext
from target_shopify_admin.pipeline.outcomes import Outcome
from target_shopify_admin.pipeline.plans import PendingRecord, Plan

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
    """Writes a batch of discount_code records, discount by discount."""

    def __init__(self, context: WriteContext, sleep: Callable[[float], None] = time.sleep) -> None:
        self.context = context
        self.client: ShopifyAdminClient = context.client
        self.sleep = sleep

    def write(self, batch: list[PendingRecord]) -> None:
        by_discount: dict[str, list[PendingRecord]] = {}
        for pending in batch:
            discount_id = self.context.settled(pending, self.checked, pending)
            if discount_id is not None:
                by_discount.setdefault(discount_id, []).append(pending)
        for discount_id, group in by_discount.items():
            try:
                self.add(discount_id, [p for p in group if not p.deleting])
                self.delete(discount_id, [p for p in group if p.deleting])
            except ShopifyError as error:  # a request refused for the whole group fails each of its records
                for pending in group:
                    self.context.fail(pending, error)

    def checked(self, pending: PendingRecord) -> str:
        """The record's discount id; its code becomes its key."""
        self.context.check_delete(pending)
        pending.key = text(pending.record, "code")
        if not pending.key:
            raise RecordError("the match key 'code' is missing or empty")
        discount_id = text(pending.record, "discountId")
        if not discount_id or "/DiscountCodeNode/" not in discount_id:
            raise wrong("discountId", "the id of a code discount (gid://shopify/DiscountCodeNode/…)", discount_id)
        return discount_id

    def owners(self, codes: list[str]) -> list[str | None]:
        """The id of the discount holding each code (any case), or None."""
        answers = look_up(self.client, lookup_document, lookups_per_query(), codes, lambda n, c: {f"c{n}": c})
        return [(answer or {}).get("id") for answer in answers]

    def planned(self, group: list[tuple[PendingRecord, Plan]]) -> list[PendingRecord]:
        """The records whose plan is a change to send; the others are noted."""
        for pending, plan in group:
            if plan.wanted is None:
                self.context.note(pending, plan.outcome, plan.shopify_id)
        return [plan.wanted for _, plan in group if plan.wanted is not None]

    def add(self, discount_id: str, group: list[PendingRecord]) -> None:
        owners = self.owners([p.key for p in group])
        firsts: dict[str, PendingRecord] = {}
        repeats: list[PendingRecord] = []  # a code a row before gives too (in any case): the same code
        plans = []
        for pending, owner in zip(group, owners, strict=True):
            # a code on another discount is sent too: Shopify refuses it, in its words
            held = owner == discount_id
            if firsts.setdefault(pending.key.casefold(), pending) is not pending and not held:
                repeats.append(pending)
                continue
            created = self.context.change(Outcome.CREATED, None, pending)
            plans.append((pending, Plan(Outcome.UNCHANGED, None) if held else created))
        new = self.planned(plans)
        for start in range(0, len(new), PER_JOB):
            chunk = new[start : start + PER_JOB]
            plan_again = partial(self.missing, discount_id, chunk)
            send = partial(self.add_job, discount_id)
            self.context.rechecked(discount_id, chunk, plan_again, send, looked_for="the codes")
        self.settle_repeats(discount_id, repeats)

    def settle_repeats(self, discount_id: str, repeats: list[PendingRecord]) -> None:
        """A repeated code is unchanged once its first row has added it, as it is on a re-run; a dry run
        takes the first row's add as done."""
        owners = [discount_id] * len(repeats) if self.context.options.dry_run else self.owners([p.key for p in repeats])
        for pending, owner in zip(repeats, owners, strict=True):
            if owner == discount_id:
                self.context.note(pending, Outcome.UNCHANGED, None)
            else:
                message = f"the code {pending.key!r} was not added: an earlier row of this batch gives it and failed"
                self.context.fail(pending, RecordFailedError(message))

    def add_job(self, discount_id: str, chunk: list[PendingRecord]) -> None:
        if not chunk:
            return
        variables = {"id": discount_id, "codes": [{"code": p.key} for p in chunk]}
        payload = self.client.execute(ADD, variables, resend=False)["discountRedeemCodeBulkAdd"]
        if payload["userErrors"]:
            for pending in chunk:
                self.context.fail(pending, RecordFailedError("Shopify refused the codes", payload["userErrors"]))
            return
        rows = self.finished(payload["bulkCreation"]["id"])
        refused = []
        for pending, row in zip(chunk, rows, strict=True):
            if row["errors"]:
                refused.append((pending, row["errors"]))
            else:
                self.context.note(pending, Outcome.CREATED, row["discountRedeemCode"]["id"])
        # a code refused as taken that the discount holds now was added by a job of ours whose answer was lost
        owners = self.owners([pending.key for pending, _ in refused])
        for (pending, errors), owner in zip(refused, owners, strict=True):
            if owner == discount_id:
                self.context.note(pending, Outcome.CREATED, None)
            else:
                message = f"Shopify refused the code {pending.key!r}: {errors[0]['message']}"
                self.context.fail(pending, RecordFailedError(message, errors))

    def missing(self, discount_id: str, chunk: list[PendingRecord]) -> list[PendingRecord]:
        """After a lost answer: the codes the discount holds now were added by it; the rest are sent again
        (Shopify lists no running jobs to wait for: a code the lost job adds meanwhile is refused to the
        second one as taken, and counts as created there)."""
        owners = self.owners([p.key for p in chunk])
        for pending, owner in zip(chunk, owners, strict=True):
            if owner == discount_id:
                self.context.note(pending, Outcome.CREATED, None)
        return [p for p, owner in zip(chunk, owners, strict=True) if owner != discount_id]

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
        plans = []
        for pending in group:
            code_id = held.get(pending.key.casefold())
            deleted = self.context.change(Outcome.DELETED, code_id, pending)
            plans.append((pending, Plan(Outcome.UNCHANGED, None) if code_id is None else deleted))  # gone already
        doomed = self.planned(plans)
        for start in range(0, len(doomed), PER_JOB):
            chunk = doomed[start : start + PER_JOB]
            ids = [held[p.key.casefold()] for p in chunk]
            answer = self.client.execute(DELETE, {"id": discount_id, "ids": ids}, resend=False)
            payload = answer["discountCodeRedeemCodeBulkDelete"]
            for pending, code_id in zip(chunk, ids, strict=True):
                if payload["userErrors"]:
                    error = RecordFailedError("Shopify refused to delete the codes", payload["userErrors"])
                    self.context.fail(pending, error)
                else:
                    self.context.note(pending, Outcome.DELETED, code_id)


KIND = ObjectKind(
    name="discount_code",
    stream="discount_codes",
    match_keys=("code",),
    rows=RedeemCodeWriter,
    summary="redeem codes of a code discount (discountId), added and deleted in bulk",
)
