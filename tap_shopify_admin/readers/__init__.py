"""The ways a stream is read, behind one interface: a stream declares its type, fields and root, and one
`Reader`, which sends the requests and keeps the stream's state:

- `window.SortedWindow`: a root connection sorted by its replication key, from the bookmark by pages
  in time slices, or a backfill by a bulk query (`window_bulk`), resumable at every record;
- `window.UnsortedWindow`: a root connection without that sort key, each window read whole;
- `partitions.Partitions`: a connection of each parent stream record, with a bookmark per parent;
- `full_table.FullTable` and `full_table.EachOwner`: everything, on every run: a root connection, a
  root object (one record), or a connection of each object a root lists.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from ..streams.base import ShopifyStream


class Reader(Protocol):
    @property
    def is_sorted(self) -> bool:
        """Whether records come in replication-key order, so that the bookmark may move with each one."""
        ...

    def page_query(self, stream: ShopifyStream) -> str:
        """The document that reads a page (or the one object) of the stream's records."""
        ...

    def records(self, stream: ShopifyStream, context: Mapping[str, Any] | None) -> Iterator[dict[str, Any]]:
        """The stream's records for the SDK's `get_records`."""
        ...
