"""pytest fixtures for testing clients against the mock."""
