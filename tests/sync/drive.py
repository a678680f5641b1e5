"""Driving the sync streams step by step in the test process (the Celery chain without the
broker), and comparing the cache with the emulator's world, the ground truth."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from apps.batch.models import ComputeNode, Job, Task, TaskInstance, TaskLog
from apps.cloud.models import CloudAccount
from apps.cloud.scope import Scope
from apps.emulator.server import Emulator
from apps.sync.streams import cursor_dump, registered
from apps.sync.tasks import step_once

REGION = "ap-guangzhou"


def drive(
    account: CloudAccount,
    *,
    until: Callable[[], bool],
    region: str = REGION,
    max_rounds: int = 400,
    streams: list[str] | None = None,
) -> int:
    """Step every stream round-robin (delays ignored) until `until()`; returns the rounds."""
    names = streams or [n for n, s in registered().items() if s.service == "batch"]
    cursors: dict[str, dict[str, Any]] = {name: {} for name in names}
    scope = Scope(account, region)
    for rounds in range(1, max_rounds + 1):
        for name in names:
            cursors[name] = cursor_dump(step_once(name, scope, cursors[name]).cursor)
        if rounds % 5 == 0 and until():
            return rounds
    raise AssertionError(
        f"the cache did not converge in {max_rounds} rounds: {until.__doc__ or ''}"
    )


def batch_world(emulator: Emulator, region: str = REGION) -> Any:
    return emulator.worlds[("batch", region)]


def cloud_states(emulator: Emulator) -> dict[str, dict[Any, str]]:
    world = batch_world(emulator)
    jobs = list(world.jobs.values())
    return {
        "jobs": {j.id: j.state for j in jobs},
        "tasks": {(j.id, t.name): t.state for j in jobs for t in j.tasks.values()},
        "instances": {
            (j.id, t.name, i.index): i.state
            for j in jobs
            for t in j.tasks.values()
            for i in t.instances
        },
        "nodes": {n.id: n.state for e in world.fleet.envs.values() for n in e.nodes.values()},
        "envs": {e.id: str(e.desired) for e in world.fleet.envs.values()},
    }


def cached_states(account: CloudAccount) -> dict[str, dict[Any, str]]:
    from apps.batch.models import ComputeEnv

    return {
        "jobs": dict(
            Job.objects.filter(account=account, gone_at=None).values_list("job_id", "state")
        ),
        "tasks": {
            (j, n): s
            for j, n, s in Task.objects.filter(job__account=account, job__gone_at=None).values_list(
                "job__job_id", "name", "state"
            )
        },
        "instances": {
            (j, n, i): s
            for j, n, i, s in TaskInstance.objects.filter(
                task__job__account=account, task__job__gone_at=None
            ).values_list("task__job__job_id", "task__name", "index", "state")
        },
        "nodes": dict(
            ComputeNode.objects.filter(account=account, gone_at=None).values_list(
                "node_id", "state"
            )
        ),
        "envs": {
            e: str(d)
            for e, d in ComputeEnv.objects.filter(account=account, gone_at=None).values_list(
                "env_id", "desired_count"
            )
        },
    }


def missing_final_logs(emulator: Emulator, account: CloudAccount) -> list[tuple[str, str, int]]:
    """Ended instances that printed something but whose final log is not cached."""
    world = batch_world(emulator)
    ended = [
        (j.id, t.name, i.index)
        for j in world.jobs.values()
        for t in j.tasks.values()
        for i in t.instances
        if i.state in ("SUCCEED", "FAILED", "FAILED_INTERRUPTED") and i.running is not None
    ]
    cached = set(
        TaskLog.objects.filter(instance__task__job__account=account, final=True).values_list(
            "instance__task__job__job_id", "instance__task__name", "instance__index"
        )
    )
    return [key for key in ended if key not in cached]


def converged(emulator: Emulator, account: CloudAccount) -> bool:
    """Every environment, node, job, task, instance and final log of the emulator is cached
    with the same state."""
    return cloud_states(emulator) == cached_states(account) and not missing_final_logs(
        emulator, account
    )
