"""Who works on what: one chain of tasks per stream (a lock with a TTL), priority queues of
objects whose details are due, and the interest a page view records.

A lock outlives a dead worker only by its TTL, so a killed worker loses nothing: the planner
starts the stream again and the idempotent upserts converge.
"""

from __future__ import annotations

import time
from enum import IntEnum

import redis
from django.conf import settings

from apps.cloud.scope import Scope
from apps.sync.redisio import connection

INTEREST_TTL_S = 30


class Priority(IntEnum):
    """Detail queue priorities: lower is served first."""

    WATCHED = 0  # somebody has its page open
    FINAL = 1  # it ended: its final details, once
    CHANGED = 2  # its summary changed
    # A moving object whose summary cannot show every change (an instance ends while its
    # task stays RUNNING): revisited with what the budget leaves over.
    REFRESH = 3


def _lock_key(stream: str) -> str:
    return f"jobdeck:sync:lock:{stream}"


def claim(stream: str, owner: str) -> bool:
    """Take the stream if nobody holds it (or its holder died)."""
    return bool(connection().set(_lock_key(stream), owner, nx=True, ex=settings.SYNC_LOCK_TTL_S))


def holds(stream: str, owner: str) -> bool:
    """Whether `owner` still holds the stream; extends the lease when it does."""
    key = _lock_key(stream)
    if connection().get(key) != owner:
        return False
    connection().expire(key, settings.SYNC_LOCK_TTL_S)
    return True


def is_held(stream: str) -> bool:
    """Whether some chain holds the stream now (its lease has not run out)."""
    return bool(connection().exists(_lock_key(stream)))


def release(stream: str, owner: str) -> None:
    key = _lock_key(stream)
    if connection().get(key) == owner:
        connection().delete(key)


def _rebuild_key(scope: Scope, queues: str) -> str:
    return f"jobdeck:sync:rebuilt:{queues}:{scope.key}"


def rebuild_due(scope: Scope, queues: str) -> bool:
    """Whether the detail queues `queues` of `scope` are due to be rebuilt from the database;
    claims the rebuild when they are. Redis is a cache of work, not its record: a flush, a
    restart without persistence or a deleted queue loses the mark with the queues, so the
    rebuild follows at once; otherwise it comes back every SYNC_QUEUE_REBUILD_S."""
    key = _rebuild_key(scope, queues)
    return bool(connection().set(key, "1", nx=True, ex=settings.SYNC_QUEUE_REBUILD_S))


def _queue_key(queue: str) -> str:
    return f"jobdeck:sync:queue:{queue}"


def enqueue(queue: str, item: str, priority: Priority) -> None:
    """Add `item`, or raise its priority; an item is queued once however often it changes."""
    score = priority * 1e12 + time.time()
    connection().zadd(_queue_key(queue), {item: score}, lt=True)


def enqueue_many(queue: str, items: list[str], priority: Priority) -> None:
    if items:
        score = priority * 1e12 + time.time()
        connection().zadd(_queue_key(queue), dict.fromkeys(items, score), lt=True)


def peek(queue: str) -> str | None:
    """The most urgent item, left in the queue until `remove`: a worker that dies while
    serving it loses nothing."""
    items = connection().zrange(_queue_key(queue), 0, 0)
    return str(items[0]) if items else None


def peek_many(queue: str, count: int) -> list[str]:
    return [str(item) for item in connection().zrange(_queue_key(queue), 0, count - 1)]


def remove(queue: str, item: str) -> None:
    connection().zrem(_queue_key(queue), item)


def queue_lengths() -> dict[str, int]:
    """Every detail queue and how many objects wait in it (for /metrics)."""
    prefix = _queue_key("")
    return {
        key[len(prefix) :]: int(connection().zcard(key))
        for key in connection().scan_iter(prefix + "*")
    }


def _interest_key(kind: str, scope: Scope, cloud_id: str) -> str:
    return f"jobdeck:sync:interest:{kind}:{scope.key}:{cloud_id}"


def record_interest(kind: str, scope: Scope, cloud_id: str) -> None:
    """A page shows this object now: refresh it first for the next half minute. Best effort:
    without Redis the page still renders (the sync is down anyway)."""
    try:
        connection().set(_interest_key(kind, scope, cloud_id), "1", ex=INTEREST_TTL_S)
    except redis.RedisError:
        pass


def is_watched(kind: str, scope: Scope, cloud_id: str) -> bool:
    return bool(connection().exists(_interest_key(kind, scope, cloud_id)))


def priority_of(kind: str, scope: Scope, cloud_id: str, *, ended: bool) -> Priority:
    """Watched first, then ended (their final read), then changed."""
    if is_watched(kind, scope, cloud_id):
        return Priority.WATCHED
    return Priority.FINAL if ended else Priority.CHANGED
