"""A local Snowflake stand-in: fakesnow's server (Snowflake's wire protocol over DuckDB), extended by
`snowflake_site/staged_files.py` with the staged-file statements target-snowflake loads by, behind TLS with a
`*.snowflakecomputing.com` certificate from a CA made for the run. The real plugins reach it unmodified:
`snowflake_site/sitecustomize.py` resolves `{account}.snowflakecomputing.com` to it, and they trust the CA
through REQUESTS_CA_BUNDLE. Meltano drops PYTHONPATH from a plugin's environment, so `redirected` puts
that directory on the path of a plugin's venv by a `.pth` file, for the test's time only (it does nothing
without SNOWFLAKE_STANDIN). fakesnow and its Snowflake connector live in `.venv-snowflake`, made here."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock

from bench.singer_io import make_certificates

from .postgres import free_port

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-snowflake"
# fakesnow 0.12.1 imports snowflake.connector.converter, which connector 5 moved
PACKAGES = ("fakesnow[server]==0.12.1", "snowflake-connector-python==4.8.1")
SITE = Path(__file__).resolve().parent / "snowflake_site"
ACCOUNT = "standin"
SERVE = """import sys, uvicorn
sys.path.insert(0, sys.argv[4])
import staged_files
uvicorn.run(staged_files.app, host="127.0.0.1", port=int(sys.argv[1]), ssl_certfile=sys.argv[2],
            ssl_keyfile=sys.argv[3], log_level="warning")"""
QUERY = """import json, sys, snowflake.connector
connection = snowflake.connector.connect(user=sys.argv[2], password="test", account=sys.argv[1])
rows = []
for statement in json.load(sys.stdin):
    rows = connection.cursor().execute(statement).fetchall()
print(json.dumps(rows, default=str))"""


class UnavailableError(RuntimeError):
    """fakesnow could not be installed here."""


def python() -> Path:
    """The stand-in venv's interpreter, installing fakesnow into it the first time."""
    interpreter = VENV / "bin" / "python"
    installed = VENV / "installed"  # written last: a venv whose interpreter exists may still be installing
    # test workers run side by side: one installs, the others wait for it
    with FileLock(str(ROOT / ".venv-snowflake.lock")):
        if installed.exists():
            return interpreter
        shutil.rmtree(VENV, ignore_errors=True)
        uv = [sys.executable, "-m", "uv", "-q"]
        install = [*uv, "pip", "install", "--compile-bytecode", "--python", str(interpreter), *PACKAGES]
        for command in ([*uv, "venv", str(VENV)], install):
            done = subprocess.run(command, capture_output=True, text=True, timeout=900)
            if done.returncode:
                shutil.rmtree(VENV, ignore_errors=True)
                raise UnavailableError(f"could not install {', '.join(PACKAGES)}: {done.stderr[-2000:]}")
        installed.write_text(" ".join(PACKAGES))
    return interpreter


@dataclass
class Snowflake:
    address: str
    env: dict[str, str]  # what a process needs to reach the stand-in as `{ACCOUNT}.snowflakecomputing.com`

    def sql(self, *statements: str, user: str = "test") -> list[list[Any]]:
        """Runs the statements in one session of Snowflake's own connector; the rows of the last one."""
        done = subprocess.run(
            [str(python()), "-c", QUERY, ACCOUNT, user],
            input=json.dumps(statements),
            env={**os.environ, "PYTHONPATH": str(SITE), **self.env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            raise RuntimeError(f"the stand-in refused {statements}: {done.stderr[-3000:]}")
        return json.loads(done.stdout)


@contextmanager
def redirected(*venvs: Path) -> Iterator[None]:
    """Python in these venvs imports `snowflake_site/sitecustomize.py` at start-up, until the block ends."""
    files = [next(venv.glob("lib/python3*/site-packages")) / "snowflake_standin.pth" for venv in venvs]
    for file in files:
        file.write_text(f"{SITE}\n")
    try:
        yield
    finally:
        for file in files:
            file.unlink(missing_ok=True)


def _wait_for(port: int, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"fakesnow exited: {log.read_text()[-3000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError("fakesnow did not listen within 60 s")


@contextmanager
def snowflake_standin() -> Iterator[Snowflake]:
    with tempfile.TemporaryDirectory(prefix="snowflake-standin-") as directory:
        ca, cert, key = make_certificates(Path(directory), "snowflakecomputing.com")
        port = free_port()
        command = [str(python()), "-c", SERVE, str(port), str(cert), str(key), str(SITE)]
        log = Path(directory) / "fakesnow.log"
        # a file, not a pipe: fakesnow logs every upload, and a full pipe nobody reads would stop the server
        with log.open("wb") as output:
            server = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        try:
            _wait_for(port, server, log)
            address = f"127.0.0.1:{port}"
            env = {"SNOWFLAKE_STANDIN": address, "REQUESTS_CA_BUNDLE": str(ca)}
            yield Snowflake(address, env)
        finally:
            server.terminate()
            server.wait(timeout=30)
