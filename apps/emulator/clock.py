"""The emulator's clock: wall time sped up by a factor, or moved by hand in tests.

The world is a function of this clock, so a test can advance it and see jobs move without
sleeping, and the demo can run ten times faster than life.
"""

from __future__ import annotations

import threading
import time


class Clock:
    """Simulated seconds since the epoch."""

    def now(self) -> float:
        raise NotImplementedError


class ScaledClock(Clock):
    """Starts at the real time and runs `speed` times faster than it."""

    def __init__(self, speed: float = 1.0) -> None:
        self.speed = speed
        self._origin_real = time.time()
        self._origin_mono = time.monotonic()

    def now(self) -> float:
        return self._origin_real + (time.monotonic() - self._origin_mono) * self.speed


class ManualClock(Clock):
    """Stands still until `advance` is called (tests)."""

    def __init__(self, start: float | None = None) -> None:
        self._now = time.time() if start is None else start
        self._lock = threading.Lock()

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += seconds
