"""Comparing the Omics cache with the emulator's omics world, the ground truth (the Batch
counterpart is tests/sync/drive.py, whose `drive` runs the streams)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from apps.cloud.models import CloudAccount
from apps.emulator.server import Emulator
from apps.omics import sync as omics_sync  # noqa: F401  (registers the omics streams)
from apps.omics.models import OmicsEnvironment, Run, RunCall, RunGroup, Volume
from tests.sync.drive import REGION

OMICS_STREAMS = ["omics.run_groups", "omics.runs", "omics.calls", "omics.environments"]


def omics_world(emulator: Emulator, region: str = REGION) -> Any:
    return emulator.worlds[("omics", region)]


def _visible_calls(world: Any, run: Any, calls: list[Any], now: float) -> Iterator[Any]:
    """Every call GetRunCalls shows at `now`, at every level of the tree."""
    for call in world.visible_calls(run, calls, now):
        yield call
        if call.run_type in ("Workflow", "Scatter"):
            yield from _visible_calls(world, run, call.children, now)


def cloud_states(emulator: Emulator) -> dict[str, dict[Any, Any]]:
    world = omics_world(emulator)
    now = emulator.clock.now()
    with world.lock:
        world.advance(now)  # what the next request would see
        runs = list(world.runs.values())
        return {
            "environments": {e["EnvironmentId"]: e["Status"] for e in world.environments.values()},
            "volumes": {v["VolumeId"]: v["Status"] for v in world.volumes.values()},
            "groups": {g.id: g.status for g in world.groups.values()},
            "counts": {
                g.id: (len(g.runs), dict(Counter(r.status for r in g.runs)))
                for g in world.groups.values()
            },
            "runs": {r.uuid: r.status for r in runs},
            "calls": {
                (r.uuid, c.run_id): world.call_status(r, c, now)[0]
                for r in runs
                for c in _visible_calls(world, r, r.calls, now)
            },
        }


def cached_states(account: CloudAccount) -> dict[str, dict[Any, Any]]:
    alive = {"account": account, "gone_at": None}
    groups = RunGroup.objects.filter(**alive)
    return {
        "environments": dict(
            OmicsEnvironment.objects.filter(**alive).values_list("environment_id", "status")
        ),
        "volumes": dict(Volume.objects.filter(**alive).values_list("volume_id", "status")),
        "groups": dict(groups.values_list("run_group_id", "status")),
        "counts": {
            g: (total, counts)
            for g, total, counts in groups.values_list("run_group_id", "total_run", "status_counts")
        },
        "runs": dict(Run.objects.filter(**alive).values_list("run_uuid", "status")),
        "calls": {
            (run, call): status
            for run, call, status in RunCall.objects.filter(
                run__account=account, run__gone_at=None, gone_at=None
            ).values_list("run__run_uuid", "call_id", "status")
        },
    }


def omics_converged(emulator: Emulator, account: CloudAccount) -> bool:
    """Every omics environment, volume, run group (with its run counts), run and call of the
    emulator is cached with the same status."""
    return cloud_states(emulator) == cached_states(account)
