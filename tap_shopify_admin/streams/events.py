"""The shop's events (what happened to which object, by whom), incremental on createdAt: an event
never changes."""

from __future__ import annotations

from ..readers.window import SortedWindow
from .base import ShopifyStream


class EventsStream(ShopifyStream):
    name = "events"
    graphql_type = "Event"
    root = "events"
    replication_key = "createdAt"
    reader = SortedWindow()
    fields = """
        id action message appTitle attributeToApp attributeToUser criticalAlert createdAt
        ... on BasicEvent { subjectId subjectType author }
    """
