"""Helpers for tests that use the mock: fixtures' building blocks, receivers, assertions."""
