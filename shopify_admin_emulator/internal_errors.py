"""Shopify's answer to a request that failed on its side, and what the emulator does with failures of
its own.

Shopify answers HTTP 200 with `data: null` and one INTERNAL_SERVER_ERROR error that names a fresh
request id (captured in 2026-04/fulfillments/fulfillment-order-lifecycle.json). An exception of the
emulator's own is answered the same way, never with its text, and logged with its traceback. In strict
mode (the test suite's) it is also kept, and `raise_kept` raises it, so that the test that caused it fails
instead of a user's run."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from typing import Any

log = logging.getLogger("shopify_admin_emulator")


class EmulatorInternalError(Exception):
    """The emulator failed on its own while answering; its exception is the cause."""


def internal_error_body() -> dict[str, Any]:
    """Shopify's internal error answer, with a request id of its form (a UUID, a dash, a Unix time)."""
    request_id = f"{uuid.uuid4()}-{int(time.time())}"
    message = (
        "Internal error. Looks like something went wrong on our end.\n"
        f"Request ID: {request_id} (include this in support requests)."
    )
    return {
        "errors": [{"message": message, "extensions": {"requestId": request_id, "code": "INTERNAL_SERVER_ERROR"}}],
        "data": None,
    }


class InternalErrors:
    """The emulator's own failures: answered, logged, and in strict mode kept until raised."""

    def __init__(self, strict: bool) -> None:
        self.strict = strict
        self._kept: list[BaseException] = []
        self._lock = threading.Lock()

    def answer(self, errors: list[BaseException]) -> dict[str, Any]:
        """The answer to a request the emulator failed on: `errors` are logged (and kept when strict)."""
        body = internal_error_body()
        request_id = body["errors"][0]["extensions"]["requestId"]
        for error in errors:
            log.error("Internal error, answered as request ID %s", request_id, exc_info=error)
        if self.strict:
            with self._lock:
                self._kept += errors
        return body

    def raise_kept(self) -> None:
        """Raise the first exception kept since the last call (all of them were logged)."""
        with self._lock:
            kept, self._kept = self._kept, []
        if kept:
            raise EmulatorInternalError(f"the emulator failed on its own {len(kept)} time(s); the first:") from kept[0]
