"""Gift cards as the store keeps them: amounts as Decimals (`_initial`, `_balance`), served as MoneyV2;
the code is kept in `_code`, and only its last four characters are ever served."""

from __future__ import annotations

import random
import string
from decimal import Decimal
from typing import Any

from ...store import Record, Store, money

ISSUE_LIMIT = Decimal(3000)  # the captured shop's giftCardConfiguration.issueLimit
PURCHASE_LIMIT = Decimal(14000)
CODE_ALPHABET = string.ascii_lowercase + string.digits


def code_taken(store: Store, code: str) -> bool:
    return any(card["_code"] == code.lower() for card in store.all("GiftCard"))


def generated_code(store: Store) -> str:
    """Sixteen lowercase letters and digits, as Shopify generates, none the shop has; drawn from the
    table's state so that a seeded shop is the same every time."""
    rng = random.Random(store.table("GiftCard").version)
    while True:
        code = "".join(rng.choice(CODE_ALPHABET) for _ in range(16))
        if not code_taken(store, code):
            return code


def money_v2(store: Store, amount: Decimal) -> dict[str, str]:
    return {"amount": money(amount), "currencyCode": store.currency}


def new_gift_card(
    store: Store, code: str, initial: Decimal, created: str | None = None, customer: Record | None = None, **fields: Any
) -> Record:
    """An enabled GiftCard with its whole initial value to spend, not yet stored."""
    created = created or store.clock.now_iso()
    record = store.new_record(
        "GiftCard",
        createdAt=created,
        updatedAt=created,
        enabled=True,
        deactivatedAt=None,
        expiresOn=None,
        note=None,
        templateSuffix=None,
        customer=customer,
        order=None,
        recipientAttributes=None,
        lastCharacters=code[-4:],
        maskedCode=f"•••• •••• •••• {code[-4:]}",
        _code=code.lower(),
        _initial=initial,
        _balance=initial,
        _source="api_client",
        _transactions=[],
    )
    record.update(fields)
    return record


def add_transaction(store: Store, card: Record, amount: Decimal, note: str | None, processed: str) -> Record:
    """A credit (amount > 0) or debit (amount < 0) moving the card's balance, stored."""
    type_name = "GiftCardCreditTransaction" if amount > 0 else "GiftCardDebitTransaction"
    transaction = store.new_record(type_name, amount=money_v2(store, amount), note=note, processedAt=processed)
    transaction["giftCard"] = card
    card["_balance"] += amount
    card["_transactions"].append(store.put(transaction))
    return transaction
