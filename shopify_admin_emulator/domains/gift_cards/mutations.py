"""giftCardCreate / Update / Credit / Debit / Deactivate, validated and worded as the 2025-01 captures
show. A credit or debit changes the balance, so it moves the card's `updatedAt` (no capture tells
either way: every one there falls in the second of the card's last update)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from graphql import GraphQLError

from ...graphql_api import Context, resolves
from ...resources import find, user_error
from ...search import parse_time
from ...store import Record, iso
from .models import ISSUE_LIMIT, add_transaction, code_taken, generated_code, new_gift_card

NOT_FOUND = "The gift card could not be found."
NOTIFY_WITHIN = 90 * 86400
CUSTOMER_NOT_FOUND = "The customer could not be found."


def _amount(text: Any) -> Decimal | None:
    try:
        return Decimal(str(text))
    except (InvalidOperation, ValueError):
        return None


def _recipient(ctx: Context, given: dict[str, Any] | None) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    if not given:
        return None, []
    path = ["input", "recipientAttributes"]
    for key, label in (("preferredName", "Preferred name"), ("message", "Message")):
        if re.search(r"<[^>]+>", given.get(key) or ""):
            return None, [user_error([*path, key], f"{label} cannot contain HTML tags", "INVALID")]
    send_at = parse_time(given["sendNotificationAt"]) if given.get("sendNotificationAt") else None
    now = ctx.store.clock.now()
    if send_at is not None and not iso(now) <= send_at <= iso(now + NOTIFY_WITHIN):
        message = "Send notification at must be within 90 days from now"
        return None, [user_error([*path, "sendNotificationAt"], message, "INVALID")]
    recipient = find(ctx, given.get("id"), "Customer")
    if recipient is None:
        return None, [
            user_error(
                ["input", "recipientAttributes", "id"], "The recipient could not be found.", "RECIPIENT_NOT_FOUND"
            )
        ]
    attributes = {
        "recipient": recipient,
        "message": given.get("message"),
        "preferredName": given.get("preferredName"),
        "sendNotificationAt": given.get("sendNotificationAt"),
    }
    return attributes, []


def create_errors(ctx: Context, data: dict[str, Any], initial: Decimal | None) -> list[dict[str, Any]]:
    """In the order Shopify checks: the value, the customer, then the code (a short code with an unknown
    customer answers only the customer's error)."""
    if initial is None or initial <= 0:
        return [user_error(["input", "initialValue"], "must be greater than 0", "GREATER_THAN")]
    if data.get("customerId") and find(ctx, data["customerId"], "Customer") is None:
        return [user_error(["input", "customerId"], CUSTOMER_NOT_FOUND, "CUSTOMER_NOT_FOUND")]
    code = data.get("code")
    if code is not None:
        if len(code) < 8:
            return [user_error(["input", "code"], "Code must be at least 8 characters long", "TOO_SHORT")]
        if len(code) > 20:
            return [user_error(["input", "code"], "Code must be at most 20 characters long", "TOO_LONG")]
        if not re.fullmatch(r"[A-Za-z0-9]+", code):
            message = "Code can only contain letters(a-z) and numbers(0-9)"
            return [user_error(["input", "code"], message, "INVALID")]
    if initial > ISSUE_LIMIT:
        message = f"can't exceed ${ISSUE_LIMIT:,.2f} {ctx.store.currency}"
        return [user_error(["input", "initialValue"], message, "GIFT_CARD_LIMIT_EXCEEDED")]
    if code is not None and code_taken(ctx.store, code):
        return [{"field": ["input", "code"], "code": None, "message": "Code has already been taken"}]
    return []


@resolves("Mutation.giftCardCreate")
def gift_card_create(_root: Any, ctx: Context, input: dict[str, Any]) -> dict[str, Any]:
    given = input.get("initialValue") or (input.get("initialAmount") or {}).get("amount")
    initial = _amount(given)
    errors = create_errors(ctx, input, initial)
    check_recipient_lengths(input.get("recipientAttributes"))
    recipient, recipient_errors = _recipient(ctx, input.get("recipientAttributes"))
    if errors or recipient_errors or initial is None:
        return {"giftCard": None, "giftCardCode": None, "userErrors": errors or recipient_errors}
    code = (input.get("code") or generated_code(ctx.store)).lower()
    card = new_gift_card(
        ctx.store,
        code,
        initial,
        customer=find(ctx, input.get("customerId"), "Customer"),
        expiresOn=input.get("expiresOn"),
        note=input.get("note"),
        templateSuffix=input.get("templateSuffix"),
        recipientAttributes=recipient,
    )
    return {"giftCard": ctx.store.put(card), "giftCardCode": code, "userErrors": []}


RECIPIENT_LIMITS = (("preferredName", 255), ("message", 200))
LOCKED_WHEN_DEACTIVATED = ("expiresOn", "customerId", "recipientAttributes")  # in the order Shopify names them


def check_recipient_lengths(given: dict[str, Any] | None) -> None:
    """Too long a recipient name or message is a request error, as captured, not a userError."""
    for key, limit in RECIPIENT_LIMITS:
        if len((given or {}).get(key) or "") > limit:
            raise GraphQLError(
                f"{key} is too long (maximum is {limit})", extensions={"code": "INVALID_FIELD_ARGUMENTS"}
            )


@resolves("Mutation.giftCardUpdate")
def gift_card_update(_root: Any, ctx: Context, id: str, input: dict[str, Any]) -> dict[str, Any]:
    if not input:
        return {
            "giftCard": None,
            "userErrors": [user_error(["input"], "At least one argument is required in the input.")],
        }
    check_recipient_lengths(input.get("recipientAttributes"))
    card = find(ctx, id, "GiftCard")
    if card is None:
        return {"giftCard": None, "userErrors": [user_error(["id"], NOT_FOUND)]}
    locked = next((key for key in LOCKED_WHEN_DEACTIVATED if key in input), None)
    if not card["enabled"] and locked:
        return {"giftCard": None, "userErrors": [user_error(["input", locked], "The gift card is deactivated.")]}
    if input.get("customerId") and find(ctx, input["customerId"], "Customer") is None:
        return {"giftCard": None, "userErrors": [user_error(["input", "customerId"], CUSTOMER_NOT_FOUND)]}
    recipient, errors = _recipient(ctx, input.get("recipientAttributes"))
    if errors:
        return {"giftCard": None, "userErrors": [{k: v for k, v in e.items() if k != "code"} for e in errors]}
    changes: dict[str, Any] = {k: input[k] for k in ("note", "expiresOn", "templateSuffix") if k in input}
    if input.get("customerId"):
        changes["customer"] = find(ctx, input["customerId"], "Customer")
    if recipient is not None:
        changes["recipientAttributes"] = recipient
    if any(card[k] != v for k, v in changes.items()):  # an update that changes nothing leaves updatedAt
        card.update(changes)
        ctx.store.touch(card)
    return {"giftCard": card, "userErrors": []}


def transaction_errors(ctx: Context, card: Record | None, given: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    """Checks shared by credit and debit; `kind` is `credit` or `debit`."""
    if card is None:
        return [user_error(["id"], NOT_FOUND, "GIFT_CARD_NOT_FOUND")]
    path = [f"{kind}Input", f"{kind}Amount"]
    money_in = given[f"{kind}Amount"]
    amount = _amount(money_in["amount"])
    if amount is None or amount <= 0:
        return [user_error([*path, "amount"], "A positive amount must be used.", "NEGATIVE_OR_ZERO_AMOUNT")]
    if not card["enabled"]:
        return [user_error(["id"], "The gift card is deactivated.", "INVALID")]
    if card["expiresOn"] is not None and card["expiresOn"] < ctx.store.clock.now_iso()[:10]:
        return [user_error(["id"], "The gift card has expired.", "INVALID")]
    if money_in["currencyCode"] != ctx.store.currency:
        message = "The currency provided does not match the currency of the gift card."
        return [user_error([*path, "currencyCode"], message, "MISMATCHING_CURRENCY")]
    processed = given.get("processedAt")
    if processed is not None:
        moment = parse_time(processed)
        if moment is None or moment < "1970-01-01T00:00:00Z":
            return [user_error([f"{kind}Input", "processedAt"], "A valid processed date must be used.", "INVALID")]
        if moment > ctx.store.clock.now_iso():
            message = "The processed date must not be in the future."
            return [user_error([f"{kind}Input", "processedAt"], message, "INVALID")]
    if kind == "credit" and card["_balance"] + amount > ISSUE_LIMIT:
        message = "The gift card's value exceeds the allowed limits."
        return [user_error([*path, "amount"], message, "GIFT_CARD_LIMIT_EXCEEDED")]
    if kind == "debit" and amount > card["_balance"]:
        message = "The gift card does not have sufficient funds to satisfy the request."
        return [user_error([*path, "amount"], message, "INSUFFICIENT_FUNDS")]
    return []


def _transact(ctx: Context, id: str, given: dict[str, Any], kind: str) -> dict[str, Any]:
    card = find(ctx, id, "GiftCard")
    payload_key = f"giftCard{kind.title()}Transaction"
    errors = transaction_errors(ctx, card, given, kind)
    if errors or card is None:
        return {payload_key: None, "userErrors": errors}
    amount = Decimal(str(given[f"{kind}Amount"]["amount"]))
    processed = parse_time(given["processedAt"]) if given.get("processedAt") else ctx.store.clock.now_iso()
    transaction = add_transaction(
        ctx.store, card, amount if kind == "credit" else -amount, given.get("note"), processed or ""
    )
    ctx.store.touch(card)
    return {payload_key: transaction, "userErrors": []}


@resolves("Mutation.giftCardCredit")
def gift_card_credit(_root: Any, ctx: Context, id: str, creditInput: dict[str, Any]) -> dict[str, Any]:
    return _transact(ctx, id, creditInput, "credit")


@resolves("Mutation.giftCardDebit")
def gift_card_debit(_root: Any, ctx: Context, id: str, debitInput: dict[str, Any]) -> dict[str, Any]:
    return _transact(ctx, id, debitInput, "debit")


@resolves("Mutation.giftCardDeactivate")
def gift_card_deactivate(_root: Any, ctx: Context, id: str) -> dict[str, Any]:
    card = find(ctx, id, "GiftCard")
    if card is None:
        return {"giftCard": None, "userErrors": [user_error(["id"], NOT_FOUND, "GIFT_CARD_NOT_FOUND")]}
    if card["enabled"]:
        card["enabled"], card["deactivatedAt"] = False, ctx.store.clock.now_iso()
        ctx.store.touch(card, card["deactivatedAt"])
    return {"giftCard": card, "userErrors": []}
