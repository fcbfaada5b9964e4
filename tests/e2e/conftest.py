"""Fixtures of the Meltano end-to-end tests: one PostgreSQL server and one `meltano install` per test run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from ..conftest import unavailable
from ..postgres import Postgres, UnavailableError, postgres_server
from .meltano import FORWARD, MELTANO, REVERSE, Pipeline, install, open_pipeline


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    try:
        with postgres_server() as server:
            yield server
    except UnavailableError as exc:
        unavailable(str(exc))


@pytest.fixture(scope="session")
def installed() -> None:
    """`meltano install` once per session: the custom plugins editable, the warehouse ends from PyPI."""
    if not MELTANO.exists():
        unavailable(f"{MELTANO} is missing: scripts/setup.sh creates it")
    install(*FORWARD, *REVERSE)


SEED = ("--customers", "200", "--products", "40", "--orders", "200")


@pytest.fixture
def pipeline(installed: None, postgres: Postgres, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Pipeline]:
    """A fresh seeded emulator, a Meltano state database and a Postgres schema for one test; the shop is
    seeded with the test module's `SEED` where it has one."""
    schema = f"e2e_{request.node.name.removeprefix('test_')}"[:60]
    with open_pipeline(postgres, tmp_path, schema, *getattr(request.module, "SEED", SEED)) as it:
        yield it
