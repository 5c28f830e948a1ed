"""Robaws API v2: every Schemathesis check, in-process and over a socket, and stateful flows."""

from __future__ import annotations

from contract_tests.contract.support import ContractSuite

suite = ContractSuite(
    "robaws",
    {
        "basicAuth": {
            "username": "demo7f3a9c2e41b84d6e",
            "password": "demo2b9e4f71c0a34d8e9f1a6c5b7d2e0f43",
        }
    },
)

test_in_process = suite.in_process_test()
test_over_socket = suite.socket_test()
TestStateful = suite.stateful_test()
TestStatefulOverSocket = suite.stateful_test(over_socket=True)
