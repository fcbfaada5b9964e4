"""`shopify-admin-emulator`: a local Shopify Admin API with seeded data."""

from __future__ import annotations

import argparse
import gc
import logging
import resource
import signal
import sys
import time

from .bucket import PLANS
from .emulator import Config, Emulator
from .faults import KINDS, Rule
from .scopes import ALL_SCOPES
from .seed import seed
from .server import EmulatorServer

log = logging.getLogger("shopify_admin_emulator")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="shopify-admin-emulator", description=__doc__)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--plan", choices=list(PLANS), default="standard", help="cost budget: bucket size and restore rate")
    p.add_argument("--customers", type=int, default=100)
    p.add_argument("--products", type=int, default=20)
    p.add_argument("--orders", type=int, default=200)
    p.add_argument("--locations", type=int, default=2, help="active locations, each stocking every variant")
    p.add_argument("--seed", type=int, default=1, help="same seed and sizes, same data")
    p.add_argument("--access-token", default="shpat_emulator", help="the token clients must send")
    p.add_argument("--client-id", default="emulator-client", help="for the client-credentials grant")
    p.add_argument("--client-secret", default="emulator-secret", help="for the client-credentials grant")
    p.add_argument("--token-ttl", type=int, default=86399, help="seconds a client-credentials token lives")
    p.add_argument("--shop", default="emulator", help="shop handle: {shop}.myshopify.com")
    p.add_argument("--timezone", default="Etc/UTC", help="the shop's IANA time zone, e.g. America/Toronto")
    p.add_argument(
        "--bulk-speed", type=float, default=5000.0, help="objects a bulk operation exports per simulated second"
    )
    p.add_argument(
        "--redeem-code-speed",
        type=float,
        default=500.0,
        help="codes a discountRedeemCodeBulkAdd job adds per simulated second",
    )
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="RULE",
        help="inject faults, e.g. throttled:rate=0.1, http_503:nth=3/7, slow:every=10:seconds=2 "
        f"(kinds: {', '.join(KINDS)})",
    )
    p.add_argument("--fault-seed", type=int, default=0)
    p.add_argument(
        "--search-lag",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="the most seconds a write takes to show in query: filters and …Count roots (0: at once)",
    )
    p.add_argument(
        "--scopes", default=",".join(ALL_SCOPES), help="comma-separated access scopes granted to the app (default: all)"
    )
    p.add_argument(
        "--strict",
        action="store_true",
        help="when stopped, exit 1 with the traceback of the first failure of the emulator's own, if any"
        " (answered as Shopify's internal error either way)",
    )
    p.add_argument("--verbose", action="store_true", help="log every request")
    return p


def main(argv: list[str] | None = None) -> None:
    args = parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    try:
        for rule in args.fault:
            Rule.parse(rule)
    except ValueError as exc:
        sys.exit(f"shopify-admin-emulator: {exc}")
    started = time.monotonic()
    try:
        emulator = Emulator(
            Config(
                plan=args.plan,
                access_token=args.access_token,
                client_id=args.client_id,
                client_secret=args.client_secret,
                token_ttl=args.token_ttl,
                shop=args.shop,
                timezone=args.timezone,
                bulk_objects_per_second=args.bulk_speed,
                redeem_codes_per_second=args.redeem_code_speed,
                faults=args.fault,
                fault_seed=args.fault_seed,
                search_lag=args.search_lag,
                strict=args.strict,
                scopes=tuple(scope.strip() for scope in args.scopes.split(",") if scope.strip()),
            )
        )
    except ValueError as exc:  # an unknown time zone
        sys.exit(f"shopify-admin-emulator: {exc}")
    seed(emulator.store, args.customers, args.products, args.orders, args.seed, args.locations)
    gc.freeze()  # the seeded shop lives as long as the process: keep it out of every collection
    server = EmulatorServer(emulator, args.host, args.port, verbose=args.verbose)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    log.info(
        "serving %s/admin/api/2026-07/graphql.json (plan %s, %d customers, %d products, %d orders) "
        "ready in %.1fs, %.0f MB",
        server.url,
        args.plan,
        args.customers,
        args.products,
        args.orders,
        time.monotonic() - started,
        peak_mb,
    )
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # terminated: still clean up in `finally`
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
