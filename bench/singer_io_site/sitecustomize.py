"""Imported at start-up by singer-io's tap-shopify in the benchmark (its PYTHONPATH holds this directory):
names under myshopify.com resolve to the benchmark's local TLS proxy (BENCH_MYSHOPIFY_PROXY=host:port),
which forwards each shop to its own emulator. This is the only change to how that tap connects."""

from __future__ import annotations

import os
import socket
from typing import Any

_proxy = os.environ.get("BENCH_MYSHOPIFY_PROXY")
if _proxy:
    _host, _port = _proxy.rsplit(":", 1)
    _resolve = socket.getaddrinfo

    def _getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".myshopify.com"):
            return _resolve(_host, int(_port), *args, **kwargs)
        return _resolve(host, port, *args, **kwargs)

    socket.getaddrinfo = _getaddrinfo
