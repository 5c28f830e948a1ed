"""The engine's own contract suite, on the small test spec (engine/data/shop.yaml)."""

from __future__ import annotations

from contract_tests.contract.support import ContractSuite
from contract_tests.engine.conftest import DATA

suite = ContractSuite(
    "shop",
    {"basicAuth": {"username": "north-key", "password": "north-secret"}},
    settings_changes={"specs_dir": DATA, "fixtures_dir": DATA / "fixtures"},
)

test_in_process = suite.in_process_test()
test_over_socket = suite.socket_test()
TestStateful = suite.stateful_test()
TestStatefulOverSocket = suite.stateful_test(over_socket=True)
