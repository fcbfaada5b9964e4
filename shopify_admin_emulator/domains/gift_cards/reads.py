"""Gift cards: `giftCards` (searchable as the captures show: by id, dates of creation and expiry,
customer, recipient, source, initial value, balance status and the code's last characters, but not
`updated_at`, which Shopify ignores with a warning), `giftCard`, `giftCardsCount`, transactions."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ...connections import paginate_list
from ...graphql_api import Context, resolves
from ...resources import BY_CREATED, BY_ID, Resource, SortKey, find
from ...search import Filter
from ...store import Record
from .models import ISSUE_LIMIT, PURCHASE_LIMIT, money_v2


def balance_status(card: Record) -> list[str]:
    if card["_balance"] <= 0:
        return ["empty"]
    return ["full", "full_or_partial"] if card["_balance"] >= card["_initial"] else ["partial", "full_or_partial"]


GIFT_CARDS = Resource(
    "GiftCard",
    filters={
        "id": Filter("id", lambda r: r["_n"]),
        "created_at": Filter("date", lambda r: r["createdAt"]),
        "expires_on": Filter("date", lambda r: r["expiresOn"]),
        "customer_id": Filter("number", lambda r: r["customer"]["_n"] if r["customer"] else None),
        "recipient_id": Filter("number", lambda r: (r["recipientAttributes"] or {}).get("recipient", {}).get("_n")),
        "source": Filter("text", lambda r: r["_source"]),
        "initial_value": Filter("number", lambda r: r["_initial"]),
        "balance_status": Filter("text", balance_status),
        "status": Filter("text", lambda r: "enabled" if r["enabled"] else "disabled"),
    },
    sorts={
        "ID": BY_ID,
        "CREATED_AT": BY_CREATED,
        "UPDATED_AT": SortKey(lambda r: r["updatedAt"]),
        "BALANCE": SortKey(lambda r: r["_balance"]),
        "INITIAL_VALUE": SortKey(lambda r: r["_initial"]),
        "EXPIRES_ON": SortKey(lambda r: r["expiresOn"] or ""),
        "DISABLED_AT": SortKey(lambda r: r["deactivatedAt"] or ""),
        "CODE": SortKey(lambda r: r["lastCharacters"]),
        "AMOUNT_SPENT": SortKey(lambda r: r["_initial"] - r["_balance"]),
        "CUSTOMER_NAME": SortKey(lambda r: (r["customer"] or {}).get("lastName") or ""),
    },
    text_fields=("lastCharacters",),
)


@resolves("QueryRoot.giftCards")
def gift_cards(_root: Any, ctx: Context, **args: Any) -> dict[str, Any]:
    return GIFT_CARDS.connection(ctx, "giftCards", args)


@resolves("QueryRoot.giftCardsCount")
def gift_cards_count(_root: Any, ctx: Context, query: str | None = None, limit: int | None = 10000) -> Any:
    return GIFT_CARDS.count(ctx, "giftCardsCount", query, limit)


@resolves("QueryRoot.giftCard")
def gift_card(_root: Any, ctx: Context, id: str) -> Record | None:
    return find(ctx, id, "GiftCard")


@resolves("QueryRoot.giftCardConfiguration")
def configuration(_root: Any, ctx: Context) -> dict[str, Any]:
    return {"issueLimit": money_v2(ctx.store, ISSUE_LIMIT), "purchaseLimit": money_v2(ctx.store, PURCHASE_LIMIT)}


@resolves("GiftCard.balance")
def balance(card: Record, ctx: Context) -> dict[str, str]:
    return money_v2(ctx.store, card["_balance"])


@resolves("GiftCard.initialValue")
def initial_value(card: Record, ctx: Context) -> dict[str, str]:
    return money_v2(ctx.store, card["_initial"])


@resolves("GiftCard.transactions")
def transactions(card: Record, _ctx: Context, **args: Any) -> dict[str, Any]:
    return paginate_list(card["_transactions"], args)


@resolves("GiftCard.isRedeemable")
def is_redeemable(card: Record, ctx: Context) -> bool:
    expired = card["expiresOn"] is not None and card["expiresOn"] < ctx.store.clock.now_iso()[:10]
    return card["enabled"] and not expired and card["_balance"] > Decimal(0)
