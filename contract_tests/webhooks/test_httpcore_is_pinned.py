"""Regression: a refused delivery escaped as a raw httpcore.ConnectError after a pytester run.

httpx caches its httpcore-to-httpx exception map from the first httpcore module it sees; pytester
drops modules first imported during an inner run, so a later re-import of httpcore raised classes
the cached map did not know. Loading the plugin must therefore import httpcore itself.
"""

from __future__ import annotations

import subprocess
import sys


def test_loading_the_plugin_pins_httpcore() -> None:
    probe = "import sys, mockserver.pytest_plugin; print('httpcore' in sys.modules)"
    found = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert found.stdout.strip() == "True"
