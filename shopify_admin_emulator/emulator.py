"""The emulator's state outside the shop's data: access tokens, cost buckets, statistics, faults,
files handed out by bulk operations and staged uploads."""

from __future__ import annotations

import secrets
import shutil
import tempfile
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from email.parser import BytesParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .bucket import PLANS, Bucket
from .faults import Faults, Rule
from .graphql_api import GraphQLApi
from .internal_errors import InternalErrors
from .scopes import ALL_SCOPES
from .store import Store

INVALID_TOKEN_BODY = {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


@dataclass
class Config:
    plan: str = "standard"
    access_token: str = "shpat_emulator"
    client_id: str = "emulator-client"
    client_secret: str = "emulator-secret"
    token_ttl: int = 86399  # seconds a client-credentials token lives, as Shopify's do
    shop: str = "emulator"
    bulk_objects_per_second: float = 5000.0  # simulated bulk export speed
    data_dir: Path | None = None  # where bulk result files are written (a temp dir by default)
    faults: list[str] = field(default_factory=list)
    scopes: tuple[str, ...] = ALL_SCOPES  # what the app was granted
    fault_seed: int = 0
    search_lag: float = 2.0  # seconds a write may take to show in `query:` filters and `…Count` roots
    strict: bool = False  # keep the emulator's own exceptions for `internal_errors.raise_kept()` (tests)
    redeem_codes_per_second: float = 500.0  # how fast a discountRedeemCodeBulkAdd job adds its codes
    timezone: str = "Etc/UTC"  # the shop's IANA time zone, which its reports count days in


@dataclass
class OperationStats:
    requests: int = 0
    throttled: int = 0
    requested_cost: int = 0
    actual_cost: int = 0


class Emulator:
    def __init__(self, config: Config, store: Store | None = None) -> None:
        if config.plan not in PLANS:
            raise ValueError(f"unknown plan {config.plan!r}; known: {', '.join(PLANS)}")
        try:
            ZoneInfo(config.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {config.timezone!r}: an IANA name such as America/Toronto") from None
        self.config = config
        self.store = store or Store(config.shop)
        self.store.search_lag = config.search_lag
        self.store.timezone = config.timezone
        self.plan = config.plan
        self.plan_name = config.plan.capitalize()
        self.tokens: dict[str, float | None] = {config.access_token: None}  # token → expiry (None: never)
        self.buckets: dict[str, Bucket] = {}
        self.faults = Faults([Rule.parse(text) for text in config.faults], config.fault_seed)
        self.internal_errors = InternalErrors(config.strict)
        self.stats: dict[str, OperationStats] = defaultdict(OperationStats)
        self.http_requests = 0
        self.in_flight = 0  # GraphQL requests being answered now
        self.peak_in_flight = 0  # the most at once since the stats were reset: how concurrent clients are
        self.lock = threading.Lock()
        self.files: dict[str, Path] = {}  # name → file served at /__emulator/files/{name}
        self.uploads: dict[str, Path] = {}  # staged-upload key → the uploaded file
        self.upload_targets: dict[str, str] = {}  # name of a target stagedUploadsCreate issued → its key
        self.owns_data_dir = config.data_dir is None  # a temp dir of its own: removed by close()
        self.data_dir = config.data_dir or Path(tempfile.mkdtemp(prefix="shopify-admin-emulator-"))
        self.api = GraphQLApi(self.store, self)

    def close(self) -> None:
        """Remove the files this emulator wrote (bulk results, uploads) when their directory is its own."""
        if self.owns_data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    # auth ------------------------------------------------------------------------------------------
    def token_valid(self, token: str | None) -> bool:
        if not token or token not in self.tokens:
            return False
        expiry = self.tokens[token]
        return expiry is None or expiry > self.store.clock.now()

    def expire(self, token: str) -> None:
        if token in self.tokens:
            self.tokens[token] = self.store.clock.now() - 1

    def client_credentials(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if form.get("grant_type") != "client_credentials":
            return 400, {
                "error": "unsupported_grant_type",
                "error_description": "grant_type must be client_credentials",
            }
        if form.get("client_id") != self.config.client_id or form.get("client_secret") != self.config.client_secret:
            return 401, {"error": "invalid_client", "error_description": "Client authentication failed"}
        token = "shpat_" + secrets.token_hex(16)
        self.tokens[token] = self.store.clock.now() + self.config.token_ttl
        return 200, {"access_token": token, "scope": ",".join(self.config.scopes), "expires_in": self.config.token_ttl}

    def bucket(self, token: str) -> Bucket:
        with self.lock:
            if token not in self.buckets:
                rate, size = PLANS[self.plan]
                self.buckets[token] = Bucket(rate, size, self.store.clock.now)
            return self.buckets[token]

    # GraphQL -----------------------------------------------------------------------------------------
    def graphql(self, token: str, body: dict[str, Any], base_url: str, force_throttle: bool = False) -> dict[str, Any]:
        bucket = self.bucket(token)
        try:
            response, name, requested, actual, throttled = self.api.run(body, bucket, base_url, force_throttle)
        except Exception as exc:  # the emulator's own failure, outside execution (which run() answers)
            return self.internal_errors.answer([exc])
        with self.lock:
            stats = self.stats[name or "anonymous"]
            stats.requests += 1
            stats.throttled += int(throttled)
            stats.requested_cost += requested
            stats.actual_cost += actual or 0
        return response

    def stats_json(self) -> dict[str, Any]:
        with self.lock:
            per_op = {name: vars(s).copy() for name, s in sorted(self.stats.items())}
        totals = {
            key: sum(s[key] for s in per_op.values())
            for key in ("requests", "throttled", "requested_cost", "actual_cost")
        }
        return {
            "http_requests": self.http_requests,
            "peak_concurrent_graphql": self.peak_in_flight,
            "graphql": totals,
            "operations": per_op,
            "faults": self.faults.describe(),
        }

    def reset_stats(self) -> None:
        with self.lock:
            self.stats.clear()
            self.http_requests = 0
            self.peak_in_flight = self.in_flight

    def rest_shop(self) -> dict[str, Any]:
        """The few fields of the REST shop record that clients read at start-up."""
        domain = f"{self.store.shop_name}.myshopify.com"
        return {
            "id": 1,
            "name": self.store.shop_name,
            "email": f"owner@{domain}",
            "domain": domain,
            "myshopify_domain": domain,
            "currency": self.store.currency,
            "iana_timezone": self.store.timezone,
            "plan_name": self.plan,
            "plan_display_name": self.plan_name,
        }

    # files ------------------------------------------------------------------------------------------
    def register_file(self, name: str, path: Path) -> str:
        self.files[name] = path
        return name

    def issue_upload_target(self, name: str, key: str) -> None:
        """Let `receive_upload` accept the form for `key` at the target called `name`, and only that form."""
        self.upload_targets[name] = key

    def receive_upload(self, name: str, content_type: str, body: bytes) -> tuple[int, bytes | dict[str, Any]]:
        """A staged-upload target: a multipart form whose `file` part is kept under the form's `key`. Only a
        target stagedUploadsCreate issued takes a form, only with the key it was issued for (as the signed
        policy of Shopify's storage does), and the file goes inside the data directory whatever the key."""
        key = self.upload_targets.get(name)
        if key is None:
            return 403, {"errors": "no staged upload target of this name was issued"}
        message = BytesParser().parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        if not message.is_multipart():
            return 400, {"errors": "expected multipart/form-data"}
        fields: dict[str, bytes] = {}
        parts: list[Any] = message.get_payload()  # type: ignore[assignment]
        for part in parts:
            field_name = part.get_param("name", header="content-disposition")
            fields[str(field_name)] = part.get_payload(decode=True) or b""
        if fields.get("key") != key.encode():
            return 403, {"errors": "the form's key is not the one this target was issued for"}
        if "file" not in fields:
            return 400, {"errors": "the form has no file part"}
        path = self.data_dir / "uploads" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(fields["file"])
        self.uploads[key] = path
        return 201, (
            f"<?xml version='1.0' encoding='UTF-8'?><PostResponse><Location>{key}</Location>"
            f"<Bucket>shopify-staged-uploads</Bucket><Key>{key}</Key></PostResponse>"
        ).encode()
