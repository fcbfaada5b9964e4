"""Values in Shopify's search syntax (https://shopify.dev/docs/api/usage/search-syntax): a value is a
bare name or a quoted string; inside quotes a backslash escapes the next character."""

from __future__ import annotations


def quoted(value: str) -> str:
    """`value` as one search value that matches it exactly, whatever it holds: quotes, backslashes,
    spaces, colons, parentheses or `AND`/`OR`."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
