"""Per-record outcomes: counts and progress lines per stream, the dead-letter file, and the max_failures limit."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import Counter
from enum import StrEnum
from pathlib import Path
from typing import Any

from shopify_admin import ConfigurationError, ShopifyAdminClient
from shopify_admin.progress import Progress


class Outcome(StrEnum):
    """What writing a record did (or, in a dry run, would do) to the shop."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    UNCHANGED = "unchanged"
    WOULD_CREATE = "would-create"
    WOULD_UPDATE = "would-update"
    WOULD_DELETE = "would-delete"
    FAILED = "failed"

    @property
    def would(self) -> Outcome:
        """The outcome a dry run reports for a change."""
        return {Outcome.CREATED: Outcome.WOULD_CREATE, Outcome.UPDATED: Outcome.WOULD_UPDATE}.get(
            self, Outcome.WOULD_DELETE
        )


class TooManyFailuresError(Exception):
    """max_failures records failed: the run stops here."""


class Ledger:
    def __init__(
        self,
        dead_letter_path: str | None,
        max_failures: int | None,
        logger: logging.Logger,
        client: ShopifyAdminClient,
    ) -> None:
        self.dead_letter_path = Path(dead_letter_path) if dead_letter_path else None
        self.max_failures = max_failures
        self.logger = logger
        self.client = client
        self._progress: dict[str, Progress] = {}  # per stream: its outcomes so far, and its progress lines
        self._lock = threading.Lock()  # records are written from several threads

    def check_dead_letter_path(self) -> None:
        """A dead-letter file that cannot be written stops the run before any write, not at the first failure."""
        path = self.dead_letter_path
        if path is None:
            return
        if path.is_dir():
            problem = "is a directory"
        elif not path.parent.is_dir():
            problem = "is in a directory that does not exist"
        elif not os.access(path if path.exists() else path.parent, os.W_OK):
            problem = "cannot be written"
        else:
            return
        raise ConfigurationError(f"dead_letter_path {path} {problem}")

    def progress(self, stream: str) -> Progress:
        with self._lock:
            if stream not in self._progress:
                self._progress[stream] = Progress(self.logger, self.client, {"stream": stream})
            return self._progress[stream]

    @property
    def counts(self) -> dict[str, Counter[str]]:
        with self._lock:
            return {stream: progress.outcomes for stream, progress in self._progress.items()}

    def changes(self, excluding: str) -> int:
        """The objects the streams other than `excluding` have created, updated or deleted so far."""
        written = (Outcome.CREATED, Outcome.UPDATED, Outcome.DELETED)
        return sum(c[o] for stream, c in self.counts.items() if stream != excluding for o in written)

    @property
    def failures(self) -> int:
        return sum(c[Outcome.FAILED] for c in self.counts.values())

    def note(self, stream: str, outcome: Outcome, key: Any, shopify_id: str | None) -> None:
        self.progress(stream).advance(outcome=outcome)
        self.logger.debug("%s %s: %s %s", stream, key, outcome, shopify_id or "")

    def fail(
        self,
        stream: str,
        key: Any,
        operation: str,
        record: Any,
        error: str,
        user_errors: list[dict[str, Any]] | None = None,
    ) -> None:
        """Count the failure and write it as one dead-letter line: the record's key, the operation,
        Shopify's userErrors or the error, and the record (records carry no credentials)."""
        self.logger.warning("%s %s: %s failed: %s %s", stream, key, operation, error, user_errors or "")
        letter = {"stream": stream, "key": key, "operation": operation, "error": error, "userErrors": user_errors}
        letter["record"] = record
        if self.dead_letter_path is not None:
            with self._lock, self.dead_letter_path.open("a", encoding="utf-8") as out:
                out.write(json.dumps(letter, default=str) + "\n")
        self.progress(stream).advance(outcome=Outcome.FAILED)
        failures = self.failures
        if self.max_failures is not None and failures >= self.max_failures:
            raise TooManyFailuresError(f"stopping after {failures} failed records (max_failures)")

    def log_summary(self) -> None:
        for stream, counts in sorted(self.counts.items()):
            self.logger.info("%s: %s", stream, ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items())))
