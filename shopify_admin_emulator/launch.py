"""Run `shopify-admin-emulator` as a child process (for demos, tests and benchmarks): start it on a
free port, wait until it answers, and always stop it."""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

SERVING = re.compile(r"serving (http://\S+?)/admin/api/")


def command() -> list[str]:
    """The console script installed next to this Python."""
    return [str(Path(sys.executable).with_name("shopify-admin-emulator"))]


@dataclass
class Child:
    process: subprocess.Popen[str]
    url: str = ""
    log: list[str] = field(default_factory=list)  # its stderr so far


@contextmanager
def emulator_process(*args: str, timeout: float = 300) -> Iterator[Child]:
    """The emulator started with `args` (plus `--port 0`), once it serves; stopped on exit."""
    process = subprocess.Popen([*command(), "--port", "0", *args], stderr=subprocess.PIPE, text=True)
    child = Child(process)
    ready = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            child.log.append(line.rstrip("\n"))
            match = SERVING.search(line)
            if match and not child.url:
                child.url = match.group(1)
                ready.set()
        ready.set()  # end of output: the process is gone

    threading.Thread(target=read, daemon=True).start()
    try:
        deadline = time.monotonic() + timeout
        if not ready.wait(timeout) or not child.url:
            tail = "\n".join(child.log[-10:])
            raise RuntimeError(f"shopify-admin-emulator did not start (exit code {process.poll()}):\n{tail}")
        while True:
            try:
                requests.get(f"{child.url}/__emulator/stats", timeout=5).raise_for_status()
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield child
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
