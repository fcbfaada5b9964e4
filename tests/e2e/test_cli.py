"""The `shopify-admin-emulator` console script as users run it (the demo built on it: test_meltano_demo.py)."""

from __future__ import annotations

import subprocess

import pytest
import requests

from shopify_admin_emulator.launch import command, emulator_process

SMALL = ("--customers", "30", "--products", "8", "--orders", "40")
SNAPSHOT = """{
  customers(first: 50, sortKey: ID) { nodes { id email updatedAt } }
  orders(first: 50, sortKey: ID) { nodes { id name email updatedAt } }
  products(first: 50, sortKey: ID) { nodes { id handle updatedAt } }
}"""


def post(url: str, query: str, token: str) -> requests.Response:
    return requests.post(
        f"{url}/admin/api/2026-07/graphql.json",
        json={"query": query},
        headers={"X-Shopify-Access-Token": token},
        timeout=30,
    )


def snapshot(seed: str) -> dict:
    with emulator_process(*SMALL, "--seed", seed, "--access-token", "shpat_cli") as child:
        return post(child.url, SNAPSHOT, "shpat_cli").json()["data"]


def test_serves_graphql_to_its_token_only() -> None:
    with emulator_process(*SMALL, "--access-token", "shpat_cli", "--plan", "advanced") as child:
        answer = post(child.url, "{ shop { name } ordersCount { count } }", "shpat_cli").json()
        assert answer["data"] == {"shop": {"name": "emulator"}, "ordersCount": {"count": 38}}
        assert answer["extensions"]["cost"]["throttleStatus"]["maximumAvailable"] == 4000
        refused = post(child.url, "{ shop { name } }", "shpat_emulator")
        assert refused.status_code == 401
        assert refused.json() == {
            "errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"
        }


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (("--fault", "meteor:rate=1"), "unknown fault 'meteor'; known: throttled, http_429"),
        (("--fault", "http_503:often=2"), "unknown fault option 'often' in 'http_503:often=2'"),
        (("--timezone", "Mars/Olympus_Mons"), "unknown time zone 'Mars/Olympus_Mons': an IANA name"),
    ],
)
def test_a_bad_option_stops_it_with_a_clear_message(option: tuple[str, str], message: str) -> None:
    done = subprocess.run([*command(), "--port", "0", *option], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert done.stderr.startswith(f"shopify-admin-emulator: {message}")


def test_the_same_seed_gives_the_same_shop() -> None:
    first, again, other = snapshot("7"), snapshot("7"), snapshot("8")
    assert first == again
    assert len(first["customers"]["nodes"]) == 29 and len(first["orders"]["nodes"]) == 38
    for root, key in (("customers", "email"), ("orders", "updatedAt"), ("products", "handle")):
        assert [n[key] for n in first[root]["nodes"]] != [n[key] for n in other[root]["nodes"]]


def test_a_terminated_emulator_removes_its_files(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # where the child makes its data directory
    with emulator_process("--customers", "5", "--products", "2", "--orders", "5", "--access-token", "t") as child:
        bulk = '"{ customers { edges { node { id } } } }"'
        query = f"mutation {{ bulkOperationRunQuery(query: {bulk}) {{ userErrors {{ message }} }} }}"
        answer = requests.post(
            f"{child.url}/admin/api/2026-07/graphql.json",
            json={"query": query},
            headers={"X-Shopify-Access-Token": "t"},
            timeout=10,
        ).json()
        assert answer["data"]["bulkOperationRunQuery"]["userErrors"] == []
        [data_dir] = tmp_path.glob("shopify-admin-emulator-*")
    assert child.process.returncode == 0
    assert not data_dir.exists()
