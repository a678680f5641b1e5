"""Streams: what the sync engine keeps fresh, one API call per step.

A stream is a function `step(scope, cursor) -> Step`: it makes at most one cloud call, writes
what it learnt, and says what to do next (the next cursor and how long to wait). A Celery
task runs one step and schedules the next (`apps.sync.tasks.run_stream`), so a busy
rate-limit bucket means a later task, never a sleeping worker. One chain per stream and
scope at a time: the planner holds a lock for it (`coordination.claim`).

Each stream has its own cursor: a small frozen dataclass whose fields all have defaults (the
default cursor starts the stream from the beginning). Between steps it travels as JSON in
the task's arguments (`cursor_dump` / `cursor_load`).

Detail streams serve a priority queue of objects (`serve_queue`): one item at a time, left in
the queue until its last step is done, so a worker that dies half way loses nothing.
"""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module
from typing import Any, Generic, TypeVar

from django.conf import settings

from apps.cloud.regions import PRODUCT_REGIONS, serves
from apps.cloud.scope import Scope
from apps.sync import coordination


@dataclass(frozen=True)
class QueueCursor:
    """The cursor of a detail stream: the item being served (empty: take the queue's most
    urgent). Streams that need more than one step per item add their progress fields."""

    item: str = ""


C = TypeVar("C")
Q = TypeVar("Q", bound=QueueCursor)


@dataclass(frozen=True)
class Step(Generic[C]):
    cursor: C  # where the next step starts
    delay: float = 0.0  # seconds to wait before it (0: as soon as the limiter allows)
    called: bool = True  # whether this step talked to the cloud (an empty queue does not)


IDLE = 1.0  # seconds before an empty detail queue is looked at again

StepFunction = Callable[[Scope, Any], Step[Any]]


@dataclass(frozen=True)
class Stream:
    name: str  # e.g. "batch.jobs"
    service: str  # the product whose regions it covers
    step: StepFunction
    cursor: type  # the cursor dataclass
    error_delay: float = 5.0  # wait after a cloud error before trying again
    # The cloud actions its steps call: it runs only in regions that serve them all (none
    # named: wherever its product is served).
    actions: tuple[str, ...] = ()

    def served_in(self, region: str) -> bool:
        """Whether the cloud serves this stream's product and every one of its actions in
        `region` (elsewhere each step would only be answered UnsupportedRegion)."""
        if region not in PRODUCT_REGIONS.get(self.service, frozenset()):
            return False
        return all(serves(self.service, action, region) for action in self.actions)


REGISTRY: dict[str, Stream] = {}


def registered() -> dict[str, Stream]:
    """The streams the workers run: those of the modules named in SYNC_STREAM_MODULES (each
    registers its own when imported). Other modules may be imported for their functions (the
    actions ask `apps.batch.sync` to refresh a job) without their streams running: the
    benchmarks swap in a naive planner this way."""
    modules = list(settings.SYNC_STREAM_MODULES)
    for module in modules:
        import_module(module)
    return {name: s for name, s in REGISTRY.items() if s.step.__module__ in modules}


def stream(
    name: str,
    *,
    service: str,
    cursor: type,
    error_delay: float = 5.0,
    actions: tuple[str, ...] = (),
) -> Callable[[Callable[[Scope, C], Step[C]]], Callable[[Scope, C], Step[C]]]:
    """Register a step function as the stream `name`, with its cursor type and the cloud
    actions its steps call (the regions it runs in follow from them)."""

    def register(step: Callable[[Scope, C], Step[C]]) -> Callable[[Scope, C], Step[C]]:
        REGISTRY[name] = Stream(name, service, step, cursor, error_delay, actions)
        return step

    return register


def serve_queue(queue: str, cursor: Q, serve: Callable[[str, Q], Step[Q]]) -> Step[Q]:
    """One step of a detail stream. The item is the one the previous step left unfinished
    (`cursor.item`), else the queue's most urgent. `serve(item, cursor)` makes at most one
    call; the cursor it gets is the default one with the item when the item starts. A Step
    whose cursor carries the same item goes on with it; any other means it is done, and it
    leaves the queue."""
    fresh = type(cursor)()
    item = cursor.item or coordination.peek(queue)
    if item is None:
        return Step(fresh, IDLE, called=False)
    going_on = cursor if cursor.item == item else dataclasses.replace(fresh, item=item)
    step = serve(item, going_on)
    if step.cursor.item != item:
        coordination.remove(queue, item)
    return step


# --- cursors as JSON -------------------------------------------------------------------------
def cursor_dump(cursor: Any) -> dict[str, Any]:
    """A cursor as JSON-safe values (times as ISO 8601, enums as their values)."""
    return {f.name: _dump_value(getattr(cursor, f.name)) for f in dataclasses.fields(cursor)}


def cursor_load(cursor_type: type[C], data: dict[str, Any]) -> C:
    """The cursor `data` describes; the default (start again) when it does not fit the type,
    as after a deploy that changed the cursor: a stream restarts a pass rather than stop."""
    hints = _hints(cursor_type)
    try:
        values = {
            name: _load_value(hints[name], value) for name, value in data.items() if name in hints
        }
        return cursor_type(**values)
    except (TypeError, ValueError):
        return cursor_type()


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cursor_type: type) -> dict[str, Any]:
    """A cursor type's field types, worked out once (every step loads a cursor)."""
    if cursor_type not in _HINTS:
        _HINTS[cursor_type] = typing.get_type_hints(cursor_type)
    return _HINTS[cursor_type]


def _dump_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value


def _load_value(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    for kind in _kinds(hint):
        if kind is datetime:
            return datetime.fromisoformat(value)
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            return kind(value)
        if kind is tuple or typing.get_origin(kind) is tuple:
            return tuple(value)
    return value


def _kinds(hint: Any) -> tuple[Any, ...]:
    """`datetime | None` -> (datetime, NoneType); `int` -> (int,)."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        return typing.get_args(hint)
    return (hint,)
