"""Fault injection: rules that fire at a rate or on chosen request numbers.

A rule is `KIND[:rate=R][:nth=N[/N…]][:every=N][:count=N][:seconds=S][:after]`, for example
`throttled:rate=0.1`, `internal_error:rate=0.1:after`, `http_503:nth=3/7`, `slow:every=10:seconds=2`,
`reset:nth=5`. A rule fires before the request is executed, or with `after` once it has been (the
write is committed and then the answer is lost, as when Shopify's answer never reaches the client).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field
from typing import Any

KINDS = (
    "throttled",  # GraphQL THROTTLED answer, no data
    "http_429",  # 429 with Retry-After: seconds
    "http_500",
    "http_502",
    "http_503",
    "internal_error",  # GraphQL INTERNAL_SERVER_ERROR answer (HTTP 200, data null, a request id)
    "reset",  # connection closed without an answer
    "slow",  # answer after `seconds`
    "truncated",  # half the body, then the connection closes
    "expire_token",  # the request's access token expires (401 from then on)
    "bulk_fail",  # the next bulk operation fails part way, with partial data
    "bulk_truncated",  # the next bulk file download ends early at a line boundary, without Content-Length
)
UNCOUNTED = ("bulk_fail", "bulk_truncated")  # fire on the next event of their own, not on a GraphQL request
# the kinds that lose an answer, and so can strike after the request was executed
AFTER_KINDS = ("internal_error", "http_500", "http_502", "http_503", "reset", "slow", "truncated")


@dataclass
class Rule:
    kind: str
    rate: float = 0.0
    nth: tuple[int, ...] = ()
    every: int = 0
    count: int | None = None  # fire at most this many times
    seconds: float = 1.0
    after: bool = False  # executed first, then the answer is lost
    fired: int = 0

    def __post_init__(self) -> None:
        if self.after and self.kind not in AFTER_KINDS:
            raise ValueError(
                f"fault {self.kind!r} has no after-execution form; those that do: {', '.join(AFTER_KINDS)}"
            )

    @classmethod
    def parse(cls, text: str) -> Rule:
        kind, *options = text.split(":")
        if kind not in KINDS:
            raise ValueError(f"unknown fault {kind!r}; known: {', '.join(KINDS)}")
        values: dict[str, Any] = {}
        for option in options:
            name, _, value = option.partition("=")
            if name == "after" and not value:
                values["after"] = True
            elif name == "nth":
                values["nth"] = tuple(int(v) for v in value.split("/"))
            elif name in ("rate", "seconds"):
                values[name] = float(value)
            elif name in ("every", "count"):
                values[name] = int(value)
            else:
                raise ValueError(f"unknown fault option {name!r} in {text!r}")
        return cls(kind, **values)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Rule:
        if data.get("kind") not in KINDS:
            raise ValueError(f"unknown fault {data.get('kind')!r}; known: {', '.join(KINDS)}")
        nth = data.get("nth") or []
        return cls(
            kind=data["kind"],
            rate=float(data.get("rate", 0)),
            nth=tuple(int(n) for n in (nth if isinstance(nth, list) else [nth])),
            every=int(data.get("every", 0)),
            count=data.get("count"),
            seconds=float(data.get("seconds", 1.0)),
            after=bool(data.get("after", False)),
        )

    def fires(self, n: int, rng: random.Random) -> bool:
        if self.count is not None and self.fired >= self.count:
            return False
        hit = n in self.nth or (self.every and n % self.every == 0) or (self.rate and rng.random() < self.rate)
        if hit:
            self.fired += 1
        return bool(hit)


@dataclass
class Faults:
    """The rules in force and the GraphQL request counter they are keyed on."""

    rules: list[Rule] = field(default_factory=list)
    seed: int = 0
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.seed)

    def replace(self, rules: list[Rule]) -> None:
        with self._lock:
            self.rules = rules
            self.requests = 0

    def next_request(self) -> list[Rule]:
        """Count one GraphQL request; the rules that fire on it (except the UNCOUNTED ones, which wait)."""
        with self._lock:
            self.requests += 1
            return [r for r in self.rules if r.kind not in UNCOUNTED and r.fires(self.requests, self._rng)]

    def take(self, kind: str) -> bool:
        """Whether an UNCOUNTED rule of `kind` fires on the event it waits for (a bulk operation, a download)."""
        with self._lock:
            for rule in self.rules:
                if rule.kind == kind and (rule.count is None or rule.fired < rule.count):
                    if rule.rate and self._rng.random() >= rule.rate:
                        continue
                    rule.fired += 1
                    return True
            return False

    def describe(self) -> list[dict[str, Any]]:
        return [
            {
                "kind": r.kind,
                "rate": r.rate,
                "nth": list(r.nth),
                "every": r.every,
                "count": r.count,
                "seconds": r.seconds,
                "after": r.after,
                "fired": r.fired,
            }
            for r in self.rules
        ]
