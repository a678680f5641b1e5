"""Streams: what the sync engine keeps fresh, one API call per step.

A stream is a function `step(account, region, cursor) -> Step`: it makes at most one cloud
call, writes what it learnt, and says what to do next (the next cursor and how long to wait).
A Celery task runs one step and schedules the next (`apps.sync.tasks.run_stream`), so a busy
rate-limit bucket means a later task, never a sleeping worker. One chain per (stream,
account, region) at a time: the planner holds a lock for it (`coordination.claim`).

Detail streams serve a priority queue of objects (`serve_queue`): one item at a time, left in
the queue until its last step is done, so a worker that dies half way loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apps.cloud.models import CloudAccount
from apps.sync import coordination

Cursor = dict[str, Any]


@dataclass(frozen=True)
class Step:
    cursor: Cursor  # where the next step starts
    delay: float = 0.0  # seconds to wait before it (0: as soon as the limiter allows)
    called: bool = True  # whether this step talked to the cloud (an empty queue does not)


IDLE = 1.0  # seconds before an empty detail queue is looked at again

StepFunction = Callable[[CloudAccount, str, Cursor], Step]


@dataclass(frozen=True)
class Stream:
    name: str  # e.g. "batch.jobs"
    service: str  # the product whose regions it covers
    step: StepFunction
    error_delay: float = 5.0  # wait after a cloud error before trying again


REGISTRY: dict[str, Stream] = {}


def stream(
    name: str, *, service: str, error_delay: float = 5.0
) -> Callable[[StepFunction], StepFunction]:
    """Register a step function as the stream `name`."""

    def register(step: StepFunction) -> StepFunction:
        REGISTRY[name] = Stream(name, service, step, error_delay)
        return step

    return register


def lock_name(name: str, account_id: int, region: str) -> str:
    return f"{name}:{account_id}:{region}"


def serve_queue(queue: str, cursor: Cursor, serve: Callable[[str, Cursor], Step]) -> Step:
    """One step of a detail stream. The item is the one the previous step left unfinished
    (`cursor["item"]`), else the queue's most urgent. `serve(item, cursor)` makes at most one
    call; the cursor it gets is empty when the item starts. A Step whose cursor carries
    `"item": item` goes on with it; any other Step means it is done, and it leaves the queue.
    """
    item = cursor.get("item") or coordination.peek(queue)
    if item is None:
        return Step({}, IDLE, called=False)
    step = serve(item, cursor if cursor.get("item") == item else {})
    if step.cursor.get("item") != item:
        coordination.remove(queue, item)
    return step
