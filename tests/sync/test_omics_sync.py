"""The Omics cache converges on the emulator's world, reflects terminations and retries,
survives faults, and leaves ended objects alone."""

from __future__ import annotations

import pytest

from apps.cloud.scope import Scope
from apps.emulator.faults import Fault
from apps.omics.models import Run, RunCall, RunGroup
from apps.sync.models import StateTransition, SyncHealth
from tests.sync.drive import REGION, drive
from tests.sync.omics_drive import (
    OMICS_STREAMS,
    cached_states,
    cloud_states,
    omics_converged,
    omics_world,
)

pytestmark = pytest.mark.django_db


def converge(emulator, account) -> int:
    return drive(account, until=lambda: omics_converged(emulator, account), streams=OMICS_STREAMS)


def advance_until_a_run_is_running(emulator, clock):
    """Move the world on until a freshly submitted run group has a RUNNING run."""
    world = omics_world(emulator)
    for _ in range(60):
        clock.advance(20)
        with world.lock:
            world.advance(clock.now())
            running = [
                g for g in world.groups.values() if any(r.status == "RUNNING" for r in g.runs)
            ]
        if running:
            return running[0]
    raise AssertionError("no run group started within 20 minutes")


def test_the_demo_world_is_cached_with_the_same_states(emulator, emulator_account):
    converge(emulator, emulator_account)
    cloud, cache = cloud_states(emulator), cached_states(emulator_account)
    assert len(cache["environments"]) == len(cloud["environments"]) == 2
    assert len(cache["volumes"]) == len(cloud["volumes"]) >= 1
    assert len(cache["groups"]) == len(cloud["groups"]) >= 10
    assert len(cache["runs"]) == len(cloud["runs"]) > len(cloud["groups"])
    assert len(cache["calls"]) == len(cloud["calls"]) > len(cloud["runs"])
    # The sub-workflows' own calls (Path "/<RunId>") are there too, under their parent.
    nested = RunCall.objects.exclude(parent_id__in=Run.objects.values("run_uuid"))
    assert nested.exists()
    assert set(nested.values_list("parent_id", flat=True)) <= set(
        RunCall.objects.filter(run_type="Workflow").values_list("call_id", flat=True)
    )
    # Every run ended long ago: its final calls are in, and nothing is left to poll.
    assert not Run.objects.filter(final_synced=False).exists()
    assert not RunGroup.objects.filter(final_synced=False).exists()
    kinds = set(StateTransition.objects.values_list("kind", flat=True))
    assert {"omics_env", "run_group", "run", "call"} <= kinds


def test_the_calls_of_a_running_run_are_followed_while_its_status_stands_still(
    emulator, emulator_account, clock
):
    """No summary shows a call ending inside a RUNNING run: the REFRESH round must."""
    world = omics_world(emulator)
    run = next(
        r for r in advance_until_a_run_is_running(emulator, clock).runs if r.status == "RUNNING"
    )
    converge(emulator, emulator_account)

    def calls_of_run() -> dict:
        return {k: v for k, v in cloud_states(emulator)["calls"].items() if k[0] == run.uuid}

    before = calls_of_run()
    for _ in range(300):
        clock.advance(1)
        if calls_of_run() != before:
            break
    assert world.runs[run.uuid].status == "RUNNING" and calls_of_run() != before
    assert not omics_converged(emulator, emulator_account)
    converge(emulator, emulator_account)
    assert Run.objects.get(run_uuid=run.uuid).status == "RUNNING"


