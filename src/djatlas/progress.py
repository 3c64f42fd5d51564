"""A one-line progress display on stderr: only for a terminal, only after about a second."""

from __future__ import annotations

import sys
import time

#: Seconds before anything is shown (fast scans stay silent).
DELAY = 1.0


class Progress:
    """``phase(name, total)`` then ``step()`` per item; ``done()`` clears the line."""

    def __init__(self, enabled: bool = True, stream=None, delay: float | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        try:
            tty = self.stream.isatty()
        except (AttributeError, ValueError):
            tty = False
        self.enabled = enabled and (tty or stream is not None)
        self.start = time.perf_counter()
        self.delay = DELAY if delay is None else delay
        self.name = ""
        self.total = 0
        self.count = 0
        self.shown = False
        self._next = 0.0

    def phase(self, name: str, total: int) -> None:
        self.name, self.total, self.count = name, total, 0
        if self.enabled:
            self._draw(time.perf_counter())

    def step(self, n: int = 1) -> None:
        self.count += n
        if self.enabled:
            now = time.perf_counter()
            if now >= self._next:
                self._draw(now)

    def _draw(self, now: float) -> None:
        if now - self.start < self.delay:
            self._next = self.start + self.delay
            return
        self._next = now + 0.1
        counts = f" {self.count}/{self.total} files" if self.total else ""
        self.stream.write(f"\rdjatlas: {self.name}{counts}\x1b[K")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False
