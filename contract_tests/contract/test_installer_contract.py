"""Installer.com Integration API V1: every Schemathesis check, in-process and over a socket, and
stateful flows through the spec's links (create -> get/dispatch/cancel, tags -> assign/remove)."""

from __future__ import annotations

from contract_tests.contract.support import ContractSuite

suite = ContractSuite(
    "installer",
    {"bearerAuth": {"bearer": "inst_demo_4f8c1a9e7b2d4c6a8e0f1b3d5a7c9e2f"}},
)

test_in_process = suite.in_process_test()
test_over_socket = suite.socket_test()
TestStateful = suite.stateful_test()
TestStatefulOverSocket = suite.stateful_test(over_socket=True)
