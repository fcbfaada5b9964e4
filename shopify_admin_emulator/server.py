"""HTTP front of the emulator (standard library server, one thread a connection, keep-alive)."""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

import msgspec
from typing_extensions import override

from .emulator import INVALID_TOKEN_BODY, Emulator
from .faults import Rule
from .internal_errors import internal_error_body

RATE_LIMITED_MESSAGE = (
    "Exceeded 2 calls per second for api client. Reduce request rates to resume uninterrupted service."
)
API_PATH = re.compile(r"^/admin/api/(\d{4}-\d{2}|unstable)/(graphql|shop)\.json$")
FILE_PATH = re.compile(r"^/__emulator/files/([\w.-]+)$")
UPLOAD_PATH = re.compile(r"^/__emulator/uploads/([\w.-]+)$")


def read_json(raw: bytes) -> Any:
    """json.loads, with nesting too deep for the parser reported as the ValueError any bad JSON raises."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out in two writes: do not hold the second back
    server: EmulatorServer

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)

    @property
    def emulator(self) -> Emulator:
        return self.server.emulator

    @property
    def base_url(self) -> str:
        host = self.headers.get("Host") or f"{self.server.server_address[0]!s}:{self.server.server_address[1]}"
        return f"http://{host}"

    def _body(self) -> bytes | None:
        """The request body; None when Content-Length is not a byte count (the rest of the stream is then
        unframed, so the connection closes after the 400)."""
        text = self.headers.get("Content-Length") or "0"
        if not (text.isascii() and text.isdigit()):
            self.close_connection = True
            return None
        length = int(text)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, payload: Any, headers: dict[str, str] | None = None, truncate: bool = False) -> None:
        body = payload if isinstance(payload, bytes) else msgspec.json.encode(payload)  # compact, as Shopify's
        self.send_response(status)
        content_type = (
            "application/json; charset=utf-8" if not isinstance(payload, bytes) else "application/octet-stream"
        )
        self.send_header("Content-Type", (headers or {}).pop("Content-Type", content_type))
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if truncate:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(body)

    def _send_cut_short(self, body: bytes) -> None:
        """The first half of the lines, without Content-Length, then close: the client sees a whole, shorter file."""
        lines = body.splitlines(keepends=True)
        self.send_response(200)
        self.send_header("Content-Type", "application/jsonl")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(b"".join(lines[: len(lines) // 2]))
        self.wfile.flush()
        self.close_connection = True

    def _reset(self) -> None:
        """Drop the connection without an answer (RST where the OS allows)."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
        self.connection.close()

    # routes ---------------------------------------------------------------------------------------
    def do_GET(self) -> None:
        with self.emulator.lock:
            self.emulator.http_requests += 1
        path = self.path.split("?", 1)[0]
        if path == "/__emulator/stats":
            return self._send(200, self.emulator.stats_json())
        if path == "/__emulator/faults":
            return self._send(200, self.emulator.faults.describe())
        match = FILE_PATH.match(path)
        if match:
            file = self.emulator.files.get(match.group(1))
            if file is None or not file.exists():
                return self._send(404, {"errors": "Not Found"})
            if self.emulator.faults.take("bulk_truncated"):
                return self._send_cut_short(file.read_bytes())
            return self._send(200, file.read_bytes(), {"Content-Type": "application/jsonl"})
        match = API_PATH.match(path)
        if match and match.group(2) == "shop":
            if not self.emulator.token_valid(self.headers.get("X-Shopify-Access-Token")):
                return self._send(401, INVALID_TOKEN_BODY)
            return self._send(200, {"shop": self.emulator.rest_shop()})
        return self._send(404, {"errors": "Not Found"})

    def do_POST(self) -> None:
        with self.emulator.lock:
            self.emulator.http_requests += 1
        path = self.path.split("?", 1)[0]
        body = self._body()
        if body is None:
            return self._send(400, {"errors": "Content-Length is not a number of bytes"})
        match = API_PATH.match(path)
        if match and match.group(2) == "graphql":
            with self.emulator.lock:
                self.emulator.in_flight += 1
                self.emulator.peak_in_flight = max(self.emulator.peak_in_flight, self.emulator.in_flight)
            try:
                return self._graphql(body)
            finally:
                with self.emulator.lock:
                    self.emulator.in_flight -= 1
        if path == "/admin/oauth/access_token":
            form = self._oauth_form(body)
            if form is None:
                return self._send(400, {"error": "invalid_request", "error_description": "malformed request body"})
            return self._send(*self.emulator.client_credentials(form))
        match = UPLOAD_PATH.match(path)
        if match:
            status, payload = self.emulator.receive_upload(match.group(1), self.headers.get("Content-Type", ""), body)
            return self._send(status, payload)
        if path == "/__emulator/faults":
            try:
                rules = [Rule.from_json(r) for r in read_json(body or b"[]")]
            except (ValueError, TypeError) as exc:
                return self._send(400, {"error": str(exc)})
            self.emulator.faults.replace(rules)
            return self._send(200, self.emulator.faults.describe())
        if path == "/__emulator/stats/reset":
            self.emulator.reset_stats()
            return self._send(200, self.emulator.stats_json())
        if path == "/__emulator/clock":
            try:
                seconds = float(read_json(body or b"{}").get("advance", 0))
            except (ValueError, TypeError, AttributeError) as exc:
                return self._send(400, {"error": str(exc)})
            self.emulator.store.clock.offset += seconds
            return self._send(200, {"offset": self.emulator.store.clock.offset})
        return self._send(404, {"errors": "Not Found"})

    def _oauth_form(self, body: bytes) -> dict[str, str] | None:
        """The token request's fields, from JSON or a URL-encoded form; None when the body is neither."""
        try:
            if (self.headers.get("Content-Type") or "").startswith("application/json"):
                form = read_json(body or b"{}")
            else:
                form = dict(parse_qsl(body.decode(), strict_parsing=bool(body)))
        except ValueError:
            return None
        return form if isinstance(form, dict) else None

    def _graphql(self, raw: bytes) -> None:
        token = self.headers.get("X-Shopify-Access-Token")
        if not self.emulator.token_valid(token):
            return self._send(401, INVALID_TOKEN_BODY)
        assert token is not None
        rules = self.emulator.faults.next_request()
        fired = {rule.kind: rule for rule in rules if not rule.after}
        after = {rule.kind: rule for rule in rules if rule.after}
        if "expire_token" in fired:
            self.emulator.expire(token)
            return self._send(401, INVALID_TOKEN_BODY)
        if self._fault_answered(fired):
            return None
        try:
            body = read_json(raw or b"{}")
            if not isinstance(body, dict):
                raise ValueError("body is not an object")
        except ValueError:
            return self._send(400, {"errors": {"query": "Required parameter missing or invalid"}})
        response = self.emulator.graphql(token, body, self.base_url, force_throttle="throttled" in fired)
        if self._fault_answered(after):
            return None
        truncate = "truncated" in fired or "truncated" in after
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a late answer nobody waits for
            self._send(200, response, truncate=truncate)

    def _fault_answered(self, fired: dict[str, Rule]) -> bool:
        """Apply the faults that answer in place of the API (a reset, a 429, a 5xx, Shopify's internal
        error); `slow` delays the answer. True when one answered."""
        if "reset" in fired:
            self._reset()
            return True
        if "internal_error" in fired:
            self._send(200, internal_error_body())
            return True
        if "http_429" in fired:
            self._send(429, {"errors": RATE_LIMITED_MESSAGE}, {"Retry-After": f"{fired['http_429'].seconds:g}"})
            return True
        for code in (500, 502, 503):
            if f"http_{code}" in fired:
                self._send(code, {"errors": "Internal Server Error" if code == 500 else "Service Unavailable"})
                return True
        if "slow" in fired:
            time.sleep(fired["slow"].seconds)
        return False


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, emulator: Emulator, host: str = "127.0.0.1", port: int = 0, verbose: bool = False) -> None:
        super().__init__((host, port), Handler)
        self.emulator = emulator
        self.verbose = verbose

    @override
    def server_close(self) -> None:
        """Stop serving and remove the emulator's files; a strict emulator then raises the first failure
        of its own that no one has raised yet."""
        super().server_close()
        self.emulator.close()
        self.emulator.internal_errors.raise_kept()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def start_background(self) -> threading.Thread:
        thread = threading.Thread(target=self.serve_forever, name="shopify-admin-emulator", daemon=True)
        thread.start()
        return thread
