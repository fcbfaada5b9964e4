"""A throwaway PostgreSQL server from Debian's `postgresql` package: initdb into a temporary directory,
started on a free local port, stopped and removed at the end. Queries go through `psql`, so the tests
need no Postgres driver of their own."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

DATABASE = "warehouse"
USER = "postgres"


class UnavailableError(RuntimeError):
    """No PostgreSQL server binaries, and no way to install them here."""


def server_binaries() -> Path:
    """The bin directory of the newest PostgreSQL installed, installing Debian's `postgresql` if absent."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1].parent
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise UnavailableError("PostgreSQL is not installed and apt-get cannot install it here (needs root and apt)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update"], ["apt-get", "install", "-y", "--no-install-recommends", "postgresql"]):
        done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=900)
        if done.returncode:
            raise UnavailableError(f"{' '.join(command)} failed: {done.stderr[-2000:]}")
    return server_binaries()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Postgres:
    bin: Path
    port: int
    host: str = "127.0.0.1"
    database: str = DATABASE
    user: str = USER

    def psql(self, sql: str, database: str | None = None) -> list[list[str]]:
        """Runs `sql` (stopping at the first error); the rows of its last statement, as text fields."""
        connection = ["-h", self.host, "-p", str(self.port), "-U", self.user, "-d", database or self.database]
        done = subprocess.run(
            [
                str(self.bin / "psql"),
                "-X",
                "-q",
                "-A",
                "-t",
                "-F",
                "\t",
                "-v",
                "ON_ERROR_STOP=1",
                *connection,
                "-c",
                sql,
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode:
            raise RuntimeError(f"psql failed: {done.stderr.strip()}\n{sql}")
        return [line.split("\t") for line in done.stdout.splitlines() if line]

    def value(self, sql: str) -> str:
        return self.psql(sql)[0][0]


def _as_postgres(command: list[str]) -> list[str]:
    """root cannot run the server: run it as the `postgres` OS user (the package creates it)."""
    return ["runuser", "-u", USER, "--", *command] if os.geteuid() == 0 else command


@contextmanager
def postgres_server() -> Iterator[Postgres]:
    """A new cluster on a free port with trust auth on 127.0.0.1 only and the database `warehouse`."""
    bin = server_binaries()
    home = Path(tempfile.mkdtemp(prefix="pg-e2e-"))
    data = home / "data"
    if os.geteuid() == 0:
        shutil.chown(home, USER, USER)
    run = {"capture_output": True, "text": True, "timeout": 300}
    initdb = [str(bin / "initdb"), "-D", str(data), "-U", USER, "--auth=trust", "--encoding=UTF8", "--no-sync"]
    done = subprocess.run(_as_postgres(initdb), **run)  # type: ignore[call-overload]
    if done.returncode:
        shutil.rmtree(home, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {done.stderr}")
    server = Postgres(bin, free_port())
    options = f"-p {server.port} -c listen_addresses=127.0.0.1 -k {home} -c fsync=off -c full_page_writes=off"
    pg_ctl = [str(bin / "pg_ctl"), "-D", str(data), "-l", str(home / "server.log"), "-w", "-t", "60"]
    try:
        done = subprocess.run(_as_postgres([*pg_ctl, "-o", options, "start"]), **run)  # type: ignore[call-overload]
        if done.returncode:
            log = (home / "server.log").read_text() if (home / "server.log").exists() else ""
            raise RuntimeError(f"postgres did not start: {done.stderr}\n{log[-2000:]}")
        server.psql(f"CREATE DATABASE {DATABASE}", database="postgres")
        yield server
    finally:
        subprocess.run(_as_postgres([*pg_ctl, "-m", "fast", "stop"]), **run)  # type: ignore[call-overload]
        shutil.rmtree(home, ignore_errors=True)
