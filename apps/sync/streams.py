"""Streams: what the sync engine keeps fresh, one API call per step.

A stream is a function `step(account, region, cursor) -> Step`: it makes at most one cloud
call, writes what it learnt, and says what to do next (the next cursor and how long to wait).
A Celery task runs one step and schedules the next (`apps.sync.tasks.run_stream`), so a busy
rate-limit bucket means a later task, never a sleeping worker. One chain per (stream,
account, region) at a time: the planner holds a lock for it (`coordination.claim`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apps.cloud.models import CloudAccount

Cursor = dict[str, Any]


@dataclass(frozen=True)
class Step:
    cursor: Cursor  # where the next step starts
    delay: float = 0.0  # seconds to wait before it (0: as soon as the limiter allows)
    called: bool = True  # whether this step talked to the cloud (an empty queue does not)


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
