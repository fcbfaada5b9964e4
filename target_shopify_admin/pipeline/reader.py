"""Singer input read line by line, stopping at the first line that is not a message the target can
apply. The reader keeps where and why, so that the target applies what came before, emits its STATE,
and then fails with one line instead of a traceback."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from typing import IO, Any

from singer_sdk.exceptions import RecordsWithoutSchemaException
from singer_sdk.io_base import SingerMessageType, SingerReader
from singer_sdk.singerlib.exceptions import InvalidInputLine
from singer_sdk.singerlib.json import deserialize_json
from typing_extensions import override

JSON_KINDS = {dict: "object", list: "array", str: "string", bool: "boolean", type(None): "null"}


# What a line that is not a Singer message the target can apply raises, in the SDK as here.
INPUT_ERRORS = (InvalidInputLine, RecordsWithoutSchemaException)


def json_kind(value: object) -> str:
    return JSON_KINDS.get(type(value), "number")


class CheckedReader(SingerReader):
    def __init__(self) -> None:
        super().__init__()
        self.error: Exception | None = None  # one of INPUT_ERRORS, its message led by the line number

    @override
    def process_lines(self, file_input: IO[str] | None, callbacks: dict[str, Callable[[dict], None]]) -> Counter[str]:
        counts: Counter[str] = Counter()
        for number, line in enumerate(file_input or self.default_input, start=1):
            try:
                message = self.deserialize_json(line)
                self.assert_line_requires(message, requires={"type"})
                callbacks.get(message["type"], self._process_unknown_message)(message)
            except INPUT_ERRORS as exc:
                self.error = type(exc)(f"input line {number}: {exc}")
                break
            counts[message["type"]] += 1
        return counts

    @override
    def deserialize_json(self, line: str) -> dict:
        """One message saying what is wrong, where the SDK logs a traceback and the whole line."""
        try:
            message = deserialize_json(line)
        except json.JSONDecodeError as exc:
            cut = "" if line.endswith("\n") else " (the input ends inside this line: truncated?)"
            raise InvalidInputLine(f"not valid JSON: {exc.msg} at column {exc.colno}{cut}") from None
        if not isinstance(message, dict):
            raise InvalidInputLine(f"a JSON {json_kind(message)}, not a message")
        return message

    @staticmethod
    @override
    def assert_line_requires(line_dict: dict, requires: set[str]) -> None:
        """Names what is missing, without the SDK's copy of the whole message."""
        missing = ", ".join(sorted(requires - set(line_dict)))
        if not missing:
            return
        kind = line_dict.get("type")
        if kind in set(SingerMessageType):  # else a part of a message, such as a SCHEMA's schema
            raise InvalidInputLine(f"a {kind} message without {missing}")
        raise InvalidInputLine(f"{missing} missing")

    @override
    def _process_unknown_message(self, message_dict: dict[str, Any]) -> None:
        """Stops at the line, where the SDK would log and go on. Private: the SDK's reader calls it for a type
        it has no callback for, and has no public hook (pinned by tests/target/test_target_input.py, BAD_LINES)."""
        raise InvalidInputLine(f"unknown message type {message_dict['type']!r}")
