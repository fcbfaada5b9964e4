"""singer-io's tap-shopify 3.13.0, unmodified, against the emulator.

It reaches `https://{shop}.myshopify.com` (ShopifyAPI for `shop.json` and paged GraphQL, `requests` for
starting bulk operations), so it keeps https and the real host names. Three things point it at the
emulator without touching its code: `sitecustomize.py` (bench/singer_io_site, on its PYTHONPATH)
resolves `*.myshopify.com` to a local TLS proxy; the proxy serves a certificate for `*.myshopify.com`
signed by a CA generated here, which the tap trusts through SSL_CERT_FILE (urllib) and
REQUESTS_CA_BUNDLE (requests); the proxy forwards `{shop}.myshopify.com` to that shop's own emulator.
"""

from __future__ import annotations

import http.client
import json
import os
import ssl
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .harness import OUT, TOKEN, Store, emulator, run_process, sync_result, work_dir, write_json

VERSION = "3.13.0"
VENV = OUT / "venv-singer-io"
SITE = Path(__file__).resolve().parent / "singer_io_site"
STREAMS = ("customers", "products", "product_variants", "orders")  # those that map to ours
# Its orders query selects fulfillments.service.permitsSkuSharing, which Admin API 2026-07 (the
# emulator's schema) no longer has: the catalog deselects `fulfillments` so that the rest can be served.
DESELECTED = {"orders": {"fulfillments"}}
# Run with its defaults (250 a page): under Shopify's cost rule its pages fit the 1,000-point limit.


def ensure_venv() -> Path:
    """Its own virtual environment with tap-shopify from PyPI; the executable."""
    tap = VENV / "bin" / "tap-shopify"
    meta = VENV / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    if not (tap.exists() and (meta / f"tap_shopify-{VERSION}.dist-info").exists()):
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        pip = [str(VENV / "bin" / "python"), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
        subprocess.run([*pip, f"tap-shopify=={VERSION}"], check=True)
    return tap


def versions() -> dict[str, str]:
    out = subprocess.run(
        [str(VENV / "bin" / "python"), "-m", "pip", "list", "--format=json"], check=True, capture_output=True
    ).stdout
    wanted = {"tap-shopify", "ShopifyAPI", "singer-python", "graphql-core", "requests"}
    return {p["name"]: p["version"] for p in json.loads(out) if p["name"] in wanted}


def make_certificates(directory: Path, domain: str = "myshopify.com") -> tuple[Path, Path, Path]:
    """A throw-away CA and a `*.{domain}` certificate it signs: (ca, cert, key)."""
    directory.mkdir(parents=True, exist_ok=True)
    ca, ca_key = directory / "ca.pem", directory / "ca.key"
    cert, key, csr, ext = (
        directory / "server.pem",
        directory / "server.key",
        directory / "server.csr",
        directory / "ext.cnf",
    )
    if not cert.exists():
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "30",
             "-subj", "/CN=benchmark CA", "-addext", "basicConstraints=critical,CA:TRUE",
             "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
            check=True,
            capture_output=True,
        )  # fmt: skip
        subprocess.run(
            ["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr,
             "-subj", f"/CN=*.{domain}"],
            check=True,
            capture_output=True,
        )  # fmt: skip
        ext.write_text(
            f"subjectAltName=DNS:*.{domain}\nbasicConstraints=CA:FALSE\n"
            "keyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n"
        )
        subprocess.run(
            ["openssl", "x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
             "-days", "30", "-extfile", ext],
            check=True,
            capture_output=True,
        )  # fmt: skip
    return ca, cert, key


class Proxy(ThreadingHTTPServer):
    """TLS in front of the emulators: `{shop}.myshopify.com` goes to `routes[shop]`."""

    daemon_threads = True

    def __init__(self, cert: Path, key: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Forward)
        self.routes: dict[str, str] = {}
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        # the handshake happens in the request's thread, not in the accepting one
        self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)
        threading.Thread(target=self.serve_forever, daemon=True).start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"


class _Forward(BaseHTTPRequestHandler):
    server: Proxy

    def _forward(self) -> None:
        shop = (self.headers.get("Host") or "").split(".", 1)[0]
        upstream = urlsplit(self.server.routes[shop])
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
        connection = http.client.HTTPConnection(upstream.hostname or "", upstream.port, timeout=600)
        connection.request(self.command, self.path, body or None, headers)
        answer = connection.getresponse()
        data = answer.read()
        self.send_response(answer.status)
        for name, value in answer.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        connection.close()

    do_GET = do_POST = _forward  # noqa: N815

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the emulator logs requests if asked


def environment(proxy: Proxy, ca: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(SITE),
        "BENCH_MYSHOPIFY_PROXY": proxy.address,
        "SSL_CERT_FILE": str(ca),
        "REQUESTS_CA_BUNDLE": str(ca),
    }


def select(catalog: dict[str, Any]) -> dict[str, Any]:
    """STREAMS selected with every field they offer, but DESELECTED."""
    for entry in catalog["streams"]:
        stream = entry["tap_stream_id"]
        for item in entry["metadata"]:
            if not item["breadcrumb"]:
                item["metadata"]["selected"] = stream in STREAMS
            elif item["metadata"].get("inclusion") == "available":
                item["metadata"]["selected"] = item["breadcrumb"][1] not in DESELECTED.get(stream, set())
    return catalog


def start_date() -> str:
    """The seeded data spans the two years before today (UTC); a little before that."""
    midnight = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (midnight - timedelta(days=733)).strftime("%Y-%m-%dT%H:%M:%SZ")


def tap_sync(store: Store, proxy: Proxy, ca: Path, incremental: bool = False) -> dict[str, Any]:
    tap = str(ensure_venv())
    shop_name = f"bench{store.orders}"
    work = work_dir(f"singer-io-{store.orders}")
    env = environment(proxy, ca)
    with emulator(store.args(shop_name)) as shop:
        proxy.routes[shop_name] = shop.url
        expected = shop.counts()
        config = work / "config.json"
        write_json(
            config,
            {
                "shop": shop_name,
                "access_token": TOKEN,
                "start_date": start_date(),
            },
        )
        with (work / "discover.log").open("wb") as err:
            found = subprocess.run(
                [tap, "--config", str(config), "--discover"], env=env, check=True, stdout=subprocess.PIPE, stderr=err
            ).stdout
        catalog = work / "catalog.json"
        write_json(catalog, select(json.loads(found)))
        shop.reset_stats()
        command = [tap, "--config", str(config), "--catalog", str(catalog)]
        run = run_process(command, env=env, log=work / "tap.log")
        args = store.args(shop_name)
        result = sync_result("singer-io", "singer-io", store, command, args, run, shop.stats(), expected)
        if incremental and run.last_state is not None:
            state = work / "state.json"
            write_json(state, run.last_state)
            shop.reset_stats()
            again = [*command, "--state", str(state)]
            rerun = run_process(again, env=env, log=work / "incremental.log")
            stats = shop.stats()
            result["incremental"] = {
                "command": " ".join(again),
                "returncode": rerun.returncode,
                "graphql_requests": stats["graphql"]["requests"],
                "http_requests": stats["http_requests"],
                "points": stats["graphql"]["actual_cost"],
                "operations": {name: op["requests"] for name, op in stats["operations"].items()},
                "records": dict(rerun.records),
                "wall_s": rerun.wall_s,
            }
        del proxy.routes[shop_name]
    return result
