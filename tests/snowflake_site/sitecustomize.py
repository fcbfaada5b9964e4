"""Imported at start-up by the Snowflake plugins in the tests (their PYTHONPATH holds this directory): names
under snowflakecomputing.com resolve to the local Snowflake stand-in (SNOWFLAKE_STANDIN=host:port). This is
the only change to how they connect; the plugins build `{account}.snowflakecomputing.com:443` themselves and
have no host or port setting."""

from __future__ import annotations

import os
import socket
from typing import Any

_standin = os.environ.get("SNOWFLAKE_STANDIN")
if _standin:
    _host, _port = _standin.rsplit(":", 1)
    _resolve = socket.getaddrinfo

    def _getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".snowflakecomputing.com"):
            return _resolve(_host, int(_port), *args, **kwargs)
        return _resolve(host, port, *args, **kwargs)

    socket.getaddrinfo = _getaddrinfo
