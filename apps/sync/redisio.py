"""The sync engine's Redis: stream locks, detail queues and page interest."""

from __future__ import annotations

from functools import cache

import redis
from django.conf import settings


@cache
def _connection(url: str) -> redis.Redis:
    # Short timeouts: a page must not hang on an unreachable Redis (it renders without it).
    return redis.Redis.from_url(
        url, decode_responses=True, socket_connect_timeout=1, socket_timeout=2
    )


def connection() -> redis.Redis:
    return _connection(settings.REDIS_URL)
