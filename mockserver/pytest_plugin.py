"""pytest fixtures for testing clients against the mock (filled in by the client-testing feature)."""
