"""A dependency-free progress bar for long CLI jobs (seeding): one line, redrawn in place."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    def __init__(self, total: int, label: str, stream: TextIO | None = None) -> None:
        self.total = max(total, 1)
        self.label = label
        self.stream = stream or sys.stderr
        self.done = 0
        self.started = time.perf_counter()
        self._drawn = 0.0

    def rate(self) -> float:
        elapsed = time.perf_counter() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0

    def advance(self, count: int) -> None:
        self.done += count
        now = time.perf_counter()
        if now - self._drawn >= 0.1:  # redraw at most ten times a second
            self._drawn = now
            self._draw()

    def _draw(self, end: str = "") -> None:
        share = min(self.done / self.total, 1.0)
        filled = int(share * 30)
        bar = "#" * filled + "-" * (30 - filled)
        self.stream.write(
            f"\r{self.label:<10} [{bar}] {share:4.0%} {self.done:>9,} records "
            f"{self.rate():>9,.0f}/s{end}"
        )
        self.stream.flush()

    def finish(self) -> None:
        self._draw(end="\n")
