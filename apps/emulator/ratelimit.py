"""Per-action frequency limits, enforced as the cloud does: `RequestLimitExceeded`.

One token bucket per (SecretId, region, action): capacity and refill rate equal the
documented limit ("a maximum of N requests per second"). An invisible "other client" may take
a share of every budget, as the team's own pipelines on the same account would; it lowers the
refill rate by that share.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimits:
    def __init__(self, limits: dict[str, float], *, enabled: bool = True) -> None:
        self._limits = limits
        self.enabled = enabled
        self.other_client_share = 0.0
        self._buckets: dict[tuple[str, str, str], _Bucket] = {}
        self._lock = threading.Lock()

    def limit_of(self, action: str) -> float:
        return self._limits[action]

    def allow(self, secret_id: str, region: str, action: str) -> bool:
        """Take one token; False means the caller exceeded the frequency limit."""
        if not self.enabled:
            return True
        limit = self._limits[action]
        rate = limit * (1.0 - self.other_client_share)
        now = time.monotonic()
        key = (secret_id, region, action)
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(tokens=limit, updated=now)
            bucket.tokens = min(limit, bucket.tokens + (now - bucket.updated) * rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return True
            return False

    def reset(self) -> None:
        with self._lock:
            self._buckets.clear()
