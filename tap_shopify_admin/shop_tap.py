"""The tap as its streams see it: the shop's connection (client, bulk runner) and the sync's time
bounds. The tap is made of it and of its streams; the streams know only this, so neither module
imports the other."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cached_property

from singer_sdk import Tap

from shopify_admin.settings import ShopifyConnection


class ShopTap(ShopifyConnection, Tap):
    backfill_exports_started = False  # the first stream synced starts every stream's backfill export

    @cached_property
    def window_counts(self) -> dict[tuple[str, str], tuple[int | None, float]]:
        """(stream, search) → the window's count and the seconds it took: counted once a run."""
        return {}

    @cached_property
    def sync_started(self) -> datetime:
        return datetime.now(UTC).replace(microsecond=0)

    @property
    def end_date(self) -> datetime | None:
        value = self.config.get("end_date")
        return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None
