"""Per-action frequency limits, enforced as the cloud does: `RequestLimitExceeded`.

Each action page says "A maximum of N requests can be initiated per second for this API"
(e.g. https://www.tencentcloud.com/document/api/599/30557), counted per API, region and
account (https://cloud.tencent.com/document/product/1278/109059). That is a sliding window:
a request passes when fewer than N requests of the same (SecretId, region, action) passed in
the second before it. (A token bucket of capacity N lets N + N/s through in the first second,
more than the cloud allows.)

An invisible "other client" may take a share of every budget, as the team's own pipelines on
the same account would: it leaves N x (1 - share) requests a second to the caller, rounded
down (the other client keeps its share).
"""

from __future__ import annotations

import bisect
import threading
import time
from collections import deque

WINDOW_S = 1.0  # "per second"


class RateLimits:
    def __init__(self, limits: dict[str, float], *, enabled: bool = True) -> None:
        self._limits = limits
        self.enabled = enabled
        self.other_client_share = 0.0
        # The times of the requests that passed in the last WINDOW_S, oldest first; at most
        # N a key, as only passed requests are kept.
        self._passed: dict[tuple[str, str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def limit_of(self, action: str) -> float:
        return self._limits[action]

    def _capacity(self, action: str) -> float:
        return self._limits[action] * (1.0 - self.other_client_share)

    def allow(self, secret_id: str, region: str, action: str, *, at: float | None = None) -> bool:
        """Count one request that arrived `at` (time.monotonic(), default now); False means the
        caller exceeded the frequency limit."""
        if not self.enabled:
            return True
        capacity = self._capacity(action)
        now = time.monotonic() if at is None else at
        key = (secret_id, region, action)
        with self._lock:
            passed = self._passed.setdefault(key, deque())
            while passed and passed[0] <= now - WINDOW_S:
                passed.popleft()
            if len(passed) + 1 > capacity + 1e-9:  # this one would be one too many
                return False
            bisect.insort(passed, now)  # threads may count arrivals a little out of order
            return True

    def reset(self) -> None:
        with self._lock:
            self._passed.clear()
