"""What an object module declares (its `KIND`), and all the pipeline knows of the object: the registries of
streams, match keys, delete modes, drain order, writers and settings are derived from these declarations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from singer_sdk.typing import Property

    from target_shopify_admin.objects.gateway import ObjectGateway
    from target_shopify_admin.pipeline.context import WriteContext
    from target_shopify_admin.pipeline.plans import PendingRecord


class RowWriter(Protocol):
    """Writes a batch of an object that goes many records a request (inventory levels, redeem codes):
    its own lookup and apply, each record's outcome noted through the write context."""

    def __init__(self, context: WriteContext) -> None: ...
    def write(self, batch: list[PendingRecord]) -> None: ...


@dataclass(frozen=True)
class ObjectKind:
    """One kind of Shopify object the target writes. It is written either through `gateway` (record by
    record, or in bulk when the gateway upserts by identifier) or by `rows`, a writer of its own that
    writes many records a request."""

    name: str  # the value of streams.<name>.object
    match_keys: tuple[str, ...]  # what streams.<name>.match_on may name; the first is the default
    summary: str  # what a stream of this object does, for the `streams` setting's description
    gateway: type[ObjectGateway] | None = None
    rows: type[RowWriter] | None = None
    stream: str | None = None  # the stream that writes this object without a `streams` entry
    delete_modes: tuple[str, ...] = ("delete",)  # the first is the default
    rank: int = 0  # a batch is written after the waiting batches of lower ranks (what it can name)
    options: tuple[Property, ...] = ()  # settings of its own, beside those of every stream
    check: Callable[[dict[str, Any], str], None] | None = None  # checks its options together; (options, where)
