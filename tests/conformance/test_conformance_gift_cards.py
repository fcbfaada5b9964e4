"""Captured gift card calls (../shared/shopify-captures/2025-01/gift-cards) replayed against the emulator:
the same answers (masked ids and times), userErrors and search behaviour, in the capture shop's currency."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from typing import Any

import pytest

from shopify_admin_emulator.store import parse_gid

from .. import captures
from ..captures import assert_same_answer, needs_captures, without_locations
from ..conftest import Running

pytestmark = needs_captures

FOLDER = "2025-01/gift-cards/"


class Replay(captures.Replay):
    def __init__(self, shop: Running, name: str) -> None:
        super().__init__(shop, FOLDER + name)
        store = shop.emulator.store
        store.currency = "CAD"  # the capture shop's
        # its clock too: notification dates are refused beyond 90 days from the moment of the call
        captured = datetime.fromisoformat(self.capture["capturedAt"].replace("Z", "+00:00")).timestamp()
        store.clock.offset = captured - time.time()

    def step(self, name: str, call: dict[str, Any] | None = None) -> dict[str, Any]:
        call = call or self.capture["operations"][name]
        theirs = call["response"].get("payload", call["response"])
        ours = self.answer(call["query"], call.get("variables"), theirs)
        for real, own in list(self.ids.items()):  # searches name ids by number (`id:663920574770`)
            if parse_gid(real) and parse_gid(own):
                self.ids[real.rsplit("/", 1)[1]] = own.rsplit("/", 1)[1]
        request = json.dumps([call["query"], call.get("variables")]).lower()
        for alias, payload in (theirs.get("data") or {}).items():
            code = (payload or {}).get("giftCardCode")
            mine = (ours.get("data") or {}).get(alias) or {}
            if code and code not in request and mine.get("giftCardCode"):  # random: shape checked, then masked
                assert re.fullmatch(r"[a-z0-9]{16}", mine["giftCardCode"])
                for answer in (mine, payload):
                    answer["giftCardCode"] = "<code>"
                    if "lastCharacters" in answer["giftCard"]:
                        answer["giftCard"]["lastCharacters"] = answer["giftCard"]["maskedCode"] = "<last>"
        if "errors" in theirs:  # where in the document: Shopify names the argument too, graphql-core the field
            ours, theirs = ({**answer, "errors": without_locations(answer["errors"])} for answer in (ours, theirs))
        assert_same_answer(ours, theirs, name)
        return ours


def test_lifecycle(shop: Running) -> None:
    """Create with a customer and recipient, read, update, credit, debit, search by balance status, dates,
    customer, recipient, source, initial value and the code's last characters (`updated_at` is no gift
    card search field: Shopify ignores it), deactivate and read again."""
    replay = Replay(shop, "gift-card-lifecycle.json")
    for name in (
        "readEvidence",
        "configurationRead",
        "customerCreate",
        "create",
        "detailAfterCreate",
        "update",
        "credit",
        "debit",
        "searchFilterRead",
        "advancedSearchFilterRead",
        "deactivate",
        "detailAfterDeactivate",
        "readAfterLifecycle",
    ):
        replay.step(name)


@pytest.mark.parametrize(
    ("name", "steps"),
    [
        ("gift-card-create-validation.json", ("createValidation",)),
        ("gift-card-create-initial-value-limit.json", ("configurationRead", "initialValueLimit")),
        ("gift-card-mutation-user-error-codes.json", ("setupSmallBalance", "mutationUserErrorCodes")),
        (
            "gift-card-credit-limit-exceeded.json",
            ("setupCreate", "creditLimitExceeded", "readAfterRejectedCredit", "debitAfterRejectedCredit"),
        ),
        (
            "gift-card-credit-debit-payload-shape.json",
            ("validCredit", "validDebit", "invalidCreditGiftCard", "invalidDebitGiftCard"),
        ),
        ("gift-card-update-noop.json", ("noop",)),
        ("gift-card-update-clear-nullable.json", ("clear", "readAfterClear")),
        ("gift-card-update-validation.json", ("updateValidation",)),
        ("gift-card-update-deactivated-multi-field.json", ("multiFieldUpdate",)),
        ("gift-card-recipient-validation.json", ("recipientValidation",)),
    ],
)
def test_validation_and_payloads(shop: Running, name: str, steps: tuple[str, ...]) -> None:
    replay = Replay(shop, name)
    setup = replay.capture.get("setup") or []
    for index, call in enumerate(setup.values() if isinstance(setup, dict) else setup):
        replay.step(f"setup {index}", call)
    for step in steps:
        replay.step(step)
