"""What the objects written as rows, many to a compare-and-set request, share (inventory levels, metafields):
a big batch's first round as one bulk mutation, a refused request's userErrors by the row they name, and
the bound on reading a stale row again."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from shopify_admin import ShopifyError
from target_shopify_admin.objects.fields import RecordError

from .context import WriteContext

STALE_READS = 3  # a row stale by its write is read again at most so many times
Row = TypeVar("Row")


def bulk_payloads(
    context: WriteContext, document: str, root: str, variables: list[dict[str, Any]]
) -> list[dict[str, Any] | None] | None:
    """Each line's `root` payload of one bulk mutation of `document` (None where a line has no answer), or
    None when the operation could not run (the rows are then sent request by request)."""
    runner, stream, logger = context.options.bulk_runner, context.stream, context.logger
    try:
        operation, answers = runner.run_mutation(document, variables)
    except ShopifyError as error:
        logger.warning("Bulk mutation for %s failed (%s); sending request by request", stream, error)
        return None
    status, lines = operation.status, len(variables)
    logger.info("Bulk mutation %s of stream %s ended %s, %d lines", operation.id, stream, status, lines)
    return [((answers.get(number) or {}).get("data") or {}).get(root) for number in range(lines)]


def errors_by_row(
    chunk: list[Row], errors: list[dict[str, Any]], row_of: Callable[[dict[str, Any]], int | None]
) -> list[tuple[Row, list[dict[str, Any]]]]:
    """Each row of a refused request with the userErrors that concern it: those naming it (`row_of`, its
    place in the request) and those naming none; a row without any was refused only with the others."""
    by_row: dict[int | None, list[dict[str, Any]]] = {}
    for error in errors:
        by_row.setdefault(row_of(error), []).append(error)
    return [(row, by_row.get(number, []) + by_row.get(None, [])) for number, row in enumerate(chunk)]


def kept_changing(what: str, reads: int) -> RecordError:
    """Why a row failed that was stale by its write after STALE_READS reads."""
    return RecordError(
        f"{what} kept changing while it was written ({reads} reads, each stale by the write): try again later"
    )
