"""mockserver: stateful, spec-driven local mocks of four vendor APIs, and their contract tests."""

from mockserver.app import create_app
from mockserver.app import get_engine
from mockserver.clock import Clock
from mockserver.settings import Settings

__all__ = ["Clock", "Settings", "create_app", "get_engine"]
__version__ = "0.1.0"
