"""`event(id:)` and BasicEvent's `author`. Every event the emulator records is its app's doing (a
destroy through the API), and the captured ones name the app as their author, as `appTitle` does."""

from __future__ import annotations

from typing import Any

from ...graphql_api import Context, resolves
from ...resources import constants, find
from ...store import Record


@resolves("QueryRoot.event")
def event(_root: Any, ctx: Context, id: str) -> Record | None:
    return find(ctx, id, "BasicEvent")


@resolves("BasicEvent.author")
def author(e: Record, _ctx: Context) -> str | None:
    return e.get("appTitle")


# what the captured events answer; the emulator's events carry nothing more
constants(
    "BasicEvent",
    {
        "additionalContent": "null",
        "additionalData": "null",
        "arguments": [],
        "hasAdditionalContent": False,
        "secondaryMessage": None,
    },
)
