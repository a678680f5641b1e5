"""The sync engine's Redis: stream locks, detail queues and page interest."""

from __future__ import annotations

from functools import cache

import redis
from django.conf import settings


@cache
def _connection(url: str) -> redis.Redis:
    return redis.Redis.from_url(url, decode_responses=True)


def connection() -> redis.Redis:
    return _connection(settings.REDIS_URL)
