"""Finding the objects a run of records names (a bulk run of customers or products, any run of inventory
levels): aliased lookups (a few points an object), or one bulk export of the shop joined locally by the
match key (a few points whatever its size), whichever the cost model says is done sooner for this run
in this shop.

An export is read afresh for each run, after the writes before it, so that what it says of an object
is no older than a lookup of the whole run would be. An object it does not hold is looked up: one
created since the export started, or one the shop keys otherwise than the join (Shopify normalises
phone numbers); writing it by its match key instead would replace what a lookup would have kept (a
product's variant ids) and report it created."""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol

from shopify_admin import ShopifyAdminClient, ShopifyError
from shopify_admin.bulk import BulkRunner
from shopify_admin.cost import bulk_seconds
from target_shopify_admin.pipeline.settings import StreamSettings

LOOKUP_MODES = ("auto", "lookups", "export")  # the bulk_lookup setting

Found = list[Any]  # what a lookup answers for each key; None: not found


class Findable(Protocol):
    """What finds a kind of object: by lookups of many at a time, or in a bulk export of the shop
    (IdentifiedGateway for customers and products, inventory.level_reads.LevelFinder for inventory levels)."""

    client: ShopifyAdminClient

    @property
    def kind(self) -> str: ...
    @property
    def export_selection(self) -> str | None: ...
    @property
    def export_connections(self) -> dict[str, dict[str, str]]: ...
    def find_many(self, lookups: list[Any]) -> Found: ...
    def lookups_per_query(self) -> int: ...
    def lookups_per_second(self, restore_rate: float, round_trip: float) -> float: ...
    def shop_objects(self) -> int: ...
    def export_query(self, custom_id: tuple[str, str] | None) -> str: ...
    def exported(self, node: dict[str, Any]) -> dict[str, Any]: ...
    def exported_key(self, current: dict[str, Any], match_on: str) -> Any: ...
    def from_export(self, matches: list[dict[str, Any]], lookup: Any) -> Any:
        """What a lookup of `lookup` answers, from the exported objects holding its key."""


def export_is_sooner(records: int, shop_objects: int, lookups_per_second: float) -> bool:
    """Whether exporting `shop_objects` objects takes less time than looking `records` objects up."""
    return records / lookups_per_second > bulk_seconds(shop_objects)


def join_key(key: str, match_on: str) -> str:
    """Emails match whatever their case, as Shopify matches them; other keys exactly."""
    return key.casefold() if match_on == "email" else key


class CurrentObjects:
    """The objects a stream's bulk runs name, as the shop holds them now."""

    def __init__(
        self,
        gateway: Findable,
        settings: StreamSettings,
        runner: BulkRunner,
        mode: str,
        logger: logging.Logger,
    ) -> None:
        self.gateway = gateway
        self.settings = settings
        self.runner = runner
        self.mode = mode
        self.logger = logger

    def find(self, keys: list[str], lookups: list[Any]) -> Found:
        """The object of each key (its lookup identifier in `lookups`), or None. In `auto`, when the
        budget alone does not make the lookups slower than an export, the first query's worth is looked
        up, and how long that took says how fast lookups of the rest would go."""
        if self.mode == "lookups" or self.gateway.export_selection is None:
            return self.gateway.find_many(lookups)
        if self.mode == "export":
            return self.joined(keys, lookups)
        per_query = self.gateway.lookups_per_query()
        if len(keys) <= per_query:
            return self.gateway.find_many(lookups)
        shop_objects = self.gateway.shop_objects()
        if self.export_chosen(len(keys), shop_objects, round_trip=0.0):
            return self.joined(keys, lookups)
        sent = time.monotonic()
        head = self.gateway.find_many(lookups[:per_query])
        rest = (keys[per_query:], lookups[per_query:])
        if self.export_chosen(len(rest[0]), shop_objects, round_trip=time.monotonic() - sent):
            return head + self.joined(*rest)
        return head + self.gateway.find_many(rest[1])

    def export_chosen(self, records: int, shop_objects: int, round_trip: float) -> bool:
        """Whether exporting is sooner than looking `records` objects up at `round_trip` a query (0: as
        fast as the budget allows)."""
        per_second = self.gateway.lookups_per_second(self.gateway.client.throttle.restore_rate, round_trip)
        chosen = export_is_sooner(records, shop_objects, per_second)
        self.logger.info(
            "%d %ss to find among %d objects, %.2f s a lookup query: %s (lookups %.1f s, an export %.1f s)",
            *(records, self.gateway.kind, shop_objects, round_trip, "export" if chosen else "lookups"),
            *(records / per_second, bulk_seconds(shop_objects)),
        )
        return chosen

    def joined(self, keys: list[str], lookups: list[Any]) -> Found:
        """The keys' objects found in an export of the shop; those it does not hold are looked up."""
        exported = self.exported(keys)
        if exported is None:
            return self.gateway.find_many(lookups)
        found: Found = []
        for key, lookup in zip(keys, lookups, strict=True):
            matches = exported.get(join_key(key, self.settings.match_on))
            found.append(None if matches is None else self.gateway.from_export(matches, lookup))
        missing = [n for n, current in enumerate(found) if current is None]
        for n, current in zip(missing, self.gateway.find_many([lookups[n] for n in missing]), strict=True):
            found[n] = current
        return found

    def exported(self, keys: list[str]) -> dict[str, list[dict[str, Any]]] | None:
        """The objects of the shop that `keys` name, by join key (all of them: a key may be on several),
        from one bulk export; None when the export could not run. Partial data (an operation that failed
        part way) is used as far as it goes."""
        match_on = self.settings.match_on
        wanted = {join_key(key, match_on) for key in keys}
        query = self.gateway.export_query(self.settings.custom_id if match_on == "custom_id" else None)
        by_key: dict[str, list[dict[str, Any]]] = {}
        try:
            operation = self.runner.wait(self.runner.start(query))
            for node in self.runner.records(operation, self.gateway.export_connections):
                key = self.gateway.exported_key(node, match_on)
                if isinstance(key, str) and join_key(key, match_on) in wanted:
                    by_key.setdefault(join_key(key, match_on), []).append(self.gateway.exported(node))
        except ShopifyError as error:
            self.logger.warning("Export of %ss failed (%s); looking them up", self.gateway.kind, error)
            return None
        self.logger.info(
            "Export %s of %ss: %s, %d of %d found",
            operation.id,
            self.gateway.kind,
            operation.status,
            len(by_key),
            len(wanted),
        )
        return by_key