def test_a_running_group_terminated_and_a_retry_are_reflected(emulator, emulator_account, clock):
    world = omics_world(emulator)
    group = advance_until_a_run_is_running(emulator, clock)
    converge(emulator, emulator_account)
    assert RunCall.objects.filter(run__group__run_group_id=group.id, status="RUNNING").exists()

    failed = next(r for r in world.runs.values() if r.status == "EXECUTOR_ERROR")
    with world.lock:
        world.terminate_group(group)
        retry = world.retry([failed], option=None, nf_option=None)
    clock.advance(30)
    converge(emulator, emulator_account)

    terminated = RunGroup.objects.get(run_group_id=group.id)
    assert terminated.status == "COMPLETE_ERROR"
    assert set(terminated.runs.values_list("status", flat=True)) <= {
        "CANCELED",
        "SUCCESS",
        "EXECUTOR_ERROR",
    }
    assert terminated.status_counts.get("CANCELED", 0) >= 1
    assert RunCall.objects.filter(run__group=terminated, status="ABORTED").exists()
    assert not RunCall.objects.filter(
        run__group=terminated, status__in=["RUNNING", "QUEUED"]
    ).exists()
    canceled = terminated.runs.filter(status="CANCELED").order_by("pk")[0]
    history = StateTransition.objects.filter(kind="run", cloud_id=canceled.run_uuid).order_by("pk")
    assert list(history.values_list("to_state", flat=True))[-1] == "CANCELED"

    # The retry is a new run group whose fresh run goes on to its end.
    assert RunGroup.objects.filter(run_group_id=retry.id).exists()
    clock.advance(900)
    converge(emulator, emulator_account)
    retried = RunGroup.objects.get(run_group_id=retry.id)
    assert retried.status in ("COMPLETE", "COMPLETE_ERROR")
    assert retried.status == world.groups[retry.id].status
    assert retried.runs.get().calls.exists()


def test_with_faults_the_cache_still_converges_and_health_shows_them(emulator, emulator_account):
    emulator.faults.set("*", Fault(internal_error=0.10, malformed=0.05))
    converge(emulator, emulator_account)
    omics = SyncHealth.objects.filter(stream__startswith="omics.")
    codes = set(omics.exclude(last_error_code="").values_list("last_error_code", flat=True))
    assert codes & {"InternalError", "MalformedResponse"}
    assert omics.filter(errors__gt=0).exists()


def test_running_the_sync_twice_changes_nothing(emulator, emulator_account):
    converge(emulator, emulator_account)
    before = (StateTransition.objects.count(), cached_states(emulator_account))
    emulator.stats.reset()
    drive(emulator_account, until=lambda: True, max_rounds=20, streams=OMICS_STREAMS)
    assert (StateTransition.objects.count(), cached_states(emulator_account)) == before
    # Ended runs were fetched once more and are now left alone: only the lists are read.
    actions = {row["action"] for row in emulator.stats.snapshot()["calls"]}
    lists = {"DescribeProjects", "DescribeRunGroups", "DescribeEnvironments", "DescribeVolumes"}
    assert actions <= lists


def test_a_call_that_leaves_the_tree_is_marked_gone_and_no_longer_shown(
    emulator, emulator_account, admin_client
):
    from apps.sync import coordination

    converge(emulator, emulator_account)
    world = omics_world(emulator)
    run = next(r for g in world.groups.values() for r in g.runs if len(r.calls) >= 2)
    with world.lock:
        dropped = run.calls.pop()  # a restarted world forgot it
    dropped_id = RunCall.objects.get(run__run_uuid=run.uuid, call_id=dropped.run_id)
    coordination.enqueue(
        Scope(emulator_account, REGION).queue("omics.calls"),
        run.uuid,
        coordination.Priority.WATCHED,
    )
    # The cache matches again: the call is not among the live ones.
    converge(emulator, emulator_account)

    dropped_id.refresh_from_db()
    assert dropped_id.gone_at is not None  # kept, marked
    page = admin_client.get(f"/omics/runs/{run.uuid}/").content.decode()
    kept = RunCall.objects.filter(run__run_uuid=run.uuid, gone_at=None).values_list(
        "name", flat=True
    )
    assert dropped.name not in kept  # (names tell the rows apart on the page)
    assert all(name in page for name in kept) and dropped.name not in page
