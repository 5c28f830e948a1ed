"""Helpers for tests that use the mock: fixtures' building blocks, receivers, assertions.

The pytest fixtures live in ``mockserver.pytest_plugin``; this package holds what they use and
what a test imports directly: conformance checks and ``verify``, fuzzed answers (``strategies``
for Hypothesis, ``CannedResponse``) and the webhook receiver (``webhooks``).
"""

from mockserver.testing.conformance import ContractViolation as ContractViolation
from mockserver.testing.conformance import ContractViolations as ContractViolations
from mockserver.testing.conformance import JournalQuery as JournalQuery
from mockserver.testing.fuzz import CannedResponse as CannedResponse
from mockserver.testing.fuzz import FuzzControl as FuzzControl
from mockserver.testing.handle import MockHandle as MockHandle
from mockserver.testing.handle import ServerHandle as ServerHandle
