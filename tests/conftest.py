"""Shared fixtures: an emulator served on a free local port, and the real Shopify schema."""

from __future__ import annotations

import json
import os
import threading
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn

import pytest
import requests

from shopify_admin_emulator.emulator import Config, Emulator
from shopify_admin_emulator.seed import seed
from shopify_admin_emulator.server import EmulatorServer

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REAL_SCHEMA = SHARED / "shopify-admin-schema" / "admin-2026-07.graphql"
CAPTURES = SHARED / "shopify-captures"
TOKEN = "shpat_test"
# seconds each test module took, set-up included, to start the longest first (`--record-durations` rewrites it)
DURATIONS = Path(__file__).with_name("durations.json")


def unavailable(reason: str) -> NoReturn:
    """CI must run every test: there a missing prerequisite fails; elsewhere it skips with the reason."""
    if os.environ.get("CI", "").lower() in ("true", "1"):
        pytest.fail(reason)
    pytest.skip(reason)


def require_shared(path: Path) -> Path:
    """A file or directory of `../shared`, the ground truth that is read in place and never copied here."""
    if not path.exists():
        unavailable(f"{path} is missing: the tests need Shopify's schema and captures in ../shared beside the checkout")
    return path


class Running:
    """An emulator in this process, reached over HTTP like any client would."""

    def __init__(self, emulator: Emulator, server: EmulatorServer) -> None:
        self.emulator = emulator
        self.server = server
        self.url = server.url
        self.session = requests.Session()

    def graphql(self, query: str, variables: dict | None = None, token: str = TOKEN, version: str = "2026-07") -> dict:
        response = self.session.post(
            f"{self.url}/admin/api/{version}/graphql.json",
            json={"query": query, "variables": variables or {}},
            headers={"X-Shopify-Access-Token": token},
            timeout=30,
        )
        response.raise_for_status()
        return response.json()

    def next_second(self) -> datetime:
        """A sync start in the second after this one on the shop's clock, which a test may have moved on
        (`run_tap`'s default follows the wall clock)."""
        return datetime.fromtimestamp(int(self.emulator.store.clock.now()) + 1, UTC)

    def end_redeem_code_job(self, codes: int = 250) -> None:
        """The shop's clock moves past the end of a bulk add job of `codes` redeem codes started now."""
        self.emulator.store.clock.offset += codes / self.emulator.config.redeem_codes_per_second + 0.01

    def define_custom_id(self, owner_type: str, namespace: str, key: str) -> None:
        """The metafield definition of type id that Shopify needs before anything matches on this custom id."""
        definition = {"ownerType": owner_type, "namespace": namespace, "key": key, "name": key, "type": "id"}
        answer = self.graphql(
            "mutation($d: MetafieldDefinitionInput!) { metafieldDefinitionCreate(definition: $d) {"
            " createdDefinition { id } userErrors { field message code } } }",
            {"d": definition},
        )
        assert answer["data"]["metafieldDefinitionCreate"]["userErrors"] == [], answer


# every emulator the tests start, strict: a failure of its own fails the test (emulator_failures)
STRICT: weakref.WeakSet[Emulator] = weakref.WeakSet()


def start(plan: str = "unlimited", customers: int = 50, products: int = 20, orders: int = 120, **config) -> Running:
    """Search sees writes at once unless `search_lag` says otherwise: many tests read their own writes
    through `query:` right after (test_target_orders, the destroy events of the mutation tests)."""
    emulator = Emulator(Config(plan=plan, access_token=TOKEN, **{"search_lag": 0.0, "strict": True, **config}))
    STRICT.add(emulator)
    seed(emulator.store, customers, products, orders, seed=1)
    server = EmulatorServer(emulator)
    # a short poll: shutdown() waits for it, and tests stop hundreds of shops
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return Running(emulator, server)


@pytest.fixture(autouse=True)
def emulator_failures() -> Iterator[None]:
    """Fail the test during which an emulator failed on its own, with its exception as the cause: here
    for the shops that outlive the test, at `server_close` for the others."""
    yield
    for emulator in list(STRICT):
        emulator.internal_errors.raise_kept()


@pytest.fixture
def shop() -> Iterator[Running]:
    """A small seeded shop with throttling off."""
    running = start()
    yield running
    running.server.shutdown()
    running.server.server_close()


@pytest.fixture
def captures() -> Path:
    """`../shared/shopify-captures`; a test that compares with Shopify's answers uses it (`needs_captures`)."""
    return require_shared(CAPTURES)


@pytest.fixture(scope="session")
def real_schema():
    from graphql import build_schema

    return build_schema(require_shared(REAL_SCHEMA).read_text(), assume_valid=True)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-durations",
        action="store_true",
        help=f"write the seconds each test module took to {DURATIONS.name}, which orders the modules under xdist",
    )


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def unrecorded_seconds(items: list[pytest.Item]) -> float:
    """A guess for a module not in durations.json yet: a slow test is a minute, any other half a second."""
    return sum(60 if item.get_closest_marker("slow") else 0.5 for item in items)


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On xdist's workers, the test modules longest first by durations.json: `--dist loadfile
    --no-loadscope-reorder` hands them out in that order, so that no long module starts last and ends alone."""
    if not hasattr(config, "workerinput"):
        return
    recorded = json.loads(DURATIONS.read_text())
    modules: dict[str, list[pytest.Item]] = {}
    for item in items:
        modules.setdefault(module_of(item.nodeid), []).append(item)
    seconds = {module: recorded.get(module, unrecorded_seconds(tests)) for module, tests in modules.items()}
    items[:] = [item for module in sorted(modules, key=lambda m: -seconds[m]) for item in modules[module]]


class DurationRecorder:
    """Sums each module's test durations (set-up, call and teardown) from the reports, on the process that
    receives them all (xdist's controller), and writes them at the end."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        module = module_of(report.nodeid)
        self.seconds[module] = self.seconds.get(module, 0) + report.duration

    def pytest_sessionfinish(self) -> None:
        """The modules this run measured replace their figures; the others keep theirs."""
        merged = json.loads(DURATIONS.read_text()) | {module: round(s, 1) for module, s in self.seconds.items()}
        DURATIONS.write_text(json.dumps(dict(sorted(merged.items(), key=lambda kv: -kv[1])), indent=1) + "\n")


def pytest_configure(config: pytest.Config) -> None:
    if config.getoption("record_durations") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(DurationRecorder(), "duration-recorder")
