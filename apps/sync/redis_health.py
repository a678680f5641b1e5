"""Is Redis (the broker, the limiter, the queues) reachable? Pages keep rendering from the
database when it is not, say so in a banner, and refuse actions instead of losing them."""

from __future__ import annotations

import logging
from typing import Any

import redis

from apps.sync.redisio import connection

log = logging.getLogger(__name__)


def redis_up() -> bool:
    try:
        return bool(connection().ping())
    except redis.RedisError as err:
        log.warning("Redis is unreachable: %s", type(err).__name__)
        return False


def redis_up_for(request: Any) -> bool:
    """`redis_up()`, asked once per request: the view and the banner share the answer."""
    if not hasattr(request, "_jobdeck_redis_up"):
        request._jobdeck_redis_up = redis_up()
    return bool(request._jobdeck_redis_up)


def infrastructure(request: Any) -> dict[str, Any]:
    """Template context: `redis_down` for the banner (only for signed-in pages). A callable,
    so Redis is asked only where the banner renders: whole pages, not the fragments htmx
    polls (they are rendered without base.html)."""
    if not getattr(getattr(request, "user", None), "is_authenticated", False):
        return {}
    return {"redis_down": lambda: not redis_up_for(request)}
