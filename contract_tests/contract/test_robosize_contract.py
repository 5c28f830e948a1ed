"""Robosize API v1: every Schemathesis check, in-process and over a socket, and stateful flows.

Two security schemes: the business API's ``api_key`` and the widget's ``business`` domain, both
query parameters, both configured per scheme so the ignored-auth check is meaningful (G2).
"""

from __future__ import annotations

from contract_tests.contract.support import ContractSuite

suite = ContractSuite(
    "robosize",
    {
        "apiKey": {"api_key": "demo-rs-5f1c9a7e3b2d4068a1c3e5f7b9d2e4a6"},
        "business": {"api_key": "lotte-fashion.nl"},
    },
)

test_in_process = suite.in_process_test()
test_over_socket = suite.socket_test()
TestStateful = suite.stateful_test()
TestStatefulOverSocket = suite.stateful_test(over_socket=True)
