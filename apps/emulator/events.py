"""A deterministic event queue: the world's future as (time, sequence, callback) entries.

Events are applied in time order when a request arrives (`run_until(now)`), so the state at
any moment depends only on the seed and the events before it, never on when it was asked.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable
from typing import Any


class Scheduler:
    def __init__(self, start: float) -> None:
        self.now = start
        self._queue: list[tuple[float, int, Callable[..., Any], tuple[Any, ...]]] = []
        self._seq = itertools.count()

    def at(self, when: float, callback: Callable[..., Any], *args: Any) -> None:
        heapq.heappush(self._queue, (max(when, self.now), next(self._seq), callback, args))

    def after(self, delay: float, callback: Callable[..., Any], *args: Any) -> None:
        self.at(self.now + delay, callback, *args)

    def run_until(self, until: float) -> None:
        while self._queue and self._queue[0][0] <= until:
            when, _, callback, args = heapq.heappop(self._queue)
            self.now = when
            callback(*args)
        self.now = max(self.now, until)

    def __len__(self) -> int:
        return len(self._queue)
