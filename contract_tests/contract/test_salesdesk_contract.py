"""salesdesk: every Schemathesis check, in-process and over a socket, and stateful flows.

Runs as the demo admin (paged answers); the agent's plain arrays are covered by the behaviour
tests in contract_tests/salesdesk/. The personal access token survives the suite's resets, which
clear OAuth-issued tokens.
"""

from __future__ import annotations

from contract_tests.contract.support import ContractSuite

suite = ContractSuite(
    "salesdesk",
    {"bearerAuth": {"bearer": "demo-sd-admin-7c1e9a3f5b2d4e6f8a0c1b3d5e7f9a2c"}},
)

test_in_process = suite.in_process_test()
test_over_socket = suite.socket_test()
TestStateful = suite.stateful_test()
TestStatefulOverSocket = suite.stateful_test(over_socket=True)
