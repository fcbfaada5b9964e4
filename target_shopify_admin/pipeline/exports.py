"""Finding the objects a run of records names (a bulk run of customers or products, any run of inventory
levels): aliased lookups (a few points an object), or one bulk export of the shop joined locally by the
match key (a few points whatever its size), whichever the cost model says is done sooner for this run
in this shop.

An export made for one run of a stream serves its later runs too (100,000 metafields in batches of 10,000
would otherwise export the whole shop ten times), as long as what it says can still be what a lookup would:
each object it holds serves the first run that names it and is then dropped, as that run may have written or
deleted it (a record the stream writes alone, a delete, drops its key too), and the whole export is dropped
once another stream of the run has changed the shop, as its writes may have moved keys or owners. An object
it does not hold is looked up: one created since the export started (by this run or by anyone else), or one
the shop keys otherwise than the join (Shopify normalises phone numbers); writing it by its match key
instead would replace what a lookup would have kept (a product's variant ids) and report it created."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Protocol

from shopify_admin import ShopifyAdminClient, ShopifyError
from shopify_admin.cost import bulk_seconds
from target_shopify_admin.pipeline.context import WriteContext

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


@dataclass
class Export:
    """A bulk export kept for the stream's later runs: the query it ran, the objects it holds that no run
    has been served yet, by join key, and how many changes the run's other streams had made when it started."""

    query: str
    objects: dict[str, list[dict[str, Any]]]
    others_changes: int


class CurrentObjects:
    """The objects a stream's runs name, as the shop holds them now: one per stream, kept for the whole
    run of the target, so that an export serves every run it can."""

    def __init__(self, context: WriteContext) -> None:
        self.context = context
        self.settings = context.settings
        self.mode = context.options.bulk_lookup
        self.logger = context.logger
        self.kept: Export | None = None

    def find(self, gateway: Findable, keys: list[str], lookups: list[Any]) -> Found:
        """The object of each key (its lookup identifier in `lookups`), or None. In `auto`, when the
        budget alone does not make the lookups slower than an export, the first query's worth is looked
        up, and how long that took says how fast lookups of the rest would go."""
        if self.mode == "lookups" or gateway.export_selection is None:
            return gateway.find_many(lookups)
        kept = self.still_kept(gateway)
        if kept is not None:
            return self.joined(gateway, kept, keys, lookups)
        if self.mode == "export":
            return self.exported_and_joined(gateway, keys, lookups)
        per_query = gateway.lookups_per_query()
        if len(keys) <= per_query:
            return gateway.find_many(lookups)
        shop_objects = gateway.shop_objects()
        if self.export_chosen(gateway, len(keys), shop_objects, round_trip=0.0):
            return self.exported_and_joined(gateway, keys, lookups)
        sent = time.monotonic()
        head = gateway.find_many(lookups[:per_query])
        rest = (keys[per_query:], lookups[per_query:])
        if self.export_chosen(gateway, len(rest[0]), shop_objects, round_trip=time.monotonic() - sent):
            return head + self.exported_and_joined(gateway, *rest)
        return head + gateway.find_many(rest[1])

    def forget(self, key: Any) -> None:
        """Drop `key`'s objects from the kept export: the stream wrote to them outside a run it served."""
        if self.kept is not None and isinstance(key, str):
            self.kept.objects.pop(join_key(key, self.settings.match_on), None)

    def others_changes(self) -> int:
        """The objects the run's other streams have created, updated or deleted so far."""
        return self.context.options.ledger.changes(excluding=self.context.stream)

    def still_kept(self, gateway: Findable) -> Export | None:
        """The kept export, if it selected what `gateway` needs and no other stream has changed the shop since."""
        kept = self.kept
        if kept is None or kept.query != self.query(gateway):
            return None
        if kept.others_changes != self.others_changes():
            self.logger.info("Another stream wrote since the export of %ss: exporting again", gateway.kind)
            self.kept = None
            return None
        return kept

    def export_chosen(self, gateway: Findable, records: int, shop_objects: int, round_trip: float) -> bool:
        """Whether exporting is sooner than looking `records` objects up at `round_trip` a query (0: as
        fast as the budget allows)."""
        per_second = gateway.lookups_per_second(gateway.client.throttle.restore_rate, round_trip)
        chosen = export_is_sooner(records, shop_objects, per_second)
        self.logger.info(
            "%d %ss to find among %d objects, %.2f s a lookup query: %s (lookups %.1f s, an export %.1f s)",
            *(records, gateway.kind, shop_objects, round_trip, "export" if chosen else "lookups"),
            *(records / per_second, bulk_seconds(shop_objects)),
        )
        return chosen

    def exported_and_joined(self, gateway: Findable, keys: list[str], lookups: list[Any]) -> Found:
        """The keys' objects found in a new export of the shop, kept for the runs after; looked up when
        the export could not run."""
        self.kept = self.exported(gateway)
        if self.kept is None:
            return gateway.find_many(lookups)
        return self.joined(gateway, self.kept, keys, lookups)

    def joined(self, gateway: Findable, kept: Export, keys: list[str], lookups: list[Any]) -> Found:
        """The keys' objects found in `kept`, then dropped from it; those it does not hold are looked up."""
        match_on = self.settings.match_on
        found: Found = []
        for key, lookup in zip(keys, lookups, strict=True):
            matches = kept.objects.get(join_key(key, match_on))
            found.append(None if matches is None else gateway.from_export(matches, lookup))
        for key in keys:  # after the loop: a run may name a key more than once (metafields of one owner)
            kept.objects.pop(join_key(key, match_on), None)
        missing = [n for n, current in enumerate(found) if current is None]
        for n, current in zip(missing, gateway.find_many([lookups[n] for n in missing]), strict=True):
            found[n] = current
        return found

    def query(self, gateway: Findable) -> str:
        return gateway.export_query(self.settings.custom_id if self.settings.match_on == "custom_id" else None)

    def exported(self, gateway: Findable) -> Export | None:
        """Every object of the shop `gateway` exports, by join key (a key may be on several), from one bulk
        export; None when the export could not run. Partial data (an operation that failed part way) is
        used as far as it goes."""
        match_on = self.settings.match_on
        runner = self.context.options.bulk_runner
        query = self.query(gateway)
        others_changes = self.others_changes()  # before it starts: a change made while it runs drops it
        objects: dict[str, list[dict[str, Any]]] = {}
        try:
            operation = runner.wait(runner.start(query))
            for node in runner.records(operation, gateway.export_connections):
                key = gateway.exported_key(node, match_on)
                if isinstance(key, str):
                    objects.setdefault(join_key(key, match_on), []).append(gateway.exported(node))
        except ShopifyError as error:
            self.logger.warning("Export of %ss failed (%s); looking them up", gateway.kind, error)
            return None
        self.logger.info("Export %s of %ss: %s, %d keys", operation.id, gateway.kind, operation.status, len(objects))
        return Export(query, objects, others_changes)
